//! One AWS context per run: the credential chain is walked once, whatever the number of S3
//! clients, Query clients (EC2, SSM) and output objects a run uses.
//!
//! The credentials come from a real source of aws-config's default chain — the container
//! credentials endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, a loopback address is allowed)
//! — served here by a small recording HTTP server that counts the requests it gets. Every
//! request counted is one walk of the chain that reached that source. The profile files are
//! pointed at paths that do not exist and the instance metadata source is off, so the chain
//! has nothing else to answer with.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_s3path");
const REGION: &str = "eu-west-1";

/// A container credentials endpoint on loopback that counts the requests it answers.
struct CredentialSource {
    port: u16,
    count: Arc<AtomicUsize>,
}

impl CredentialSource {
    fn start() -> CredentialSource {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let count = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&count);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                let mut reader = BufReader::new(s.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() || !line.starts_with("GET /creds") {
                    continue;
                }
                // The rest of the request head.
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                // Test keys only (moto accepts any); valid for a long time.
                let body = r#"{"AccessKeyId":"testing","SecretAccessKey":"testing","Token":"testing","Expiration":"2099-01-01T00:00:00Z"}"#;
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        CredentialSource { port, count }
    }

    fn uri(&self) -> String {
        format!("http://127.0.0.1:{}/creds", self.port)
    }

    /// The requests answered since the last call.
    fn take(&self) -> usize {
        self.count.swap(0, Ordering::SeqCst)
    }
}

/// s3path with the recording source as the only credentials of the chain.
fn s3path(creds: &CredentialSource, moto_port: u16, args: &[&str]) -> (i32, Value, String) {
    s3path_with(creds, moto_port, args, &[])
}

fn s3path_with(
    creds: &CredentialSource,
    moto_port: u16,
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, Value, String) {
    let none = std::env::temp_dir().join("s3path-no-such-aws-file");
    let moto = format!("http://127.0.0.1:{moto_port}");
    let out = common::s3path(BIN)
        .args(args)
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", creds.uri())
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
        .env_remove("AWS_ROLE_ARN")
        .env_remove("ECS_CONTAINER_METADATA_URI_V4")
        .env("AWS_CONFIG_FILE", &none)
        .env("AWS_SHARED_CREDENTIALS_FILE", &none)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // s3path's own identity lookup: nothing listens there, so "off AWS" at once.
        .env(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            format!("http://127.0.0.1:{}", common::free_port()),
        )
        .env("AWS_ENDPOINT_URL_EC2", &moto)
        .env("AWS_ENDPOINT_URL_S3", &moto)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

fn fact<'a>(r: &'a Value, part: &str) -> &'a Value {
    r["facts"]
        .as_array()
        .unwrap_or_else(|| panic!("no facts in {r}"))
        .iter()
        .find(|f| f["part"] == part)
        .unwrap_or_else(|| panic!("no fact {part} in {r}"))
}

