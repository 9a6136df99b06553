//! The report: verdict, per-target paths, findings and the list of checks run. Built by
//! [`judge`], a pure function of the facts and the user's expectations; renderers only read it.

pub mod audit;
pub mod baseline;
pub mod compact;
pub mod fold;
pub mod plan;
pub mod read;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::checks::{self, Category, Context, Outcome, Severity, Status};
use crate::engine::{
    self, Analysis, Confidence, Decision, EffectiveTable, Evidence, PathKind, TargetPath,
};
use crate::facts::{Facts, Observed, Part, VantageKind};

/// Version of the report's JSON document (see docs/json-output.md).
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// What the user asked the judge for, besides the facts.
#[derive(Debug, Clone, Default)]
pub struct JudgeOptions {
    pub expect: Vec<PathKind>,
    pub fail_on: FailOn,
    /// Whether preview checks run, and whether their findings count toward the exit code.
    pub preview: PreviewMode,
}

pub use crate::checks::PreviewMode;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    #[default]
    Error,
    Warning,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool_version: String,
    pub region: Option<String>,
    pub vantage: VantageSummary,
    pub verdict: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expectation: Option<Expectation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_table: Option<EffectiveTable>,
    pub targets: Vec<TargetPath>,
    /// Per `--bucket`: region, path, the real requests, and the policy that decided.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<checks::bucket::BucketSummary>,
    /// Per `--bucket` input: what it names, the host names the application uses for it, the
    /// path of each, and which endpoints such names can use at all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<NameReport>,
    pub findings: Vec<Finding>,
    pub checks: Vec<CheckRun>,
    /// Which parts of the facts were collected, and why the others were not.
    pub facts: Vec<FactStatus>,
    /// Where the gather's time went (phases, from the facts; empty for hand-made facts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timings: Vec<crate::facts::PhaseTiming>,
    /// The process exit code this report calls for (see README, "Exit codes").
    pub exit_code: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VantageSummary {
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<VantageKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    /// How s3path itself reached AWS ("control plane through proxy 10.0.1.60:3128
    /// (HTTPS_PROXY)", "control plane direct"), when it made calls of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_access: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Verdict {
    /// The primary target's host name.
    pub host: Option<String>,
    pub path: PathKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_table: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    pub confidence: Confidence,
    pub evidence: Vec<Evidence>,
    /// For `proxy`: how the proxy itself is reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Box<Decision>>,
    /// Beyond a transit gateway: the hops to the far end (hub-and-spoke), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hops: Vec<crate::engine::Hop>,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Expectation {
    pub expected: Vec<PathKind>,
    /// `true`/`false`, or absent when the verdict cannot decide it: the path is unknown, or
    /// only `probable` (live signals without the control plane).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub met: Option<bool>,
    /// When `met` is absent: why, and what would decide it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undecided: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub id: Cow<'static, str>,
    /// From a preview check (shown with `--preview`; counts toward the exit code only with
    /// `--preview=gate`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preview: bool,
    pub name: Cow<'static, str>,
    pub category: Category,
    pub severity: Severity,
    pub message: String,
    pub remediation: Vec<String>,
    pub evidence: Vec<String>,
    /// How many findings of this check, one per name or address, this one stands for (they
    /// said the same with other names; see [`fold`]). Absent for a single finding.
    #[serde(default, skip_serializing_if = "is_single")]
    pub folded: usize,
}

impl fold::Foldable for Finding {
    fn cause(&self) -> (&str, u8) {
        (&self.id, self.severity as u8)
    }
    fn message(&self) -> &str {
        &self.message
    }
    fn message_mut(&mut self) -> &mut String {
        &mut self.message
    }
    fn remediation(&self) -> &[String] {
        &self.remediation
    }
    fn remediation_mut(&mut self) -> &mut Vec<String> {
        &mut self.remediation
    }
    fn evidence(&self) -> &[String] {
        &self.evidence
    }
    fn evidence_mut(&mut self) -> &mut Vec<String> {
        &mut self.evidence
    }
    fn set_folded(&mut self, n: usize) {
        self.folded = n;
    }
}

