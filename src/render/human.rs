//! The human report: the verdict and its evidence first, then the findings with their fixes;
//! the rest (targets, buckets) compact, and the details (skipped checks, facts not collected,
//! each finding's evidence, timings) only with `-v`. Colour and symbols only when `styled`
//! (a terminal, and neither `NO_COLOR` nor `--color never`).

use anstyle::{AnsiColor, Style};

use super::common::HumanOptions;
use super::common::{address_cells, confidence_word, evidence_kind, path_cell, vantage_line};
use super::escape::line as t;
use crate::checks::Severity;
use crate::engine::{Confidence, PathKind};
use crate::report::{CheckStatus, PartState, Report};

struct Paint {
    styled: bool,
}

impl Paint {
    fn with(&self, style: Style, text: &str) -> String {
        if self.styled {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.with(Style::new().bold(), text)
    }

    fn dim(&self, text: &str) -> String {
        self.with(Style::new().dimmed(), text)
    }

    fn color(&self, c: AnsiColor, text: &str) -> String {
        self.with(Style::new().fg_color(Some(c.into())).bold(), text)
    }

    /// `✓`/`✗`/`!` on a terminal, words on a pipe.
    fn mark(&self, ok: Option<bool>) -> String {
        match (self.styled, ok) {
            (true, Some(true)) => self.color(AnsiColor::Green, "✓"),
            (true, Some(false)) => self.color(AnsiColor::Red, "✗"),
            (true, None) => self.color(AnsiColor::Yellow, "!"),
            (false, _) => String::new(),
        }
    }

    fn severity(&self, s: Severity) -> String {
        let word = format!("{:<7}", s.as_str());
        match s {
            Severity::Error => self.color(AnsiColor::Red, &word),
            Severity::Warning => self.color(AnsiColor::Yellow, &word),
            Severity::Info => self.color(AnsiColor::Cyan, &word),
        }
    }
}

pub fn render(r: &Report, opts: &HumanOptions) -> String {
    let p = Paint {
        styled: opts.styled,
    };
    let mut out = String::new();
    out.push_str(&p.dim(&t(&vantage_line(r))));
    out.push_str("\n\n");

    // The verdict, its grounds, and its evidence.
    let v = &r.verdict;
    let via = v
        .via
        .as_deref()
        .map(|x| format!(" via {}", t(x)))
        .unwrap_or_default();
    let good = match (v.path, v.confidence) {
        (PathKind::Unknown | PathKind::Blocked, _) => Some(false),
        (_, Confidence::Probable) => None,
        _ if r.findings.iter().any(|f| f.severity == Severity::Error) => Some(false),
        _ => Some(true),
    };
    let mark = p.mark(good);
    let mut head = format!("{}{via}", v.path);
    for h in &v.hops {
        head.push_str(&format!(" → {}", t(&h.label())));
    }
    out.push_str(&format!(
        "{}{}VERDICT  {}  [{}]\n  {}\n",
        mark,
        if mark.is_empty() { "" } else { " " },
        p.bold(&head),
        confidence_word(v.confidence),
        t(&v.summary)
    ));
    if let Some(e) = &r.expectation {
        let wanted: Vec<&str> = e.expected.iter().map(|k| k.as_str()).collect();
        let state = match e.met {
            Some(true) => p.color(AnsiColor::Green, "met"),
            Some(false) => p.color(AnsiColor::Red, "NOT met"),
            None => p.color(AnsiColor::Yellow, "cannot be decided"),
        };
        out.push_str(&format!("  expected {}: {state}\n", wanted.join(" or ")));
        if let Some(why) = &e.undecided {
            out.push_str(&format!("  {:<12} {}\n", "undecided", t(why)));
        }
    }
    for e in &v.evidence {
        out.push_str(&format!(
            "  {} {}\n",
            p.dim(&format!("{:<12}", evidence_kind(e.kind))),
            t(&e.detail)
        ));
    }
    if let Some(n) = &v.next {
        out.push_str(&format!("  to the proxy: {}\n", t(&n.label())));
        for e in &n.evidence {
            out.push_str(&format!(
                "    {} {}\n",
                p.dim(&format!("{:<12}", evidence_kind(e.kind))),
                t(&e.detail)
            ));
        }
        if let Some(reason) = &n.reason {
            out.push_str(&format!("    {:<12} {}\n", "reason", t(reason)));
        }
    }

    // The findings and their fixes (their evidence with -v).
    out.push('\n');
    if r.findings.is_empty() {
        let m = p.mark(Some(true));
        out.push_str(&format!(
            "{}{}no findings\n",
            m,
            if m.is_empty() { "" } else { " " }
        ));
    } else {
        out.push_str(&p.bold(&format!("FINDINGS ({})", r.findings.len())));
        out.push('\n');
    }
    for f in &r.findings {
        out.push_str(&format!(
            "  {} {} {}{}: {}\n",
            p.severity(f.severity),
            p.bold(&f.id),
            f.name,
            if f.preview { " (preview)" } else { "" },
            t(&f.message)
        ));
        for fix in &f.remediation {
            out.push_str(&format!("          {} {}\n", p.dim("fix:"), t(fix)));
        }
        if opts.verbose {
            for e in &f.evidence {
                out.push_str(&format!("          {} {}\n", p.dim("evidence:"), t(e)));
            }
        }
    }

    // The names judged, one line each (every address with -v).
    if !r.targets.is_empty() {
        out.push('\n');
        out.push_str(&p.bold("TARGETS"));
        out.push_str(&p.dim("  (* primary)"));
        out.push('\n');
        let mut rows: Vec<[String; 4]> = Vec::new();
        for tp in &r.targets {
            let cells = address_cells(tp);
            let shown = if opts.verbose { cells.len() } else { 1 };
            for (i, (addr, d)) in cells.iter().take(shown).enumerate() {
                let host = match (i, tp.primary) {
                    (0, true) => format!("{} *", t(&tp.target.host)),
                    (0, false) => t(&tp.target.host).into_owned(),
                    _ => String::new(),
                };
                let source = match tp.answer_source {
                    Some(crate::facts::AnswerSource::HostsFile) => " (hosts)",
                    Some(crate::facts::AnswerSource::Derived) => " (derived)",
                    _ => "",
                };
                let more = if !opts.verbose && cells.len() > 1 {
                    format!(" +{}", cells.len() - 1)
                } else {
                    String::new()
                };
                let addr = match (i, tp.chosen_address) {
                    (0, Some(c)) if !opts.verbose => c.to_string(),
                    _ => addr.clone(),
                };
                rows.push([
                    host,
                    format!("{}{source}{more}", t(&addr)),
                    t(&path_cell(d)).into_owned(),
                    confidence_word(d.confidence).to_string(),
                ]);
            }
        }
        let width = |k: usize| rows.iter().map(|r| r[k].chars().count()).max().unwrap_or(0);
        let (w0, w1, w2) = (width(0), width(1), width(2));
        for row in rows {
            out.push_str(&format!(
                "  {:<w0$}  {:<w1$}  {:<w2$}  {}\n",
                row[0],
                row[1],
                row[2],
                p.dim(&row[3])
            ));
        }
    }

    // What each --bucket input names, when it is more than a plain bucket at its regional
    // name (an access point, a directory bucket, a URL, a setting that changed the name).
    let notable = |n: &crate::report::NameReport| {
        n.plan.name.kind != crate::names::NameKind::Bucket
            || n.plan.refused.is_some()
            || !n.plan.because.is_empty()
    };
    if r.names.iter().any(notable) {
        out.push('\n');
        out.push_str(&p.bold("NAMES"));
        out.push('\n');
        for n in r.names.iter().filter(|n| notable(n)) {
            out.push_str(&format!(
                "  {}  {}\n",
                t(&n.plan.name.input),
                p.dim(n.plan.name.kind.label())
            ));
            for path in &n.paths {
                out.push_str(&format!(
                    "    -> {}  {}{}  {}\n",
                    t(&path.host),
                    path.path.as_str(),
                    path.via
                        .as_deref()
                        .map(|v| format!(" via {}", t(v)))
                        .unwrap_or_default(),
                    p.dim(confidence_word(path.confidence))
                ));
            }
            if let Some(why) = &n.plan.refused {
                out.push_str(&format!("    refused: {}\n", t(why)));
            }
            for b in &n.plan.because {
                out.push_str(&format!("    {}\n", p.dim(&t(b))));
            }
        }
    }

    if !r.buckets.is_empty() {
        out.push('\n');
        out.push_str(&p.bold("BUCKETS"));
        out.push('\n');
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
            if !b.requests_from.is_vantage() && !b.requests.is_empty() {
                out.push_str(&format!(
                    "    requests made {}:\n",
                    crate::checks::bucket::FROM_THIS_MACHINE
                ));
            }
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

    // The checks, counted; which were skipped and why, the facts not gathered and the
    // timings with -v.
    let count = |s: CheckStatus| r.checks.iter().filter(|c| c.status == s).count();
    out.push('\n');
    out.push_str(&p.dim(&format!(
        "{} checks: {} passed, {} with findings, {} skipped{} · s3path explain ID",
        r.checks.len(),
        count(CheckStatus::Pass),
        count(CheckStatus::Fail),
        count(CheckStatus::Skipped),
        if opts.verbose { "" } else { " (-v lists them)" }
    )));
    out.push('\n');
    if opts.verbose {
        for c in r.checks.iter().filter(|c| c.status == CheckStatus::Skipped) {
            out.push_str(&format!(
                "  skipped {} {}: {}\n",
                c.id,
                c.name,
                t(c.reason.as_deref().unwrap_or(""))
            ));
        }
        let missing: Vec<_> = r
            .facts
            .iter()
            .filter(|f| f.status != PartState::Collected)
            .collect();
        if !missing.is_empty() {
            out.push_str("\nFACTS NOT AVAILABLE\n");
            for f in missing {
                out.push_str(&format!(
                    "  {:<18} {}: {}\n",
                    f.part,
                    f.status.as_str().replace('_', " "),
                    t(f.detail.as_deref().unwrap_or(""))
                ));
            }
        }
        if !r.timings.is_empty() {
            out.push_str("\nTIMINGS\n");
            for tm in &r.timings {
                out.push_str(&format!(
                    "  {:<14} {:>8.1} ms  (from {:.1} ms)\n",
                    t(&tm.phase),
                    tm.took_ms,
                    tm.started_ms
                ));
            }
        }
    }
    out
}
