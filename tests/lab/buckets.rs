//! The real bucket requests: moto serving S3 over TLS on the S3 side, an address that drops
//! everything within the budget, an interface endpoint's ENI, and the name the settings plan.

use std::time::Duration;

use crate::harness::*;

#[test]
fn real_bucket_requests_name_the_address_and_the_path() {
    if skip() {
        return;
    }
    let (lab, endpoint, topo) = bucket_lab();
    let (code, r, stderr, took) = lab.doctor(
        &[
            "--bucket",
            "app-data",
            "--bucket",
            "far-data",
            "--key",
            "hello.txt",
        ],
        &ec2_env(&endpoint),
    );
    eprintln!("doctor with two buckets took {took:?}");
    assert_eq!(
        r["verdict"]["path"], "nat-gateway",
        "{stderr} {}",
        r["verdict"]
    );
    let buckets = r["buckets"].as_array().expect("per-bucket report");
    let app = &buckets[0];
    assert_eq!(app["name"], "app-data");
    assert_eq!(app["region"], "eu-west-1");
    assert_eq!(app["result"], "ok", "{app}");
    assert_eq!(
        app["path"],
        format!("nat-gateway via {}", topo["nat"].as_str().unwrap())
    );
    let reqs = app["requests"].as_array().unwrap();
    let ops: Vec<&str> = reqs
        .iter()
        .map(|q| q["operation"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["HeadBucket", "ListObjectsV2", "HeadObject"]);
    for q in reqs {
        assert_eq!(q["host"], "app-data.s3.eu-west-1.amazonaws.com");
        assert_eq!(q["address"], "52.218.40.4", "{q}");
        assert_eq!(q["status"], 200, "{q}");
        assert_eq!(q["signed"], true);
    }
    // far-data: the eu-west-1 name answered with its region; the reads went to us-west-2's name.
    let far = &buckets[1];
    assert_eq!(far["region"], "us-west-2");
    assert_eq!(far["other_region"], true);
    let reqs = far["requests"].as_array().unwrap();
    assert_eq!(reqs[0]["route"], "client-region");
    assert_eq!(reqs[0]["bucket_region"], "us-west-2");
    let second = reqs
        .iter()
        .find(|q| q["route"] == "bucket-region")
        .expect("bucket-region run");
    assert_eq!(second["host"], "far-data.s3.us-west-2.amazonaws.com");
    assert_eq!(second["address"], "52.218.40.4");
    assert!(
        finding_ids(&r).contains(&"S3P601".to_string()),
        "{:?}",
        finding_ids(&r)
    );
    assert!(target(&r, "far-data.s3.us-west-2.amazonaws.com")["resolution"] == "answered");
    // The bucket policy (tests/moto/buckets.py) admits PutObject only through vpce-0gw11111,
    // and this subnet goes through the NAT: S3P607, an error.
    assert!(finding_ids(&r).contains(&"S3P607".to_string()));
    assert_eq!(code, 1, "{:?}", finding_ids(&r));

    // No credentials anywhere: the requests go unsigned, and still name their address.
    let (_, r, stderr, _) = lab.doctor(
        &["--bucket", "app-data"],
        &[("AWS_ENDPOINT_URL_EC2", &endpoint)],
    );
    let q = &r["buckets"][0]["requests"][0];
    assert_eq!(q["signed"], false, "{stderr} {q}");
    assert_eq!(q["address"], "52.218.40.4", "{q}");
}

#[test]
fn a_bucket_behind_a_dropping_address_times_out_within_the_budget() {
    if skip() {
        return;
    }
    let lab = Lab::new(LabSpec::answering(app_data_at("52.218.88.8")));
    let (code, r, stderr, took) = lab.doctor(
        &["--bucket", "app-data", "--timeout", "3"],
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ],
    );
    assert!(
        took < Duration::from_millis(4500),
        "doctor took {took:?} with --timeout 3"
    );
    let q = &r["buckets"][0]["requests"][0];
    assert_eq!(q["operation"], "HeadBucket", "{stderr}");
    assert_eq!(q["outcome"], "timed_out", "{q}");
    assert_eq!(q["address"], "52.218.88.8");
    assert_eq!(r["buckets"][0]["result"], "failed");
    assert!(finding_ids(&r).contains(&"S3P603".to_string()));
    assert_eq!(code, 1);
}

