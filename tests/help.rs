//! Help that reads as help (issue 20): every command's `--help` ends with examples, the path
//! kinds are listed once (`s3path explain kinds`) instead of in every command, no rustdoc
//! markup reaches the text, and every command has a manual page that `man -l -` renders.

mod common;

use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_s3path");

const COMMANDS: [&str; 11] = [
    "doctor",
    "route",
    "replay",
    "explain",
    "checks",
    "merge",
    "audit",
    "fleet",
    "names",
    "completions",
    "man",
];

fn out(args: &[&str]) -> (i32, String, String) {
    let o = common::s3path(BIN).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn every_command_has_examples_and_no_markup() {
    let kinds: Vec<String> = {
        let (code, text, _) = out(&["explain", "kinds"]);
        assert_eq!(code, 0);
        text.lines()
            .skip(1)
            .map(|l| l.split_whitespace().next().unwrap().to_string())
            .collect()
    };
    for k in [
        "gateway-endpoint",
        "nat-gateway",
        "off-aws",
        "blocked",
        "proxy",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} not in {kinds:?}");
    }
    assert_eq!(kinds.len(), 20, "{kinds:?}");
    let (_, top, _) = out(&["--help"]);
    let explain = top
        .lines()
        .find(|l| l.trim_start().starts_with("explain"))
        .unwrap();
    assert!(explain.contains("path kinds"), "{top}");
    for c in COMMANDS {
        let (code, help, _) = out(&[c, "--help"]);
        assert_eq!(code, 0, "{c}");
        let examples = help
            .split("\nExamples:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{c} --help has no examples:\n{help}"));
        let shown = examples
            .lines()
            .filter(|l| l.starts_with(&format!("  s3path {c}")))
            .count();
        assert!((2..=3).contains(&shown), "{c}: {shown} examples");
        for bad in ["`", "[`", "]("] {
            assert!(!help.contains(bad), "{c} --help holds {bad:?}:\n{help}");
        }
        // The kinds are not repeated in each command's help.
        assert!(
            !help.contains("gateway-load-balancer-endpoint"),
            "{c} --help lists the kinds"
        );
        if help.contains("--expect") {
            assert!(help.contains("s3path explain kinds"), "{c}");
        }
    }
}

#[test]
fn a_manual_page_per_command() {
    if common::skip("tests/help.rs", &[common::Need::Program("man")]) {
        return;
    }
    for c in COMMANDS {
        let (code, roff, err) = out(&["man", c]);
        assert_eq!(code, 0, "{c}: {err}");
        assert!(
            roff.starts_with(&format!(
                ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n.TH s3path-{c} 1"
            )),
            "{c}: {}",
            &roff[..roff.len().min(200)]
        );
        // `s3path man doctor | man -l -` renders it.
        let mut man = Command::new("man")
            .args(["-l", "-"])
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "100")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            man.stdin
                .take()
                .unwrap()
                .write_all(roff.as_bytes())
                .unwrap();
        }
        let o = man.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "man -l: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            text.contains("NAME") && text.contains(&format!("s3path-{c}")),
            "{text}"
        );
        assert!(text.contains("Examples:"), "{c}: no examples in the page");
    }
    let (code, _, err) = out(&["man", "nosuch"]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("not a command") && err.contains("doctor"),
        "{err}"
    );
    // Every page written at once: the top page's references (s3path-doctor(1)) resolve.
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = out(&["man", "--out-dir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let top = std::fs::read_to_string(dir.path().join("s3path.1")).unwrap();
    for c in COMMANDS {
        assert!(top.contains(&format!("s3path\\-{c}(1)")), "{c}");
        assert!(dir.path().join(format!("s3path-{c}.1")).is_file(), "{c}");
    }
}
