//! Identity from the EC2 instance metadata service (IMDSv2), through a small HTTP client of
//! its own: every answer is read up to 64 KiB (an IMDS value is a few bytes; a longer one is
//! an error, not a 500 MB instance id), every request is bounded by the phase's budget. The
//! endpoint comes from `AWS_EC2_METADATA_SERVICE_ENDPOINT` (or the IPv6 endpoint when
//! `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`); no profile or credentials file is read.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::Env;
use crate::facts::{Vantage, VantageKind};

pub const DEFAULT_ENDPOINT: &str = "http://169.254.169.254";
const IPV6_ENDPOINT: &str = "http://[fd00:ec2::254]";

/// What IMDS said about the instance, or why it could not.
pub enum Identity {
    Instance(Box<Vantage>),
    /// Nothing answered at the metadata address: not an EC2 instance (or IMDS is disabled).
    NotOnAws(String),
    /// The service answers plain requests but the IMDSv2 token PUT failed: typically the
    /// response hop limit is 1 and this runs in a container.
    TokenBlocked(String),
    Failed(String),
}

pub fn endpoint(env: &dyn Env) -> String {
    if let Some(e) = env
        .var("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .filter(|e| !e.is_empty())
    {
        return e;
    }
    match env.var("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") {
        Some(m) if m.eq_ignore_ascii_case("ipv6") => IPV6_ENDPOINT.to_string(),
        _ => DEFAULT_ENDPOINT.to_string(),
    }
}

/// Asks IMDS for the instance's identity and network facts. `budget` bounds the whole call.
pub async fn identity(endpoint: &str, budget: Duration) -> Identity {
    let scrub = |m: String| crate::redact::scrub(&m, endpoint);
    match identity_raw(endpoint, budget).await {
        Identity::Instance(v) => Identity::Instance(v),
        Identity::NotOnAws(m) => Identity::NotOnAws(scrub(m)),
        Identity::TokenBlocked(m) => Identity::TokenBlocked(scrub(m)),
        Identity::Failed(m) => Identity::Failed(scrub(m)),
    }
}

/// The most read of any metadata answer.
pub const MAX_BODY: u64 = 64 * 1024;

/// `host:port` to connect to and the `Host` header, from `http://host[:port][/…]`.
fn authority(endpoint: &str) -> Result<(String, String), String> {
    let rest = endpoint
        .strip_prefix("http://")
        .ok_or_else(|| "only http:// metadata endpoints are supported".to_string())?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || host.contains('@') {
        return Err("the endpoint has no usable host".to_string());
    }
    let addr = if host.contains("]:") || (!host.starts_with('[') && host.contains(':')) {
        host.to_string()
    } else {
        format!("{host}:80")
    };
    Ok((addr, host.to_string()))
}

#[derive(Debug)]
enum HttpError {
    /// No connection: nothing listens, or the address is unreachable.
    Connect(String),
    /// Connected, but no complete answer in time.
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

/// One HTTP/1.0 request; the status code and the body (at most [`MAX_BODY`] bytes).
async fn http(
    addr: &str,
    host: &str,
    method: &str,
    path: &str,
    header: Option<(&str, &str)>,
    connect: Duration,
    limit: Duration,
) -> Result<(u16, String), HttpError> {
    let started = tokio::time::Instant::now();
    let mut s = match tokio::time::timeout(connect, tokio::net::TcpStream::connect(addr)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return Err(HttpError::Connect(e.to_string())),
        Err(_) => {
            return Err(HttpError::Connect(format!(
                "no answer within {} ms",
                connect.as_millis()
            )))
        }
    };
    let exchange = async {
        let extra = header
            .map(|(k, v)| format!("{k}: {v}\r\n"))
            .unwrap_or_default();
        let length = if method == "PUT" {
            "Content-Length: 0\r\n"
        } else {
            ""
        };
        let req = format!(
            "{method} {path} HTTP/1.0\r\nHost: {host}\r\n{extra}{length}Connection: close\r\n\r\n"
        );
        s.write_all(req.as_bytes())
            .await
            .map_err(|e| HttpError::Bad(e.to_string()))?;
        let mut buf = Vec::new();
        (&mut s)
            .take(MAX_BODY + 4096)
            .read_to_end(&mut buf)
            .await
            .map_err(|e| HttpError::Bad(e.to_string()))?;
        let text = String::from_utf8_lossy(&buf).into_owned();
        let (head, body) = text
            .split_once("\r\n\r\n")
            .ok_or_else(|| HttpError::Bad("not an HTTP answer".to_string()))?;
        if body.len() as u64 > MAX_BODY {
            return Err(HttpError::Bad(format!(
                "an answer larger than {} KiB",
                MAX_BODY / 1024
            )));
        }
        let status = head
            .lines()
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| HttpError::Bad("not an HTTP answer".to_string()))?;
        Ok((status, body.to_string()))
    };
    let left = limit.saturating_sub(started.elapsed());
    tokio::time::timeout(left, exchange)
        .await
        .unwrap_or(Err(HttpError::TimedOut))
}

async fn identity_raw(endpoint: &str, budget: Duration) -> Identity {
    // The whole phase fits the budget: half for the token and the first GET, a quarter for
    // each of the two probes that tell a missing service from a blocked token PUT. The connect
    // timeout is shorter than the first half, so "nothing there" is a connect error (off AWS),
    // not our own timeout (a slow service).
    let first_limit = budget / 2;
    let connect = (first_limit.mul_f32(0.8)).min(Duration::from_secs(1));
    let wait = (budget / 4).min(Duration::from_secs(1));
    let (addr, host) = match authority(endpoint) {
        Ok(a) => a,
        Err(e) => return Identity::Failed(format!("metadata endpoint {endpoint}: {e}")),
    };
    let started = tokio::time::Instant::now();
    let token = http(
        &addr,
        &host,
        "PUT",
        "/latest/api/token",
        Some(("X-aws-ec2-metadata-token-ttl-seconds", "60")),
        connect,
        first_limit,
    )
    .await;
    let token = match token {
        Ok((200, t)) if !t.trim().is_empty() && t.len() < 1024 => t.trim().to_string(),
        Ok((status, _)) => {
            return classify_failure(
                endpoint,
                &format!("the token request got HTTP {status}"),
                true,
                wait,
            )
            .await
        }
        Err(HttpError::Connect(e)) => {
            return classify_failure(endpoint, &format!("token request: {e}"), true, wait).await
        }
        Err(HttpError::TimedOut) => {
            // Something accepted the connection but did not answer in time: a slow or
            // blocked service, never "not on AWS".
            return match classify_failure(endpoint, "timed out", true, wait).await {
                Identity::NotOnAws(_) => Identity::Failed(format!(
                    "the metadata service at {endpoint} accepted the connection but did not answer within {} ms",
                    first_limit.as_millis()
                )),
                other => other,
            };
        }
        Err(e @ HttpError::Bad(_)) => {
            return Identity::Failed(format!("instance metadata at {endpoint}: token: {e}"))
        }
    };
    let limit = budget.saturating_sub(started.elapsed()).max(wait);
    // At most four requests in flight: the service is rate limited per ENI, and a small
    // listen backlog (a container's metadata proxy, a test stub) drops the surplus SYNs.
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(4));
    let get = |path: String| {
        let (addr, host, token, gate) = (addr.clone(), host.clone(), token.clone(), gate.clone());
        async move {
            let _permit = gate.acquire().await;
            match http(
                &addr,
                &host,
                "GET",
                &format!("/latest/meta-data/{path}"),
                Some(("X-aws-ec2-metadata-token", &token)),
                connect,
                limit,
            )
            .await
            {
                Ok((200, body)) => Ok(body.trim().to_string()),
                Ok((status, _)) => Err(format!("{path}: HTTP {status}")),
                Err(e) => Err(format!("{path}: {e}")),
            }
        }
    };
    let instance_id = match get("instance-id".to_string()).await {
        Ok(id) if !id.is_empty() && id.len() <= 64 => id,
        Ok(id) => {
            return Identity::Failed(format!(
                "instance metadata at {endpoint}: the instance id is {} bytes, not an instance id",
                id.len()
            ))
        }
        Err(e) => return Identity::Failed(format!("instance metadata at {endpoint}: {e}")),
    };
    let document = async {
        let _permit = gate.acquire().await;
        http(
            &addr,
            &host,
            "GET",
            "/latest/dynamic/instance-identity/document",
            Some(("X-aws-ec2-metadata-token", &token)),
            connect,
            limit,
        )
        .await
        .ok()
        .filter(|(status, _)| *status == 200)
        .and_then(|(_, d)| serde_json::from_str::<serde_json::Value>(&d).ok())
        .and_then(|d| d["accountId"].as_str().map(str::to_string))
    };
    let (region, az, mac, account_id) = tokio::join!(
        get("placement/region".into()),
        get("placement/availability-zone".into()),
        get("mac".into()),
        document
    );
    let mut v = Vantage {
        instance_id: Some(instance_id),
        region: region.ok(),
        availability_zone: az.ok(),
        account_id,
        ..Vantage::new(VantageKind::Ec2Instance)
    };
    let Ok(mac) = mac else {
        return Identity::Instance(Box::new(v));
    };
    let base = format!("network/interfaces/macs/{mac}");
    let (vpc, subnet, v4, v6, sgs, local, public, ipv6s) = tokio::join!(
        get(format!("{base}/vpc-id")),
        get(format!("{base}/subnet-id")),
        get(format!("{base}/vpc-ipv4-cidr-blocks")),
        get(format!("{base}/vpc-ipv6-cidr-blocks")),
        get(format!("{base}/security-group-ids")),
        get(format!("{base}/local-ipv4s")),
        get(format!("{base}/public-ipv4s")),
        get(format!("{base}/ipv6s")),
    );
    v.vpc_id = vpc.ok();
    v.subnet_id = subnet.ok();
    v.vpc_ipv4_cidr_blocks = lines::<IpNet>(v4.ok());
    v.vpc_ipv6_cidr_blocks = lines::<IpNet>(v6.ok());
    v.security_group_ids = sgs
        .map(|s| {
            s.lines()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect()
        })
        .unwrap_or_default();
    v.local_ipv4s = lines::<IpAddr>(local.ok());
    v.public_ipv4s = lines::<IpAddr>(public.ok());
    v.ipv6s = lines::<IpAddr>(ipv6s.ok());
    Identity::Instance(Box::new(v))
}

