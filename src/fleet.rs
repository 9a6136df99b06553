//! `s3path fleet`: doctor on every targeted instance through SSM Run Command, merged. This
//! module is the pure half: what SSM answered ([`FleetFacts`]) becomes the fleet view — the
//! merged reports plus every instance that gave none, and why.

use serde::Serialize;

pub use crate::facts::fleet::{terminal, FleetFacts, Invocation};
use crate::merge::{self, Merged};
use crate::report::read::NotAReport;

/// An instance that gave no report, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unanswered {
    pub instance_id: String,
    /// `not_managed`, `no_answer`, `s3path_missing`, `failed`, `not_a_report`.
    pub reason: &'static str,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FleetReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_id: Option<String>,
    #[serde(flatten)]
    pub merged: Merged,
    pub unanswered: Vec<Unanswered>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub exit_code: u8,
}

fn first_line(s: &str) -> String {
    let line = s.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    crate::render::escape::line(&line.chars().take(300).collect::<String>()).into_owned()
}

/// The fleet view. Exit code: 1 when a report says 1 (or SendCommand failed), 3 when none does
/// but some instance gave no report or a report says 3, else 0.
pub fn judge(f: &FleetFacts) -> FleetReport {
    let mut hosts = Vec::new();
    let mut unanswered: Vec<Unanswered> = f
        .not_managed
        .iter()
        .map(|i| Unanswered {
            instance_id: i.clone(),
            reason: "not_managed",
            detail: "not a managed instance that is online (no SSM agent registered, or the instance is stopped)".to_string(),
        })
        .collect();
    for inv in &f.invocations {
        let source = format!("{} (SSM)", inv.instance_id);
        let stderr = inv.stderr.as_deref().unwrap_or("");
        if !terminal(&inv.status) {
            unanswered.push(Unanswered {
                instance_id: inv.instance_id.clone(),
                reason: "no_answer",
                detail: format!("still {} when the --timeout ended", inv.status),
            });
            continue;
        }
        if inv.response_code == Some(127)
            || stderr.contains("s3path: not found")
            || stderr.contains("s3path: command not found")
            || stderr.contains("No such file or directory")
        {
            unanswered.push(Unanswered {
                instance_id: inv.instance_id.clone(),
                reason: "s3path_missing",
                detail: format!(
                    "s3path is not installed there (see docs/fleet.md): {}",
                    first_line(stderr)
                ),
            });
            continue;
        }
        // What the instance printed is untrusted: read typed (SSM returns at most 24,000
        // characters inline, gather::fleet at most 16 MiB from the output bucket), and named
        // by the instance SSM ran it on, whatever the report says.
        let read = inv
            .stdout
            .as_deref()
            .filter(|o| !o.trim().is_empty())
            .map(|o| merge::read_host(o.trim(), &source));
        match read {
            Some(Ok(mut h)) => {
                h.host = crate::render::escape::line(&inv.instance_id).into_owned();
                hosts.push(h)
            }
            Some(Err(NotAReport::Foreign(why))) => unanswered.push(Unanswered {
                instance_id: inv.instance_id.clone(),
                reason: "not_a_report",
                detail: why,
            }),
            None | Some(Err(NotAReport::NotJson(_))) => unanswered.push(Unanswered {
                instance_id: inv.instance_id.clone(),
                reason: if inv.status == "Success" {
                    "not_a_report"
                } else {
                    "failed"
                },
                detail: format!(
                    "{}{}: {}",
                    inv.status,
                    inv.status_details
                        .as_deref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default(),
                    if stderr.trim().is_empty() {
                        "no report on standard output".to_string()
                    } else {
                        first_line(stderr)
                    }
                ),
            }),
        }
    }
    let merged = merge::merge(hosts, Vec::new());
    let failed_to_send = f.error.is_some() && f.invocations.is_empty();
    let exit_code = if failed_to_send || merged.hosts.iter().any(|h| h.exit_code == 1) {
        1
    } else if !unanswered.is_empty() || merged.hosts.iter().any(|h| h.exit_code == 3) {
        3
    } else {
        0
    };
    FleetReport {
        command_id: f.command_id.clone(),
        merged,
        unanswered,
        error: f.error.clone(),
        exit_code,
    }
}

