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

    // route: EC2 Describe calls, then HeadBucket and GetBucketPolicy of the bucket (at S3's
    // own regional name: route does not follow AWS_ENDPOINT_URL_S3, so they may fail here;
    // the credentials are resolved for them all the same).
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
