//! The exit contract (README, "Exit codes"), per command: 0 judged and fine, 1 judged and
//! failing, 2 bad input, 3 could not judge — against moto (route, audit) and the replay
//! fixtures (replay, merge). Each gate bug of issue 19 has its test here: a missing subnet or
//! no credentials is exit 3 with a finding (never "no findings", exit 0); `--expect blocked`
//! passes on a subnet isolated on purpose; `audit --vpc-id <missing>` cannot pass;
//! `audit --facts` honours --region, --vpc-id, --bucket and --cost; `replay` of an audit
//! inventory is refused; `merge` fails with a blocked host; `route --bucket` makes no request
//! unless told, and then labels them as made from this machine.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

const REGION: &str = "sa-east-1";
const MISSING_SUBNET: &str = "subnet-0123456789abcdef0";
const MISSING_VPC: &str = "vpc-0123456789abcdef0";

struct Server {
    _proc: common::Proc,
    port: u16,
}

/// One moto_server for this binary, with tests/moto/isolated.py's VPC built in [`REGION`].
fn moto() -> &'static (Server, Value) {
    static MOTO: OnceLock<(Server, Value)> = OnceLock::new();
    MOTO.get_or_init(|| {
        let (proc, port) = common::moto_server();
        let topo = common::moto_script("isolated.py", &[&port.to_string(), REGION]);
        (Server { _proc: proc, port }, topo)
    })
}

fn url() -> String {
    format!("http://127.0.0.1:{}", moto().0.port)
}

fn topo(key: &str) -> String {
    moto().1[key].as_str().unwrap().to_string()
}

fn bin() -> Command {
    common::s3path(env!("CARGO_BIN_EXE_s3path"))
}

/// The binary against moto, with static test credentials.
fn against_moto(args: &[&str]) -> Output {
    bin()
        .args(args)
        .env("AWS_ENDPOINT_URL_EC2", url())
        .envs(common::MOTO_ENV)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or(Value::Null)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/scenarios/{name}.facts.json"))
}

fn finding<'a>(report: &'a Value, id: &str) -> Option<&'a Value> {
    report["findings"]
        .as_array()?
        .iter()
        .find(|f| f["id"] == id)
}

fn assert_one_line_error(o: &Output, needle: &str) {
    assert_eq!(code(o), 2, "stderr: {}", stderr(o));
    let e = stderr(o);
    assert_eq!(e.lines().count(), 1, "error must be one line: {e:?}");
    assert!(e.starts_with("s3path: "), "{e:?}");
    assert!(e.contains(needle), "{e:?} lacks {needle:?}");
    assert!(o.stdout.is_empty());
}

#[test]
fn route_of_a_missing_subnet_cannot_judge_and_says_why() {
    if common::skip("tests/exit_codes.rs", common::MOTO) {
        return;
    }
    let o = against_moto(&[
        "route",
        "--region",
        REGION,
        "--subnet-id",
        MISSING_SUBNET,
        "--format",
        "json",
    ]);
    let r = json(&o);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert_eq!(r["exit_code"], 3);
    assert_eq!(r["verdict"]["path"], "unknown");
    let f = finding(&r, "S3P004").unwrap_or_else(|| panic!("no S3P004: {}", r["findings"]));
    let text = f.to_string();
    assert!(f["message"].as_str().unwrap().contains("not found"), "{f}");
    assert!(
        text.contains(MISSING_SUBNET),
        "the evidence names the id: {f}"
    );
    assert!(
        f["remediation"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x.as_str().unwrap().contains("describe-subnets")),
        "{f}"
    );
    // The same for people: a finding, not "no findings".
    let o = against_moto(&["route", "--region", REGION, "--subnet-id", MISSING_SUBNET]);
    assert_eq!(code(&o), 3);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("S3P004"), "{out}");
    assert!(!out.to_lowercase().contains("no findings"), "{out}");
    // And with --expect: still could not judge.
    let o = against_moto(&[
        "route",
        "--region",
        REGION,
        "--subnet-id",
        MISSING_SUBNET,
        "--expect",
        "blocked",
    ]);
    assert_eq!(code(&o), 3);
}

#[test]
fn doctor_with_a_missing_subnet_says_why() {
    if common::skip("tests/exit_codes.rs", common::MOTO) {
        return;
    }
    let o = against_moto(&[
        "doctor",
        "--region",
        REGION,
        "--subnet-id",
        MISSING_SUBNET,
        "--timeout",
        "3",
        "--format",
        "json",
    ]);
    let r = json(&o);
    let f = finding(&r, "S3P004").unwrap_or_else(|| panic!("no S3P004: {}", r["findings"]));
    assert!(f.to_string().contains(MISSING_SUBNET), "{f}");
    if r["verdict"]["path"] == "unknown" {
        assert_eq!(code(&o), 3, "{}", r["verdict"]);
    }
}

