//! Identity from the EC2 instance metadata service (IMDSv2) through aws-config's IMDS client.
//! The endpoint comes from `AWS_EC2_METADATA_SERVICE_ENDPOINT` (or the IPv6 endpoint when
//! `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`) and is passed explicitly, so no profile or
//! credentials file is ever read.

use std::net::IpAddr;
use std::time::Duration;

use aws_config::imds::Client;
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

async fn identity_raw(endpoint: &str, budget: Duration) -> Identity {
    // The whole phase fits the budget: half for the token and the first GET, a quarter for
    // each of the two probes that tell a missing service from a blocked token PUT. The connect
    // timeout is shorter than the first half, so "nothing there" is a connect error (off AWS),
    // not our own timeout (a slow service).
    let first_limit = budget / 2;
    let connect = (first_limit.mul_f32(0.8)).min(Duration::from_secs(1));
    let wait = (budget / 4).min(Duration::from_secs(1));
    let client = match Client::builder().endpoint(endpoint).map(|b| {
        b.max_attempts(1)
            .connect_timeout(connect)
            .read_timeout(first_limit)
            .operation_timeout(first_limit)
            .operation_attempt_timeout(first_limit)
            .build()
    }) {
        Ok(c) => c,
        Err(e) => return Identity::Failed(format!("metadata endpoint {endpoint}: {e}")),
    };
    let get = |path: String| {
        let client = client.clone();
        async move {
            client
                .get(format!("/latest/meta-data/{path}"))
                .await
                .map(|s| s.as_ref().trim().to_string())
        }
    };
    let first = tokio::time::timeout(first_limit, get("instance-id".to_string())).await;
    let instance_id = match first {
        Ok(Ok(id)) => id,
        Ok(Err(e)) => {
            let token = matches!(
                e,
                aws_config::imds::client::error::ImdsError::FailedToLoadToken(_)
            );
            return classify_failure(endpoint, &error_chain(&e), token, wait).await;
        }
        Err(_) => {
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
    };
    let document = async {
        client
            .get("/latest/dynamic/instance-identity/document")
            .await
            .ok()
            .and_then(|d| serde_json::from_str::<serde_json::Value>(d.as_ref()).ok())
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

/// The error and its sources, joined: the SDK's top-level messages alone say little.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !parts.contains(&t) {
            parts.push(t);
        }
        src = s.source();
    }
    parts.join(": ")
}
