//! `s3path fleet`: doctor on every targeted instance through SSM Run Command, merged. This
//! module is the pure half: what SSM answered ([`FleetFacts`]) becomes the fleet view — the
//! merged reports plus every instance that gave none, and why.
//!
//! Trust model (docs/fleet.md): each output is another machine's text. A row's identity is the
//! instance SSM ran the command on (the channel), never the id the report names — a report
//! that names another instance, or a look-alike of its own id, is flagged. Each output is read
//! typed, at most [`MAX_OUTPUT_BYTES`] and [`read::MAX_DEPTH`] levels, and only before the
//! deadline; its path, confidence and finding ids must be s3path's own (else the row is
//! rejected with the reason). `--expect` is judged here from the verdict's path and confidence;
//! the instance's own exit code and expectation are ignored. Findings count once per host.

use std::collections::BTreeSet;
use std::time::Instant;

use serde::Serialize;

use crate::checks::{Severity, Status, REGISTRY};
use crate::engine::{Confidence, PathKind};
pub use crate::facts::fleet::{terminal, FleetFacts, Invocation, MAX_OUTPUT_BYTES};
use crate::merge::{self, Host, Merged};
use crate::render::escape;
use crate::report::read::{self, NotAReport, Received};

/// What the operator asks of the fleet.
#[derive(Debug, Clone, Default)]
pub struct FleetJudgeOptions {
    /// `--expect`: path kinds every instance should take.
    pub expect: Vec<PathKind>,
    /// The run's deadline (`--timeout`): no output is parsed after it.
    pub deadline: Option<Instant>,
}

/// An instance that gave no report, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unanswered {
    pub instance_id: String,
    /// `not_managed`, `not_sent`, `no_answer`, `unreadable`, `s3path_missing`, `failed`,
    /// `not_a_report`, `rejected`, `not_judged`.
    pub reason: &'static str,
    pub detail: String,
}

/// A host whose report is merged, but whose identity does not add up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flagged {
    pub instance_id: String,
    pub detail: String,
}

/// `--expect` over the fleet, judged here from each report's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FleetExpectation {
    pub expected: Vec<PathKind>,
    pub met: Vec<String>,
    pub not_met: Vec<String>,
    /// Hosts whose verdict cannot decide it (path unknown, or only probable).
    pub undecided: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FleetReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command_ids: Vec<String>,
    #[serde(flatten)]
    pub merged: Merged,
    pub unanswered: Vec<Unanswered>,
    pub flagged: Vec<Flagged>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expectation: Option<FleetExpectation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub exit_code: u8,
}

fn first_line(s: &str) -> String {
    let line = s.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    escape::line(&line.chars().take(300).collect::<String>()).into_owned()
}

/// `s` without the characters that do not show ([`escape::invisible`]).
fn visible(s: &str) -> String {
    s.chars().filter(|&c| !escape::invisible(c)).collect()
}

/// An EC2 instance id (`i-` and 8 or 17 hex digits) or a hybrid managed node (`mi-`, 17).
fn instance_id_shape(id: &str) -> bool {
    let hex = |s: &str, n: &[usize]| {
        n.contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    id.strip_prefix("i-").is_some_and(|h| hex(h, &[8, 17]))
        || id.strip_prefix("mi-").is_some_and(|h| hex(h, &[17]))
}

/// What a report read back says that fleet judges: the verdict, and each finding's id and
/// severity.
struct Said<'a> {
    claimed: Option<&'a str>,
    path: PathKind,
    confidence: Confidence,
    findings: Vec<(&'a str, Severity)>,
}

fn said(r: &Received) -> Said<'_> {
    match r {
        Received::Full(r) => Said {
            claimed: r.vantage.instance_id.as_deref(),
            path: r.verdict.path,
            confidence: r.verdict.confidence,
            findings: r.findings.iter().map(|f| (&*f.id, f.severity)).collect(),
        },
        Received::Compact(c) => Said {
            claimed: c.vantage.instance_id.as_deref(),
            path: c.verdict.path,
            confidence: c.verdict.confidence,
            findings: c.findings.iter().map(|f| (&*f.id, f.severity)).collect(),
        },
    }
}

