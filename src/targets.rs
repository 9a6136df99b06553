//! Which host names to judge: a pure function of the region, the buckets and the endpoints.
//!
//! The gatherer resolves exactly these names, and the engine judges them, so both sides
//! agree on the list without storing it twice.

use serde::Serialize;

use crate::facts::{EndpointType, VpcEndpoint};
use crate::validate::{has_global_endpoint, partition_dns_suffix};

/// What kind of name a target is; decides which disagreements matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetClass {
    /// `s3.<region>.<suffix>`
    Regional,
    /// `<bucket>.s3.<region>.<suffix>`
    BucketRegional,
    /// `s3.dualstack.<region>.<suffix>` (IPv4 and IPv6)
    Dualstack,
    /// legacy global `s3.amazonaws.com` (served from us-east-1)
    Global,
    /// `<bucket>.s3.amazonaws.com`
    BucketGlobal,
    /// `bucket.`/`accesspoint.`/`control.` names of an interface endpoint
    EndpointSpecific,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    pub host: String,
    pub class: TargetClass,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
}

impl Target {
    fn new(host: String, class: TargetClass) -> Self {
        Target {
            host,
            class,
            bucket: None,
            endpoint_id: None,
        }
    }
}

/// The targets for `region` and `buckets`, primary first: the first bucket's regional
/// virtual-hosted name when a bucket is given, else `s3.<region>.<suffix>`.
pub fn plan(region: &str, buckets: &[String], endpoints: &[VpcEndpoint]) -> Vec<Target> {
    let suffix = partition_dns_suffix(region);
    let mut out = Vec::new();
    let bucket_regional = |b: &String| Target {
        bucket: Some(b.clone()),
        ..Target::new(
            format!("{b}.s3.{region}.{suffix}"),
            TargetClass::BucketRegional,
        )
    };
    out.extend(buckets.iter().map(bucket_regional));
    out.push(Target::new(
        format!("s3.{region}.{suffix}"),
        TargetClass::Regional,
    ));
    out.push(Target::new(
        format!("s3.dualstack.{region}.{suffix}"),
        TargetClass::Dualstack,
    ));
    if has_global_endpoint(region) {
        out.push(Target::new(
            "s3.amazonaws.com".to_string(),
            TargetClass::Global,
        ));
        for b in buckets {
            out.push(Target {
                bucket: Some(b.clone()),
                ..Target::new(format!("{b}.s3.amazonaws.com"), TargetClass::BucketGlobal)
            });
        }
    }
    for ep in endpoints {
        if ep.endpoint_type != EndpointType::Interface || !ep.is_s3_service(region) {
            continue;
        }
        if let Some(name) = ep.regional_dns_name() {
            for label in ["bucket", "accesspoint", "control"] {
                out.push(Target {
                    endpoint_id: Some(ep.id.clone()),
                    ..Target::new(format!("{label}.{name}"), TargetClass::EndpointSpecific)
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::DnsEntry;

    fn endpoint(entries: &[&str]) -> VpcEndpoint {
        VpcEndpoint {
            id: "vpce-0a1b2c3d".into(),
            endpoint_type: EndpointType::Interface,
            service_name: Some("com.amazonaws.eu-west-1.s3".into()),
            state: "available".into(),
            route_table_ids: vec![],
            subnet_ids: vec![],
            network_interfaces: vec![],
            dns_entries: entries
                .iter()
                .map(|d| DnsEntry {
                    dns_name: d.to_string(),
                    hosted_zone_id: None,
                })
                .collect(),
            private_dns_enabled: false,
            private_dns_only_for_inbound_resolver_endpoint: None,
            security_group_ids: vec![],
            policy_document: None,
            resource_configuration_arn: None,
        }
    }

    #[test]
    fn primary_is_the_bucket_regional_name() {
        let t = plan("eu-west-1", &["logs".into(), "data".into()], &[]);
        let hosts: Vec<&str> = t.iter().map(|t| t.host.as_str()).collect();
        assert_eq!(
            hosts,
            [
                "logs.s3.eu-west-1.amazonaws.com",
                "data.s3.eu-west-1.amazonaws.com",
                "s3.eu-west-1.amazonaws.com",
                "s3.dualstack.eu-west-1.amazonaws.com",
                "s3.amazonaws.com",
                "logs.s3.amazonaws.com",
                "data.s3.amazonaws.com",
            ]
        );
    }

    #[test]
    fn china_has_its_suffix_and_no_global_name() {
        let t = plan("cn-north-1", &[], &[]);
        let hosts: Vec<&str> = t.iter().map(|t| t.host.as_str()).collect();
        assert_eq!(
            hosts,
            [
                "s3.cn-north-1.amazonaws.com.cn",
                "s3.dualstack.cn-north-1.amazonaws.com.cn"
            ]
        );
    }

    #[test]
    fn endpoint_specific_names_use_the_regional_entry() {
        let ep = endpoint(&[
            "*.vpce-0a1b2c3d-4e5f6a7b-eu-west-1a.s3.eu-west-1.vpce.amazonaws.com",
            "*.vpce-0a1b2c3d-4e5f6a7b.s3.eu-west-1.vpce.amazonaws.com",
            "s3.eu-west-1.amazonaws.com",
        ]);
        let t = plan("eu-west-1", &[], &[ep]);
        let specific: Vec<&str> = t
            .iter()
            .filter(|t| t.class == TargetClass::EndpointSpecific)
            .map(|t| t.host.as_str())
            .collect();
        assert_eq!(
            specific,
            [
                "bucket.vpce-0a1b2c3d-4e5f6a7b.s3.eu-west-1.vpce.amazonaws.com",
                "accesspoint.vpce-0a1b2c3d-4e5f6a7b.s3.eu-west-1.vpce.amazonaws.com",
                "control.vpce-0a1b2c3d-4e5f6a7b.s3.eu-west-1.vpce.amazonaws.com",
            ]
        );
    }
}
