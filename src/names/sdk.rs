//! [`FAMILIES`]: the SDK families whose S3 names differ for the same input and settings, and
//! [`by_family`]: each family's name for an input.
//!
//! The only difference the families have today is us-east-1: some default to the legacy global
//! name `s3.amazonaws.com` (the rules' `UseGlobalEndpoint`), the others to the regional
//! `s3.us-east-1.amazonaws.com`; some read `AWS_S3_US_EAST_1_REGIONAL_ENDPOINT` /
//! `s3_us_east_1_regional_endpoint` to change it, the others ignore it. Everything else is the
//! one rule set every SDK generates its resolver from ([`super::plan`]). docs/s3-names.md cites
//! each row's source.

use super::parse::S3Ref;
pub use super::plan::SdkName;
use super::plan::{plan, NamePlan, PlannedName, S3Settings};

/// One SDK family and how it names S3 in us-east-1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdkFamily {
    /// The `--sdk` value (`boto3`, `go-v2`, …).
    pub id: &'static str,
    pub label: &'static str,
    /// With region us-east-1 and no setting, the legacy global name.
    pub us_east_1_global: bool,
    /// Reads `AWS_S3_US_EAST_1_REGIONAL_ENDPOINT` / `s3_us_east_1_regional_endpoint`.
    pub reads_setting: bool,
    /// Where the default is documented.
    pub source: &'static str,
}

const fn family(
    id: &'static str,
    label: &'static str,
    us_east_1_global: bool,
    reads_setting: bool,
    source: &'static str,
) -> SdkFamily {
    SdkFamily {
        id,
        label,
        us_east_1_global,
        reads_setting,
        source,
    }
}

/// Every family s3path knows, in the order reports list them.
pub const FAMILIES: [SdkFamily; 11] = [
    family("boto3", "boto3 (Python)", true, true, "https://github.com/boto/boto3/issues/4696"),
    family("cli-v1", "AWS CLI v1", true, true, "https://github.com/aws/aws-cli/pull/9775"),
    family("java-v1", "AWS SDK for Java 1.x", true, true, "https://github.com/aws/aws-sdk-java/pull/1412"),
    family("java-v2", "AWS SDK for Java 2.x", true, true, "https://docs.amazonaws.cn/sdk-for-java/latest/reference/software/amazon/awssdk/regions/ServiceMetadataAdvancedOption.html"),
    family("js-v2", "AWS SDK for JavaScript v2", true, true, "https://github.com/aws/aws-sdk-js-v3/issues/1845"),
    family("go-v1", "AWS SDK for Go v1", true, true, "https://github.com/aws/aws-sdk-go/pull/2938"),
    family("dotnet", "AWS SDK for .NET", true, true, "https://docs.aws.amazon.com/sdkfornet/v3/apidocs/items/Runtime/TS3UsEast1RegionalEndpointValue.html"),
    family("cli-v2", "AWS CLI v2", false, false, "https://github.com/aws/aws-cli/pull/9775"),
    family("js-v3", "AWS SDK for JavaScript v3", false, false, "https://github.com/aws/aws-sdk-js-v3/issues/1552"),
    family("go-v2", "AWS SDK for Go v2", false, false, "https://github.com/hashicorp/terraform-provider-aws/issues/33028"),
    family("rust", "AWS SDK for Rust", false, false, "https://docs.rs/aws-sdk-s3/latest/aws_sdk_s3/config/endpoint/struct.Params.html"),
];

/// The family of an `--sdk` value.
pub fn family_of(id: &str) -> Option<&'static SdkFamily> {
    FAMILIES.iter().find(|f| f.id.eq_ignore_ascii_case(id))
}

/// The `--sdk` values, for messages.
pub fn family_ids() -> String {
    FAMILIES.iter().map(|f| f.id).collect::<Vec<_>>().join(", ")
}

impl SdkFamily {
    /// The settings as this family reads them: the us-east-1 setting where the family reads
    /// it, else the family's own default.
    pub fn settings(&self, s: &S3Settings) -> S3Settings {
        let mut out = s.clone();
        out.us_east_1_regional = match (&s.us_east_1_regional, self.reads_setting) {
            (Some(set), true) => Some(set.clone()),
            _ => Some((
                !self.us_east_1_global,
                format!(
                    "{}'s default ({})",
                    self.label,
                    if self.us_east_1_global {
                        "the legacy global name in us-east-1"
                    } else {
                        "the regional name"
                    }
                ),
            )),
        };
        out
    }
}

