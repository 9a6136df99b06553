//! The EC2 gatherer against a real moto_server on loopback (one server per test binary,
//! started here; `.ci/run` installs moto[server]). Topologies are built through the EC2 API by
//! tests/moto/topology.py. Known moto gaps handled here, never in the product: AWS-managed
//! prefix lists come back without CIDRs (the test supplies the S3 list's entries), interface
//! endpoint ENI addresses fall outside their subnet, DnsEntries are not real-format.

mod common;

use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use s3path::engine::{Confidence, PathKind};
use s3path::facts::*;
use s3path::gather::context::AwsContext;
use s3path::gather::deadline::Deadline;
use s3path::gather::ec2;
use s3path::report::{judge, JudgeOptions};

const REGION: &str = "eu-west-1";

struct Server {
    port: u16,
    _proc: common::Proc,
}

use common::free_port;

fn moto() -> &'static Server {
    static MOTO: OnceLock<Server> = OnceLock::new();
    MOTO.get_or_init(|| {
        // Static test credentials for the SDK's signer; never real ones.
        std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
        std::env::remove_var("AWS_SESSION_TOKEN");
        std::env::remove_var("AWS_PROFILE");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        let (proc, port) = common::moto_server();
        Server { port, _proc: proc }
    })
}

/// tests/moto/topology.py's `scenario` in [`REGION`] of this binary's moto.
fn topology(scenario: &str) -> Value {
    common::topology_in(moto().port, REGION, scenario)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The run's AWS context, as the gather entry points build it.
async fn context(region: &str) -> AwsContext {
    AwsContext::load(region, Deadline::after(Duration::from_secs(30))).await
}

fn gather(endpoint: &str, vpc: &str) -> ec2::Ec2Facts {
    rt().block_on(async {
        let c = ec2::client(
            &context(REGION).await,
            REGION,
            Duration::from_secs(10),
            Some(endpoint),
        );
        ec2::gather(&c, REGION, vpc, Duration::from_secs(10)).await
    })
}

/// A DNS answer from the VPC resolver (10.0.0.2).
fn answer(host: &str, ip: &str) -> Resolution {
    Resolution {
        host: host.into(),
        status: LookupStatus::Answered,
        source: AnswerSource::Dns,
        addresses: vec![ip.parse().unwrap()],
        cname_chain: vec![],
        ttl: Some(5),
        error: None,
        resolver: Some("10.0.0.2".into()),
    }
}

/// Facts as doctor would assemble them: the vantage in the topology's subnet, the EC2 facts
/// from moto, and DNS answers given by the test.
fn facts(topo: &Value, ec2: ec2::Ec2Facts, bucket_addr: &str) -> Facts {
    let mut f = Facts::empty(
        Request {
            region: Some(REGION.into()),
            buckets: vec!["app-data".into()],
            key: None,
            sdk: None,
        },
        "not part of this test",
    );
    let (v4, v6) = ec2.vpc_cidrs.get().cloned().expect("DescribeVpcs");
    f.vantage = Observed::collected(Vantage {
        kind: VantageKind::Ec2Instance,
        instance_id: Some("i-0moto".into()),
        task_arn: None,
        region: Some(REGION.into()),
        availability_zone: Some(format!("{REGION}a")),
        vpc_id: topo["vpc"].as_str().map(str::to_string),
        subnet_id: topo["subnet"].as_str().map(str::to_string),
        vpc_ipv4_cidr_blocks: v4,
        vpc_ipv6_cidr_blocks: v6,
        local_ipv4s: vec!["10.0.1.10".parse().unwrap()],
        public_ipv4s: vec![],
        ipv6s: vec![],
        security_group_ids: vec![],
        account_id: None,
    });
    f.route_tables = ec2.route_tables;
    f.vpc_endpoints = ec2.vpc_endpoints;
    f.vpc_dns_attributes = ec2.vpc_dns_attributes;
    f.nat_gateways = ec2.nat_gateways;
    f.security_groups = ec2.security_groups;
    f.network_acls = ec2.network_acls;
    f.internet_gateways = ec2.internet_gateways;
    // moto gives every region's S3 list the same entries (us-east-1-like 52.216.0.0/15, …);
    // the tests use eu-west-1's real ranges, so other regions' addresses fall outside it.
    let mut lists = ec2
        .prefix_lists
        .get()
        .cloned()
        .expect("GetManagedPrefixListEntries");
    let s3_pl = topo["s3_prefix_list"].as_str().unwrap();
    let pl = lists
        .iter_mut()
        .find(|l| l.id == s3_pl)
        .expect("the S3 prefix list");
    assert!(pl.name.as_deref().is_some_and(|n| n.ends_with(".s3")));
    pl.cidrs = vec![
        "52.218.0.0/17".parse().unwrap(),
        "3.5.64.0/21".parse().unwrap(),
    ];
    f.prefix_lists = Observed::collected(lists);
    f.dns = Observed::collected(vec![
        answer("app-data.s3.eu-west-1.amazonaws.com", bucket_addr),
        answer("s3.eu-west-1.amazonaws.com", "52.218.10.5"),
        answer("s3.dualstack.eu-west-1.amazonaws.com", "52.218.30.1"),
        answer("s3.amazonaws.com", "52.217.1.1"),
        answer("app-data.s3.amazonaws.com", "52.217.2.2"),
    ]);
    f.client_settings = Observed::collected(ClientSettings::default());
    f
}

fn url() -> String {
    format!("http://127.0.0.1:{}", moto().port)
}

fn ids(r: &s3path::report::Report) -> Vec<&str> {
    r.findings.iter().map(|f| f.id.as_ref()).collect()
}

#[test]
fn nat_only_subnet() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let topo = topology("nat-only");
    let e = gather(&url(), topo["vpc"].as_str().unwrap());
    let tables = e.route_tables.get().expect("route tables");
    assert_eq!(tables.len(), 3, "main, private, public");
    let r = judge(&facts(&topo, e, "52.218.20.7"), &JudgeOptions::default());
    assert_eq!(
        r.verdict.path,
        PathKind::NatGateway,
        "{}",
        r.verdict.summary
    );
    assert_eq!(r.verdict.via.as_deref(), topo["nat"].as_str());
    assert_eq!(
        r.verdict.route_table.as_deref(),
        topo["private_rtb"].as_str()
    );
    assert!(ids(&r).contains(&"S3P103"));
}

