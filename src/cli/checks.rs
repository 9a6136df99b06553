//! `s3path checks` (the list) and `s3path explain` (one check's page).

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
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
    fn human(&self, _: &HumanOptions) -> String {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(vec![
                "id", "name", "category", "severity", "status", "summary",
            ]);
        for c in &self.0 {
            table.add_row(vec![
                c.id,
                c.name,
                c.category.as_str(),
                c.severity.as_str(),
                c.status.as_str(),
                c.summary,
            ]);
        }
        format!("{table}\n")
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
