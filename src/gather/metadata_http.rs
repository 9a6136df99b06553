//! The HTTP client of the link-local metadata services (IMDS, ECS task metadata): the same
//! hyper stack as the Query client (hyper-util's legacy client), over a plain HTTP connector —
//! no TLS, and never through a proxy (the client reads no proxy variables, and nothing here
//! configures one: these addresses are link-local or local). Every answer is read up to
//! [`MAX_BODY`] bytes (`http_body_util::Limited`); every request is bounded by its caller's
//! short deadline, and the connection by its own connect timeout.

use std::time::Duration;

use bytes::Bytes;
use http::Method;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// The most read of any metadata answer (an IMDS value is a few bytes, a task document a few
/// KiB; anything longer is an error, not a 500 MB instance id).
pub const MAX_BODY: usize = 64 * 1024;

#[derive(Debug)]
pub enum HttpError {
    /// No connection: nothing listens, or the address is unreachable.
    Connect(String),
    /// Connected (or still connecting), but no complete answer in time.
    TimedOut,
    /// An answer that is not HTTP, or larger than [`MAX_BODY`].
    Bad(String),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::Connect(e) => write!(f, "cannot connect: {e}"),
            HttpError::TimedOut => f.write_str("timed out"),
            HttpError::Bad(e) => f.write_str(e),
        }
    }
}

/// One answer: the status code, the status line (`HTTP/1.1 401 Unauthorized`) and the body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub status_line: String,
    pub body: String,
}

/// A client of one metadata service for one phase (its connect timeout is the phase's).
#[derive(Clone)]
pub struct MetadataHttp {
    client: Client<HttpConnector, Empty<Bytes>>,
    connect: Duration,
}