#[test]
fn gateway_endpoint_on_the_subnets_table() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let topo = topology("gateway-endpoint");
    let e = gather(&url(), topo["vpc"].as_str().unwrap());
    let eps = e.vpc_endpoints.get().expect("endpoints");
    let gw = eps
        .iter()
        .find(|x| Some(x.id.as_str()) == topo["gateway_endpoint"].as_str())
        .unwrap();
    assert_eq!(gw.endpoint_type, EndpointType::Gateway);
    assert_eq!(gw.route_table_ids, [topo["private_rtb"].as_str().unwrap()]);
    let r = judge(&facts(&topo, e, "52.218.20.7"), &JudgeOptions::default());
    assert_eq!(
        r.verdict.path,
        PathKind::GatewayEndpoint,
        "{}",
        r.verdict.summary
    );
    assert_eq!(r.verdict.via.as_deref(), topo["gateway_endpoint"].as_str());
    assert!(!ids(&r).contains(&"S3P103"));
}

#[test]
fn main_table_fallback() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let topo = topology("main-table-fallback");
    let e = gather(&url(), topo["vpc"].as_str().unwrap());
    let r = judge(&facts(&topo, e, "52.218.20.7"), &JudgeOptions::default());
    assert_eq!(
        r.verdict.path,
        PathKind::NatGateway,
        "{}",
        r.verdict.summary
    );
    assert_eq!(r.verdict.route_table.as_deref(), topo["main_rtb"].as_str());
    assert!(ids(&r).contains(&"S3P102"), "{:?}", ids(&r));
}

#[test]
fn interface_endpoint_enis_are_found() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let topo = topology("interface-endpoint");
    let e = gather(&url(), topo["vpc"].as_str().unwrap());
    let eps = e.vpc_endpoints.get().expect("endpoints");
    let ie = eps
        .iter()
        .find(|x| Some(x.id.as_str()) == topo["interface_endpoint"].as_str())
        .unwrap();
    assert_eq!(ie.endpoint_type, EndpointType::Interface);
    let ip = topo["interface_ip"].as_str().unwrap();
    assert_eq!(
        ie.network_interfaces[0]
            .private_ipv4
            .map(|a| a.to_string())
            .as_deref(),
        Some(ip)
    );
    let r = judge(&facts(&topo, e, ip), &JudgeOptions::default());
    assert_eq!(
        r.verdict.path,
        PathKind::InterfaceEndpoint,
        "{}",
        r.verdict.summary
    );
    assert_eq!(
        r.verdict.via.as_deref(),
        topo["interface_endpoint"].as_str()
    );
    // The regional name still resolves publicly: private DNS is off.
    assert!(ids(&r).contains(&"S3P201"), "{:?}", ids(&r));
}

