//! The compact report (`--format compact`): the vantage, the verdict and the findings, with
//! messages capped, on one line of at most [`COMPACT_MAX_CHARS`] characters — what SSM Run
//! Command returns inline (`s3path fleet`). Derived from a [`Report`]; `s3path merge` and
//! `s3path fleet` read it back like the full report (see [`super::read`]).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::{Report, VantageSummary};
use crate::checks::Severity;
use crate::engine::{Confidence, PathKind};

/// SSM Run Command returns at most 24,000 characters of a command's output inline.
pub const COMPACT_MAX_CHARS: usize = 24_000;
/// At most this many findings, each message capped at [`FINDING_CHARS`].
pub const COMPACT_FINDINGS: usize = 30;
pub const FINDING_CHARS: usize = 300;
/// The verdict's summary is capped at this many characters.
pub const SUMMARY_CHARS: usize = 600;

/// The wire form. Written with its keys sorted (the order `--format compact` has always had)
/// and every absent value as `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompactReport {
    pub schema_version: u32,
    pub tool_version: String,
    /// Always `true`: tells a compact report from a full one.
    pub compact: bool,
    pub region: Option<String>,
    pub vantage: VantageSummary,
    pub verdict: CompactVerdict,
    pub expectation: Option<CompactExpectation>,
    pub findings: Vec<CompactFinding>,
    /// How many findings the full report has (`findings` may hold fewer).
    pub findings_total: usize,
    pub exit_code: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompactVerdict {
    pub host: Option<String>,
    pub path: PathKind,
    pub via: Option<String>,
    pub route_table: Option<String>,
    pub confidence: Confidence,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompactExpectation {
    pub met: Option<bool>,
    pub undecided: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompactFinding {
    pub id: Cow<'static, str>,
    pub severity: Severity,
    pub message: String,
}

/// `s` cut to `n` characters, with `…` when cut.
fn cap(s: &str, n: usize) -> String {
    if s.chars().count() > n {
        let mut out: String = s.chars().take(n).collect();
        out.push('…');
        out
    } else {
        s.to_string()
    }
}

impl From<&Report> for CompactReport {
    fn from(r: &Report) -> Self {
        CompactReport {
            schema_version: r.schema_version,
            tool_version: r.tool_version.clone(),
            compact: true,
            region: r.region.clone(),
            vantage: r.vantage.clone(),
            verdict: CompactVerdict {
                host: r.verdict.host.clone(),
                path: r.verdict.path,
                via: r.verdict.via.clone(),
                route_table: r.verdict.route_table.clone(),
                confidence: r.verdict.confidence,
                summary: cap(&r.verdict.summary, SUMMARY_CHARS),
            },
            expectation: r.expectation.as_ref().map(|e| CompactExpectation {
                met: e.met,
                undecided: e.undecided.clone(),
            }),
            findings: r
                .findings
                .iter()
                .take(COMPACT_FINDINGS)
                .map(|f| CompactFinding {
                    id: f.id.clone(),
                    severity: f.severity,
                    message: cap(&f.message, FINDING_CHARS),
                })
                .collect(),
            findings_total: r.findings.len(),
            exit_code: r.exit_code,
        }
    }
}

impl CompactReport {
    /// One line of JSON (keys sorted), never past SSM's limit: findings are dropped from the
    /// end (`findings_total` keeps the count) until it fits.
    pub fn to_line(&self) -> String {
        let mut c = self.clone();
        loop {
            // Through a `Value`: its map keeps keys sorted, at every depth.
            let mut s = serde_json::to_value(&c)
                .map(|v| v.to_string())
                .expect("the compact report serializes");
            if s.chars().count() < COMPACT_MAX_CHARS || c.findings.pop().is_none() {
                s.push('\n');
                return s;
            }
        }
    }
}
