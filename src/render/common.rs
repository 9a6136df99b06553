//! What the human and Markdown renderers share: their options, cells and words.

use crate::report::Report;

/// How the human report is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanOptions {
    /// Colour and symbols (a terminal that wants them).
    pub styled: bool,
    /// `-v`: every address, each finding's evidence, skipped checks, facts not gathered,
    /// timings, the path of every target.
    pub verbose: bool,
    /// Columns to wrap long lines to (with a hanging indent): the terminal's width, else
    /// [`PIPE_WIDTH`]; 0 does not wrap.
    pub width: usize,
}

impl Default for HumanOptions {
    /// Plain, not verbose, [`PIPE_WIDTH`] columns: what a pipe gets.
    fn default() -> Self {
        HumanOptions {
            styled: false,
            verbose: false,
            width: PIPE_WIDTH,
        }
    }
}

/// Address column text: the address, or the resolution status when there is none.
pub(super) fn address_cells(
    t: &crate::engine::TargetPath,
) -> Vec<(String, &crate::engine::Decision)> {
    if t.addresses.is_empty() {
        let text = if t.decision.path == crate::engine::PathKind::Proxy {
            "(the proxy resolves it)".to_string()
        } else {
            format!("({})", t.resolution.replace('_', " "))
        };
        vec![(text, &t.decision)]
    } else {
        t.addresses
            .iter()
            .map(|a| (a.address.to_string(), &a.decision))
            .collect()
    }
}

/// `path via X` plus, for a proxy, ` => path to proxy`.
pub(super) fn path_cell(d: &crate::engine::Decision) -> String {
    let mut s = d.label();
    if let Some(n) = &d.next {
        s.push_str(&format!(" => {}", n.label()));
    }
    s
}

pub(super) fn confidence_word(c: crate::engine::Confidence) -> &'static str {
    match c {
        crate::engine::Confidence::Confirmed => "confirmed",
        crate::engine::Confidence::Inferred => "inferred",
        crate::engine::Confidence::Probable => "probable",
        crate::engine::Confidence::Undetermined => "undetermined",
    }
}

pub(super) fn evidence_kind(k: crate::engine::EvidenceKind) -> &'static str {
    use crate::engine::EvidenceKind::*;
    match k {
        Dns => "dns",
        HostsFile => "hosts",
        VpcCidr => "vpc-cidr",
        Eni => "eni",
        Route => "route",
        PrefixList => "prefix-list",
        Proxy => "proxy",
        Probe => "probe",
        Vantage => "vantage",
        Assumption => "assumption",
        Missing => "missing",
    }
}

pub(super) fn vantage_line(r: &Report) -> String {
    let v = &r.vantage;
    let mut parts = vec![format!("s3path {}", r.tool_version)];
    parts.push(match &r.region {
        // The region's name says what it is; "region" only says it is unknown.
        Some(reg) => reg.to_string(),
        None => "region unknown".to_string(),
    });
    match &v.kind {
        Some(kind) => {
            let name = match kind {
                crate::facts::VantageKind::Ec2Instance => "EC2 instance",
                crate::facts::VantageKind::EcsTask => "ECS task",
                crate::facts::VantageKind::OffAws if v.subnet_id.is_some() => "not on AWS, judging",
                crate::facts::VantageKind::OffAws => "not on AWS",
                crate::facts::VantageKind::Subnet => "subnet (control plane only)",
            };
            let ids: Vec<&str> = [
                &v.instance_id,
                &v.availability_zone,
                &v.subnet_id,
                &v.vpc_id,
            ]
            .into_iter()
            .filter_map(|x| x.as_deref())
            .collect();
            if ids.is_empty() {
                parts.push(name.to_string());
            } else {
                parts.push(format!("{name} {}", ids.join(" ")));
            }
        }
        None => parts.push(format!("vantage {}", v.status)),
    }
    if let Some(a) = &v.aws_access {
        parts.push(a.clone());
    }
    parts.join(" · ")
}

/// Columns the human report wraps to when stdout is not a terminal.
pub const PIPE_WIDTH: usize = 100;

/// The hops of one target's path, from the application to S3, as the decision's evidence
/// gives them: how the name resolved, the address, the route table and route, what carries
/// the traffic, and where it ends (`S3 REGION`, or why it does not get there).
pub fn path_hops(t: &crate::engine::TargetPath, region: Option<&str>) -> Vec<String> {
    use crate::engine::PathKind;
    let mut hops = vec!["app".to_string()];
    let d = &t.decision;
    if d.path == PathKind::Proxy {
        hops.push(format!("proxy {}", d.via.as_deref().unwrap_or("?")));
        match d.next.as_deref() {
            Some(n) => decision_hops(n, &mut hops),
            None => hops.push("?".to_string()),
        }
        // What the proxy does next is not seen from here.
        if let Some(n) = d.next.as_deref() {
            if !matches!(n.path, PathKind::Blocked | PathKind::Unknown) {
                hops.push("…".to_string());
                hops.push(s3_hop(region));
            }
        }
        return hops;
    }
    hops.push(
        match t.answer_source {
            Some(crate::facts::AnswerSource::HostsFile) => "hosts file",
            Some(crate::facts::AnswerSource::Derived) => "derived DNS",
            _ => "DNS",
        }
        .to_string(),
    );
    match t
        .chosen_address
        .or_else(|| t.addresses.first().map(|a| a.address))
    {
        Some(a) => hops.push(a.to_string()),
        None => hops.push(format!("({})", t.resolution.replace('_', " "))),
    }
    decision_hops(d, &mut hops);
    // Beyond a transit gateway: each hop to the far end (hub-and-spoke).
    for h in &d.hops {
        hops.push(match h.path {
            PathKind::Unknown => "? (not followed further)".to_string(),
            _ => h.label(),
        });
    }
    let stopped = d.hops.iter().any(|h| h.ends_path());
    if !matches!(d.path, PathKind::Blocked | PathKind::Unknown) && !stopped {
        hops.push(s3_hop(region));
    }
    hops
}