/// A loopback stub that answers every EC2 call with UnauthorizedOperation.
fn deny_stub() -> (u16, common::Proc) {
    let port = free_port();
    let code = r#"
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>1</RequestID></Response>'
        self.send_response(403); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;
    let stub = common::start(&["python3", "-c", code, &port.to_string()], port);
    (port, stub)
}

#[test]
fn denied_calls_fail_with_the_missing_action_and_the_rest_is_still_judged() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let _ = moto(); // credentials in the environment
    let (port, stub) = deny_stub();
    let e = gather(&format!("http://127.0.0.1:{port}"), "vpc-0denied");
    drop(stub);
    for (part, action) in [
        (e.route_tables.missing_reason(), "ec2:DescribeRouteTables"),
        (e.vpc_endpoints.missing_reason(), "ec2:DescribeVpcEndpoints"),
        (
            e.prefix_lists.missing_reason(),
            "ec2:DescribeManagedPrefixLists",
        ),
        (
            e.vpc_dns_attributes.missing_reason(),
            "ec2:DescribeVpcAttribute",
        ),
        (e.vpc_cidrs.missing_reason(), "ec2:DescribeVpcs"),
        (e.nat_gateways.missing_reason(), "ec2:DescribeNatGateways"),
        (
            e.security_groups.missing_reason(),
            "ec2:DescribeSecurityGroups",
        ),
        (e.network_acls.missing_reason(), "ec2:DescribeNetworkAcls"),
        (e.dhcp_dns_servers.missing_reason(), "ec2:DescribeVpcs"),
    ] {
        let why = part.expect("failed");
        assert!(
            why.contains("UnauthorizedOperation") && why.contains(action),
            "{why}"
        );
    }
    let mut f = Facts::empty(
        Request {
            region: Some(REGION.into()),
            buckets: vec![],
            key: None,
            sdk: None,
        },
        "not part of this test",
    );
    f.route_tables = e.route_tables;
    f.dns = Observed::collected(vec![]);
    let r = judge(&f, &JudgeOptions::default());
    assert_eq!(r.verdict.path, PathKind::Unknown);
}

/// Starts tests/moto/proxy.py in front of moto; returns its port, its process and the log.
fn recording_proxy(
    throttle: u32,
    deny: Option<&str>,
) -> (u16, common::Proc, tempfile::NamedTempFile) {
    let port = free_port();
    let log = tempfile::NamedTempFile::new().unwrap();
    let script = common::moto_path("proxy.py");
    let (port_arg, moto_arg, throttle_arg) = (
        port.to_string(),
        moto().port.to_string(),
        throttle.to_string(),
    );
    let mut cmd = vec![
        "python3",
        script.to_str().unwrap(),
        &port_arg,
        &moto_arg,
        log.path().to_str().unwrap(),
        "--throttle",
        &throttle_arg,
    ];
    cmd.extend(deny.map(|a| ["--deny", a]).into_iter().flatten());
    (port, common::start(&cmd, port), log)
}

/// [`gather`] of `vpc` through a [`recording_proxy`], stopped once the gather is done: the
/// facts and the proxy's log (one action a line).
fn gather_recorded(
    throttle: u32,
    deny: Option<&str>,
    vpc: &str,
) -> (ec2::Ec2Facts, tempfile::NamedTempFile) {
    let (port, proxy, log) = recording_proxy(throttle, deny);
    let e = gather(&format!("http://127.0.0.1:{port}"), vpc);
    drop(proxy);
    (e, log)
}

