//! The S3 gatherer against a real moto_server on loopback: buckets in three regions, a bucket
//! policy, a bucket that does not exist, 403s from moto's IAM authorization, and 301 region
//! redirects from tests/moto/s3_region_proxy.py (moto does not send them; real S3 does).
//! Everything runs in one test function because the SDK reads credentials from the process
//! environment, which the steps change.

mod common;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use serde_json::Value;

use s3path::facts::{BucketFacts, Observed, RequestOutcome, RequestRoute};
use s3path::gather::context::AwsContext;
use s3path::gather::deadline::Deadline;
use s3path::gather::{dns, s3};

use common::{free_port, moto_server as moto, start};

fn script(name: &str, args: &[&str]) -> Value {
    common::moto_script(name, args)
}

fn creds(id: &str, secret: &str) {
    std::env::set_var("AWS_ACCESS_KEY_ID", id);
    std::env::set_var("AWS_SECRET_ACCESS_KEY", secret);
}

/// Runs the bucket gather the way doctor does, against `endpoint`.
fn gather(endpoint: &str, region: &str, buckets: &[&str], key: Option<&str>) -> Vec<BucketFacts> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let limit = Duration::from_secs(10);
        // The endpoint is an address: the pinned resolver is never asked.
        let resolver = dns::direct_resolver("127.0.0.1".parse().unwrap(), limit).unwrap();
        let pinned = s3::Pinned::new(resolver, "127.0.0.1".into(), vec![], vec![], limit);
        let plan = s3::Plan {
            client_region: region.into(),
            buckets: buckets.iter().map(|b| b.to_string()).collect(),
            key: key.map(str::to_string),
            ca_bundles: vec![],
            proxied: None,
            reads: true,
            settings: Default::default(),
        };
        let context = AwsContext::load(region, Deadline::after(limit)).await;
        let session = s3::session(&context, &[], limit).await;
        let (facts, _) = s3::gather(&session, &plan, &pinned, Some(endpoint), limit).await;
        match facts {
            Observed::Collected { value } => value,
            other => panic!("bucket facts not collected: {other:?}"),
        }
    })
}

fn op<'a>(b: &'a BucketFacts, name: &str) -> &'a s3path::facts::S3Request {
    b.requests
        .iter()
        .find(|r| r.operation == name)
        .unwrap_or_else(|| panic!("{}: no {name} in {:?}", b.name, b.requests))
}

#[test]
fn buckets_against_moto() {
    if common::skip("tests/s3_moto.rs", common::MOTO) {
        return;
    }
    std::env::remove_var("AWS_SESSION_TOKEN");
    std::env::remove_var("AWS_PROFILE");
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    creds("testing", "testing");

    // 1. Regions, requests, the policy, a missing bucket.
    let (_m, port) = moto();
    let setup = script("buckets.py", &[&port.to_string()]);
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let got = gather(
        &url,
        "eu-west-1",
        &[
            "app-data",
            "far-data",
            "sydney-logs",
            "no-such-bucket-s3path",
        ],
        Some("hello.txt"),
    );
    let took = started.elapsed();
    let regions: Vec<Option<&String>> = got.iter().map(|b| b.region.get()).collect();
    assert_eq!(
        regions,
        [
            Some(&"eu-west-1".to_string()),
            Some(&"us-west-2".to_string()),
            Some(&"ap-southeast-2".to_string()),
            None
        ]
    );
    let app = &got[0];
    let local: IpAddr = "127.0.0.1".parse().unwrap();
    for name in ["HeadBucket", "ListObjectsV2", "HeadObject"] {
        let r = op(app, name);
        assert_eq!(r.status, Some(200), "{name}: {r:?}");
        assert_eq!(r.address, Some(local), "{name} must say where it connected");
        assert_eq!(r.route, RequestRoute::EndpointOverride);
        assert!(r.signed && r.latency_ms.is_some());
    }
    let policy: Value = serde_json::from_str(app.bucket_policy.get().expect("policy")).unwrap();
    assert_eq!(policy, setup["policy"]);
    assert!(got[1]
        .bucket_policy
        .missing_reason()
        .unwrap()
        .contains("no policy"));
    assert_eq!(op(&got[1], "HeadObject").status, Some(404));
    let missing = &got[3];
    assert_eq!(op(missing, "HeadBucket").status, Some(404));
    assert!(missing
        .region
        .missing_reason()
        .unwrap()
        .contains("no such bucket"));
    assert_eq!(missing.requests.len(), 1, "no reads on a missing bucket");
    eprintln!(
        "4 buckets, {} requests in {took:?}",
        got.iter().map(|b| b.requests.len()).sum::<usize>()
    );

    // 2. 301: a client in eu-west-1 asking for a us-west-2 bucket, as real S3 answers it.
    let proxy_port = free_port();
    let proxy = common::moto_path("s3_region_proxy.py");
    let _p = start(
        &[
            "python3",
            proxy.to_str().unwrap(),
            &proxy_port.to_string(),
            &port.to_string(),
        ],
        proxy_port,
    );
    let got = gather(
        &format!("http://127.0.0.1:{proxy_port}"),
        "eu-west-1",
        &["far-data", "app-data"],
        None,
    );
    let head = op(&got[0], "HeadBucket");
    assert_eq!(head.status, Some(301), "{head:?}");
    assert_eq!(head.bucket_region.as_deref(), Some("us-west-2"));
    assert_eq!(got[0].region.get().map(String::as_str), Some("us-west-2"));
    let list = op(&got[0], "ListObjectsV2");
    assert_eq!(list.status, Some(301));
    assert_eq!(list.error_code.as_deref(), Some("PermanentRedirect"));
    assert_eq!(op(&got[1], "ListObjectsV2").status, Some(200));

    // 3. 403: moto's IAM authorization with a user that may read app-data only.
    let (_m2, port2) = moto();
    let setup = script("buckets.py", &[&port2.to_string(), "--auth"]);
    creds(
        setup["key_id"].as_str().unwrap(),
        setup["secret"].as_str().unwrap(),
    );
    let got = gather(
        &format!("http://127.0.0.1:{port2}"),
        "eu-west-1",
        &["app-data", "far-data"],
        Some("hello.txt"),
    );
    creds("testing", "testing");
    assert_eq!(op(&got[0], "ListObjectsV2").status, Some(200));
    assert_eq!(op(&got[0], "HeadObject").status, Some(200));
    let denied = op(&got[1], "ListObjectsV2");
    assert_eq!(denied.status, Some(403), "{denied:?}");
    assert_eq!(denied.error_code.as_deref(), Some("AccessDenied"));
    assert_eq!(denied.outcome, RequestOutcome::Answered);
    assert!(got[1]
        .bucket_policy
        .missing_reason()
        .unwrap()
        .contains("s3:GetBucketPolicy"));
}
