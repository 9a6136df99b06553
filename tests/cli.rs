//! The real binary: exit codes, one-line errors, one JSON document, snapshots of output.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    common::s3path(env!("CARGO_BIN_EXE_s3path"))
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/scenarios/{name}.facts.json"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_one_line_error(o: &Output, needle: &str) {
    assert_eq!(o.status.code(), Some(2), "stderr: {}", stderr(o));
    let e = stderr(o);
    assert_eq!(e.lines().count(), 1, "error must be one line: {e:?}");
    assert!(e.starts_with("s3path: "), "{e:?}");
    assert!(e.contains(needle), "{e:?} lacks {needle:?}");
    assert!(o.stdout.is_empty());
}

#[test]
fn version_and_help_exit_zero() {
    let o = run(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!("s3path {}", env!("CARGO_PKG_VERSION"))
    );
    let o = run(&["doctor", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("--expect"));
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(run(&[]).status.code(), Some(2));
    assert_eq!(run(&["doctor", "--no-such-flag"]).status.code(), Some(2));
    assert_one_line_error(
        &run(&["doctor", "--bucket", "Bad_Bucket"]),
        "--bucket 'Bad_Bucket'",
    );
    assert_one_line_error(&run(&["doctor", "--bucket", "ab"]), "3 to 63 characters");
    assert_one_line_error(
        &run(&["doctor", "--region", "eu-west"]),
        "--region 'eu-west'",
    );
    assert_one_line_error(
        &run(&["doctor", "--expect", "gateway"]),
        "--expect 'gateway'",
    );
    assert_one_line_error(&run(&["doctor", "--format", "yaml"]), "--format 'yaml'");
    assert_one_line_error(&run(&["doctor", "--fail-on", "info"]), "--fail-on 'info'");
    assert_one_line_error(&run(&["doctor", "--timeout", "0"]), "--timeout");
    // A presigned URL with user information: named without it (nor the query string).
    let o = run(&[
        "doctor",
        "--presigned",
        "https://user:PWp9@app-data.s3.eu-west-1.amazonaws.com/k?X-Amz-Signature=SIGp9",
    ]);
    assert_one_line_error(&o, "user information");
    assert!(
        !stderr(&o).contains("PWp9") && !stderr(&o).contains("SIGp9"),
        "{}",
        stderr(&o)
    );
    assert_one_line_error(
        &run(&[
            "doctor",
            "--presigned",
            "https://b.s3.amazonaws.com/k?X-Amz-Expires=60",
        ]),
        "--presigned 'https://b.s3.amazonaws.com': the URL has no signature",
    );
    assert_one_line_error(
        &run(&[
            "doctor",
            "--presigned",
            "ftp://b.s3.amazonaws.com/k?Signature=x",
        ]),
        "presigned URLs are https",
    );
    // The query string carries an access key id and a signature: never echoed.
    let o = run(&[
        "doctor",
        "--presigned",
        "https://b.s3.amazonaws.com:99999/k?X-Amz-Credential=AKIAEXAMPLEKEY%2F20261123%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Signature=deadbeef",
    ]);
    assert_one_line_error(&o, "bad port");
    assert!(!String::from_utf8_lossy(&o.stderr).contains("AKIAEXAMPLEKEY"));
    assert_one_line_error(&run(&["doctor", "--key", ""]), "--key");
    assert_one_line_error(
        &run(&[
            "route",
            "--profile",
            "a b",
            "--subnet-id",
            "subnet-0123abcd",
        ]),
        "--profile 'a b'",
    );
    assert_one_line_error(&run(&["explain", "S3P999"]), "explain 'S3P999'");
    assert_one_line_error(
        &run(&["checks", "--format", "markdown"]),
        "--format 'markdown'",
    );
}

#[test]
fn bad_facts_files_exit_two_with_the_file_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    let p = write(
        "broken.json",
        "{\n  \"schema_version\": 1,\n  \"request\": {,\n}",
    );
    assert_one_line_error(
        &run(&["replay", &p]),
        "broken.json: invalid JSON at line 3, column",
    );
    let p = write("future.json", "{\"schema_version\": 2, \"request\": {}}");
    assert_one_line_error(&run(&["replay", &p]), "schema_version 2 is newer");
    let p = write(
        "wrongtype.json",
        "{\"schema_version\": 1, \"request\": {\"buckets\": 5}}",
    );
    assert_one_line_error(&run(&["replay", &p]), "wrongtype.json: line 1, column");
    let p = write("other.json", "[1, 2, 3]");
    assert_one_line_error(&run(&["replay", &p]), "not an s3path facts file");
    assert_one_line_error(
        &run(&["replay", "/nonexistent/facts.json"]),
        "/nonexistent/facts.json: cannot read",
    );
    let p = write(
        "region.json",
        "{\"schema_version\": 1, \"request\": {\"region\": \"EU-WEST-1\"}}",
    );
    assert_one_line_error(&run(&["replay", &p]), "request.region 'EU-WEST-1'");
}

