//! Consistency of the check registry with its documentation pages (like rustc's tidy check
//! for the error index).

use std::collections::BTreeSet;
use std::path::Path;

use s3path::checks::{self, REGISTRY};

const SECTIONS: [&str; 6] = [
    "## What it checks",
    "## Why it matters",
    "## How to fix",
    "## Example finding",
    "## Facts used",
    "## Known false positives",
];

#[test]
fn ids_are_unique_sorted_and_well_formed() {
    let ids: Vec<&str> = REGISTRY.iter().map(|c| c.meta().id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        ids, sorted,
        "registry must be sorted by id without duplicates"
    );
    for id in &ids {
        assert!(
            id.len() == 6 && id.starts_with("S3P") && id[3..].bytes().all(|b| b.is_ascii_digit()),
            "{id} is not S3P + three digits"
        );
    }
    let names: BTreeSet<&str> = REGISTRY.iter().map(|c| c.meta().name).collect();
    assert_eq!(names.len(), REGISTRY.len(), "check names must be unique");
}

#[test]
fn names_and_summaries_follow_the_house_style() {
    for c in REGISTRY {
        let m = c.meta();
        assert!(
            m.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !m.name.starts_with('-')
                && !m.name.ends_with('-'),
            "{}: name {:?} is not kebab-case",
            m.id,
            m.name
        );
        // Lower-case start, like clippy's lint descriptions; acronyms (TCP, HTTPS, S3) are fine.
        let mut chars = m.summary.chars();
        let (a, b) = (chars.next().unwrap(), chars.next().unwrap());
        assert!(
            !(a.is_uppercase() && b.is_lowercase()),
            "{}: summary starts with a capitalised word",
            m.id
        );
        assert!(
            !m.summary.ends_with('.'),
            "{}: summary ends with a period",
            m.id
        );
    }
}

#[test]
fn every_check_has_a_page_and_every_page_a_check() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("checks");
    let pages: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let wanted: BTreeSet<String> = REGISTRY
        .iter()
        .map(|c| format!("{}.md", c.meta().id))
        .collect();
    assert_eq!(pages, wanted, "checks/ pages and registry differ");
    for c in REGISTRY {
        let m = c.meta();
        let on_disk = std::fs::read_to_string(dir.join(format!("{}.md", m.id))).unwrap();
        assert_eq!(
            on_disk, m.doc,
            "{}: embedded page differs from checks/{}.md",
            m.id, m.id
        );
        let title = format!("# {}: {}\n", m.id, m.name);
        assert!(
            m.doc.starts_with(&title),
            "{}: page must start with {title:?}",
            m.id
        );
        let header = format!(
            "Category: {} · Default severity: {}",
            m.category.as_str(),
            m.severity.as_str()
        );
        assert!(
            m.doc.contains(&header),
            "{}: page must say {header:?}",
            m.id
        );
        let mut last = 0;
        for s in SECTIONS {
            let at = m
                .doc
                .find(s)
                .unwrap_or_else(|| panic!("{}: page lacks {s:?}", m.id));
            assert!(at > last, "{}: {s:?} is out of order", m.id);
            last = at;
        }
        assert!(
            m.doc.contains(&format!("{} {}", m.id, m.name)),
            "{}: example finding must show the id and name",
            m.id
        );
    }
}

#[test]
fn lookup_by_id_number_and_name() {
    assert_eq!(
        checks::find("S3P103").unwrap().meta().name,
        "s3-via-nat-gateway"
    );
    assert_eq!(checks::find("s3p103").unwrap().meta().id, "S3P103");
    assert_eq!(checks::find("103").unwrap().meta().id, "S3P103");
    assert_eq!(checks::find("4").unwrap().meta().id, "S3P004");
    assert_eq!(checks::find("04").unwrap().meta().id, "S3P004");
    assert!(checks::find("1030").is_none());
    // explain says a preview check is one, under its title; a stable page is the page.
    for c in checks::REGISTRY {
        let m = c.meta();
        let page = m.page();
        assert_eq!(page.lines().next(), m.doc.lines().next(), "{}", m.id);
        match m.status {
            checks::Status::Stable => assert_eq!(page, m.doc),
            checks::Status::Preview => assert!(page.contains("--preview"), "{}", m.id),
            checks::Status::Retired => assert!(page.contains("retired"), "{}", m.id),
        }
    }
    assert_eq!(
        checks::find("s3-via-nat-gateway").unwrap().meta().id,
        "S3P103"
    );
    assert!(checks::find("S3P999").is_none());
}

