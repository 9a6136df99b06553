//! The check registry. Each check lives in its own file, has a stable ID (`S3P` + three
//! digits, never reused), a kebab-case name, a category, a default severity and a page
//! `checks/<ID>.md` compiled into the binary.
//!
//! IDs are grouped by hundreds: 0xx identity, 1xx routing, 2xx DNS, 3xx endpoints, 4xx host
//! settings, 5xx probes, 6xx buckets and policies, 9xx verdict.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::{Analysis, PathKind, TargetPath};
use crate::facts::{EndpointType, Facts, Observed, VpcEndpoint};

/// Declares a check: its unit struct, its metadata (once) and its registration with the
/// [`Check`] trait. The page is `checks/<ID>.md`, compiled in; the check's logic is
/// `fn run(cx: &Context) -> CheckResult` in an `impl` block of the struct.
///
/// ```ignore
/// check! {
///     S3ViaNatGateway, "S3P103", "s3-via-nat-gateway", Routing, Warning, Stable,
///     "S3 traffic leaves through a NAT gateway although a gateway endpoint would carry it for free"
/// }
/// ```
macro_rules! check {
    ($ty:ident, $id:literal, $name:literal, $category:ident, $severity:ident, $status:ident, $summary:literal) => {
        pub struct $ty;

        static META: $crate::checks::CheckMeta = $crate::checks::CheckMeta {
            id: $id,
            name: $name,
            category: $crate::checks::Category::$category,
            severity: $crate::checks::Severity::$severity,
            status: $crate::checks::Status::$status,
            summary: $summary,
            doc: include_str!(concat!("../../checks/", $id, ".md")),
        };

        impl $crate::checks::Check for $ty {
            fn meta(&self) -> &'static $crate::checks::CheckMeta {
                &META
            }

            fn evaluate(&self, cx: &$crate::checks::Context) -> $crate::checks::CheckResult {
                $ty::run(cx)
            }
        }
    };
}

pub mod bucket;
pub mod fixes;
pub mod names;
mod s3p001_not_on_aws;
mod s3p002_imds_token_blocked;
mod s3p003_missing_permissions;
mod s3p004_control_plane_unavailable;
mod s3p101_no_route_to_s3;
mod s3p102_gateway_endpoint_not_on_route_table;
mod s3p103_s3_via_nat_gateway;
mod s3p104_specific_route_overrides_prefix_list;
mod s3p105_internet_gateway_without_public_ip;
mod s3p106_nat_gateway_not_usable;
mod s3p107_security_group_egress_blocks_443;
mod s3p108_nacl_blocks_s3;
mod s3p110_ipv6_bypasses_gateway_endpoint;
mod s3p201_interface_endpoint_names_public;
mod s3p202_vpc_dns_attributes_off;
mod s3p203_resolvers_disagree;
mod s3p301_endpoint_sg_blocks_443;
mod s3p302_gateway_endpoint_not_available;
mod s3p303_interface_endpoint_other_az;
mod s3p401_hosts_file_pin;
mod s3p402_proxy_diverts_s3;
mod s3p403_aws_cli_v1_interface_endpoint;
mod s3p404_endpoint_override;
mod s3p501_tcp_443_blocked;
mod s3p502_probe_disagrees;
mod s3p503_tls_identity_mismatch;
mod s3p504_tls_custom_trust;
mod s3p601_bucket_in_other_region;
mod s3p602_s3_request_denied;
mod s3p603_s3_request_failed;
mod s3p604_endpoint_policy_denies_bucket;
mod s3p605_endpoint_policy_blocks_aws_buckets;
mod s3p606_bucket_policy_source_ip;
mod s3p607_bucket_policy_source_vpce_mismatch;
mod s3p608_presigned_url_path;
mod s3p701_name_cannot_use_endpoint;
mod s3p702_directory_bucket_without_s3express_endpoint;
mod s3p703_access_point_not_in_policy;
mod s3p704_settings_bypass_endpoint;
mod s3p901_targets_disagree;
mod s3p902_global_endpoint_path_differs;
mod s3p903_expectation_not_met;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Identity,
    Routing,
    Dns,
    Endpoint,
    Host,
    Probe,
    Policy,
    Verdict,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Identity => "identity",
            Category::Routing => "routing",
            Category::Dns => "dns",
            Category::Endpoint => "endpoint",
            Category::Host => "host",
            Category::Probe => "probe",
            Category::Policy => "policy",
            Category::Verdict => "verdict",
        }
    }
}

