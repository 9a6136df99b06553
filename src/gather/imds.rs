//! Identity from the EC2 instance metadata service (IMDSv2), through the metadata HTTP client
//! (`metadata_http`: hyper over plain HTTP, never a proxy): every answer is read up to 64 KiB
//! (an IMDS value is a few bytes; a longer one is an error, not a 500 MB instance id), every
//! request is bounded by the phase's budget. The
//! endpoint comes from `AWS_EC2_METADATA_SERVICE_ENDPOINT` (or the IPv6 endpoint when
//! `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`); no profile or credentials file is read.

use std::net::IpAddr;
use std::time::Duration;

use http::Method;
use ipnet::IpNet;

use super::metadata_http::{HttpError, MetadataHttp};
use super::options::Env;
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
pub const MAX_BODY: u64 = super::metadata_http::MAX_BODY as u64;

/// `host[:port]` from `http://host[:port][/…]` ([`crate::url`]; no user info: a URL with a
/// password is refused, never sent). The scheme must be written `http` (the metadata client
/// takes no other).
fn authority(endpoint: &str) -> Result<String, String> {
    if crate::url::split(endpoint).scheme != Some("http") {
        return Err("only http:// metadata endpoints are supported".to_string());
    }
    match crate::url::parse(endpoint) {
        Ok(p) if !p.has_userinfo => Ok(p.authority()),
        _ => Err("the endpoint has no usable host".to_string()),
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
    let host = match authority(endpoint) {
        Ok(host) => host,
        Err(e) => return Identity::Failed(format!("metadata endpoint {endpoint}: {e}")),
    };
    let base = format!("http://{host}");
    let client = MetadataHttp::new(connect);
    let started = tokio::time::Instant::now();
    let token = client
        .send(
            Method::PUT,
            &format!("{base}/latest/api/token"),
            Some(("X-aws-ec2-metadata-token-ttl-seconds", "60")),
            first_limit,
        )
        .await
        .map(|a| (a.status, a.body));
    let token = match token {
        Ok((200, t)) if !t.trim().is_empty() && t.len() < 1024 => t.trim().to_string(),
        Ok((status, _)) => {
            return classify_failure(
                endpoint,
                &base,
                &client,
                &format!("the token request got HTTP {status}"),
                true,
                wait,
            )
            .await
        }
        Err(HttpError::Connect(e)) => {
            return classify_failure(
                endpoint,
                &base,
                &client,
                &format!("token request: {e}"),
                true,
                wait,
            )
            .await
        }
        Err(HttpError::TimedOut) => {
            // Something accepted the connection but did not answer in time: a slow or
            // blocked service, never "not on AWS".
            return match classify_failure(endpoint, &base, &client, "timed out", true, wait).await {
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
        let (client, base, token, gate) = (&client, &base, token.clone(), gate.clone());
        async move {
            let _permit = gate.acquire().await;
            match client
                .send(
                    Method::GET,
                    &format!("{base}/latest/meta-data/{path}"),
                    Some(("X-aws-ec2-metadata-token", &token)),
                    limit,
                )
                .await
            {
                Ok(a) if a.status == 200 => Ok(a.body.trim().to_string()),
                Ok(a) => Err(format!("{path}: HTTP {}", a.status)),
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
        client
            .send(
                Method::GET,
                &format!("{base}/latest/dynamic/instance-identity/document"),
                Some(("X-aws-ec2-metadata-token", &token)),
                limit,
            )
            .await
            .ok()
            .filter(|a| a.status == 200)
            .and_then(|a| serde_json::from_str::<serde_json::Value>(&a.body).ok())
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
    let nic = format!("network/interfaces/macs/{mac}");
    let (vpc, subnet, v4, v6, sgs, local, public, ipv6s) = tokio::join!(
        get(format!("{nic}/vpc-id")),
        get(format!("{nic}/subnet-id")),
        get(format!("{nic}/vpc-ipv4-cidr-blocks")),
        get(format!("{nic}/vpc-ipv6-cidr-blocks")),
        get(format!("{nic}/security-group-ids")),
        get(format!("{nic}/local-ipv4s")),
        get(format!("{nic}/public-ipv4s")),
        get(format!("{nic}/ipv6s")),
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
async fn classify_failure(
    endpoint: &str,
    base: &str,
    client: &MetadataHttp,
    error: &str,
    token: bool,
    wait: Duration,
) -> Identity {
    let Some(status) = client
        .status_line(
            Method::GET,
            &format!("{base}/latest/meta-data/"),
            None,
            wait,
        )
        .await
    else {
        return Identity::NotOnAws(format!(
            "no instance metadata service answered at {endpoint} ({error})"
        ));
    };
    let put = client
        .status_line(
            Method::PUT,
            &format!("{base}/latest/api/token"),
            Some(("X-aws-ec2-metadata-token-ttl-seconds", "60")),
            wait,
        )
        .await;
    match put {
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
