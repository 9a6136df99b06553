//! What a check is and what it reads: the metadata (`check!`), the [`Context`] of a run, the
//! drafts and skips a check returns, and wording shared by several checks. Check files import
//! this module, never the registry (so there is no cycle between a check and the registry).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::{Analysis, PathKind, TargetPath};
use crate::facts::{EndpointType, Facts, Part, PartOf, VpcEndpoint};
use crate::names::s3_service_name;

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
        check! { $ty, $id, $name, $category, $severity, $status, $summary, restates: [] }
    };
    ($ty:ident, $id:literal, $name:literal, $category:ident, $severity:ident, $status:ident, $summary:literal, restates: [$($kind:ident),*]) => {
        pub struct $ty;

        static META: $crate::checks::context::CheckMeta = $crate::checks::context::CheckMeta {
            id: $id,
            name: $name,
            category: $crate::checks::context::Category::$category,
            severity: $crate::checks::context::Severity::$severity,
            status: $crate::checks::context::Status::$status,
            summary: $summary,
            doc: include_str!(concat!("../../checks/", $id, ".md")),
            restates: &[$($crate::engine::PathKind::$kind),*],
        };

        impl $crate::checks::context::Check for $ty {
            fn meta(&self) -> &'static $crate::checks::context::CheckMeta {
                &META
            }

            fn evaluate(
                &self,
                cx: &$crate::checks::context::Context,
            ) -> $crate::checks::context::CheckResult {
                $ty::run(cx)
            }
        }
    };
}

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

impl CheckMeta {
    /// The page as `s3path explain` shows it: a preview or retired check says so first.
    pub fn page(&self) -> String {
        let note = match self.status {
            Status::Stable => return self.doc.to_string(),
            Status::Preview => "Status: preview — new, its wording or conditions may still change. It runs only with --preview; its findings then change the exit code only with --preview=gate.",
            Status::Retired => "Status: retired — it no longer runs; the ID is never reused.",
        };
        match self.doc.split_once('\n') {
            Some((title, rest)) => format!("{title}\n\n{note}\n{rest}"),
            None => format!("{}\n\n{note}\n", self.doc),
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
    /// The paths whose finding merely restates the path itself (S3P101 on a `blocked` path):
    /// when `--expect` names the path the verdict takes, such a finding is informational.
    pub restates: &'static [PathKind],
}

/// What a check reads: the facts, the engine's analysis and what the user expects.
pub struct Context<'a> {
    pub facts: &'a Facts,
    pub analysis: &'a Analysis,
    pub expect: &'a [PathKind],
    /// Whether preview checks run in this judgement (and gate): a stable check that would
    /// leave a case to a preview check reports it itself when that check's findings would
    /// not gate.
    pub preview: PreviewMode,
}

/// What happens to checks whose status is `preview` (new: wording or conditions may change).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum PreviewMode {
    /// They do not run (listed as skipped, saying how to run them).
    #[default]
    Off,
    /// They run; their findings are shown, marked preview, and never change the exit code.
    Show,
    /// They run and their findings count toward the exit code like any other.
    Gate,
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
    pub fn need<P: PartOf<Facts, Part = Part>>(&self, _part: P) -> Result<&'a P::Value, Skip> {
        P::of(self.facts).get().ok_or_else(|| self.missing(P::PART))
    }

    /// Why `part` is missing, as a skip (for a check that reads the part through a helper).
    pub fn missing(&self, part: Part) -> Skip {
        Skip::Missing {
            part,
            why: self
                .facts
                .status(part)
                .missing_reason()
                .unwrap_or_else(|| "not available".to_string()),
        }
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
            .find(|t| t.target.role != crate::names::targets::TargetRole::EndpointOverride)
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

    /// The endpoint `id` of the hub VPC `vpc` (read beyond a transit gateway).
    pub fn hub_endpoint(&self, vpc: Option<&str>, id: Option<&str>) -> Option<&'a VpcEndpoint> {
        let (vpc, id) = (vpc?, id?);
        self.facts
            .transit
            .get()?
            .hubs
            .iter()
            .filter(|h| h.vpc_id == vpc)
            .find_map(|h| h.vpc_endpoints.get()?.iter().find(|e| e.id == id))
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
pub enum Skip {
    /// A part of the facts the check needs is missing: "<part> not collected: …" / "failed: …".
    Missing { part: Part, why: String },
    /// The facts name no region to judge against.
    NoRegion,
    /// Anything else, in one sentence.
    Because(String),
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::Missing { part, why } => write!(f, "{} {why}", part.label()),
            Skip::NoRegion => f.write_str("no region to judge against"),
            Skip::Because(why) => f.write_str(why),
        }
    }
}

/// What a check returns: the findings (none: it looked and found nothing wrong), or why it
/// could not look.
pub type CheckResult = Result<Vec<Draft>, Skip>;

/// Looked, found nothing wrong.
pub fn pass() -> CheckResult {
    Ok(Vec::new())
}

/// Could not look, because…
pub fn skip(why: impl Into<String>) -> CheckResult {
    Err(Skip::Because(why.into()))
}

fn no_region() -> Skip {
    Skip::NoRegion
}

impl From<CheckResult> for Outcome {
    fn from(r: CheckResult) -> Outcome {
        match r {
            Ok(d) if d.is_empty() => Outcome::Pass,
            Ok(d) => Outcome::Fail(d),
            Err(skip) => Outcome::Skipped(skip.to_string()),
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