/// Why a report is not one s3path could have written, if it is not: a finding id outside the
/// registry. (Path kinds, confidence words and severities are typed: an unknown one does not
/// read at all.)
fn foreign_content(s: &Said) -> Option<String> {
    let unknown = s
        .findings
        .iter()
        .find(|(id, _)| !REGISTRY.iter().any(|c| c.meta().id == *id))?;
    Some(format!(
        "names a finding s3path does not have: '{}'",
        escape::line(&unknown.0.chars().take(40).collect::<String>())
    ))
}

/// The exit code a host's report calls for, judged here: the expectation from its verdict's
/// path and confidence, then its findings at error (preview checks and the instance's own
/// expectation finding S3P903 aside). A verdict that decides nothing is 3.
fn host_exit(s: &Said, expect: &[PathKind]) -> u8 {
    let decided = s.path != PathKind::Unknown && s.confidence.decides();
    let expectation = if expect.is_empty() {
        0
    } else if !decided {
        3
    } else if expect.contains(&s.path) {
        0
    } else {
        1
    };
    let error = s.findings.iter().any(|(id, severity)| {
        *severity == Severity::Error
            && *id != "S3P903"
            && REGISTRY
                .iter()
                .any(|c| c.meta().id == *id && c.meta().status == Status::Stable)
    });
    if expectation == 1 || error {
        1
    } else if expectation == 3 || s.path == PathKind::Unknown {
        3
    } else {
        0
    }
}

