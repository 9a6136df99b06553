//! Every `--bucket` form, table-driven through the binary (`s3path names`): what the input
//! names, the host names planned for it (with the application settings each row sets), and the
//! exit code — 2 with one line on stderr for the malformed ones. The same parser guards
//! `doctor`, `route` and facts files (the last rows check that).

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_s3path");

/// `(input, settings env, expected kind, expected hosts)`; kind `None` = refused, exit 2.
type Row = (
    &'static str,
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
    &'static [&'static str],
);

type Env = &'static [(&'static str, &'static str)];

const NONE: &[(&str, &str)] = &[];
const FIPS: &[(&str, &str)] = &[("AWS_USE_FIPS_ENDPOINT", "true")];
const DUAL: &[(&str, &str)] = &[("AWS_USE_DUALSTACK_ENDPOINT", "true")];
const FIPS_DUAL: &[(&str, &str)] = &[
    ("AWS_USE_FIPS_ENDPOINT", "true"),
    ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
];
const LEGACY: &[(&str, &str)] = &[("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT", "legacy")];
const NO_ARN_REGION: &[(&str, &str)] = &[("AWS_S3_USE_ARN_REGION", "false")];
const OVERRIDE: &[(&str, &str)] = &[("AWS_ENDPOINT_URL_S3", "https://minio.internal:9000")];

const AP: &str = "arn:aws:s3:eu-west-1:123456789012:accesspoint/reports";

