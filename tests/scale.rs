//! `audit` and `merge` at account scale: the inputs are generated here (an audit inventory for
//! `audit --facts`, report files for `merge`), so every figure in docs/benchmarks.md can be
//! reproduced.
//!
//! The `bench_*` tests are benchmarks, not checks (ignored; no timing assertion):
//!
//!     cargo test --release --test scale -- --ignored --nocapture --test-threads=1 bench
//!
//! The other tests are the behaviour the benchmarks rely on, without any timing: a deadline
//! that passes during judging, merge refusing what is not a regular file, `--cost` refusing
//! values that are not money.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn bin() -> Command {
    common::s3path(env!("CARGO_BIN_EXE_s3path"))
}

/// An audit inventory of one region: `vpcs` VPCs, each with `subnets` subnets and `tables`
/// route tables of `routes` routes (a local route, a default route to the VPC's NAT gateway,
/// the S3 prefix list to the VPC's gateway endpoint on every other table, the rest
/// transit-gateway routes to /24s). Subnet k is associated with table k mod `tables`; table 0
/// is the main table.
pub fn inventory(vpcs: usize, subnets: usize, tables: usize, routes: usize) -> Value {
    let region = "us-east-1";
    let s3_list = "pl-63a5400a";
    let mut subnet_list = Vec::new();
    let mut vpc_list = Vec::new();
    let mut table_list = Vec::new();
    let mut endpoints = Vec::new();
    let mut nats = Vec::new();
    let mut igws = Vec::new();
    let mut acls = Vec::new();
    for v in 0..vpcs {
        let vpc = format!("vpc-{v:017x}");
        let cidr = format!("10.{v}.0.0/16");
        vpc_list.push(json!({"id": vpc, "ipv4_cidr_blocks": [cidr]}));
        let subnet_id = |k: usize| format!("subnet-{v:08x}{k:09x}");
        for k in 0..subnets {
            subnet_list.push(json!({
                "id": subnet_id(k),
                "vpc_id": vpc,
                "availability_zone": format!("{region}{}", ["a", "b", "c"][k % 3]),
            }));
        }
        let table_id = |t: usize| format!("rtb-{v:08x}{t:09x}");
        let nat = format!("nat-{v:017x}");
        let igw = format!("igw-{v:017x}");
        let gw = format!("vpce-{v:017x}");
        let mut gw_tables = Vec::new();
        for t in 0..tables {
            let mut rs = vec![
                json!({"destination_cidr_block": cidr, "gateway_id": "local"}),
                // The NAT gateway's own subnet (subnet 0, on table 0) goes to the IGW.
                if t == 0 {
                    json!({"destination_cidr_block": "0.0.0.0/0", "gateway_id": igw})
                } else {
                    json!({"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": nat})
                },
            ];
            if t % 2 == 1 {
                rs.push(json!({"destination_prefix_list_id": s3_list, "gateway_id": gw}));
                gw_tables.push(table_id(t));
            }
            let mut i = 0usize;
            while rs.len() < routes {
                rs.push(json!({
                    "destination_cidr_block": format!("172.{}.{}.0/24", 16 + i / 256 % 16, i % 256),
                    "transit_gateway_id": "tgw-0123456789abcdef0",
                }));
                i += 1;
            }
            let assoc: Vec<String> = (0..subnets)
                .filter(|k| k % tables == t && !(t == 0 && *k != 0))
                .map(subnet_id)
                .collect();
            table_list.push(json!({
                "id": table_id(t),
                "vpc_id": vpc,
                "main": t == 0,
                "subnet_ids": assoc,
                "routes": rs,
            }));
        }
        endpoints.push(json!({
            "id": gw,
            "vpc_id": vpc,
            "endpoint_type": "gateway",
            "service_name": format!("com.amazonaws.{region}.s3"),
            "state": "available",
            "route_table_ids": gw_tables,
        }));
        nats.push(json!({
            "id": nat,
            "state": "available",
            "subnet_id": subnet_id(0),
            "private_ips": [format!("10.{v}.0.10")],
            "public_ips": ["198.51.100.10"],
        }));
        igws.push(json!({"id": igw, "attachments": [{"vpc_id": vpc, "state": "available"}]}));
        acls.push(json!({
            "id": format!("acl-{v:017x}"),
            "vpc_id": vpc,
            "default": true,
            "entries": [
                {"rule_number": 100, "egress": true, "protocol": "-1", "action": "allow", "cidr": "0.0.0.0/0"},
                {"rule_number": 100, "egress": false, "protocol": "-1", "action": "allow", "cidr": "0.0.0.0/0"},
            ],
        }));
    }
    let collected = |v: Value| json!({"status": "collected", "value": v});
    json!({
        "schema_version": 1,
        "tool_version": "bench",
        "request": {"regions": [region]},
        "regions": [{
            "region": region,
            "subnets": collected(Value::Array(subnet_list)),
            "vpcs": collected(Value::Array(vpc_list)),
            "route_tables": collected(Value::Array(table_list)),
            "vpc_endpoints": collected(Value::Array(endpoints)),
            "prefix_lists": collected(json!([{
                "id": s3_list,
                "name": format!("com.amazonaws.{region}.s3"),
                "owner_id": "AWS",
                "cidrs": ["3.5.0.0/19", "52.216.0.0/15", "54.231.0.0/16"],
            }])),
            "internet_gateways": collected(Value::Array(igws)),
            "nat_gateways": collected(Value::Array(nats)),
            "network_acls": collected(Value::Array(acls)),
        }],
    })
}