/// The whole set of codes, so that additions and changes show up in review (`cargo insta
/// review` after a deliberate change); never reuse or renumber an ID.
#[test]
fn code_set_snapshot() {
    let mut text = String::new();
    for c in REGISTRY {
        let m = c.meta();
        text.push_str(&format!(
            "{} {} {} {} {}\n",
            m.id,
            m.name,
            m.category.as_str(),
            m.severity.as_str(),
            m.status.as_str()
        ));
    }
    insta::assert_snapshot!("checks", text);
}

/// docs/iam-policy.json grants exactly the actions the EC2 and S3 gatherers use, all read-only.
#[test]
fn iam_policy_matches_the_gatherer() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/iam-policy.json");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut granted: Vec<&str> = doc["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let mut used = s3path::gather::ec2::ACTIONS.to_vec();
    used.extend(s3path::gather::private_dns::ACTIONS);
    granted.sort();
    used.sort();
    assert_eq!(granted, used);
    assert!(used.iter().all(|a| a.starts_with("ec2:Describe")
        || a.starts_with("ec2:Get")
        || *a == "ec2:SearchTransitGatewayRoutes"
        || a.starts_with("route53:List")
        || a.starts_with("route53resolver:List")));
    // The bucket requests: HeadBucket and ListObjectsV2 need s3:ListBucket, HeadObject
    // s3:GetObject, GetBucketPolicy s3:GetBucketPolicy. Nothing that writes.
    let mut s3_granted: Vec<&str> = doc["Statement"][1]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let mut s3_used = s3path::gather::s3::ACTIONS.to_vec();
    s3_granted.sort();
    s3_used.sort();
    assert_eq!(s3_granted, s3_used);
    assert!(s3_used
        .iter()
        .all(|a| a.starts_with("s3:Get") || a.starts_with("s3:List")));
    // audit --cost: CloudWatch metrics, read-only.
    let cost_granted: Vec<&str> = doc["Statement"][2]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(cost_granted, s3path::gather::audit::COST_ACTIONS.to_vec());
}

/// docs/iam-policy-hub.json (the `--hub-role-arn` role) grants exactly what the far side of a
/// transit gateway is read with: read-only, and a subset of what docs/iam-policy.json grants.
#[test]
fn hub_iam_policy_matches_the_far_side_gatherer() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/iam-policy-hub.json");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(doc["Statement"].as_array().map(Vec::len), Some(1));
    let mut granted: Vec<&str> = doc["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let mut used = s3path::gather::transit::FAR_ACTIONS.to_vec();
    granted.sort();
    used.sort();
    assert_eq!(granted, used);
    let mut all = s3path::gather::ec2::ACTIONS.to_vec();
    all.extend(s3path::gather::private_dns::ACTIONS);
    for a in &used {
        assert!(all.contains(a), "{a} is not a gatherer's action");
        assert!(
            a.starts_with("ec2:Describe")
                || a.starts_with("ec2:Get")
                || *a == "ec2:SearchTransitGatewayRoutes"
                || a.starts_with("route53:List"),
            "{a} is not read-only"
        );
    }
}

/// docs/iam-policy-fleet.json grants exactly what `fleet` calls; nothing else in s3path writes.
#[test]
fn fleet_policy_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/iam-policy-fleet.json");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let actions = |i: usize| -> Vec<String> {
        let mut a: Vec<String> = doc["Statement"][i]["Action"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        a.sort();
        a
    };
    let mut used: Vec<String> = s3path::gather::fleet::ACTIONS
        .iter()
        .map(|a| a.to_string())
        .collect();
    used.sort();
    assert_eq!(actions(0), used);
    assert_eq!(actions(1), s3path::gather::fleet::OUTPUT_ACTIONS.to_vec());
    // SendCommand is the only write, and it is in this policy only.
    let main: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/iam-policy.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(!main.to_string().contains("ssm:"));
}
