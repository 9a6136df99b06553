//! The S3 endpoint rule set's own test cases (shipped in aws-sdk-s3's generated source, read
//! into tests/data/s3_endpoint_rule_tests.json by tests/tools/extract_s3_endpoint_tests.py),
//! run through s3path's whole path: the input parser, the settings, [`super::plan`]. A case
//! s3path does not model (an endpoint override URL, an operation's key or prefix, the
//! Object Lambda or S3 Express control operations, no bucket) is counted as out of scope; an
//! input the parser refuses on purpose (S3 on Outposts, malformed names) is counted as refused.

use super::{parse, plan, Addressing, S3Settings};

const UNMODELLED: &[&str] = &[
    "endpoint",
    "key",
    "prefix",
    "copy_source",
    "use_object_lambda_endpoint",
    "use_s3_express_control_endpoint",
    "disable_s3_express_session_auth",
    "disable_access_points",
];

/// The outcome of one case.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Agree,
    OutOfScope,
    /// The parser refuses the input (exit 2) where the rules answer.
    ParserRefuses(String),
    Differ(String),
}

fn setting(v: bool, name: &str) -> Option<(bool, String)> {
    Some((v, format!("{name}={v}")))
}

pub(crate) fn run_case(case: &serde_json::Value) -> Outcome {
    let p = &case["params"];
    let Some(params) = p.as_object() else {
        return Outcome::OutOfScope;
    };
    if UNMODELLED.iter().any(|k| params.contains_key(*k)) {
        return Outcome::OutOfScope;
    }
    let (Some(region), Some(bucket)) = (p["region"].as_str(), p["bucket"].as_str()) else {
        return Outcome::OutOfScope;
    };
    let flag = |k: &str| p[k].as_bool();
    let settings = S3Settings {
        fips: flag("use_fips").and_then(|v| setting(v, "use_fips")),
        dualstack: flag("use_dual_stack").and_then(|v| setting(v, "use_dual_stack")),
        accelerate: flag("accelerate").and_then(|v| setting(v, "accelerate")),
        addressing: flag("force_path_style")
            .filter(|v| *v)
            .map(|_| (Addressing::Path, "force_path_style=true".to_string())),
        us_east_1_regional: flag("use_global_endpoint")
            .filter(|v| *v)
            .map(|_| (false, "use_global_endpoint=true".to_string())),
        use_arn_region: flag("use_arn_region").and_then(|v| setting(v, "use_arn_region")),
        disable_mrap: flag("disable_multi_region_access_points")
            .and_then(|v| setting(v, "disable_multi_region_access_points")),
        endpoint_override: None,
    };
    let want_url = case["url"].as_str();
    let r = match parse(bucket) {
        Ok(r) => r,
        Err(e) => {
            return match want_url {
                None => Outcome::Agree,
                Some(u) => Outcome::ParserRefuses(format!("{bucket}: {e} (rules: {u})")),
            }
        }
    };
    let planned = plan(&r, &settings, region, None);
    match (want_url, &planned.refused, planned.names.first()) {
        (None, Some(_), _) => Outcome::Agree,
        (None, None, got) => Outcome::Differ(format!(
            "rules refuse ({}), s3path plans {:?}",
            case["error"],
            got.map(|n| &n.host)
        )),
        (Some(u), Some(why), _) => Outcome::Differ(format!("rules: {u}, s3path refuses: {why}")),
        (Some(_), None, None) => Outcome::Differ("s3path plans no name".to_string()),
        (Some(u), None, Some(n)) => {
            let parts = crate::url::split(u);
            let host = parts.host_port.to_ascii_lowercase();
            let path_style = !matches!(parts.path(), "" | "/");
            if n.host == host && n.path_style == path_style {
                Outcome::Agree
            } else {
                Outcome::Differ(format!(
                    "rules: {u}, s3path: {}{}",
                    n.host,
                    if n.path_style { " (path style)" } else { "" }
                ))
            }
        }
    }
}

#[test]
fn the_rule_sets_own_cases() {
    let data: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/data/s3_endpoint_rule_tests.json"))
            .expect("the table parses");
    let cases = data["cases"].as_array().expect("cases");
    let mut agree = 0;
    let mut out = 0;
    let mut refused = Vec::new();
    let mut differ = Vec::new();
    for c in cases {
        let label = format!("{} ({})", c["name"], c["doc"]);
        match run_case(c) {
            Outcome::Agree => agree += 1,
            Outcome::OutOfScope => out += 1,
            Outcome::ParserRefuses(why) => refused.push(format!("{label}: {why}")),
            Outcome::Differ(why) => differ.push(format!("{label}: {why}")),
        }
    }
    eprintln!(
        "{} cases: {agree} agree, {} differ, {} refused by the parser, {out} out of scope",
        cases.len(),
        differ.len(),
        refused.len()
    );
    for r in &refused {
        eprintln!("refused: {r}");
    }
    for d in &differ {
        eprintln!("differ: {d}");
    }
    assert!(differ.is_empty(), "{} cases differ", differ.len());
    // The table is read and most of it is in scope (a parser or reader bug cannot pass it by
    // skipping everything).
    assert!(agree >= 130, "only {agree} cases agree");
}