#[test]
fn only_describe_actions_reach_the_api_and_calls_do_not_grow_with_routes() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let topo = topology("both");
    let (e, log) = gather_recorded(0, None, topo["vpc"].as_str().unwrap());
    assert!(e.route_tables.get().is_some() && e.vpc_endpoints.get().is_some());
    let actions: Vec<String> = std::fs::read_to_string(log.path())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert!(!actions.is_empty());
    for a in &actions {
        assert!(
            a.starts_with("Describe") || a.starts_with("Get"),
            "non-read action {a}"
        );
        assert!(
            ec2::ACTIONS.contains(&format!("ec2:{a}").as_str()),
            "{a} is not in docs/iam-policy.json"
        );
    }
    // Route tables, endpoints, ENIs, managed prefix lists, the entries of the one list the
    // routes name (the S3 list), the internet gateways the routes name, two VPC attributes,
    // VPCs, NAT gateways, security groups, network ACLs: 12 calls (DescribeDhcpOptions only
    // when the VPC has a DHCP options set; moto's VPCs report `default`, meaning none). The
    // entries are one call per distinct list named, never per route or table.
    assert_eq!(actions.len(), 12, "{actions:?}");
}

#[test]
fn throttling_is_retried() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let topo = topology("gateway-endpoint");
    let (e, log) = gather_recorded(2, None, topo["vpc"].as_str().unwrap());
    for (part, ok) in [
        ("route tables", e.route_tables.get().is_some()),
        ("endpoints", e.vpc_endpoints.get().is_some()),
        ("prefix lists", e.prefix_lists.get().is_some()),
        ("DNS attributes", e.vpc_dns_attributes.get().is_some()),
        ("CIDRs", e.vpc_cidrs.get().is_some()),
    ] {
        assert!(ok, "{part} not collected after throttling");
    }
    let calls = std::fs::read_to_string(log.path()).unwrap().lines().count();
    // Eleven calls (no interface endpoint, so no DescribeNetworkInterfaces; no DHCP options
    // set), plus one retry for each of the two throttled ones.
    assert_eq!(calls, 11 + 2, "two throttled calls were retried once each");
}

