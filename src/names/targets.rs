//! Which host names to judge: a pure function of the region, the buckets and the endpoints.
//!
//! The gatherer resolves exactly these names, and the engine judges them, so both sides
//! agree on the list without storing it twice.
//!
//! A [`Target`] carries the family of its host name ([`HostKind`], the one taxonomy of S3 host
//! names) and why it is judged ([`TargetRole`]); the report's `class` field is derived from the
//! two.

use serde::{Deserialize, Serialize};

use crate::facts::{EndpointType, VpcEndpoint};
use crate::names::{self, host_kind, HostKind, NameKind, S3Settings};
use crate::validate::{has_global_endpoint, partition_dns_suffix};

/// Why a host name is judged (its family says which endpoints can carry it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetRole {
    /// A service name, with no bucket in the host: S3's own names for the region
    /// (`s3.<region>`, dual-stack, the legacy global `s3.amazonaws.com`), an interface
    /// endpoint's `bucket.`/`accesspoint.`/`control.` names, or a `--bucket` input's
    /// path-style name.
    Service,
    /// A bucket's (access point's, …) own name, the bucket in the host: the virtual-hosted
    /// names a `--bucket` input is planned to, and its plain names judged for comparison.
    Bucket,
    /// The host of an endpoint URL the SDKs are told to use (`AWS_ENDPOINT_URL_S3`, …).
    EndpointOverride,
    /// The host of a `--presigned` URL.
    Presigned,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "TargetWire", from = "TargetWire")]
pub struct Target {
    pub host: String,
    /// The family of the host name (decides which endpoints can carry it). Every S3 name the
    /// plan judges has one; an override or presigned host that is not an S3 name has none.
    pub family: Option<HostKind>,
    /// Why the name is judged.
    pub role: TargetRole,
    pub bucket: Option<String>,
    pub endpoint_id: Option<String>,
    /// The region whose S3 serves this name (the legacy global names: us-east-1), when the
    /// name tells. Only that region's S3 prefix list can hold its addresses.
    pub region: Option<String>,
    /// What the `--bucket` input names (bucket, access point, directory bucket, …).
    pub name_kind: Option<NameKind>,
}

/// The report's word for a target (`"class"`), derived from its family and role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum WireClass {
    Regional,
    BucketRegional,
    Dualstack,
    BucketDualstack,
    Global,
    BucketGlobal,
    EndpointSpecific,
    EndpointOverride,
    Presigned,
    Named,
}

/// A target as the report writes it (field order and names are the report's format).
#[derive(Serialize, Deserialize)]
struct TargetWire {
    host: String,
    class: WireClass,
    #[serde(skip_serializing_if = "Option::is_none")]
    bucket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoint_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host_kind: Option<HostKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name_kind: Option<NameKind>,
}

impl From<Target> for TargetWire {
    fn from(t: Target) -> Self {
        TargetWire {
            class: t.class(),
            host: t.host,
            bucket: t.bucket,
            endpoint_id: t.endpoint_id,
            region: t.region,
            host_kind: t.family,
            name_kind: t.name_kind,
        }
    }
}

impl From<TargetWire> for Target {
    fn from(w: TargetWire) -> Self {
        use WireClass as C;
        let (role, implied) = match w.class {
            C::Regional => (TargetRole::Service, Some(HostKind::Regional)),
            C::Dualstack => (TargetRole::Service, Some(HostKind::Dualstack)),
            C::Global => (TargetRole::Service, Some(HostKind::LegacyGlobal)),
            C::EndpointSpecific => (TargetRole::Service, Some(HostKind::EndpointSpecific)),
            C::BucketRegional => (TargetRole::Bucket, Some(HostKind::Regional)),
            C::BucketDualstack => (TargetRole::Bucket, Some(HostKind::Dualstack)),
            C::BucketGlobal => (TargetRole::Bucket, Some(HostKind::LegacyGlobal)),
            C::Named => (TargetRole::Bucket, None),
            C::EndpointOverride => (TargetRole::EndpointOverride, None),
            C::Presigned => (TargetRole::Presigned, None),
        };
        Target {
            host: w.host,
            // The family the class names wins over a disagreeing one.
            family: implied.or(w.host_kind),
            role,
            bucket: w.bucket,
            endpoint_id: w.endpoint_id,
            region: w.region,
            name_kind: w.name_kind,
        }
    }
}

