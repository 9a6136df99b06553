//! s3path's own HTTPS to AWS: one connector for the signed Query client (EC2, SSM,
//! CloudWatch) and for the SDK's calls (STS, SSO, the credential sources; see
//! [`SdkHttp`]). It honours the proxy variables exactly as [`crate::proxy`] reads them for
//! the judged applications (one reading: `https_proxy`/`HTTPS_PROXY`/`all_proxy`/`ALL_PROXY`
//! for https, the `http_` ones for http, `NO_PROXY` with domains, suffixes, IPs, CIDRs and
//! `*`), tunnels through an `http://` proxy with `CONNECT` (the proxy's user information
//! becomes a `Proxy-Authorization` header and goes nowhere else), and never sends loopback or
//! link-local destinations (IMDS, the ECS and Pod Identity credential endpoints) to a proxy.
//! Every connection made is recorded ([`AccessLog`]) for the facts: the report says how the
//! tool itself reached AWS.
//!
//! Trust, as the AWS CLI reads it: a CA bundle from `AWS_CA_BUNDLE`, else the profile's
//! `ca_bundle`, replaces the trust store; otherwise `SSL_CERT_FILE`, when set, stands for the
//! system store; otherwise the system store.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use http::Uri;
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::options::Env;
use super::plain::error_chain;
use crate::facts::{AccessClient, AccessRoute, AccessVia, AwsAccess, CaBundle};
use crate::proxy::{self, ProxyDecision};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The proxy variables s3path's own client reads, captured once per run (with their user
/// information: it is needed for `Proxy-Authorization`, and kept nowhere else).
pub fn proxy_vars(env: &dyn Env) -> Vec<(String, String)> {
    proxy::HTTPS_PROXY_VARS
        .iter()
        .chain(["http_proxy", "HTTP_PROXY"].iter())
        .chain(proxy::NO_PROXY_VARS.iter())
        .filter_map(|n| env.var(n).map(|v| (n.to_string(), v)))
        .collect()
}

/// The connections s3path's own clients made (the first one to each endpoint), shared by
/// every client of a run.
#[derive(Clone, Default, Debug)]
pub struct AccessLog(Arc<Mutex<Vec<AccessRoute>>>);

impl AccessLog {
    fn record(&self, route: AccessRoute) {
        let mut log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let known = log
            .iter()
            .any(|r| r.client == route.client && r.host == route.host && r.port == route.port);
        if !known && log.len() < crate::facts::MAX_ACCESS_ROUTES {
            log.push(route);
        }
    }

    pub fn routes(&self) -> Vec<AccessRoute> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The facts' account of the run's own access: `None` when no connection was made.
pub fn observed(log: &AccessLog, ca_bundle: Option<CaBundle>) -> Option<AwsAccess> {
    let connections = log.routes();
    (!connections.is_empty()).then_some(AwsAccess {
        connections,
        ca_bundle,
    })
}

/// Which CA bundle s3path's own HTTPS trusts, in the AWS CLI's order: `AWS_CA_BUNDLE`, the
/// active profile's `ca_bundle`, then `SSL_CERT_FILE` (the system store's override). `None`:
/// the system store. `env` reads `AWS_PROFILE` as `--profile` sets it.
pub fn ca_bundle(env: &dyn Env) -> Option<CaBundle> {
    let set = |v: Option<String>| v.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
    if let Some(path) = set(env.var("AWS_CA_BUNDLE")) {
        return Some(CaBundle {
            source: "AWS_CA_BUNDLE".to_string(),
            path,
            error: None,
        });
    }
    if let Some(p) = super::aws_config::profile_settings(env) {
        if let Some(path) = set(p
            .settings
            .iter()
            .find(|s| s.name == "ca_bundle")
            .map(|s| s.value.clone()))
        {
            return Some(CaBundle {
                source: format!("ca_bundle of profile {}", p.profile),
                path,
                error: None,
            });
        }
    }
    set(env.var("SSL_CERT_FILE")).map(|path| CaBundle {
        source: "SSL_CERT_FILE".to_string(),
        path,
        error: None,
    })
}

/// The trust anchors for `bundle` (else the system store), and why the bundle could not be
/// used, when it could not (then the system store is used, and every TLS call says why it
/// failed if it does).
pub fn roots(bundle: Option<&CaBundle>) -> (rustls::RootCertStore, Option<String>) {
    if let Some(b) = bundle {
        match super::tls::load(&b.path) {
            Ok(r) => return (r, None),
            Err(e) => {
                let (system, _) = system_roots();
                return (system, Some(format!("{}: {e}", b.source)));
            }
        }
    }
    system_roots()
}

fn system_roots() -> (rustls::RootCertStore, Option<String>) {
    let (stores, errors) = super::tls::stores(&[]);
    let mut roots = rustls::RootCertStore::empty();
    for s in stores {
        roots.roots.extend(s.roots().roots.iter().cloned());
    }
    (roots, errors.into_iter().next())
}

/// The TLS configuration of s3path's own calls (rustls with aws-lc).
pub fn tls_config(roots: rustls::RootCertStore) -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map(|b| {
        b.with_root_certificates(roots.clone())
            .with_no_client_auth()
    })
    // Not reachable with the bundled provider; keep a working client regardless.
    .unwrap_or_else(|_| {
        rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth()
    })
}

