//! The AWS partitions (a leaf: it imports nothing of the crate): which partition a region
//! belongs to, its DNS suffixes and whether it has FIPS and dual-stack endpoints. The one table
//! behind S3 host names ([`crate::validate::partition_dns_suffix`]) and the endpoints of
//! s3path's own EC2, SSM and CloudWatch calls (`gather::endpoints`). A unit test checks it
//! against the partition metadata the AWS SDK crates ship (`partitions.json`, compiled into
//! `aws-sdk-s3`'s `endpoint_lib.rs`).

/// One partition, as the SDKs' partition metadata describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, …
    pub id: &'static str,
    /// The SDKs' `regionRegex`, as written in their metadata.
    pub region_regex: &'static str,
    /// What precedes `-WORD-DIGITS` in the region codes the regex matches (`us-iso`,
    /// `eusc-de`; the commercial partition lists its continents).
    pub prefixes: &'static [&'static str],
    pub dns_suffix: &'static str,
    pub dual_stack_dns_suffix: &'static str,
    pub supports_fips: bool,
    pub supports_dual_stack: bool,
}

/// Every partition; the commercial one first (it is also the answer for a region no regex
/// matches, as in the SDKs).
pub const PARTITIONS: [Partition; 8] = [
    Partition {
        id: "aws",
        region_regex: r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
        prefixes: &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
        supports_fips: true,
        supports_dual_stack: true,
    },
    Partition {
        id: "aws-cn",
        region_regex: r"^cn\-\w+\-\d+$",
        prefixes: &["cn"],
        dns_suffix: "amazonaws.com.cn",
        dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
        supports_fips: true,
        supports_dual_stack: true,
    },
    Partition {
        id: "aws-us-gov",
        region_regex: r"^us\-gov\-\w+\-\d+$",
        prefixes: &["us-gov"],
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
        supports_fips: true,
        supports_dual_stack: true,
    },
    Partition {
        id: "aws-iso",
        region_regex: r"^us\-iso\-\w+\-\d+$",
        prefixes: &["us-iso"],
        dns_suffix: "c2s.ic.gov",
        dual_stack_dns_suffix: "api.aws.ic.gov",
        supports_fips: true,
        supports_dual_stack: true,
    },
    Partition {
        id: "aws-iso-b",
        region_regex: r"^us\-isob\-\w+\-\d+$",
        prefixes: &["us-isob"],
        dns_suffix: "sc2s.sgov.gov",
        dual_stack_dns_suffix: "api.aws.scloud",
        supports_fips: true,
        supports_dual_stack: true,
    },
    Partition {
        id: "aws-iso-e",
        region_regex: r"^eu\-isoe\-\w+\-\d+$",
        prefixes: &["eu-isoe"],
        dns_suffix: "cloud.adc-e.uk",
        dual_stack_dns_suffix: "api.cloud-aws.adc-e.uk",
        supports_fips: true,
        supports_dual_stack: true,
    },
    Partition {
        id: "aws-iso-f",
        region_regex: r"^us\-isof\-\w+\-\d+$",
        prefixes: &["us-isof"],
        dns_suffix: "csp.hci.ic.gov",
        dual_stack_dns_suffix: "api.aws.hci.ic.gov",
        supports_fips: true,
        supports_dual_stack: true,
    },
    Partition {
        id: "aws-eusc",
        region_regex: r"^eusc\-(de)\-\w+\-\d+$",
        prefixes: &["eusc-de"],
        dns_suffix: "amazonaws.eu",
        dual_stack_dns_suffix: "api.amazonwebservices.eu",
        supports_fips: true,
        supports_dual_stack: true,
    },
];