#[test]
fn one_credential_resolution_per_run() {
    if common::skip("tests/aws_context.rs", common::MOTO) {
        return;
    }
    let (_moto, port) = common::moto_server();
    common::moto_script("buckets.py", &[&port.to_string()]);
    let topo = common::moto_script("topology.py", &[&port.to_string(), REGION, "nat-only"]);
    let subnet = topo["subnet"].as_str().unwrap();
    let creds = CredentialSource::start();

    // doctor off AWS with a named subnet: EC2 Describe calls (the control plane) and S3
    // requests to two buckets (HeadBucket, ListObjectsV2, HeadObject, GetBucketPolicy), the
    // second in another region.
    let (code, r, stderr) = s3path(
        &creds,
        port,
        &[
            "doctor",
            "--region",
            REGION,
            "--subnet-id",
            subnet,
            "--bucket",
            "app-data",
            "--bucket",
            "far-data",
            "--key",
            "hello.txt",
            "--timeout",
            "10",
            "--format",
            "json",
        ],
    );
    let doctor = creds.take();
    assert!(code == 0 || code == 1, "{code}: {stderr}");
    assert_eq!(fact(&r, "route_tables")["status"], "collected", "{stderr}");
    let buckets = &r["buckets"];
    let requests: Vec<&Value> = buckets
        .as_array()
        .unwrap_or_else(|| panic!("no per-bucket report: {r}"))
        .iter()
        .flat_map(|b| b["requests"].as_array().unwrap())
        .collect();
    assert!(requests.len() >= 4, "{buckets}");
    assert!(
        requests.iter().all(|q| q["signed"] == true),
        "every request signed with the resolved credentials: {buckets}"
    );
    assert_eq!(
        requests
            .iter()
            .find(|q| q["operation"] == "HeadBucket")
            .map(|q| &q["status"]),
        Some(&Value::from(200)),
        "{buckets}"
    );
    eprintln!("doctor: {doctor} credential resolution(s)");
    assert_eq!(
        doctor, 1,
        "doctor walked the credential chain {doctor} times"
    );

    // route --probe-from-here: EC2 Describe calls, then HeadBucket and GetBucketPolicy of the
    // bucket from this machine (at S3's own regional name: route does not follow
    // AWS_ENDPOINT_URL_S3, so they may fail here; the credentials are resolved for them all
    // the same).
    let (code, r, stderr) = s3path(
        &creds,
        port,
        &[
            "route",
            "--region",
            REGION,
            "--subnet-id",
            subnet,
            "--bucket",
            "app-data",
            "--probe-from-here",
            "--timeout",
            "10",
            "--format",
            "json",
        ],
    );
    let route = creds.take();
    assert!(code == 0 || code == 1, "{code}: {stderr}");
    assert_eq!(fact(&r, "route_tables")["status"], "collected", "{stderr}");
    eprintln!("route: {route} credential resolution(s)");
    assert_eq!(route, 1, "route walked the credential chain {route} times");
}

/// fleet: SSM calls, then every output longer than SSM's inline limit read back from the output
/// bucket (one GetObject per instance) — with the run's credentials, not a walk of the chain
/// per object.
#[test]
fn fleet_reads_every_cut_output_with_the_runs_credentials() {
    if common::skip("tests/aws_context.rs", common::MOTO) {
        return;
    }
    let (_moto, port) = common::moto_server();
    let moto = format!("http://127.0.0.1:{port}");
    let ids = ["i-0c0000000000000c1", "i-0c0000000000000c2"];
    let scenarios = common::scenarios_dir();
    let dir = tempfile::tempdir().unwrap();
    let mut instances = serde_json::Map::new();
    for id in ids {
        let mut facts: Value = serde_json::from_str(
            &std::fs::read_to_string(scenarios.join("interface-endpoint-private-dns.facts.json"))
                .unwrap(),
        )
        .unwrap();
        facts["vantage"]["value"]["instance_id"] = Value::from(id);
        let path = dir.path().join(format!("{id}.facts.json"));
        std::fs::write(&path, facts.to_string()).unwrap();
        let full = common::s3path(BIN)
            .args(["replay", path.to_str().unwrap(), "--format", "json"])
            .output()
            .unwrap()
            .stdout;
        assert!(full.len() > 24_000, "longer than SSM's inline limit");
        let key = format!("s3path-fleet/cmd/{id}/awsrunShellScript/0.awsrunShellScript/stdout");
        let body = dir.path().join(format!("{id}.json"));
        std::fs::write(&body, &full).unwrap();
        let put = Command::new("python3")
            .args([
                "-c",
                "import boto3,sys; c=boto3.client('s3',region_name='eu-west-1',endpoint_url=sys.argv[1],aws_access_key_id='testing',aws_secret_access_key='testing'); c.create_bucket(Bucket='ssm-out',CreateBucketConfiguration={'LocationConstraint':'eu-west-1'}) if not c.list_buckets()['Buckets'] else None; c.put_object(Bucket='ssm-out',Key=sys.argv[2],Body=open(sys.argv[3],'rb').read())",
                &moto,
                &key,
                body.to_str().unwrap(),
            ])
            .status()
            .unwrap();
        assert!(put.success());
        instances.insert(
            id.to_string(),
            serde_json::json!({
                "behaviour": "report",
                "report": String::from_utf8(full).unwrap(),
                "s3_url": format!("https://s3.eu-west-1.amazonaws.com/ssm-out/{key}"),
            }),
        );
    }
    let config = dir.path().join("ssm.json");
    std::fs::write(
        &config,
        serde_json::json!({ "command_id": "cmd", "instances": instances }).to_string(),
    )
    .unwrap();
    let log = dir.path().join("ssm.log");
    let ssm_port = common::free_port();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/ssm_fake.py");
    let _ssm = common::start(
        &[
            "python3",
            script.to_str().unwrap(),
            &ssm_port.to_string(),
            config.to_str().unwrap(),
            log.to_str().unwrap(),
        ],
        ssm_port,
    );
    let creds = CredentialSource::start();
    let saved = dir.path().join("fleet.json");
    let ssm = format!("http://127.0.0.1:{ssm_port}");
    let (_, r, stderr) = s3path_with(
        &creds,
        port,
        &[
            "fleet",
            "--region",
            REGION,
            "--instance-ids",
            &ids.join(","),
            "--output-s3-bucket",
            "ssm-out",
            "--timeout",
            "10",
            "--format",
            "json",
            "--save-facts",
            saved.to_str().unwrap(),
        ],
        &[("AWS_ENDPOINT_URL_SSM", &ssm)],
    );
    let fleet = creds.take();
    assert_eq!(r["hosts"].as_array().map(Vec::len), Some(2), "{stderr} {r}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    for inv in saved["invocations"].as_array().unwrap() {
        assert!(
            inv["output_source"]
                .as_str()
                .is_some_and(|s| s.starts_with("s3://ssm-out/s3path-fleet/cmd/")),
            "read from the output bucket: {inv}"
        );
    }
    eprintln!("fleet: {fleet} credential resolution(s)");
    assert_eq!(fleet, 1, "fleet walked the credential chain {fleet} times");
}