/// The TCP part of s3path's own connections: direct, or a `CONNECT` tunnel through the proxy
/// the variables name for the destination. TLS goes on top ([`Https`]).
#[derive(Clone)]
pub struct Tunnel {
    tcp: TcpConnector,
    vars: Arc<Vec<(String, String)>>,
    client: AccessClient,
    log: AccessLog,
    /// The longest a `CONNECT` handshake may take.
    limit: Duration,
}

impl Tunnel {
    pub fn new(
        vars: Arc<Vec<(String, String)>>,
        client: AccessClient,
        log: AccessLog,
        connect: Duration,
    ) -> Tunnel {
        let mut tcp = TcpConnector::new();
        tcp.enforce_http(false);
        tcp.set_connect_timeout(Some(connect.max(Duration::from_millis(100))));
        tcp.set_nodelay(true);
        Tunnel {
            tcp,
            vars,
            client,
            log,
            limit: connect.max(Duration::from_millis(100)),
        }
    }

    async fn connect(mut self, dst: Uri) -> Result<TokioIo<TcpStream>, BoxError> {
        use tower_service::Service;
        let scheme = dst.scheme_str().unwrap_or("https").to_ascii_lowercase();
        let host = dst
            .host()
            .ok_or("the URL has no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = dst
            .port_u16()
            .unwrap_or(if scheme == "http" { 80 } else { 443 });
        let mut route = AccessRoute {
            client: self.client,
            host: host.clone(),
            port,
            via: AccessVia::Direct,
            proxy: None,
            variable: None,
            no_proxy_entry: None,
        };
        if proxy::never_proxied(&host) {
            // The metadata services and local endpoints: always direct, not recorded.
            return Ok(self.tcp.call(dst).await?);
        }
        let proxy = match proxy::decide_for(&self.vars[..], &scheme, &host, port) {
            ProxyDecision::NoProxy => None,
            ProxyDecision::Bypassed {
                variable, entry, ..
            } => {
                route.variable = Some(variable.to_string());
                route.no_proxy_entry = Some(entry);
                None
            }
            ProxyDecision::Invalid { variable, error } => {
                return Err(format!("{variable}: {error}").into());
            }
            ProxyDecision::Proxied(p) => Some(p),
        };
        let Some(p) = proxy else {
            self.log.record(route);
            return Ok(self.tcp.call(dst).await?);
        };
        route.via = AccessVia::Proxy;
        route.proxy = Some(p.address());
        route.variable = Some(p.variable.clone());
        self.log.record(route);
        let proxy_scheme = crate::url::scheme(&p.url).unwrap_or_else(|| "http".to_string());
        if proxy_scheme != "http" {
            return Err(format!(
                "{}: s3path's own calls go through http:// proxies only, not {proxy_scheme}://",
                p.variable
            )
            .into());
        }
        let proxy_uri: Uri = format!("http://{}/", p.address()).parse()?;
        let io = self
            .tcp
            .call(proxy_uri)
            .await
            .map_err(|e| format!("proxy {}: {}", p.address(), error_chain(&e)))?;
        let mut tcp = io.into_inner();
        let authority = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let auth = proxy::proxy_credentials(&p.url).map(|(u, pw)| basic(&u, &pw));
        match tokio::time::timeout(self.limit, tunnel(&mut tcp, &authority, auth.as_deref())).await
        {
            Ok(Ok(())) => Ok(TokioIo::new(tcp)),
            Ok(Err(e)) => Err(format!("proxy {}: {e}", p.address()).into()),
            Err(_) => Err(format!(
                "proxy {}: no answer to CONNECT {authority} within {} ms",
                p.address(),
                self.limit.as_millis()
            )
            .into()),
        }
    }
}

impl tower_service::Service<Uri> for Tunnel {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        Box::pin(self.clone().connect(dst))
    }
}

