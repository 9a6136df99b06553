//! `audit --baseline` (issue 21, part 3): drift since an earlier `audit --format json`, with
//! one regression (a subnet loses the gateway endpoint) and one improvement (another gains
//! it), from hand-written inventories (tests/fixtures/plan/inventory.json and a copy changed
//! here).

use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_s3path");

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

fn inventory() -> String {
    format!(
        "{}/tests/fixtures/plan/inventory.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The inventory with the gateway endpoint moved from rtb-0a000001 to rtb-0a000002.
fn moved(dir: &std::path::Path) -> String {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(inventory()).unwrap()).unwrap();
    let region = &mut v["regions"][0];
    region["vpc_endpoints"]["value"][0]["route_table_ids"] = serde_json::json!(["rtb-0a000002"]);
    let tables = region["route_tables"]["value"].as_array_mut().unwrap();
    let route = tables[0]["routes"].as_array_mut().unwrap().pop().unwrap();
    assert_eq!(route["gateway_id"], "vpce-0a000001");
    tables[1]["routes"].as_array_mut().unwrap().push(route);
    let p = dir.join("now.json");
    std::fs::write(&p, v.to_string()).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn one_regression_and_one_improvement() {
    let dir = tempfile::tempdir().unwrap();
    let (code, base, err) = run(&["audit", "--facts", &inventory(), "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let base_path = dir.path().join("base.json");
    std::fs::write(&base_path, &base).unwrap();
    let now = moved(dir.path());
    let (code, out, err) = run(&[
        "audit",
        "--facts",
        &now,
        "--baseline",
        base_path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    let changes = r["changes"].as_array().unwrap();
    // Only the two subnets that changed; the public subnet is not listed.
    assert_eq!(changes.len(), 2, "{r}");
    let by = |id: &str| {
        changes
            .iter()
            .find(|c| c["subnet_id"] == id)
            .unwrap_or_else(|| panic!("{id}: {r}"))
    };
    let lost = by("subnet-0a000001");
    assert_eq!(lost["direction"], "regression");
    assert_eq!(lost["before"]["path"], "gateway-endpoint");
    assert_eq!(lost["now"]["path"], "nat-gateway");
    let gained = by("subnet-0a000002");
    assert_eq!(gained["direction"], "improvement", "{gained}");
    assert_eq!(gained["now"]["via"], "vpce-0a000001");
    assert_eq!(r["summary"]["regression"], 1);
    assert_eq!(r["summary"]["improvement"], 1);
    // Worst first.
    assert_eq!(changes[0]["subnet_id"], "subnet-0a000001");
    // Human form names both with their direction.
    let (_, text, _) = run(&[
        "audit",
        "--facts",
        &now,
        "--baseline",
        base_path.to_str().unwrap(),
    ]);
    assert!(
        text.contains("regression") && text.contains("improvement"),
        "{text}"
    );

    // The reverse (baseline: the moved state; now: the original) is again one regression and
    // one improvement, on the other subnets.
    let (_, moved_json, _) = run(&["audit", "--facts", &now, "--format", "json"]);
    std::fs::write(&base_path, &moved_json).unwrap();
    let (code, out, _) = run(&[
        "audit",
        "--facts",
        &inventory(),
        "--baseline",
        base_path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(code, 1, "the reverse has a regression too: {r}");
    // No change at all: nothing listed, exit 0.
    let (code, out, _) = run(&[
        "audit",
        "--facts",
        &now,
        "--baseline",
        base_path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(code, 0, "{r}");
    assert!(r["changes"].as_array().unwrap().is_empty());
}

#[test]
fn bad_baselines_are_one_line_errors_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for (text, want) in [
        ("[]", "not an s3path audit JSON"),
        ("{\"schema_version\": 9, \"subnets\": []}", "schema_version 9"),
        (
            "{\"schema_version\": 1, \"subnets\": [{\"region\": \"eu-west-1\", \"subnet_id\": \"subnet-1\\u001b[31m\", \"verdict\": {\"path\": \"nat-gateway\", \"confidence\": \"inferred\"}}]}",
            "control character",
        ),
        (
            "{\"schema_version\": 1, \"subnets\": [{\"region\": \"eu-west-1\", \"subnet_id\": \"subnet-1\", \"verdict\": {\"path\": \"teleport\", \"confidence\": \"inferred\"}}]}",
            "unknown variant",
        ),
    ] {
        let p = dir.path().join("b.json");
        std::fs::write(&p, text).unwrap();
        let (code, out, err) = run(&["audit", "--facts", &inventory(), "--baseline", p.to_str().unwrap()]);
        assert_eq!(code, 2, "{text}: {out}{err}");
        assert!(err.contains(want) && err.contains("--baseline"), "{text}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
}
