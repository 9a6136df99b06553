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

pub use crate::report::compact::COMPACT_MAX_CHARS;

/// The compact report (see [`crate::report::compact`]): one line of JSON.
pub fn compact(r: &Report) -> String {
    crate::report::compact::CompactReport::from(r).to_line()
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