fn route_cli(args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_s3path"))
        .arg("route")
        .args(args)
        .env("AWS_ENDPOINT_URL_EC2", url())
        .envs(common::MOTO_ENV)
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

#[test]
fn route_command_judges_a_subnet_from_the_control_plane() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let topo = topology("interface-private-dns");
    let subnet = topo["subnet"].as_str().unwrap();
    let (code, r, stderr) = route_cli(&[
        "--subnet-id",
        subnet,
        "--region",
        REGION,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(r["vantage"]["kind"], "subnet");
    assert_eq!(r["vantage"]["vpc_id"], topo["vpc"]);
    assert_eq!(
        r["verdict"]["path"], "interface-endpoint",
        "{}",
        r["verdict"]
    );
    assert_eq!(r["verdict"]["via"], topo["interface_endpoint"]);
    let probes = r["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["part"] == "probes")
        .unwrap();
    assert_eq!(probes["status"], "not_collected");
    let (code, _, _) = route_cli(&[
        "--subnet-id",
        subnet,
        "--region",
        REGION,
        "--format",
        "json",
        "--expect",
        "gateway-endpoint",
    ]);
    assert_eq!(code, 1, "expectation not met");
}

#[test]
fn route_command_rejects_bad_ids_and_reports_unknown_subnets() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let (code, _, stderr) = route_cli(&["--subnet-id", "sub-123", "--region", REGION]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--subnet-id 'sub-123'"), "{stderr}");
    let (code, r, stderr) = route_cli(&[
        "--subnet-id",
        "subnet-0123456789abcdef0",
        "--region",
        REGION,
        "--format",
        "json",
        "--expect",
        "gateway-endpoint",
    ]);
    assert_eq!(code, 3, "unknown verdict with --expect; {stderr}");
    let v = r["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["part"] == "vantage")
        .unwrap();
    assert_eq!(v["status"], "failed", "{v}");
}

#[test]
fn security_groups_and_network_acls_are_gathered_and_judged() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let topo = topology("locked-down");
    let e = gather(&url(), topo["vpc"].as_str().unwrap());
    let groups = e.security_groups.get().expect("security groups");
    let sg = groups
        .iter()
        .find(|g| Some(g.id.as_str()) == topo["app_sg"].as_str())
        .unwrap();
    assert_eq!(sg.egress.len(), 1, "{sg:?}");
    let acls = e.network_acls.get().expect("network ACLs");
    let acl = acls
        .iter()
        .find(|a| Some(a.id.as_str()) == topo["acl"].as_str())
        .unwrap();
    assert!(acl
        .subnet_ids
        .iter()
        .any(|s| Some(s.as_str()) == topo["subnet"].as_str()));
    let servers = e.dhcp_dns_servers.get().expect("DHCP options");
    assert_eq!(servers, &["AmazonProvidedDNS".to_string()]);
    let nats = e.nat_gateways.get().expect("NAT gateways");
    assert!(nats
        .iter()
        .any(|n| Some(n.id.as_str()) == topo["nat"].as_str()));
    let mut f = facts(&topo, e, "52.218.20.7");
    if let Observed::Collected { value } = &mut f.vantage {
        value.security_group_ids = vec![topo["app_sg"].as_str().unwrap().to_string()];
    }
    let r = judge(&f, &JudgeOptions::default());
    assert_eq!(
        r.verdict.path,
        PathKind::GatewayEndpoint,
        "{}",
        r.verdict.summary
    );
    let found = ids(&r);
    assert!(found.contains(&"S3P107"), "{found:?}");
    assert!(found.contains(&"S3P108"), "{found:?}");
}

/// Benchmark, not a check: `cargo test --release --test ec2_moto -- --ignored --nocapture bench`.
/// A VPC with 200 route tables and 50 endpoints in moto on loopback: s3path's gather (wall time
/// and API calls, through the recording proxy) against the same facts fetched by the
/// equivalent sequence of `aws ec2 describe-*` commands.
#[test]
#[ignore]
fn bench_gather_against_the_aws_cli() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let script = common::moto_path("big.py");
    let built = Instant::now();
    let out = Command::new("python3")
        .arg(script)
        .args([&moto().port.to_string(), REGION])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let topo: Value = serde_json::from_slice(&out.stdout).unwrap();
    println!("built the VPC in {:.1} s", built.elapsed().as_secs_f64());
    let vpc = topo["vpc"].as_str().unwrap();
    let (port, proxy, log) = recording_proxy(0, None);
    let endpoint = format!("http://127.0.0.1:{port}");
    let mut ours = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let e = gather(&endpoint, vpc);
        ours.push(t.elapsed());
        assert_eq!(e.route_tables.get().unwrap().len(), 200);
        assert_eq!(e.vpc_endpoints.get().unwrap().len(), 50);
    }
    let calls = std::fs::read_to_string(log.path()).unwrap().lines().count() / 5;
    assert_eq!(calls, 10);
    drop(proxy);
    ours.sort();
    let filter = format!("Name=vpc-id,Values={vpc}");
    let commands: Vec<Vec<String>> = vec![
        vec![
            "describe-route-tables".into(),
            "--filters".into(),
            filter.clone(),
        ],
        vec![
            "describe-vpc-endpoints".into(),
            "--filters".into(),
            filter.clone(),
        ],
        vec![
            "describe-network-interfaces".into(),
            "--filters".into(),
            filter.clone(),
        ],
        vec!["describe-prefix-lists".into()],
        vec![
            "describe-vpc-attribute".into(),
            "--vpc-id".into(),
            vpc.into(),
            "--attribute".into(),
            "enableDnsSupport".into(),
        ],
        vec![
            "describe-vpc-attribute".into(),
            "--vpc-id".into(),
            vpc.into(),
            "--attribute".into(),
            "enableDnsHostnames".into(),
        ],
        vec!["describe-vpcs".into(), "--vpc-ids".into(), vpc.into()],
        vec![
            "describe-nat-gateways".into(),
            "--filter".into(),
            filter.clone(),
        ],
        vec![
            "describe-security-groups".into(),
            "--filters".into(),
            filter.clone(),
        ],
        vec!["describe-network-acls".into(), "--filters".into(), filter],
    ];
    let mut cli = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        for c in &commands {
            let out = Command::new("aws")
                .arg("ec2")
                .args(c)
                .args([
                    "--region",
                    REGION,
                    "--endpoint-url",
                    &url(),
                    "--output",
                    "json",
                ])
                .output()
                .expect("aws CLI");
            assert!(
                out.status.success(),
                "aws ec2 {c:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        cli.push(t.elapsed());
    }
    cli.sort();
    let version = Command::new("aws").arg("--version").output().unwrap();
    let v = String::from_utf8_lossy(&version.stdout).to_string()
        + &String::from_utf8_lossy(&version.stderr);
    println!(
        "s3path gather: median {:.0} ms over 5 runs, {calls} API calls; {} aws ec2 commands ({}): median {:.0} ms over 3 runs; ratio {:.1}x",
        ours[2].as_secs_f64() * 1e3,
        commands.len(),
        v.trim(),
        cli[1].as_secs_f64() * 1e3,
        cli[1].as_secs_f64() / ours[2].as_secs_f64()
    );
}

#[test]
fn one_denied_call_fails_alone_and_is_reported_with_its_action() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let topo = topology("gateway-endpoint");
    let vpc = topo["vpc"].as_str().unwrap();
    let (e, _log) = gather_recorded(0, Some("DescribeRouteTables"), vpc);
    let why = e
        .route_tables
        .missing_reason()
        .expect("route tables denied");
    assert!(why.contains("ec2:DescribeRouteTables"), "{why}");
    assert!(e.vpc_endpoints.get().is_some() && e.security_groups.get().is_some());
    let r = judge(&facts(&topo, e, "52.218.20.7"), &JudgeOptions::default());
    // Without routes the path is unknown, but the rest is still judged and the missing
    // permission is a finding with the policy fix.
    assert_eq!(r.verdict.path, PathKind::Unknown);
    let f = r
        .findings
        .iter()
        .find(|f| f.id == "S3P003")
        .expect("S3P003");
    assert!(
        f.message.contains("ec2:DescribeRouteTables"),
        "{}",
        f.message
    );
    assert!(r
        .checks
        .iter()
        .any(|c| c.id == "S3P302" && c.status == s3path::report::CheckStatus::Pass));
}

#[test]
fn endpoint_with_enis_in_another_az_only() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let topo = topology("endpoint-other-az");
    let e = gather(&url(), topo["vpc"].as_str().unwrap());
    let ip = topo["interface_ip"].as_str().unwrap().to_string();
    let r = judge(&facts(&topo, e, &ip), &JudgeOptions::default());
    assert_eq!(
        r.verdict.path,
        PathKind::InterfaceEndpoint,
        "{}",
        r.verdict.summary
    );
    assert!(ids(&r).contains(&"S3P303"), "{:?}", ids(&r));
}