/// `Basic base64(user:pass)`.
fn basic(user: &str, pass: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{pass}");
    let mut out = String::from("Basic ");
    for chunk in input.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The largest `CONNECT` answer head read.
const MAX_CONNECT_HEAD: usize = 16 * 1024;

/// Asks the proxy for a tunnel to `authority` and reads its answer's head (byte by byte: what
/// follows it belongs to the tunnel).
async fn tunnel(tcp: &mut TcpStream, authority: &str, auth: Option<&str>) -> Result<(), String> {
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(a) = auth {
        request.push_str(&format!("Proxy-Authorization: {a}\r\n"));
    }
    request.push_str("\r\n");
    tcp.write_all(request.as_bytes())
        .await
        .map_err(|e| format!("sending CONNECT: {e}"))?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_CONNECT_HEAD {
            return Err("the answer to CONNECT has no end".to_string());
        }
        match tcp.read(&mut byte).await {
            Ok(0) => return Err("the proxy closed the connection after CONNECT".to_string()),
            Ok(_) => head.push(byte[0]),
            Err(e) => return Err(format!("reading the answer to CONNECT: {e}")),
        }
    }
    let status_line: String = String::from_utf8_lossy(&head)
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(120)
        .collect();
    let code = status_line.split_whitespace().nth(1).unwrap_or_default();
    match code {
        "200" => Ok(()),
        "407" => Err(format!(
            "the proxy wants authentication (user:password@ in the proxy URL): {status_line}"
        )),
        _ => Err(format!(
            "the proxy refused CONNECT {authority}: {status_line}"
        )),
    }
}

/// TLS over a [`Tunnel`].
pub type Https = hyper_rustls::HttpsConnector<Tunnel>;

/// The HTTPS connector of one of s3path's clients.
pub fn https(tunnel: Tunnel, tls: Arc<rustls::ClientConfig>) -> Https {
    hyper_rustls::HttpsConnector::from((tunnel, tls))
}

/// The SDK's HTTP client on the same connector: what `aws-config` uses for STS, SSO, IMDS
/// and container credentials, and what SDK clients built from the run's configuration use.
#[derive(Clone, Debug)]
pub struct SdkHttp {
    client: Client<Https, SdkBody>,
}

impl SdkHttp {
    pub fn new(https: Https) -> SdkHttp {
        SdkHttp {
            client: Client::builder(TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(10))
                .build(https),
        }
    }
}

impl HttpClient for SdkHttp {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        // The read timeout bounds the wait for the answer's head (after the connection);
        // without one, the operation timeouts bound the call.
        let limit = settings
            .read_timeout()
            .map(|r| r + settings.connect_timeout().unwrap_or_default());
        SharedHttpConnector::new(SdkConnector {
            client: self.client.clone(),
            limit,
        })
    }
}