impl MetadataHttp {
    pub fn new(connect: Duration) -> MetadataHttp {
        let mut http = HttpConnector::new();
        // Plain HTTP only: a metadata service is never reached over TLS or through a proxy.
        http.enforce_http(true);
        http.set_connect_timeout(Some(connect));
        http.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(5))
            .pool_max_idle_per_host(4)
            .build(http);
        MetadataHttp { client, connect }
    }

    fn request(
        method: Method,
        uri: &str,
        header: Option<(&str, &str)>,
    ) -> Result<http::Request<Empty<Bytes>>, HttpError> {
        let mut b = http::Request::builder().method(method.clone()).uri(uri);
        if let Some((k, v)) = header {
            b = b.header(k, v);
        }
        if method == Method::PUT {
            b = b.header("content-length", "0");
        }
        b.body(Empty::new())
            .map_err(|e| HttpError::Bad(format!("not a usable request: {e}")))
    }

    /// One request; its answer with the body (at most [`MAX_BODY`] bytes), within `limit`.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        header: Option<(&str, &str)>,
        limit: Duration,
    ) -> Result<Answer, HttpError> {
        let req = Self::request(method, uri, header)?;
        let exchange = async {
            let resp = self
                .client
                .request(req)
                .await
                .map_err(|e| self.classify(&e))?;
            let status = resp.status();
            let status_line = format!("{:?} {status}", resp.version());
            let too_large =
                || HttpError::Bad(format!("an answer larger than {} KiB", MAX_BODY / 1024));
            let announced = resp
                .headers()
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if announced.is_some_and(|n| n > MAX_BODY as u64) {
                return Err(too_large());
            }
            let bytes = Limited::new(resp.into_body(), MAX_BODY)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        too_large()
                    } else {
                        HttpError::Bad(super::plain::error_chain(&*e))
                    }
                })?
                .to_bytes();
            Ok(Answer {
                status: status.as_u16(),
                status_line,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            })
        };
        tokio::time::timeout(limit, exchange)
            .await
            .unwrap_or(Err(HttpError::TimedOut))
    }

    /// The status line of the answer to one request, if its head arrives within `wait` (the
    /// body is not read).
    pub async fn status_line(
        &self,
        method: Method,
        uri: &str,
        header: Option<(&str, &str)>,
        wait: Duration,
    ) -> Option<String> {
        let req = Self::request(method, uri, header).ok()?;
        let resp = tokio::time::timeout(wait, self.client.request(req))
            .await
            .ok()?
            .ok()?;
        Some(format!("{:?} {}", resp.version(), resp.status()))
    }

    /// A connection that could not be made, in the words of its innermost cause
    /// (`Connection refused (os error 111)`); anything else is a bad answer.
    fn classify(&self, e: &hyper_util::client::legacy::Error) -> HttpError {
        if !e.is_connect() {
            return HttpError::Bad(super::plain::error_chain(e));
        }
        let mut cause: &(dyn std::error::Error + 'static) = e;
        while let Some(s) = cause.source() {
            cause = s;
        }
        let timed_out = cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
            || cause.to_string().contains("timeout");
        if timed_out {
            HttpError::Connect(format!("no answer within {} ms", self.connect.as_millis()))
        } else {
            HttpError::Connect(cause.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A one-connection server: reads the request head, hands it back, and answers `reply`
    /// (then holds the connection open for `hold`).
    async fn serve(reply: Vec<u8>, hold: Duration) -> (String, tokio::task::JoinHandle<String>) {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", l.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = s.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                head.extend_from_slice(&buf[..n]);
            }
            let _ = s.write_all(&reply).await;
            tokio::time::sleep(hold).await;
            String::from_utf8_lossy(&head).into_owned()
        });
        (base, task)
    }

    #[tokio::test]
    async fn a_token_put_carries_its_ttl_and_an_empty_body() {
        let (base, head) = serve(
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\ntoken".to_vec(),
            Duration::ZERO,
        )
        .await;
        let c = MetadataHttp::new(Duration::from_secs(1));
        let a = c
            .send(
                Method::PUT,
                &format!("{base}/latest/api/token"),
                Some(("X-aws-ec2-metadata-token-ttl-seconds", "60")),
                Duration::from_secs(2),
            )
            .await
            .unwrap();
        assert_eq!((a.status, a.body.as_str()), (200, "token"));
        assert_eq!(a.status_line, "HTTP/1.1 200 OK");
        let head = head.await.unwrap().to_ascii_lowercase();
        assert!(head.starts_with("put /latest/api/token http/1.1"), "{head}");
        assert!(
            head.contains("x-aws-ec2-metadata-token-ttl-seconds: 60"),
            "{head}"
        );
        assert!(head.contains("content-length: 0"), "{head}");
        assert!(head.contains("host: 127.0.0.1:"), "{head}");
    }

    #[tokio::test]
    async fn answers_past_64_kib_are_refused_announced_or_streamed() {
        let c = MetadataHttp::new(Duration::from_secs(1));
        let announced = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", 500 << 20);
        let (base, _t) = serve(announced.into_bytes(), Duration::from_secs(5)).await;
        let e = c
            .send(Method::GET, &base, None, Duration::from_secs(2))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("larger than 64 KiB"), "{e}");
        let mut chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..3 {
            chunked.extend_from_slice(b"8000\r\n");
            chunked.extend(std::iter::repeat_n(b'i', 0x8000));
            chunked.extend_from_slice(b"\r\n");
        }
        let (base, _t) = serve(chunked, Duration::from_secs(5)).await;
        let e = c
            .send(Method::GET, &base, None, Duration::from_secs(2))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("larger than 64 KiB"), "{e}");
    }

    #[tokio::test]
    async fn nothing_listening_silence_and_garbage_are_told_apart() {
        let c = MetadataHttp::new(Duration::from_millis(500));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = c
            .send(
                Method::GET,
                &format!("http://127.0.0.1:{port}/"),
                None,
                Duration::from_secs(1),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, HttpError::Connect(_)), "{e}");
        let (base, _t) = serve(Vec::new(), Duration::from_secs(5)).await;
        let e = c
            .send(Method::GET, &base, None, Duration::from_millis(300))
            .await
            .unwrap_err();
        assert!(matches!(e, HttpError::TimedOut), "{e}");
        assert_eq!(
            c.status_line(Method::GET, &base, None, Duration::from_millis(100))
                .await,
            None
        );
        let (base, _t) = serve(b"SSH-2.0-OpenSSH\r\n\r\n".to_vec(), Duration::ZERO).await;
        let e = c
            .send(Method::GET, &base, None, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert!(matches!(e, HttpError::Bad(_)), "{e}");
    }
}
