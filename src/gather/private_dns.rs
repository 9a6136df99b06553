//! The DNS side of hub-and-spoke: the Route 53 private hosted zones associated with the vantage's
//! VPC (`ListHostedZonesByVPC`, then each S3 zone's records, `ListResourceRecordSets`) and the
//! Route 53 Resolver rules associated with it (`ListResolverRuleAssociations` filtered by the
//! VPC, `ListResolverRules`), kept only when they cover an S3 name. Route 53 is REST-XML and
//! Resolver JSON: read with the official SDK clients, built from the run's configuration
//! ([`AwsContext::sdk_client_config`]) so credentials and endpoints are the run's.

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_route53::error::ProvideErrorMetadata;
use aws_sdk_route53::types::VpcRegion;
use aws_smithy_runtime_api::client::result::SdkError;

use super::context::AwsContext;
use crate::facts::{
    dns_within, limits, DnsRecord, Failure, HostedZone, Observed, PrivateDns, ResolverRule,
};

/// The IAM actions this module calls (docs/iam-policy.json and docs/iam-policy-hub.json hold
/// them; tests/registry.rs checks it).
pub const ACTIONS: &[&str] = &[
    "route53:ListHostedZonesByVPC",
    "route53:ListResourceRecordSets",
    "route53resolver:ListResolverRuleAssociations",
    "route53resolver:ListResolverRules",
];

/// The S3 names of `region` a zone or rule can cover: the regional name and the legacy global
/// one (every bucket and access point name is a subdomain of one of them).
fn s3_names(region: &str) -> [String; 2] {
    [
        format!("s3.{region}.amazonaws.com"),
        "s3.amazonaws.com".to_string(),
    ]
}

/// Whether a zone or rule for `domain` can answer for an S3 name of `region`: the domain is a
/// parent of an S3 name (`amazonaws.com`) or inside one (`bucket.s3.eu-west-1.amazonaws.com`).
pub fn covers_s3(domain: &str, region: &str) -> bool {
    s3_names(region)
        .iter()
        .any(|n| dns_within(n, domain) || dns_within(domain, n))
}

/// Reads the zones and rules of `vpc_id` within `budget`.
///
/// A zone's records are read with `far` (`--hub-role-arn`) when the run's credentials cannot
/// read them (a zone the hub account owns and shares with the spoke).
pub async fn gather(
    context: &AwsContext,
    far: Option<&AwsContext>,
    region: &str,
    vpc_id: &str,
    budget: Duration,
) -> Observed<PrivateDns> {
    let config = context.sdk_client_config(budget).await;
    let r53 = aws_sdk_route53::Client::new(&config);
    let far_r53 = match far {
        Some(f) => Some(aws_sdk_route53::Client::new(
            &f.sdk_client_config(budget).await,
        )),
        None => None,
    };
    let resolver = aws_sdk_route53resolver::Client::new(&config);
    let work = async {
        let (hosted_zones, resolver_rules) = tokio::join!(
            zones(&r53, far_r53.as_ref(), region, vpc_id),
            rules(&resolver, region, vpc_id)
        );
        PrivateDns {
            hosted_zones,
            resolver_rules,
        }
    };
    match tokio::time::timeout(budget, work).await {
        Ok(d) => Observed::collected(d),
        Err(_) => super::deadline::no_answer(
            "the private hosted zones and Resolver rules",
            "route53:ListHostedZonesByVPC",
            budget.as_millis() as u64,
        ),
    }
}