fn s3_hop(region: Option<&str>) -> String {
    match region {
        Some(r) => format!("S3 {r}"),
        None => "S3".to_string(),
    }
}

/// The route table (with the route's destination) and what carries the traffic.
fn decision_hops(d: &crate::engine::Decision, hops: &mut Vec<String>) {
    use crate::engine::PathKind;
    if let Some(table) = &d.route_table {
        let dest = d
            .route
            .as_deref()
            .and_then(|r| r.split(" -> ").next())
            .filter(|s| !s.is_empty());
        hops.push(match dest {
            Some(dest) => format!("{table} ({dest})"),
            None => table.clone(),
        });
    }
    let kind = match d.path {
        PathKind::OffAws => "this host's own network",
        PathKind::Local => "a host in the VPC",
        PathKind::InterfaceEndpoint => "interface endpoint",
        PathKind::NetworkInterface => "network interface",
        PathKind::Blocked => {
            hops.push(format!(
                "blocked{}",
                d.reason
                    .as_deref()
                    .map(|_| match d.blocked_by {
                        Some(crate::engine::BlockCause::NoRoute) => " (no route)",
                        Some(crate::engine::BlockCause::Blackhole) => " (blackhole)",
                        Some(crate::engine::BlockCause::NoPublicAddress) => " (no public address)",
                        Some(crate::engine::BlockCause::DeadTarget) => " (dead route target)",
                        Some(crate::engine::BlockCause::NotTransitive) => " (not transitive)",
                        None => "",
                    })
                    .unwrap_or_default()
            ));
            return;
        }
        PathKind::Unknown => {
            hops.push("? (path not determined)".to_string());
            return;
        }
        other => other.describe(),
    };
    match &d.via {
        // A relay or proxy host in the VPC: the address already shown is the host.
        Some(v) if d.path == PathKind::Local && hops.last() == Some(v) => {
            hops.pop();
            hops.push(format!("{v} ({kind})"));
        }
        Some(v) => hops.push(format!("{v} ({kind})")),
        None => hops.push(kind.to_string()),
    }
}

/// The hops as one line.
pub fn path_line(hops: &[String]) -> String {
    hops.join(" → ")
}

/// Visible width of `s`: characters, not counting ANSI escape sequences.
pub fn visible_width(s: &str) -> usize {
    let mut n = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ params final-byte (0x40..=0x7e).
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        n += 1;
    }
    n
}

/// `line` broken at spaces so no piece is wider than `width` (when it can be: a single word
/// longer than the width stays whole), every piece after the first indented by `hang`
/// columns. `width` 0: no wrapping. The result has no trailing newline.
pub fn wrap(line: &str, hang: usize, width: usize) -> String {
    if width == 0 || visible_width(line) <= width || hang + 10 >= width {
        return line.to_string();
    }
    let indent_len = line.len() - line.trim_start_matches(' ').len();
    let (lead, body) = line.split_at(indent_len);
    let mut out = String::new();
    let mut current = lead.to_string();
    let mut current_w = visible_width(lead);
    let mut fresh = true;
    // Words wider than a line (a JSON document, a long URL) are cut after a comma or slash
    // (else anywhere); the pieces are glued back without a space when they share a line.
    let room = width.saturating_sub(hang).max(20);
    let mut pieces: Vec<(&str, bool)> = Vec::new();
    for word in body.split(' ') {
        let mut rest = word;
        let mut glued = false;
        while visible_width(rest) > room && !rest.contains('\u{1b}') {
            let limit = rest
                .char_indices()
                .nth(room)
                .map(|(i, _)| i)
                .unwrap_or(rest.len());
            let cut = rest[..limit]
                .rfind([',', '/'])
                .map(|i| i + 1)
                .filter(|i| *i > limit / 2)
                .unwrap_or(limit);
            pieces.push((&rest[..cut], glued));
            rest = &rest[cut..];
            glued = true;
        }
        pieces.push((rest, glued));
    }
    for (word, glued) in pieces {
        let w = visible_width(word);
        let gap = usize::from(!fresh && !glued);
        if !fresh && current_w + gap + w > width {
            out.push_str(current.trim_end());
            out.push('\n');
            // A word too long for the hanging indent starts further left.
            let indent = hang.min(width.saturating_sub(w));
            current = " ".repeat(indent);
            current_w = indent;
            fresh = true;
        }
        if !fresh && !glued {
            current.push(' ');
            current_w += 1;
        }
        current.push_str(word);
        current_w += w;
        fresh = false;
    }
    out.push_str(current.trim_end());
    out
}