impl Target {
    /// A target of `host` judged as `role`, its family and region read from the name.
    pub fn new(host: String, role: TargetRole) -> Self {
        let kind = host_kind(&host);
        let region = s3_host_region(&host).or_else(|| kind.as_ref().and_then(|(_, r)| r.clone()));
        Target {
            host,
            family: kind.map(|(k, _)| k),
            role,
            bucket: None,
            endpoint_id: None,
            region,
            name_kind: None,
        }
    }

    /// A target of `host`, an S3 name of `family` judged as `role` (the family is known from
    /// how the name was made; the region is read from the name).
    fn of(host: String, family: HostKind, role: TargetRole) -> Self {
        Target {
            family: Some(family),
            ..Target::new(host, role)
        }
    }

    /// The family this name is judged as: its family, unless it is an override or a presigned
    /// host (judged as whatever name it is, not as an S3 name of the plan).
    pub fn planned_family(&self) -> Option<HostKind> {
        match self.role {
            TargetRole::EndpointOverride | TargetRole::Presigned => None,
            TargetRole::Service | TargetRole::Bucket => self.family,
        }
    }

    /// True when the bucket is in the host name (a virtual-hosted name).
    pub fn is_bucket_name(&self) -> bool {
        self.role == TargetRole::Bucket
    }

    /// The report's `class` of this target: the family and the role in one word
    /// (`bucket-regional`, `dualstack`, `endpoint-override`, `named`, …).
    fn class(&self) -> WireClass {
        use WireClass as C;
        let bucket = self.is_bucket_name();
        match (self.role, self.family) {
            (TargetRole::EndpointOverride, _) => C::EndpointOverride,
            (TargetRole::Presigned, _) => C::Presigned,
            (_, Some(HostKind::Regional)) if bucket => C::BucketRegional,
            (_, Some(HostKind::Regional)) => C::Regional,
            (_, Some(HostKind::Dualstack)) if bucket => C::BucketDualstack,
            (_, Some(HostKind::Dualstack)) => C::Dualstack,
            (_, Some(HostKind::LegacyGlobal)) if bucket => C::BucketGlobal,
            (_, Some(HostKind::LegacyGlobal)) => C::Global,
            (_, Some(HostKind::EndpointSpecific)) => C::EndpointSpecific,
            // An access point, a Multi-Region Access Point, a directory bucket's zonal name, a
            // FIPS, accelerate or website name (the family says which).
            _ => C::Named,
        }
    }

    /// The AWS-managed prefix-list service whose list holds this name's addresses (`s3`,
    /// `s3express`), when one is known to; `None` for overrides, presigned hosts and names no
    /// list is documented to hold (an endpoint's own names, accelerate, Multi-Region Access
    /// Points, website, …).
    pub fn list_service(&self) -> Option<&'static str> {
        self.planned_family().and_then(HostKind::list_service)
    }

    /// True for the regional names whose paths are compared (S3P104, S3P901): every regional
    /// name of the plan and the service's dual-stack name (not a bucket's dual-stack name).
    pub fn is_compared_regional_name(&self) -> bool {
        match self.planned_family() {
            Some(HostKind::Regional) => true,
            Some(HostKind::Dualstack) => !self.is_bucket_name(),
            _ => false,
        }
    }

    /// True for the names S3 answers with its public regional addresses (not an endpoint's
    /// own names, an override or a presigned host).
    pub fn is_standard_s3_name(&self) -> bool {
        matches!(
            self.planned_family(),
            Some(HostKind::Regional | HostKind::Dualstack | HostKind::LegacyGlobal)
        )
    }
}

