//! The human report: the verdict and its evidence first, then the findings with their fixes;
//! the rest (targets, buckets) compact, and the details (skipped checks, facts not collected,
//! each finding's evidence, timings) only with `-v`. Colour and symbols only when `styled`
//! (a terminal, and neither `NO_COLOR` nor `--color never`).

use anstyle::{AnsiColor, Style};

use super::common::HumanOptions;
use super::common::{
    address_cells, confidence_word, evidence_kind, path_cell, path_hops, path_line, vantage_line,
    visible_width, wrap,
};
use super::escape::line as t;
use crate::checks::Severity;
use crate::report::{CheckStatus, PartState, Report, RunStatus};

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

/// Appends `text` as one line, wrapped to `width` with a hanging indent of `hang` columns.
fn push(out: &mut String, width: usize, hang: usize, text: &str) {
    out.push_str(&wrap(text, hang, width));
    out.push('\n');
}

/// A fix: a command alone on its line wraps with shell continuations (` \`), so the wrapped
/// lines still paste as one command; prose wraps like any line.
fn push_fix(out: &mut String, width: usize, hang: usize, prefix: &str, fix: &str) {
    let command = ["aws ", "dig ", "export ", "s3path ", "curl "]
        .iter()
        .any(|c| fix.starts_with(c));
    let line = format!("{prefix}{fix}");
    if !command || width == 0 || visible_width(&line) <= width {
        return push(out, width, hang, &line);
    }
    let pieces = wrap(&line, hang, width.saturating_sub(2));
    let n = pieces.lines().count();
    for (i, piece) in pieces.lines().enumerate() {
        out.push_str(piece);
        if i + 1 < n {
            out.push_str(" \\");
        }
        out.push('\n');
    }
}

/// The status word, coloured (with its mark) only on a terminal.
fn status_word(p: &Paint, s: RunStatus) -> String {
    let (mark, colour) = match s {
        RunStatus::Ok => ("✓", AnsiColor::Green),
        RunStatus::Warn => ("!", AnsiColor::Yellow),
        RunStatus::Fail => ("✗", AnsiColor::Red),
        RunStatus::Unknown => ("?", AnsiColor::Magenta),
    };
    if p.styled {
        p.color(colour, &format!("{mark} {}", s.as_str()))
    } else {
        s.as_str().to_string()
    }
}