/// The fleet view. Exit code (worst wins): 1 when a host's report is judged failing (an error
/// finding, `--expect` not met); else 3 when some instance could not be judged (no report, a
/// rejected or flagged one, a verdict that decides nothing, SendCommand refused, nothing
/// reached); else 0.
pub fn judge(f: &FleetFacts, opts: &FleetJudgeOptions) -> FleetReport {
    let mut hosts: Vec<Host> = Vec::new();
    let mut flagged = Vec::new();
    let mut expectation = (!opts.expect.is_empty()).then(|| FleetExpectation {
        expected: opts.expect.clone(),
        met: Vec::new(),
        not_met: Vec::new(),
        undecided: Vec::new(),
    });
    let shown = |id: &str| escape::line(id).into_owned();
    let mut unanswered: Vec<Unanswered> = f
        .not_managed
        .iter()
        .map(|i| Unanswered {
            instance_id: shown(i),
            reason: "not_managed",
            detail: "not a managed instance that is online (no SSM agent registered, or the instance is stopped)".to_string(),
        })
        .collect();
    unanswered.extend(f.not_sent.iter().map(|n| Unanswered {
        instance_id: shown(&n.instance_id),
        reason: "not_sent",
        detail: first_line(&n.error),
    }));
    let sent: BTreeSet<&str> = f.sent.iter().map(String::as_str).collect();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for inv in &f.invocations {
        let id = shown(&inv.instance_id);
        let no = |reason, detail: String| Unanswered {
            instance_id: id.clone(),
            reason,
            detail,
        };
        let stderr = inv.stderr.as_deref().unwrap_or("");
        if !seen.insert(&inv.instance_id) {
            unanswered.push(no(
                "rejected",
                "SSM listed this instance twice; only its first invocation is judged".into(),
            ));
            continue;
        }
        if !terminal(&inv.status) {
            unanswered.push(no(
                "no_answer",
                format!(
                    "still {} when the --timeout ended",
                    escape::line(&inv.status)
                ),
            ));
            continue;
        }
        if let Some(e) = &inv.error {
            let reason = if inv.status == "Unlisted" {
                "no_answer"
            } else {
                "unreadable"
            };
            unanswered.push(no(reason, first_line(e)));
            continue;
        }
        if inv.response_code == Some(127)
            || stderr.contains("s3path: not found")
            || stderr.contains("s3path: command not found")
            || stderr.contains("No such file or directory")
        {
            unanswered.push(no(
                "s3path_missing",
                format!(
                    "s3path is not installed at the path fleet runs (see docs/fleet.md, --s3path): {}",
                    first_line(stderr)
                ),
            ));
            continue;
        }
        let Some(stdout) = inv.stdout.as_deref().filter(|o| !o.trim().is_empty()) else {
            unanswered.push(no(
                if inv.status == "Success" {
                    "not_a_report"
                } else {
                    "failed"
                },
                format!(
                    "{}{}: {}",
                    escape::line(&inv.status),
                    inv.status_details
                        .as_deref()
                        .map(|d| format!(" ({})", escape::line(d)))
                        .unwrap_or_default(),
                    if stderr.trim().is_empty() {
                        "no report on standard output".to_string()
                    } else {
                        first_line(stderr)
                    }
                ),
            ));
            continue;
        };
        // Nothing is parsed after the deadline.
        if opts.deadline.is_some_and(|d| Instant::now() >= d) {
            unanswered.push(no(
                "not_judged",
                "the --timeout ended before its output was read".into(),
            ));
            continue;
        }
        let received = match read::read_bounded(stdout.trim(), MAX_OUTPUT_BYTES) {
            Ok(r) => r,
            Err(NotAReport::Foreign(why)) => {
                unanswered.push(no("rejected", first_line(&why)));
                continue;
            }
            Err(NotAReport::NotJson(why)) => {
                let cut = stdout.chars().count() >= 24_000
                    && inv.output_source.as_deref() == Some("inline");
                let detail = if cut {
                    format!("{why}: cut at SSM's 24,000 characters (give --output-s3-bucket to read it whole)")
                } else if inv.status == "Success" {
                    format!("{why}: {}", first_line(stdout))
                } else {
                    format!(
                        "{}: {}",
                        escape::line(&inv.status),
                        first_line(if stderr.trim().is_empty() {
                            stdout
                        } else {
                            stderr
                        })
                    )
                };
                unanswered.push(no(
                    if inv.status == "Success" {
                        "not_a_report"
                    } else {
                        "failed"
                    },
                    detail,
                ));
                continue;
            }
        };
        let s = said(&received);
        if let Some(why) = foreign_content(&s) {
            unanswered.push(no("rejected", why));
            continue;
        }
        // The channel names the host; the report's own claim is only compared with it.
        let mut flags = Vec::new();
        if !instance_id_shape(&inv.instance_id) {
            flags.push(if instance_id_shape(&visible(&inv.instance_id)) {
                "SSM named it with invisible characters in its id".to_string()
            } else {
                "SSM named it with an id that is not an instance id".to_string()
            });
        }
        if !sent.is_empty() && !sent.contains(inv.instance_id.as_str()) {
            flags.push("SSM listed it, but the command was not sent to it".to_string());
        }
        match s.claimed {
            Some(claimed) if claimed != inv.instance_id => {
                flags.push(if visible(claimed) == inv.instance_id {
                    format!(
                        "its report names a look-alike of its id, with invisible characters: {}",
                        escape::line(claimed)
                    )
                } else {
                    format!(
                        "its report names another instance: {}",
                        escape::line(&claimed.chars().take(100).collect::<String>())
                    )
                })
            }
            _ => {}
        }
        let mut exit = host_exit(&s, &opts.expect);
        if let Some(e) = expectation.as_mut() {
            let decided = s.path != PathKind::Unknown && s.confidence.decides();
            match (decided, opts.expect.contains(&s.path)) {
                (false, _) => e.undecided.push(id.clone()),
                (true, true) => e.met.push(id.clone()),
                (true, false) => e.not_met.push(id.clone()),
            }
        }
        if !flags.is_empty() {
            exit = exit.max(3);
            flagged.push(Flagged {
                instance_id: id.clone(),
                detail: flags.join("; "),
            });
        }
        let mut h = merge::host(&received, &format!("{id} (SSM)"));
        h.host = id;
        // Counts are per host: a finding repeated in one report counts once.
        let mut ids = BTreeSet::new();
        h.findings.retain(|f| ids.insert(f.clone()));
        h.exit_code = exit;
        hosts.push(h);
    }
    let merged = merge::merge(hosts, Vec::new());
    let failing = merged.hosts.iter().any(|h| h.exit_code == 1);
    let undecided = !unanswered.is_empty()
        || merged.hosts.iter().any(|h| h.exit_code == 3)
        || !flagged.is_empty()
        || f.error.is_some()
        || merged.hosts.is_empty();
    let exit_code = if failing {
        1
    } else if undecided {
        3
    } else {
        0
    };
    FleetReport {
        command_id: f.command_id.clone(),
        command_ids: if f.command_ids.len() > 1 {
            f.command_ids.clone()
        } else {
            Vec::new()
        },
        merged,
        unanswered,
        flagged,
        expectation,
        error: f.error.as_deref().map(|e| escape::line(e).into_owned()),
        exit_code,
    }
}

