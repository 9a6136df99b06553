//! `route --plan` / `audit --plan` (issue 21, part 2). The plans under tests/fixtures/plan/ are
//! HAND-WRITTEN from the documented JSON output format of `terraform show -json PLANFILE`
//! (format_version 1.x, https://developer.hashicorp.com/terraform/internals/json-format):
//! Terraform is not installable here. They cover create, update, delete and replace
//! (`["delete","create"]`), a module (`module.net.…`), count (`aws_route.default[0]`) and
//! for_each (`…s3["a"]`) addresses, references between new resources through
//! `configuration`, and a value "known after apply" that no reference resolves. The current
//! inventory is a hand-written `audit --save-facts` file (`--facts`), and, in the moto test,
//! the live control plane.

mod common;

use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_s3path");

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/plan/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (code, out, err) = run(&all);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (code, v)
}

fn row<'a>(r: &'a Value, subnet: &str) -> &'a Value {
    r["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["subnet_id"] == subnet)
        .unwrap_or_else(|| panic!("no row for {subnet} in {r}"))
}

#[test]
fn removing_the_endpoint_association_fails_the_gate_and_names_the_resource() {
    let plan = fixture("remove_association.json");
    let inv = fixture("inventory.json");
    let args = [
        "route",
        "--plan",
        &plan,
        "--facts",
        &inv,
        "--subnet-id",
        "subnet-0a000001",
        "--expect",
        "gateway-endpoint",
    ];
    let (code, out, err) = run(&args);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("module.net.aws_vpc_endpoint_route_table_association.s3[\"a\"]"),
        "{out}"
    );
    assert!(
        out.contains("gateway-endpoint via vpce-0a000001 → nat-gateway via nat-0a000001"),
        "{out}"
    );
    let (code, r) = json(&args);
    assert_eq!(code, 1);
    let s = row(&r, "subnet-0a000001");
    assert_eq!(s["before"]["path"], "gateway-endpoint");
    assert_eq!(s["after"]["path"], "nat-gateway");
    assert_eq!(s["expectation"], "not_met");
    assert_eq!(r["exit_code"], 1);
    // The same plan, gated on a subnet it does not touch: before = after, passes.
    let (code, r) = json(&[
        "route",
        "--plan",
        &plan,
        "--facts",
        &inv,
        "--subnet-id",
        "subnet-0a000002",
        "--expect",
        "nat-gateway",
    ]);
    assert_eq!(code, 0, "{r}");
    let s = row(&r, "subnet-0a000002");
    assert_eq!(s["changed"], false);
    assert!(s["changed_by"].as_array().unwrap().is_empty(), "{s}");
}