fn is_single(n: &usize) -> bool {
    *n <= 1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pass,
    Fail,
    Skipped,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckRun {
    pub id: Cow<'static, str>,
    pub name: Cow<'static, str>,
    pub status: CheckStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FactStatus {
    pub part: Part,
    pub status: PartState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Whether a part of the facts was collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartState {
    Collected,
    NotCollected,
    Failed,
}

impl PartState {
    pub fn as_str(self) -> &'static str {
        match self {
            PartState::Collected => "collected",
            PartState::NotCollected => "not_collected",
            PartState::Failed => "failed",
        }
    }
}

fn fact_status(facts: &Facts, part: Part) -> FactStatus {
    let (status, detail) = match facts.status(part) {
        Observed::Collected { .. } => (PartState::Collected, None),
        Observed::NotCollected { reason } => (PartState::NotCollected, Some(reason)),
        Observed::Failed { error, .. } => (PartState::Failed, Some(error)),
    };
    FactStatus {
        part,
        status,
        detail,
    }
}

/// Why a preview check did not run.
pub const PREVIEW_NOT_RUN: &str =
    "preview check (its wording or conditions may still change): run with --preview to see it";

/// Judges `facts`: runs the engine and every check, and builds the report.
pub fn judge(facts: &Facts, opts: &JudgeOptions) -> Report {
    let mut analysis = engine::analyze(facts);
    checks::fixes::fill_remedies(&mut analysis, facts);
    let cx = Context {
        facts,
        analysis: &analysis,
        expect: &opts.expect,
        preview: opts.preview,
    };
    let mut findings = Vec::new();
    let mut runs = Vec::new();
    for check in checks::REGISTRY {
        let meta = check.meta();
        let preview = meta.status == Status::Preview;
        match meta.status {
            // Kept for its ID and page only.
            Status::Retired => continue,
            Status::Preview if opts.preview == PreviewMode::Off => {
                runs.push(CheckRun {
                    id: meta.id.into(),
                    name: meta.name.into(),
                    status: CheckStatus::Skipped,
                    reason: Some(PREVIEW_NOT_RUN.to_string()),
                });
                continue;
            }
            _ => {}
        }
        let (status, reason) = match Outcome::from(check.evaluate(&cx)) {
            Outcome::Pass => (CheckStatus::Pass, None),
            Outcome::Skipped(why) => (CheckStatus::Skipped, Some(why)),
            Outcome::Fail(drafts) => {
                for d in drafts {
                    findings.push(Finding {
                        id: meta.id.into(),
                        preview,
                        name: meta.name.into(),
                        category: meta.category,
                        severity: meta.severity,
                        message: d.message,
                        remediation: d.remediation,
                        evidence: d.evidence,
                        folded: 0,
                    });
                }
                (CheckStatus::Fail, None)
            }
        };
        runs.push(CheckRun {
            id: meta.id.into(),
            name: meta.name.into(),
            status,
            reason,
        });
    }
    // Most severe first; the registry order (by id) within a severity.
    findings.sort_by_key(|f| f.severity);
    let mut findings = fold::fold(findings);
    fold::dedupe_fixes(&mut findings);
    let buckets = checks::bucket::summaries(&cx);
    let names = name_reports(&analysis);

    let verdict = verdict(facts, &analysis);
    let expectation = (!opts.expect.is_empty()).then(|| expectation(facts, &verdict, &opts.expect));
    if expectation.as_ref().and_then(|e| e.met) == Some(true) {
        informational_when_expected(&mut findings, verdict.path);
    }
    let exit_code = exit_code(
        &findings,
        expectation.as_ref(),
        opts.fail_on,
        opts.preview,
        verdict.path != PathKind::Unknown,
    );
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        region: analysis.region.clone(),
        vantage: vantage_summary(facts),
        verdict,
        expectation,
        route_table: analysis.route_table.clone(),
        targets: analysis.targets,
        buckets,
        names,
        findings,
        checks: runs,
        facts: Part::ALL
            .iter()
            .map(|&part| fact_status(facts, part))
            .collect(),
        timings: facts.timings.clone(),
        exit_code,
    }
}

/// The run's outcome in one word that needs no colour, agreeing with the exit code: `FAIL`
/// when it is 1, `UNKNOWN` when it is 3 or the path could not be determined, `WARN` when it is
/// 0 but a finding warns (or an error does not gate) or the path is blocked, else `OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RunStatus {
    Ok,
    Warn,
    Fail,
    Unknown,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Ok => "OK",
            RunStatus::Warn => "WARN",
            RunStatus::Fail => "FAIL",
            RunStatus::Unknown => "UNKNOWN",
        }
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Report {
    /// The status word of this report (see [`RunStatus`]): the one place it is decided.
    pub fn status(&self) -> RunStatus {
        let expected = self
            .expectation
            .as_ref()
            .is_some_and(|e| e.met == Some(true));
        status_of(self.exit_code, self.verdict.path, expected, &self.findings)
    }
}

