//! The audit report as text: one row per subnet, grouped by region and VPC, worst first; the
//! summary and the expectation last. Markdown for tickets. Reads an [`AuditReport`] only.

use super::common::confidence_word;
use super::common::HumanOptions;
use super::escape::{line as t, md};
use crate::report::audit::{AuditReport, SubnetRow};

fn verdict_cell(r: &SubnetRow) -> String {
    match &r.verdict.via {
        Some(v) => format!("{} via {}", r.verdict.path.as_str(), v),
        None => r.verdict.path.as_str().to_string(),
    }
}

fn table_cell(r: &SubnetRow) -> String {
    match (&r.route_table, r.association) {
        (Some(t), Some(crate::facts::RouteTableAssociation::Main)) => format!("{t} (main)"),
        (Some(t), _) => t.clone(),
        (None, _) => "no table".to_string(),
    }
}

fn mark(r: &SubnetRow, styled: bool) -> &'static str {
    let bad = r.expectation == Some("not_met")
        || matches!(
            r.verdict.path,
            crate::engine::PathKind::Blocked | crate::engine::PathKind::Unknown
        );
    match (styled, bad, r.findings.is_empty()) {
        (true, true, _) => "✗ ",
        (true, false, false) => "! ",
        (true, false, true) => "✓ ",
        (false, _, _) => "",
    }
}

pub fn human(r: &AuditReport, opts: &HumanOptions) -> String {
    let mut out = String::new();
    let vpcs: std::collections::BTreeSet<(&str, &str)> = r
        .subnets
        .iter()
        .map(|s| (s.region.as_str(), s.vpc_id.as_str()))
        .collect();
    out.push_str(&format!(
        "s3path {} audit · {} subnets in {} VPCs · {} region{}\n",
        r.tool_version,
        r.summary.subnets,
        vpcs.len(),
        r.regions.len(),
        if r.regions.len() == 1 { "" } else { "s" }
    ));
    for reg in &r.regions {
        let calls: u32 = reg.calls.values().sum();
        out.push_str(&format!(
            "  {}: {} subnets, {calls} API calls\n",
            t(&reg.region),
            reg.subnets
        ));
        for m in &reg.missing {
            out.push_str(&format!("    not collected: {}\n", t(m)));
        }
        for f in &reg.fix {
            out.push_str(&format!("    fix: {}\n", t(f)));
        }
    }
    for v in &r.vpcs_not_judged {
        out.push_str(&format!(
            "  {}: not judged: no subnet of it was found (check the id and --region)\n",
            t(v)
        ));
    }
    let mut current: Option<(&str, &str)> = None;
    let rows: Vec<[String; 5]> = r
        .subnets
        .iter()
        .map(|s| {
            [
                format!("{}{}", mark(s, opts.styled), t(&s.subnet_id)),
                t(s.availability_zone.as_deref().unwrap_or("")).into_owned(),
                t(&table_cell(s)).into_owned(),
                t(&verdict_cell(s)).into_owned(),
                confidence_word(s.verdict.confidence).to_string(),
            ]
        })
        .collect();
    let width = |k: usize| rows.iter().map(|r| r[k].chars().count()).max().unwrap_or(0);
    let (w0, w1, w2, w3) = (width(0), width(1), width(2), width(3));
    for (s, row) in r.subnets.iter().zip(&rows) {
        if current != Some((s.region.as_str(), s.vpc_id.as_str())) {
            current = Some((s.region.as_str(), s.vpc_id.as_str()));
            out.push_str(&format!("\n{} {}\n", t(&s.region), t(&s.vpc_id)));
        }
        let ids: Vec<&str> = s.findings.iter().map(|f| f.id.as_ref()).collect();
        out.push_str(&format!(
            "  {:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {}  {}\n",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            ids.join(" ")
        ));
        if opts.verbose {
            for f in &s.findings {
                out.push_str(&format!(
                    "      {} {}{}: {}\n",
                    f.severity.as_str(),
                    &f.id,
                    if f.preview { " (preview)" } else { "" },
                    t(&f.message)
                ));
            }
        }
    }
    out.push_str("\nSUMMARY  ");
    let paths: Vec<String> = r
        .summary
        .by_path
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    if paths.is_empty() {
        out.push_str("no subnet could be judged");
    } else {
        out.push_str(&paths.join(" · "));
    }
    out.push('\n');
    if !r.summary.findings.is_empty() {
        let f: Vec<String> = r
            .summary
            .findings
            .iter()
            .map(|(k, v)| format!("{k} ×{v}"))
            .collect();
        out.push_str(&format!(
            "FINDINGS {} (s3path explain ID; -v shows each)\n",
            f.join(" · ")
        ));
    }
    if let Some(c) = &r.cost {
        out.push_str(&format!("COST     {}\n", t(&c.summary)));
        for n in &c.nat_gateways {
            out.push_str(&format!(
                "  {} {}: {:.1} GB in {} days → up to ${:.2}/month at ${}/GB ({}); subnets {}\n",
                t(&n.region),
                t(&n.nat_gateway_id),
                n.processed_gb,
                n.days,
                n.monthly_usd_upper_bound,
                n.price_per_gb,
                t(&n.price_source),
                t(&n.subnets.join(", "))
            ));
        }
        for m in &c.missing {
            out.push_str(&format!("  not measured: {}\n", t(m)));
        }
    }
    if let Some(e) = &r.expectation {
        let kinds: Vec<&str> = e.expected.iter().map(|k| k.as_str()).collect();
        if e.not_met.is_empty() && e.undecided.is_empty() {
            out.push_str(&format!(
                "expected {}: met by all {} subnets\n",
                kinds.join(" or "),
                e.met
            ));
        } else {
            if !e.not_met.is_empty() {
                out.push_str(&format!(
                    "expected {}: NOT met by {} subnet{}: {}\n",
                    kinds.join(" or "),
                    e.not_met.len(),
                    if e.not_met.len() == 1 { "" } else { "s" },
                    t(&e.not_met.join(", "))
                ));
            }
            if !e.undecided.is_empty() {
                out.push_str(&format!(
                    "expected {}: undecided for {}: {}\n",
                    kinds.join(" or "),
                    e.undecided.len(),
                    t(&e.undecided.join(", "))
                ));
            }
        }
    }
    out
}

