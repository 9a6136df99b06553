//! Scenario tests: every `tests/scenarios/NAME.facts.json` is judged by the real binary
//! (`s3path replay --format json`) and compared with `NAME.expected.json`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use common::{scenario_names, scenarios_dir};
use serde_json::Value;

struct Outcome {
    name: String,
    fired: BTreeSet<String>,
    ran_quiet: BTreeSet<String>,
}

fn run(name: &str) -> Result<Outcome, String> {
    let dir = scenarios_dir();
    let facts = dir.join(format!("{name}.facts.json"));
    let (expected, args) = common::scenario_expected(name);
    let out = Command::new(env!("CARGO_BIN_EXE_s3path"))
        .arg("replay")
        .arg(&facts)
        .args(["--format", "json"])
        // Preview checks run in every scenario unless its args say how.
        .args((!args.iter().any(|a| a.starts_with("--preview"))).then_some("--preview"))
        .args(&args)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let want_code = expected["exit_code"].as_i64().unwrap();
    if i64::from(code) != want_code {
        return Err(format!(
            "{name}: exit code {code}, expected {want_code}; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    if let Some(err) = expected["error"].as_str() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !stderr.contains(err) || stderr.lines().count() != 1 || !out.stdout.is_empty() {
            return Err(format!(
                "{name}: expected one stderr line containing {err:?}, got {stderr:?}"
            ));
        }
        return Ok(Outcome {
            name: name.to_string(),
            fired: BTreeSet::new(),
            ran_quiet: BTreeSet::new(),
        });
    }
    let report: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("{name}: stdout is not one JSON document: {e}"))?;
    let v = &report["verdict"];
    let want = &expected["verdict"];
    for key in ["path", "via", "route_table", "confidence"] {
        if let Some(w) = want.get(key) {
            if &v[key] != w {
                return Err(format!(
                    "{name}: verdict.{key} = {}, expected {w}; summary: {}",
                    v[key], v["summary"]
                ));
            }
        }
    }
    if let Some(w) = want.get("next") {
        if &v["next"]["path"] != w {
            return Err(format!(
                "{name}: verdict.next.path = {}, expected {w}",
                v["next"]["path"]
            ));
        }
    }
    let fired: BTreeSet<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    let want_findings: BTreeSet<String> = expected["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    if fired != want_findings {
        let messages: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{} {}", f["id"], f["message"]))
            .collect();
        return Err(format!(
            "{name}: findings {fired:?}, expected {want_findings:?}\n  {}",
            messages.join("\n  ")
        ));
    }
    if let Some(targets) = expected.get("targets").and_then(Value::as_object) {
        let got: BTreeMap<&str, &Value> = report["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["host"].as_str().unwrap(), &t["decision"]["path"]))
            .collect();
        for (host, path) in targets {
            if got.get(host.as_str()) != Some(&path) {
                return Err(format!(
                    "{name}: target {host} path {:?}, expected {path}",
                    got.get(host.as_str())
                ));
            }
        }
    }
    // Every finding names its check, says something, and every fix is concrete text.
    for f in report["findings"].as_array().unwrap() {
        let msg = f["message"].as_str().unwrap();
        if msg.is_empty() || msg.ends_with('.') {
            return Err(format!("{name}: finding message style: {msg:?}"));
        }
    }
    let ran_quiet = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "pass")
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    Ok(Outcome {
        name: name.to_string(),
        fired,
        ran_quiet,
    })
}

#[test]
fn every_scenario_matches_its_expectation_and_every_check_fires_and_stays_quiet() {
    let names = scenario_names();
    assert!(names.len() >= 25, "only {} scenarios", names.len());
    let mut failures = Vec::new();
    let mut outcomes = Vec::new();
    for name in &names {
        match run(name) {
            Ok(o) => outcomes.push(o),
            Err(e) => failures.push(e),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );

    for check in s3path::checks::REGISTRY {
        let id = check.meta().id;
        let fires: Vec<&str> = outcomes
            .iter()
            .filter(|o| o.fired.contains(id))
            .map(|o| o.name.as_str())
            .collect();
        let quiet = outcomes.iter().filter(|o| o.ran_quiet.contains(id)).count();
        assert!(!fires.is_empty(), "{id} fires in no scenario");
        assert!(
            quiet > 0,
            "{id} passes in no scenario (skipped does not count)"
        );
    }
}

#[test]
fn every_scenario_has_both_files() {
    for entry in std::fs::read_dir(scenarios_dir()).unwrap() {
        let n = entry.unwrap().file_name().into_string().unwrap();
        let (stem, other) = if let Some(s) = n.strip_suffix(".facts.json") {
            (s, format!("{s}.expected.json"))
        } else if let Some(s) = n.strip_suffix(".expected.json") {
            (s, format!("{s}.facts.json"))
        } else {
            panic!("unexpected file {n} in tests/scenarios");
        };
        assert!(
            scenarios_dir().join(&other).exists(),
            "{stem}: {other} is missing"
        );
    }
}