#[test]
fn json_output_is_exactly_one_document() {
    for name in ["nat-only", "centralized-egress-proxy", "dns-nxdomain"] {
        let o = run(&[
            "replay",
            scenario(name).to_str().unwrap(),
            "--format",
            "json",
        ]);
        let text = String::from_utf8(o.stdout).unwrap();
        let mut stream = serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>();
        let doc = stream.next().unwrap().unwrap();
        assert!(
            stream.next().is_none(),
            "{name}: more than one JSON document"
        );
        assert_eq!(doc["schema_version"], 1);
        assert_eq!(doc["exit_code"].as_i64(), o.status.code().map(i64::from));
    }
}

#[test]
fn exit_codes_separate_findings_from_expectations_and_unknowns() {
    let nat = scenario("nat-only");
    let nat = nat.to_str().unwrap();
    assert_eq!(
        run(&["replay", nat]).status.code(),
        Some(0),
        "warnings alone pass"
    );
    assert_eq!(
        run(&["replay", nat, "--fail-on", "warning"]).status.code(),
        Some(1)
    );
    assert_eq!(
        run(&["replay", nat, "--expect", "nat-gateway"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run(&["replay", nat, "--expect", "gateway-endpoint"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run(&[
            "replay",
            nat,
            "--expect",
            "gateway-endpoint",
            "--expect",
            "nat-gateway"
        ])
        .status
        .code(),
        Some(0)
    );
    let blocked = scenario("isolated-subnet");
    assert_eq!(
        run(&["replay", blocked.to_str().unwrap()]).status.code(),
        Some(1)
    );
    let unknown = scenario("dns-nxdomain");
    let unknown = unknown.to_str().unwrap();
    // An unknown path: the run could not judge (3), with or without --expect.
    assert_eq!(run(&["replay", unknown]).status.code(), Some(3));
    assert_eq!(
        run(&["replay", unknown, "--expect", "gateway-endpoint"])
            .status
            .code(),
        Some(3)
    );
}

#[test]
fn explain_and_checks() {
    for key in ["S3P103", "s3p103", "103", "s3-via-nat-gateway"] {
        let o = run(&["explain", key]);
        assert_eq!(o.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&o.stdout).starts_with("# S3P103: s3-via-nat-gateway"));
    }
    let o = run(&["checks", "--format", "json"]);
    let list: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(list.len(), s3path::checks::REGISTRY.len());
    assert_eq!(list[0]["id"], "S3P001");
    let o = run(&["checks"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("S3P402"));
}

/// Runs `s3path ARGS` on a pseudo-terminal (Python's pty module) and returns what it printed.
fn on_a_terminal(args: &[&str], env: &[(&str, &str)]) -> String {
    let script = r#"
import os, pty, sys
out = bytearray()
def read(fd):
    data = os.read(fd, 65536)
    out.extend(data)
    return data
pty.spawn(sys.argv[1:], read)
sys.stdout.buffer.write(bytes(out))
"#;
    let mut cmd = bin();
    let mut py = Command::new("python3");
    py.arg("-c")
        .arg(script)
        .arg(cmd.get_program())
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("TERM", "xterm-256color");
    for (k, v) in env {
        py.env(k, v);
    }
    let _ = &mut cmd;
    String::from_utf8_lossy(&py.output().unwrap().stdout).into_owned()
}

/// Colour and symbols on a terminal only: a pipe gets plain text, NO_COLOR and `--color never`
/// turn them off, CLICOLOR_FORCE and `--color always` turn them on anywhere.
#[test]
fn colour_on_a_terminal_only() {
    let facts = scenario("gateway-endpoint");
    let f = facts.to_str().unwrap();
    let piped = String::from_utf8(run(&["replay", f]).stdout).unwrap();
    assert!(!piped.contains('\x1b') && !piped.contains('✓'), "{piped}");
    let tty = on_a_terminal(&["replay", f], &[]);
    assert!(tty.contains("\x1b[") && tty.contains('✓'), "{tty:?}");
    let no_color = on_a_terminal(&["replay", f], &[("NO_COLOR", "1")]);
    assert!(!no_color.contains('\x1b'), "{no_color:?}");
    let never = on_a_terminal(&["--color", "never", "replay", f], &[]);
    assert!(!never.contains('\x1b'), "{never:?}");
    let forced = bin()
        .args(["replay", f])
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&forced.stdout).contains("\x1b["));
    let always = run(&["--color", "always", "replay", f]);
    assert!(String::from_utf8_lossy(&always.stdout).contains("\x1b["));
    // JSON is never coloured.
    let json = on_a_terminal(&["replay", f, "--format", "json"], &[]);
    assert!(!json.contains("\x1b["), "{json:?}");
}

/// Completion scripts for every shell clap_complete knows, and a man page.
#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = run(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            text.contains("doctor") && text.contains("gateway-endpoint"),
            "{shell}"
        );
    }
    let o = run(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains(".TH s3path 1") && text.contains("doctor"),
        "{text}"
    );
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(2));
}