#[test]
fn adding_the_endpoint_to_a_nat_subnets_table_makes_it_gateway_endpoint() {
    let plan = fixture("add_association.json");
    let inv = fixture("inventory.json");
    let (code, r) = json(&[
        "route",
        "--plan",
        &plan,
        "--facts",
        &inv,
        "--subnet-id",
        "subnet-0a000002",
        "--expect",
        "gateway-endpoint",
    ]);
    assert_eq!(code, 0, "{r}");
    let s = row(&r, "subnet-0a000002");
    assert_eq!(s["before"]["path"], "nat-gateway");
    assert_eq!(s["after"]["path"], "gateway-endpoint");
    assert_eq!(s["after"]["via"], "vpce-0a000001");
    assert_eq!(s["expectation"], "met");
    let by: Vec<&str> = s["changed_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    // The for_each association in a module, the count route replaced onto the new NAT
    // gateway (followed through the configuration's reference), and that NAT gateway.
    for want in [
        "module.net.aws_vpc_endpoint_route_table_association.s3[\"b\"]",
        "aws_route.default[0]",
        "aws_nat_gateway.b",
    ] {
        assert!(by.contains(&want), "{want} not in {by:?}");
    }
}

#[test]
fn audit_plan_lists_only_affected_subnets_including_new_ones() {
    let plan = fixture("add_association.json");
    let inv = fixture("inventory.json");
    let (code, r) = json(&[
        "audit",
        "--plan",
        &plan,
        "--facts",
        &inv,
        "--expect",
        "gateway-endpoint",
    ]);
    // subnet-0a000001 and -0a000003 are not affected; the main-table subnet would not meet
    // the expectation but is not listed (the plan does not touch it).
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["unaffected"], 2, "{r}");
    let ids: Vec<&str> = r["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["subnet_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    // The subnet the plan creates: its id is a placeholder keyed by its address; its
    // association (subnet_id known after apply) followed to it through the configuration.
    let new = row(&r, "subnet-(aws_subnet.c)");
    assert!(new["before"].is_null());
    assert_eq!(new["after"]["path"], "gateway-endpoint", "{new}");
    assert_eq!(new["after"]["route_table"], "rtb-0a000001");
    // The security group rule is read and said not to be judged.
    let nj = r["not_judged"].as_array().unwrap();
    assert!(
        nj.iter()
            .any(|n| n["address"] == "aws_security_group_rule.egress_443"),
        "{r}"
    );
}

#[test]
fn an_unknown_route_target_is_undetermined_never_guessed() {
    let plan = fixture("unknown_target.json");
    let inv = fixture("inventory.json");
    let (code, r) = json(&[
        "route",
        "--plan",
        &plan,
        "--facts",
        &inv,
        "--subnet-id",
        "subnet-0a000002",
        "--expect",
        "nat-gateway",
    ]);
    assert_eq!(code, 3, "{r}");
    let s = row(&r, "subnet-0a000002");
    assert_eq!(s["after"]["path"], "unknown");
    assert_eq!(s["after"]["confidence"], "undetermined");
    assert_eq!(s["expectation"], "undecided");
    let unknowns = s["unknowns"].to_string();
    assert!(
        unknowns.contains("aws_route.egress.transit_gateway_id"),
        "{unknowns}"
    );
    assert!(s["after"]["summary"]
        .as_str()
        .unwrap()
        .contains("aws_route.egress.transit_gateway_id"));
    // A subnet whose path does not rest on it (its table's S3 route is the endpoint's prefix
    // list) stays judged.
    let (code, r) = json(&[
        "route",
        "--plan",
        &plan,
        "--facts",
        &inv,
        "--subnet-id",
        "subnet-0a000001",
        "--expect",
        "gateway-endpoint",
    ]);
    assert_eq!(code, 0, "{r}");
}

#[test]
fn bad_plans_are_one_line_errors_with_exit_2() {
    let inv = fixture("inventory.json");
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("{not json", "invalid JSON"),
        ("{\"format_version\": \"2.0\", \"resource_changes\": []}", "is not 1.x"),
        ("{\"format_version\": \"1.0\", \"values\": {}}", "this is a state"),
        (
            "{\"format_version\": \"1.0\", \"resource_changes\": [{\"address\": \"aws_route.x\", \"type\": \"aws_route\", \"name\": \"x\", \"change\": {\"actions\": [\"create\"], \"after\": {\"route_table_id\": \"rtb-0a000002\", \"destination_cidr_block\": \"10.0.0.999/8\", \"nat_gateway_id\": \"nat-1\"}}}]}",
            "is not a CIDR",
        ),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let p = dir.path().join(format!("p{i}.json"));
        std::fs::write(&p, text).unwrap();
        let (code, out, err) = run(&[
            "route",
            "--plan",
            p.to_str().unwrap(),
            "--facts",
            &inv,
            "--subnet-id",
            "subnet-0a000002",
        ]);
        assert_eq!(code, 2, "{text}: {out}{err}");
        assert!(err.contains(want), "{text}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    // A directory, not a file.
    let (code, _, err) = run(&[
        "route",
        "--plan",
        dir.path().to_str().unwrap(),
        "--facts",
        &inv,
        "--subnet-id",
        "subnet-0a000002",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a regular file"), "{err}");
}

/// The current inventory read live from moto (`route --plan` without --facts): the gateway
/// endpoint's association with a subnet's table removed by the plan fails the gate.
#[test]
fn route_plan_against_the_live_control_plane() {
    if common::skip("tests/plan.rs", common::MOTO) {
        return;
    }
    const REGION: &str = "ca-central-1";
    let (_moto, port) = common::moto_server();
    let topo = common::moto_script("audit_topology.py", &[&port.to_string(), REGION]);
    let (subnet, endpoint) = topo["subnets"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, w)| w[0] == "gateway-endpoint")
        .map(|(s, w)| (s.clone(), w[1].as_str().unwrap().to_string()))
        .expect("a gateway endpoint subnet");
    let endpoint_url = format!("http://127.0.0.1:{port}");
    let live = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(args)
            .args(["--region", REGION, "--format", "json"])
            .env("AWS_ENDPOINT_URL_EC2", &endpoint_url)
            .envs(common::MOTO_ENV)
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let v: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{e}: {text} {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code().unwrap_or(-1), v)
    };
    let (_, now) = live(&["route", "--subnet-id", &subnet]);
    assert_eq!(now["verdict"]["path"], "gateway-endpoint", "{now}");
    let table = now["route_table"]["id"].as_str().unwrap().to_string();
    let plan = serde_json::json!({
        "format_version": "1.2",
        "resource_changes": [{
            "address": "module.edge.aws_vpc_endpoint_route_table_association.s3[0]",
            "mode": "managed",
            "type": "aws_vpc_endpoint_route_table_association",
            "name": "s3",
            "index": 0,
            "change": {
                "actions": ["delete"],
                "before": {"id": "a-x", "route_table_id": table, "vpc_endpoint_id": endpoint},
                "after": null,
                "after_unknown": {}
            }
        }]
    });
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), plan.to_string()).unwrap();
    let (code, r) = live(&[
        "route",
        "--plan",
        file.path().to_str().unwrap(),
        "--subnet-id",
        &subnet,
        "--expect",
        "gateway-endpoint",
    ]);
    assert_eq!(code, 1, "{r}");
    let s = row(&r, &subnet);
    assert_eq!(s["before"]["path"], "gateway-endpoint");
    assert_ne!(s["after"]["path"], "gateway-endpoint", "{s}");
    assert_eq!(
        s["changed_by"][0],
        "module.edge.aws_vpc_endpoint_route_table_association.s3[0]"
    );
}