const TABLE: &[Row] = &[
    // general-purpose buckets, bare and as s3:// URIs
    (
        "logs",
        NONE,
        Some("bucket"),
        &["logs.s3.eu-west-1.amazonaws.com"],
    ),
    (
        "my.dotted.bucket",
        NONE,
        Some("bucket"),
        &["s3.eu-west-1.amazonaws.com"],
    ),
    (
        "s3://logs",
        NONE,
        Some("bucket"),
        &["logs.s3.eu-west-1.amazonaws.com"],
    ),
    (
        "s3://logs/2026/11/a.csv",
        NONE,
        Some("bucket"),
        &["logs.s3.eu-west-1.amazonaws.com"],
    ),
    (
        "arn:aws:s3:::logs",
        NONE,
        Some("bucket"),
        &["logs.s3.eu-west-1.amazonaws.com"],
    ),
    // the application's settings
    (
        "logs",
        FIPS,
        Some("bucket"),
        &["logs.s3-fips.eu-west-1.amazonaws.com"],
    ),
    (
        "logs",
        DUAL,
        Some("bucket"),
        &["logs.s3.dualstack.eu-west-1.amazonaws.com"],
    ),
    (
        "logs",
        FIPS_DUAL,
        Some("bucket"),
        &["logs.s3-fips.dualstack.eu-west-1.amazonaws.com"],
    ),
    ("logs", OVERRIDE, Some("bucket"), &["minio.internal"]),
    // https:// URLs name their host
    (
        "https://logs.s3.eu-west-1.amazonaws.com/a.csv",
        NONE,
        Some("bucket"),
        &["logs.s3.eu-west-1.amazonaws.com"],
    ),
    (
        "https://s3.eu-west-1.amazonaws.com/logs/a.csv",
        NONE,
        Some("bucket"),
        &["s3.eu-west-1.amazonaws.com"],
    ),
    (
        "https://logs.s3.dualstack.us-west-2.amazonaws.com/",
        NONE,
        Some("bucket"),
        &["logs.s3.dualstack.us-west-2.amazonaws.com"],
    ),
    (
        "https://logs.s3-fips.us-east-1.amazonaws.com/k",
        NONE,
        Some("bucket"),
        &["logs.s3-fips.us-east-1.amazonaws.com"],
    ),
    (
        "https://logs.s3-fips.dualstack.us-east-1.amazonaws.com/k",
        NONE,
        Some("bucket"),
        &["logs.s3-fips.dualstack.us-east-1.amazonaws.com"],
    ),
    (
        "https://logs.s3-eu-west-1.amazonaws.com/k",
        NONE,
        Some("bucket"),
        &["logs.s3-eu-west-1.amazonaws.com"],
    ),
    (
        "https://logs.s3.amazonaws.com/k",
        NONE,
        Some("bucket"),
        &["logs.s3.amazonaws.com"],
    ),
    (
        "https://s3.amazonaws.com/logs/k",
        NONE,
        Some("bucket"),
        &["s3.amazonaws.com"],
    ),
    (
        "http://logs.s3-website-eu-west-1.amazonaws.com/index.html",
        NONE,
        Some("bucket"),
        &["logs.s3-website-eu-west-1.amazonaws.com"],
    ),
    (
        "http://logs.s3-website.eu-central-1.amazonaws.com/",
        NONE,
        Some("bucket"),
        &["logs.s3-website.eu-central-1.amazonaws.com"],
    ),
    (
        "https://logs.s3-accelerate.amazonaws.com/big.bin",
        NONE,
        Some("bucket"),
        &["logs.s3-accelerate.amazonaws.com"],
    ),
    (
        "https://logs.s3-accelerate.dualstack.amazonaws.com/",
        NONE,
        Some("bucket"),
        &["logs.s3-accelerate.dualstack.amazonaws.com"],
    ),
    (
        "https://logs.s3.cn-north-1.amazonaws.com.cn/k",
        NONE,
        Some("bucket"),
        &["logs.s3.cn-north-1.amazonaws.com.cn"],
    ),
    (
        "https://logs.s3.eu-west-1.amazonaws.com/k?X-Amz-Signature=abc&X-Amz-Credential=AKIA",
        NONE,
        Some("bucket"),
        &["logs.s3.eu-west-1.amazonaws.com"],
    ),
    (
        "https://bucket.vpce-0a1b-2c3d.s3.eu-west-1.vpce.amazonaws.com/logs/k",
        NONE,
        Some("bucket"),
        &["bucket.vpce-0a1b-2c3d.s3.eu-west-1.vpce.amazonaws.com"],
    ),
    // access points
    (
        AP,
        NONE,
        Some("access-point"),
        &["reports-123456789012.s3-accesspoint.eu-west-1.amazonaws.com"],
    ),
    (
        "arn:aws:s3:us-west-2:123456789012:accesspoint/reports",
        NONE,
        Some("access-point"),
        &["reports-123456789012.s3-accesspoint.us-west-2.amazonaws.com"],
    ),
    (
        "arn:aws:s3:us-west-2:123456789012:accesspoint/reports",
        NO_ARN_REGION,
        Some("access-point"),
        &[],
    ),
    (
        AP,
        FIPS_DUAL,
        Some("access-point"),
        &["reports-123456789012.s3-accesspoint-fips.dualstack.eu-west-1.amazonaws.com"],
    ),
    (
        "s3://arn:aws:s3:eu-west-1:123456789012:accesspoint/reports/a/b.csv",
        NONE,
        Some("access-point"),
        &["reports-123456789012.s3-accesspoint.eu-west-1.amazonaws.com"],
    ),
    (
        "https://reports-123456789012.s3-accesspoint.eu-west-1.amazonaws.com/k",
        NONE,
        Some("access-point"),
        &["reports-123456789012.s3-accesspoint.eu-west-1.amazonaws.com"],
    ),
    (
        "reports-abc123def456ghi789jkl012mno345pq-s3alias",
        NONE,
        Some("access-point-alias"),
        &["reports-abc123def456ghi789jkl012mno345pq-s3alias.s3.eu-west-1.amazonaws.com"],
    ),
    // Multi-Region Access Points
    (
        "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap",
        NONE,
        Some("multi-region-access-point"),
        &["mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com"],
    ),
    (
        "mfzwi23gnjvgw.mrap",
        NONE,
        Some("multi-region-access-point"),
        &["mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com"],
    ),
    (
        "https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/k",
        NONE,
        Some("multi-region-access-point"),
        &["mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com"],
    ),
    (
        "mfzwi23gnjvgw.mrap",
        FIPS,
        Some("multi-region-access-point"),
        &[],
    ),
    // directory buckets
    (
        "logs--euw1-az1--x-s3",
        NONE,
        Some("directory-bucket"),
        &["logs--euw1-az1--x-s3.s3express-euw1-az1.eu-west-1.amazonaws.com"],
    ),
    (
        "logs--euw1-az1--x-s3",
        DUAL,
        Some("directory-bucket"),
        &["logs--euw1-az1--x-s3.s3express-euw1-az1.dualstack.eu-west-1.amazonaws.com"],
    ),
    (
        "arn:aws:s3express:us-west-2:123456789012:bucket/logs--usw2-az1--x-s3",
        NONE,
        Some("directory-bucket"),
        &["logs--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com"],
    ),
    (
        "https://logs--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com/k",
        NONE,
        Some("directory-bucket"),
        &["logs--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com"],
    ),
    (
        "s3://logs--euw1-az1--x-s3/k",
        NONE,
        Some("directory-bucket"),
        &["logs--euw1-az1--x-s3.s3express-euw1-az1.eu-west-1.amazonaws.com"],
    ),
    // Object Lambda
    (
        "arn:aws:s3-object-lambda:eu-west-1:123456789012:accesspoint/redact",
        NONE,
        Some("object-lambda"),
        &["redact-123456789012.s3-object-lambda.eu-west-1.amazonaws.com"],
    ),
    (
        "https://redact-123456789012.s3-object-lambda.eu-west-1.amazonaws.com/k",
        NONE,
        Some("object-lambda"),
        &["redact-123456789012.s3-object-lambda.eu-west-1.amazonaws.com"],
    ),
    (
        "redact-abcdefghijklmnopqrstuvwxyz0123--ol-s3",
        NONE,
        Some("object-lambda"),
        &["redact-abcdefghijklmnopqrstuvwxyz0123--ol-s3.s3.eu-west-1.amazonaws.com"],
    ),
    // malformed: exit 2, one line
    ("", NONE, None, &[]),
    ("My_Bucket", NONE, None, &[]),
    ("ab", NONE, None, &[]),
    ("logs bucket", NONE, None, &[]),
    ("s3://", NONE, None, &[]),
    ("ftp://logs.s3.amazonaws.com/", NONE, None, &[]),
    ("https://minio.internal:9000/logs", NONE, None, &[]),
    (
        "https://user:secret@logs.s3.eu-west-1.amazonaws.com/",
        NONE,
        None,
        &[],
    ),
    (
        "arn:aws:s3:eu-west-1:1234:accesspoint/reports",
        NONE,
        None,
        &[],
    ),
    (
        "arn:aws:s3:eu-west-1:123456789012:bucket/reports",
        NONE,
        None,
        &[],
    ),
    (
        "arn:aws:s3:mars-1:123456789012:accesspoint/reports",
        NONE,
        None,
        &[],
    ),
    (
        "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01/accesspoint/ap",
        NONE,
        None,
        &[],
    ),
    (
        "arn:aws:dynamodb:us-west-2:123456789012:table/t",
        NONE,
        None,
        &[],
    ),
    ("logs--zone--x-s3", NONE, None, &[]),
    ("logs.bucket--usw2-az1--x-s3", NONE, None, &[]),
    ("Upper.mrap", NONE, None, &[]),
    (
        "https://logs--usw2-az1--x-s3.s3express-usw2-az3.us-west-2.amazonaws.com/",
        NONE,
        None,
        &[],
    ),
    ("https://s3.eu-west-1.amazonaws.com/", NONE, None, &[]),
];