#[test]
fn route_without_credentials_cannot_judge_and_says_why() {
    let empty = tempfile::tempdir().unwrap();
    let nowhere = empty.path().join("none");
    let o = bin()
        .args([
            "route",
            "--region",
            REGION,
            "--subnet-id",
            MISSING_SUBNET,
            "--timeout",
            "5",
            "--format",
            "json",
        ])
        .env("AWS_CONFIG_FILE", &nowhere)
        .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // Nothing listens there: if a request were made unsigned, it could not be answered.
        .env("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:9")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
        .output()
        .unwrap();
    let r = json(&o);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert_eq!(r["verdict"]["path"], "unknown");
    let f = finding(&r, "S3P004").unwrap_or_else(|| panic!("no S3P004: {}", r["findings"]));
    assert!(
        f["message"].as_str().unwrap().contains("no credentials"),
        "{f}"
    );
}

#[test]
fn audit_without_credentials_cannot_judge_and_says_how_to_fix_it() {
    let empty = tempfile::tempdir().unwrap();
    let nowhere = empty.path().join("none");
    let run = |format: &str| {
        bin()
            .args([
                "audit",
                "--region",
                REGION,
                "--timeout",
                "5",
                "--format",
                format,
            ])
            .env("AWS_CONFIG_FILE", &nowhere)
            .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:9")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
            .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
            .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
            .output()
            .unwrap()
    };
    let o = run("json");
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let fix = json(&o)["regions"][0]["fix"].to_string();
    assert!(fix.contains("credentials"), "{fix}");
    for format in ["human", "markdown"] {
        let o = run(format);
        assert_eq!(code(&o), 3);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("--profile NAME"), "{format}: {out}");
    }
}