/// `-v` adds the skipped checks, the facts not gathered and the finding evidence.
#[test]
fn verbose_lists_what_the_default_report_collapses() {
    let facts = scenario("gateway-endpoint-main-table-fallback");
    let f = facts.to_str().unwrap();
    let plain = String::from_utf8(run(&["replay", f]).stdout).unwrap();
    let verbose = String::from_utf8(run(&["-v", "replay", f]).stdout).unwrap();
    assert!(plain.contains("skipped (-v lists them)") && !plain.contains("skipped S3P"));
    assert!(verbose.contains("skipped S3P002") && verbose.contains("FACTS NOT AVAILABLE"));
    assert!(verbose.contains("evidence: ") && !plain.contains("evidence: "));
}

/// Preview checks (S3P703 is one, with severity error) run only with --preview; their
/// findings never change the exit code unless --preview=gate.
#[test]
fn preview_checks_run_only_when_asked_and_gate_only_when_told() {
    let facts = scenario("endpoint-policy-access-point-only");
    let f = facts.to_str().unwrap();
    let json = |o: &Output| -> serde_json::Value { serde_json::from_slice(&o.stdout).unwrap() };
    let s3p703 = |r: &serde_json::Value| -> Vec<serde_json::Value> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["id"] == "S3P703")
            .cloned()
            .collect()
    };
    // Not asked: not run, listed as skipped with how to run it; the exit code ignores it.
    let o = run(&["replay", f, "--format", "json"]);
    let r = json(&o);
    assert!(s3p703(&r).is_empty(), "{}", r["findings"]);
    let run703 = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "S3P703")
        .cloned()
        .unwrap();
    assert_eq!(run703["status"], "skipped");
    assert!(run703["reason"].as_str().unwrap().contains("--preview"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // --preview: shown, marked, still exit 0.
    let o = run(&["replay", f, "--format", "json", "--preview"]);
    let found = s3p703(&json(&o));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["preview"], true);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["replay", f, "--preview"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("access-point-not-in-policy (preview)"));
    // --preview=gate: it counts like any error.
    let o = run(&["replay", f, "--format", "json", "--preview=gate"]);
    assert_eq!(s3p703(&json(&o)).len(), 1);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // A wrong mode is a one-line error.
    assert_one_line_error(&run(&["replay", f, "--preview=maybe"]), "--preview");
}
