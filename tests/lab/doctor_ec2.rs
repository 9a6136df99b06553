//! doctor and route with the control plane: moto as the EC2 API inside the client namespace
//! (confirmed NAT path, a slow API within the timeout, dual-stack through an egress-only
//! gateway, route agreeing with doctor, a named subnet off AWS, each bucket form's name).

use std::time::Duration;

use serde_json::Value;

use crate::harness::*;

/// End to end: IMDS, DNS, probes and the EC2 API (a moto_server inside the client namespace,
/// on its loopback) in one doctor run. The route table says NAT and the first hop answers from
/// inside the VPC, so the verdict is confirmed.
#[test]
fn doctor_with_the_control_plane_confirms_the_nat_path() {
    if skip() {
        return;
    }
    let mut lab = Lab::new(LabSpec::default());
    let (endpoint, topo) = lab.moto_in_client("nat-only");
    lab.place_instance(&topo);
    let (code, r, stderr, _) = lab.doctor(&["--bucket", "app-data"], &ec2_env(&endpoint));
    assert_eq!(fact(&r, "route_tables")["status"], "collected", "{stderr}");
    assert_eq!(r["verdict"]["path"], "nat-gateway", "{}", r["verdict"]);
    assert_eq!(r["verdict"]["via"], topo["nat"]);
    assert_eq!(r["verdict"]["route_table"], topo["private_rtb"]);
    assert_eq!(r["verdict"]["confidence"], "confirmed", "{}", r["verdict"]);
    assert!(finding_ids(&r).contains(&"S3P103".to_string()));
    assert_eq!(code, 0, "warnings only");
}

/// An EC2 API that answers every call 3 s late, `--timeout 4`: `doctor --subnet-id` and
/// `route --subnet-id` print their report within 5 s (they took 6–7 s when the subnet lookup
/// and the gather each had the whole budget), with the parts that ran out marked timed out.
#[test]
fn a_slow_ec2_api_stays_within_the_timeout() {
    if skip() {
        return;
    }
    let mut lab = Lab::new(LabSpec {
        imds: None,
        ..LabSpec::default()
    });
    let (endpoint, topo) = lab.slow_moto_in_client("nat-only", "3");
    let subnet = topo["subnet"].as_str().unwrap();
    let env = ec2_env(&endpoint);
    let (_, r, stderr, took) = lab.doctor(
        &[
            "--region",
            "eu-west-1",
            "--subnet-id",
            subnet,
            "--timeout",
            "4",
            "--expect",
            "nat-gateway",
        ],
        &env,
    );
    eprintln!("slow EC2: doctor --subnet-id --timeout 4 took {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}: {stderr}");
    let rt = fact(&r, "route_tables");
    assert_eq!(rt["status"], "failed", "{rt}");
    assert!(
        rt["detail"].as_str().unwrap().contains("no answer within"),
        "{rt}"
    );
    assert_eq!(r["exit_code"], 3, "{}", r["verdict"]);
    let (code, r, stderr, took) = lab.s3path(
        "route",
        &[
            "--subnet-id",
            subnet,
            "--region",
            "eu-west-1",
            "--timeout",
            "4",
        ],
        &env,
    );
    eprintln!("slow EC2: route --subnet-id --timeout 4 took {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}: {stderr}");
    assert_eq!(fact(&r, "route_tables")["status"], "failed", "{code}");
}

