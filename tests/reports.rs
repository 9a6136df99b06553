//! The full report of every scenario in tests/scenarios, in every format, as insta snapshots
//! (tests/snapshots/reports__*.snap). After a deliberate change: `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test --test reports` and read the diff).

mod common;

use s3path::render::{self, Format, HumanOptions};
use s3path::report::{judge, JudgeOptions};

fn scenarios() -> Vec<(String, s3path::facts::Facts, JudgeOptions)> {
    let dir = common::scenarios_dir();
    common::scenario_names()
        .into_iter()
        .filter_map(|name| {
            let text = std::fs::read_to_string(dir.join(format!("{name}.facts.json"))).unwrap();
            // Scenarios that test input errors have no report.
            let facts = s3path::input::parse_facts(&text, &name).ok()?;
            let (_, args) = common::scenario_expected(&name);
            // Preview checks run in every scenario (their findings shown, not gating), so each
            // is exercised; a scenario's args may ask for --preview=gate.
            let mut opts = JudgeOptions {
                preview: s3path::report::PreviewMode::Show,
                ..JudgeOptions::default()
            };
            let mut it = args.iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--expect" => {
                        for k in it.next().unwrap().split(',') {
                            opts.expect
                                .push(s3path::engine::PathKind::parse(k).unwrap());
                        }
                    }
                    "--fail-on" if it.next().map(String::as_str) == Some("warning") => {
                        opts.fail_on = s3path::report::FailOn::Warning;
                    }
                    "--preview=gate" => opts.preview = s3path::report::PreviewMode::Gate,
                    "--preview=off" => opts.preview = s3path::report::PreviewMode::Off,
                    _ => {}
                }
            }
            Some((name, facts, opts))
        })
        .collect()
}

#[test]
fn every_scenario_in_every_format() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(true);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (name, facts, opts) in scenarios() {
            let report = judge(&facts, &opts);
            insta::assert_snapshot!(
                format!("{name}.human"),
                render::render(&report, Format::Human)
            );
            insta::assert_snapshot!(
                format!("{name}.verbose"),
                render::render_with(
                    &report,
                    Format::Human,
                    &HumanOptions {
                        verbose: true,
                        ..HumanOptions::default()
                    }
                )
            );
            insta::assert_snapshot!(
                format!("{name}.markdown"),
                render::render(&report, Format::Markdown)
            );
            insta::assert_snapshot!(
                format!("{name}.json"),
                render::render(&report, Format::Json)
            );
        }
    });
}

/// A healthy run fits on one screen; so does a run off AWS.
#[test]
fn healthy_and_off_aws_reports_fit_on_one_screen() {
    for (name, facts, opts) in scenarios() {
        if !matches!(
            name.as_str(),
            "hardened-and-correct"
                | "gateway-confirmed-by-probe"
                | "interface-endpoint-healthy"
                | "off-aws-laptop"
        ) {
            continue;
        }
        let out = render::render(&judge(&facts, &opts), Format::Human);
        assert!(
            out.lines().count() <= 40,
            "{name}: {} lines\n{out}",
            out.lines().count()
        );
    }
}

