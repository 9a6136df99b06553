//! Renderers: they read a [`Report`] and produce text. Nothing here decides anything.

pub mod audit;
mod common;
pub mod escape;
mod human;
mod markdown;

use crate::report::Report;
pub use common::HumanOptions;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    #[value(alias = "md")]
    Markdown,
    /// One line of JSON with the verdict and the findings only, at most
    /// [`COMPACT_MAX_CHARS`] characters: what SSM Run Command returns inline (`s3path fleet`).
    Compact,
}

/// SSM Run Command returns at most 24,000 characters of a command's output inline.
pub const COMPACT_MAX_CHARS: usize = 24_000;

/// The compact report: the vantage, the verdict and the findings (messages capped), nothing
/// else; `s3path merge` and `s3path fleet` read it like the full JSON report.
pub fn compact(r: &Report) -> String {
    use serde_json::json;
    let cap = |s: &str, n: usize| -> String {
        if s.chars().count() > n {
            let mut out: String = s.chars().take(n).collect();
            out.push('…');
            out
        } else {
            s.to_string()
        }
    };
    let findings: Vec<serde_json::Value> = r
        .findings
        .iter()
        .take(30)
        .map(|f| json!({"id": f.id, "severity": f.severity.as_str(), "message": cap(&f.message, 300)}))
        .collect();
    let v = json!({
        "schema_version": r.schema_version,
        "tool_version": r.tool_version,
        "compact": true,
        "region": r.region,
        "vantage": r.vantage,
        "verdict": {
            "host": r.verdict.host,
            "path": r.verdict.path,
            "via": r.verdict.via,
            "route_table": r.verdict.route_table,
            "confidence": r.verdict.confidence,
            "summary": cap(&r.verdict.summary, 600),
        },
        "expectation": r.expectation.as_ref().map(|e| json!({"met": e.met, "undecided": e.undecided})),
        "findings": findings,
        "findings_total": r.findings.len(),
        "exit_code": r.exit_code,
    });
    let mut s = serde_json::to_string(&v).expect("the compact report serializes");
    // Never past SSM's limit: drop findings (the count stays) until it fits.
    let mut v = v;
    while s.chars().count() + 1 > COMPACT_MAX_CHARS {
        match v["findings"].as_array_mut() {
            Some(a) if !a.is_empty() => {
                a.pop();
            }
            _ => break,
        }
        s = serde_json::to_string(&v).expect("the compact report serializes");
    }
    s.push('\n');
    s
}

/// Plain (no colour), not verbose: what a pipe gets.
pub fn render(report: &Report, format: Format) -> String {
    render_with(report, format, &HumanOptions::default())
}

pub fn render_with(report: &Report, format: Format, human: &HumanOptions) -> String {
    match format {
        Format::Human => human::render(report, human),
        Format::Markdown => markdown::render(report),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report).expect("report serializes");
            s.push('\n');
            s
        }
        Format::Compact => compact(report),
    }
}