/// The region an S3 host name belongs to: `…s3.<r>.amazonaws.com`, `…s3.dualstack.<r>…`,
/// `…s3-<r>.amazonaws.com` (legacy dash form), `….s3.<r>.vpce.amazonaws.com`; the legacy
/// global names (`s3.amazonaws.com`, `bucket.s3.amazonaws.com`, `s3-external-1`) are
/// us-east-1's. `None` when the name is not an S3 name.
pub fn s3_host_region(host: &str) -> Option<String> {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    let rest = h
        .strip_suffix(".amazonaws.com.cn")
        .or_else(|| h.strip_suffix(".amazonaws.com"))?;
    let rest = rest.strip_suffix(".vpce").unwrap_or(rest);
    let labels: Vec<&str> = rest.split('.').collect();
    let last = *labels.last()?;
    if last == "s3" || last == "s3-external-1" {
        return Some("us-east-1".to_string());
    }
    if let Some(r) = last.strip_prefix("s3-") {
        if crate::validate::region(r).is_ok() {
            return Some(r.to_string());
        }
    }
    if labels.len() >= 2 {
        let prev = labels[labels.len() - 2];
        let s3ish = prev == "s3"
            || prev == "dualstack"
            || prev.starts_with("s3-")
            || prev == "s3-accesspoint"
            || prev == "s3-control";
        if s3ish && crate::validate::region(last).is_ok() {
            return Some(last.to_string());
        }
    }
    None
}

/// The targets for `region` and `buckets`, with no application settings (the `route`
/// command, which has no application to read them from).
pub fn plan(
    region: &str,
    buckets: &[String],
    endpoints: &[VpcEndpoint],
    endpoint_override: Option<&str>,
) -> Vec<Target> {
    let settings = S3Settings {
        endpoint_override: endpoint_override
            .map(|h| (h.to_string(), "the endpoint override".to_string())),
        ..S3Settings::default()
    };
    plan_with(&PlanInput {
        region,
        buckets,
        bucket_regions: &[],
        endpoints,
        settings: &settings,
        sdk: None,
    })
}

/// Everything the plan depends on.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    pub region: &'a str,
    /// The `--bucket` inputs, as given (every form [`names::parse`] accepts).
    pub buckets: &'a [String],
    /// `(bucket, region)` where S3 told the bucket's region.
    pub bucket_regions: &'a [(String, String)],
    pub endpoints: &'a [VpcEndpoint],
    /// The application's S3 settings (FIPS, acceleration, dual-stack, an override, …).
    pub settings: &'a S3Settings,
    /// `--sdk`: plan the names as this SDK family does (else as the settings say, with each
    /// family's name where the families differ).
    pub sdk: Option<&'a str>,
}

/// Every `--bucket` input with its planned names (inputs that do not parse are left out: they
/// were refused on the command line or when the facts file was read).
pub fn name_plans(input: &PlanInput) -> Vec<names::NamePlan> {
    input
        .buckets
        .iter()
        .filter_map(|b| names::parse(b).ok())
        .map(|r| {
            let known = r.bucket_name().and_then(|n| {
                input
                    .bucket_regions
                    .iter()
                    .find(|(name, _)| name == n)
                    .map(|(_, reg)| reg.as_str())
            });
            names::sdk::plan_for(&r, input.settings, input.region, known, input.sdk)
        })
        .collect()
}