/// Where a check is in its life: data, not a convention of its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Its ID, name and meaning are kept.
    Stable,
    /// New: its wording or conditions may still change.
    Preview,
    /// No longer runs; the ID is never reused and the page stays.
    Retired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Stable => "stable",
            Status::Preview => "preview",
            Status::Retired => "retired",
        }
    }
}

/// What a check is, independent of any run.
#[derive(Debug)]
pub struct CheckMeta {
    pub id: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub status: Status,
    /// One line, lower case, no trailing period.
    pub summary: &'static str,
    /// The Markdown page `checks/<ID>.md`.
    pub doc: &'static str,
}

/// What a check reads: the facts, the engine's analysis and what the user expects.
pub struct Context<'a> {
    pub facts: &'a Facts,
    pub analysis: &'a Analysis,
    pub expect: &'a [PathKind],
}

impl<'a> Context<'a> {
    pub fn region(&self) -> Option<&'a str> {
        self.analysis.region.as_deref()
    }

    /// The region judged, or the check is skipped.
    pub fn need_region(&self) -> Result<&'a str, Skip> {
        self.region().ok_or_else(no_region)
    }

    /// The primary target, or the check is skipped (no region: no targets).
    pub fn need_primary(&self) -> Result<&'a TargetPath, Skip> {
        self.primary().ok_or_else(no_region)
    }

    /// The primary target as if no endpoint override were set, or the check is skipped.
    pub fn need_standard_primary(&self) -> Result<&'a TargetPath, Skip> {
        self.standard_primary().ok_or_else(no_region)
    }

    /// A part of the facts the check needs, or the check is skipped saying why it is missing
    /// ("route tables failed: …").
    pub fn need<T>(&self, what: &str, part: &'a Observed<T>) -> Result<&'a T, Skip> {
        part.get().ok_or_else(|| {
            Skip(format!(
                "{what} {}",
                part.missing_reason().unwrap_or_default()
            ))
        })
    }

    pub fn primary(&self) -> Option<&'a TargetPath> {
        self.analysis.primary()
    }

    /// The primary S3 name as if no endpoint override were set: the reference for comparing
    /// the standard names with each other.
    pub fn standard_primary(&self) -> Option<&'a TargetPath> {
        self.analysis
            .targets
            .iter()
            .find(|t| t.target.class != crate::names::targets::TargetClass::EndpointOverride)
    }

    /// The endpoints of the VPC that serve S3 in the analysed region, of type `ty`.
    pub fn s3_endpoints(&self, ty: EndpointType) -> Option<Vec<&'a VpcEndpoint>> {
        self.facts.s3_endpoints(self.region()?, ty)
    }

    /// The VPC endpoint with this id (a decision's `via`), when the endpoints were collected.
    pub fn endpoint(&self, id: Option<&str>) -> Option<&'a VpcEndpoint> {
        let id = id?;
        self.facts.vpc_endpoints.get()?.iter().find(|e| e.id == id)
    }

    /// Whether `t` is the name of a bucket that S3 says lives in another region than the one
    /// judged (its path is the bucket region's, which S3P601 reports).
    pub fn cross_region(&self, t: &TargetPath) -> bool {
        let (Some(bucket), Some(region)) = (t.target.bucket.as_deref(), self.region()) else {
            return false;
        };
        self.facts
            .bucket(bucket)
            .and_then(|b| b.region.get())
            .is_some_and(|r| r != region)
    }

    /// The effective route table's id, or `RTB_ID` for a fix command to fill in.
    pub fn table_or_placeholder(&self) -> &'a str {
        self.analysis
            .route_table
            .as_ref()
            .map(|t| t.id.as_str())
            .unwrap_or("RTB_ID")
    }

    pub fn vpc_id(&self) -> Option<&'a str> {
        self.facts.vantage.get().and_then(|v| v.vpc_id.as_deref())
    }
}