/// [`Report::status`] from its parts: a `blocked` path is a warning unless `--expect` asked for
/// it and it is met (a subnet isolated on purpose is OK).
pub fn status_of(exit_code: u8, path: PathKind, expected: bool, findings: &[Finding]) -> RunStatus {
    match exit_code {
        3 => return RunStatus::Unknown,
        0 => {}
        _ => return RunStatus::Fail,
    }
    if path == PathKind::Unknown {
        return RunStatus::Unknown;
    }
    let worst = findings.iter().map(|f| f.severity).min();
    match worst {
        Some(Severity::Error | Severity::Warning) => RunStatus::Warn,
        _ if path == PathKind::Blocked && !expected => RunStatus::Warn,
        _ => RunStatus::Ok,
    }
}

/// One `--bucket` input in the report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NameReport {
    #[serde(flatten)]
    pub plan: crate::names::NamePlan,
    /// The path of each planned name (in `names` order).
    pub paths: Vec<NamePath>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamePath {
    pub host: String,
    pub path: PathKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    pub confidence: crate::engine::Confidence,
    pub summary: String,
    /// Which endpoints a name of this kind can use (docs/s3-names.md). Read back as the
    /// table's entry for the `host_kind` it names (a property of the kind, not of the host).
    #[serde(deserialize_with = "compat_of_kind")]
    pub compat: &'static crate::names::Compat,
}

/// `compat` read back: the table's entry for the host kind it names.
fn compat_of_kind<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<&'static crate::names::Compat, D::Error> {
    #[derive(Deserialize)]
    struct Kind {
        host_kind: crate::names::HostKind,
    }
    Ok(crate::names::compat(Kind::deserialize(d)?.host_kind))
}

/// The `names` section: every input's plan, with the path the engine found for each name.
pub fn name_reports(analysis: &engine::Analysis) -> Vec<NameReport> {
    analysis
        .names
        .iter()
        .map(|plan| {
            let paths = plan
                .names
                .iter()
                .filter_map(|n| {
                    let t = analysis.target(&n.host)?;
                    Some(NamePath {
                        host: n.host.clone(),
                        path: t.decision.path,
                        via: t.decision.via.clone(),
                        confidence: t.decision.confidence,
                        summary: summary(&n.host, &t.decision),
                        compat: crate::names::compat(n.host_kind),
                    })
                })
                .collect();
            NameReport {
                plan: plan.clone(),
                paths,
            }
        })
        .collect()
}

/// `--expect` is met only by a `confirmed` or `inferred` verdict; a `probable` or unknown one
/// cannot decide it, and says what would.
pub fn expectation(facts: &Facts, verdict: &Verdict, expected: &[PathKind]) -> Expectation {
    let decided = verdict.path != PathKind::Unknown && verdict.confidence.decides();
    let undecided = (!decided).then(|| {
        let subnet = facts
            .vantage
            .get()
            .and_then(|v| v.subnet_id.clone())
            .unwrap_or_else(|| "SUBNET_ID".to_string());
        let region = facts.region().unwrap_or("REGION");
        let control = control_plane_gap(facts);
        let what = match &control {
            Some(gap) => format!(
                "{gap}; allow the read-only actions in docs/iam-policy.json (or a longer --timeout), or run `s3path route --region {region} --subnet-id {subnet}` from a machine that can read the control plane"
            ),
            None => "see the verdict's reason".to_string(),
        };
        match verdict.confidence {
            Confidence::Probable => format!(
                "the verdict {} is only probable (live signals only); what would make it certain: {what}",
                verdict.path
            ),
            _ => format!("the path could not be determined; what would decide it: {what}"),
        }
    });
    Expectation {
        expected: expected.to_vec(),
        met: decided.then(|| expected.contains(&verdict.path)),
        undecided,
    }
}

