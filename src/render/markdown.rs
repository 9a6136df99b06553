use super::common::{
    address_cells, confidence_word, evidence_kind, path_cell, path_hops, vantage_line,
};
use super::escape::{code, md};
use crate::report::{CheckStatus, Report};

/// A table cell: Markdown-safe text (pipes escaped like every other metacharacter).
fn cell(s: &str) -> String {
    md(s)
}

/// A Mermaid node label: quoted, with the characters Mermaid or HTML would read escaped.
fn mermaid_label(s: &str) -> String {
    let mut out = String::new();
    for c in super::escape::line(s).chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '#' => out.push_str("#35;"),
            '|' => out.push_str("#124;"),
            c => out.push(c),
        }
    }
    out
}

/// The path as a Mermaid `flowchart LR` (GitHub and GitLab draw it).
fn mermaid(hops: &[String]) -> String {
    let nodes: Vec<String> = hops
        .iter()
        .enumerate()
        .map(|(i, h)| format!("h{i}[\"{}\"]", mermaid_label(h)))
        .collect();
    format!(
        "```mermaid\nflowchart LR\n  {}\n```\n\n",
        nodes.join(" --> ")
    )
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let v = &r.verdict;
    let status = r.status();
    out.push_str(&format!(
        "# s3path: {status} — `{}`{} ({})\n\n",
        v.path,
        v.via
            .as_deref()
            .map(|x| format!(" via {}", code(x)))
            .unwrap_or_default(),
        confidence_word(v.confidence),
    ));
    out.push_str(&format!("{}\n\n", md(&vantage_line(r))));
    out.push_str(&format!("{}\n\n", md(&v.summary)));
    if let Some(primary) = r.targets.iter().find(|t| t.primary) {
        out.push_str(&mermaid(&path_hops(primary, r.region.as_deref())));
    }
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
        for e in &v.evidence {
            out.push_str(&format!(
                "- **{}**: {}\n",
                evidence_kind(e.kind),
                md(&e.detail)
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
            "- **{} {}** `{}`{}: {}\n",
            f.severity,
            f.id,
            f.name,
            if f.preview { " (preview)" } else { "" },
            md(&f.message)
        ));
        for fix in &f.remediation {
            out.push_str(&format!("  - fix: {}\n", code(fix)));
        }
        if !f.evidence.is_empty() {
            let all: Vec<String> = f.evidence.iter().map(|e| md(e)).collect();
            out.push_str(&format!("  - evidence: {}\n", all.join("; ")));
        }
    }
    if !r.findings.is_empty() {
        out.push('\n');
    }
    let count = |s: CheckStatus| r.checks.iter().filter(|c| c.status == s).count();
    let collected = r
        .facts
        .iter()
        .filter(|f| f.status == crate::report::PartState::Collected)
        .count();
    out.push_str(&format!(
        "<details><summary>Targets ({}), checks ({}: {} passed, {} with findings, {} skipped), facts ({} of {} collected)</summary>\n\n",
        r.targets.len(),
        r.checks.len(),
        count(CheckStatus::Pass),
        count(CheckStatus::Fail),
        count(CheckStatus::Skipped),
        collected,
        r.facts.len()
    ));
    if !r.targets.is_empty() {
        out.push_str(
            "| target | address | path | route table | confidence |\n|---|---|---|---|---|\n",
        );
        for t in &r.targets {
            // One row per target when its addresses agree, else one per address.
            let cells = address_cells(t);
            let agree = cells.windows(2).all(|w| {
                path_cell(w[0].1) == path_cell(w[1].1)
                    && w[0].1.route_table == w[1].1.route_table
                    && w[0].1.confidence == w[1].1.confidence
            });
            let rows: Vec<(String, &crate::engine::Decision)> = if agree && cells.len() > 1 {
                let all: Vec<&str> = cells.iter().map(|(a, _)| a.as_str()).collect();
                vec![(all.join(", "), cells[0].1)]
            } else {
                cells
            };
            for (addr, d) in rows {
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
    // The names table when an input is more than a plain bucket at its regional name (the
    // targets table already shows those).
    let notable = |n: &crate::report::NameReport| {
        n.plan.name.kind != crate::names::NameKind::Bucket
            || n.plan.refused.is_some()
            || !n.plan.because.is_empty()
    };
    if r.names.iter().any(notable) {
        out.push_str(
            "| input | names | host | path | confidence | notes |\n|---|---|---|---|---|---|\n",
        );
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
        out.push_str("| bucket | region | path | result | requests | decided by |\n|---|---|---|---|---|---|\n");
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
    // The checks by status, the skipped ones grouped by reason; the facts not collected.
    let ids = |st: CheckStatus| {
        r.checks
            .iter()
            .filter(|c| c.status == st)
            .map(|c| c.id.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if count(CheckStatus::Fail) > 0 {
        out.push_str(&format!("- with findings: {}\n", ids(CheckStatus::Fail)));
    }
    out.push_str(&format!("- passed: {}\n", ids(CheckStatus::Pass)));
    let mut reasons: Vec<(&str, Vec<&str>)> = Vec::new();
    for c in r.checks.iter().filter(|c| c.status == CheckStatus::Skipped) {
        let why = c.reason.as_deref().unwrap_or("");
        match reasons.iter_mut().find(|(w, _)| *w == why) {
            Some((_, list)) => list.push(&c.id),
            None => reasons.push((why, vec![&c.id])),
        }
    }
    if !reasons.is_empty() {
        let parts: Vec<String> = reasons
            .iter()
            .map(|(why, list)| format!("{} ({})", list.join(", "), md(why)))
            .collect();
        out.push_str(&format!("- skipped: {}\n", parts.join("; ")));
    }
    let missing: Vec<String> = r
        .facts
        .iter()
        .filter(|f| f.status != crate::report::PartState::Collected)
        .map(|f| {
            format!(
                "{} {} ({})",
                f.part,
                f.status.as_str().replace('_', " "),
                md(f.detail.as_deref().unwrap_or(""))
            )
        })
        .collect();
    if !missing.is_empty() {
        out.push_str(&format!("- facts not collected: {}\n", missing.join("; ")));
    }
    out.push_str("\n</details>\n");
    out
}
