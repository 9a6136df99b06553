//! `s3path merge`: many reports (doctor or route `--format json`, from SSM, Ansible,
//! `kubectl exec` or a CI matrix), one fleet view: per host its verdict and findings, counts by
//! path and by finding, and — first, because they are the interesting ones — the
//! disagreements: hosts in the same subnet whose paths differ (a hosts-file pin, a proxy
//! variable, a resolver). Pure: it reads parsed reports, never the network.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::engine::{Confidence, PathKind};
use crate::render::escape;
use crate::report::read::{self, NotAReport, Received};

/// One host's report, as merged. Every text is escaped when read (it came from another
/// machine).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Host {
    /// The instance id the report names, else the file it came from (`fleet`: the instance
    /// SSM ran it on).
    pub host: String,
    /// The file the report came from.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    pub path: PathKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    pub confidence: Confidence,
    pub summary: String,
    /// The IDs of its findings (a compact report lists at most 30).
    pub findings: Vec<String>,
    pub exit_code: u8,
}

impl Host {
    fn label(&self) -> String {
        match &self.via {
            Some(v) => format!("{} via {v}", self.path),
            None => self.path.to_string(),
        }
    }
}

/// Hosts of one subnet that take different paths.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disagreement {
    pub subnet_id: String,
    /// Each path taken in the subnet and the hosts that take it.
    pub paths: Vec<PathGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathGroup {
    pub path: PathKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    pub hosts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub reports: usize,
    pub by_path: BTreeMap<String, usize>,
    pub by_finding: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Merged {
    pub summary: Summary,
    pub disagreements: Vec<Disagreement>,
    pub hosts: Vec<Host>,
    /// Files that could not be merged, each with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<String>,
}

fn line(s: &str) -> String {
    escape::line(s).into_owned()
}

/// One report's host (`source` names where it came from).
pub fn host(report: &Received, source: &str) -> Host {
    let (vantage, path, via, confidence, summary, exit_code) = match report {
        Received::Full(r) => (
            &r.vantage,
            r.verdict.path,
            &r.verdict.via,
            r.verdict.confidence,
            &r.verdict.summary,
            r.exit_code,
        ),
        Received::Compact(c) => (
            &c.vantage,
            c.verdict.path,
            &c.verdict.via,
            c.verdict.confidence,
            &c.verdict.summary,
            c.exit_code,
        ),
    };
    let met = match report {
        Received::Full(r) => r.expectation.as_ref().and_then(|e| e.met),
        Received::Compact(c) => c.expectation.as_ref().and_then(|e| e.met),
    };
    let exit_code = host_exit_code(exit_code, path, met);
    let findings = match report {
        Received::Full(r) => r.findings.iter().map(|f| line(&f.id)).collect(),
        Received::Compact(c) => c.findings.iter().map(|f| line(&f.id)).collect(),
    };
    let source = line(source);
    Host {
        host: vantage
            .instance_id
            .as_deref()
            .map(line)
            .unwrap_or_else(|| source.clone()),
        source,
        subnet_id: vantage.subnet_id.as_deref().map(line),
        vpc_id: vantage.vpc_id.as_deref().map(line),
        availability_zone: vantage.availability_zone.as_deref().map(line),
        path,
        via: via.as_deref().map(line),
        confidence,
        summary: line(summary),
        findings,
        exit_code,
    }
}

/// A host's exit code, not taken on the report's word alone: the worst of the code it gives
/// (one outside the contract counts as undecided) and what its verdict calls for — an
/// unknown path could not be judged (3); a blocked one fails (1) unless the report's own
/// `--expect` was met by it.
fn host_exit_code(given: u8, path: PathKind, met: Option<bool>) -> u8 {
    use crate::report::exit;
    let from_verdict = match path {
        PathKind::Unknown => exit::UNDECIDED,
        PathKind::Blocked if met != Some(true) => exit::FAILING,
        _ => exit::OK,
    };
    crate::report::aggregate_exit_codes([given, from_verdict])
}

/// Reads one report's text (`source` names it): its host, or why it is not a report.
pub fn read_host(text: &str, source: &str) -> Result<Host, NotAReport> {
    read::read(text).map(|r| host(&r, source))
}

/// Merges the hosts read (and the files rejected) into the fleet view.
pub fn merge(hosts: Vec<Host>, rejected: Vec<String>) -> Merged {
    // The same host reported twice (two runs, or copied files): tell them apart by file.
    let mut hosts = hosts;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for h in &hosts {
        *seen.entry(h.host.clone()).or_default() += 1;
    }
    for h in &mut hosts {
        if seen[&h.host] > 1 && h.host != h.source {
            h.host = format!("{} ({})", h.host, h.source);
        }
    }
    let mut by_path: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_finding: BTreeMap<String, usize> = BTreeMap::new();
    let mut subnets: BTreeMap<String, Vec<&Host>> = BTreeMap::new();
    for h in &hosts {
        *by_path.entry(h.path.to_string()).or_default() += 1;
        for f in &h.findings {
            *by_finding.entry(f.clone()).or_default() += 1;
        }
        if let Some(s) = &h.subnet_id {
            subnets.entry(s.clone()).or_default().push(h);
        }
    }
    let mut disagreements = Vec::new();
    for (subnet, members) in subnets {
        // Each (path, via) once, in the order first seen: linear in the subnet's hosts however
        // many distinct paths they take.
        let mut groups: Vec<PathGroup> = Vec::new();
        let mut group_of: HashMap<(PathKind, Option<&str>), usize> = HashMap::new();
        for h in members {
            match group_of.entry((h.path, h.via.as_deref())) {
                Entry::Occupied(g) => groups[*g.get()].hosts.push(h.host.clone()),
                Entry::Vacant(v) => {
                    v.insert(groups.len());
                    groups.push(PathGroup {
                        path: h.path,
                        via: h.via.clone(),
                        hosts: vec![h.host.clone()],
                    });
                }
            }
        }
        if groups.len() > 1 {
            // The majority first: the others are the ones to look at.
            groups.sort_by_key(|g| std::cmp::Reverse(g.hosts.len()));
            disagreements.push(Disagreement {
                subnet_id: subnet,
                paths: groups,
            });
        }
    }
    // Worst first (failing, then could not judge: report::exit_rank), then by subnet and host.
    hosts.sort_by(|a, b| {
        crate::report::exit_rank(b.exit_code)
            .cmp(&crate::report::exit_rank(a.exit_code))
            .then_with(|| a.subnet_id.cmp(&b.subnet_id))
            .then_with(|| a.host.cmp(&b.host))
    });
    Merged {
        summary: Summary {
            reports: hosts.len(),
            by_path,
            by_finding,
        },
        disagreements,
        hosts,
        rejected,
    }
}

/// The fleet view for a terminal or a pipe.
pub fn render_human(m: &Merged) -> String {
    let mut out = String::new();
    let counts: Vec<String> = m
        .summary
        .by_path
        .iter()
        .map(|(p, n)| format!("{p} {n}"))
        .collect();
    out.push_str(&format!(
        "{} · {}\n",
        crate::render::plural(m.summary.reports, "report"),
        counts.join(", ")
    ));
    if !m.disagreements.is_empty() {
        out.push_str(&format!(
            "\nDISAGREEMENTS ({}): hosts of one subnet that take different paths\n",
            m.disagreements.len()
        ));
        for d in &m.disagreements {
            out.push_str(&format!("  {}\n", d.subnet_id));
            for g in &d.paths {
                let label = match &g.via {
                    Some(v) => format!("{} via {v}", g.path),
                    None => g.path.to_string(),
                };
                out.push_str(&format!(
                    "    {label}: {} host(s): {}\n",
                    g.hosts.len(),
                    crate::engine::join_capped(&g.hosts)
                ));
            }
        }
    }
    if !m.summary.by_finding.is_empty() {
        let f: Vec<String> = m
            .summary
            .by_finding
            .iter()
            .map(|(id, n)| format!("{id} ×{n}"))
            .collect();
        out.push_str(&format!("\nFINDINGS  {}\n", f.join(", ")));
    }
    out.push_str("\nHOSTS\n");
    for h in &m.hosts {
        out.push_str(&format!(
            "  {}  {}  {}  [{}]  {}\n",
            h.host,
            h.subnet_id.as_deref().unwrap_or("-"),
            h.label(),
            h.confidence.as_str(),
            if h.findings.is_empty() {
                "no findings".to_string()
            } else {
                h.findings.join(" ")
            }
        ));
    }
    out
}

/// The fleet view as Markdown (for a ticket).
pub fn render_markdown(m: &Merged) -> String {
    use crate::render::escape::md;
    let mut out = String::from("# s3path fleet view\n\n");
    out.push_str(&format!(
        "{}.\n\n| path | hosts |\n|---|---|\n",
        crate::render::plural(m.summary.reports, "report")
    ));
    for (p, n) in &m.summary.by_path {
        out.push_str(&format!("| {} | {n} |\n", md(p)));
    }
    if !m.disagreements.is_empty() {
        out.push_str("\n## Disagreements\n\n| subnet | path | hosts |\n|---|---|---|\n");
        for d in &m.disagreements {
            for g in &d.paths {
                let label = match &g.via {
                    Some(v) => format!("{} via {v}", g.path),
                    None => g.path.to_string(),
                };
                out.push_str(&format!(
                    "| {} | {} | {} |\n",
                    md(&d.subnet_id),
                    md(&label),
                    md(&crate::engine::join_capped(&g.hosts))
                ));
            }
        }
    }
    out.push_str(
        "\n## Hosts\n\n| host | subnet | path | confidence | findings |\n|---|---|---|---|---|\n",
    );
    for h in &m.hosts {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            md(&h.host),
            md(h.subnet_id.as_deref().unwrap_or("-")),
            md(&h.label()),
            md(h.confidence.as_str()),
            md(&h.findings.join(" "))
        ));
    }
    out
}

