//! `--format html` in a real browser (issue 20): headless Chromium loads the page written by
//! `audit --facts` (a saved inventory of the moto audit topology, with a hostile VPC id) and by
//! `merge` (reports replayed from scenarios), takes a screenshot under target/ for people to
//! look at, and the test checks that the page's script ran without an error or a console
//! message (a Content-Security-Policy violation is one: the page must load nothing), that it
//! shows as many rows as the JSON report has subnets (hosts), that sorting works, and that the
//! hostile text stayed text.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_s3path");
const FIXTURE: &str = "tests/fixtures/audit-inventory.json";

/// target/ (the directory holding CARGO_TARGET_TMPDIR).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target/tmp has a parent")
        .to_path_buf()
}

fn s3path(args: &[&str]) -> (i32, String) {
    let out = common::s3path(BIN).args(args).output().unwrap();
    assert!(
        out.status.code() != Some(2),
        "s3path {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// Runs headless Chromium on `page` (with `fragment`) with `extra` arguments; returns stdout
/// and the console lines it logged.
fn chromium(page: &Path, fragment: &str, extra: &[&str]) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}{fragment}", page.display());
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(&url)
        .output()
        .expect("chromium runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium {url}: {stderr}");
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

fn attr<'a>(dom: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let at = dom.find(&key)? + key.len();
    dom[at..].split('"').next()
}

/// What every page must be: self-contained, its script run, no error, nothing logged.
fn assert_clean(html: &str, dom: &str, console: &[String]) {
    for bad in ["<link", "<script src", "<img", "<iframe", "@import", "url("] {
        assert!(!html.contains(bad), "the page holds {bad}");
    }
    assert!(
        html.contains("default-src 'none'"),
        "no Content-Security-Policy"
    );
    assert_eq!(
        attr(dom, "data-ready"),
        Some("1"),
        "the page's script did not run"
    );
    assert_eq!(
        attr(dom, "data-script-error"),
        None,
        "a script error in the page"
    );
    assert!(console.is_empty(), "console messages: {console:#?}");
}

fn rows<'a>(dom: &'a str, kind: &str) -> Vec<&'a str> {
    let key = format!("<tr data-row=\"{kind}\">");
    dom.split(key.as_str()).skip(1).collect()
}

fn screenshot(page: &Path, png: &Path) {
    let _ = std::fs::remove_file(png);
    let (_, console) = chromium(
        page,
        "",
        &[
            "--window-size=1280,1800",
            &format!("--screenshot={}", png.display()),
        ],
    );
    assert!(console.is_empty(), "{console:#?}");
    let bytes = std::fs::read(png).expect("the screenshot is written");
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
        "{} is not a screenshot ({} bytes)",
        png.display(),
        bytes.len()
    );
}

