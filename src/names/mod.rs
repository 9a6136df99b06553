//! Every way an application names S3, and the host names each form really uses.
//!
//! `--bucket` takes a bucket name, an `s3://` URI, an `https://` S3 URL, an access point ARN or
//! alias, a Multi-Region Access Point ARN or alias, a directory bucket or an Object Lambda
//! access point. [`parse`] classifies the input (or says in one line what is wrong with it);
//! [`plan`] turns it into the host names the application's SDK would use, given the
//! application's S3 settings ([`S3Settings`]: FIPS, acceleration, addressing style, dual-stack,
//! `us_east_1_regional_endpoint`, `use_arn_region`, an endpoint override). [`compat`] is the one
//! table of which VPC endpoint each kind of host name can use (docs/s3-names.md cites the AWS
//! pages behind each row). Everything here is pure.

mod compat;
mod kinds;
mod parse;
mod plan;
pub mod sdk;
pub mod targets;

#[cfg(test)]
mod rule_tests;

pub use compat::*;
pub use kinds::*;
pub use parse::*;
pub use plan::*;

/// The VPC endpoint service name of `service` in `region`: `com.amazonaws.<region>.<service>`,
/// or `cn.com.amazonaws.<region>.<service>` in the China partition (the only partition whose
/// service names differ). With an empty region, the global name (`com.amazonaws.<service>`).
pub fn service_name(region: &str, service: &str) -> String {
    let prefix = if region.starts_with("cn-") {
        "cn.com.amazonaws"
    } else {
        "com.amazonaws"
    };
    if region.is_empty() {
        format!("{prefix}.{service}")
    } else {
        format!("{prefix}.{region}.{service}")
    }
}

/// The S3 endpoint service name of `region` ([`service_name`] of `s3`).
pub fn s3_service_name(region: &str) -> String {
    service_name(region, "s3")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_host_kind_has_one_row() {
        for c in &COMPAT {
            assert_eq!(
                COMPAT.iter().filter(|x| x.host_kind == c.host_kind).count(),
                1
            );
            assert!(c.source.starts_with("https://docs.aws.amazon.com/"));
        }
    }

    #[test]
    fn region_codes() {
        assert_eq!(region_code("us-west-2").as_deref(), Some("usw2"));
        assert_eq!(region_code("ap-northeast-1").as_deref(), Some("apne1"));
        assert_eq!(region_code("eu-central-1").as_deref(), Some("euc1"));
        assert_eq!(region_code("mars"), None);
    }
}