/// `route --bucket --probe-from-here` whose bucket answers from an address that drops every
/// packet, `--timeout 3`: the report comes within 4 s (it took 11 s when the buckets had a
/// budget of their own), and the timeout is labelled as met from this machine, never as over
/// the subnet's path (issue 19). Without the flag, no bucket request is made at all.
#[test]
fn route_with_a_bucket_behind_a_dropping_address_stays_within_the_timeout() {
    if skip() {
        return;
    }
    let mut lab = Lab::new(LabSpec {
        imds: None,
        system_dns: app_data_at("52.218.88.8"),
        ..LabSpec::default()
    });
    let (endpoint, topo) = lab.moto_in_client("nat-only");
    let subnet = topo["subnet"].as_str().unwrap();
    let (_, r, stderr, took) = lab.s3path(
        "route",
        &[
            "--subnet-id",
            subnet,
            "--region",
            "eu-west-1",
            "--bucket",
            "app-data",
            "--probe-from-here",
            "--timeout",
            "3",
        ],
        &ec2_env(&endpoint),
    );
    eprintln!("dropping S3: route --bucket --timeout 3 took {took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}: {stderr}");
    assert_eq!(fact(&r, "route_tables")["status"], "collected", "{stderr}");
    assert_eq!(r["buckets"][0]["requests_from"], "this-machine", "{stderr}");
    let failed = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "S3P603")
        .expect("S3P603");
    let msg = failed["message"].as_str().unwrap();
    assert!(msg.contains("from this machine"), "{msg}");
    assert!(!msg.contains(" over nat-gateway"), "{msg}");
    // Without --probe-from-here: no bucket request from the runner.
    let (_, r, stderr, _) = lab.s3path(
        "route",
        &[
            "--subnet-id",
            subnet,
            "--region",
            "eu-west-1",
            "--bucket",
            "app-data",
            "--timeout",
            "3",
        ],
        &ec2_env(&endpoint),
    );
    assert_eq!(fact(&r, "buckets")["status"], "not_collected", "{stderr}");
}