/// The fleet view as text: the merged view, then the instances without a report.
pub fn render_human(r: &FleetReport) -> String {
    let t = |s: &str| crate::render::escape::line(s).into_owned();
    let mut out = String::new();
    if let Some(id) = &r.command_id {
        out.push_str(&format!("SSM command {}\n", t(id)));
    }
    if let Some(e) = &r.error {
        out.push_str(&format!("error: {}\n", t(e)));
    }
    out.push_str(&merge::render_human(&r.merged));
    if !r.unanswered.is_empty() {
        out.push_str(&format!("\nNO REPORT ({})\n", r.unanswered.len()));
        for u in &r.unanswered {
            out.push_str(&format!(
                "  {}  {}  {}\n",
                t(&u.instance_id),
                u.reason,
                t(&u.detail)
            ));
        }
    }
    out
}

pub fn render_markdown(r: &FleetReport) -> String {
    let mut out = merge::render_markdown(&r.merged);
    if !r.unanswered.is_empty() {
        out.push_str(
            "\n## Instances without a report\n\n| instance | reason | detail |\n|---|---|---|\n",
        );
        for u in &r.unanswered {
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                crate::render::escape::md(&u.instance_id),
                u.reason,
                crate::render::escape::md(&u.detail)
            ));
        }
    }
    out
}

impl crate::render::Render for FleetReport {
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

/// The fleet view as one page (merge's), then the instances without a report.
pub fn render_html(r: &FleetReport) -> String {
    use crate::render::html::{esc, page};
    let (mut body, attrs) = merge::html_body(&r.merged);
    if let Some(e) = &r.error {
        body.push_str(&format!("<p class=\"status FAIL\">{}</p>\n", esc(e)));
    }
    if !r.unanswered.is_empty() {
        body.push_str("<h2>Instances without a report</h2>\n<table class=\"sortable\"><thead><tr><th>instance</th><th>reason</th><th>detail</th></tr></thead><tbody>\n");
        for u in &r.unanswered {
            body.push_str(&format!(
                "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}</td></tr>\n",
                esc(&u.instance_id),
                esc(u.reason),
                esc(&u.detail)
            ));
        }
        body.push_str("</tbody></table>\n");
    }
    page("s3path fleet", &attrs, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(instance: &str, stdout: &str) -> Invocation {
        Invocation {
            instance_id: instance.to_string(),
            status: "Success".to_string(),
            status_details: None,
            response_code: Some(0),
            stdout: Some(stdout.to_string()),
            stderr: None,
            output_source: None,
        }
    }

    /// A compact report as an instance prints it, claiming `claimed` as its instance id.
    fn compact(claimed: &str) -> String {
        let mut r = crate::report::judge(
            &crate::facts::Facts::empty(Default::default(), "test"),
            &Default::default(),
        );
        r.vantage.instance_id = Some(claimed.to_string());
        crate::report::compact::CompactReport::from(&r).to_line()
    }

    #[test]
    fn a_host_is_the_instance_ssm_ran_on_not_the_one_its_report_names() {
        let f = FleetFacts {
            invocations: vec![
                answered("i-0aaa", &compact("i-0bbb\u{1b}[2J")),
                answered("i-0ccc", r#"{"schema_version": 1, "verdict": {"path": 7}}"#),
                answered("i-0ddd", "Segmentation fault"),
            ],
            ..FleetFacts::default()
        };
        let r = judge(&f);
        assert_eq!(r.merged.hosts.len(), 1);
        assert_eq!(r.merged.hosts[0].host, "i-0aaa");
        let why = |id: &str| r.unanswered.iter().find(|u| u.instance_id == id).unwrap();
        assert_eq!(why("i-0ccc").reason, "not_a_report");
        assert!(why("i-0ccc").detail.starts_with("is not an s3path report"));
        assert_eq!(why("i-0ddd").reason, "not_a_report");
        assert!(r.unanswered.iter().all(|u| !u.detail.contains('\n')));
    }
}
