//! Hub-and-spoke: a spoke VPC whose S3 traffic crosses a transit gateway to a hub VPC, built in
//! a real moto_server on loopback by tests/moto/hub.py. moto gaps handled here, never in the
//! product: SearchTransitGatewayRoutes drops each route's attachments (tests/moto/
//! moto_server_patched.py restores them), an attachment keeps showing the default route table
//! after AssociateTransitGatewayRouteTable (hub.py uses the default association), interface
//! endpoint ENI addresses fall outside their subnet (the test answers DNS with them as given).

mod common;

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use s3path::engine::{BlockCause, PathKind};
use s3path::facts::*;
use s3path::gather::context::AwsContext;
use s3path::gather::deadline::Deadline;
use s3path::gather::{ec2, transit};
use s3path::report::{judge, JudgeOptions, PreviewMode};

const REGION: &str = "us-east-1";

/// A patched moto_server of this test's own, with `scenario` built in it.
fn hub(scenario: &str) -> Option<(common::Proc, u16, Value)> {
    hub_with(scenario, "")
}

/// [`hub`], with hub.py's fourth argument (`forward`: a Resolver forwarding rule too).
fn hub_with(scenario: &str, extra: &str) -> Option<(common::Proc, u16, Value)> {
    if common::skip("tests/hub_moto.rs", common::MOTO) {
        return None;
    }
    let port = common::free_port();
    let script = common::moto_path("moto_server_patched.py");
    let proc = common::start(
        &[
            "python3",
            script.to_str().unwrap(),
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ],
        port,
    );
    let topo = common::moto_script("hub.py", &[&port.to_string(), REGION, scenario, extra]);
    Some((proc, port, topo))
}

fn route_cli(port: u16, args: &[&str]) -> (i32, Value, String) {
    route_cli_sts(port, port, args)
}