/// A dual-stack client (AWS_USE_DUALSTACK_ENDPOINT=true) on a host with an IPv6 address, in a
/// subnet whose table has an IPv4-only S3 gateway endpoint and ::/0 -> egress-only internet
/// gateway (moto as the EC2 API). The application's name is the dual-stack one; its AAAA
/// answer is what the host connects to, and it leaves by the egress-only gateway (S3P110). The
/// first-hop probe runs over IPv6 too, and the tool's own EC2 client ignores the dual-stack
/// setting (the control plane is read).
#[test]
fn dualstack_client_leaves_by_the_egress_only_gateway() {
    if skip() {
        return;
    }
    let v6 = "2a05:d07a:a0ff::9";
    let mut records = records_in_motos_list();
    records.push(format!(
        "--host-record=app-data.s3.dualstack.eu-west-1.amazonaws.com,52.216.20.7,{v6}"
    ));
    let mut lab = Lab::new(LabSpec::answering(records));
    lab.ipv6(v6);
    let (endpoint, topo) = lab.moto_in_client("gateway-endpoint-eigw");
    let mut cfg = imds_config_for(
        topo["vpc"].as_str().unwrap(),
        topo["subnet"].as_str().unwrap(),
    );
    let base = "network/interfaces/macs/0e:11:22:33:44:55";
    cfg[format!("{base}/ipv6s")] = "2a05:d018:1:100::10".into();
    std::fs::write(lab.dir.path().join("imds.json"), cfg.to_string()).unwrap();
    let facts = lab.dir.path().join("v6.json");
    // S3P110 is a preview check.
    let (_, r, stderr, took) = lab.doctor(
        &[
            "--bucket",
            "app-data",
            "--preview",
            "--save-facts",
            facts.to_str().unwrap(),
        ],
        &[
            ec2_env(&endpoint),
            vec![("AWS_USE_DUALSTACK_ENDPOINT", "true")],
        ]
        .concat(),
    );
    eprintln!("doctor took {took:?}");
    assert_eq!(fact(&r, "route_tables")["status"], "collected", "{stderr}");
    assert_eq!(
        r["verdict"]["host"], "app-data.s3.dualstack.eu-west-1.amazonaws.com",
        "{}",
        r["verdict"]
    );
    assert_eq!(
        r["verdict"]["path"], "egress-only-internet-gateway",
        "{}",
        r["verdict"]
    );
    assert_eq!(r["verdict"]["via"], topo["eigw"]);
    let t = target(&r, "app-data.s3.dualstack.eu-west-1.amazonaws.com");
    assert_eq!(t["chosen_address"], v6, "{t}");
    // The IPv4 answer of the same name rides the gateway endpoint.
    let v4 = t["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["address"] == "52.216.20.7")
        .unwrap();
    assert_eq!(v4["path"], "gateway-endpoint", "{v4}");
    assert!(
        finding_ids(&r).contains(&"S3P110".to_string()),
        "{}",
        r["findings"]
    );
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&facts).unwrap()).unwrap();
    let hops = saved["probes"]["value"]["first_hop"].as_array().unwrap();
    let hop6 = hops
        .iter()
        .find(|h| h["target"] == v6)
        .unwrap_or_else(|| panic!("no IPv6 first-hop probe: {hops:?}"));
    assert_eq!(hop6["responder"], "2a05:d018:1:100::1", "{hop6}");
}

/// `s3path route --subnet-id` is doctor minus the host: for the instance's subnet it gives the
/// same path and via as doctor on the instance (moto as the EC2 API in both; the lab's DNS
/// answers inside moto's S3 list, 52.216.0.0/15, for the gateway-endpoint topology).
#[test]
fn route_agrees_with_doctor_for_the_same_subnet() {
    if skip() {
        return;
    }
    for (scenario, want) in [
        ("nat-only", "nat-gateway"),
        ("gateway-endpoint", "gateway-endpoint"),
    ] {
        let mut lab = Lab::new(LabSpec::answering(records_in_motos_list()));
        let (endpoint, topo) = lab.moto_in_client(scenario);
        let subnet = topo["subnet"].as_str().unwrap();
        lab.place_instance(&topo);
        let env = ec2_env(&endpoint);
        let (_, doctor, stderr, _) = lab.doctor(&[], &env);
        let (code, route, route_err, _) = lab.s3path(
            "route",
            &["--subnet-id", subnet, "--region", "eu-west-1"],
            &env,
        );
        assert_eq!(code, 0, "{route_err}");
        assert_eq!(
            doctor["verdict"]["path"], want,
            "{stderr}: {}",
            doctor["verdict"]
        );
        assert_eq!(
            route["verdict"]["path"], doctor["verdict"]["path"],
            "{}",
            route["verdict"]
        );
        assert_eq!(
            route["verdict"]["via"], doctor["verdict"]["via"],
            "{}",
            route["verdict"]
        );
        assert_eq!(
            route["verdict"]["route_table"],
            doctor["verdict"]["route_table"]
        );
        assert_eq!(route["verdict"]["confidence"], "inferred");
        // route's answers are derived, and say so.
        let t = target(&route, route["verdict"]["host"].as_str().unwrap());
        assert_eq!(t["answer_source"], "derived", "{t}");
    }
}