/// One SDK error as a failed part: the action, the service's error code and message (no
/// request details), classified.
fn fail<T, E, R>(action: &str, e: &SdkError<E, R>) -> Observed<T>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let (text, cause) = match e {
        SdkError::TimeoutError(_) => (
            "no answer in time".to_string(),
            Failure::TimedOut {
                action: Some(action.to_string()),
                after_ms: None,
            },
        ),
        SdkError::DispatchFailure(_) => (
            "the API endpoint could not be reached".to_string(),
            Failure::Unreachable {
                action: Some(action.to_string()),
            },
        ),
        SdkError::ServiceError(s) => {
            let err = s.err();
            let code = err.code().unwrap_or("error").to_string();
            let message = err.message().unwrap_or_default();
            let cause = if code.contains("AccessDenied") || code == "UnauthorizedOperation" {
                Failure::Denied {
                    action: action.to_string(),
                }
            } else {
                Failure::Other
            };
            (format!("{code}: {message}"), cause)
        }
        other => (other.to_string(), Failure::Other),
    };
    let text: String = text.chars().take(300).collect();
    Observed::failed_with(format!("{action}: {}", text.trim()), cause)
}

/// Route 53 writes `*` in record names as `\052` (and other bytes as octal escapes).
fn unescape(name: &str) -> String {
    name.replace("\\052", "*").trim_end_matches('.').to_string()
}

