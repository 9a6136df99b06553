//! The probes: the first hop from a NAT-like or a silent router, ICMP and TCP, the TLS probe
//! (validating store, name mismatch) and an address that drops everything.

use std::process::Command;

use serde_json::Value;

use crate::harness::*;

#[test]
fn nat_like_router_is_inferred_as_nat_from_the_first_hop() {
    if skip() {
        return;
    }
    let lab = Lab::new(LabSpec::default());
    let (code, r, stderr, took) = lab.doctor(
        &[
            "--bucket",
            "app-data",
            "--save-facts",
            lab.dir.path().join("f.json").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    eprintln!("doctor took {took:?}");
    assert_eq!(r["vantage"]["instance_id"], "i-0lab0000000000001");
    assert_eq!(r["vantage"]["subnet_id"], "subnet-0lab");
    assert_eq!(r["region"], "eu-west-1");
    let t = target(&r, "app-data.s3.eu-west-1.amazonaws.com");
    assert_eq!(t["resolution"], "answered");
    assert_eq!(t["answer_source"], "dns");
    assert_eq!(t["addresses"][0]["address"], "52.218.20.7");
    assert_eq!(r["verdict"]["path"], "nat-gateway", "{}", r["verdict"]);
    assert_eq!(r["verdict"]["via"], "10.0.1.1");
    // No control plane in this lab (no EC2 API): live signals only.
    assert_eq!(r["verdict"]["confidence"], "probable");
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "S3P004"),
        "{}",
        r["findings"]
    );
    let facts: Value =
        serde_json::from_str(&std::fs::read_to_string(lab.dir.path().join("f.json")).unwrap())
            .unwrap();
    let tcp = facts["probes"]["value"]["tcp"].as_array().unwrap();
    let t = tcp.iter().find(|p| p["address"] == "52.218.20.7").unwrap();
    assert_eq!(t["outcome"], "connected");
    let icmp = facts["probes"]["value"]["icmp"].as_array().unwrap();
    let echo = icmp.iter().find(|p| p["address"] == "52.218.20.7").unwrap();
    assert_eq!(echo["outcome"], "reply", "{echo}");
    let hop = &facts["probes"]["value"]["first_hop"][0];
    assert_eq!(hop["responder"], "10.0.1.1");
    assert_eq!(hop["ttl"], 1);
    let dns = facts["dns"]["value"].as_array().unwrap();
    assert!(dns.iter().all(|d| d["resolver"] == "10.0.0.2"), "{dns:?}");
    assert_eq!(fact(&r, "vpc_resolver_dns")["status"], "collected");
    // The facts file replays to the same verdict.
    let out = Command::new(env!("CARGO_BIN_EXE_s3path"))
        .args([
            "replay",
            lab.dir.path().join("f.json").to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let replayed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(replayed["verdict"], r["verdict"]);
}

#[test]
fn silent_router_with_tcp_success_is_inferred_as_gateway_endpoint() {
    if skip() {
        return;
    }
    let lab = Lab::new(LabSpec {
        router: Router::Silent,
        ..LabSpec::default()
    });
    let (code, r, stderr, _) = lab.doctor(
        &["--bucket", "app-data", "--expect", "gateway-endpoint"],
        &[],
    );
    assert_eq!(r["verdict"]["path"], "gateway-endpoint", "{}", r["verdict"]);
    // Without the route tables the silence is only probable: --expect is not met on a guess
    // (exit 3), and the report says what would make it certain.
    assert_eq!(r["verdict"]["confidence"], "probable", "{}", r["verdict"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(r["expectation"]["met"].is_null(), "{}", r["expectation"]);
    let why = r["expectation"]["undecided"].as_str().unwrap();
    assert!(
        why.contains("route tables") && why.contains("s3path route"),
        "{why}"
    );
    let ev = r["verdict"]["evidence"].as_array().unwrap();
    assert!(
        ev.iter()
            .any(|e| e["kind"] == "probe"
                && e["detail"].as_str().unwrap().contains("no hop answered")),
        "{ev:?}"
    );
}

#[test]
fn tls_probe_reports_the_validating_store_and_name_mismatches() {
    if skip() {
        return;
    }
    let lab = Lab::new(LabSpec {
        hosts: "127.0.0.1 localhost\n52.218.77.7 s3.eu-west-1.amazonaws.com\n",
        ..LabSpec::default()
    });
    let facts = lab.dir.path().join("tls.json");
    let (code, r, stderr, _) = lab.doctor(
        &[
            "--bucket",
            "app-data",
            "--save-facts",
            facts.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 1, "the mismatch is an error; {stderr}");
    let ids = finding_ids(&r);
    assert!(ids.contains(&"S3P503".to_string()), "{ids:?}");
    assert!(ids.contains(&"S3P504".to_string()), "{ids:?}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&facts).unwrap()).unwrap();
    let tls = saved["probes"]["value"]["tls"].as_array().unwrap();
    let good = tls
        .iter()
        .find(|p| p["server_name"] == "app-data.s3.eu-west-1.amazonaws.com")
        .unwrap();
    assert_eq!(good["outcome"], "verified", "{good}");
    assert!(
        good["validated_by"]
            .as_str()
            .unwrap()
            .starts_with("AWS_CA_BUNDLE="),
        "{good}"
    );
    let bad = tls.iter().find(|p| p["address"] == "52.218.77.7").unwrap();
    assert_eq!(bad["outcome"], "name_mismatch", "{bad}");
}

#[test]
fn a_dropping_address_times_out() {
    if skip() {
        return;
    }
    let lab = Lab::new(LabSpec {
        system_dns: app_data_at("52.218.88.8"),
        ..LabSpec::default()
    });
    let (code, r, _, _) = lab.doctor(&["--bucket", "app-data", "--timeout", "4"], &[]);
    assert_eq!(code, 1);
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "S3P501")
        .expect("S3P501");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("52.218.88.8:443") && msg.contains("timed out"),
        "{msg}"
    );
}