fn names(input: &str, env: &[(&str, &str)], region: &str) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    let mut c = std::process::Command::new(BIN);
    c.env_clear()
        .env("HOME", home.path())
        .env("PATH", "/usr/bin:/bin")
        .args(["names", "--region", region, "--format", "json", "--", input]);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[test]
fn every_form_is_classified_and_planned() {
    assert!(TABLE.len() >= 40, "the table covers {} inputs", TABLE.len());
    let mut failures = Vec::new();
    for (input, env, kind, hosts) in TABLE {
        let out = names(input, env, "eu-west-1");
        let stderr = String::from_utf8_lossy(&out.stderr);
        match kind {
            None => {
                if out.status.code() != Some(2)
                    || stderr.lines().count() != 1
                    || !stderr.contains("--bucket")
                {
                    failures.push(format!(
                        "{input:?}: expected exit 2 with one line, got {:?}: {stderr}",
                        out.status.code()
                    ));
                }
                // A refused URL's credentials never appear.
                assert!(!stderr.contains("secret"), "{stderr}");
            }
            Some(kind) => {
                if out.status.code() != Some(0) {
                    failures.push(format!("{input:?}: exit {:?}: {stderr}", out.status.code()));
                    continue;
                }
                let v: Value = serde_json::from_slice(&out.stdout).unwrap();
                let row = &v["names"][0];
                let got_hosts: Vec<&str> = row["names"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n["host"].as_str().unwrap())
                    .collect();
                if row["kind"] != *kind || got_hosts != *hosts {
                    failures.push(format!(
                        "{input:?} {env:?}: kind {} hosts {got_hosts:?}, expected {kind} {hosts:?}",
                        row["kind"]
                    ));
                }
                if hosts.is_empty() && row["refused"].as_str().is_none_or(str::is_empty) {
                    failures.push(format!("{input:?}: no names and no reason"));
                }
                // Query strings (presigned signatures) are never echoed back.
                let text = String::from_utf8_lossy(&out.stdout);
                assert!(!text.contains("X-Amz-Signature"), "{text}");
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_legacy_global_setting_applies_in_us_east_1_only() {
    let host = |region: &str| {
        let out = names("logs", LEGACY, region);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["names"][0]["names"][0]["host"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(host("us-east-1"), "logs.s3.amazonaws.com");
    assert_eq!(host("eu-west-1"), "logs.s3.eu-west-1.amazonaws.com");
}

#[test]
fn doctor_and_route_refuse_the_same_inputs() {
    for input in ["My_Bucket", "arn:aws:s3:eu-west-1:1234:accesspoint/x"] {
        for cmd in [
            vec!["doctor", "--region", "eu-west-1", "--bucket", input],
            vec![
                "route",
                "--region",
                "eu-west-1",
                "--subnet-id",
                "subnet-0a1b2c3d",
                "--bucket",
                input,
            ],
        ] {
            let out = std::process::Command::new(BIN)
                .args(&cmd)
                .env_remove("AWS_ENDPOINT_URL_EC2")
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{cmd:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(stderr.starts_with("s3path: --bucket"), "{stderr}");
        }
    }
}

/// docs/s3-names.md carries every row of the compatibility table with its source.
#[test]
fn the_docs_page_cites_every_row() {
    let page =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/s3-names.md")).unwrap();
    for f in &s3path::names::sdk::FAMILIES {
        assert!(
            page.contains(f.source) && page.contains(&format!("`{}`", f.id)),
            "docs/s3-names.md lacks the row of {} ({})",
            f.id,
            f.source
        );
    }
    for c in &s3path::names::COMPAT {
        assert!(
            page.contains(c.source),
            "docs/s3-names.md lacks {}",
            c.source
        );
    }
    let out = std::process::Command::new(BIN)
        .args([
            "names",
            "--region",
            "eu-west-1",
            "--format",
            "json",
            "app-data",
        ])
        .env_remove("AWS_USE_FIPS_ENDPOINT")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["names"][0]["compat"][0]["host_kind"], "regional");
}

/// The examples, planned by aws-sdk-s3's endpoint rules: `(input, env, profile's
/// s3 settings, region, the host, or a part of the refusal)`.
#[test]
fn the_endpoint_rules_decide_names_and_refusals() {
    type Rule = (
        &'static str,
        Env,
        &'static str,
        &'static str,
        Result<&'static str, &'static str>,
    );
    let rows: &[Rule] = &[
        (
            "logs",
            FIPS,
            "",
            "cn-north-1",
            Err("Partition does not support FIPS"),
        ),
        (
            "logs",
            NONE,
            "use_accelerate_endpoint = true",
            "cn-north-1",
            Err("S3 Accelerate cannot be used in this region"),
        ),
        (
            "logs",
            NONE,
            "use_accelerate_endpoint = true",
            "eu-west-1",
            Ok("logs.s3-accelerate.amazonaws.com"),
        ),
        (
            "logs--euw1-az1--x-s3",
            NONE,
            "addressing_style = path",
            "eu-west-1",
            Ok("logs--euw1-az1--x-s3.s3express-euw1-az1.eu-west-1.amazonaws.com"),
        ),
        (
            "logs",
            NONE,
            "addressing_style = path",
            "eu-west-1",
            Ok("s3.eu-west-1.amazonaws.com"),
        ),
        (
            "arn:aws-cn:s3:cn-north-1:123456789012:accesspoint/reports",
            NONE,
            "",
            "eu-west-1",
            Err("Client was configured for partition `aws` but ARN"),
        ),
        (
            "arn:aws:s3:us-west-2:123456789012:accesspoint/reports",
            NO_ARN_REGION,
            "",
            "eu-west-1",
            Err("UseArnRegion is `false`"),
        ),
        (
            "arn:aws:s3:us-west-2:123456789012:accesspoint/reports",
            NONE,
            "",
            "eu-west-1",
            Ok("reports-123456789012.s3-accesspoint.us-west-2.amazonaws.com"),
        ),
        (
            "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap",
            FIPS,
            "",
            "eu-west-1",
            Err("S3 MRAP does not support FIPS"),
        ),
        (
            "logs",
            FIPS_DUAL,
            "",
            "us-gov-west-1",
            Ok("logs.s3-fips.dualstack.us-gov-west-1.amazonaws.com"),
        ),
        ("logs", LEGACY, "", "us-east-1", Ok("logs.s3.amazonaws.com")),
        (
            "logs",
            NONE,
            "",
            "us-iso-east-1",
            Ok("logs.s3.us-iso-east-1.c2s.ic.gov"),
        ),
    ];
    let mut failures = Vec::new();
    for (input, env, profile, region, want) in rows {
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join("config");
        std::fs::write(&config, format!("[default]\ns3 =\n  {profile}\n")).unwrap();
        let mut c = std::process::Command::new(BIN);
        c.env_clear()
            .env("HOME", home.path())
            .env("PATH", "/usr/bin:/bin")
            .env("AWS_CONFIG_FILE", &config)
            .args(["names", "--region", region, "--format", "json", "--", input]);
        for (k, v) in *env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let row = &v["names"][0];
        let host = row["names"][0]["host"].as_str();
        let refused = row["refused"].as_str();
        let ok = match want {
            Ok(h) => host == Some(*h) && refused.is_none(),
            Err(why) => host.is_none() && refused.is_some_and(|r| r.contains(why)),
        };
        if !ok {
            failures.push(format!(
                "{input} {env:?} [{profile}] in {region}: host {host:?} refused {refused:?}, expected {want:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `--sdk` plans as one family; without it, each family's name where they differ (us-east-1
/// only); an unknown family is refused with one line.
#[test]
fn each_sdk_family_has_its_name() {
    let run = |args: &[&str]| {
        let home = tempfile::tempdir().unwrap();
        std::process::Command::new(BIN)
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", "/usr/bin:/bin")
            .args(["names", "--format", "json"])
            .args(args)
            .output()
            .unwrap()
    };
    let json = |args: &[&str]| -> Value {
        let out = run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let host = |v: &Value| {
        v["names"][0]["names"][0]["host"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for (sdk, want) in [
        ("boto3", "logs.s3.amazonaws.com"),
        ("cli-v1", "logs.s3.amazonaws.com"),
        ("dotnet", "logs.s3.amazonaws.com"),
        ("cli-v2", "logs.s3.us-east-1.amazonaws.com"),
        ("go-v2", "logs.s3.us-east-1.amazonaws.com"),
        ("rust", "logs.s3.us-east-1.amazonaws.com"),
    ] {
        let v = json(&["--region", "us-east-1", "--sdk", sdk, "logs"]);
        assert_eq!(host(&v), want, "{sdk}");
        assert_eq!(v["names"][0]["sdk"], sdk);
        // The setting moves only the families that read it.
        let out = {
            let home = tempfile::tempdir().unwrap();
            std::process::Command::new(BIN)
                .env_clear()
                .env("HOME", home.path())
                .env("PATH", "/usr/bin:/bin")
                .env("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT", "regional")
                .args([
                    "names",
                    "--format",
                    "json",
                    "--region",
                    "us-east-1",
                    "--sdk",
                    sdk,
                ])
                .arg("logs")
                .output()
                .unwrap()
        };
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            host(&v),
            "logs.s3.us-east-1.amazonaws.com",
            "{sdk} regional"
        );
    }
    let v = json(&["--region", "us-east-1", "logs"]);
    let groups = v["names"][0]["by_sdk"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{v}");
    let v = json(&["--region", "eu-west-1", "logs"]);
    assert!(v["names"][0].get("by_sdk").is_none(), "{v}");
    // doctor and route refuse an unknown family before gathering anything.
    for cmd in [
        vec!["doctor", "--region", "us-east-1", "--sdk", "cobol"],
        vec![
            "route",
            "--region",
            "us-east-1",
            "--subnet-id",
            "subnet-0a1b2c3d",
            "--sdk",
            "cobol",
        ],
    ] {
        let out = std::process::Command::new(BIN).args(&cmd).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd:?}: {stderr}");
        assert!(stderr.contains("--sdk 'cobol'"), "{stderr}");
    }
    let out = run(&["--region", "us-east-1", "--sdk", "cobol", "logs"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--sdk 'cobol'"), "{stderr}");
}