async fn zones(
    c: &aws_sdk_route53::Client,
    far: Option<&aws_sdk_route53::Client>,
    region: &str,
    vpc_id: &str,
) -> Observed<Vec<HostedZone>> {
    let mut found: Vec<(String, String, Option<String>)> = Vec::new();
    let mut token: Option<String> = None;
    // Pages are bounded: a VPC is associated with at most a few hundred zones.
    for _ in 0..64 {
        let got = c
            .list_hosted_zones_by_vpc()
            .vpc_id(vpc_id)
            .vpc_region(VpcRegion::from(region))
            .set_next_token(token.clone())
            .send()
            .await;
        let out = match got {
            Ok(o) => o,
            Err(e) => return fail("route53:ListHostedZonesByVPC", &e),
        };
        for z in out.hosted_zone_summaries() {
            let name = unescape(z.name());
            if covers_s3(&name, region) && found.len() < limits::ZONES {
                let owner = z
                    .owner()
                    .and_then(|o| o.owning_account().or(o.owning_service()))
                    .map(str::to_string);
                found.push((z.hosted_zone_id().to_string(), name, owner));
            }
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let read = futures_util::future::join_all(found.into_iter().map(|(id, name, owner)| async {
        let (mut read, mut truncated) = records(c, &id, region).await;
        if let (Some(f), None) = (far, read.get()) {
            (read, truncated) = records(f, &id, region).await;
        }
        let records = read;
        HostedZone {
            id,
            name,
            owner,
            records,
            truncated,
        }
    }))
    .await;
    Observed::collected(read)
}

/// The records of zone `id` that can answer for an S3 name, and whether more records exist
/// than were read.
async fn records(
    c: &aws_sdk_route53::Client,
    id: &str,
    region: &str,
) -> (Observed<Vec<DnsRecord>>, bool) {
    let mut out = Vec::new();
    let mut seen = 0usize;
    let mut next: Option<(String, aws_sdk_route53::types::RrType, Option<String>)> = None;
    loop {
        let mut req = c.list_resource_record_sets().hosted_zone_id(id);
        if let Some((name, kind, ident)) = next.take() {
            req = req
                .start_record_name(name)
                .start_record_type(kind)
                .set_start_record_identifier(ident);
        }
        let page = match req.send().await {
            Ok(p) => p,
            Err(e) => return (fail("route53:ListResourceRecordSets", &e), false),
        };
        for r in page.resource_record_sets() {
            seen += 1;
            let name = unescape(r.name());
            // A wildcard covers its parent's subdomains.
            let base = name.strip_prefix("*.").unwrap_or(&name);
            if !covers_s3(base, region) {
                continue;
            }
            let kind = r.r#type().as_str().to_string();
            if !matches!(kind.as_str(), "A" | "AAAA" | "CNAME") {
                continue;
            }
            out.push(DnsRecord {
                name,
                record_type: kind,
                values: r
                    .resource_records()
                    .iter()
                    .take(limits::RECORD_VALUES)
                    .map(|v| v.value().to_string())
                    .collect(),
                alias_target: r.alias_target().map(|a| unescape(a.dns_name())),
            });
        }
        let more = page.is_truncated();
        if !more {
            return (Observed::collected(out), false);
        }
        if seen >= limits::ZONE_RECORDS || out.len() >= limits::ZONE_RECORDS {
            out.truncate(limits::ZONE_RECORDS);
            return (Observed::collected(out), true);
        }
        match (page.next_record_name(), page.next_record_type()) {
            (Some(n), Some(t)) => {
                next = Some((
                    n.to_string(),
                    t.clone(),
                    page.next_record_identifier().map(str::to_string),
                ))
            }
            _ => return (Observed::collected(out), true),
        }
    }
}

async fn rules(
    c: &aws_sdk_route53resolver::Client,
    region: &str,
    vpc_id: &str,
) -> Observed<Vec<ResolverRule>> {
    use aws_sdk_route53resolver::types::Filter;
    let mut associated = BTreeSet::new();
    let mut token: Option<String> = None;
    for _ in 0..64 {
        let got = c
            .list_resolver_rule_associations()
            .filters(Filter::builder().name("VPCId").values(vpc_id).build())
            .set_next_token(token.clone())
            .send()
            .await;
        let out = match got {
            Ok(o) => o,
            Err(e) => return fail("route53resolver:ListResolverRuleAssociations", &e),
        };
        for a in out.resolver_rule_associations() {
            let status = a.status().map(|s| s.as_str()).unwrap_or("COMPLETE");
            if a.vpc_id() == Some(vpc_id) && !matches!(status, "DELETING" | "FAILED") {
                if let Some(id) = a.resolver_rule_id() {
                    associated.insert(id.to_string());
                }
            }
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    if associated.is_empty() {
        return Observed::collected(Vec::new());
    }
    let mut found = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..64 {
        let got = c
            .list_resolver_rules()
            .set_next_token(token.clone())
            .send()
            .await;
        let out = match got {
            Ok(o) => o,
            Err(e) => return fail("route53resolver:ListResolverRules", &e),
        };
        for r in out.resolver_rules() {
            let (Some(id), Some(domain)) = (r.id(), r.domain_name()) else {
                continue;
            };
            let domain = unescape(domain);
            if !associated.contains(id)
                || !covers_s3(&domain, region)
                || found.len() >= limits::RESOLVER_RULES
            {
                continue;
            }
            found.push(ResolverRule {
                id: id.to_string(),
                name: r.name().map(str::to_string),
                domain_name: domain,
                rule_type: r
                    .rule_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                target_ips: r
                    .target_ips()
                    .iter()
                    .take(limits::RECORD_VALUES)
                    .filter_map(|t| {
                        let ip = t.ip().or(t.ipv6())?;
                        Some(match t.port() {
                            Some(p) => format!("{ip}:{p}"),
                            None => ip.to_string(),
                        })
                    })
                    .collect(),
            });
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Observed::collected(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_coverage_is_parents_and_subdomains_of_the_s3_names() {
        for d in [
            "amazonaws.com",
            "s3.eu-west-1.amazonaws.com.",
            "bucket.s3.eu-west-1.amazonaws.com",
            "s3.amazonaws.com",
            "eu-west-1.amazonaws.com",
        ] {
            assert!(covers_s3(d, "eu-west-1"), "{d}");
        }
        for d in [
            "s3.eu-west-2.amazonaws.com",
            "corp.example",
            "ec2.eu-west-1.amazonaws.com",
            "xs3.eu-west-1.amazonaws.com",
        ] {
            assert!(!covers_s3(d, "eu-west-1"), "{d}");
        }
    }

    #[test]
    fn wildcards_are_unescaped() {
        assert_eq!(
            unescape("\\052.s3.eu-west-1.amazonaws.com."),
            "*.s3.eu-west-1.amazonaws.com"
        );
    }
}
