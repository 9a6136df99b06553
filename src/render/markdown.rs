use super::common::{address_cells, confidence_word, evidence_kind, path_cell, vantage_line};
use super::escape::{code, md};
use crate::report::{CheckStatus, Report};

/// A table cell: Markdown-safe text (pipes escaped like every other metacharacter).
fn cell(s: &str) -> String {
    md(s)
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    out.push_str("# s3path report\n\n");
    out.push_str(&format!("{}\n\n", md(&vantage_line(r))));
    let v = &r.verdict;
    out.push_str(&format!(
        "## Verdict: `{}`{} ({})\n\n{}\n\n",
        v.path,
        v.via
            .as_deref()
            .map(|x| format!(" via {}", code(x)))
            .unwrap_or_default(),
        confidence_word(v.confidence),
        md(&v.summary)
    ));
    if let Some(e) = &r.expectation {
        let wanted: Vec<String> = e.expected.iter().map(|k| format!("`{k}`")).collect();
        let state = match e.met {
            Some(true) => "met",
            Some(false) => "**not met**",
            None => "cannot be decided",
        };
        out.push_str(&format!("Expected {}: {state}\n\n", wanted.join(" or ")));
        if let Some(why) = &e.undecided {
            out.push_str(&format!("{}\n\n", md(why)));
        }
    }
    if !v.evidence.is_empty() {
        out.push_str("Evidence:\n\n");
        for e in &v.evidence {
            out.push_str(&format!(
                "- **{}**: {}\n",
                evidence_kind(e.kind),
                md(&e.detail)
            ));
        }
        out.push('\n');
    }
    if !r.targets.is_empty() {
        out.push_str("## Targets\n\n| target | address | path | route table | confidence |\n|---|---|---|---|---|\n");
        for t in &r.targets {
            for (addr, d) in address_cells(t) {
                out.push_str(&format!(
                    "| {}{} | {} | {} | {} | {} |\n",
                    cell(&t.target.host),
                    if t.primary { " (primary)" } else { "" },
                    cell(&addr),
                    cell(&path_cell(d)),
                    cell(d.route_table.as_deref().unwrap_or("")),
                    confidence_word(d.confidence)
                ));
            }
        }
        out.push('\n');
    }
    if !r.names.is_empty() {
        out.push_str("## Names\n\n| input | names | host | path | confidence | notes |\n|---|---|---|---|---|---|\n");
        for n in &r.names {
            let notes: Vec<&str> = n
                .plan
                .refused
                .iter()
                .map(String::as_str)
                .chain(n.plan.because.iter().map(String::as_str))
                .collect();
            if n.paths.is_empty() {
                out.push_str(&format!(
                    "| {} | {} | | | | {} |\n",
                    cell(&n.plan.name.input),
                    n.plan.name.kind.label(),
                    cell(&notes.join("; "))
                ));
            }
            for path in &n.paths {
                out.push_str(&format!(
                    "| {} | {} | {} | {}{} | {} | {} |\n",
                    cell(&n.plan.name.input),
                    n.plan.name.kind.label(),
                    cell(&path.host),
                    path.path.as_str(),
                    path.via
                        .as_deref()
                        .map(|v| format!(" via {}", cell(v)))
                        .unwrap_or_default(),
                    confidence_word(path.confidence),
                    cell(&notes.join("; "))
                ));
            }
        }
        out.push('\n');
    }
    if !r.buckets.is_empty() {
        out.push_str("## Buckets\n\n| bucket | region | path | result | requests | decided by |\n|---|---|---|---|---|---|\n");
        for b in &r.buckets {
            let mut reqs: Vec<String> = b
                .requests
                .iter()
                .map(crate::checks::bucket::request_line)
                .collect();
            if !b.requests_from.is_vantage() && !reqs.is_empty() {
                reqs.insert(
                    0,
                    format!("made {}:", crate::checks::bucket::FROM_THIS_MACHINE),
                );
            }
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                cell(&b.name),
                cell(b.region.as_deref().unwrap_or("unknown")),
                cell(&b.path),
                cell(&b.result),
                reqs.iter()
                    .map(|q| cell(q))
                    .collect::<Vec<_>>()
                    .join("<br>"),
                cell(b.decided_by.as_deref().unwrap_or(""))
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!("## Findings ({})\n\n", r.findings.len()));
    if r.findings.is_empty() {
        out.push_str("None.\n\n");
    }
    for f in &r.findings {
        out.push_str(&format!(
            "### {} {} `{}`{}\n\n{}\n\n",
            f.severity,
            f.id,
            f.name,
            if f.preview { " (preview)" } else { "" },
            md(&f.message)
        ));
        if !f.remediation.is_empty() {
            out.push_str("Fix:\n\n");
            for fix in &f.remediation {
                out.push_str(&format!("- {}\n", code(fix)));
            }
            out.push('\n');
        }
        if !f.evidence.is_empty() {
            out.push_str("Evidence:\n\n");
            for e in &f.evidence {
                out.push_str(&format!("- {}\n", md(e)));
            }
            out.push('\n');
        }
    }
    out.push_str("## Checks\n\n| id | name | status | note |\n|---|---|---|---|\n");
    for c in &r.checks {
        let status = match c.status {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Skipped => "skipped",
        };
        out.push_str(&format!(
            "| {} | {} | {status} | {} |\n",
            c.id,
            c.name,
            cell(c.reason.as_deref().unwrap_or(""))
        ));
    }
    out.push_str("\n## Facts\n\n| part | status | detail |\n|---|---|---|\n");
    for f in &r.facts {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            f.part,
            f.status.as_str(),
            cell(f.detail.as_deref().unwrap_or(""))
        ));
    }
    out
}
