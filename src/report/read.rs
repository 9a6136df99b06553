//! Reading a report back (`s3path merge`, `s3path fleet`): another machine's output, untrusted.
//! A full report ([`Report`]) or a compact one ([`CompactReport`]), typed; anything else is a
//! one-line reason, never a panic. The caller bounds the size (serde_json bounds the depth at
//! 128); the text is data — whoever shows it escapes it.

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::compact::CompactReport;
use super::{Report, REPORT_SCHEMA_VERSION};

/// A report read back.
#[derive(Debug, Clone)]
pub enum Received {
    Full(Box<Report>),
    Compact(Box<CompactReport>),
}

/// Why a text is not a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAReport {
    /// Not JSON at all (a shell error, a truncated output): where it stopped.
    NotJson(String),
    /// JSON, but not a report this s3path reads: why, in one line.
    Foreign(String),
}

impl std::fmt::Display for NotAReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotAReport::NotJson(why) | NotAReport::Foreign(why) => f.write_str(why),
        }
    }
}

/// The longest reason kept from a deserialisation error (it may quote the input).
const REASON_CHARS: usize = 200;

/// What tells a report from other JSON, read before the whole.
#[derive(Deserialize)]
struct Head {
    schema_version: Option<u64>,
    verdict: Option<IgnoredAny>,
    request: Option<IgnoredAny>,
    #[serde(default)]
    compact: bool,
}

/// A deserialisation error of valid JSON, as one capped line.
fn foreign(e: &serde_json::Error) -> NotAReport {
    let why: String = e.to_string().chars().take(REASON_CHARS).collect();
    NotAReport::Foreign(format!("is not an s3path report: {why}"))
}

/// Reads one report.
pub fn read(text: &str) -> Result<Received, NotAReport> {
    // JSON at all? (Checked apart: serde_json reports some type errors as syntax errors.)
    if let Err(e) = serde_json::from_str::<IgnoredAny>(text) {
        return Err(NotAReport::NotJson(format!(
            "invalid JSON at line {}, column {}",
            e.line(),
            e.column()
        )));
    }
    let not_a_report = || {
        NotAReport::Foreign("is not an s3path report (no schema_version and verdict)".to_string())
    };
    let head = serde_json::from_str::<Head>(text).map_err(|_| not_a_report())?;
    let Some(version) = head.schema_version.filter(|_| head.verdict.is_some()) else {
        return Err(if head.request.is_some() {
            NotAReport::Foreign(
                "is a facts file, not a report (judge it with s3path replay --format json first)"
                    .to_string(),
            )
        } else {
            not_a_report()
        });
    };
    if version > u64::from(REPORT_SCHEMA_VERSION) {
        return Err(NotAReport::Foreign(format!(
            "report schema_version {version} is newer than this s3path understands"
        )));
    }
    if head.compact {
        serde_json::from_str::<CompactReport>(text)
            .map(|c| Received::Compact(Box::new(c)))
            .map_err(|e| foreign(&e))
    } else {
        serde_json::from_str::<Report>(text)
            .map(|r| Received::Full(Box::new(r)))
            .map_err(|e| foreign(&e))
    }
}
