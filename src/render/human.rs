use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

use super::escape::line as t;
use super::{address_cells, confidence_word, evidence_kind, path_cell, vantage_line};
use crate::report::{CheckStatus, Report};

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    out.push_str(&t(&vantage_line(r)));
    out.push_str("\n\n");

    let v = &r.verdict;
    let via = v
        .via
        .as_deref()
        .map(|x| format!(" via {}", t(x)))
        .unwrap_or_default();
    out.push_str(&format!(
        "VERDICT  {}{via}  [{}]\n  {}\n",
        v.path,
        confidence_word(v.confidence),
        t(&v.summary)
    ));
    if let Some(e) = &r.expectation {
        let wanted: Vec<&str> = e.expected.iter().map(|k| k.as_str()).collect();
        let state = match e.met {
            Some(true) => "met",
            Some(false) => "NOT met",
            None => "cannot be decided",
        };
        out.push_str(&format!("  expected {}: {state}\n", wanted.join(" or ")));
        if let Some(why) = &e.undecided {
            out.push_str(&format!("  {:<12} {}\n", "undecided", t(why)));
        }
    }
    for e in &v.evidence {
        out.push_str(&format!(
            "  {:<12} {}\n",
            evidence_kind(e.kind),
            t(&e.detail)
        ));
    }
    if let Some(n) = &v.next {
        out.push_str(&format!("  to the proxy: {}\n", t(&n.label())));
        for e in &n.evidence {
            out.push_str(&format!(
                "    {:<12} {}\n",
                evidence_kind(e.kind),
                t(&e.detail)
            ));
        }
        if let Some(reason) = &n.reason {
            out.push_str(&format!("    {:<12} {}\n", "reason", t(reason)));
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
        for tp in &r.targets {
            let host = if tp.primary {
                format!("{} *", t(&tp.target.host))
            } else {
                t(&tp.target.host).into_owned()
            };
            for (i, (addr, d)) in address_cells(tp).into_iter().enumerate() {
                let source = match tp.answer_source {
                    Some(crate::facts::AnswerSource::HostsFile) => " (hosts)",
                    _ => "",
                };
                table.add_row(vec![
                    if i == 0 { host.clone() } else { String::new() },
                    format!("{}{source}", t(&addr)),
                    t(&path_cell(d)).into_owned(),
                    t(d.route_table.as_deref().unwrap_or_default()).into_owned(),
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
                (Some(reg), _) if b.other_region => format!("{} (another region)", t(reg)),
                (Some(reg), _) => t(reg).into_owned(),
                (None, Some(why)) => format!("unknown ({})", t(why)),
                (None, None) => "unknown".to_string(),
            };
            out.push_str(&format!(
                "  {}  region {region}  path {}  result {}\n",
                t(&b.name),
                t(&b.path),
                t(&b.result)
            ));
            for q in &b.requests {
                out.push_str(&format!(
                    "    {}\n",
                    t(&crate::checks::bucket::request_line(q))
                ));
            }
            if let Some(d) = &b.decided_by {
                out.push_str(&format!("    decided by: {}\n", t(d)));
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
            f.severity,
            f.id,
            f.name,
            t(&f.message)
        ));
        for fix in &f.remediation {
            out.push_str(&format!("          fix: {}\n", t(fix)));
        }
        for e in &f.evidence {
            out.push_str(&format!("          evidence: {}\n", t(e)));
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
            t(c.reason.as_deref().unwrap_or(""))
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
                t(f.detail.as_deref().unwrap_or(""))
            ));
        }
    }
    out
}