#[test]
fn a_deleted_nat_gateway_is_reported() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let topo = topology("deleted-nat");
    let e = gather(&url(), topo["vpc"].as_str().unwrap());
    let r = judge(&facts(&topo, e, "52.218.20.7"), &JudgeOptions::default());
    // moto keeps the route active (AWS would mark it blackhole, see the blackhole-nat
    // scenario); the NAT gateway's own state gives it away: the traffic goes nowhere.
    assert_eq!(r.verdict.path, PathKind::Blocked, "{}", r.verdict.summary);
    assert_eq!(
        r.verdict.via.as_deref(),
        Some(topo["nat"].as_str().unwrap()),
        "{}",
        r.verdict.summary
    );
    assert!(
        r.verdict.summary.contains("deleted"),
        "{}",
        r.verdict.summary
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.id == "S3P106")
        .expect("S3P106");
    assert!(f.message.contains("deleted"), "{}", f.message);
}

#[test]
fn a_customer_prefix_list_to_a_transit_gateway_beats_the_nat_default_route() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let topo = topology("customer-list-tgw");
    let e = gather(&url(), topo["vpc"].as_str().unwrap());
    let pl = topo["customer_prefix_list"].as_str().unwrap();
    let list = e
        .prefix_lists
        .get()
        .expect("prefix lists")
        .iter()
        .find(|l| l.id == pl)
        .expect("the customer list is read, not only AWS's")
        .clone();
    assert_eq!(list.name.as_deref(), Some("corp-s3-ranges"));
    assert_eq!(list.cidrs.len(), 2, "{list:?}");
    let r = judge(&facts(&topo, e, "52.218.20.7"), &JudgeOptions::default());
    assert_eq!(
        r.verdict.path,
        PathKind::TransitGateway,
        "{}",
        r.verdict.summary
    );
    assert_eq!(r.verdict.via.as_deref(), topo["tgw"].as_str());
    assert_eq!(r.verdict.confidence, Confidence::Inferred);
    assert_eq!(
        r.verdict.route.as_deref(),
        Some(format!("{pl} -> {}", topo["tgw"].as_str().unwrap()).as_str())
    );
    assert!(
        r.verdict
            .evidence
            .iter()
            .any(|ev| ev.detail.contains("52.218.0.0/17") && ev.detail.contains(pl)),
        "{:?}",
        r.verdict.evidence
    );
    // An address outside the customer list still leaves by the NAT gateway.
    let e = gather(&url(), topo["vpc"].as_str().unwrap());
    let r = judge(&facts(&topo, e, "3.5.200.9"), &JudgeOptions::default());
    assert_eq!(
        r.verdict.path,
        PathKind::NatGateway,
        "{}",
        r.verdict.summary
    );
}