/// Off AWS (no metadata service), `--subnet-id` names the subnet to judge against: the EC2
/// facts come from moto inside the namespace, and every interface-endpoint ENI is probed.
#[test]
fn doctor_off_aws_judges_a_named_subnet() {
    if skip() {
        return;
    }
    // moto's S3 list holds 52.216.0.0/15 (the same in every region): the bucket answers
    // inside it here, so the list read with GetManagedPrefixListEntries decides.
    let mut lab = Lab::new(LabSpec {
        imds: None,
        ..LabSpec::answering(app_data_at("52.216.20.7"))
    });
    let (endpoint, topo) = lab.moto_in_client("both");
    let facts = lab.dir.path().join("named.json");
    let subnet = topo["subnet"].as_str().unwrap();
    let (_, r, stderr, _) = lab.doctor(
        &[
            "--bucket",
            "app-data",
            "--region",
            "eu-west-1",
            "--subnet-id",
            subnet,
            "--save-facts",
            facts.to_str().unwrap(),
        ],
        &ec2_env(&endpoint),
    );
    assert_eq!(r["vantage"]["kind"], "off-aws", "{stderr}");
    assert_eq!(r["vantage"]["subnet_id"], topo["subnet"]);
    assert_eq!(fact(&r, "route_tables")["status"], "collected");
    // The S3 list's entries (read from moto) hold 52.216.20.7: the gateway route beats the
    // default route, from the control plane.
    assert_eq!(r["verdict"]["path"], "gateway-endpoint", "{}", r["verdict"]);
    assert_eq!(r["verdict"]["via"], topo["gateway_endpoint"]);
    assert!(
        r["verdict"]["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "prefix_list"
                && e["detail"].as_str().unwrap().contains("52.216.0.0/15")),
        "{}",
        r["verdict"]
    );
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&facts).unwrap()).unwrap();
    let tcp = saved["probes"]["value"]["tcp"].as_array().unwrap();
    assert!(
        tcp.iter().any(|p| p["address"] == topo["interface_ip"]),
        "the interface endpoint's ENI is probed: {tcp:?}"
    );
}

