//! Renderers: they read a [`Report`] and produce text. Nothing here decides anything.

pub mod audit;
mod common;
pub mod escape;
pub mod html;
mod human;
mod markdown;
pub mod plan;

use crate::report::Report;
pub use audit::plural;
pub use common::{wrap, HumanOptions, PIPE_WIDTH};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    #[value(alias = "md")]
    Markdown,
    /// One line of JSON with the verdict and the findings only, at most 24,000 characters:
    /// what SSM Run Command returns inline (s3path fleet).
    Compact,
    /// One self-contained HTML file (inline style and script, nothing loaded from the
    /// network): for audit and merge, sections per VPC worst first and a sortable table.
    Html,
}

pub use crate::report::compact::COMPACT_MAX_CHARS;

/// The compact report (see [`crate::report::compact`]): one line of JSON.
pub fn compact(r: &Report) -> String {
    crate::report::compact::CompactReport::from(r).to_line()
}

/// What every command's output is: text for a terminal, Markdown for a ticket, JSON (pretty
/// or on one line). The CLI has one dispatch over [`Format`] for all of them ([`to_text`]).
pub trait Render: serde::Serialize {
    fn human(&self, opts: &HumanOptions) -> String;
    /// Markdown. Outputs without a Markdown form (their commands do not offer the format)
    /// show their plain text.
    fn markdown(&self) -> String {
        self.human(&HumanOptions::default())
    }
    /// The JSON document, indented.
    fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the output serializes") + "\n"
    }
    /// One line of JSON.
    fn compact(&self) -> String {
        serde_json::to_string(self).expect("the output serializes") + "\n"
    }
    /// One self-contained HTML page. Outputs without an HTML layout show their plain text.
    fn html(&self) -> String {
        html::plain_page("s3path", &self.human(&HumanOptions::default()))
    }
}

/// `output` in `format`: the one format dispatch.
pub fn to_text<R: Render + ?Sized>(output: &R, format: Format, human: &HumanOptions) -> String {
    match format {
        Format::Human => output.human(human),
        Format::Markdown => output.markdown(),
        Format::Json => output.json(),
        Format::Compact => output.compact(),
        Format::Html => output.html(),
    }
}

impl Render for Report {
    fn human(&self, opts: &HumanOptions) -> String {
        human::render(self, opts)
    }
    fn markdown(&self) -> String {
        markdown::render(self)
    }
    /// The compact report (see [`crate::report::compact`]), not this report on one line.
    fn compact(&self) -> String {
        compact(self)
    }
}

impl Render for crate::report::audit::AuditReport {
    fn human(&self, opts: &HumanOptions) -> String {
        audit::human(self, opts)
    }
    fn markdown(&self) -> String {
        audit::markdown(self)
    }
    fn html(&self) -> String {
        html::audit(self)
    }
}

impl Render for crate::report::plan::PlanReport {
    fn human(&self, opts: &HumanOptions) -> String {
        plan::plan_human(self, opts)
    }
}

impl Render for crate::report::baseline::DriftReport {
    fn human(&self, opts: &HumanOptions) -> String {
        plan::drift_human(self, opts)
    }
}

/// Plain (no colour), not verbose: what a pipe gets.
pub fn render(report: &Report, format: Format) -> String {
    render_with(report, format, &HumanOptions::default())
}

pub fn render_with(report: &Report, format: Format, human: &HumanOptions) -> String {
    to_text(report, format, human)
}