pub fn markdown(r: &AuditReport) -> String {
    let mut out = format!(
        "# s3path audit\n\n{} subnets · {}\n\n",
        r.summary.subnets,
        r.summary
            .by_path
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(" · ")
    );
    if let Some(e) = &r.expectation {
        let kinds: Vec<&str> = e.expected.iter().map(|k| k.as_str()).collect();
        out.push_str(&format!(
            "Expected {}: met by {}, **not met by {}**{}, undecided for {}.\n\n",
            kinds.join(" or "),
            e.met,
            e.not_met.len(),
            if e.not_met.is_empty() {
                String::new()
            } else {
                format!(" ({})", md(&e.not_met.join(", ")))
            },
            e.undecided.len()
        ));
    }
    for reg in r.regions.iter().filter(|g| !g.fix.is_empty()) {
        out.push_str(&format!(
            "**{}: the subnets could not be listed.** Fix: {}\n\n",
            md(&reg.region),
            md(&reg.fix.join("; "))
        ));
    }
    if !r.vpcs_not_judged.is_empty() {
        out.push_str(&format!(
            "**Not judged:** {} (no subnet of it was found).\n\n",
            md(&r.vpcs_not_judged.join(", "))
        ));
    }
    if let Some(c) = &r.cost {
        out.push_str(&format!("**Cost:** {}\n\n", md(&c.summary)));
    }
    out.push_str(
        "| region | VPC | subnet | AZ | route table | path | confidence | findings |\n|---|---|---|---|---|---|---|---|\n",
    );
    for s in &r.subnets {
        let ids: Vec<&str> = s.findings.iter().map(|f| f.id.as_ref()).collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            md(&s.region),
            md(&s.vpc_id),
            md(&s.subnet_id),
            md(s.availability_zone.as_deref().unwrap_or("")),
            md(&table_cell(s)),
            md(&verdict_cell(s)),
            confidence_word(s.verdict.confidence),
            ids.join(", ")
        ));
    }
    out
}
