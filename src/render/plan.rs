//! `--plan` and `--baseline` as text: per subnet `before → after` (or the drift since a
//! baseline) with what changed it. Reads a [`PlanReport`] / [`DriftReport`] only.

use super::common::HumanOptions;
use super::escape::line as t;
use crate::report::baseline::{DriftReport, DriftSide};
use crate::report::plan::{PlanReport, PlanSide};

fn side(s: Option<&PlanSide>, what: &str) -> String {
    match s {
        None => what.to_string(),
        Some(s) => match &s.via {
            Some(v) => format!("{} via {}", s.path.as_str(), t(v)),
            None => s.path.as_str().to_string(),
        },
    }
}

pub fn plan_human(r: &PlanReport, _opts: &HumanOptions) -> String {
    let mut out = format!(
        "Plan (format {}{}, {} resource changes) against {}:\n",
        t(&r.plan.format_version),
        r.plan
            .terraform_version
            .as_deref()
            .map(|v| format!(", terraform {}", t(v)))
            .unwrap_or_default(),
        r.plan.resource_changes,
        t(&r.region)
    );
    if r.subnets.is_empty() {
        out.push_str("  the plan changes nothing a subnet's S3 path depends on\n");
    }
    for row in &r.subnets {
        let exp = match row.expectation {
            Some("not_met") => "  ✗ expectation not met after apply",
            Some("undecided") => "  ? expectation undecided after apply",
            Some("met") => "  ✓ expectation met after apply",
            _ => "",
        };
        out.push_str(&format!(
            "  {} ({}): {} → {}{}\n",
            t(&row.subnet_id),
            t(&row.vpc_id),
            side(row.before.as_ref(), "(new subnet)"),
            side(row.after.as_ref(), "(deleted)"),
            exp
        ));
        if let Some(a) = &row.after {
            out.push_str(&format!("      after: {}\n", t(&a.summary)));
        }
        if !row.changed_by.is_empty() {
            let by: Vec<String> = row.changed_by.iter().map(|a| t(a).into_owned()).collect();
            out.push_str(&format!("      changed by: {}\n", by.join(", ")));
        }
        for u in &row.unknowns {
            out.push_str(&format!("      known after apply: {}\n", t(u)));
        }
    }
    if r.unaffected > 0 {
        out.push_str(&format!(
            "  {} other subnet(s) judged: the plan does not affect them\n",
            r.unaffected
        ));
    }
    for u in &r.unlocated {
        out.push_str(&format!(
            "  ? cannot tell which subnets this affects: {}\n",
            t(u)
        ));
    }
    for n in &r.not_judged {
        out.push_str(&format!("  not judged: {}: {}\n", t(&n.address), t(&n.why)));
    }
    if !r.expected.is_empty() {
        let kinds: Vec<&str> = r.expected.iter().map(|k| k.as_str()).collect();
        out.push_str(&format!("Expected after apply: {}\n", kinds.join(", ")));
    }
    out
}

fn drift_side(s: Option<&DriftSide>, what: &str) -> String {
    match s {
        None => what.to_string(),
        Some(s) => match &s.via {
            Some(v) => format!("{} via {}", s.path.as_str(), t(v)),
            None => s.path.as_str().to_string(),
        },
    }
}

pub fn drift_human(r: &DriftReport, _opts: &HumanOptions) -> String {
    let mut out = format!(
        "Since the baseline ({} subnets then, {} now): {}\n",
        r.subnets_before,
        r.subnets_now,
        if r.changes.is_empty() {
            "no subnet's path, via or findings changed".to_string()
        } else {
            r.summary
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    for c in &r.changes {
        out.push_str(&format!(
            "  {:<12} {} ({}, {}): {} → {}\n",
            c.direction.as_str(),
            t(&c.subnet_id),
            t(&c.vpc_id),
            t(&c.region),
            drift_side(c.before.as_ref(), "(new)"),
            drift_side(c.now.as_ref(), "(gone)")
        ));
        for why in &c.reasons {
            out.push_str(&format!("      {}\n", t(why)));
        }
    }
    out
}
