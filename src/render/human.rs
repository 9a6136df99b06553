use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

use super::{address_cells, confidence_word, evidence_kind, path_cell, vantage_line};
use crate::report::{CheckStatus, Report};

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    out.push_str(&vantage_line(r));
    out.push_str("\n\n");

    let v = &r.verdict;
    let via = v
        .via
        .as_deref()
        .map(|x| format!(" via {x}"))
        .unwrap_or_default();
    out.push_str(&format!(
        "VERDICT  {}{via}  [{}]\n  {}\n",
        v.path,
        confidence_word(v.confidence),
        v.summary
    ));
    if let Some(e) = &r.expectation {
        let wanted: Vec<&str> = e.expected.iter().map(|k| k.as_str()).collect();
        let state = match e.met {
            Some(true) => "met",
            Some(false) => "NOT met",
            None => "cannot be judged (path unknown)",
        };
        out.push_str(&format!("  expected {}: {state}\n", wanted.join(" or ")));
    }
    for e in &v.evidence {
        out.push_str(&format!("  {:<12} {}\n", evidence_kind(e.kind), e.detail));
    }
    if let Some(n) = &v.next {
        out.push_str(&format!("  to the proxy: {}\n", n.label()));
        for e in &n.evidence {
            out.push_str(&format!("    {:<12} {}\n", evidence_kind(e.kind), e.detail));
        }
        if let Some(reason) = &n.reason {
            out.push_str(&format!("    {:<12} {reason}\n", "reason"));
        }
    }

    if !r.targets.is_empty() {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(vec![
                "target",
                "address",
                "path",
                "route table",
                "confidence",
            ]);
        for t in &r.targets {
            let host = if t.primary {
                format!("{} *", t.target.host)
            } else {
                t.target.host.clone()
            };
            for (i, (addr, d)) in address_cells(t).into_iter().enumerate() {
                let source = match t.answer_source {
                    Some(crate::facts::AnswerSource::HostsFile) => " (hosts)",
                    _ => "",
                };
                table.add_row(vec![
                    if i == 0 { host.clone() } else { String::new() },
                    format!("{addr}{source}"),
                    path_cell(d),
                    d.route_table.clone().unwrap_or_default(),
                    confidence_word(d.confidence).to_string(),
                ]);
            }
        }
        out.push_str("\nTARGETS (* primary)\n");
        out.push_str(&table.to_string());
        out.push('\n');
    }

    if !r.buckets.is_empty() {
        out.push_str("\nBUCKETS\n");
        for b in &r.buckets {
            let region = match (&b.region, &b.region_missing) {
                (Some(reg), _) if b.other_region => format!("{reg} (another region)"),
                (Some(reg), _) => reg.clone(),
                (None, Some(why)) => format!("unknown ({why})"),
                (None, None) => "unknown".to_string(),
            };
            out.push_str(&format!(
                "  {}  region {region}  path {}  result {}\n",
                b.name, b.path, b.result
            ));
            for q in &b.requests {
                out.push_str(&format!("    {}\n", crate::checks::bucket::request_line(q)));
            }
            if let Some(d) = &b.decided_by {
                out.push_str(&format!("    decided by: {d}\n"));
            }
        }
    }

    out.push_str(&format!("\nFINDINGS ({})\n", r.findings.len()));
    if r.findings.is_empty() {
        out.push_str("  none\n");
    }
    for f in &r.findings {
        out.push_str(&format!(
            "  {:<7} {} {}: {}\n",
            f.severity, f.id, f.name, f.message
        ));
        for fix in &f.remediation {
            out.push_str(&format!("          fix: {fix}\n"));
        }
        for e in &f.evidence {
            out.push_str(&format!("          evidence: {e}\n"));
        }
    }

    let count = |s: CheckStatus| r.checks.iter().filter(|c| c.status == s).count();
    out.push_str(&format!(
        "\nCHECKS  {} run: {} passed, {} with findings, {} skipped (s3path explain ID for any)\n",
        r.checks.len(),
        count(CheckStatus::Pass),
        count(CheckStatus::Fail),
        count(CheckStatus::Skipped)
    ));
    for c in r.checks.iter().filter(|c| c.status == CheckStatus::Skipped) {
        out.push_str(&format!(
            "  skipped {} {}: {}\n",
            c.id,
            c.name,
            c.reason.as_deref().unwrap_or("")
        ));
    }
    let missing: Vec<_> = r.facts.iter().filter(|f| f.status != "collected").collect();
    if !missing.is_empty() {
        out.push_str("\nFACTS NOT AVAILABLE\n");
        for f in missing {
            out.push_str(&format!(
                "  {:<18} {}: {}\n",
                f.part,
                f.status.replace('_', " "),
                f.detail.as_deref().unwrap_or("")
            ));
        }
    }
    out
}
