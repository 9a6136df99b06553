//! Name resolution in the lab: a hosts-file pin, NXDOMAIN and CNAME chains, the system and
//! VPC resolvers disagreeing, and the VPC base + 2 resolver asked when the link-local one is
//! silent.

use serde_json::Value;

use crate::harness::*;

#[test]
fn hosts_file_pin_to_a_relay_in_the_vpc() {
    if skip() {
        return;
    }
    let lab = Lab::new(LabSpec {
        hosts: "127.0.0.1 localhost\n10.0.1.50 app-data.s3.eu-west-1.amazonaws.com\n",
        ..LabSpec::default()
    });
    let (_, r, _, _) = lab.doctor(&["--bucket", "app-data"], &[]);
    let t = target(&r, "app-data.s3.eu-west-1.amazonaws.com");
    assert_eq!(t["answer_source"], "hosts_file");
    assert_eq!(r["verdict"]["path"], "local");
    assert_eq!(r["verdict"]["via"], "10.0.1.50");
    let ids = finding_ids(&r);
    assert!(ids.contains(&"S3P401".to_string()), "{ids:?}");
}

#[test]
fn dns_failures_are_told_apart() {
    if skip() {
        return;
    }
    let mut records = default_records();
    records.retain(|r| !r.contains("app-data.s3.eu-west-1"));
    records.push(
        "--cname=s3.dualstack.eu-west-1.amazonaws.com,s3-r-w.dualstack.eu-west-1.amazonaws.com"
            .to_string(),
    );
    records.retain(|r| !r.starts_with("--host-record=s3.dualstack"));
    records.push("--host-record=s3-r-w.dualstack.eu-west-1.amazonaws.com,52.218.30.1".to_string());
    // Names under amazonaws.com that dnsmasq does not know: NXDOMAIN from a local zone.
    records.push("--local=/amazonaws.com/".to_string());
    let lab = Lab::new(LabSpec {
        system_dns: records,
        ..LabSpec::default()
    });
    let (code, r, _, _) = lab.doctor(
        &["--bucket", "app-data", "--expect", "gateway-endpoint"],
        &[],
    );
    let t = target(&r, "app-data.s3.eu-west-1.amazonaws.com");
    assert_eq!(t["resolution"], "nxdomain", "{t}");
    assert_eq!(r["verdict"]["path"], "unknown");
    // The expectation cannot be decided, but the bucket's requests failed (an error
    // finding): a failure wins over "could not judge" (README, "Exit codes").
    assert!(r["expectation"]["met"].is_null(), "{}", r["expectation"]);
    let errors: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(!errors.is_empty(), "{}", r["findings"]);
    assert_eq!(code, 1, "an error finding ({errors:?}) wins over 3");
    let ds = target(&r, "s3.dualstack.eu-west-1.amazonaws.com");
    assert_eq!(ds["addresses"][0]["address"], "52.218.30.1");
    let ev = ds["decision"]["evidence"][0]["detail"].as_str().unwrap();
    assert!(
        ev.contains("via CNAME s3-r-w.dualstack.eu-west-1.amazonaws.com"),
        "{ev}"
    );
}

#[test]
fn resolver_disagreement_and_refused_connections_are_findings() {
    if skip() {
        return;
    }
    let system = app_data_at("52.218.99.9");
    let mut vpc = default_records();
    vpc.retain(|r| !r.contains("=s3.eu-west-1.amazonaws.com"));
    vpc.push("--host-record=s3.eu-west-1.amazonaws.com,10.0.1.20".to_string());
    let lab = Lab::new(LabSpec {
        system_dns: system,
        vpc_dns: vpc,
        ..LabSpec::default()
    });
    let (code, r, stderr, _) = lab.doctor(&["--bucket", "app-data"], &[]);
    assert_eq!(code, 1, "an error finding exits 1; {stderr}");
    let ids = finding_ids(&r);
    assert!(ids.contains(&"S3P203".to_string()), "{ids:?}");
    assert!(ids.contains(&"S3P501".to_string()), "{ids:?}");
    let find = |id: &str| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap()
            .clone()
    };
    let f = find("S3P501");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("52.218.99.9:443") && msg.contains("was refused"),
        "{f}"
    );
    let f = find("S3P203");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("10.0.1.20 (inside the VPC)"),
        "{f}"
    );
}

#[test]
fn vpc_base_plus_two_is_asked_when_the_link_local_resolver_is_silent() {
    if skip() {
        return;
    }
    let lab = Lab::new(LabSpec {
        vpc_dns: vec![],
        ..LabSpec::default()
    });
    let dir = lab.dir.path().join("f.json");
    lab.doctor(
        &[
            "--bucket",
            "app-data",
            "--save-facts",
            dir.to_str().unwrap(),
        ],
        &[],
    );
    let facts: Value = serde_json::from_str(&std::fs::read_to_string(&dir).unwrap()).unwrap();
    let vpc = facts["vpc_resolver_dns"]["value"].as_array().unwrap();
    assert!(vpc.iter().all(|r| r["resolver"] == "10.0.0.2"), "{vpc:?}");
    assert!(vpc.iter().any(|r| r["status"] == "answered"), "{vpc:?}");
}
