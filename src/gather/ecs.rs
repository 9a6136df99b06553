//! Identity of an ECS task (Fargate or EC2 launch type with awsvpc networking) from the task
//! metadata endpoint v4 (`ECS_CONTAINER_METADATA_URI_V4`), through the metadata HTTP client
//! (hyper over plain HTTP, never a proxy, answers capped at 64 KiB). Tasks on Fargate have no
//! IMDS.

use std::net::IpAddr;
use std::time::Duration;

use http::Method;
use ipnet::IpNet;
use serde_json::Value;

use super::metadata_http::{HttpError, MetadataHttp};

use crate::facts::{Vantage, VantageKind};

/// Fetches `{uri}/task` and turns it into a vantage.
pub async fn identity(uri: &str, limit: Duration) -> Result<Vantage, String> {
    identity_raw(uri, limit)
        .await
        .map_err(|e| crate::redact::scrub(&e, uri))
}

async fn identity_raw(uri: &str, limit: Duration) -> Result<Vantage, String> {
    let url = format!("{}/task", uri.trim_end_matches('/'));
    let body = http_get(&url, limit).await?;
    let task: Value = serde_json::from_str(&body).map_err(|e| format!("{url}: not JSON: {e}"))?;
    parse_task(&task).ok_or_else(|| format!("{url}: no awsvpc network in the task metadata"))
}

/// Reads the fields s3path needs from a task metadata v4 document.
pub fn parse_task(task: &Value) -> Option<Vantage> {
    let arn = task["TaskARN"].as_str().map(str::to_string);
    let az = task["AvailabilityZone"].as_str().map(str::to_string);
    // arn:aws:ecs:REGION:ACCOUNT:task/...
    let region = arn
        .as_deref()
        .and_then(|a| a.split(':').nth(3))
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .or_else(|| {
            az.as_deref().map(|z| {
                z.trim_end_matches(|c: char| c.is_ascii_lowercase())
                    .to_string()
            })
        });
    let network = task["Containers"]
        .as_array()?
        .iter()
        .filter_map(|c| c["Networks"].as_array())
        .flatten()
        .find(|n| n["NetworkMode"].as_str() == Some("awsvpc"))?;
    let ips = |key: &str| -> Vec<IpAddr> {
        network[key]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()?.parse().ok()).collect())
            .unwrap_or_default()
    };
    let subnet_cidr = |key: &str| network[key].as_str().and_then(|c| c.parse::<IpNet>().ok());
    let account_id = arn
        .as_deref()
        .and_then(|a| a.split(':').nth(4))
        .filter(|a| !a.is_empty())
        .map(str::to_string);
    Some(Vantage {
        account_id,
        task_arn: arn,
        region,
        availability_zone: az,
        // The VPC's blocks are not in the task metadata; the subnet's CIDR is the part of the
        // VPC known without the EC2 API.
        vpc_ipv4_cidr_blocks: subnet_cidr("IPv4SubnetCIDRBlock").into_iter().collect(),
        vpc_ipv6_cidr_blocks: subnet_cidr("IPv6SubnetCIDRBlock").into_iter().collect(),
        local_ipv4s: ips("IPv4Addresses"),
        ipv6s: ips("IPv6Addresses"),
        ..Vantage::new(VantageKind::EcsTask)
    })
}

/// The most read of a metadata answer (the task metadata is a few KiB).
pub const MAX_BODY: u64 = super::metadata_http::MAX_BODY as u64;

/// A GET through the metadata HTTP client (the task metadata endpoint is link-local HTTP:
/// never through a proxy), within `limit`; the body of a 200 answer.
async fn http_get(url: &str, limit: Duration) -> Result<String, String> {
    if crate::url::split(url).scheme != Some("http") {
        return Err(format!("{url}: only http:// is supported"));
    }
    let client = MetadataHttp::new(limit);
    match client.send(Method::GET, url, None, limit).await {
        Ok(a) if a.status == 200 => Ok(a.body),
        Ok(a) => Err(format!("{url}: {}", a.status_line)),
        Err(HttpError::TimedOut) => {
            Err(format!("{url}: no answer within {} ms", limit.as_millis()))
        }
        Err(HttpError::Bad(e)) if e.starts_with("an answer larger") => Err(format!(
            "{url}: the answer is larger than {} KiB",
            MAX_BODY / 1024
        )),
        Err(HttpError::Connect(e) | HttpError::Bad(e)) => Err(format!("{url}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fargate_task_metadata() {
        let task: Value = serde_json::from_str(
            r#"{"Cluster":"arn:aws:ecs:eu-west-1:111122223333:cluster/lab",
                "TaskARN":"arn:aws:ecs:eu-west-1:111122223333:task/lab/0123456789abcdef",
                "AvailabilityZone":"eu-west-1b",
                "Containers":[{"Name":"app","Networks":[{"NetworkMode":"awsvpc","IPv4Addresses":["10.0.2.106"],
                  "MACAddress":"0e:9e:32:c7:48:85","IPv4SubnetCIDRBlock":"10.0.2.0/24","SubnetGatewayIpv4Address":"10.0.2.1/24"}]}]}"#,
        )
        .unwrap();
        let v = parse_task(&task).unwrap();
        assert_eq!(v.kind, VantageKind::EcsTask);
        assert_eq!(v.region.as_deref(), Some("eu-west-1"));
        assert_eq!(v.availability_zone.as_deref(), Some("eu-west-1b"));
        assert_eq!(v.local_ipv4s, ["10.0.2.106".parse::<IpAddr>().unwrap()]);
        assert_eq!(
            v.vpc_ipv4_cidr_blocks,
            ["10.0.2.0/24".parse::<IpNet>().unwrap()]
        );
        let bridge: Value =
            serde_json::json!({"Containers":[{"Networks":[{"NetworkMode":"bridge"}]}]});
        assert!(parse_task(&bridge).is_none());
    }
}