#[derive(Debug)]
struct SdkConnector {
    client: Client<Https, SdkBody>,
    limit: Option<Duration>,
}

impl HttpConnector for SdkConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let request = match request.try_into_http1x() {
            Ok(r) => r,
            Err(e) => return HttpConnectorFuture::ready(Err(ConnectorError::user(e.into()))),
        };
        let answer = self.client.request(request);
        let limit = self.limit;
        HttpConnectorFuture::new(async move {
            let answer = match limit {
                Some(d) => tokio::time::timeout(d, answer).await.map_err(|_| {
                    ConnectorError::timeout(format!("no answer within {} ms", d.as_millis()).into())
                })?,
                None => answer.await,
            };
            let answer = answer.map_err(|e| {
                if e.is_connect() {
                    ConnectorError::io(e.into())
                } else {
                    ConnectorError::other(e.into(), None)
                }
            })?;
            HttpResponse::try_from(answer.map(SdkBody::from_body_1_x))
                .map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

/// An HTTP client for requests that otherwise take a client of their own (the bucket
/// requests' pinned resolver): a request whose host the proxy variables send to a proxy goes
/// through the shared connector ([`SdkHttp`]: the `CONNECT` tunnel, the run's trust, recorded
/// in the [`AccessLog`]); every other request goes through `direct`. `last` holds the host
/// of the last request when it went to the proxy (no address is known then: the proxy
/// resolves the name), `None` when it went direct.
#[derive(Clone, Debug)]
pub struct ProxyOr {
    direct: SharedHttpClient,
    proxied: SdkHttp,
    vars: Arc<Vec<(String, String)>>,
    log: AccessLog,
    last: Arc<Mutex<Option<String>>>,
}

impl ProxyOr {
    pub fn new(
        direct: SharedHttpClient,
        proxied: SdkHttp,
        vars: Arc<Vec<(String, String)>>,
        log: AccessLog,
        last: Arc<Mutex<Option<String>>>,
    ) -> ProxyOr {
        ProxyOr {
            direct,
            proxied,
            vars,
            log,
            last,
        }
    }
}

impl HttpClient for ProxyOr {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(ProxyOrConnector {
            direct: self.direct.http_connector(settings, components),
            proxied: self.proxied.http_connector(settings, components),
            vars: Arc::clone(&self.vars),
            log: self.log.clone(),
            last: Arc::clone(&self.last),
        })
    }
}

#[derive(Debug)]
struct ProxyOrConnector {
    direct: SharedHttpConnector,
    proxied: SharedHttpConnector,
    vars: Arc<Vec<(String, String)>>,
    log: AccessLog,
    last: Arc<Mutex<Option<String>>>,
}

/// A direct connection: host, port, and the `NO_PROXY` variable and entry that exempted it.
type DirectTo = (String, u16, Option<(&'static str, String)>);

/// The host of `uri` when the proxy variables send it to a proxy (or name one that cannot be
/// parsed: the tunnel then fails saying so, as the judged applications would); else `Err`
/// with the direct connection's record (`None` for loopback and link-local hosts).
fn proxied_host(vars: &[(String, String)], uri: &str) -> Result<String, Option<DirectTo>> {
    let uri: Uri = uri.parse().map_err(|_| None)?;
    let scheme = uri.scheme_str().unwrap_or("https").to_ascii_lowercase();
    let host = uri
        .host()
        .ok_or(None)?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = uri
        .port_u16()
        .unwrap_or(if scheme == "http" { 80 } else { 443 });
    if proxy::never_proxied(&host) {
        return Err(None);
    }
    match proxy::decide_for(vars, &scheme, &host, port) {
        ProxyDecision::Proxied(_) | ProxyDecision::Invalid { .. } => Ok(host),
        ProxyDecision::NoProxy => Err(Some((host, port, None))),
        ProxyDecision::Bypassed {
            variable, entry, ..
        } => Err(Some((host, port, Some((variable, entry))))),
    }
}

impl HttpConnector for ProxyOrConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let decided = proxied_host(&self.vars[..], request.uri());
        let last = match decided {
            Ok(host) => Some(host),
            Err(direct) => {
                // A direct request is s3path's own connection too: recorded as the tunnel
                // records its direct ones.
                if let Some((host, port, bypass)) = direct {
                    let (variable, no_proxy_entry) = match bypass {
                        Some((v, e)) => (Some(v.to_string()), Some(e)),
                        None => (None, None),
                    };
                    self.log.record(AccessRoute {
                        client: AccessClient::Sdk,
                        host,
                        port,
                        via: AccessVia::Direct,
                        proxy: None,
                        variable,
                        no_proxy_entry,
                    });
                }
                None
            }
        };
        let through = last.is_some();
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = last;
        if through {
            self.proxied.call(request)
        } else {
            self.direct.call(request)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct MapEnv(HashMap<&'static str, String>);
    impl Env for MapEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).cloned()
        }
    }

    #[test]
    fn basic_auth_is_base64() {
        assert_eq!(
            basic("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic("a", ""), "Basic YTo=");
        assert_eq!(basic("ab", "c"), "Basic YWI6Yw==");
    }

    #[test]
    fn ca_bundle_precedence_is_the_aws_clis() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::write(
            &config,
            "[default]\nca_bundle = /etc/default.pem\n[profile corp]\nca_bundle = /etc/corp.pem\n",
        )
        .unwrap();
        let config = config.to_str().unwrap().to_string();
        let env = |vars: &[(&'static str, &str)]| {
            let mut m: HashMap<&'static str, String> =
                vars.iter().map(|(k, v)| (*k, v.to_string())).collect();
            m.insert("AWS_CONFIG_FILE", config.clone());
            MapEnv(m)
        };
        let pick = |e: &MapEnv| ca_bundle(e).map(|b| (b.source, b.path));
        // AWS_CA_BUNDLE wins over the profile and SSL_CERT_FILE.
        let e = env(&[
            ("AWS_CA_BUNDLE", "/env.pem"),
            ("SSL_CERT_FILE", "/ssl.pem"),
            ("AWS_PROFILE", "corp"),
        ]);
        assert_eq!(pick(&e), Some(("AWS_CA_BUNDLE".into(), "/env.pem".into())));
        // Then the active profile's ca_bundle.
        let e = env(&[("SSL_CERT_FILE", "/ssl.pem"), ("AWS_PROFILE", "corp")]);
        assert_eq!(
            pick(&e),
            Some(("ca_bundle of profile corp".into(), "/etc/corp.pem".into()))
        );
        let e = env(&[("AWS_CA_BUNDLE", "  ")]);
        assert_eq!(
            pick(&e),
            Some((
                "ca_bundle of profile default".into(),
                "/etc/default.pem".into()
            ))
        );
        // SSL_CERT_FILE stands for the system store when neither names a bundle.
        let e = MapEnv(HashMap::from([("SSL_CERT_FILE", "/ssl.pem".to_string())]));
        assert_eq!(pick(&e), Some(("SSL_CERT_FILE".into(), "/ssl.pem".into())));
        let e = MapEnv(HashMap::new());
        assert_eq!(pick(&e), None);
    }

    #[test]
    fn an_unreadable_bundle_falls_back_to_the_system_store_and_says_so() {
        let b = CaBundle {
            source: "AWS_CA_BUNDLE".into(),
            path: "/nonexistent/ca.pem".into(),
            error: None,
        };
        let (_, error) = roots(Some(&b));
        assert!(error
            .unwrap()
            .starts_with("AWS_CA_BUNDLE: /nonexistent/ca.pem"));
    }

    /// A proxy on the loopback would never be used for a loopback destination, so the tunnel
    /// is tested against a proxy that answers the CONNECT itself.
    #[tokio::test]
    async fn connect_tunnel_carries_proxy_authorization_and_reports_refusals() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let mut heads = Vec::new();
            for answer in [
                "HTTP/1.1 200 Connection established\r\n\r\n",
                "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n",
            ] {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = vec![0u8; 4096];
                let n = s.read(&mut buf).await.unwrap();
                heads.push(String::from_utf8_lossy(&buf[..n]).into_owned());
                s.write_all(answer.as_bytes()).await.unwrap();
                if answer.contains("200") {
                    s.write_all(b"tunnelled").await.unwrap();
                }
            }
            heads
        });
        let mut tcp = TcpStream::connect(addr).await.unwrap();
        let auth = basic("u", "p w");
        tunnel(&mut tcp, "ec2.eu-west-1.amazonaws.com:443", Some(&auth))
            .await
            .unwrap();
        let mut rest = String::new();
        tcp.read_to_string(&mut rest).await.unwrap();
        assert_eq!(
            rest, "tunnelled",
            "bytes after the head belong to the tunnel"
        );
        let mut tcp = TcpStream::connect(addr).await.unwrap();
        let e = tunnel(&mut tcp, "ec2.eu-west-1.amazonaws.com:443", None)
            .await
            .unwrap_err();
        assert!(e.contains("wants authentication"), "{e}");
        let heads = server.await.unwrap();
        assert!(heads[0].starts_with("CONNECT ec2.eu-west-1.amazonaws.com:443 HTTP/1.1\r\n"));
        assert!(
            heads[0].contains("Proxy-Authorization: Basic dTpwIHc=\r\n"),
            "{}",
            heads[0]
        );
        assert!(!heads[1].contains("Proxy-Authorization"));
    }

    #[test]
    fn only_hosts_the_variables_send_to_a_proxy_take_it() {
        let vars = vec![
            (
                "HTTPS_PROXY".to_string(),
                "http://10.0.1.60:3128".to_string(),
            ),
            ("NO_PROXY".to_string(), "internal.example".to_string()),
        ];
        let s3 = "https://app-data.s3.eu-west-1.amazonaws.com/?policy";
        assert_eq!(
            proxied_host(&vars, s3),
            Ok("app-data.s3.eu-west-1.amazonaws.com".to_string())
        );
        assert_eq!(
            proxied_host(&vars, "https://a.internal.example/"),
            Err(Some((
                "a.internal.example".to_string(),
                443,
                Some(("NO_PROXY", "internal.example".to_string()))
            )))
        );
        assert_eq!(
            proxied_host(&vars, "http://127.0.0.1:5000/app-data"),
            Err(None)
        );
        assert_eq!(proxied_host(&vars, "https://169.254.169.254/"), Err(None));
        assert_eq!(
            proxied_host(&[], s3),
            Err(Some((
                "app-data.s3.eu-west-1.amazonaws.com".to_string(),
                443,
                None
            )))
        );
        // Plain http goes through the http proxy variables only.
        assert!(proxied_host(&vars, "http://app-data.s3.amazonaws.com/").is_err());
        let bad = vec![("HTTPS_PROXY".to_string(), "http://[::1".to_string())];
        assert!(
            proxied_host(&bad, s3).is_ok(),
            "the tunnel says why it fails"
        );
    }

    #[tokio::test]
    async fn link_local_and_loopback_never_go_to_the_proxy_and_are_not_recorded() {
        use tower_service::Service;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let vars = Arc::new(vec![
            ("HTTP_PROXY".to_string(), "http://192.0.2.1:9".to_string()),
            ("HTTPS_PROXY".to_string(), "http://192.0.2.1:9".to_string()),
        ]);
        let log = AccessLog::default();
        let mut t = Tunnel::new(vars, AccessClient::Sdk, log.clone(), Duration::from_secs(1));
        let uri: Uri = format!("http://127.0.0.1:{port}/").parse().unwrap();
        t.call(uri).await.unwrap();
        assert!(log.routes().is_empty());
    }
}