#[test]
fn a_detached_internet_gateway_carries_nothing() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let topo = topology("detached-igw");
    let e = gather(&url(), topo["vpc"].as_str().unwrap());
    assert!(e.internet_gateways.get().is_some());
    let r = judge(&facts(&topo, e, "52.218.20.7"), &JudgeOptions::default());
    assert_eq!(r.verdict.path, PathKind::Blocked, "{}", r.verdict.summary);
    assert_eq!(r.verdict.via.as_deref(), topo["igw"].as_str());
    assert!(
        r.verdict.summary.contains("not attached"),
        "{}",
        r.verdict.summary
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.id == "S3P101")
        .expect("S3P101");
    assert!(
        f.remediation
            .iter()
            .any(|x| x.contains("attach-internet-gateway")),
        "{:?}",
        f.remediation
    );
}

#[test]
fn global_names_in_us_east_1_ride_the_gateway_endpoint() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let region = "us-east-1";
    let topo = common::topology_in(moto().port, region, "gateway-endpoint");
    let e = rt().block_on(async {
        let c = ec2::client(
            &context(region).await,
            region,
            Duration::from_secs(10),
            Some(&url()),
        );
        ec2::gather(
            &c,
            region,
            topo["vpc"].as_str().unwrap(),
            Duration::from_secs(10),
        )
        .await
    });
    let mut f = facts(&topo, e, "52.216.20.7");
    f.request.region = Some(region.into());
    if let Observed::Collected { value } = &mut f.vantage {
        value.region = Some(region.into());
        value.availability_zone = Some("us-east-1a".into());
    }
    // moto's us-east-1 S3 list, as read (52.216.0.0/15, 3.5.0.0/19, 54.231.0.0/16).
    if let Observed::Collected { value } = &mut f.prefix_lists {
        for l in value.iter_mut() {
            if l.is_s3_list_of(region) {
                l.cidrs = vec![
                    "52.216.0.0/15".parse().unwrap(),
                    "3.5.0.0/19".parse().unwrap(),
                    "54.231.0.0/16".parse().unwrap(),
                ];
            }
        }
    }
    f.dns = Observed::collected(vec![
        answer("app-data.s3.us-east-1.amazonaws.com", "52.216.20.7"),
        answer("s3.us-east-1.amazonaws.com", "52.216.10.5"),
        answer("s3.dualstack.us-east-1.amazonaws.com", "52.216.30.1"),
        answer("s3.amazonaws.com", "52.217.1.1"),
        answer("app-data.s3.amazonaws.com", "52.217.2.2"),
    ]);
    let r = judge(&f, &JudgeOptions::default());
    assert_eq!(
        r.verdict.path,
        PathKind::GatewayEndpoint,
        "{}",
        r.verdict.summary
    );
    for t in &r.targets {
        assert_eq!(
            t.decision.path,
            PathKind::GatewayEndpoint,
            "{} -> {}",
            t.target.host,
            t.decision.label()
        );
    }
    assert!(!ids(&r).contains(&"S3P902"), "{:?}", ids(&r));
}

#[test]
fn route_command_by_instance_id() {
    if common::skip("tests/ec2_moto.rs", common::MOTO) {
        return;
    }
    let topo = topology("nat-only");
    let instance = topo["instance"].as_str().unwrap();
    let (code, r, stderr) = route_cli(&[
        "--instance-id",
        instance,
        "--region",
        REGION,
        "--format",
        "json",
    ]);
    assert_eq!(r["vantage"]["kind"], "ec2-instance", "{stderr}");
    assert_eq!(r["vantage"]["instance_id"], instance);
    assert_eq!(r["vantage"]["subnet_id"], topo["subnet"]);
    // The S3 list's entries (GetManagedPrefixListEntries) give a public S3 address for the
    // names, so the control plane alone decides: the default route to the NAT gateway.
    let tables = r["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["part"] == "route_tables")
        .unwrap();
    assert_eq!(tables["status"], "collected");
    assert_eq!(r["verdict"]["path"], "nat-gateway", "{}", r["verdict"]);
    assert_eq!(r["verdict"]["confidence"], "inferred", "{}", r["verdict"]);
    assert_eq!(code, 0, "{stderr}");
}