fn write_json(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_vec(v).unwrap()).unwrap();
}

fn audit(facts: &Path, extra: &[&str]) -> Output {
    bin()
        .args([
            "audit",
            "--facts",
            facts.to_str().unwrap(),
            "--format",
            "json",
        ])
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Best of `runs` wall times of `f`, and every time.
fn best_of(runs: usize, mut f: impl FnMut() -> Output) -> (Duration, Vec<Duration>, Output) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed());
        last = Some(out);
    }
    (*times.iter().min().unwrap(), times, last.unwrap())
}

fn bench_audit(label: &str, vpcs: usize, subnets: usize, tables: usize, routes: usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.json");
    write_json(&path, &inventory(vpcs, subnets, tables, routes));
    let size = std::fs::metadata(&path).unwrap().len();
    let (best, times, out) = best_of(3, || audit(&path, &[]));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    assert_eq!(
        report["summary"]["subnets"].as_u64(),
        Some((vpcs * subnets) as u64),
        "every subnet judged"
    );
    println!(
        "{label}: {vpcs} VPC(s) × {subnets} subnets, {tables} tables × {routes} routes per VPC \
         ({:.1} MB inventory): best {:.3} s of {:?}; by path {}",
        size as f64 / 1e6,
        best.as_secs_f64(),
        times.iter().map(|t| t.as_secs_f64()).collect::<Vec<_>>(),
        report["summary"]["by_path"]
    );
}

/// Benchmark: one VPC at AWS's quotas (200 subnets, 200 route tables of 1,000 routes).
#[test]
#[ignore]
fn bench_audit_one_vpc_at_the_quotas() {
    bench_audit("one VPC at the quotas", 1, 200, 200, 1000);
}

/// Benchmark: 4,000 subnets, 4,000 route tables of 50 routes, all in one VPC.
#[test]
#[ignore]
fn bench_audit_4000_subnets_4000_tables() {
    bench_audit("4,000 × 4,000", 1, 4000, 4000, 50);
}

/// Benchmark: 10,000 subnets across 50 VPCs (200 each, 200 tables of 50 routes per VPC).
#[test]
#[ignore]
fn bench_audit_10000_subnets_50_vpcs() {
    bench_audit("10,000 subnets in 50 VPCs", 50, 200, 200, 50);
}

/// Writes an inventory for manual runs: `S3PATH_SCALE_OUT=/tmp/inv.json S3PATH_SCALE=1,200,200,1000`.
#[test]
#[ignore]
fn write_inventory() {
    let out = std::env::var("S3PATH_SCALE_OUT").unwrap_or("/tmp/s3path-inventory.json".into());
    let dims: Vec<usize> = std::env::var("S3PATH_SCALE")
        .unwrap_or("1,200,200,1000".into())
        .split(',')
        .map(|x| x.parse().unwrap())
        .collect();
    write_json(
        Path::new(&out),
        &inventory(dims[0], dims[1], dims[2], dims[3]),
    );
}