/// Every report, full and compact, reads back (as `merge` and `fleet` read them) into the same
/// typed value: written again, byte for byte the same text.
#[test]
fn every_report_reads_back_as_written() {
    use s3path::report::read::{read, Received};
    for (name, facts, opts) in scenarios() {
        let report = judge(&facts, &opts);
        let json = render::render(&report, Format::Json);
        match read(&json) {
            Ok(Received::Full(back)) => {
                assert_eq!(render::render(&back, Format::Json), json, "{name}")
            }
            other => panic!("{name}: {other:?}"),
        }
        let compact = render::render(&report, Format::Compact);
        match read(&compact) {
            Ok(Received::Compact(back)) => assert_eq!(back.to_line(), compact, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

/// The first line is the status word, and it agrees with the exit code: FAIL for 1, UNKNOWN for
/// 3, and for 0 OK only without warnings or errors (a NAT verdict with S3P103 is WARN).
#[test]
fn the_first_line_is_a_status_that_agrees_with_the_exit_code() {
    use s3path::report::RunStatus;
    for (name, facts, opts) in scenarios() {
        let report = judge(&facts, &opts);
        let status = report.status();
        let human = render::render(&report, Format::Human);
        let first = human.lines().next().unwrap();
        assert!(
            first.starts_with(&format!("{}  {}", status.as_str(), report.verdict.path)),
            "{name}: first line {first:?}"
        );
        let warns = report.findings.iter().any(|f| {
            matches!(
                f.severity,
                s3path::checks::Severity::Error | s3path::checks::Severity::Warning
            )
        });
        match report.exit_code {
            1 => assert_eq!(status, RunStatus::Fail, "{name}"),
            3 => assert_eq!(status, RunStatus::Unknown, "{name}"),
            0 => {
                assert_ne!(status, RunStatus::Fail, "{name}");
                // A blocked path is OK only when --expect asked for it and it is met.
                let expected = report
                    .expectation
                    .as_ref()
                    .is_some_and(|e| e.met == Some(true));
                assert_eq!(
                    status == RunStatus::Ok,
                    !warns
                        && report.verdict.path != s3path::engine::PathKind::Unknown
                        && (report.verdict.path != s3path::engine::PathKind::Blocked || expected),
                    "{name}: {status}"
                );
            }
            c => panic!("{name}: exit code {c}"),
        }
        if report.findings.iter().any(|f| f.id == "S3P103") {
            assert_ne!(status, RunStatus::Ok, "{name}: S3P103 warns");
        }
        let md = render::render(&report, Format::Markdown);
        assert!(
            md.starts_with(&format!("# s3path: {status} — `{}`", report.verdict.path)),
            "{name}: {}",
            md.lines().next().unwrap()
        );
    }
}

/// Advice that fits the vantage and the evidence, over every scenario: what no report may say.
#[test]
fn no_report_contradicts_its_vantage_its_verdict_or_its_other_checks() {
    use s3path::facts::VantageKind;
    use s3path::report::CheckStatus;
    let sg_nacl = |s: &str| {
        let s = s.to_lowercase();
        s.contains("security group egress") || s.contains("network acl")
    };
    for (name, facts, opts) in scenarios() {
        let report = judge(&facts, &opts);
        let kind = facts.vantage.get().map(|v| v.kind.clone());
        let subnet_named = facts.vantage.get().is_some_and(|v| v.subnet_id.is_some());
        let passed = |id: &str| {
            report
                .checks
                .iter()
                .any(|c| c.id == id && c.status == CheckStatus::Pass)
        };
        let texts = |f: &s3path::report::Finding| {
            std::iter::once(f.message.clone())
                .chain(f.remediation.iter().cloned())
                .collect::<Vec<_>>()
        };
        for f in &report.findings {
            for text in texts(f) {
                // Off AWS there is no security group or network ACL between this host and S3.
                if kind == Some(VantageKind::OffAws) && !subnet_named {
                    assert!(!sg_nacl(&text), "{name}: {} off AWS: {text}", f.id);
                }
                // A probe from a host outside the VPC says nothing about the subnet's SG/NACL.
                if f.id == "S3P501"
                    && matches!(kind, Some(VantageKind::OffAws | VantageKind::Subnet))
                {
                    assert!(!sg_nacl(&text), "{name}: S3P501 outside the VPC: {text}");
                }
                // What S3P107 and S3P108 cleared, S3P501 does not blame.
                if f.id == "S3P501" && passed("S3P107") && passed("S3P108") {
                    assert!(
                        !text.contains("check this host's security group")
                            && !text.contains("check this task's security group")
                            && !text.starts_with("check the subnet's network ACL"),
                        "{name}: S3P501 blames what S3P107/S3P108 cleared: {text}"
                    );
                }
                // A verdict a finding contradicts.
                if text.contains("gateway endpoints never serve it") {
                    assert_eq!(
                        report.verdict.path,
                        s3path::engine::PathKind::OffAws,
                        "{name}: {text}"
                    );
                }
                // Grammar slips and placeholders where the facts have the value.
                for slip in [
                    "the this ",
                    "the a ",
                    "the an ",
                    "on the unknown path",
                    "over unknown",
                    "dig +short NAME",
                ] {
                    assert!(!text.contains(slip), "{name}: {slip:?} in {text}");
                }
                if report.region.is_some() {
                    assert!(!text.contains("ec2.REGION"), "{name}: {text}");
                }
                if report.route_table.is_some() {
                    assert!(!text.contains("RTB_ID"), "{name}: {text}");
                }
            }
        }
        assert!(
            !report.verdict.summary.contains("the this ")
                && !report.verdict.summary.contains("the a "),
            "{name}: {}",
            report.verdict.summary
        );
        // One line per cause: no two findings of a check with the same fixes that differ only
        // in a word or three (they fold), and a fix appears once per report.
        let mut fixes: Vec<&str> = Vec::new();
        for f in &report.findings {
            for fix in f
                .remediation
                .iter()
                .filter(|x| !x.starts_with("the same fix as "))
            {
                assert!(!fixes.contains(&fix.as_str()), "{name}: fix twice: {fix}");
                fixes.push(fix);
            }
        }
        for (i, a) in report.findings.iter().enumerate() {
            for b in &report.findings[i + 1..] {
                let (wa, wb): (Vec<&str>, Vec<&str>) = (
                    a.message.split(' ').collect(),
                    b.message.split(' ').collect(),
                );
                let differ = wa.iter().zip(&wb).filter(|(x, y)| x != y).count();
                assert!(
                    !(a.id == b.id
                        && a.remediation == b.remediation
                        && wa.len() == wb.len()
                        && differ <= 3),
                    "{name}: {} twice for one cause:\n  {}\n  {}",
                    a.id,
                    a.message,
                    b.message
                );
            }
        }
    }
}

/// Every human report, plain and -v, fits 100 columns (the width on a pipe).
#[test]
fn every_human_report_fits_100_columns() {
    for (name, facts, opts) in scenarios() {
        let report = judge(&facts, &opts);
        for verbose in [false, true] {
            let out = render::render_with(
                &report,
                Format::Human,
                &HumanOptions {
                    verbose,
                    ..HumanOptions::default()
                },
            );
            for line in out.lines() {
                assert!(
                    line.chars().count() <= 100,
                    "{name} (verbose {verbose}): {} columns: {line}",
                    line.chars().count()
                );
            }
        }
    }
}

/// The path line: in the human report (every target's with -v) and as Mermaid in Markdown,
/// from the application to S3 (or to where it stops).
#[test]
fn every_report_draws_its_path() {
    for (name, facts, opts) in scenarios() {
        let report = judge(&facts, &opts);
        let Some(primary) = report.targets.iter().find(|t| t.primary) else {
            continue;
        };
        let human = render::render(&report, Format::Human);
        let path = human
            .lines()
            .find(|l| l.trim_start().starts_with("path "))
            .unwrap_or_else(|| panic!("{name}: no path line\n{human}"));
        assert!(path.contains("app → "), "{name}: {path}");
        let terminal = primary.decision.terminal();
        // Beyond a transit gateway, a hop that stops the traffic (or could not be followed)
        // ends the picture there.
        let ends_at_s3 = !matches!(
            terminal.path,
            s3path::engine::PathKind::Blocked | s3path::engine::PathKind::Unknown
        ) && !terminal.hops.iter().any(|h| h.ends_path());
        let joined = human.replace("\n               ", " ");
        if ends_at_s3 {
            assert!(joined.contains("→ S3"), "{name}: {path}");
        }
        if let Some(via) = &primary.decision.via {
            assert!(
                joined.contains(via.as_str()),
                "{name}: {via} not in the path"
            );
        }
        let verbose = render::render_with(
            &report,
            Format::Human,
            &HumanOptions {
                verbose: true,
                ..HumanOptions::default()
            },
        );
        assert_eq!(
            verbose
                .lines()
                .filter(|l| l.starts_with("    app → "))
                .count(),
            report.targets.len(),
            "{name}: one path per target with -v"
        );
        let md = render::render(&report, Format::Markdown);
        assert!(
            md.contains("```mermaid\nflowchart LR\n  h0[\"app\"] --> h1["),
            "{name}"
        );
    }
}

/// A healthy report's Markdown fits a ticket: at most 40 lines, the details collapsed.
#[test]
fn healthy_markdown_is_at_most_40_lines() {
    for (name, facts, opts) in scenarios() {
        if !matches!(
            name.as_str(),
            "hardened-and-correct"
                | "gateway-confirmed-by-probe"
                | "interface-endpoint-healthy"
                | "gateway-endpoint"
                | "off-aws-laptop"
        ) {
            continue;
        }
        let md = render::render(&judge(&facts, &opts), Format::Markdown);
        assert!(
            md.lines().count() <= 40,
            "{name}: {} lines\n{md}",
            md.lines().count()
        );
        assert!(md.contains("<details><summary>"), "{name}");
    }
}
