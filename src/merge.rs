//! `s3path merge`: many reports (doctor or route `--format json`, from SSM, Ansible,
//! `kubectl exec` or a CI matrix), one fleet view: per host its verdict and findings, counts by
//! path and by finding, and — first, because they are the interesting ones — the
//! disagreements: hosts in the same subnet whose paths differ (a hosts-file pin, a proxy
//! variable, a resolver). Pure: it reads parsed reports, never the network.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// One host's report, as merged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Host {
    /// The instance id, else the task, else the file the report came from.
    pub host: String,
    /// The file the report came from.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    pub confidence: String,
    pub summary: String,
    pub findings: Vec<String>,
    pub exit_code: u64,
}

impl Host {
    fn label(&self) -> String {
        match &self.via {
            Some(v) => format!("{} via {v}", self.path),
            None => self.path.clone(),
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
    pub path: String,
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

fn text(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
        .map(|s| crate::render::escape::line(s).into_owned())
}

/// Reads one report (`source` names it in errors).
pub fn host(report: &Value, source: &str) -> Result<Host, String> {
    let version = report.get("schema_version").and_then(Value::as_u64);
    if report.get("verdict").is_none() || version.is_none() {
        return Err(if report.get("request").is_some() {
            "is a facts file, not a report (judge it with s3path replay --format json first)"
                .to_string()
        } else {
            "is not an s3path report (no schema_version and verdict)".to_string()
        });
    }
    if version > Some(u64::from(crate::report::REPORT_SCHEMA_VERSION)) {
        return Err(format!(
            "report schema_version {} is newer than this s3path understands",
            version.unwrap_or(0)
        ));
    }
    let path =
        text(report, &["verdict", "path"]).ok_or_else(|| "has no verdict.path".to_string())?;
    let findings = report
        .get("findings")
        .and_then(Value::as_array)
        .map(|fs| {
            fs.iter()
                .filter_map(|f| f.get("id").and_then(Value::as_str))
                .map(|id| crate::render::escape::line(id).into_owned())
                .collect()
        })
        .unwrap_or_default();
    let source_label = crate::render::escape::line(source).into_owned();
    Ok(Host {
        host: text(report, &["vantage", "instance_id"])
            .or_else(|| text(report, &["vantage", "task_arn"]))
            .unwrap_or_else(|| source_label.clone()),
        source: source_label,
        subnet_id: text(report, &["vantage", "subnet_id"]),
        vpc_id: text(report, &["vantage", "vpc_id"]),
        availability_zone: text(report, &["vantage", "availability_zone"]),
        path,
        via: text(report, &["verdict", "via"]),
        confidence: text(report, &["verdict", "confidence"]).unwrap_or_default(),
        summary: text(report, &["verdict", "summary"]).unwrap_or_default(),
        findings,
        exit_code: report.get("exit_code").and_then(Value::as_u64).unwrap_or(0),
    })
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
        *by_path.entry(h.path.clone()).or_default() += 1;
        for f in &h.findings {
            *by_finding.entry(f.clone()).or_default() += 1;
        }
        if let Some(s) = &h.subnet_id {
            subnets.entry(s.clone()).or_default().push(h);
        }
    }
    let mut disagreements = Vec::new();
    for (subnet, members) in subnets {
        let mut groups: Vec<PathGroup> = Vec::new();
        for h in members {
            match groups
                .iter_mut()
                .find(|g| g.path == h.path && g.via == h.via)
            {
                Some(g) => g.hosts.push(h.host.clone()),
                None => groups.push(PathGroup {
                    path: h.path.clone(),
                    via: h.via.clone(),
                    hosts: vec![h.host.clone()],
                }),
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
    // Worst first: error findings and failing exit codes, then by subnet and host.
    hosts.sort_by(|a, b| {
        b.exit_code
            .cmp(&a.exit_code)
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
        "{} reports · {}\n",
        m.summary.reports,
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
                    None => g.path.clone(),
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
            h.confidence,
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
        "{} reports.\n\n| path | hosts |\n|---|---|\n",
        m.summary.reports
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
                    None => g.path.clone(),
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
            md(&h.confidence),
            md(&h.findings.join(" "))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(instance: &str, subnet: &str, path: &str, via: &str, findings: &[&str]) -> Value {
        serde_json::json!({
            "schema_version": 1,
            "vantage": {"status": "collected", "instance_id": instance, "subnet_id": subnet, "vpc_id": "vpc-1"},
            "verdict": {"path": path, "via": via, "confidence": "inferred", "summary": "s"},
            "findings": findings.iter().map(|f| serde_json::json!({"id": f})).collect::<Vec<_>>(),
            "exit_code": 0
        })
    }

    #[test]
    fn same_subnet_different_paths_is_a_disagreement() {
        let hosts = vec![
            host(
                &report("i-1", "subnet-a", "gateway-endpoint", "vpce-1", &[]),
                "a.json",
            )
            .unwrap(),
            host(
                &report("i-2", "subnet-a", "gateway-endpoint", "vpce-1", &[]),
                "b.json",
            )
            .unwrap(),
            host(
                &report("i-3", "subnet-a", "proxy", "10.0.0.9:3128", &["S3P402"]),
                "c.json",
            )
            .unwrap(),
            host(
                &report("i-4", "subnet-b", "nat-gateway", "nat-1", &["S3P103"]),
                "d.json",
            )
            .unwrap(),
        ];
        let m = merge(hosts, vec![]);
        assert_eq!(m.summary.reports, 4);
        assert_eq!(m.summary.by_path["gateway-endpoint"], 2);
        assert_eq!(m.summary.by_finding["S3P103"], 1);
        assert_eq!(m.disagreements.len(), 1);
        assert_eq!(m.disagreements[0].subnet_id, "subnet-a");
        assert_eq!(m.disagreements[0].paths[0].hosts, ["i-1", "i-2"]);
        assert_eq!(m.disagreements[0].paths[1].path, "proxy");
    }

    #[test]
    fn foreign_documents_are_named() {
        assert!(host(&serde_json::json!({"a": 1}), "x.json")
            .unwrap_err()
            .contains("not an s3path report"));
        assert!(host(
            &serde_json::json!({"schema_version": 1, "request": {}}),
            "f.json"
        )
        .unwrap_err()
        .contains("facts file"));
    }
}