/// The targets, primary first: the names each `--bucket` input is planned to (the first
/// input's first name is the primary), then the standard names for comparison — with the
/// dual-stack setting the dual-stack ones first —, the legacy global names, and the names of
/// the VPC's S3 interface endpoints. An endpoint override's host leads.
pub fn plan_with(input: &PlanInput) -> Vec<Target> {
    let PlanInput {
        region,
        endpoints,
        settings,
        ..
    } = *input;
    let dualstack = matches!(settings.dualstack, Some((true, _)));
    let suffix = partition_dns_suffix(region);
    let plans = name_plans(input);
    let mut out = Vec::new();
    if let Some((host, _)) = &settings.endpoint_override {
        out.push(Target::new(host.to_string(), TargetRole::EndpointOverride));
    }
    let named = |plan: &names::NamePlan, p: &names::PlannedName| {
        let role = if p.path_style {
            TargetRole::Service
        } else {
            TargetRole::Bucket
        };
        Target {
            bucket: Some(plan.name.label().to_string()),
            name_kind: Some(plan.name.kind),
            region: p.region.clone().or_else(|| s3_host_region(&p.host)),
            ..Target::of(p.host.clone(), p.host_kind, role)
        }
    };
    // The plain bucket names, for comparison with what the application uses.
    let plain = |plan: &names::NamePlan, dual: bool| -> Option<Target> {
        let b = plan.name.bucket_name()?;
        if b.contains('.') {
            return None;
        }
        let r = plan
            .names
            .first()
            .and_then(|p| p.region.clone())
            .unwrap_or_else(|| region.to_string());
        let (host, family) = if dual {
            (
                format!("{b}.s3.dualstack.{r}.{}", partition_dns_suffix(&r)),
                HostKind::Dualstack,
            )
        } else {
            (
                format!("{b}.s3.{r}.{}", partition_dns_suffix(&r)),
                HostKind::Regional,
            )
        };
        Some(Target {
            bucket: Some(plan.name.label().to_string()),
            name_kind: Some(plan.name.kind),
            ..Target::of(host, family, TargetRole::Bucket)
        })
    };
    for plan in &plans {
        out.extend(plan.names.iter().map(|p| named(plan, p)));
    }
    let regional = Target::of(
        format!("s3.{region}.{suffix}"),
        HostKind::Regional,
        TargetRole::Service,
    );
    let dual = Target::of(
        format!("s3.dualstack.{region}.{suffix}"),
        HostKind::Dualstack,
        TargetRole::Service,
    );
    if dualstack {
        out.extend(plans.iter().filter_map(|p| plain(p, true)));
        out.push(dual);
        out.extend(plans.iter().filter_map(|p| plain(p, false)));
        out.push(regional);
    } else {
        out.extend(plans.iter().filter_map(|p| plain(p, false)));
        out.push(regional);
        out.push(dual);
    }
    if has_global_endpoint(region) {
        out.push(Target::of(
            "s3.amazonaws.com".to_string(),
            HostKind::LegacyGlobal,
            TargetRole::Service,
        ));
        for plan in &plans {
            if let Some(b) = plan.name.bucket_name().filter(|b| !b.contains('.')) {
                out.push(Target {
                    bucket: Some(plan.name.label().to_string()),
                    name_kind: Some(plan.name.kind),
                    ..Target::of(
                        format!("{b}.s3.amazonaws.com"),
                        HostKind::LegacyGlobal,
                        TargetRole::Bucket,
                    )
                });
            }
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
                    ..Target::of(
                        format!("{label}.{name}"),
                        HostKind::EndpointSpecific,
                        TargetRole::Service,
                    )
                });
            }
        }
    }
    // The override host may also be one of the standard names: keep its first occurrence.
    let mut seen = std::collections::HashSet::new();
    out.retain(|t| seen.insert(t.host.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::DnsEntry;

    fn endpoint(entries: &[&str]) -> VpcEndpoint {
        VpcEndpoint {
            id: "vpce-0a1b2c3d".into(),
            vpc_id: None,
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
            ip_address_type: None,
        }
    }

    #[test]
    fn the_class_is_derived_from_family_and_role_and_reads_back() {
        for (class, kind) in [
            ("regional", Some("regional")),
            ("bucket-regional", Some("regional")),
            ("dualstack", Some("dualstack")),
            ("bucket-dualstack", Some("dualstack")),
            ("global", Some("legacy-global")),
            ("bucket-global", Some("legacy-global")),
            ("endpoint-specific", Some("endpoint-specific")),
            ("endpoint-override", Some("regional")),
            ("endpoint-override", None),
            ("presigned", Some("access-point")),
            ("presigned", None),
            ("named", Some("zonal")),
            ("named", Some("fips")),
        ] {
            let mut v = serde_json::json!({"host": "h.example", "class": class});
            if let Some(k) = kind {
                v["host_kind"] = k.into();
            }
            let t: Target = serde_json::from_value(v.clone()).unwrap();
            assert_eq!(serde_json::to_value(&t).unwrap(), v, "{class} {kind:?}");
        }
        let t = Target::new(
            "s3.eu-west-1.amazonaws.com".into(),
            TargetRole::EndpointOverride,
        );
        assert_eq!(t.family, Some(HostKind::Regional));
        assert_eq!(t.planned_family(), None);
        assert!(!t.is_standard_s3_name());
        assert_eq!(t.list_service(), None);
        assert_eq!(
            serde_json::to_value(&t).unwrap()["class"],
            "endpoint-override"
        );
    }

    #[test]
    fn host_regions() {
        for (host, want) in [
            ("s3.eu-west-1.amazonaws.com", Some("eu-west-1")),
            ("logs.s3.eu-west-1.amazonaws.com", Some("eu-west-1")),
            (
                "logs.s3.dualstack.us-west-2.amazonaws.com",
                Some("us-west-2"),
            ),
            ("s3.amazonaws.com", Some("us-east-1")),
            ("logs.s3.amazonaws.com", Some("us-east-1")),
            ("logs.s3-eu-west-1.amazonaws.com", Some("eu-west-1")),
            ("s3.cn-north-1.amazonaws.com.cn", Some("cn-north-1")),
            (
                "bucket.vpce-0a1b-x.s3.eu-west-1.vpce.amazonaws.com",
                Some("eu-west-1"),
            ),
            ("minio.local", None),
            ("ec2.eu-west-1.amazonaws.com", None),
        ] {
            assert_eq!(s3_host_region(host).as_deref(), want, "{host}");
        }
    }

    #[test]
    fn dualstack_names_come_first_when_the_application_uses_them() {
        let settings = S3Settings {
            dualstack: Some((true, "AWS_USE_DUALSTACK_ENDPOINT=true".into())),
            ..S3Settings::default()
        };
        let t = plan_with(&PlanInput {
            region: "eu-west-1",
            buckets: &["logs".into()],
            bucket_regions: &[],
            endpoints: &[],
            settings: &settings,
            sdk: None,
        });
        let hosts: Vec<&str> = t.iter().map(|t| t.host.as_str()).collect();
        assert_eq!(
            hosts,
            [
                "logs.s3.dualstack.eu-west-1.amazonaws.com",
                "s3.dualstack.eu-west-1.amazonaws.com",
                "logs.s3.eu-west-1.amazonaws.com",
                "s3.eu-west-1.amazonaws.com",
                "s3.amazonaws.com",
                "logs.s3.amazonaws.com",
            ]
        );
        assert_eq!(t[0].region.as_deref(), Some("eu-west-1"));
        assert_eq!(t[4].region.as_deref(), Some("us-east-1"));
    }

    #[test]
    fn primary_is_the_bucket_regional_name() {
        let t = plan("eu-west-1", &["logs".into(), "data".into()], &[], None);
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
    fn an_endpoint_override_becomes_the_primary_target() {
        let t = plan(
            "eu-west-1",
            &["logs".into()],
            &[],
            Some("bucket.vpce-0a1b-7f3k.s3.eu-west-1.vpce.amazonaws.com"),
        );
        assert_eq!(t[0].role, TargetRole::EndpointOverride);
        assert_eq!(t[1].host, "logs.s3.eu-west-1.amazonaws.com");
        let t = plan("eu-west-1", &[], &[], Some("s3.eu-west-1.amazonaws.com"));
        assert_eq!(
            t.iter()
                .filter(|t| t.host == "s3.eu-west-1.amazonaws.com")
                .count(),
            1
        );
    }

    #[test]
    fn china_has_its_suffix_and_no_global_name() {
        let t = plan("cn-north-1", &[], &[], None);
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
        let t = plan("eu-west-1", &[], &[ep], None);
        let specific: Vec<&str> = t
            .iter()
            .filter(|t| t.family == Some(HostKind::EndpointSpecific))
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
