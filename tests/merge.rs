//! `s3path merge` over real reports (replays of the scenario files): counts, hosts, the
//! same-subnet disagreements first, and bad or foreign files named one line each.

mod common;

use std::path::Path;

fn bin() -> std::process::Command {
    common::s3path(env!("CARGO_BIN_EXE_s3path"))
}

fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/scenarios/{name}.facts.json"))
        .to_string_lossy()
        .into_owned()
}

/// A real report: `s3path replay SCENARIO --format json`.
fn report(name: &str) -> Vec<u8> {
    bin()
        .args(["replay", &scenario(name), "--format", "json"])
        .output()
        .unwrap()
        .stdout
}

#[test]
fn reports_merge_into_a_fleet_view_with_disagreements_first() {
    let dir = tempfile::tempdir().unwrap();
    // Three hosts of subnet-0priv1111: two on the gateway endpoint, one through a proxy; one
    // host of the same subnet judged NAT by a table fallback scenario.
    for (file, name) in [
        ("a.json", "gateway-endpoint"),
        ("b.json", "gateway-confirmed-by-probe"),
        ("c.json", "centralized-egress-proxy"),
        ("d.json", "nat-only"),
    ] {
        std::fs::write(dir.path().join(file), report(name)).unwrap();
    }
    std::fs::write(dir.path().join("broken.json"), "{ not json").unwrap();
    std::fs::copy(scenario("nat-only"), dir.path().join("facts.json")).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "ignored: not .json").unwrap();
    let out = bin()
        .args(["merge", dir.path().to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Every host read is fine, but two files could not be judged: 3 (README, "Exit codes").
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    // One line per bad file, naming it.
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(stderr.contains("broken.json: invalid JSON"), "{stderr}");
    assert!(stderr.contains("facts.json: is a facts file"), "{stderr}");
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(m["summary"]["reports"], 4);
    assert_eq!(m["summary"]["by_path"]["gateway-endpoint"], 2);
    assert_eq!(m["summary"]["by_path"]["nat-gateway"], 1);
    assert_eq!(m["summary"]["by_path"]["proxy"], 1);
    assert_eq!(m["summary"]["by_finding"]["S3P103"], 1);
    let d = &m["disagreements"][0];
    assert_eq!(d["subnet_id"], "subnet-0priv1111");
    assert_eq!(d["paths"].as_array().unwrap().len(), 3, "{d}");
    assert_eq!(d["paths"][0]["path"], "gateway-endpoint");
    assert_eq!(m["hosts"].as_array().unwrap().len(), 4);
    assert_eq!(m["rejected"].as_array().unwrap().len(), 2);
    // Human: the disagreements come before the hosts.
    let out = bin()
        .args(["merge", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let dis = text.find("DISAGREEMENTS").expect("disagreements shown");
    let hosts = text.find("HOSTS").unwrap();
    assert!(dis < hosts, "{text}");
    // Markdown for a ticket.
    let out = bin()
        .args([
            "merge",
            dir.path().to_str().unwrap(),
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("## Disagreements"));
}

#[test]
fn nothing_readable_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "[]").unwrap();
    let out = bin()
        .args(["merge", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.json: is not an s3path report"),
        "{stderr}"
    );
    assert!(stderr.contains("no report could be read"), "{stderr}");
    assert!(out.stdout.is_empty());
}