pub fn render(r: &Report, opts: &HumanOptions) -> String {
    let p = Paint {
        styled: opts.styled,
    };
    let w = opts.width;
    let mut out = String::new();

    // The status and the verdict first, then who ran where.
    let v = &r.verdict;
    let via = v
        .via
        .as_deref()
        .map(|x| format!(" via {}", t(x)))
        .unwrap_or_default();
    let mut head = format!("{}{via}", v.path);
    for h in &v.hops {
        head.push_str(&format!(" → {}", t(&h.label())));
    }
    push(
        &mut out,
        w,
        4,
        &format!(
            "{}  {}  [{}]",
            status_word(&p, r.status()),
            p.bold(&head),
            confidence_word(v.confidence)
        ),
    );
    push(&mut out, w, 4, &p.dim(&t(&vantage_line(r))));
    out.push('\n');

    // The verdict's grounds, the path, and its evidence.
    push(&mut out, w, 2, &format!("  {}", t(&v.summary)));
    if let Some(primary) = r.targets.iter().find(|x| x.primary) {
        let line = path_line(&path_hops(primary, r.region.as_deref()));
        push(
            &mut out,
            w,
            15,
            &format!("  {} {}", p.dim(&format!("{:<12}", "path")), t(&line)),
        );
    }
    if let Some(e) = &r.expectation {
        let wanted: Vec<&str> = e.expected.iter().map(|k| k.as_str()).collect();
        let state = match e.met {
            Some(true) => p.color(AnsiColor::Green, "met"),
            Some(false) => p.color(AnsiColor::Red, "NOT met"),
            None => p.color(AnsiColor::Yellow, "cannot be decided"),
        };
        push(
            &mut out,
            w,
            15,
            &format!("  {:<12} {}: {state}", "expected", wanted.join(" or ")),
        );
        if let Some(why) = &e.undecided {
            push(
                &mut out,
                w,
                15,
                &format!("  {:<12} {}", "undecided", t(why)),
            );
        }
    }
    for e in &v.evidence {
        push(
            &mut out,
            w,
            15,
            &format!(
                "  {} {}",
                p.dim(&format!("{:<12}", evidence_kind(e.kind))),
                t(&e.detail)
            ),
        );
    }
    if let Some(n) = &v.next {
        push(
            &mut out,
            w,
            15,
            &format!("  to the proxy: {}", t(&n.label())),
        );
        for e in &n.evidence {
            push(
                &mut out,
                w,
                17,
                &format!(
                    "    {} {}",
                    p.dim(&format!("{:<12}", evidence_kind(e.kind))),
                    t(&e.detail)
                ),
            );
        }
        if let Some(reason) = &n.reason {
            push(
                &mut out,
                w,
                17,
                &format!("    {:<12} {}", "reason", t(reason)),
            );
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
        push(
            &mut out,
            w,
            10,
            &format!(
                "  {} {} {}{}: {}",
                p.severity(f.severity),
                p.bold(&f.id),
                f.name,
                if f.preview { " (preview)" } else { "" },
                t(&f.message)
            ),
        );
        for fix in &f.remediation {
            push_fix(
                &mut out,
                w,
                15,
                &format!("          {} ", p.dim("fix:")),
                &t(fix),
            );
        }
        if opts.verbose {
            for e in &f.evidence {
                push(
                    &mut out,
                    w,
                    20,
                    &format!("          {} {}", p.dim("evidence:"), t(e)),
                );
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
        let (w1, w2, w3) = (width(1), width(2), width(3));
        let rest = 2 + w1 + 2 + w2 + 2 + w3;
        // The name column is as wide as the names that fit on one line with the rest; a longer
        // name gets its own line, its address and path below it in the same columns.
        let fits = |row: &[String; 4]| w == 0 || 2 + row[0].chars().count() + rest <= w;
        let w0 = rows
            .iter()
            .filter(|r| fits(r))
            .map(|r| r[0].chars().count())
            .max()
            .unwrap_or(0);
        for row in rows {
            let host = if fits(&row) {
                row[0].clone()
            } else {
                push(&mut out, w, 4, &format!("  {}", row[0]));
                String::new()
            };
            let line = format!(
                "  {:<w0$}  {:<w1$}  {:<w2$}  {}",
                host,
                row[1],
                row[2],
                p.dim(&row[3])
            );
            push(&mut out, w, 4, line.trim_end());
        }
        // With -v, the path of every target.
        if opts.verbose {
            out.push('\n');
            out.push_str(&p.bold("PATHS"));
            out.push('\n');
            for tp in &r.targets {
                push(&mut out, w, 4, &format!("  {}", t(&tp.target.host)));
                let line = path_line(&path_hops(tp, r.region.as_deref()));
                push(&mut out, w, 6, &format!("    {}", t(&line)));
            }
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
            push(
                &mut out,
                w,
                4,
                &format!(
                    "  {}  {}",
                    t(&n.plan.name.input),
                    p.dim(n.plan.name.kind.label())
                ),
            );
            for path in &n.paths {
                push(
                    &mut out,
                    w,
                    6,
                    &format!(
                        "    -> {}  {}{}  {}",
                        t(&path.host),
                        path.path.as_str(),
                        path.via
                            .as_deref()
                            .map(|v| format!(" via {}", t(v)))
                            .unwrap_or_default(),
                        p.dim(confidence_word(path.confidence))
                    ),
                );
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
            push(
                &mut out,
                w,
                4,
                &format!(
                    "  {}  region {region}  path {}  result {}",
                    t(&b.name),
                    t(&b.path),
                    t(&b.result)
                ),
            );
            if !b.requests_from.is_vantage() && !b.requests.is_empty() {
                push(
                    &mut out,
                    w,
                    4,
                    &format!(
                        "    requests made {}:",
                        crate::checks::bucket::FROM_THIS_MACHINE
                    ),
                );
            }
            for q in &b.requests {
                push(
                    &mut out,
                    w,
                    6,
                    &format!("    {}", t(&crate::checks::bucket::request_line(q))),
                );
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
            push(
                &mut out,
                w,
                4,
                &format!(
                    "  skipped {} {}: {}",
                    c.id,
                    c.name,
                    t(c.reason.as_deref().unwrap_or(""))
                ),
            );
        }
        let missing: Vec<_> = r
            .facts
            .iter()
            .filter(|f| f.status != PartState::Collected)
            .collect();
        if !missing.is_empty() {
            out.push_str("\nFACTS NOT AVAILABLE\n");
            for f in missing {
                push(
                    &mut out,
                    w,
                    4,
                    &format!(
                        "  {:<18} {}: {}",
                        f.part,
                        f.status.as_str().replace('_', " "),
                        t(f.detail.as_deref().unwrap_or(""))
                    ),
                );
            }
        }
        if !r.timings.is_empty() {
            out.push_str("\nTIMINGS\n");
            for tm in &r.timings {
                push(
                    &mut out,
                    w,
                    4,
                    &format!(
                        "  {:<14} {:>8.1} ms  (from {:.1} ms)",
                        t(&tm.phase),
                        tm.took_ms,
                        tm.started_ms
                    ),
                );
            }
        }
    }
    // Whatever line is still wider than the screen (a section without its own indent rule)
    // wraps under its own indent.
    if w > 0 && out.lines().any(|l| visible_width(l) > w) {
        let mut wrapped = String::with_capacity(out.len());
        for l in out.lines() {
            let indent = l.len() - l.trim_start_matches(' ').len();
            wrapped.push_str(&wrap(l, indent + 2, w));
            wrapped.push('\n');
        }
        out = wrapped;
    }
    out
}
