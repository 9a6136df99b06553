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
                        styled: false,
                        verbose: true
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