/// The requests through an interface endpoint's `bucket.vpce-…` name (moto cannot serve these
/// names: it reads the bucket from the host's first labels, and its DnsEntries are not in the
/// real format, so doctor never plans them against moto). An ENI-like address 10.0.1.55 in the
/// VPC, the S3-like TLS listener on it, the endpoint-specific name in the lab DNS.
#[test]
fn interface_endpoint_requests_go_to_the_eni_address() {
    if skip() {
        return;
    }
    let mut records = default_records();
    records.push(
        "--host-record=app-data.bucket.vpce-0lab-1234.s3.eu-west-1.vpce.amazonaws.com,10.0.1.55"
            .to_string(),
    );
    let mut lab = Lab::new(LabSpec {
        system_dns: records,
        ..LabSpec::default()
    });
    let router = lab.router.clone();
    sh(&[
        "ip",
        "-n",
        &router,
        "addr",
        "add",
        "10.0.1.55/32",
        "dev",
        "lo",
    ]);
    lab.s3_listener(&router, "10.0.1.55", "ENI listener did not start");
    let ca = lab.ca_bundle();
    let (requests, answers) = in_netns(&lab.client.clone(), move || {
        use s3path::gather::{dns, s3};
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let limit = Duration::from_secs(5);
            let resolver = dns::direct_resolver("10.0.0.2".parse().unwrap(), limit).unwrap();
            let pinned = s3::Pinned::new(resolver, "10.0.0.2".into(), vec![], vec![], limit);
            let plan = s3::Plan {
                client_region: "eu-west-1".into(),
                buckets: vec!["app-data".into()],
                key: Some("hello.txt".into()),
                ca_bundles: vec![("AWS_CA_BUNDLE".into(), ca)],
                proxied: None,
                reads: true,
                settings: Default::default(),
            };
            let context = s3path::gather::context::AwsContext::load(
                "eu-west-1",
                s3path::gather::deadline::Deadline::after(limit),
            )
            .await;
            let session = s3::session(&context, &plan.ca_bundles, limit).await;
            s3::via_interface_endpoint(
                &session,
                &plan,
                &pinned,
                "app-data",
                "vpce-0lab1234",
                "vpce-0lab-1234.s3.eu-west-1.vpce.amazonaws.com",
                limit,
            )
            .await
        })
    });
    let ops: Vec<&str> = requests.iter().map(|r| r.operation.as_str()).collect();
    assert_eq!(ops, ["HeadBucket", "ListObjectsV2", "HeadObject"]);
    for r in &requests {
        assert_eq!(
            r.host, "app-data.bucket.vpce-0lab-1234.s3.eu-west-1.vpce.amazonaws.com",
            "{r:?}"
        );
        assert_eq!(r.address, Some("10.0.1.55".parse().unwrap()), "{r:?}");
        assert_eq!(r.status, Some(200), "{r:?}");
        assert_eq!(r.route, s3path::facts::RequestRoute::InterfaceEndpoint);
        assert_eq!(r.endpoint_id.as_deref(), Some("vpce-0lab1234"));
    }
    assert_eq!(requests[0].bucket_region.as_deref(), Some("eu-west-1"));
    // The endpoint-specific name was not in the DNS view: it comes back to be added to it.
    assert!(answers
        .iter()
        .any(|a| a.host.starts_with("app-data.bucket.vpce-0lab-1234")));
}

/// The bucket requests go to the name the application's settings plan: the dual-stack name
/// with AWS_USE_DUALSTACK_ENDPOINT=true, the path-style regional name with `addressing_style =
/// path` in the profile's `s3 =` block (moto serving S3 over TLS at 52.218.40.4, the lab's DNS
/// sending those names there).
#[test]
fn bucket_requests_use_the_name_the_settings_plan() {
    if skip() {
        return;
    }
    type Case = (
        &'static str,
        Option<(&'static str, &'static str)>,
        Option<&'static str>,
    );
    let cases: [Case; 2] = [
        (
            "app-data.s3.dualstack.eu-west-1.amazonaws.com",
            Some(("AWS_USE_DUALSTACK_ENDPOINT", "true")),
            None,
        ),
        (
            "s3.eu-west-1.amazonaws.com",
            None,
            Some("[default]\ns3 =\n  addressing_style = path\n"),
        ),
    ];
    for (host, env_setting, config) in cases {
        let mut records: Vec<String> = bucket_records()
            .into_iter()
            .filter(|r| !r.contains(&format!("={host},")))
            .collect();
        records.push(format!("--host-record={host},52.218.40.4"));
        let (lab, endpoint, _) = bucket_lab_with(records);
        let config_file = lab.dir.path().join("aws-config");
        std::fs::write(&config_file, config.unwrap_or("[default]\n")).unwrap();
        let config_path = config_file.to_str().unwrap().to_string();
        let mut env = ec2_env(&endpoint);
        env.push(("AWS_CONFIG_FILE", &config_path));
        env.extend(env_setting);
        let (_, r, stderr, _) = lab.doctor(&["--bucket", "app-data"], &env);
        let app = &r["buckets"][0];
        let head = &app["requests"][0];
        assert_eq!(head["operation"], "HeadBucket", "{stderr}: {app}");
        assert_eq!(head["host"], host, "{app}");
        assert_eq!(head["address"], "52.218.40.4", "{head}");
        assert_eq!(head["status"], 200, "{head}");
        assert!(r["names"][0]["names"][0]["host"]
            .as_str()
            .unwrap()
            .ends_with(host));
    }
}