#[test]
fn expect_blocked_passes_on_a_subnet_isolated_on_purpose() {
    if common::skip("tests/exit_codes.rs", common::MOTO) {
        return;
    }
    let isolated = topo("isolated");
    let route = |extra: &[&str]| {
        let mut args = vec![
            "route",
            "--region",
            REGION,
            "--subnet-id",
            isolated.as_str(),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        against_moto(&args)
    };
    // Without --expect, a blocked subnet fails its gate (S3P101 is an error).
    let o = route(&[]);
    let r = json(&o);
    assert_eq!(r["verdict"]["path"], "blocked", "{}", r["verdict"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(finding(&r, "S3P101").unwrap()["severity"], "error");
    // Expected blocked: met, and the findings that restate it are informational.
    let o = route(&["--expect", "blocked"]);
    let r = json(&o);
    assert_eq!(code(&o), 0, "{}", r["findings"]);
    assert_eq!(r["expectation"]["met"], true);
    let s3p101 = finding(&r, "S3P101").expect("S3P101 still shown");
    assert_eq!(s3p101["severity"], "info", "{s3p101}");
    // The gateway endpoint elsewhere in the VPC is not an error (nor a warning) here.
    for f in r["findings"].as_array().unwrap() {
        assert_eq!(f["severity"], "info", "{f}");
    }
    // Even with --fail-on warning.
    let o = route(&["--expect", "blocked", "--fail-on", "warning"]);
    assert_eq!(code(&o), 0, "{}", json(&o)["findings"]);
    // Another expectation is not met: 1, S3P101 an error again.
    let o = route(&["--expect", "gateway-endpoint"]);
    let r = json(&o);
    assert_eq!(code(&o), 1);
    assert_eq!(finding(&r, "S3P101").unwrap()["severity"], "error");
    // The served subnet takes the endpoint: expected blocked is not met there.
    let served = topo("served");
    let o = against_moto(&[
        "route",
        "--region",
        REGION,
        "--subnet-id",
        &served,
        "--expect",
        "blocked",
    ]);
    assert_eq!(code(&o), 1);
}

#[test]
fn route_makes_no_bucket_request_unless_told() {
    if common::skip("tests/exit_codes.rs", common::MOTO) {
        return;
    }
    let isolated = topo("isolated");
    let o = against_moto(&[
        "route",
        "--region",
        REGION,
        "--subnet-id",
        &isolated,
        "--bucket",
        "app-data",
        "--format",
        "json",
    ]);
    let r = json(&o);
    let buckets = r["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["part"] == "buckets")
        .unwrap();
    assert_eq!(buckets["status"], "not_collected", "{buckets}");
    assert!(
        buckets["detail"]
            .as_str()
            .unwrap()
            .contains("--probe-from-here"),
        "{buckets}"
    );
    for b in r["buckets"].as_array().into_iter().flatten() {
        assert!(b["requests"].as_array().unwrap().is_empty(), "{b}");
    }
    // The names are still judged from the control plane.
    assert_eq!(r["verdict"]["path"], "blocked");
    assert!(r["verdict"]["host"].as_str().unwrap().contains("app-data"));
    // The flag needs a bucket.
    let o = against_moto(&[
        "route",
        "--region",
        REGION,
        "--subnet-id",
        &isolated,
        "--probe-from-here",
    ]);
    assert_one_line_error(&o, "--probe-from-here: give --bucket");
}

/// Requests made from the machine that ran s3path (`route --probe-from-here`) are labelled
/// so, never as over the subnet's path.
#[test]
fn requests_from_this_machine_are_not_labelled_as_the_subnets_path() {
    let text = std::fs::read_to_string(scenario("bucket-request-timeout")).unwrap();
    let mut facts: Value = serde_json::from_str(&text).unwrap();
    // As the vantage's own requests: "over gateway-endpoint via vpce-…".
    let dir = tempfile::tempdir().unwrap();
    let vantage = dir.path().join("vantage.json");
    std::fs::write(&vantage, facts.to_string()).unwrap();
    let o = bin()
        .args(["replay", vantage.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let r = json(&o);
    let msg = finding(&r, "S3P603").unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("over gateway-endpoint via vpce-"), "{msg}");
    // The same requests, made from this machine.
    for b in facts["buckets"]["value"].as_array_mut().unwrap() {
        b["requests_from"] = Value::from("this-machine");
    }
    let here = dir.path().join("here.json");
    std::fs::write(&here, facts.to_string()).unwrap();
    for format in ["json", "human", "markdown"] {
        let o = bin()
            .args(["replay", here.to_str().unwrap(), "--format", format])
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(out.contains("from this machine"), "{format}: {out}");
        if format == "json" {
            let r = json(&o);
            let f = finding(&r, "S3P603").unwrap();
            let msg = f["message"].as_str().unwrap();
            assert!(!msg.contains("over gateway-endpoint"), "{msg}");
            assert!(msg.contains("not over the subnet's path"), "{msg}");
            assert_eq!(r["buckets"][0]["requests_from"], "this-machine");
        }
    }
}

/// A denial met from this machine does not blame the subnet's endpoint policy.
#[test]
fn a_denial_from_this_machine_does_not_blame_the_subnets_endpoint() {
    let text = std::fs::read_to_string(scenario("endpoint-policy-denies-bucket")).unwrap();
    let mut facts: Value = serde_json::from_str(&text).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let judge = |facts: &Value, name: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, facts.to_string()).unwrap();
        json(
            &bin()
                .args(["replay", path.to_str().unwrap(), "--format", "json"])
                .output()
                .unwrap(),
        )
    };
    let r = judge(&facts, "vantage.json");
    let f = finding(&r, "S3P602").unwrap().to_string();
    assert!(f.contains("modify-vpc-endpoint"), "{f}");
    assert!(r["buckets"][0]["decided_by"]
        .as_str()
        .unwrap()
        .contains("vpce-0gw11111"));
    for b in facts["buckets"]["value"].as_array_mut().unwrap() {
        b["requests_from"] = Value::from("this-machine");
    }
    let r = judge(&facts, "here.json");
    let f = finding(&r, "S3P602").unwrap();
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("from this machine"), "{msg}");
    assert!(!msg.contains("over gateway-endpoint"), "{msg}");
    assert!(
        !f["remediation"].to_string().contains("modify-vpc-endpoint"),
        "{f}"
    );
    let decided = r["buckets"][0]["decided_by"].as_str().unwrap();
    assert!(!decided.contains("vpce-0gw11111"), "{decided}");
}

#[test]
fn audit_of_a_missing_vpc_cannot_pass() {
    if common::skip("tests/exit_codes.rs", common::MOTO) {
        return;
    }
    moto();
    let audit = |extra: &[&str]| {
        let mut args = vec!["audit", "--region", REGION, "--format", "json"];
        args.extend_from_slice(extra);
        against_moto(&args)
    };
    let o = audit(&["--vpc-id", MISSING_VPC, "--expect", "gateway-endpoint"]);
    let r = json(&o);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert_eq!(r["vpcs_not_judged"][0], MISSING_VPC, "{r}");
    let o = audit(&["--vpc-id", MISSING_VPC]);
    assert_eq!(code(&o), 3);
    // Beside a VPC that fails, the failure wins.
    let vpc = topo("vpc");
    let o = audit(&["--vpc-id", MISSING_VPC, "--vpc-id", &vpc]);
    assert_eq!(code(&o), 1, "{}", json(&o)["subnets"]);
    // The real VPC alone: the isolated subnet fails, unless blocked is expected of it... and
    // the served one takes the endpoint.
    let o = audit(&["--vpc-id", &vpc, "--expect", "blocked,gateway-endpoint"]);
    assert_eq!(code(&o), 0, "{}", json(&o)["subnets"]);
    let o = audit(&["--vpc-id", &vpc, "--expect", "gateway-endpoint"]);
    assert_eq!(code(&o), 1);
}

#[test]
fn audit_facts_honours_region_vpc_bucket_and_cost() {
    if common::skip("tests/exit_codes.rs", common::MOTO) {
        return;
    }
    let vpc = topo("vpc");
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("inventory.json");
    let o = against_moto(&[
        "audit",
        "--region",
        REGION,
        "--save-facts",
        saved.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(saved.exists(), "{}", stderr(&o));
    let file = saved.to_str().unwrap();
    let offline = |extra: &[&str]| {
        let mut args = vec!["audit", "--facts", file, "--format", "json"];
        args.extend_from_slice(extra);
        bin().args(&args).output().unwrap()
    };
    let all = json(&offline(&[]));
    let subnets = |r: &Value| r["subnets"].as_array().map_or(0, |a| a.len());
    assert!(subnets(&all) >= 2, "{all}");
    // --vpc-id filters (the moto server is shared: other VPCs may be in the file).
    let o = offline(&["--vpc-id", &vpc, "--expect", "blocked,gateway-endpoint"]);
    let r = json(&o);
    assert_eq!(subnets(&r), 2, "{}", r["subnets"]);
    assert!(r["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["vpc_id"] == vpc.as_str()));
    assert_eq!(code(&o), 0);
    // A VPC the file holds no subnet of: could not judge.
    let o = offline(&["--vpc-id", MISSING_VPC, "--expect", "gateway-endpoint"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert_eq!(subnets(&json(&o)), 0);
    // A region it does not hold: one line.
    assert_one_line_error(&offline(&["--region", "eu-north-1"]), "--region eu-north-1");
    // --region it holds: the same rows.
    assert_eq!(
        subnets(&json(&offline(&["--region", REGION]))),
        subnets(&all)
    );
    // --cost on a file saved without it: one line.
    assert_one_line_error(&offline(&["--cost"]), "--cost");
    assert_one_line_error(&offline(&["--all-regions"]), "--all-regions");
    // --bucket: each subnet is judged for that bucket's names.
    let r = json(&offline(&["--vpc-id", &vpc, "--bucket", "gates-bucket"]));
    for s in r["subnets"].as_array().unwrap() {
        let host = s["verdict"]["host"].as_str().unwrap();
        assert!(host.contains("gates-bucket"), "{host}");
    }
}

#[test]
fn replay_refuses_what_is_not_a_facts_file() {
    if common::skip("tests/exit_codes.rs", common::MOTO) {
        return;
    }
    moto();
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("inventory.json");
    against_moto(&[
        "audit",
        "--region",
        REGION,
        "--save-facts",
        saved.to_str().unwrap(),
    ]);
    assert_one_line_error(
        &bin()
            .args(["replay", saved.to_str().unwrap()])
            .output()
            .unwrap(),
        "is an audit inventory",
    );
    // A report is not a facts file either.
    let report = dir.path().join("report.json");
    let o = bin()
        .args([
            "replay",
            scenario("nat-only").to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    std::fs::write(&report, &o.stdout).unwrap();
    assert_one_line_error(
        &bin()
            .args(["replay", report.to_str().unwrap()])
            .output()
            .unwrap(),
        "is a report",
    );
}

/// Writes `replay SCENARIO --format json ARGS` to DIR/NAME.json.
fn report_of(dir: &Path, name: &str, scenario_name: &str, args: &[&str]) -> PathBuf {
    let o = bin()
        .args(["replay", scenario(scenario_name).to_str().unwrap()])
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, &o.stdout).unwrap();
    path
}

#[test]
fn merge_aggregates_the_hosts_codes_the_worst_winning() {
    let dir = tempfile::tempdir().unwrap();
    let fine = report_of(dir.path(), "fine", "gateway-endpoint", &[]);
    let fine2 = report_of(dir.path(), "fine2", "nat-only", &[]);
    let blocked = report_of(dir.path(), "blocked", "isolated-subnet", &[]);
    let unknown = report_of(dir.path(), "unknown", "dns-nxdomain", &[]);
    let merge = |files: &[&Path]| {
        let o = bin()
            .arg("merge")
            .args(files)
            .args(["--format", "json"])
            .output()
            .unwrap();
        code(&o)
    };
    assert_eq!(merge(&[&fine, &fine2]), 0);
    assert_eq!(
        merge(&[&fine, &blocked]),
        1,
        "a blocked host fails the merge"
    );
    assert_eq!(
        merge(&[&fine, &unknown]),
        3,
        "an unknown host: could not judge"
    );
    assert_eq!(merge(&[&blocked, &unknown]), 1, "the failure wins over 3");
    // Worst first: the failing host before the one that could not be judged.
    let o = bin()
        .args(["merge", unknown.to_str().unwrap(), fine.to_str().unwrap()])
        .arg(&blocked)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let codes: Vec<u64> = json(&o)["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["exit_code"].as_u64().unwrap())
        .collect();
    assert_eq!(codes, [1, 3, 0]);
    // A blocked host whose report claims exit 0 without expecting blocked still fails.
    let mut r: Value = serde_json::from_slice(&std::fs::read(&blocked).unwrap()).unwrap();
    r["exit_code"] = Value::from(0);
    let liar = dir.path().join("liar.json");
    std::fs::write(&liar, r.to_string()).unwrap();
    assert_eq!(merge(&[&fine, &liar]), 1);
    // A blocked host that expected it passes.
    let expected = report_of(
        dir.path(),
        "expected",
        "isolated-subnet",
        &["--expect", "blocked"],
    );
    assert_eq!(merge(&[&fine, &expected]), 0);
    // A file that could not be read: that host could not be judged.
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "not json").unwrap();
    assert_eq!(merge(&[&fine, &junk]), 3);
    assert_eq!(merge(&[&blocked, &junk]), 1);
    // Nothing readable: bad input.
    assert_eq!(merge(&[&junk]), 2);
}

#[test]
fn replay_doctor_names_and_checks_follow_the_contract() {
    let replay = |name: &str, args: &[&str]| {
        let o = bin()
            .args(["replay", scenario(name).to_str().unwrap()])
            .args(args)
            .output()
            .unwrap();
        code(&o)
    };
    assert_eq!(replay("gateway-endpoint", &[]), 0);
    assert_eq!(replay("isolated-subnet", &[]), 1);
    assert_eq!(replay("isolated-subnet", &["--expect", "blocked"]), 0);
    assert_eq!(
        replay(
            "nat-only",
            &["--expect", "nat-gateway", "--fail-on", "warning"]
        ),
        0
    );
    // An unknown path: could not judge, with or without --expect.
    assert_eq!(replay("dns-nxdomain", &[]), 3);
    assert_eq!(replay("dns-nxdomain", &["--expect", "gateway-endpoint"]), 3);
    assert_eq!(replay("imds-token-blocked", &[]), 3);
    // doctor off AWS with no region to go on: could not judge.
    let o = bin()
        .args(["doctor", "--timeout", "2", "--format", "json"])
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/s3path-test")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let r = json(&o);
    if r["verdict"]["path"] == "unknown" {
        assert_eq!(code(&o), 3, "{}", r["verdict"]);
    }
    // names and checks: done (0) or bad input (2).
    assert_eq!(
        code(
            &bin()
                .args(["names", "app-data", "--region", "eu-west-1"])
                .output()
                .unwrap()
        ),
        0
    );
    assert_eq!(
        code(
            &bin()
                .args(["names", "Bad_Bucket!", "--region", "eu-west-1"])
                .output()
                .unwrap()
        ),
        2
    );
    assert_eq!(code(&bin().arg("checks").output().unwrap()), 0);
    assert_eq!(
        code(&bin().args(["explain", "S3P999"]).output().unwrap()),
        2
    );
}

#[test]
fn the_aggregation_rule() {
    use s3path::report::{aggregate_exit_codes, exit};
    assert_eq!(aggregate_exit_codes([0, 0]), exit::OK);
    assert_eq!(aggregate_exit_codes([0, 3, 1]), exit::FAILING);
    assert_eq!(aggregate_exit_codes([0, 3]), exit::UNDECIDED);
    assert_eq!(aggregate_exit_codes([0, 2]), exit::UNDECIDED);
    assert_eq!(aggregate_exit_codes([0, 77]), exit::UNDECIDED);
    assert_eq!(
        aggregate_exit_codes([]),
        exit::UNDECIDED,
        "nothing seen is not a pass"
    );
}