/// [`route_cli`] with STS (AssumeRole for `--hub-role-arn`) at `sts_port`.
fn route_cli_sts(port: u16, sts_port: u16, args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_s3path"))
        .arg("route")
        .args(args)
        .env("AWS_ENDPOINT_URL_EC2", format!("http://127.0.0.1:{port}"))
        // Route 53's service id is "Route 53": aws-config reads AWS_ENDPOINT_URL_ROUTE_53.
        .env(
            "AWS_ENDPOINT_URL_ROUTE_53",
            format!("http://127.0.0.1:{port}"),
        )
        .env(
            "AWS_ENDPOINT_URL_ROUTE53RESOLVER",
            format!("http://127.0.0.1:{port}"),
        )
        .env(
            "AWS_ENDPOINT_URL_STS",
            format!("http://127.0.0.1:{sts_port}"),
        )
        .envs(common::MOTO_ENV)
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    let text = if json.is_null() {
        stdout
    } else {
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    (out.status.code().unwrap_or(-1), json, text)
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

#[test]
fn a_gateway_endpoint_in_the_hub_cannot_serve_the_spoke() {
    let Some((_moto, port, topo)) = hub("hub-gateway") else {
        return;
    };
    let subnet = s(&topo["spoke_subnet"]);
    let args = [
        "--subnet-id",
        subnet,
        "--region",
        REGION,
        "--format",
        "json",
        "--preview=gate",
    ];
    let (code, r, stderr) = route_cli(port, &args);
    let v = &r["verdict"];
    assert_eq!(v["path"], "transit-gateway", "{v}\n{stderr}");
    assert_eq!(v["via"], topo["tgw"]);
    let hop = &v["hops"][0];
    assert_eq!(hop["path"], "gateway-endpoint", "{v}");
    assert_eq!(hop["via"], topo["endpoint"]);
    assert_eq!(hop["vpc_id"], topo["hub"]);
    assert_eq!(hop["blocked_by"], "not_transitive");
    assert_eq!(hop["route_table"], topo["hub_rtb"]);
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "S3P109")
        .unwrap_or_else(|| panic!("S3P109 in {}", r["findings"]));
    let msg = s(&f["message"]);
    assert!(
        msg.contains(s(&topo["endpoint"])) && msg.contains(s(&topo["hub"])),
        "{msg}"
    );
    let fixes = f["remediation"].to_string();
    assert!(
        fixes.contains(s(&topo["spoke_rtb"])),
        "the spoke's own table: {fixes}"
    );
    assert_eq!(code, 1, "a gated error finding");

    // The human verdict line shows the far end.
    let (_, _, text) = route_cli(port, &["--subnet-id", subnet, "--region", REGION]);
    let far = format!("→ gateway-endpoint {}", s(&topo["endpoint"]));
    assert!(text.contains(&far), "{text}");
}

/// The facts doctor would have on an instance of the spoke whose DNS answers with the hub
/// endpoint's address (a private hosted zone shared with the spoke).
fn spoke_facts(port: u16, topo: &Value, answer: &str) -> Facts {
    // Static test credentials for the signer, never real ones (the same in every test).
    for (k, v) in common::MOTO_ENV {
        std::env::set_var(k, v);
    }
    std::env::remove_var("AWS_PROFILE");
    std::env::set_var(
        "AWS_ENDPOINT_URL_ROUTE_53",
        format!("http://127.0.0.1:{port}"),
    );
    std::env::set_var(
        "AWS_ENDPOINT_URL_ROUTE53RESOLVER",
        format!("http://127.0.0.1:{port}"),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (e, t) = rt.block_on(async {
        let cx = AwsContext::load(REGION, Deadline::after(Duration::from_secs(30))).await;
        let url = format!("http://127.0.0.1:{port}");
        let c = ec2::client(&cx, REGION, Duration::from_secs(10), Some(&url));
        let vpc = s(&topo["spoke"]);
        let e = ec2::gather(&c, REGION, vpc, Duration::from_secs(10)).await;
        let t = transit::gather(
            &c,
            &cx,
            None,
            REGION,
            vpc,
            &e.route_tables,
            Duration::from_secs(10),
        )
        .await;
        (e, t)
    });
    let mut f = Facts::empty(
        Request {
            region: Some(REGION.into()),
            buckets: vec![],
            key: None,
            sdk: None,
        },
        "not part of this test",
    );
    let (v4, v6) = e.vpc_cidrs.get().cloned().expect("DescribeVpcs");
    f.vantage = Observed::collected(Vantage {
        region: Some(REGION.into()),
        availability_zone: Some(format!("{REGION}a")),
        vpc_id: Some(s(&topo["spoke"]).into()),
        subnet_id: Some(s(&topo["spoke_subnet"]).into()),
        vpc_ipv4_cidr_blocks: v4,
        vpc_ipv6_cidr_blocks: v6,
        local_ipv4s: vec!["10.1.1.10".parse().unwrap()],
        ..Vantage::new(VantageKind::Ec2Instance)
    });
    e.apply(&mut f);
    f.transit = t;
    let answer = |host: &str| Resolution {
        host: host.into(),
        status: LookupStatus::Answered,
        source: AnswerSource::Dns,
        addresses: vec![answer.parse().unwrap()],
        cname_chain: vec![],
        ttl: Some(5),
        error: None,
        resolver: Some("10.1.0.2".into()),
    };
    f.dns = Observed::collected(vec![
        answer("s3.us-east-1.amazonaws.com"),
        answer("s3.amazonaws.com"),
        answer("s3.dualstack.us-east-1.amazonaws.com"),
    ]);
    f.client_settings = Observed::collected(ClientSettings::default());
    f
}

fn preview() -> JudgeOptions {
    JudgeOptions {
        preview: PreviewMode::Gate,
        ..JudgeOptions::default()
    }
}

#[test]
fn the_hubs_interface_endpoint_is_named_as_the_far_end() {
    let Some((_moto, port, topo)) = hub("hub-interface") else {
        return;
    };
    let ip = s(&topo["endpoint_ips"][0]).to_string();
    let f = spoke_facts(port, &topo, &ip);
    let t = f.transit.get().expect("transit collected");
    assert_eq!(t.hubs.len(), 1, "{t:?}");
    assert_eq!(t.hubs[0].vpc_id, s(&topo["hub"]));
    let r = judge(&f, &preview());
    assert_eq!(r.verdict.path, PathKind::TransitGateway);
    let hop = r.verdict.hops.first().expect("a hop");
    assert_eq!(hop.path, PathKind::InterfaceEndpoint, "{hop:?}");
    assert_eq!(hop.via.as_deref(), Some(s(&topo["endpoint"])));
    assert_eq!(hop.vpc_id.as_deref(), Some(s(&topo["hub"])));
    assert!(
        r.verdict.summary.contains(s(&topo["endpoint"])),
        "{}",
        r.verdict.summary
    );
    let ids: Vec<&str> = r.findings.iter().map(|f| f.id.as_ref()).collect();
    assert!(!ids.contains(&"S3P304"), "the SG allows the spoke: {ids:?}");
    assert!(!ids.contains(&"S3P109"), "{ids:?}");

    // A public address instead (no private hosted zone): the hub's default route, its NAT.
    let f = spoke_facts(port, &topo, "52.216.8.8");
    let r = judge(&f, &preview());
    let hop = r.verdict.hops.first().expect("a hop");
    assert_eq!(hop.path, PathKind::NatGateway, "{hop:?}");
    assert_eq!(hop.via.as_deref(), Some(s(&topo["nat"])));
}

#[test]
fn a_hub_endpoint_whose_security_group_ignores_the_spoke_is_found() {
    let Some((_moto, port, topo)) = hub("hub-interface-closed") else {
        return;
    };
    let ip = s(&topo["endpoint_ips"][0]).to_string();
    let r = judge(&spoke_facts(port, &topo, &ip), &preview());
    let f = r
        .findings
        .iter()
        .find(|f| f.id == "S3P304")
        .unwrap_or_else(|| panic!("S3P304 in {:?}", r.findings));
    assert!(f.message.contains(s(&topo["endpoint_sg"])), "{}", f.message);
    assert!(f.message.contains("10.1.1.10"), "{}", f.message);
    assert!(
        f.remediation
            .iter()
            .any(|x| x.contains("--cidr 10.1.0.0/16")),
        "{:?}",
        f.remediation
    );
    assert_eq!(r.exit_code, 1);
}

#[test]
fn an_unassociated_or_unreadable_far_side_is_never_guessed() {
    let Some((_moto, port, topo)) = hub("hub-gateway") else {
        return;
    };
    let mut f = spoke_facts(port, &topo, "52.216.8.8");
    // The spoke's attachment associated with no table: dropped by the transit gateway.
    if let Observed::Collected { value } = &mut f.transit {
        for a in &mut value.attachments {
            a.route_table_id = None;
        }
    }
    let r = judge(&f, &preview());
    let hop = r.verdict.hops.first().expect("a hop");
    assert_eq!(hop.path, PathKind::Blocked, "{hop:?}");
    assert_eq!(hop.blocked_by, Some(BlockCause::NoRoute));
    // The far side could not be read: one unknown hop that says why, no guess.
    f.transit = Observed::failed("ec2:SearchTransitGatewayRoutes: AccessDenied");
    let r = judge(&f, &preview());
    let hop = r.verdict.hops.first().expect("a hop");
    assert_eq!(hop.path, PathKind::Unknown);
    assert!(hop.reason.as_deref().unwrap_or("").contains("AccessDenied"));
    assert!(!r.findings.iter().any(|f| f.id == "S3P109"));
}

#[test]
fn route_follows_the_spokes_private_zone_to_the_hubs_interface_endpoint() {
    let Some((_moto, port, topo)) = hub("hub-interface") else {
        return;
    };
    let subnet = s(&topo["spoke_subnet"]);
    let args = [
        "--subnet-id",
        subnet,
        "--region",
        REGION,
        "--format",
        "json",
    ];
    let (_, r, stderr) = route_cli(port, &args);
    let v = &r["verdict"];
    assert_eq!(v["path"], "transit-gateway", "{v}\n{stderr}");
    let hop = &v["hops"][0];
    assert_eq!(hop["path"], "interface-endpoint", "{v}");
    assert_eq!(hop["via"], topo["endpoint"]);
    assert_eq!(hop["vpc_id"], topo["hub"]);
    // The evidence names the zone and the record that make the name resolve there.
    let dns = v["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "dns")
        .map(|e| s(&e["detail"]).to_string())
        .unwrap_or_default();
    for part in [
        s(&topo["zone"]),
        s(&topo["endpoint_dns"]),
        s(&topo["endpoint"]),
    ] {
        assert!(dns.contains(part), "{part} in {dns}");
    }
    // The far end is named with its security group and its policy.
    let all = v["evidence"].to_string();
    assert!(all.contains(s(&topo["endpoint_sg"])), "{all}");
    assert!(all.contains("its policy allows everything"), "{all}");
    // The endpoint's address is the one the zone leads to.
    let ip = s(&topo["endpoint_ips"][0]);
    assert!(dns.contains(ip), "{dns}");
    // Names outside the zone (the legacy global name) answer publicly: the hub's NAT.
    let global = r["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["host"] == "s3.amazonaws.com")
        .unwrap_or_else(|| panic!("{}", r["targets"]));
    assert!(global.to_string().contains(s(&topo["nat"])), "{global}");
}

#[test]
fn the_private_zone_and_its_records_are_gathered_for_the_spoke() {
    let Some((_moto, port, topo)) = hub("hub-interface") else {
        return;
    };
    let ip = s(&topo["endpoint_ips"][0]).to_string();
    let f = spoke_facts(port, &topo, &ip);
    let d = f
        .transit
        .get()
        .unwrap()
        .private_dns
        .get()
        .expect("zones read");
    let zones = d.hosted_zones.get().expect("ListHostedZonesByVPC");
    assert_eq!(zones.len(), 1, "{zones:?}");
    assert_eq!(zones[0].id, s(&topo["zone"]));
    assert_eq!(zones[0].name, "s3.us-east-1.amazonaws.com");
    let recs = zones[0].records.get().expect("ListResourceRecordSets");
    let names: Vec<&str> = recs.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["s3.us-east-1.amazonaws.com", "*.s3.us-east-1.amazonaws.com"],
        "A/alias records only, no NS/SOA"
    );
    assert!(recs
        .iter()
        .all(|r| r.alias_target.as_deref() == Some(s(&topo["endpoint_dns"]))));
    assert_eq!(d.resolver_rules.get().map(Vec::len), Some(0));
    f.check_limits().unwrap();
    // The facts round-trip through a facts file.
    let text = serde_json::to_string(&f).unwrap();
    let back: Facts = serde_json::from_str(&text).unwrap();
    assert_eq!(back.transit, f.transit);
}

#[test]
fn a_forwarding_rule_leaves_the_answer_to_its_forwarder() {
    let Some((_moto, port, topo)) = hub_with("hub-interface", "forward") else {
        return;
    };
    let subnet = s(&topo["spoke_subnet"]);
    let args = [
        "--subnet-id",
        subnet,
        "--region",
        REGION,
        "--format",
        "json",
    ];
    let (code, r, stderr) = route_cli(port, &args);
    let v = &r["verdict"];
    // The rule wins over the zone of the same name: nothing is derived, the rule is named.
    assert_eq!(v["path"], "unknown", "{v}\n{stderr}");
    let why = v.to_string();
    assert!(why.contains(s(&topo["rule"])), "{why}");
    assert!(why.contains("192.168.0.53"), "{why}");
    assert!(!why.contains(s(&topo["endpoint"])), "never guessed: {why}");
    // A gate cannot pass on it.
    let mut gated = args.to_vec();
    gated.extend(["--expect", "interface-endpoint"]);
    let (code_gated, _, _) = route_cli(port, &gated);
    assert_eq!(code_gated, 3, "undetermined against --expect");
    assert_eq!(code, 3, "nothing could be judged");
}

/// The spoke's facts as doctor has them for `bucket`, whose name resolves (through the shared
/// zone) to the hub endpoint's address.
fn spoke_facts_for_bucket(port: u16, topo: &Value, bucket: &str) -> Facts {
    let ip = s(&topo["endpoint_ips"][0]).to_string();
    let mut f = spoke_facts(port, topo, &ip);
    f.request.buckets = vec![bucket.to_string()];
    if let Observed::Collected { value } = &mut f.dns {
        let mut r = value[0].clone();
        r.host = format!("{bucket}.s3.{REGION}.amazonaws.com");
        value.push(r);
    }
    f.buckets = Observed::collected(vec![BucketFacts {
        name: bucket.to_string(),
        region: Observed::collected(REGION.to_string()),
        requests: vec![],
        bucket_policy: Observed::not_collected("not part of this test"),
        requests_from: RequestsFrom::default(),
    }]);
    f
}

#[test]
fn the_hub_endpoints_policy_and_private_dns_are_judged_like_a_local_endpoints() {
    let Some((_moto, port, topo)) = hub_with("hub-interface", "policy") else {
        return;
    };
    let ep = s(&topo["endpoint"]);
    // A bucket the hub endpoint's policy does not allow: S3P604 names the hub endpoint.
    let r = judge(
        &spoke_facts_for_bucket(port, &topo, "denied-bucket"),
        &preview(),
    );
    assert_eq!(r.verdict.path, PathKind::TransitGateway);
    assert_eq!(
        r.verdict.hops.last().and_then(|h| h.via.as_deref()),
        Some(ep)
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.id == "S3P604")
        .unwrap_or_else(|| panic!("S3P604 in {:?}", r.findings));
    assert!(
        f.message.contains(ep) && f.message.contains("denied-bucket"),
        "{}",
        f.message
    );
    let far = format!("{:?}", r.verdict.evidence);
    assert!(far.contains("its policy restricts"), "{far}");
    // Private DNS on, on a centralised endpoint: S3P305 (info) says the zone must be shared.
    let info = r
        .findings
        .iter()
        .find(|f| f.id == "S3P305")
        .unwrap_or_else(|| panic!("S3P305 in {:?}", r.findings));
    assert!(info.message.contains(ep) && info.message.contains(s(&topo["hub"])));
    // The bucket the policy allows: no S3P604.
    let r = judge(
        &spoke_facts_for_bucket(port, &topo, "allowed-bucket"),
        &preview(),
    );
    assert!(
        !r.findings.iter().any(|f| f.id == "S3P604"),
        "{:?}",
        r.findings
    );
}

#[test]
fn the_far_side_is_read_with_the_hub_role() {
    let Some((_moto, port, topo)) = hub("hub-interface") else {
        return;
    };
    let subnet = s(&topo["spoke_subnet"]);
    let role = "arn:aws:iam::123456789012:role/s3path-hub-read";
    let args = [
        "--subnet-id",
        subnet,
        "--region",
        REGION,
        "--format",
        "json",
        "--hub-role-arn",
        role,
    ];
    // moto's STS answers AssumeRole: the far side is read with the role's credentials.
    let (_, r, stderr) = route_cli(port, &args);
    let hop = &r["verdict"]["hops"][0];
    assert_eq!(hop["path"], "interface-endpoint", "{r}\n{stderr}");
    assert_eq!(hop["via"], topo["endpoint"]);
    // STS unreachable: the role cannot be assumed, so the far side is not read (the spoke's
    // own side still is) and the hop says so; nothing is guessed.
    let closed = common::free_port();
    let (code, r, stderr) = route_cli_sts(port, closed, &args);
    let v = &r["verdict"];
    assert_eq!(v["path"], "transit-gateway", "{v}\n{stderr}");
    assert_eq!(v["hops"][0]["path"], "unknown", "{v}");
    let why = v["hops"][0]["reason"].as_str().unwrap_or_default();
    assert!(
        why.contains(&format!("the hub role {role} could not be assumed")),
        "{why}"
    );
    assert!(!v.to_string().contains(s(&topo["endpoint"])), "{v}");
    assert_eq!(code, 0, "the first hop is still judged");
    // A malformed role: one line, exit 2.
    let out = Command::new(env!("CARGO_BIN_EXE_s3path"))
        .args(["route", "--subnet-id", subnet, "--region", REGION])
        .args(["--hub-role-arn", "arn:aws:iam::12:user/x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--hub-role-arn") && err.lines().count() == 1,
        "{err}"
    );
}