/// s3path whose only credentials are the profiles of `config` (no container source, no
/// environment keys, no region in the environment).
fn s3path_profiles(
    config: &std::path::Path,
    moto_port: u16,
    args: &[&str],
) -> (i32, String, String) {
    let none = std::env::temp_dir().join("s3path-no-such-aws-file");
    let moto = format!("http://127.0.0.1:{moto_port}");
    let out = common::s3path(BIN)
        .args(args)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_DEFAULT_PROFILE")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
        .env_remove("AWS_ROLE_ARN")
        .env_remove("ECS_CONTAINER_METADATA_URI_V4")
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &none)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            format!("http://127.0.0.1:{}", common::free_port()),
        )
        .env("AWS_ENDPOINT_URL_EC2", &moto)
        .env("AWS_ENDPOINT_URL_S3", &moto)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A config file with a `credential_process` profile that prints test credentials (`proc`, its
/// region the moto topology's) and one whose process fails (`broken`, no region).
fn profiles_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let script = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    };
    let good = script(
        "good.sh",
        r#"echo '{"Version": 1, "AccessKeyId": "testing", "SecretAccessKey": "testing"}'"#,
    );
    let bad = script(
        "bad.sh",
        "echo 'token SECRET-IN-STDERR expired' >&2\necho '{\"Version\": 1, \"AccessKeyId\": \"SECRET-IN-STDOUT\"'\nexit 3",
    );
    std::fs::write(
        dir.path().join("config"),
        format!(
            "[default]\nregion = us-west-2\n\n[profile proc]\nregion = {REGION}\ncredential_process = {}\n\n[profile broken]\ncredential_process = {}\n",
            good.display(),
            bad.display()
        ),
    )
    .unwrap();
    dir
}