/// The fleet view as text: the merged view, then the flagged hosts and the instances without a
/// report.
pub fn render_human(r: &FleetReport) -> String {
    let t = |s: &str| escape::line(s).into_owned();
    let mut out = String::new();
    match (&r.command_id, r.command_ids.len()) {
        (Some(id), 0 | 1) => out.push_str(&format!("SSM command {}\n", t(id))),
        (_, n) => out.push_str(&format!(
            "SSM commands: {n} (batches of at most 50 instances)\n"
        )),
    }
    if let Some(e) = &r.error {
        out.push_str(&format!("error: {}\n", t(e)));
    }
    out.push_str(&merge::render_human(&r.merged));
    if let Some(e) = &r.expectation {
        let kinds: Vec<&str> = e.expected.iter().map(|k| k.as_str()).collect();
        out.push_str(&format!(
            "\nEXPECTED {}: met by {}, not met by {}{}, undecided for {}{}\n",
            kinds.join(","),
            e.met.len(),
            e.not_met.len(),
            list(&e.not_met),
            e.undecided.len(),
            list(&e.undecided),
        ));
    }
    if !r.flagged.is_empty() {
        out.push_str(&format!("\nFLAGGED ({})\n", r.flagged.len()));
        for f in &r.flagged {
            out.push_str(&format!("  {}  {}\n", t(&f.instance_id), t(&f.detail)));
        }
    }
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

fn list(hosts: &[String]) -> String {
    if hosts.is_empty() {
        String::new()
    } else {
        format!(" ({})", crate::engine::join_capped(hosts))
    }
}

pub fn render_markdown(r: &FleetReport) -> String {
    let md = escape::md;
    let mut out = merge::render_markdown(&r.merged);
    if let Some(e) = &r.expectation {
        let kinds: Vec<&str> = e.expected.iter().map(|k| k.as_str()).collect();
        out.push_str(&format!(
            "\n**Expected {}:** met by {}, not met by {}{}, undecided for {}{}\n",
            md(&kinds.join(",")),
            e.met.len(),
            e.not_met.len(),
            md(&list(&e.not_met)),
            e.undecided.len(),
            md(&list(&e.undecided)),
        ));
    }
    if !r.flagged.is_empty() {
        out.push_str("\n## Flagged hosts\n\n| instance | why |\n|---|---|\n");
        for f in &r.flagged {
            out.push_str(&format!("| {} | {} |\n", md(&f.instance_id), md(&f.detail)));
        }
    }
    if !r.unanswered.is_empty() {
        out.push_str(
            "\n## Instances without a report\n\n| instance | reason | detail |\n|---|---|---|\n",
        );
        for u in &r.unanswered {
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                md(&u.instance_id),
                u.reason,
                md(&u.detail)
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
    use serde_json::{json, Value};

    fn answered(instance: &str, stdout: &str) -> Invocation {
        Invocation {
            instance_id: instance.to_string(),
            status: "Success".to_string(),
            response_code: Some(0),
            stdout: Some(stdout.to_string()),
            output_source: Some("inline".to_string()),
            ..Invocation::default()
        }
    }

    /// A compact report as an instance prints it, edited by `edit`.
    fn compact(claimed: &str, edit: impl FnOnce(&mut Value)) -> String {
        let mut r = crate::report::judge(
            &crate::facts::Facts::empty(Default::default(), "test"),
            &Default::default(),
        );
        r.vantage.instance_id = Some(claimed.to_string());
        let mut v: Value =
            serde_json::from_str(&crate::report::compact::CompactReport::from(&r).to_line())
                .unwrap();
        v["verdict"]["path"] = json!("gateway-endpoint");
        v["verdict"]["confidence"] = json!("inferred");
        v["findings"] = json!([]);
        edit(&mut v);
        v.to_string()
    }

    fn judge1(invs: Vec<Invocation>, expect: &[PathKind]) -> FleetReport {
        judge(
            &FleetFacts {
                invocations: invs,
                ..FleetFacts::default()
            },
            &FleetJudgeOptions {
                expect: expect.to_vec(),
                deadline: None,
            },
        )
    }

    const A: &str = "i-0a0000000000000a1";
    const B: &str = "i-0b0000000000000b1";

    #[test]
    fn a_host_is_the_instance_ssm_ran_on_not_the_one_its_report_names() {
        let r = judge1(
            vec![
                answered(A, &compact(B, |_| {})),
                answered(B, &compact("i-0b00000\u{200b}00000000b1", |_| {})),
                answered(
                    "i-0c0000000000000c1",
                    r#"{"schema_version": 1, "verdict": {"path": 7}}"#,
                ),
                answered("i-0d0000000000000d1", "Segmentation fault"),
            ],
            &[],
        );
        let hosts: Vec<&str> = r.merged.hosts.iter().map(|h| h.host.as_str()).collect();
        assert_eq!(hosts.len(), 2, "{hosts:?}");
        assert!(hosts.contains(&A) && hosts.contains(&B), "{hosts:?}");
        let flag = |id: &str| {
            &r.flagged
                .iter()
                .find(|f| f.instance_id == id)
                .unwrap()
                .detail
        };
        assert!(flag(A).contains("names another instance: i-0b0000000000000b1"));
        assert!(flag(B).contains("look-alike"), "{}", flag(B));
        assert!(
            flag(B).contains("\\u{200b}"),
            "shown, not hidden: {}",
            flag(B)
        );
        let why = |id: &str| r.unanswered.iter().find(|u| u.instance_id == id).unwrap();
        assert_eq!(why("i-0c0000000000000c1").reason, "rejected");
        assert_eq!(why("i-0d0000000000000d1").reason, "not_a_report");
        assert!(r.unanswered.iter().all(|u| !u.detail.contains('\n')));
        // A flagged host is not a pass.
        assert_eq!(r.exit_code, 3);
        // Same id, nothing flagged: fine.
        assert_eq!(
            judge1(vec![answered(A, &compact(A, |_| {}))], &[]).exit_code,
            0
        );
    }

    #[test]
    fn expect_is_judged_from_the_verdict_not_the_instances_exit_code() {
        let nat = compact(A, |v| {
            v["verdict"]["path"] = json!("nat-gateway");
            v["exit_code"] = json!(0);
            v["expectation"] = json!({"met": true, "undecided": null});
        });
        let r = judge1(vec![answered(A, &nat)], &[PathKind::GatewayEndpoint]);
        assert_eq!(r.exit_code, 1);
        assert_eq!(r.expectation.as_ref().unwrap().not_met, vec![A.to_string()]);
        assert_eq!(r.merged.hosts[0].exit_code, 1);
        // Met, whatever the instance's own exit code says.
        let gw = compact(A, |v| v["exit_code"] = json!(1));
        assert_eq!(
            judge1(vec![answered(A, &gw)], &[PathKind::GatewayEndpoint]).exit_code,
            0
        );
        // Probable cannot meet it: undecided, 3.
        let probable = compact(A, |v| v["verdict"]["confidence"] = json!("probable"));
        let r = judge1(vec![answered(A, &probable)], &[PathKind::GatewayEndpoint]);
        assert_eq!(r.exit_code, 3);
        assert_eq!(r.expectation.unwrap().undecided.len(), 1);
        // Failing wins over undecided.
        let r = judge1(
            vec![
                answered(A, &probable),
                answered(
                    B,
                    &compact(B, |v| v["verdict"]["path"] = json!("nat-gateway")),
                ),
            ],
            &[PathKind::GatewayEndpoint],
        );
        assert_eq!(r.exit_code, 1);
    }

    #[test]
    fn unknown_paths_confidences_and_finding_ids_reject_the_row() {
        let finding = |id: &str| json!([{"id": id, "severity": "warning", "message": "m"}]);
        for (edit, what) in [
            (
                Box::new(|v: &mut Value| v["verdict"]["path"] = json!("gateway-endpoint\u{200b}"))
                    as Box<dyn Fn(&mut Value)>,
                "variant",
            ),
            (
                Box::new(|v: &mut Value| v["verdict"]["confidence"] = json!("certain")),
                "variant",
            ),
            (
                Box::new(move |v: &mut Value| v["findings"] = finding("S3P999")),
                "S3P999",
            ),
            (
                Box::new(move |v: &mut Value| v["findings"] = finding("S3P103\u{200b}")),
                "S3P103\\u{200b}",
            ),
        ] {
            let r = judge1(vec![answered(A, &compact(A, edit))], &[]);
            assert!(r.merged.hosts.is_empty(), "{what}");
            assert_eq!(r.unanswered[0].reason, "rejected", "{what}");
            assert!(
                r.unanswered[0].detail.contains(what),
                "{}",
                r.unanswered[0].detail
            );
            assert_eq!(r.exit_code, 3);
        }
    }

    #[test]
    fn findings_count_once_per_host() {
        let many = compact(A, |v| {
            v["findings"] = json!((0..1000)
                .map(|_| json!({"id": "S3P103", "severity": "warning", "message": "m"}))
                .collect::<Vec<_>>())
        });
        let r = judge1(
            vec![answered(A, &many), answered(B, &compact(B, |_| {}))],
            &[],
        );
        assert_eq!(r.merged.summary.by_finding.get("S3P103"), Some(&1));
        assert_eq!(r.merged.summary.by_path.get("gateway-endpoint"), Some(&2));
    }

    #[test]
    fn outputs_are_bounded_and_never_parsed_after_the_deadline() {
        let deep = format!(
            "{}{}",
            "{\"a\":".repeat(10_000),
            "1".to_string() + &"}".repeat(10_000)
        );
        let padded = compact(A, |v| {
            v["tool_version"] = json!("x".repeat(MAX_OUTPUT_BYTES))
        });
        let r = judge1(vec![answered(A, &deep), answered(B, &padded)], &[]);
        assert_eq!(r.unanswered.len(), 2);
        assert!(
            r.unanswered.iter().all(|u| u.reason == "rejected"),
            "{:?}",
            r.unanswered
        );
        let late = judge(
            &FleetFacts {
                invocations: vec![answered(A, &compact(A, |_| {}))],
                ..FleetFacts::default()
            },
            &FleetJudgeOptions {
                expect: Vec::new(),
                deadline: Some(Instant::now()),
            },
        );
        assert_eq!(late.unanswered[0].reason, "not_judged");
        assert_eq!(late.exit_code, 3);
    }

    #[test]
    fn every_failure_is_shown_per_instance() {
        let mut unreadable = answered(A, "");
        unreadable.stdout = None;
        unreadable.error =
            Some("ssm:GetCommandInvocation: Rate exceeded (retried until the --timeout)".into());
        let r = judge(
            &FleetFacts {
                invocations: vec![unreadable],
                not_sent: vec![crate::facts::fleet::NotSent {
                    instance_id: B.into(),
                    error: "ssm:SendCommand: AccessDenied".into(),
                }],
                ..FleetFacts::default()
            },
            &FleetJudgeOptions::default(),
        );
        let why = |id: &str| r.unanswered.iter().find(|u| u.instance_id == id).unwrap();
        assert_eq!(why(A).reason, "unreadable");
        assert!(why(A).detail.contains("Rate exceeded"));
        assert_eq!(why(B).reason, "not_sent");
        assert_eq!(r.exit_code, 3);
        assert_eq!(
            judge(&FleetFacts::default(), &FleetJudgeOptions::default()).exit_code,
            3
        );
    }
}