/// Which part of the control plane the verdict lacks, in one phrase ("the route tables timed
/// out after 4000 ms"), or `None` when the route tables were read.
pub fn control_plane_gap(facts: &Facts) -> Option<String> {
    match &facts.route_tables {
        Observed::Collected { .. } => None,
        Observed::Failed { error, cause } => Some(match cause {
            Some(c) => format!(
                "the route tables could not be read: {} ({error})",
                c.phrase()
            ),
            None => format!("the route tables could not be read ({error})"),
        }),
        Observed::NotCollected { reason } => {
            Some(format!("the route tables were not read ({reason})"))
        }
    }
}

/// The exit contract of every command (README, "Exit codes").
pub mod exit {
    /// Judged, and fine.
    pub const OK: u8 = 0;
    /// Judged, and failing: an error finding (a warning with `--fail-on warning`), or
    /// `--expect` not met.
    pub const FAILING: u8 = 1;
    /// Bad input (usage, a file that is not what the command reads): nothing was judged.
    pub const BAD_INPUT: u8 = 2;
    /// Could not judge: the vantage failed (no credentials, subnet or VPC not found, the API
    /// unreachable), or every part that decides the verdict is missing, or `--expect` could
    /// not be decided.
    pub const UNDECIDED: u8 = 3;
}

/// The exit code of many judged parts (a merge's hosts, an audit's subnets and regions, a
/// fleet's instances): the worst wins — [`exit::FAILING`] when any part failed, else
/// [`exit::UNDECIDED`] when any part could not be judged (a code outside the contract counts
/// as undecided), else [`exit::OK`]. No part at all is undecided: seeing nothing is not a
/// pass.
pub fn aggregate_exit_codes(codes: impl IntoIterator<Item = u8>) -> u8 {
    let mut any = false;
    let mut undecided = false;
    for c in codes {
        any = true;
        match c {
            exit::OK => {}
            exit::FAILING => return exit::FAILING,
            _ => undecided = true,
        }
    }
    if undecided || !any {
        exit::UNDECIDED
    } else {
        exit::OK
    }
}

/// How bad an exit code is, for "worst first": failing (1) over could not judge (3, and any
/// code outside the contract) over fine (0).
pub fn exit_rank(code: u8) -> u8 {
    match code {
        exit::OK => 0,
        exit::FAILING => 2,
        _ => 1,
    }
}

/// With the expectation met, the findings that merely restate the path the verdict takes (a
/// check whose `restates` names it: S3P101 on an expected `blocked` path) are informational:
/// a subnet isolated on purpose passes its gate.
fn informational_when_expected(findings: &mut [Finding], path: PathKind) {
    for f in findings.iter_mut() {
        let restates = checks::REGISTRY
            .iter()
            .find(|c| c.meta().id == f.id)
            .is_some_and(|c| c.meta().restates.contains(&path));
        if restates && f.severity != Severity::Info {
            f.severity = Severity::Info;
            // Its fix would undo what was asked for (an endpoint on an isolated subnet's table).
            f.remediation.clear();
            f.message
                .push_str(&format!(" (as expected: --expect {path}; informational)"));
        }
    }
    findings.sort_by_key(|f| f.severity);
}

/// One report's exit code ([`exit`]): 1 for a gating error finding or `--expect` not met;
/// else 3 when the run could not judge (`judged` false: the verdict is unknown) or could not
/// decide `--expect`; else 1 for a gating warning with `--fail-on warning`; else 0. Preview
/// findings are shown but gate only with `--preview=gate`.
pub fn exit_code(
    findings: &[Finding],
    expectation: Option<&Expectation>,
    fail_on: FailOn,
    preview: PreviewMode,
    judged: bool,
) -> u8 {
    let worst = findings
        .iter()
        .filter(|f| !f.preview || preview == PreviewMode::Gate)
        .map(|f| f.severity)
        .min();
    let met = expectation.map(|e| e.met);
    if worst == Some(Severity::Error) || met == Some(Some(false)) {
        return exit::FAILING;
    }
    if !judged || met == Some(None) {
        return exit::UNDECIDED;
    }
    match (worst, fail_on) {
        (Some(Severity::Warning), FailOn::Warning) => exit::FAILING,
        _ => exit::OK,
    }
}

