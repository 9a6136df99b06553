//! `s3path fleet` against a scripted SSM endpoint (tests/moto/ssm_fake.py: moto's SSM cannot
//! return a command's output). The outputs are real reports: scenarios judged by
//! `s3path replay --format compact`. Covered: instance ids and tag targets, an unmanaged
//! instance, one that never answers (the --timeout ends the wait), one without s3path, one
//! whose output is not a report, ListCommandInvocations pagination, a same-subnet
//! disagreement, every request signed, the doctor command line SSM receives.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::Need;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_s3path");
const NEEDS: &[Need] = &[Need::Program("python3")];

/// A scenario's facts with the instance id set, in a temporary file.
fn facts_of(scenario: &str, instance: &str) -> tempfile::NamedTempFile {
    let path = common::scenarios_dir().join(format!("{scenario}.facts.json"));
    let mut facts: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    facts["vantage"]["value"]["instance_id"] = json!(instance);
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), facts.to_string()).unwrap();
    tmp
}

/// A scenario judged by the binary, as the compact report an instance would print, with the
/// instance id set.
fn report(scenario: &str, instance: &str) -> String {
    let tmp = facts_of(scenario, instance);
    let out = Command::new(BIN)
        .args([
            "replay",
            tmp.path().to_str().unwrap(),
            "--format",
            "compact",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "compact is one line");
    assert!(text.len() <= 24_000);
    text
}

struct Fake {
    _proc: common::Proc,
    port: u16,
    log: tempfile::NamedTempFile,
    _config: tempfile::NamedTempFile,
}

fn fake(config: Value) -> Fake {
    let cfg = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(cfg.path(), config.to_string()).unwrap();
    let log = tempfile::NamedTempFile::new().unwrap();
    let port = common::free_port();
    let script = common::moto_path("ssm_fake.py");
    let proc = common::start(
        &[
            "python3",
            script.to_str().unwrap(),
            &port.to_string(),
            cfg.path().to_str().unwrap(),
            log.path().to_str().unwrap(),
        ],
        port,
    );
    Fake {
        _proc: proc,
        port,
        log,
        _config: cfg,
    }
}

fn fleet(f: &Fake, args: &[&str]) -> (i32, Value, String, Duration) {
    let started = Instant::now();
    let out = Command::new(BIN)
        .arg("fleet")
        .args(args)
        .env(
            "AWS_ENDPOINT_URL_SSM",
            format!("http://127.0.0.1:{}", f.port),
        )
        .envs(common::MOTO_ENV)
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

fn requests(f: &Fake) -> Vec<Value> {
    std::fs::read_to_string(f.log.path())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn fleet_runs_doctor_everywhere_and_lists_who_did_not_answer() {
    if common::skip("tests/fleet.rs", NEEDS) {
        return;
    }
    let f = fake(json!({
        "page_size": 2,
        "instances": {
            "i-0a0000000000000a1": {"tags": {"Env": "prod"}, "behaviour": "report",
                                    "report": report("gateway-endpoint", "i-0a0000000000000a1"),
                                    "pending_polls": 1},
            "i-0a0000000000000a2": {"tags": {"Env": "prod"}, "behaviour": "report",
                                    "report": report("hosts-file-relay", "i-0a0000000000000a2")},
            "i-0a0000000000000a3": {"tags": {"Env": "prod"}, "behaviour": "never"},
            "i-0a0000000000000a4": {"tags": {"Env": "prod"}, "behaviour": "missing"},
            "i-0a0000000000000a5": {"tags": {"Env": "prod"}, "managed": false},
            "i-0a0000000000000a6": {"tags": {"Env": "dev"}, "behaviour": "garbage"},
        }
    }));
    let ids = "i-0a0000000000000a1,i-0a0000000000000a2,i-0a0000000000000a3,i-0a0000000000000a4,i-0a0000000000000a5,i-0a0000000000000a6";
    let (code, r, stderr, took) = fleet(
        &f,
        &[
            "--region",
            "eu-west-1",
            "--instance-ids",
            ids,
            "--bucket",
            "app-data",
            "--timeout",
            "6",
            "--format",
            "json",
        ],
    );
    eprintln!("fleet of 6 took {took:?}");
    // The one that never answers is cut by the deadline, not waited for.
    assert!(took < Duration::from_secs(9), "{took:?}");
    let hosts: Vec<&str> = r["hosts"]
        .as_array()
        .unwrap_or_else(|| panic!("{stderr}: {r}"))
        .iter()
        .map(|h| h["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts.len(), 2, "{r}");
    assert!(hosts.contains(&"i-0a0000000000000a1"));
    assert!(hosts.contains(&"i-0a0000000000000a2"));
    // Same subnet, different paths: the disagreement comes first.
    assert_eq!(
        r["disagreements"][0]["subnet_id"], "subnet-0priv1111",
        "{r}"
    );
    let reason = |id: &str| {
        r["unanswered"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["instance_id"] == id)
            .map(|u| u["reason"].as_str().unwrap().to_string())
    };
    assert_eq!(reason("i-0a0000000000000a3").as_deref(), Some("no_answer"));
    assert_eq!(
        reason("i-0a0000000000000a4").as_deref(),
        Some("s3path_missing")
    );
    assert_eq!(
        reason("i-0a0000000000000a5").as_deref(),
        Some("not_managed")
    );
    assert_eq!(
        reason("i-0a0000000000000a6").as_deref(),
        Some("not_a_report")
    );
    assert_eq!(
        code, 3,
        "reports without findings at error, but instances without one"
    );
    let reqs = requests(&f);
    assert!(reqs.iter().all(|q| q["signed"] == true));
    let send: Vec<&Value> = reqs
        .iter()
        .filter(|q| q["target"] == "AmazonSSM.SendCommand")
        .collect();
    assert_eq!(send.len(), 1, "one SendCommand");
    let cmd = send[0]["body"]["Parameters"]["commands"][0]
        .as_str()
        .unwrap();
    assert_eq!(
        cmd, "/var/lib/s3path/s3path doctor --format compact --timeout 10 --bucket app-data",
        "the binary docs/ssm/s3path-doctor.yaml installs, not the first s3path on PATH: {cmd}"
    );
    assert_eq!(send[0]["body"]["DocumentName"], "AWS-RunShellScript");
    // The unmanaged instance was not sent the command.
    let sent: Vec<&str> = send[0]["body"]["InstanceIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(!sent.contains(&"i-0a0000000000000a5"));
    // Five invocations, two per page: ListCommandInvocations followed the NextToken.
    assert!(reqs
        .iter()
        .any(|q| q["target"] == "AmazonSSM.ListCommandInvocations"
            && q["body"]["NextToken"].is_string()));
    // Nothing but the four SSM actions.
    for q in &reqs {
        let action = q["target"]
            .as_str()
            .unwrap()
            .trim_start_matches("AmazonSSM.");
        assert!(
            s3path::gather::fleet::ACTIONS.contains(&format!("ssm:{action}").as_str()),
            "{action}"
        );
    }

    // Tag targets: SSM resolves them (the dev instance is not among them).
    let (_, r, stderr, _) = fleet(
        &f,
        &[
            "--region",
            "eu-west-1",
            "--targets",
            "tag:Env=prod",
            "--timeout",
            "4",
            "--format",
            "json",
        ],
    );
    let reached: usize =
        r["hosts"].as_array().map_or(0, Vec::len) + r["unanswered"].as_array().map_or(0, Vec::len);
    assert_eq!(reached, 4, "{stderr}: {r}");
    let last_send = requests(&f)
        .into_iter()
        .rfind(|q| q["target"] == "AmazonSSM.SendCommand")
        .unwrap();
    assert_eq!(
        last_send["body"]["Targets"],
        json!([{"Key": "tag:Env", "Values": ["prod"]}])
    );
}

#[test]
fn fleet_refuses_bad_input_in_one_line() {
    for args in [
        vec!["fleet", "--region", "eu-west-1", "--targets", "Env=prod"],
        vec!["fleet", "--region", "eu-west-1", "--instance-ids", "i-zz"],
        vec![
            "fleet",
            "--region",
            "eu-west-1",
            "--instance-ids",
            "i-0a0000000000000a1",
            "--bucket",
            "Bad_B",
        ],
        vec![
            "fleet",
            "--region",
            "eu-west-1",
            "--instance-ids",
            "i-0a0000000000000a1",
            "--max-concurrency",
            "0",
        ],
    ] {
        let out = Command::new(BIN).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    }
}

/// Every scenario's compact report fits SSM's 24,000 characters and merges.
#[test]
fn every_compact_report_fits_and_merges() {
    let dir = tempfile::tempdir().unwrap();
    for name in common::scenario_names() {
        let facts = common::scenarios_dir().join(format!("{name}.facts.json"));
        let out = Command::new(BIN)
            .args(["replay", facts.to_str().unwrap(), "--format", "compact"])
            .output()
            .unwrap();
        if out.status.code() == Some(2) {
            continue; // a scenario of a refused facts file
        }
        assert!(out.stdout.len() <= 24_000, "{name}: {}", out.stdout.len());
        std::fs::write(dir.path().join(format!("{name}.json")), &out.stdout).unwrap();
    }
    let out = Command::new(BIN)
        .args(["merge", dir.path().to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let merged: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        merged["summary"]["reports"].as_u64().unwrap() >= 60,
        "{merged}"
    );
    assert!(merged.get("rejected").is_none(), "{}", merged["rejected"]);
}

/// An output longer than SSM's 24,000 inline characters (a full JSON report) is read back from
/// the output bucket (moto's S3 here) when `--output-s3-bucket` is set.
#[test]
fn a_cut_output_is_read_from_the_output_bucket() {
    if common::skip("tests/fleet.rs", common::MOTO) {
        return;
    }
    let (_moto, moto_port) = common::moto_server();
    let tmp = facts_of("interface-endpoint-private-dns", "i-0b0000000000000b1");
    let full = Command::new(BIN)
        .args(["replay", tmp.path().to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap()
        .stdout;
    assert!(
        full.len() > 24_000,
        "a full report longer than SSM's inline limit"
    );
    let key = "s3path-fleet/cmd/i-0b0000000000000b1/awsrunShellScript/0.awsrunShellScript/stdout";
    let key2 = "s3path-fleet/cmd/i-0b0000000000000b2/awsrunShellScript/0.awsrunShellScript/stdout";
    // Elsewhere, what SSM's answer names: another report (a NAT gateway); and 16 MiB of nested
    // objects under the second instance's own prefix.
    let other = report("nat-confirmed-by-probe", "i-0b0000000000000b1");
    let nested = format!("{}{}", "{\"a\":".repeat(1 << 21), "}".repeat(1 << 21));
    let files: Vec<tempfile::TempPath> = [full.clone(), other.into_bytes(), nested.into_bytes()]
        .iter()
        .map(|body| {
            let f = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(f.path(), body).unwrap();
            f.into_temp_path()
        })
        .collect();
    let put = Command::new("python3")
        .args([
            "-c",
            "import boto3,sys\n\
             c=boto3.client('s3',region_name='eu-west-1',endpoint_url=sys.argv[1],aws_access_key_id='testing',aws_secret_access_key='testing')\n\
             for b in ('ssm-out','elsewhere'): c.create_bucket(Bucket=b,CreateBucketConfiguration={'LocationConstraint':'eu-west-1'})\n\
             for b,k,f in zip(sys.argv[2::3],sys.argv[3::3],sys.argv[4::3]): c.put_object(Bucket=b,Key=k,Body=open(f,'rb').read())",
            &format!("http://127.0.0.1:{moto_port}"),
            "ssm-out",
            key,
            files[0].to_str().unwrap(),
            "elsewhere",
            key,
            files[1].to_str().unwrap(),
            "ssm-out",
            key2,
            files[2].to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(put.success());
    let f = fake(json!({"command_id": "cmd", "instances": {
        "i-0b0000000000000b1": {
            "behaviour": "report",
            "report": String::from_utf8(full).unwrap(),
            "s3_url": format!("https://s3.eu-west-1.amazonaws.com/elsewhere/{key}"),
        },
        "i-0b0000000000000b2": {
            "behaviour": "report",
            "report": format!("{}{}", "{\"a\":".repeat(5000), "}".repeat(5000)),
        },
    }}));
    let out = Command::new(BIN)
        .args([
            "fleet",
            "--region",
            "eu-west-1",
            "--instance-ids",
            "i-0b0000000000000b1,i-0b0000000000000b2",
            "--output-s3-bucket",
            "ssm-out",
            "--timeout",
            "10",
            "--format",
            "json",
            "--save-facts",
        ])
        .arg(tmp.path().with_extension("fleet.json"))
        .env(
            "AWS_ENDPOINT_URL_SSM",
            format!("http://127.0.0.1:{}", f.port),
        )
        .env(
            "AWS_ENDPOINT_URL_S3",
            format!("http://127.0.0.1:{moto_port}"),
        )
        .envs(common::MOTO_ENV)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(r["hosts"][0]["host"], "i-0b0000000000000b1", "{r}");
    assert_eq!(
        r["hosts"][0]["path"], "interface-endpoint",
        "read from the output bucket under the command's prefix, not where SSM pointed: {r}"
    );
    let big = &r["unanswered"][0];
    assert_eq!(big["instance_id"], "i-0b0000000000000b2", "{r}");
    assert_eq!(big["reason"], "unreadable", "{r}");
    assert!(
        big["detail"]
            .as_str()
            .unwrap()
            .contains("more than the 1048576"),
        "{r}"
    );
    let saved: Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().with_extension("fleet.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        saved["invocations"][0]["output_source"],
        format!("s3://ssm-out/{key}")
    );
    let send = requests(&f)
        .into_iter()
        .find(|q| q["target"] == "AmazonSSM.SendCommand")
        .unwrap();
    assert_eq!(send["body"]["OutputS3BucketName"], "ssm-out");
}

/// `fleet` with `env`, the SSM stand-in's settings removed: only what `env` says decides where
/// SSM is.
fn fleet_with_env(args: &[&str], env: &[(&str, String)]) -> (i32, String, String) {
    let mut c = common::s3path(BIN);
    c.arg("fleet")
        .args(args)
        .envs(common::MOTO_ENV)
        .env_remove("AWS_ENDPOINT_URL_SSM")
        .env_remove("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .env_remove("AWS_USE_FIPS_ENDPOINT")
        .env_remove("AWS_USE_DUALSTACK_ENDPOINT")
        // No profile of the developer's can point SSM elsewhere.
        .env("AWS_CONFIG_FILE", "/nonexistent/s3path-test-config");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `AWS_ENDPOINT_URL` alone (as aws-sdk-s3 honours it) sends SSM, SendCommand included, to
/// the local stand-in, never to AWS.
#[test]
fn the_global_endpoint_url_reaches_ssm() {
    if common::skip("tests/fleet.rs", NEEDS) {
        return;
    }
    let f = fake(json!({
        "instances": {
            "i-0c0000000000000c1": {"tags": {"Env": "prod"}, "behaviour": "report",
                                    "report": report("gateway-endpoint", "i-0c0000000000000c1")},
        }
    }));
    let (code, stdout, stderr) = fleet_with_env(
        &[
            "--region",
            "eu-west-1",
            "--instance-ids",
            "i-0c0000000000000c1",
            "--timeout",
            "6",
            "--format",
            "json",
        ],
        &[("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{}", f.port))],
    );
    let r: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    assert_eq!(
        r["hosts"][0]["host"], "i-0c0000000000000c1",
        "{code} {stderr}: {stdout}"
    );
    let reqs = requests(&f);
    assert_eq!(
        reqs.iter()
            .filter(|q| q["target"] == "AmazonSSM.SendCommand")
            .count(),
        1,
        "{reqs:?}"
    );
}

/// Refused endpoint settings stop fleet before anything is sent, in one line that names the
/// setting and never shows the user information.
#[test]
fn refused_endpoint_settings_send_nothing() {
    if common::skip("tests/fleet.rs", NEEDS) {
        return;
    }
    let f = fake(json!({"instances": {}}));
    let args = [
        "--region",
        "eu-west-1",
        "--instance-ids",
        "i-0c0000000000000c1",
        "--timeout",
        "6",
    ];
    for var in ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSM"] {
        let secret = format!("http://user:s3cret@127.0.0.1:{}", f.port);
        let (code, stdout, stderr) = fleet_with_env(&args, &[(var, secret)]);
        assert_eq!(code, 2, "{var}: {stdout}{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{var}: {stderr}");
        assert!(stderr.contains(&format!("{var}:")), "{stderr}");
        assert!(!stdout.contains("s3cret") && !stderr.contains("s3cret"));
    }
    let fips = [
        ("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{}", f.port)),
        ("AWS_USE_FIPS_ENDPOINT", "true".to_string()),
    ];
    let (code, stdout, stderr) = fleet_with_env(&args, &fips);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("FIPS"), "{stderr}");
    assert!(requests(&f).is_empty(), "nothing reached the stand-in");
}

/// `count` instance ids as the stand-in generates them (`generate` with `prefix`).
fn generated(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|n| format!("{prefix}{n:015x}")).collect()
}

/// Runs fleet over `count` generated instances, each printing the gateway-endpoint scenario's
/// compact report with its own id, against a stand-in that throttles at `rate` calls/s;
/// `shell` wraps the command (e.g. a file-descriptor limit).
fn fleet_at_scale(
    count: usize,
    rate: u32,
    timeout: &str,
    fd_limit: Option<u32>,
) -> (Fake, i32, Value, String, Duration) {
    let template = report("gateway-endpoint", "{id}");
    let f = fake(json!({
        "instances": {},
        "generate": {"count": count, "prefix": "i-0d", "report": template},
        "throttle_per_second": rate,
    }));
    let ids = generated("i-0d", count).join(",");
    let endpoint = format!("http://127.0.0.1:{}", f.port);
    let limit = fd_limit.map_or(String::new(), |n| format!("ulimit -n {n} && "));
    let started = Instant::now();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{limit}exec \"$0\" fleet --region eu-west-1 --instance-ids \"$1\" --timeout {timeout} --format json"
        ))
        .arg(BIN)
        .arg(&ids)
        .env("AWS_ENDPOINT_URL_SSM", endpoint)
        .envs(common::MOTO_ENV)
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let took = started.elapsed();
    (
        f,
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        took,
    )
}

/// Every instance of `count` is a host (none mislabelled "no report"), each SendCommand holds
/// at most 50 ids, and the stand-in did throttle.
fn assert_all_accounted(f: &Fake, count: usize, code: i32, r: &Value, stderr: &str) {
    let hosts: std::collections::BTreeSet<&str> = r["hosts"]
        .as_array()
        .unwrap_or_else(|| panic!("{code} {stderr}"))
        .iter()
        .map(|h| h["host"].as_str().unwrap())
        .collect();
    let unanswered = r["unanswered"].as_array().unwrap();
    assert!(
        unanswered.is_empty(),
        "{} without a report, e.g. {}",
        unanswered.len(),
        unanswered[0]
    );
    assert_eq!(hosts.len(), count);
    for id in generated("i-0d", count) {
        assert!(hosts.contains(id.as_str()), "{id}");
    }
    assert_eq!(code, 0, "{stderr}");
    let reqs = requests(f);
    let sends: Vec<&Value> = reqs
        .iter()
        .filter(|q| q["target"] == "AmazonSSM.SendCommand" && q["throttled"] == false)
        .collect();
    assert_eq!(sends.len(), count.div_ceil(50));
    assert!(sends
        .iter()
        .all(|q| q["body"]["InstanceIds"].as_array().unwrap().len() <= 50));
    assert!(
        reqs.iter().any(|q| q["throttled"] == true),
        "the stand-in throttled"
    );
}

/// 600 instances against an SSM that allows 50 calls/s: every instance is a host, none
/// mislabelled "no report"; SendCommand in batches of at most 50.
#[test]
fn six_hundred_instances_against_a_throttling_ssm_are_all_accounted_for() {
    if common::skip("tests/fleet.rs", NEEDS) {
        return;
    }
    let (f, code, r, stderr, took) = fleet_at_scale(600, 50, "120", None);
    eprintln!("600 instances at 50 calls/s: {took:?}");
    assert_all_accounted(&f, 600, code, &r, &stderr);
}

/// 1,500 instances under a 1,024 file-descriptor limit: GetCommandInvocation runs with bounded
/// concurrency, so every instance is still a host.
#[test]
fn fifteen_hundred_instances_under_a_1024_fd_limit_are_all_accounted_for() {
    if common::skip("tests/fleet.rs", NEEDS) {
        return;
    }
    let (f, code, r, stderr, took) = fleet_at_scale(1500, 100, "120", Some(1024));
    eprintln!("1,500 instances, ulimit -n 1024: {took:?}");
    assert_all_accounted(&f, 1500, code, &r, &stderr);
}

/// Benchmark (docs/benchmarks.md): 1,000 instances against the stand-in throttling at 50
/// calls/s, within `--timeout 120`.
///
///     cargo test --release --test fleet -- --ignored --nocapture bench_fleet
#[test]
#[ignore]
fn bench_fleet_1000_instances_at_50_calls_per_second() {
    let (f, code, r, stderr, took) = fleet_at_scale(1000, 50, "120", None);
    let reqs = requests(&f);
    let by = |t: &str| {
        reqs.iter()
            .filter(|q| q["target"] == format!("AmazonSSM.{t}"))
            .count()
    };
    let throttled = reqs.iter().filter(|q| q["throttled"] == true).count();
    eprintln!(
        "fleet over 1,000 instances at 50 calls/s: {took:?}; requests {} (throttled {throttled}): SendCommand {}, ListCommandInvocations {}, GetCommandInvocation {}, DescribeInstanceInformation {}",
        reqs.len(),
        by("SendCommand"),
        by("ListCommandInvocations"),
        by("GetCommandInvocation"),
        by("DescribeInstanceInformation"),
    );
    assert_all_accounted(&f, 1000, code, &r, &stderr);
    assert!(took < Duration::from_secs(120), "{took:?}");
}

/// A presigned `--bucket` URL: its signature, credential and token are not sent to the
/// instances (SendCommand's command line, kept in SSM's history) nor saved by doctor.
#[test]
fn a_presigned_bucket_url_is_neither_forwarded_nor_saved() {
    if common::skip("tests/fleet.rs", NEEDS) {
        return;
    }
    let url = "https://app-data.s3.eu-west-1.amazonaws.com/k.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIASECRETKEYID%2F20261201%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Security-Token=SECRETTOKEN&X-Amz-Signature=SECRETSIGNATURE#frag";
    let f = fake(json!({"instances": {
        "i-0a0000000000000a1": {"behaviour": "report",
                                "report": report("gateway-endpoint", "i-0a0000000000000a1")},
    }}));
    let saved = tempfile::NamedTempFile::new().unwrap();
    let (_, r, stderr, _) = fleet(
        &f,
        &[
            "--region",
            "eu-west-1",
            "--instance-ids",
            "i-0a0000000000000a1",
            "--bucket",
            url,
            "--timeout",
            "6",
            "--format",
            "json",
            "--save-facts",
            saved.path().to_str().unwrap(),
        ],
    );
    assert_eq!(r["hosts"][0]["host"], "i-0a0000000000000a1", "{stderr}");
    let send = requests(&f)
        .into_iter()
        .find(|q| q["target"] == "AmazonSSM.SendCommand")
        .unwrap();
    let cmd = send["body"]["Parameters"]["commands"][0].as_str().unwrap();
    assert!(
        cmd.ends_with(" --bucket https://app-data.s3.eu-west-1.amazonaws.com/k.txt"),
        "{cmd}"
    );
    let saved_text = std::fs::read_to_string(saved.path()).unwrap();
    for text in [send.to_string(), saved_text, r.to_string(), stderr] {
        assert!(
            !text.contains("SECRET") && !text.contains("X-Amz"),
            "{text}"
        );
    }
    // doctor and route keep no secret in their facts either.
    for cmd in [
        vec!["doctor", "--region", "eu-west-1"],
        vec![
            "route",
            "--region",
            "eu-west-1",
            "--subnet-id",
            "subnet-0123456789abcdef0",
        ],
    ] {
        let facts = tempfile::NamedTempFile::new().unwrap();
        let out = common::s3path(BIN)
            .args(&cmd)
            .args(["--bucket", url, "--timeout", "2", "--save-facts"])
            .arg(facts.path())
            .envs(common::MOTO_ENV)
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap();
        let saved = std::fs::read_to_string(facts.path()).unwrap();
        assert!(saved.contains("app-data"), "{cmd:?}: {saved}");
        for text in [saved, String::from_utf8_lossy(&out.stdout).into_owned()] {
            assert!(
                !text.contains("SECRET") && !text.contains("X-Amz-"),
                "{cmd:?}: {text}"
            );
        }
    }
}

/// What instances print is escaped in human and Markdown output: invisible characters shown,
/// URLs not links, `@team` not a mention; a cut output is not read from wherever SSM's answer
/// points without `--output-s3-bucket`.
#[test]
fn instance_text_is_inert_in_every_format() {
    if common::skip("tests/fleet.rs", NEEDS) {
        return;
    }
    let mut hostile: Value =
        serde_json::from_str(&report("gateway-endpoint", "i-0a0000000000000a1")).unwrap();
    hostile["verdict"]["via"] = json!(
        "vpce-1\u{200b}\u{202e} @platform-team https://evil.example/x www.evil.example \u{e0041}"
    );
    let f = fake(json!({"instances": {
        "i-0a0000000000000a1": {"behaviour": "report", "report": hostile.to_string()},
        "i-0a0000000000000a2": {"behaviour": "failed",
                                "stderr": "boom \u{2066}@ops\u{2069} see http://evil.example \u{feff}\u{061c}\n"},
        "i-0a0000000000000a3": {"behaviour": "report", "report": format!("{{\"a\": \"{}", "x".repeat(30_000)),
                                "s3_url": "https://s3.eu-west-1.amazonaws.com/elsewhere/secret"},
    }}));
    let ids = "i-0a0000000000000a1,i-0a0000000000000a2,i-0a0000000000000a3";
    for format in ["human", "markdown"] {
        let out = Command::new(BIN)
            .args([
                "fleet",
                "--region",
                "eu-west-1",
                "--instance-ids",
                ids,
                "--timeout",
                "6",
                "--format",
                format,
            ])
            .env(
                "AWS_ENDPOINT_URL_SSM",
                format!("http://127.0.0.1:{}", f.port),
            )
            .envs(common::MOTO_ENV)
            .env_remove("AWS_PROFILE")
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("i-0a0000000000000a2"), "{text}");
        for c in [
            '\u{200b}',
            '\u{202e}',
            '\u{2066}',
            '\u{2069}',
            '\u{feff}',
            '\u{061c}',
            '\u{e0041}',
        ] {
            assert!(!text.contains(c), "{format}: {c:?} in {text}");
        }
        // Shown as an escape (in Markdown, its braces escaped in turn).
        assert!(
            text.contains("\\u{202e}") || text.contains("\\u\\{202e\\}"),
            "{format}: {text}"
        );
        assert!(text.contains("24,000"), "the cut output says so: {text}");
        if format == "markdown" {
            // Every URL and mention sits in a code span.
            for word in [
                "https://evil.example/x",
                "http://evil.example",
                "@platform-team",
                "www.evil.example",
            ] {
                for (i, _) in text.match_indices(word) {
                    let before = &text[..i];
                    let ticks = before.rsplit('\n').next().unwrap().matches('`').count();
                    assert!(ticks % 2 == 1, "{word} outside a code span: {text}");
                }
            }
        }
    }
    assert!(
        !requests(&f)
            .iter()
            .any(|q| q.to_string().contains("elsewhere")),
        "nothing but SSM was asked"
    );
}

/// Reports an instance forged: a NAT gateway with its own `exit_code: 0` and `expectation met`
/// does not pass `--expect gateway-endpoint`; a report posing as another instance (or a
/// look-alike of its own id) is flagged under the id SSM gave; an unknown finding id rejects
/// the row; S3P103 listed 300 times (what fits SSM's inline output) counts once.
#[test]
fn forged_reports_neither_pass_the_gate_nor_pose_as_another_host() {
    if common::skip("tests/fleet.rs", NEEDS) {
        return;
    }
    let edit = |scenario: &str, id: &str, f: &dyn Fn(&mut Value)| {
        let mut v: Value = serde_json::from_str(&report(scenario, id)).unwrap();
        f(&mut v);
        v.to_string()
    };
    let nat = edit("gateway-endpoint", "i-0e0000000000000e1", &|v| {
        v["verdict"]["path"] = json!("nat-gateway");
        v["exit_code"] = json!(0);
        v["expectation"] = json!({"met": true, "undecided": null});
    });
    let poser = edit("gateway-endpoint", "i-0e0000000000000e9", &|v| {
        v["findings"] = json!((0..300)
            .map(|_| json!({"id": "S3P103", "severity": "warning", "message": "m"}))
            .collect::<Vec<_>>());
    });
    let lookalike = report("gateway-endpoint", "i-0e0000000000000\u{200b}e3");
    let unknown = edit("gateway-endpoint", "i-0e0000000000000e4", &|v| {
        v["findings"] = json!([{"id": "S3P999", "severity": "info", "message": "m"}]);
    });
    let f = fake(json!({"instances": {
        "i-0e0000000000000e1": {"behaviour": "report", "report": nat},
        "i-0e0000000000000e2": {"behaviour": "report", "report": poser},
        "i-0e0000000000000e3": {"behaviour": "report", "report": lookalike},
        "i-0e0000000000000e4": {"behaviour": "report", "report": unknown},
    }}));
    let (code, r, stderr, _) = fleet(
        &f,
        &[
            "--region",
            "eu-west-1",
            "--instance-ids",
            "i-0e0000000000000e1,i-0e0000000000000e2,i-0e0000000000000e3,i-0e0000000000000e4",
            "--expect",
            "gateway-endpoint",
            "--timeout",
            "6",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        code, 1,
        "nat-gateway does not meet the expectation: {stderr} {r}"
    );
    assert_eq!(
        r["expectation"]["not_met"],
        json!(["i-0e0000000000000e1"]),
        "{r}"
    );
    let hosts: Vec<&str> = r["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["host"].as_str().unwrap())
        .collect();
    assert!(!hosts.contains(&"i-0e0000000000000e9"), "{hosts:?}");
    assert!(hosts.contains(&"i-0e0000000000000e2"), "{hosts:?}");
    assert_eq!(r["summary"]["by_finding"]["S3P103"], 1, "{r}");
    let flag = |id: &str| {
        r["flagged"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["instance_id"] == id)
            .map(|f| f["detail"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("{id} not flagged: {r}"))
    };
    assert!(flag("i-0e0000000000000e2").contains("i-0e0000000000000e9"));
    assert!(flag("i-0e0000000000000e3").contains("look-alike"));
    let rejected = &r["unanswered"][0];
    assert_eq!(rejected["instance_id"], "i-0e0000000000000e4", "{r}");
    assert_eq!(rejected["reason"], "rejected", "{r}");
    assert!(rejected["detail"].as_str().unwrap().contains("S3P999"));
}

/// Progress on a terminal only (issue 20): on a pseudo-terminal stderr shows the instances
/// answered out of the total (indicatif) and clears it; on a pipe, nothing.
#[test]
fn progress_on_a_terminal_only() {
    if common::skip("tests/fleet.rs", NEEDS) {
        return;
    }
    let f = fake(json!({
        "instances": {
            "i-0a0000000000000b1": {"tags": {"Env": "prod"}, "behaviour": "report",
                                    "report": report("gateway-endpoint", "i-0a0000000000000b1")},
            "i-0a0000000000000b2": {"tags": {"Env": "prod"}, "behaviour": "report",
                                    "report": report("gateway-endpoint", "i-0a0000000000000b2"),
                                    "pending_polls": 1},
        }
    }));
    let args = [
        "--region",
        "eu-west-1",
        "--instance-ids",
        "i-0a0000000000000b1,i-0a0000000000000b2",
        "--timeout",
        "6",
        "--format",
        "json",
    ];
    let (code, _, stderr, _) = fleet(&f, &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("instances answered"), "{stderr}");
    // The fleet view as a page (merge's layout; tests/html.rs loads that in a browser).
    let html = Command::new(BIN)
        .arg("fleet")
        .args(&args[..args.len() - 1])
        .arg("html")
        .env(
            "AWS_ENDPOINT_URL_SSM",
            format!("http://127.0.0.1:{}", f.port),
        )
        .envs(common::MOTO_ENV)
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&html.stdout);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains(" data-hosts=\"2\""), "{html}");
    assert!(html.contains("(gateway) → S3"), "{html}");
    // The same run with stderr on a pseudo-terminal (stdout stays a pipe, as with `> out.json`).
    let mut cmd = Command::new(BIN);
    cmd.arg("fleet")
        .args(args)
        .env(
            "AWS_ENDPOINT_URL_SSM",
            format!("http://127.0.0.1:{}", f.port),
        )
        .envs(common::MOTO_ENV)
        .env_remove("AWS_PROFILE");
    let tty = common::stderr_on_a_terminal(&cmd);
    assert!(tty.contains("instances answered"), "{tty:?}");
    assert!(tty.contains("/2"), "no count out of the total: {tty:?}");
    assert!(tty.contains("2/2") || tty.contains("1/2"), "{tty:?}");
    // Cleared when done: the last thing written erases the line.
    assert!(
        tty.trim_end_matches(['\r', '\n']).ends_with("\x1b[2K"),
        "{tty:?}"
    );
}
