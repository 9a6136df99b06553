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
        cmd, "s3path doctor --format compact --timeout 10 --bucket app-data",
        "{cmd}"
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
    let put = Command::new("python3")
        .args([
            "-c",
            "import boto3,sys; c=boto3.client('s3',region_name='eu-west-1',endpoint_url=sys.argv[1],aws_access_key_id='testing',aws_secret_access_key='testing'); c.create_bucket(Bucket='ssm-out',CreateBucketConfiguration={'LocationConstraint':'eu-west-1'}); c.put_object(Bucket='ssm-out',Key=sys.argv[2],Body=open(sys.argv[3],'rb').read())",
            &format!("http://127.0.0.1:{moto_port}"),
            key,
        ])
        .arg({
            let f = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(f.path(), &full).unwrap();
            f.into_temp_path().keep().unwrap()
        })
        .status()
        .unwrap();
    assert!(put.success());
    let f = fake(json!({"instances": {"i-0b0000000000000b1": {
        "behaviour": "report",
        "report": String::from_utf8(full).unwrap(),
        "s3_url": format!("https://s3.eu-west-1.amazonaws.com/ssm-out/{key}"),
    }}}));
    let out = Command::new(BIN)
        .args([
            "fleet",
            "--region",
            "eu-west-1",
            "--instance-ids",
            "i-0b0000000000000b1",
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
    assert_eq!(r["hosts"][0]["path"], "interface-endpoint", "{r}");
    let saved: Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().with_extension("fleet.json")).unwrap(),
    )
    .unwrap();
    assert!(saved["invocations"][0]["output_source"]
        .as_str()
        .unwrap()
        .starts_with("https://s3."));
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
    let secret = format!("http://user:s3cret@127.0.0.1:{}", f.port);
    let (code, stdout, stderr) = fleet_with_env(&args, &[("AWS_ENDPOINT_URL", secret)]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let error: Vec<&str> = stdout.lines().filter(|l| l.contains("error:")).collect();
    assert_eq!(error.len(), 1, "{stdout}");
    assert!(error[0].contains("AWS_ENDPOINT_URL:"), "{stdout}");
    assert!(!stdout.contains("s3cret") && !stderr.contains("s3cret"));
    let fips = [
        ("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{}", f.port)),
        ("AWS_USE_FIPS_ENDPOINT", "true".to_string()),
    ];
    let (code, stdout, stderr) = fleet_with_env(&args, &fips);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("FIPS"), "{stdout}");
    assert!(requests(&f).is_empty(), "nothing reached the stand-in");
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
