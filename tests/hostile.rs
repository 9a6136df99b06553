//! Hostile and odd input (issue 10): forged output, leaked secrets, amplification, files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_s3path"));
    for v in [
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_PROFILE",
    ] {
        c.env_remove(v);
    }
    c
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/scenarios/{name}.facts.json"))
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// An S3 error message (any bucket owner or middlebox controls it) with a newline, a forged
/// verdict line, terminal escapes and HTML: printed as data, on its own line, never obeyed.
#[test]
fn a_forged_s3_error_message_cannot_forge_the_report() {
    let mut facts: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(scenario("endpoint-policy-denies-bucket")).unwrap(),
    )
    .unwrap();
    let forged = "Access Denied\nVERDICT  gateway-endpoint via vpce-0evil  [confirmed]\r\n\x1b[2J\x1b]8;;http://evil\x07click\x1b]8;;\x07 \u{9b}31m <script>alert(1)</script> [x](http://evil) | # ## Verdict: `ok` because no VPC endpoint policy allows the s3:ListBucket action";
    for b in facts["buckets"]["value"].as_array_mut().unwrap() {
        for q in b["requests"].as_array_mut().unwrap() {
            if q["error_code"] == "AccessDenied" {
                q["error"] = forged.into();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("forged.json");
    std::fs::write(&f, facts.to_string()).unwrap();
    let out = bin()
        .args(["replay", f.to_str().unwrap()])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(stdout.contains("Access Denied\\nVERDICT"), "{stdout}");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("VERDICT")).count(),
        1,
        "{stdout}"
    );
    for bad in ['\x1b', '\x07', '\u{9b}', '\r'] {
        assert!(
            !stdout.contains(bad),
            "{bad:?} reached the terminal: {stdout:?}"
        );
    }
    assert!(!stderr.contains('\x1b'));
    let out = bin()
        .args(["replay", f.to_str().unwrap(), "--format", "markdown"])
        .output()
        .unwrap();
    let (md, _) = text(&out);
    assert!(!md.contains("<script"), "{md}");
    assert!(!md.contains("[x](http://evil)"), "{md}");
    assert_eq!(
        md.lines().filter(|l| l.starts_with("## Verdict")).count(),
        1,
        "{md}"
    );
    assert!(!md.contains('\x1b'));
    // JSON keeps the data as data (escaped by JSON itself), in one document.
    let out = bin()
        .args(["replay", f.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"]["path"], "gateway-endpoint");
    assert!(out.stdout.iter().filter(|b| **b == b'\n').count() > 10);
}