fn vantage_summary(facts: &Facts) -> VantageSummary {
    let aws_access = facts.aws_access.as_ref().map(|a| a.sentence());
    match facts.vantage.get() {
        Some(v) => VantageSummary {
            status: "collected".to_string(),
            kind: Some(v.kind.clone()),
            instance_id: v.instance_id.clone(),
            availability_zone: v.availability_zone.clone(),
            vpc_id: v.vpc_id.clone(),
            subnet_id: v.subnet_id.clone(),
            aws_access,
        },
        None => VantageSummary {
            status: facts
                .vantage
                .missing_reason()
                .unwrap_or_else(|| "unknown".to_string()),
            kind: None,
            instance_id: None,
            availability_zone: None,
            vpc_id: None,
            subnet_id: None,
            aws_access,
        },
    }
}

fn verdict(facts: &Facts, analysis: &Analysis) -> Verdict {
    let Some(primary) = analysis.primary() else {
        return Verdict {
            host: None,
            path: PathKind::Unknown,
            via: None,
            route_table: None,
            route: None,
            confidence: Confidence::Undetermined,
            evidence: Vec::new(),
            next: None,
            hops: Vec::new(),
            summary: format!(
                "Could not determine the path: no region is known (give --region, or run on an instance whose metadata names it){}",
                facts
                    .vantage
                    .missing_reason()
                    .map(|r| format!("; vantage {r}"))
                    .unwrap_or_default()
            ),
        };
    };
    let d = &primary.decision;
    Verdict {
        host: Some(primary.target.host.clone()),
        path: d.path,
        via: d.via.clone(),
        route_table: d.route_table.clone(),
        route: d.route.clone(),
        confidence: d.confidence,
        evidence: d.evidence.clone(),
        next: d.next.clone(),
        hops: d.hops.clone(),
        summary: summary(&primary.target.host, d),
    }
}

/// One line that says where the traffic goes and on what grounds.
pub fn summary(host: &str, d: &Decision) -> String {
    let by_route = d.route.is_some() && d.route_table.is_some();
    let assumed = d
        .evidence
        .iter()
        .any(|e| e.kind == crate::engine::EvidenceKind::Assumption);
    let confidence = match (d.confidence, d.basis.as_deref()) {
        (Confidence::Confirmed, _) if by_route => {
            " (confirmed: the route table and a live probe agree)".to_string()
        }
        (Confidence::Inferred, _) if by_route && d.probe_agrees != Some(false) => format!(
            " (inferred from the route table{}; no live probe confirmed it)",
            if assumed {
                ", with an assumption stated in the evidence"
            } else {
                ""
            }
        ),
        (Confidence::Confirmed, Some(b)) => format!(" (confirmed: {b})"),
        (Confidence::Confirmed, None) => {
            " (confirmed: the control plane and a live probe agree)".to_string()
        }
        (Confidence::Inferred, Some(b)) => format!(" (inferred from {b})"),
        (Confidence::Inferred, None) => {
            " (inferred from the control plane; no live probe confirmed it)".to_string()
        }
        (Confidence::Probable, Some(b)) => format!(" (probable: {b})"),
        (Confidence::Probable, None) => " (probable: live signals only)".to_string(),
        (Confidence::Undetermined, _) => String::new(),
    };
    let route = match (&d.route, &d.route_table) {
        (Some(r), Some(t)) => format!(" by route {r} in {t}"),
        _ => String::new(),
    };
    match d.path {
        PathKind::Unknown => format!(
            "Could not determine how traffic to {host} leaves: {}",
            d.reason.as_deref().unwrap_or("no reason recorded")
        ),
        PathKind::Blocked => format!(
            "Traffic to {host} is blocked: {}{confidence}",
            d.reason.as_deref().unwrap_or("no reason recorded")
        ),
        PathKind::Proxy => {
            let next = d
                .next
                .as_ref()
                .map(|n| match n.path {
                    PathKind::Unknown | PathKind::Blocked => format!(
                        "the path to the proxy is {}: {}",
                        n.path,
                        n.reason.as_deref().unwrap_or("")
                    ),
                    _ => format!("the proxy is reached through {}", describe_with_via(n)),
                })
                .unwrap_or_default();
            format!(
                "HTTPS requests to {host} go to proxy {}; {next}{confidence}",
                d.via.as_deref().unwrap_or("?")
            )
        }
        _ => format!(
            "Traffic to {host} leaves through {}{route}{}{confidence}",
            describe_with_via(d),
            beyond(d)
        ),
    }
}