/// A new route table (for_each, in a module) whose default route goes to a NAT gateway the
/// plan creates, and an existing subnet associated with it through `[each.key]`: the ids
/// known only after apply are followed through the configuration's references.
#[test]
fn references_between_new_resources_are_followed() {
    let plan = fixture("new_table.json");
    let inv = fixture("inventory.json");
    let (code, r) = json(&[
        "route",
        "--plan",
        &plan,
        "--facts",
        &inv,
        "--subnet-id",
        "subnet-0a000001",
        "--expect",
        "nat-gateway",
    ]);
    assert_eq!(code, 0, "{r}");
    let s = row(&r, "subnet-0a000001");
    assert_eq!(s["before"]["path"], "gateway-endpoint");
    assert_eq!(s["after"]["path"], "nat-gateway");
    assert_eq!(s["after"]["via"], "nat-(module.m.aws_nat_gateway.x)");
    assert_eq!(
        s["after"]["route_table"],
        "rtb-(module.m.aws_route_table.priv[\"b\"])"
    );
    // The same plan with the NAT gateway's id coming from a variable: not followed, so
    // undetermined, naming the inline route's attribute.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&plan)
        .unwrap()
        .replace("\"aws_nat_gateway.x.id\",", "")
        .replace("\"aws_nat_gateway.x\"", "\"var.nat_id\"");
    let p = dir.path().join("var.json");
    std::fs::write(&p, text).unwrap();
    let (code, r) = json(&[
        "route",
        "--plan",
        p.to_str().unwrap(),
        "--facts",
        &inv,
        "--subnet-id",
        "subnet-0a000001",
        "--expect",
        "nat-gateway",
    ]);
    assert_eq!(code, 3, "{r}");
    let s = row(&r, "subnet-0a000001");
    assert_eq!(s["after"]["path"], "unknown");
    assert!(
        s["unknowns"][0]
            .as_str()
            .unwrap()
            .starts_with("module.m.aws_route_table.priv[\"b\"].route[0].nat_gateway_id"),
        "{s}"
    );
}

/// Without `configuration` (some tools strip it), a known target wins over the attributes
/// AWS computes that are unknown on create.
#[test]
fn a_known_target_beside_computed_unknowns_is_judged() {
    let plan = fixture("no_configuration.json");
    let inv = fixture("inventory.json");
    let (code, r) = json(&[
        "route",
        "--plan",
        &plan,
        "--facts",
        &inv,
        "--subnet-id",
        "subnet-0a000002",
    ]);
    assert_ne!(code, 2, "{r}");
    let s = row(&r, "subnet-0a000002");
    assert_eq!(s["after"]["path"], "core-network", "{s}");
    assert!(s["unknowns"].is_null(), "{s}");
}

/// No configuration says which subnet a new association moves, nor which table a new route
/// goes in: every subnet of the association's VPC is undetermined, and the route is reported
/// as affecting subnets the plan cannot name (exit 3, never 0).
#[test]
fn when_the_plan_cannot_tell_which_subnet_it_says_so() {
    let plan = fixture("unlocated.json");
    let inv = fixture("inventory.json");
    let (code, r) = json(&["audit", "--plan", &plan, "--facts", &inv]);
    assert_eq!(code, 3, "{r}");
    let rows = r["subnets"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{r}");
    for s in rows {
        assert_eq!(s["after"]["path"], "unknown", "{s}");
        assert!(
            s["unknowns"][0]
                .as_str()
                .unwrap()
                .contains("cannot tell which subnet"),
            "{s}"
        );
    }
    assert!(
        r["unlocated"][0]
            .as_str()
            .unwrap()
            .starts_with("aws_route.x.route_table_id"),
        "{r}"
    );
}
