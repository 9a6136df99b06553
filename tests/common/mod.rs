//! What the suites that need the machine's help (root for network namespaces, moto_server,
//! dnsmasq, nft, openssl) check before they run. On a machine without them the tests are
//! skipped with one line saying what is missing and which command runs them; under `.ci/run`
//! (`S3PATH_REQUIRE_ALL_TESTS=1`) a missing prerequisite fails the test instead, so CI never
//! passes by skipping.

#![allow(dead_code)]

mod moto;

use std::sync::Once;

// Not every suite starts a helper process (the import is then unused in that binary).
#[allow(unused_imports)]
pub use moto::*;

/// A prerequisite of a suite.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    /// Root (network namespaces, addresses on interfaces, nft).
    Root,
    /// A program on PATH.
    Program(&'static str),
}

fn have(n: Need) -> bool {
    match n {
        // SAFETY: geteuid has no preconditions.
        Need::Root => (unsafe { libc::geteuid() }) == 0,
        Need::Program(p) => std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join(p).is_file())),
    }
}

fn describe(n: Need) -> String {
    match n {
        Need::Root => "root".to_string(),
        Need::Program(p) => p.to_string(),
    }
}

/// The lab (network namespaces with dnsmasq, nft, TLS listeners, moto).
pub const LAB: &[Need] = &[
    Need::Root,
    Need::Program("ip"),
    Need::Program("dnsmasq"),
    Need::Program("nft"),
    Need::Program("openssl"),
    Need::Program("python3"),
    Need::Program("moto_server"),
];

/// The moto suites (EC2 and S3 APIs on loopback).
pub const MOTO: &[Need] = &[Need::Program("python3"), Need::Program("moto_server")];

/// `true` when the test must be skipped: prints one line (once per suite) naming what is
/// missing. Panics instead when `S3PATH_REQUIRE_ALL_TESTS=1`.
pub fn skip(suite: &str, needs: &[Need]) -> bool {
    let missing: Vec<String> = needs
        .iter()
        .copied()
        .filter(|n| !have(*n))
        .map(describe)
        .collect();
    if missing.is_empty() {
        return false;
    }
    let line = format!(
        "{suite}: skipped, needs {} (run the whole suite with: sudo bash .ci/run)",
        missing.join(", ")
    );
    if std::env::var("S3PATH_REQUIRE_ALL_TESTS").as_deref() == Ok("1") {
        panic!("{line} — S3PATH_REQUIRE_ALL_TESTS=1 forbids skipping");
    }
    // Straight to the stderr handle: the test harness captures eprintln!, and this line is
    // meant to be seen.
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "{line}");
    });
    true
}

/// The environment a test's s3path must not inherit from the developer's shell: proxies,
/// regions, endpoint overrides, the profile, the metadata endpoint, credentials.
pub const HOST_SETTINGS: &[&str] = &[
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_EC2",
    "AWS_PROFILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// The s3path binary with none of [`HOST_SETTINGS`] inherited.
pub fn s3path(bin: &str) -> std::process::Command {
    let mut c = std::process::Command::new(bin);
    for v in HOST_SETTINGS {
        c.env_remove(v);
    }
    c
}

/// tests/scenarios.
pub fn scenarios_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios")
}

/// The names of the scenarios (`NAME.facts.json` in tests/scenarios), sorted.
pub fn scenario_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().into_string().unwrap();
            n.strip_suffix(".facts.json").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// tests/scenarios/NAME.expected.json, and the command-line arguments it lists (`args`, none
/// when absent).
pub fn scenario_expected(name: &str) -> (serde_json::Value, Vec<String>) {
    let path = scenarios_dir().join(format!("{name}.expected.json"));
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let args: Vec<String> = expected["args"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    (expected, args)
}

/// Runs `cmd` with its stderr on a pseudo-terminal (Python's pty module; stdout discarded, as
/// with `> out.json`) and returns what it wrote there.
pub fn stderr_on_a_terminal(cmd: &std::process::Command) -> String {
    let script = r#"
import os, pty, subprocess, sys
master, slave = pty.openpty()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=slave)
os.close(slave)
out = bytearray()
while True:
    try:
        data = os.read(master, 65536)
    except OSError:
        break
    if not data:
        break
    out.extend(data)
p.wait()
sys.stdout.buffer.write(bytes(out))
"#;
    let mut py = std::process::Command::new("python3");
    py.arg("-c")
        .arg(script)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .env("TERM", "xterm-256color");
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => py.env(k, v),
            None => py.env_remove(k),
        };
    }
    String::from_utf8_lossy(&py.output().expect("python3 runs").stdout).into_owned()
}