#[test]
fn audit_html_in_a_browser() {
    if common::skip("tests/html.rs", &[common::Need::Program("chromium")]) {
        return;
    }
    // --cost: the saved inventory holds the NAT metrics; the page shows the cost section.
    let (code, json) = s3path(&["audit", "--facts", FIXTURE, "--cost", "--format", "json"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    let subnets = report["subnets"].as_array().unwrap();
    let vpcs: std::collections::BTreeSet<&str> = subnets
        .iter()
        .map(|s| s["vpc_id"].as_str().unwrap())
        .collect();
    assert!(subnets.len() >= 16, "{}", subnets.len());

    assert!(report["cost"].is_object(), "no cost in the report");
    let (html_code, html) = s3path(&["audit", "--facts", FIXTURE, "--cost", "--format", "html"]);
    assert_eq!(
        html_code, code,
        "the exit code does not depend on the format"
    );
    let page = target_dir().join("html-audit.html");
    std::fs::write(&page, &html).unwrap();

    // Hostile text (a VPC id holding a tag, a bidi override, a zero-width space) is text.
    assert!(!html.contains("<img"), "a tag from the facts was opened");
    assert!(html.contains("vpc-ec19&lt;img src=x onerror=&quot;"));
    assert!(!html.contains('\u{202e}') && !html.contains('\u{200b}'));
    assert!(html.contains("\\u{202e}\\u{200b}"));

    let (dom, console) = chromium(&page, "", &["--dump-dom"]);
    assert_clean(&html, &dom, &console);
    let n = subnets.len().to_string();
    assert_eq!(attr(&dom, "data-subnets"), Some(n.as_str()));
    assert_eq!(
        attr(&dom, "data-rows"),
        Some(n.as_str()),
        "rows the script counted"
    );
    assert_eq!(rows(&dom, "subnet").len(), subnets.len());
    assert_eq!(
        dom.matches("<section class=\"vpc\" data-status=\"").count(),
        vpcs.len(),
        "one section per VPC"
    );
    // VPCs worst first: the first section holds a blocked subnet, the last none.
    let sections: Vec<&str> = dom
        .split("<section class=\"vpc\" data-status=\"")
        .skip(1)
        .collect();
    assert!(sections[0].starts_with("FAIL"), "{}", &sections[0][..80]);
    assert!(sections.last().unwrap().starts_with("OK"));
    // A path picture per subnet, findings with their fixes, the cost section.
    assert!(
        dom.contains("(gateway) → S3 ca-central-1"),
        "no path picture"
    );
    assert!(dom.contains("(NAT) → S3 ca-central-1"));
    assert!(dom.contains("fix: <code>"), "no fixes");
    assert!(dom.contains("id=\"cost\""), "no cost section");
    // Title and the DOM untouched by the hostile text (its onerror would set the title).
    assert!(dom.contains("<title>s3path audit</title>"));

    // Sorting: by the subnet column (3), ascending then descending.
    let ids = |dom: &str| -> Vec<String> {
        rows(dom, "subnet")
            .iter()
            .map(|r| {
                let a = r.find("\">subnet-").unwrap() + 2;
                r[a..].split('<').next().unwrap().to_string()
            })
            .collect()
    };
    let (up, console) = chromium(&page, "#sort=3", &["--dump-dom"]);
    assert!(console.is_empty(), "{console:#?}");
    let mut want = ids(&dom);
    want.sort();
    assert_eq!(ids(&up), want);
    assert_ne!(ids(&dom), want, "the page was already in subnet order");
    let (down, _) = chromium(&page, "#sort=-3", &["--dump-dom"]);
    want.reverse();
    assert_eq!(ids(&down), want);

    screenshot(&page, &target_dir().join("html-audit.png"));
}

#[test]
fn merge_html_in_a_browser() {
    if common::skip("tests/html.rs", &[common::Need::Program("chromium")]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let scenarios = [
        "gateway-endpoint",
        "blackhole-nat",
        "endpoint-policy-denies-bucket",
        "centralized-egress-proxy",
    ];
    for s in scenarios {
        let (_, json) = s3path(&[
            "replay",
            &format!("tests/scenarios/{s}.facts.json"),
            "--format",
            "json",
        ]);
        std::fs::write(dir.path().join(format!("{s}.json")), json).unwrap();
    }
    let (json_code, _) = s3path(&["merge", dir.path().to_str().unwrap(), "--format", "json"]);
    let (code, html) = s3path(&["merge", dir.path().to_str().unwrap(), "--format", "html"]);
    assert_eq!(
        code, json_code,
        "the exit code does not depend on the format"
    );
    let page = target_dir().join("html-merge.html");
    std::fs::write(&page, &html).unwrap();
    let (dom, console) = chromium(&page, "", &["--dump-dom"]);
    assert_clean(&html, &dom, &console);
    let n = scenarios.len().to_string();
    assert_eq!(attr(&dom, "data-hosts"), Some(n.as_str()));
    assert_eq!(attr(&dom, "data-rows"), Some(n.as_str()));
    assert_eq!(rows(&dom, "host").len(), scenarios.len());
    assert!(dom.contains("→ S3"), "no path picture");
    screenshot(&page, &target_dir().join("html-merge.png"));
}