#[test]
fn profile_flag_selects_credential_process_credentials_and_region() {
    if common::skip("tests/aws_context.rs", common::MOTO) {
        return;
    }
    let (_moto, port) = common::moto_server();
    let topo = common::moto_script("topology.py", &[&port.to_string(), REGION, "nat-only"]);
    let subnet = topo["subnet"].as_str().unwrap();
    let dir = profiles_dir();
    let config = dir.path().join("config");

    // --profile proc: credentials from its credential_process, region from its `region =`
    // (no --region, nothing in the environment; the default profile's region is another).
    let (code, out, stderr) = s3path_profiles(
        &config,
        port,
        &[
            "route",
            "--profile",
            "proc",
            "--subnet-id",
            subnet,
            "--timeout",
            "10",
            "--format",
            "json",
        ],
    );
    let r: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{code}: {stderr}"));
    assert!(code == 0 || code == 1, "{code}: {stderr}");
    assert_eq!(r["region"], REGION, "{stderr}");
    assert_eq!(fact(&r, "route_tables")["status"], "collected", "{stderr}");
    assert_eq!(r["verdict"]["path"], "nat-gateway", "{}", r["verdict"]);

    // A profile whose credential_process fails: undecided (exit 3), one sentence naming the
    // profile and the source, nothing the process printed.
    for format in ["json", "human"] {
        let (code, out, stderr) = s3path_profiles(
            &config,
            port,
            &[
                "route",
                "--profile",
                "broken",
                "--region",
                REGION,
                "--subnet-id",
                subnet,
                "--timeout",
                "10",
                "--format",
                format,
            ],
        );
        assert_eq!(code, 3, "{format}: {out}{stderr}");
        let all = format!("{out}{stderr}");
        assert!(!all.contains("SECRET-IN"), "{all}");
        let sentence = "profile 'broken' gave no credentials from its credential_process: the process failed (exit status: 3)";
        // The human report wraps at 100 columns: compare with the lines joined.
        let flat = all.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(sentence), "{format}: {all}");
        if format == "json" {
            let r: Value = serde_json::from_str(&out).unwrap();
            assert!(
                r["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["id"] == "S3P004"),
                "{out}"
            );
        } else {
            assert!(!out.contains("no findings"), "{out}");
        }
    }
}

/// An SSO profile (an `sso-session`) with a cached token: the credentials come from the SSO
/// portal (a stand-in on loopback that only accepts that token), and the run is decided.
#[test]
fn sso_profile_with_a_cached_token_gives_a_decided_route() {
    if common::skip("tests/aws_context.rs", common::MOTO) {
        return;
    }
    let (_moto, port) = common::moto_server();
    let topo = common::moto_script("topology.py", &[&port.to_string(), REGION, "nat-only"]);
    let subnet = topo["subnet"].as_str().unwrap();
    let portal_port = common::free_port();
    let portal = common::moto_path("sso_portal.py");
    let _portal = common::start(
        &[
            "python3",
            portal.to_str().unwrap(),
            &portal_port.to_string(),
            "cached-token",
        ],
        portal_port,
    );
    let home = tempfile::tempdir().unwrap();
    let cache = home.path().join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    // The cache file of an sso-session is named by the SHA-1 of the session's name.
    let sha1 = Command::new("python3")
        .args([
            "-c",
            "import hashlib; print(hashlib.sha1(b'corp').hexdigest())",
        ])
        .output()
        .unwrap();
    let name = String::from_utf8_lossy(&sha1.stdout).trim().to_string();
    std::fs::write(
        cache.join(format!("{name}.json")),
        r#"{"accessToken": "cached-token", "expiresAt": "2099-01-01T00:00:00Z", "region": "eu-west-1", "startUrl": "https://corp.awsapps.com/start"}"#,
    )
    .unwrap();
    let config = home.path().join("config");
    std::fs::write(
        &config,
        format!("[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\nregion = {REGION}\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = {REGION}\n"),
    )
    .unwrap();
    let none = std::env::temp_dir().join("s3path-no-such-aws-file");
    let moto = format!("http://127.0.0.1:{port}");
    let out = common::s3path(BIN)
        .args([
            "route",
            "--profile",
            "dev",
            "--subnet-id",
            subnet,
            "--timeout",
            "10",
            "--format",
            "json",
        ])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &none)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            format!("http://127.0.0.1:{}", common::free_port()),
        )
        .env("AWS_ENDPOINT_URL_EC2", &moto)
        .env(
            "AWS_ENDPOINT_URL_SSO",
            format!("http://127.0.0.1:{portal_port}"),
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!("{:?}: {stderr}", out.status.code());
    });
    assert!(matches!(out.status.code(), Some(0 | 1)), "{r}: {stderr}");
    assert_eq!(r["region"], REGION);
    assert_eq!(fact(&r, "route_tables")["status"], "collected", "{r}");
    assert_eq!(r["verdict"]["path"], "nat-gateway", "{}", r["verdict"]);
}
