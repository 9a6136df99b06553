//! Reading a report back (`s3path merge`, `s3path fleet`): another machine's output, untrusted.
//! A full report ([`Report`]) or a compact one ([`CompactReport`]), typed; anything else is a
//! one-line reason, never a panic. Nesting is bounded at [`MAX_DEPTH`] before anything is
//! built (a report nests about ten deep), and [`read_bounded`] also bounds the size; the text
//! is data — whoever shows it escapes it.

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

/// The deepest nesting of arrays and objects read.
pub const MAX_DEPTH: usize = 64;

/// Why a text is too large or too deep to read, when it is: one pass over the bytes, nothing
/// built (the JSON is not checked here, only its nesting outside strings).
pub fn too_deep_or_large(text: &str, max_bytes: usize) -> Option<NotAReport> {
    if text.len() > max_bytes {
        return Some(NotAReport::Foreign(format!(
            "is {} bytes, more than the {max_bytes} read",
            text.len()
        )));
    }
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(NotAReport::Foreign(format!(
                        "nests deeper than {MAX_DEPTH} levels"
                    )));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Reads one report of at most `max_bytes` bytes and [`MAX_DEPTH`] levels.
pub fn read_bounded(text: &str, max_bytes: usize) -> Result<Received, NotAReport> {
    match too_deep_or_large(text, max_bytes) {
        Some(why) => Err(why),
        None => read(text),
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
    if let Some(why) = too_deep_or_large(text, usize::MAX) {
        return Err(why);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_or_large_texts_are_refused_before_parsing() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(matches!(read(&deep), Err(NotAReport::Foreign(w)) if w.contains("deeper")));
        // Brackets inside strings do not count.
        let quoted = format!("{{\"a\": \"{}\\\"[\"}}", "[".repeat(1000));
        assert!(too_deep_or_large(&quoted, usize::MAX).is_none());
        let big = format!("{{\"a\": \"{}\"}}", "x".repeat(2000));
        assert!(
            matches!(read_bounded(&big, 1000), Err(NotAReport::Foreign(w)) if w.contains("bytes"))
        );
    }
}
