//! `audit --baseline PREVIOUS.json`: what changed since an earlier audit (`audit --format
//! json`), subnet by subnet — only the subnets whose path, via or findings changed — and in
//! which direction.
//!
//! The direction of a change (docs/audit.md, "Drift"):
//! - **regression**: the path became `blocked`; or it went from an endpoint (gateway,
//!   interface, resource, service-network) to any other way out; or, with `--expect`, the
//!   expectation went from met to not met; or a finding appeared that gates (`--fail-on`,
//!   previews only with `--preview=gate`); or a new subnet fails.
//! - **undetermined**: the path is now `unknown` (the current audit could not judge it), or
//!   the subnet could not be listed this time.
//! - **improvement**: the reverse of a regression (off `blocked`, onto an endpoint, the
//!   expectation now met, a gating finding gone) with no regression beside it.
//! - **changed**: anything else (another NAT gateway, a non-gating finding, a new subnet that
//!   passes, a deleted subnet).
//!
//! A row takes the worst of its parts, in the order above. Exit 1 on any regression, else 3
//! on any undetermined change, else 0.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::checks::{PreviewMode, Severity};
use crate::engine::{Confidence, PathKind};
use crate::report::audit::AuditReport;
use crate::report::{FailOn, JudgeOptions};

/// The most subnets a baseline may hold.
pub const MAX_BASELINE_SUBNETS: usize = 200_000;
/// The longest id or `via` kept from a baseline.
pub const MAX_FIELD_CHARS: usize = 256;