/// The hops after a transit gateway, in words: `, then the interface endpoint vpce-… in
/// vpc-hub`, with the reason of a hop that stops the traffic or could not be followed.
fn beyond(d: &Decision) -> String {
    let mut out = String::new();
    for h in &d.hops {
        let place = h
            .vpc_id
            .as_deref()
            .map(|v| format!(" in {v}"))
            .unwrap_or_default();
        let what = match (h.path, &h.via) {
            (PathKind::Unknown, _) => "an undetermined path".to_string(),
            (PathKind::Blocked, _) => "nothing (dropped)".to_string(),
            (k, Some(v)) => format!("the {} {v}", k.describe()),
            (k, None) => format!("the {}", k.describe()),
        };
        out.push_str(&format!(", then {what}{place}"));
        if let Some(r) = &h.reason {
            out.push_str(&format!(" ({r})"));
        }
    }
    out
}

fn describe_with_via(d: &Decision) -> String {
    d.described()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(severity: Severity, preview: bool) -> Finding {
        Finding {
            id: "S3P101".into(),
            preview,
            name: "no-route-to-s3".into(),
            category: Category::Routing,
            severity,
            message: String::new(),
            remediation: Vec::new(),
            evidence: Vec::new(),
            folded: 1,
        }
    }

    fn expect(met: Option<bool>) -> Expectation {
        Expectation {
            expected: vec![PathKind::Blocked],
            met,
            undecided: None,
        }
    }

    #[test]
    fn a_failure_wins_over_could_not_judge_which_wins_over_warnings() {
        let (e, w) = (Severity::Error, Severity::Warning);
        let code = |f: &[Finding], x: Option<&Expectation>, on: FailOn, judged: bool| {
            exit_code(f, x, on, PreviewMode::Off, judged)
        };
        assert_eq!(code(&[], None, FailOn::Error, true), exit::OK);
        assert_eq!(code(&[], None, FailOn::Error, false), exit::UNDECIDED);
        assert_eq!(
            code(&[finding(e, false)], None, FailOn::Error, false),
            exit::FAILING
        );
        assert_eq!(
            code(&[finding(w, false)], None, FailOn::Warning, false),
            exit::UNDECIDED,
            "the finding that says the run could not judge does not turn 3 into 1"
        );
        assert_eq!(
            code(&[finding(w, false)], None, FailOn::Warning, true),
            exit::FAILING
        );
        assert_eq!(
            code(&[], Some(&expect(None)), FailOn::Error, true),
            exit::UNDECIDED
        );
        assert_eq!(
            code(
                &[finding(e, false)],
                Some(&expect(None)),
                FailOn::Error,
                true
            ),
            exit::FAILING
        );
        assert_eq!(
            code(&[], Some(&expect(Some(false))), FailOn::Error, true),
            exit::FAILING
        );
        // A preview error gates only with --preview=gate.
        assert_eq!(
            code(&[finding(e, true)], None, FailOn::Error, true),
            exit::OK
        );
        assert_eq!(
            exit_code(
                &[finding(e, true)],
                None,
                FailOn::Error,
                PreviewMode::Gate,
                true
            ),
            exit::FAILING
        );
    }

    #[test]
    fn only_findings_that_restate_the_expected_path_become_informational() {
        let mut fs = vec![finding(Severity::Error, false)];
        fs.push(Finding {
            id: "S3P106".into(),
            name: "nat-gateway-not-usable".into(),
            ..finding(Severity::Error, false)
        });
        informational_when_expected(&mut fs, PathKind::Blocked);
        let by_id = |id: &str| fs.iter().find(|f| f.id == id).unwrap().severity;
        assert_eq!(by_id("S3P101"), Severity::Info);
        assert_eq!(
            by_id("S3P106"),
            Severity::Error,
            "a dead NAT is a fault of its own"
        );
        let mut fs = vec![finding(Severity::Error, false)];
        informational_when_expected(&mut fs, PathKind::NatGateway);
        assert_eq!(
            fs[0].severity,
            Severity::Error,
            "S3P101 restates blocked only"
        );
    }
}