fn lines<T: std::str::FromStr>(text: Option<String>) -> Vec<T> {
    text.map(|t| t.lines().filter_map(|l| l.trim().parse().ok()).collect())
        .unwrap_or_default()
}

/// Tells "nothing there" from "there, but the token PUT fails": a plain GET that gets any
/// HTTP answer (200, or 401 when IMDSv2 is required) proves the service is reachable; a token
/// PUT that then gets no answer is the container hop-limit symptom.
async fn classify_failure(endpoint: &str, error: &str, token: bool, wait: Duration) -> Identity {
    let authority = endpoint
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or("")
        .to_string();
    let addr =
        if authority.contains("]:") || (!authority.starts_with('[') && authority.contains(':')) {
            authority.clone()
        } else {
            format!("{authority}:80")
        };
    let get = format!("GET /latest/meta-data/ HTTP/1.0\r\nHost: {authority}\r\n\r\n");
    let put = format!(
        "PUT /latest/api/token HTTP/1.0\r\nHost: {authority}\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nContent-Length: 0\r\n\r\n"
    );
    let Some(status) = raw_request(&addr, &get, wait).await else {
        return Identity::NotOnAws(format!(
            "no instance metadata service answered at {endpoint} ({error})"
        ));
    };
    match raw_request(&addr, &put, wait).await {
        None => Identity::TokenBlocked(format!(
            "the metadata service at {endpoint} answers plain requests ({status}) but the IMDSv2 token request got no answer within {} ms: {error}",
            wait.as_millis()
        )),
        Some(put_status) if token => Identity::TokenBlocked(format!(
            "the metadata service at {endpoint} answers plain requests ({status}) but the IMDSv2 token request failed ({put_status}): {error}"
        )),
        Some(_) => Identity::Failed(format!("instance metadata at {endpoint}: {error}")),
    }
}

/// Sends one raw HTTP/1.0 request and returns the status line, if one arrives within `wait`.
async fn raw_request(addr: &str, request: &str, wait: Duration) -> Option<String> {
    let exchange = async {
        let mut s = tokio::net::TcpStream::connect(addr).await.ok()?;
        s.write_all(request.as_bytes()).await.ok()?;
        let mut buf = [0u8; 128];
        let n = s.read(&mut buf).await.ok()?;
        let head = String::from_utf8_lossy(&buf[..n]).to_string();
        head.starts_with("HTTP/")
            .then(|| head.lines().next().unwrap_or("").trim().to_string())
    };
    tokio::time::timeout(wait, exchange).await.ok().flatten()
}