/// `route --subnet-id` judges the name each `--bucket` form really uses (issue 12), moto as
/// the EC2 API: an access point rides the S3 gateway endpoint; a directory bucket rides the
/// S3 Express gateway endpoint when there is one and the NAT gateway when there is only the S3
/// one (S3P702); a Multi-Region Access Point cannot use the gateway endpoint (S3P701, its
/// address is not derived: undetermined, and --expect exits 3); a FIPS URL cannot use the
/// interface endpoint (S3P701).
#[test]
fn route_judges_the_name_each_bucket_form_uses() {
    if skip() {
        return;
    }
    let ap = "arn:aws:s3:eu-west-1:123456789012:accesspoint/reports";
    let ap_host = "reports-123456789012.s3-accesspoint.eu-west-1.amazonaws.com";
    let zonal = "logs--euw1-az1--x-s3.s3express-euw1-az1.eu-west-1.amazonaws.com";
    struct Case {
        topology: &'static str,
        bucket: &'static str,
        expect: &'static str,
        host: &'static str,
        path: &'static str,
        via: Option<&'static str>,
        finding: Option<&'static str>,
        code: i32,
    }
    let cases = [
        Case {
            topology: "gateway-endpoint",
            bucket: ap,
            expect: "gateway-endpoint",
            host: ap_host,
            path: "gateway-endpoint",
            via: Some("gateway_endpoint"),
            // route makes no bucket request (no --probe-from-here): the lab's DNS has no
            // record for the access point's name, and nothing fails for it (it once failed
            // the gate with S3P603, which said nothing about the subnet's path).
            finding: None,
            code: 0,
        },
        Case {
            topology: "directory-s3express",
            bucket: "logs--euw1-az1--x-s3",
            expect: "gateway-endpoint",
            host: zonal,
            path: "gateway-endpoint",
            via: Some("s3express_endpoint"),
            finding: None,
            code: 0,
        },
        Case {
            topology: "directory-s3-only",
            bucket: "logs--euw1-az1--x-s3",
            expect: "gateway-endpoint",
            host: zonal,
            path: "nat-gateway",
            via: Some("nat"),
            finding: Some("S3P702"),
            code: 1,
        },
        Case {
            topology: "gateway-endpoint",
            bucket: "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap",
            expect: "gateway-endpoint",
            host: "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com",
            // Not derived (no list holds it), but the table's only route for public
            // addresses is 0.0.0.0/0 -> NAT: that is its path.
            path: "nat-gateway",
            via: Some("nat"),
            finding: Some("S3P701"),
            code: 1,
        },
        Case {
            topology: "interface-private-dns",
            bucket: "https://app-data.s3-fips.eu-west-1.amazonaws.com/reports/a.csv",
            expect: "interface-endpoint",
            host: "app-data.s3-fips.eu-west-1.amazonaws.com",
            path: "unknown",
            via: None,
            finding: Some("S3P701"),
            code: 3,
        },
    ];
    for case in cases {
        let mut lab = Lab::new(LabSpec::default());
        let (_, topo) = lab.moto_in_client(case.topology);
        let endpoint = lab.aws_lists_proxy();
        let subnet = topo["subnet"].as_str().unwrap();
        let env = ec2_env(&endpoint);
        let (code, r, stderr, took) = lab.s3path(
            "route",
            &[
                "--subnet-id",
                subnet,
                "--region",
                "eu-west-1",
                "--bucket",
                case.bucket,
                "--expect",
                case.expect,
                // S3P701–S3P704 are preview checks.
                "--preview",
                "--timeout",
                "8",
            ],
            &env,
        );
        let what = format!("{} / {}: {stderr}", case.topology, case.bucket);
        eprintln!("route {} took {took:?}", case.bucket);
        assert_eq!(r["verdict"]["host"], case.host, "{what}: {}", r["verdict"]);
        assert_eq!(r["verdict"]["path"], case.path, "{what}: {}", r["verdict"]);
        if let Some(key) = case.via {
            assert_eq!(r["verdict"]["via"], topo[key], "{what}: {}", r["verdict"]);
            assert_eq!(r["verdict"]["confidence"], "inferred", "{what}");
        }
        let ids = finding_ids(&r);
        if let Some(f) = case.finding {
            assert!(ids.contains(&f.to_string()), "{what}: {}", r["findings"]);
        }
        for quiet in ["S3P701", "S3P702", "S3P703", "S3P704"] {
            if Some(quiet) != case.finding {
                assert!(
                    !ids.contains(&quiet.to_string()),
                    "{what}: {}",
                    r["findings"]
                );
            }
        }
        assert_eq!(code, case.code, "{what}: {ids:?}");
        assert_eq!(r["names"][0]["input"], case.bucket, "{what}");
        assert_eq!(r["names"][0]["names"][0]["host"], case.host, "{what}");
    }
}