/// One finding as a check drafts it; the registry adds id, name and severity.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub message: String,
    pub remediation: Vec<String>,
    pub evidence: Vec<String>,
}

impl Draft {
    pub fn new(message: impl Into<String>) -> Self {
        Draft {
            message: message.into(),
            remediation: Vec::new(),
            evidence: Vec::new(),
        }
    }

    pub fn fix(mut self, step: impl Into<String>) -> Self {
        self.remediation.push(step.into());
        self
    }

    pub fn evidence(mut self, e: impl Into<String>) -> Self {
        self.evidence.push(e.into());
        self
    }

    /// Adds every piece of evidence behind a path decision.
    pub fn evidence_of(mut self, d: &crate::engine::Decision) -> Self {
        self.evidence
            .extend(d.evidence.iter().map(|e| e.detail.clone()));
        self
    }
}

/// Why a check could not look: the facts it needs are missing (the reason says which and why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip(pub String);

/// What a check returns: the findings (none: it looked and found nothing wrong), or why it
/// could not look.
pub type CheckResult = Result<Vec<Draft>, Skip>;

/// Looked, found nothing wrong.
pub fn pass() -> CheckResult {
    Ok(Vec::new())
}

/// Could not look, because…
pub fn skip(why: impl Into<String>) -> CheckResult {
    Err(Skip(why.into()))
}

fn no_region() -> Skip {
    Skip("no region to judge against".to_string())
}

impl From<CheckResult> for Outcome {
    fn from(r: CheckResult) -> Outcome {
        match r {
            Ok(d) if d.is_empty() => Outcome::Pass,
            Ok(d) => Outcome::Fail(d),
            Err(Skip(why)) => Outcome::Skipped(why),
        }
    }
}

/// The outcome of one check, as the report counts it.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Looked, found nothing wrong.
    Pass,
    /// Found something.
    Fail(Vec<Draft>),
    /// Could not look: the facts it needs are missing (the reason says which and why).
    Skipped(String),
}

pub trait Check: Sync {
    fn meta(&self) -> &'static CheckMeta;
    fn evaluate(&self, cx: &Context) -> CheckResult;
}

