//! `s3path checks` (the list) and `s3path explain` (one check's page).

use serde::Serialize;

use super::output::{emit, print, ChecksFormat};
use crate::checks::{self, Category, Severity, Status, REGISTRY};
use crate::input::InputError;
use crate::render::{HumanOptions, Render};

/// One check in `s3path checks` (fields in the JSON's order: sorted).
#[derive(Serialize)]
pub struct CheckRow {
    pub category: Category,
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub status: Status,
    pub summary: &'static str,
}

/// Every check, in registry order.
#[derive(Serialize)]
#[serde(transparent)]
pub struct CheckList(pub Vec<CheckRow>);

impl CheckList {
    pub fn of_registry() -> CheckList {
        CheckList(
            REGISTRY
                .iter()
                .map(|c| {
                    let m = c.meta();
                    CheckRow {
                        category: m.category,
                        id: m.id,
                        name: m.name,
                        severity: m.severity,
                        status: m.status,
                        summary: m.summary,
                    }
                })
                .collect(),
        )
    }
}

impl Render for CheckList {
    /// Two lines a check (its facts, then its summary indented below them): fits the
    /// terminal, or 100 columns on a pipe.
    fn human(&self, opts: &HumanOptions) -> String {
        let name_w = self.0.iter().map(|c| c.name.len()).max().unwrap_or(4);
        let mut out = format!(
            "{:<6}  {:<name_w$}  {:<8}  {:<7}  {}\n",
            "ID", "NAME", "SEVERITY", "STATUS", "CATEGORY"
        );
        for c in &self.0 {
            out.push_str(&format!(
                "{:<6}  {:<name_w$}  {:<8}  {:<7}  {}\n",
                c.id,
                c.name,
                c.severity.as_str(),
                c.status.as_str(),
                c.category.as_str()
            ));
            out.push_str(&crate::render::wrap(
                &format!("        {}", c.summary),
                8,
                opts.width,
            ));
            out.push('\n');
        }
        out.push_str("s3path explain ID shows a check's page\n");
        out
    }
}

pub fn list(format: ChecksFormat) -> Result<u8, InputError> {
    print(&CheckList::of_registry(), format)?;
    Ok(0)
}

pub fn explain(check: &str) -> Result<u8, InputError> {
    let c = checks::find(check).ok_or_else(|| {
        InputError(format!(
            "explain '{check}': no check has that ID or name (s3path checks lists them)"
        ))
    })?;
    emit(&c.meta().page())?;
    Ok(0)
}
