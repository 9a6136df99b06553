//! Hostile and odd input (issue 10): forged output, leaked secrets, amplification, files.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    common::s3path(env!("CARGO_BIN_EXE_s3path"))
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
    // The status line is the first and only one at the margin naming the verdict; the forged
    // one stays inside the finding's text.
    assert!(
        stdout.starts_with("FAIL  gateway-endpoint via vpce-0gw11111"),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("VERDICT")).count(),
        0,
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
        md.lines().filter(|l| l.starts_with("# s3path: ")).count(),
        1,
        "{md}"
    );
    assert!(!md.lines().any(|l| l.starts_with("## Verdict")), "{md}");
    assert!(!md.contains('\x1b'));
    // HTML: the forged text stays text (one page, the only scripts its own two).
    let out = bin()
        .args(["replay", f.to_str().unwrap(), "--format", "html"])
        .output()
        .unwrap();
    let (html, _) = text(&out);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert_eq!(html.matches("<script>").count(), 2, "{html}");
    for bad in ['\x1b', '\x07', '\u{9b}', '\r'] {
        assert!(!html.contains(bad), "{bad:?} in the page");
    }
    // JSON keeps the data as data (escaped by JSON itself), in one document.
    let out = bin()
        .args(["replay", f.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"]["path"], "gateway-endpoint");
    assert!(out.stdout.iter().filter(|b| **b == b'\n').count() > 10);
}

/// A facts file whose lists are far beyond anything AWS returns (10,000 addresses for one
/// name, here): refused with one line naming the list and the limit, exit 2 — instead of
/// gigabytes of evidence.
#[test]
fn amplifying_facts_files_are_refused_with_one_line() {
    let mut facts: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(scenario("gateway-endpoint")).unwrap())
            .unwrap();
    let addrs: Vec<String> = (0..10_000)
        .map(|i| format!("52.218.{}.{}", i / 250, i % 250 + 1))
        .collect();
    facts["dns"]["value"][0]["addresses"] = serde_json::json!(addrs);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("amp.json");
    std::fs::write(&f, facts.to_string()).unwrap();
    let out = bin()
        .args(["replay", f.to_str().unwrap()])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("has 10000 items; at most 64 are accepted"),
        "{stderr}"
    );
}

/// Not a regular file (a FIFO would block a naive read forever): refused at once.
#[test]
fn a_fifo_as_facts_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("facts.fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let out = bin()
        .args(["replay", fifo.to_str().unwrap()])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is not a regular file"), "{stderr}");
}

fn route_offline(save: &Path) -> Output {
    // The EC2 API at a closed loopback port: nothing leaves the machine, the run is quick.
    bin()
        .args([
            "route",
            "--region",
            "eu-west-1",
            "--subnet-id",
            "subnet-0abc1234",
            "--timeout",
            "2",
            "--format",
            "json",
            "--save-facts",
            save.to_str().unwrap(),
        ])
        .env("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null/none")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null/none")
        .output()
        .unwrap()
}

/// `--save-facts` never writes through a symbolic link (checked before gathering), and writes
/// a new or existing regular file with mode 0600.
#[test]
fn save_facts_refuses_links_and_writes_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "do not overwrite").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = dir.path().join("facts.json");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    let start = std::time::Instant::now();
    let out = route_offline(&link);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert!(stdout.is_empty(), "nothing gathered, nothing printed");
    assert!(start.elapsed() < std::time::Duration::from_secs(1));
    assert_eq!(
        std::fs::read_to_string(&secret).unwrap(),
        "do not overwrite"
    );
    // A pre-existing regular file (0644) is replaced by a 0600 one.
    let target = dir.path().join("saved.json");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = route_offline(&target);
    let (_, stderr) = text(&out);
    assert!(matches!(out.status.code(), Some(0 | 1 | 3)), "{stderr}");
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(saved["schema_version"], 1);
    // No temporary file is left beside it.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