/// Every check, sorted by ID.
pub static REGISTRY: &[&dyn Check] = &[
    &s3p001_not_on_aws::NotOnAws,
    &s3p002_imds_token_blocked::ImdsTokenBlocked,
    &s3p003_missing_permissions::MissingPermissions,
    &s3p004_control_plane_unavailable::ControlPlaneUnavailable,
    &s3p101_no_route_to_s3::NoRouteToS3,
    &s3p102_gateway_endpoint_not_on_route_table::GatewayEndpointNotOnRouteTable,
    &s3p103_s3_via_nat_gateway::S3ViaNatGateway,
    &s3p104_specific_route_overrides_prefix_list::SpecificRouteOverridesPrefixList,
    &s3p105_internet_gateway_without_public_ip::InternetGatewayWithoutPublicIp,
    &s3p106_nat_gateway_not_usable::NatGatewayNotUsable,
    &s3p107_security_group_egress_blocks_443::SecurityGroupEgressBlocks443,
    &s3p108_nacl_blocks_s3::NaclBlocksS3,
    &s3p110_ipv6_bypasses_gateway_endpoint::Ipv6BypassesGatewayEndpoint,
    &s3p201_interface_endpoint_names_public::InterfaceEndpointNamesPublic,
    &s3p202_vpc_dns_attributes_off::VpcDnsAttributesOff,
    &s3p203_resolvers_disagree::ResolversDisagree,
    &s3p301_endpoint_sg_blocks_443::EndpointSgBlocks443,
    &s3p302_gateway_endpoint_not_available::GatewayEndpointNotAvailable,
    &s3p303_interface_endpoint_other_az::InterfaceEndpointOtherAz,
    &s3p401_hosts_file_pin::HostsFilePin,
    &s3p402_proxy_diverts_s3::ProxyDivertsS3,
    &s3p403_aws_cli_v1_interface_endpoint::AwsCliV1InterfaceEndpoint,
    &s3p404_endpoint_override::EndpointOverride,
    &s3p501_tcp_443_blocked::Tcp443Blocked,
    &s3p502_probe_disagrees::ProbeDisagrees,
    &s3p503_tls_identity_mismatch::TlsIdentityMismatch,
    &s3p504_tls_custom_trust::TlsCustomTrust,
    &s3p601_bucket_in_other_region::BucketInOtherRegion,
    &s3p602_s3_request_denied::S3RequestDenied,
    &s3p603_s3_request_failed::S3RequestFailed,
    &s3p604_endpoint_policy_denies_bucket::EndpointPolicyDeniesBucket,
    &s3p605_endpoint_policy_blocks_aws_buckets::EndpointPolicyBlocksAwsBuckets,
    &s3p606_bucket_policy_source_ip::BucketPolicySourceIp,
    &s3p607_bucket_policy_source_vpce_mismatch::BucketPolicySourceVpceMismatch,
    &s3p608_presigned_url_path::PresignedUrlPath,
    &s3p701_name_cannot_use_endpoint::NameCannotUseEndpoint,
    &s3p702_directory_bucket_without_s3express_endpoint::DirectoryBucketWithoutS3expressEndpoint,
    &s3p703_access_point_not_in_policy::AccessPointNotInPolicy,
    &s3p704_settings_bypass_endpoint::SettingsBypassEndpoint,
    &s3p901_targets_disagree::TargetsDisagree,
    &s3p902_global_endpoint_path_differs::GlobalEndpointPathDiffers,
    &s3p903_expectation_not_met::ExpectationNotMet,
];

/// Finds a check by ID (`S3P101`, `s3p101`, `101`) or name (`no-route-to-s3`).
pub fn find(key: &str) -> Option<&'static dyn Check> {
    let key = key.trim();
    let upper = key.to_ascii_uppercase();
    let id = if upper.len() == 3 && upper.bytes().all(|b| b.is_ascii_digit()) {
        format!("S3P{upper}")
    } else {
        upper
    };
    REGISTRY
        .iter()
        .copied()
        .find(|c| c.meta().id == id || c.meta().name.eq_ignore_ascii_case(key))
}

/// Shared wording: "… because <part> <missing reason>".
pub fn skipped_for(part: &str, reason: Option<String>) -> CheckResult {
    skip(format!(
        "{part} {}",
        reason.unwrap_or_else(|| "not available".to_string())
    ))
}

/// The command that attaches a gateway endpoint to a route table, or creates one.
pub fn gateway_endpoint_fix(cx: &Context, route_table: &str) -> String {
    let region = cx.region().unwrap_or("REGION");
    let existing = cx
        .s3_endpoints(EndpointType::Gateway)
        .and_then(|eps| eps.first().map(|e| e.id.clone()));
    match existing {
        Some(id) => format!(
            "aws ec2 modify-vpc-endpoint --region {region} --vpc-endpoint-id {id} --add-route-table-ids {route_table}"
        ),
        None => format!(
            "aws ec2 create-vpc-endpoint --region {region} --vpc-id {} --vpc-endpoint-type Gateway --service-name {} --route-table-ids {route_table}",
            cx.vpc_id().unwrap_or("VPC_ID"),
            s3_service_name(region)
        ),
    }
}

pub use crate::names::s3_service_name;