/// The names the families use for `r`, grouped: one entry per distinct name (or refusal).
pub fn by_family(
    r: &S3Ref,
    s: &S3Settings,
    client_region: &str,
    bucket_region: Option<&str>,
) -> Vec<SdkName> {
    let mut out: Vec<SdkName> = Vec::new();
    for f in &FAMILIES {
        let p: NamePlan = plan(r, &f.settings(s), client_region, bucket_region);
        let name = p.names.into_iter().next();
        match out
            .iter_mut()
            .find(|g| g.name == name && g.refused == p.refused)
        {
            Some(g) => g.families.push(f.id.to_string()),
            None => out.push(SdkName {
                families: vec![f.id.to_string()],
                name,
                refused: p.refused,
            }),
        }
    }
    out
}

/// The service name each family uses in `region` (no bucket), grouped as [`by_family`].
pub fn service_by_family(s: &S3Settings, region: &str) -> Vec<SdkName> {
    let mut out: Vec<SdkName> = Vec::new();
    for f in &FAMILIES {
        let (name, refused) = match super::plan::service_host(&f.settings(s), region) {
            Ok(host) => (
                super::kinds::host_kind(&host).map(|(kind, r)| PlannedName {
                    host,
                    host_kind: kind,
                    region: r,
                    path_style: false,
                }),
                None,
            ),
            Err(e) => (None, Some(e)),
        };
        match out
            .iter_mut()
            .find(|g| g.name == name && g.refused == refused)
        {
            Some(g) => g.families.push(f.id.to_string()),
            None => out.push(SdkName {
                families: vec![f.id.to_string()],
                name,
                refused,
            }),
        }
    }
    out
}

/// Plans `r` as `sdk` does (a known `--sdk` value), or with the settings as read when `sdk` is
/// `None` (or unknown); with `None`, `by_sdk` lists the families' names when they differ.
pub fn plan_for(
    r: &S3Ref,
    s: &S3Settings,
    client_region: &str,
    bucket_region: Option<&str>,
    sdk: Option<&str>,
) -> NamePlan {
    match sdk.and_then(family_of) {
        Some(f) => {
            let mut p = plan(r, &f.settings(s), client_region, bucket_region);
            p.sdk = Some(f.id.to_string());
            p
        }
        None => {
            let mut p = plan(r, s, client_region, bucket_region);
            let groups = by_family(r, s, client_region, bucket_region);
            if groups.len() > 1 {
                p.by_sdk = groups;
            }
            p
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(region: &str, s: &S3Settings) -> Vec<(Vec<String>, String)> {
        let r = crate::names::parse("logs").unwrap();
        by_family(&r, s, region, None)
            .into_iter()
            .map(|g| (g.families, g.name.unwrap().host))
            .collect()
    }

    #[test]
    fn us_east_1_splits_the_families_and_other_regions_do_not() {
        let g = hosts("us-east-1", &S3Settings::default());
        assert_eq!(g.len(), 2, "{g:?}");
        assert_eq!(g[0].1, "logs.s3.amazonaws.com");
        assert!(g[0].0.contains(&"boto3".to_string()));
        assert_eq!(g[1].1, "logs.s3.us-east-1.amazonaws.com");
        assert!(g[1].0.contains(&"go-v2".to_string()));
        assert_eq!(g[0].0.len() + g[1].0.len(), FAMILIES.len());
        for region in ["eu-west-1", "us-east-2", "cn-north-1", "us-gov-west-1"] {
            assert_eq!(hosts(region, &S3Settings::default()).len(), 1, "{region}");
        }
    }

    #[test]
    fn the_regional_setting_moves_the_families_that_read_it() {
        let s = S3Settings {
            us_east_1_regional: Some((true, "AWS_S3_US_EAST_1_REGIONAL_ENDPOINT=regional".into())),
            ..S3Settings::default()
        };
        assert_eq!(hosts("us-east-1", &s).len(), 1);
        let s = S3Settings {
            us_east_1_regional: Some((false, "AWS_S3_US_EAST_1_REGIONAL_ENDPOINT=legacy".into())),
            ..S3Settings::default()
        };
        // legacy: the families that read it keep the global name, the others still differ.
        assert_eq!(hosts("us-east-1", &s).len(), 2);
    }

    #[test]
    fn one_family_is_planned_as_it_names_s3() {
        let r = crate::names::parse("logs").unwrap();
        let p = plan_for(&r, &S3Settings::default(), "us-east-1", None, Some("boto3"));
        assert_eq!(p.names[0].host, "logs.s3.amazonaws.com");
        assert!(p.by_sdk.is_empty());
        let p = plan_for(&r, &S3Settings::default(), "us-east-1", None, Some("go-v2"));
        assert_eq!(p.names[0].host, "logs.s3.us-east-1.amazonaws.com");
        let p = plan_for(&r, &S3Settings::default(), "us-east-1", None, None);
        assert_eq!(p.by_sdk.len(), 2);
        for f in &FAMILIES {
            assert!(f.source.starts_with("https://"), "{}", f.id);
        }
    }
}