/// Runs `cmd`, killing it (and failing) if it has not finished within `limit`: a command that
/// blocks must fail the test, not hang the suite.
fn run_guarded(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?} (blocked): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A real report (a replay of a scenario), as merge reads them.
fn scenario_report(name: &str) -> Vec<u8> {
    let facts = common::scenarios_dir().join(format!("{name}.facts.json"));
    let out = bin()
        .args(["replay", facts.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert!(
        !out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn mkfifo(path: &Path) {
    let st = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(st.success());
}

/// merge opens regular files only: a FIFO, a device, a link to /proc/kmsg (a "regular" file
/// of size 0 whose read blocks until the kernel logs) among the reports — in a directory or
/// named — are each refused with one line, and merge finishes with the rest.
#[test]
fn merge_refuses_what_is_not_a_regular_file_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.json"), scenario_report("gateway-endpoint")).unwrap();
    mkfifo(&d.join("fifo.json"));
    std::os::unix::fs::symlink("/proc/kmsg", d.join("kmsg.json")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.json")).unwrap();
    std::os::unix::fs::symlink("/proc/self/status", d.join("status.json")).unwrap();
    std::fs::create_dir(d.join("sub.json")).unwrap();
    let named = tempfile::tempdir().unwrap();
    let fifo = named.path().join("named-fifo.json");
    mkfifo(&fifo);
    let mut cmd = bin();
    cmd.args([
        "merge",
        d.to_str().unwrap(),
        fifo.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let out = run_guarded(cmd, Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(2), "{stderr}");
    let m: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(m["summary"]["reports"], 1, "{m}");
    let rejected: Vec<String> = m["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    for name in [
        "fifo.json",
        "kmsg.json",
        "zero.json",
        "status.json",
        "sub.json",
        "named-fifo.json",
    ] {
        let line = rejected
            .iter()
            .find(|r| r.contains(name))
            .unwrap_or_else(|| panic!("{name} not refused: {rejected:?}"));
        assert!(line.contains("not a regular file"), "{line}");
        assert!(!line.contains('\n'), "{line}");
        assert!(stderr.lines().any(|l| l.contains(name)), "{stderr}");
    }
    assert_eq!(rejected.len(), 6, "{rejected:?}");
    assert_eq!(stderr.lines().count(), 6, "{stderr}");
}

/// `--timeout` bounds reading `--facts` and judging: past it, every subnet is still in the
/// report, as not judged, and the exit code is 3 (nothing failed), not a pass.
#[test]
fn audit_deadline_reports_unjudged_subnets_and_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.json");
    write_json(&path, &inventory(2, 40, 40, 200));
    let out = run_guarded(
        {
            let mut c = bin();
            c.args([
                "audit",
                "--facts",
                path.to_str().unwrap(),
                "--format",
                "json",
            ]);
            c.args(["--timeout", "0.001"]);
            c
        },
        Duration::from_secs(60),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["summary"]["subnets"], 80);
    assert_eq!(r["summary"]["not_judged"], 80, "{}", r["summary"]);
    let rows = r["subnets"].as_array().unwrap();
    assert_eq!(rows.len(), 80);
    for row in rows {
        assert_eq!(row["not_judged"], true, "{row}");
        assert_eq!(row["verdict"]["path"], "unknown", "{row}");
        assert_eq!(row["verdict"]["confidence"], "undetermined", "{row}");
    }
    let human = bin()
        .args([
            "audit",
            "--facts",
            path.to_str().unwrap(),
            "--timeout",
            "0.001",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(human.status.code(), Some(3));
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(human.contains("NOT JUDGED 80 subnets"), "{human}");
    // With time enough, the same inventory is judged in full.
    let out = audit(&path, &["--timeout", "600"]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r["summary"].get("not_judged").is_none(), "{}", r["summary"]);
    assert_eq!(r["subnets"].as_array().unwrap().len(), 80);
    // `--timeout` is checked with --facts too.
    let out = audit(&path, &["--timeout", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The NAT prices and byte counts `--cost` multiplies are finite and ≥ 0, or refused with one
/// line (exit 2); money never prints as "-0.00".
#[test]
fn audit_cost_refuses_values_that_are_not_money() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.json");
    let mut inv = inventory(1, 4, 4, 10);
    write_json(&path, &inv);
    for bad in [
        "-0", "-1", "NaN", "nan", "inf", "-inf", "1e400", "+0.5", "0x1", " 1", "11",
    ] {
        let out = audit(&path, &[&format!("--nat-price-per-gb={bad}")]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("--nat-price-per-gb"), "{bad}: {stderr}");
    }
    for good in ["0", "0.045", "10", "1e-3"] {
        let out = audit(&path, &["--nat-price-per-gb", good]);
        assert_ne!(out.status.code(), Some(2), "{good}");
    }
    // Metrics in a saved inventory: negative, or finite alone but infinite summed.
    let nat = "nat-00000000000000000";
    inv["request"]["cost"] = json!(true);
    for (src, dst) in [(-1.0, 0.0), (0.0, -5e9), (1.7e308, 1.7e308)] {
        inv["regions"][0]["nat_bytes"] = json!({"status": "collected", "value": [
            {"nat_gateway_id": nat, "bytes_in_from_source": src, "bytes_in_from_destination": dst, "days": 14}
        ]});
        write_json(&path, &inv);
        let out = audit(&path, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{src} {dst}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("not a finite amount"), "{stderr}");
    }
    // -0 bytes (JSON may say so) cost $0.00, never $-0.00.
    inv["regions"][0]["nat_bytes"] = json!({"status": "collected", "value": [
        {"nat_gateway_id": nat, "bytes_in_from_source": -0.0, "bytes_in_from_destination": -0.0, "days": 14}
    ]});
    write_json(&path, &inv);
    // The cost section only with --cost (a saved inventory is judged as asked).
    let out = audit(&path, &["--cost"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"monthly_usd_upper_bound\": 0.0"), "{text}");
    assert!(!text.contains("-0.0"), "{text}");
    let human = bin()
        .args(["audit", "--facts", path.to_str().unwrap(), "--cost"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(human.contains("$0.00/month"), "{human}");
    assert!(!human.contains("-0.0"), "{human}");
}

/// Writes `n` compact reports of one subnet, each from its own instance and through its own
/// NAT gateway (every host a path of its own: the worst case for the disagreement grouping).
fn fleet_reports(dir: &Path, n: usize) {
    let one = bin()
        .args([
            "replay",
            common::scenarios_dir()
                .join("nat-only.facts.json")
                .to_str()
                .unwrap(),
            "--format",
            "compact",
        ])
        .output()
        .unwrap();
    let mut report: Value = serde_json::from_slice(&one.stdout).unwrap();
    for i in 0..n {
        report["vantage"]["instance_id"] = json!(format!("i-{i:017x}"));
        report["verdict"]["via"] = json!(format!("nat-{i:017x}"));
        std::fs::write(
            dir.join(format!("{i:06}.json")),
            serde_json::to_vec(&report).unwrap(),
        )
        .unwrap();
    }
}

fn bench_merge(n: usize) {
    let dir = tempfile::tempdir().unwrap();
    fleet_reports(dir.path(), n);
    let (best, times, out) = best_of(3, || {
        bin()
            .args(["merge", dir.path().to_str().unwrap(), "--format", "json"])
            .stdout(Stdio::piped())
            .output()
            .unwrap()
    });
    let m: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    assert_eq!(m["summary"]["reports"], n);
    assert_eq!(m["disagreements"][0]["paths"].as_array().unwrap().len(), n);
    println!(
        "merge of {n} reports of one subnet, {n} distinct paths: best {:.3} s of {:?}",
        best.as_secs_f64(),
        times.iter().map(|t| t.as_secs_f64()).collect::<Vec<_>>()
    );
}

/// Benchmark: merge of 20,000 and 60,000 reports of one subnet with distinct paths.
#[test]
#[ignore]
fn bench_merge_60000_reports() {
    bench_merge(20_000);
    bench_merge(60_000);
}