#[derive(Debug, Clone, Deserialize)]
pub struct Baseline {
    pub schema_version: u32,
    #[serde(default)]
    pub tool_version: Option<String>,
    pub subnets: Vec<BaselineRow>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BaselineRow {
    pub region: String,
    pub subnet_id: String,
    #[serde(default)]
    pub vpc_id: String,
    pub verdict: BaselineVerdict,
    #[serde(default)]
    pub findings: Vec<BaselineFinding>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BaselineVerdict {
    pub path: PathKind,
    #[serde(default)]
    pub via: Option<String>,
    pub confidence: Confidence,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BaselineFinding {
    pub id: String,
    pub severity: Severity,
    #[serde(default)]
    pub preview: bool,
}

/// Parses a baseline (the JSON of `s3path audit --format json`); one line naming `name` and
/// the problem otherwise.
pub fn parse(text: &str, name: &str) -> Result<Baseline, String> {
    let e = |m: String| format!("--baseline {name}: {m}");
    let b: Baseline = serde_json::from_str(text).map_err(|x| {
        let msg = x.to_string();
        let msg = match msg.rfind(" at line ") {
            Some(i) => msg[..i].to_string(),
            None => msg,
        };
        e(format!(
            "not an s3path audit JSON at line {}, column {}: {msg}",
            x.line(),
            x.column()
        ))
    })?;
    if b.schema_version != crate::facts::inventory::AUDIT_SCHEMA_VERSION {
        return Err(e(format!(
            "audit schema_version {} is not {}",
            b.schema_version,
            crate::facts::inventory::AUDIT_SCHEMA_VERSION
        )));
    }
    if b.subnets.len() > MAX_BASELINE_SUBNETS {
        return Err(e(format!(
            "{} subnets; at most {MAX_BASELINE_SUBNETS} are read",
            b.subnets.len()
        )));
    }
    for (i, r) in b.subnets.iter().enumerate() {
        let fields = [
            Some(&r.region),
            Some(&r.subnet_id),
            Some(&r.vpc_id),
            r.verdict.via.as_ref(),
        ];
        for f in fields.into_iter().flatten() {
            if f.chars().count() > MAX_FIELD_CHARS || f.chars().any(char::is_control) {
                return Err(e(format!(
                    "subnets[{i}]: a field is longer than {MAX_FIELD_CHARS} characters or holds a control character"
                )));
            }
        }
        if r.findings.len() > 1000 || r.findings.iter().any(|f| f.id.len() > 16) {
            return Err(e(format!("subnets[{i}].findings: not s3path findings")));
        }
    }
    Ok(b)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Regression,
    Undetermined,
    Improvement,
    Changed,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Regression => "regression",
            Direction::Undetermined => "undetermined",
            Direction::Improvement => "improvement",
            Direction::Changed => "changed",
        }
    }
}

/// One side of a drift row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftSide {
    pub path: PathKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    pub findings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DriftRow {
    pub region: String,
    pub subnet_id: String,
    pub vpc_id: String,
    pub direction: Direction,
    /// `None` for a subnet that is new since the baseline.
    pub before: Option<DriftSide>,
    /// `None` for a subnet gone since the baseline.
    pub now: Option<DriftSide>,
    /// What changed, one phrase each, with its own direction.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DriftReport {
    pub schema_version: u32,
    pub tool_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_tool_version: Option<String>,
    pub subnets_now: usize,
    pub subnets_before: usize,
    /// Only the subnets that changed, worst first.
    pub changes: Vec<DriftRow>,
    pub summary: BTreeMap<String, usize>,
    pub exit_code: u8,
}

fn endpoint(p: PathKind) -> bool {
    matches!(
        p,
        PathKind::GatewayEndpoint
            | PathKind::InterfaceEndpoint
            | PathKind::ResourceEndpoint
            | PathKind::ServiceNetworkEndpoint
    )
}

fn met(expect: &[PathKind], path: PathKind, c: Confidence) -> Option<bool> {
    match c {
        Confidence::Confirmed | Confidence::Inferred => Some(expect.contains(&path)),
        _ => None,
    }
}

fn gates(sev: Severity, preview: bool, opts: &JudgeOptions) -> bool {
    let at = match opts.fail_on {
        FailOn::Error => sev == Severity::Error,
        FailOn::Warning => sev <= Severity::Warning,
    };
    at && (!preview || opts.preview == PreviewMode::Gate)
}

/// The path part of a change: its direction and phrase.
fn path_change(
    (bp, bv, bc): (PathKind, &Option<String>, Confidence),
    (np, nv, nc): (PathKind, &Option<String>, Confidence),
    opts: &JudgeOptions,
) -> Option<(Direction, String)> {
    if bp == np && bv == nv {
        return None;
    }
    let show = |p: PathKind, v: &Option<String>| match v {
        Some(v) => format!("{} via {v}", p.as_str()),
        None => p.as_str().to_string(),
    };
    let phrase = format!("path {} → {}", show(bp, bv), show(np, nv));
    let dir = if np == PathKind::Unknown {
        Direction::Undetermined
    } else if np == PathKind::Blocked && bp != PathKind::Blocked {
        Direction::Regression
    } else if bp == PathKind::Blocked && np != PathKind::Blocked {
        Direction::Improvement
    } else if !opts.expect.is_empty()
        && met(&opts.expect, bp, bc) == Some(true)
        && met(&opts.expect, np, nc) == Some(false)
    {
        Direction::Regression
    } else if !opts.expect.is_empty()
        && met(&opts.expect, bp, bc) == Some(false)
        && met(&opts.expect, np, nc) == Some(true)
    {
        Direction::Improvement
    } else if endpoint(bp) && !endpoint(np) {
        Direction::Regression
    } else if !endpoint(bp) && endpoint(np) && bp != PathKind::Unknown {
        Direction::Improvement
    } else {
        Direction::Changed
    };
    Some((dir, phrase))
}

/// Compares the current audit with the baseline.
pub fn compare(now: &AuditReport, base: &Baseline, opts: &JudgeOptions) -> DriftReport {
    let mut changes = Vec::new();
    let key = |r: &str, s: &str| (r.to_string(), s.to_string());
    let before: BTreeMap<(String, String), &BaselineRow> = base
        .subnets
        .iter()
        .map(|r| (key(&r.region, &r.subnet_id), r))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for row in &now.subnets {
        let k = key(&row.region, &row.subnet_id);
        seen.insert(k.clone());
        let now_side = DriftSide {
            path: row.verdict.path,
            via: row.verdict.via.clone(),
            findings: row.findings.iter().map(|f| f.id.to_string()).collect(),
        };
        let Some(b) = before.get(&k) else {
            let dir = match row.exit_code {
                1 => Direction::Regression,
                3 => Direction::Undetermined,
                _ => Direction::Changed,
            };
            changes.push(DriftRow {
                region: row.region.clone(),
                subnet_id: row.subnet_id.clone(),
                vpc_id: row.vpc_id.clone(),
                direction: dir,
                before: None,
                now: Some(now_side),
                reasons: vec![format!("new subnet ({})", dir.as_str())],
            });
            continue;
        };
        let mut reasons: Vec<(Direction, String)> = Vec::new();
        if let Some(c) = path_change(
            (b.verdict.path, &b.verdict.via, b.verdict.confidence),
            (row.verdict.path, &row.verdict.via, row.verdict.confidence),
            opts,
        ) {
            reasons.push(c);
        }
        for f in &row.findings {
            if !b.findings.iter().any(|x| x.id == f.id) {
                let d = if gates(f.severity, f.preview, opts) {
                    Direction::Regression
                } else {
                    Direction::Changed
                };
                reasons.push((d, format!("new finding {} ({})", f.id, f.severity.as_str())));
            }
        }
        for f in &b.findings {
            if !row.findings.iter().any(|x| *x.id == f.id) {
                let d = if gates(f.severity, f.preview, opts) {
                    Direction::Improvement
                } else {
                    Direction::Changed
                };
                reasons.push((
                    d,
                    format!("finding {} gone ({})", f.id, f.severity.as_str()),
                ));
            }
        }
        if reasons.is_empty() {
            continue;
        }
        let dir = reasons
            .iter()
            .map(|r| r.0)
            .min()
            .unwrap_or(Direction::Changed);
        changes.push(DriftRow {
            region: row.region.clone(),
            subnet_id: row.subnet_id.clone(),
            vpc_id: row.vpc_id.clone(),
            direction: dir,
            before: Some(DriftSide {
                path: b.verdict.path,
                via: b.verdict.via.clone(),
                findings: b.findings.iter().map(|f| f.id.clone()).collect(),
            }),
            now: Some(now_side),
            reasons: reasons
                .into_iter()
                .map(|(d, p)| format!("{p} ({})", d.as_str()))
                .collect(),
        });
    }
    for b in &base.subnets {
        if seen.contains(&key(&b.region, &b.subnet_id)) {
            continue;
        }
        // Gone, or not listed this time.
        let listed = now
            .regions
            .iter()
            .find(|r| r.region == b.region)
            .is_some_and(|r| !r.missing.iter().any(|m| m.starts_with("subnets")));
        let dir = if listed {
            Direction::Changed
        } else {
            Direction::Undetermined
        };
        changes.push(DriftRow {
            region: b.region.clone(),
            subnet_id: b.subnet_id.clone(),
            vpc_id: b.vpc_id.clone(),
            direction: dir,
            before: Some(DriftSide {
                path: b.verdict.path,
                via: b.verdict.via.clone(),
                findings: b.findings.iter().map(|f| f.id.clone()).collect(),
            }),
            now: None,
            reasons: vec![if listed {
                "subnet gone since the baseline (changed)".to_string()
            } else {
                format!(
                    "not judged now: {}'s subnets were not listed (undetermined)",
                    b.region
                )
            }],
        });
    }
    changes.sort_by(|a, b| {
        (a.direction, &a.region, &a.subnet_id).cmp(&(b.direction, &b.region, &b.subnet_id))
    });
    let mut summary = BTreeMap::new();
    for c in &changes {
        *summary.entry(c.direction.as_str().to_string()).or_insert(0) += 1;
    }
    let exit_code = if changes.iter().any(|c| c.direction == Direction::Regression) {
        1
    } else if changes
        .iter()
        .any(|c| c.direction == Direction::Undetermined)
    {
        3
    } else {
        0
    };
    DriftReport {
        schema_version: 1,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        baseline_tool_version: base
            .tool_version
            .clone()
            .map(|v| v.chars().take(64).collect()),
        subnets_now: now.subnets.len(),
        subnets_before: base.subnets.len(),
        changes,
        summary,
        exit_code,
    }
}