/// Whether `region` is `PREFIX-WORD-DIGITS` (the SDKs' `^PREFIX\-\w+\-\d+$`).
fn matches(p: &Partition, region: &str) -> bool {
    p.prefixes.iter().any(|prefix| {
        let Some(rest) = region
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('-'))
        else {
            return false;
        };
        let Some((word, digits)) = rest.split_once('-') else {
            return false;
        };
        !word.is_empty()
            && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The partition of `region`: the one whose regex matches it, else the commercial partition
/// (what the SDKs answer for a region they do not know).
pub fn of(region: &str) -> &'static Partition {
    PARTITIONS
        .iter()
        .find(|p| matches(p, region))
        .unwrap_or(&PARTITIONS[0])
}

/// The partition named `id`.
pub fn by_id(id: &str) -> Option<&'static Partition> {
    PARTITIONS.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_map_to_their_partition() {
        for (region, id) in [
            ("us-east-1", "aws"),
            ("eu-west-1", "aws"),
            ("mx-central-1", "aws"),
            ("cn-north-1", "aws-cn"),
            ("us-gov-west-1", "aws-us-gov"),
            ("us-iso-east-1", "aws-iso"),
            ("us-isob-east-1", "aws-iso-b"),
            ("eu-isoe-west-1", "aws-iso-e"),
            ("us-isof-south-1", "aws-iso-f"),
            ("eusc-de-east-1", "aws-eusc"),
            ("xx-nowhere-1", "aws"),
            ("us-east-1a", "aws"),
        ] {
            assert_eq!(of(region).id, id, "{region}");
        }
    }

    /// The partition metadata compiled into the `aws-sdk-s3` crate this build uses (its
    /// `partitions.json`), when its source is in the cargo registry.
    fn sdk_partitions() -> Option<serde_json::Value> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let lock = std::fs::read_to_string(root.join("Cargo.lock")).ok()?;
        let version = lock
            .split("[[package]]")
            .find(|p| p.contains("name = \"aws-sdk-s3\""))?
            .lines()
            .find_map(|l| l.strip_prefix("version = \""))?
            .trim_end_matches('"')
            .to_string();
        let home = std::env::var("CARGO_HOME")
            .ok()
            .or_else(|| std::env::var("HOME").ok().map(|h| format!("{h}/.cargo")))?;
        let src = std::path::Path::new(&home).join("registry/src");
        for index in std::fs::read_dir(src).ok()?.flatten() {
            let file = index
                .path()
                .join(format!("aws-sdk-s3-{version}/src/endpoint_lib.rs"));
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let start = text.find("new_from_json(b\"")? + "new_from_json(b\"".len();
            let end = start + text[start..].find("\").expect")?;
            // A Rust byte string: only `\"` and `\\` are escaped in it.
            let mut json = String::new();
            let mut chars = text[start..end].chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    json.push(chars.next()?);
                } else {
                    json.push(c);
                }
            }
            return serde_json::from_str(&json).ok();
        }
        None
    }

    #[test]
    fn table_matches_the_sdk_partition_metadata() {
        let Some(meta) = sdk_partitions() else {
            eprintln!("skipped: the aws-sdk-s3 sources are not in the cargo registry");
            return;
        };
        let list = meta["partitions"].as_array().unwrap();
        assert_eq!(list.len(), PARTITIONS.len(), "partitions: {list:?}");
        for p in list {
            let id = p["id"].as_str().unwrap();
            let ours = by_id(id).unwrap_or_else(|| panic!("partition {id} is not in the table"));
            let out = &p["outputs"];
            assert_eq!(
                ours.region_regex,
                p["regionRegex"].as_str().unwrap(),
                "{id}"
            );
            assert_eq!(ours.dns_suffix, out["dnsSuffix"].as_str().unwrap(), "{id}");
            assert_eq!(
                ours.dual_stack_dns_suffix,
                out["dualStackDnsSuffix"].as_str().unwrap(),
                "{id}"
            );
            assert_eq!(
                ours.supports_fips,
                out["supportsFIPS"].as_bool().unwrap(),
                "{id}"
            );
            assert_eq!(
                ours.supports_dual_stack,
                out["supportsDualStack"].as_bool().unwrap(),
                "{id}"
            );
            // Every region the metadata lists (but the `aws-global`-style pseudo-regions)
            // maps to this partition.
            for region in p["regions"].as_object().unwrap().keys() {
                if region.ends_with("-global") {
                    continue;
                }
                assert_eq!(of(region).id, id, "{region}");
            }
        }
    }
}