impl crate::render::Render for Merged {
    fn human(&self, _: &crate::render::HumanOptions) -> String {
        render_human(self)
    }
    fn markdown(&self) -> String {
        render_markdown(self)
    }
    fn html(&self) -> String {
        render_html(self)
    }
}

/// The fleet view as one self-contained page: disagreements first, then one section per VPC
/// (worst first) with each host's status, path picture and findings, and a sortable table of
/// every host.
pub fn render_html(m: &Merged) -> String {
    let (body, attrs) = html_body(m);
    crate::render::html::page("s3path fleet view", &attrs, &body)
}

/// The page's body and the attributes of its `<main>` (`fleet` adds its own sections).
pub fn html_body(m: &Merged) -> (String, String) {
    use crate::render::html::{anchor, esc, hop, Status};
    use std::fmt::Write as _;
    let status = |h: &Host| {
        let s = Status::from_exit(h.exit_code, !h.findings.is_empty());
        match h.path {
            PathKind::Blocked => Status::Fail,
            PathKind::Unknown => s.max(Status::Unknown),
            _ => s,
        }
    };
    let picture = |h: &Host| {
        let mut hops = vec![esc(&h.host)];
        if let Some(s) = &h.subnet_id {
            hops.push(esc(s));
        }
        match h.path {
            PathKind::Blocked => hops.push("✗ blocked".to_string()),
            PathKind::Unknown => hops.push("? (undetermined)".to_string()),
            k => {
                hops.push(hop(k, h.via.as_deref()));
                hops.push("S3".to_string());
            }
        }
        hops.join(" → ")
    };
    let mut body = String::from("<h1>s3path fleet view</h1>\n");
    let counts: Vec<String> = m
        .summary
        .by_path
        .iter()
        .map(|(p, n)| format!("{} {n}", esc(p)))
        .collect();
    let overall = m.hosts.iter().map(status).max().unwrap_or(Status::Unknown);
    let _ = writeln!(
        body,
        "<p>{} {} report{} · {}</p>",
        overall.cell(),
        m.summary.reports,
        if m.summary.reports == 1 { "" } else { "s" },
        counts.join(" · ")
    );
    for r in &m.rejected {
        let _ = writeln!(body, "<p class=\"muted\">not merged: {}</p>", esc(r));
    }
    if !m.disagreements.is_empty() {
        body.push_str(
            "<h2>Disagreements: hosts of one subnet that take different paths</h2>\n<ul>",
        );
        for d in &m.disagreements {
            let groups: Vec<String> = d
                .paths
                .iter()
                .map(|g| {
                    format!(
                        "{}: {}",
                        hop(g.path, g.via.as_deref()),
                        esc(&crate::engine::join_capped(&g.hosts))
                    )
                })
                .collect();
            let _ = write!(
                body,
                "<li><span class=\"mono\">{}</span>: {}</li>",
                esc(&d.subnet_id),
                groups.join("; ")
            );
        }
        body.push_str("</ul>\n");
    }
    body.push_str("<h2>Hosts</h2>\n<div class=\"wide\"><table class=\"sortable\" id=\"host-table\" data-main><thead><tr><th>status</th><th>host</th><th>VPC</th><th>subnet</th><th>path</th><th>confidence</th><th>findings</th></tr></thead><tbody>\n");
    for h in &m.hosts {
        let st = status(h);
        let _ = writeln!(
            body,
            "<tr data-row=\"host\"><td data-sort=\"{}\">{}</td><td class=\"mono\"><a href=\"#{}\">{}</a></td><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td class=\"mono\">{}</td></tr>",
            3 - st as u8,
            st.cell(),
            anchor("host", &h.host),
            esc(&h.host),
            esc(h.vpc_id.as_deref().unwrap_or("")),
            esc(h.subnet_id.as_deref().unwrap_or("")),
            esc(&h.label()),
            h.confidence.as_str(),
            esc(&h.findings.join(" ")),
        );
    }
    body.push_str("</tbody></table></div>\n");
    let mut vpcs: BTreeMap<&str, Vec<&Host>> = BTreeMap::new();
    for h in &m.hosts {
        vpcs.entry(h.vpc_id.as_deref().unwrap_or(""))
            .or_default()
            .push(h);
    }
    let mut vpcs: Vec<_> = vpcs.into_iter().collect();
    vpcs.sort_by_key(|(vpc, hosts)| {
        let worst = hosts.iter().map(|h| status(h)).max();
        (std::cmp::Reverse(worst), *vpc)
    });
    body.push_str("<h2>VPCs, worst first</h2>\n");
    for (vpc, hosts) in &vpcs {
        let st = hosts.iter().map(|h| status(h)).max().unwrap_or(Status::Ok);
        let _ = writeln!(
            body,
            "<section class=\"vpc\" data-status=\"{}\"><h3>{} <span class=\"mono\">{}</span> <span class=\"muted\">{} host{}</span></h3>",
            st.as_str(),
            st.cell(),
            if vpc.is_empty() { "no VPC".to_string() } else { esc(vpc) },
            hosts.len(),
            if hosts.len() == 1 { "" } else { "s" },
        );
        let mut hosts = hosts.clone();
        hosts.sort_by_key(|h| (std::cmp::Reverse(status(h)), h.host.as_str()));
        for h in hosts {
            let findings = if h.findings.is_empty() {
                String::new()
            } else {
                format!(
                    "<br>findings: <code>{}</code> <span class=\"muted\">(s3path explain ID shows each fix)</span>",
                    esc(&h.findings.join(" "))
                )
            };
            let _ = writeln!(
                body,
                "<p id=\"{}\">{} <span class=\"mono\">{}</span> — {} [{}]<br><span class=\"path mono\">{}</span>{findings}</p>",
                anchor("host", &h.host),
                status(h).cell(),
                esc(&h.host),
                esc(&h.summary),
                h.confidence.as_str(),
                picture(h),
            );
        }
        body.push_str("</section>\n");
    }
    let attrs = format!(
        " data-hosts=\"{}\" data-vpcs=\"{}\"",
        m.hosts.len(),
        vpcs.len()
    );
    (body, attrs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::compact::{CompactReport, CompactVerdict};
    use crate::report::VantageSummary;

    fn report(
        instance: &str,
        subnet: &str,
        path: PathKind,
        via: &str,
        findings: &[&str],
    ) -> Received {
        Received::Compact(Box::new(CompactReport {
            schema_version: 1,
            tool_version: "0".into(),
            compact: true,
            region: None,
            vantage: VantageSummary {
                status: "collected".into(),
                kind: None,
                instance_id: Some(instance.into()),
                availability_zone: None,
                vpc_id: Some("vpc-1".into()),
                subnet_id: Some(subnet.into()),
                aws_access: None,
            },
            verdict: CompactVerdict {
                host: None,
                path,
                via: Some(via.into()),
                route_table: None,
                confidence: Confidence::Inferred,
                summary: "s".into(),
            },
            expectation: None,
            findings: findings
                .iter()
                .map(|f| crate::report::compact::CompactFinding {
                    id: f.to_string().into(),
                    severity: crate::checks::Severity::Warning,
                    message: String::new(),
                })
                .collect(),
            findings_total: findings.len(),
            exit_code: 0,
        }))
    }

    #[test]
    fn same_subnet_different_paths_is_a_disagreement() {
        use PathKind::*;
        let hosts = vec![
            host(
                &report("i-1", "subnet-a", GatewayEndpoint, "vpce-1", &[]),
                "a.json",
            ),
            host(
                &report("i-2", "subnet-a", GatewayEndpoint, "vpce-1", &[]),
                "b.json",
            ),
            host(
                &report("i-3", "subnet-a", Proxy, "10.0.0.9:3128", &["S3P402"]),
                "c.json",
            ),
            host(
                &report("i-4", "subnet-b", NatGateway, "nat-1", &["S3P103"]),
                "d.json",
            ),
        ];
        let m = merge(hosts, vec![]);
        assert_eq!(m.summary.reports, 4);
        assert_eq!(m.summary.by_path["gateway-endpoint"], 2);
        assert_eq!(m.summary.by_finding["S3P103"], 1);
        assert_eq!(m.disagreements.len(), 1);
        assert_eq!(m.disagreements[0].subnet_id, "subnet-a");
        assert_eq!(m.disagreements[0].paths[0].hosts, ["i-1", "i-2"]);
        assert_eq!(m.disagreements[0].paths[1].path, Proxy);
    }

    #[test]
    fn text_from_a_report_is_escaped_when_read() {
        let h = host(
            &report(
                "i-1\n\u{1b}[2J",
                "subnet-a\rx",
                PathKind::NatGateway,
                "nat-\u{7}",
                &["S3P1\n03"],
            ),
            "a\n.json",
        );
        for s in [
            &h.host,
            &h.source,
            h.subnet_id.as_ref().unwrap(),
            h.via.as_ref().unwrap(),
            &h.findings[0],
        ] {
            assert!(!s.chars().any(char::is_control), "{s:?}");
        }
    }

    #[test]
    fn foreign_documents_are_named() {
        let why = |t: &str| read_host(t, "x.json").unwrap_err().to_string();
        assert!(why(r#"{"a": 1}"#).contains("not an s3path report"));
        assert!(why("[]").contains("not an s3path report"));
        assert!(why(r#"{"schema_version": 1, "request": {}}"#).contains("facts file"));
        assert!(why("{ not json").starts_with("invalid JSON at line 1"));
        assert!(why(r#"{"schema_version": 9, "verdict": {}}"#).contains("newer"));
        // JSON with the head of a report but not its body: one line, capped.
        let long = format!(
            r#"{{"schema_version": 1, "compact": true, "verdict": {{"path": "{}"}}}}"#,
            "x".repeat(100_000)
        );
        let w = why(&long);
        assert!(w.starts_with("is not an s3path report: "), "{w}");
        assert!(w.len() < 400 && !w.contains('\n'), "{w}");
    }
}
