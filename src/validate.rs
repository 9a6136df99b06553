//! Validation of user input that names AWS things: bucket names and regions.

use std::net::Ipv4Addr;

/// Checks a general-purpose bucket name against the S3 naming rules. The error says which
/// rule the name breaks.
pub fn bucket_name(name: &str) -> Result<(), String> {
    let len = name.len();
    if !(3..=63).contains(&len) {
        return Err(format!("must be 3 to 63 characters long, it has {len}"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-'))
    {
        return Err(format!(
            "may contain only lowercase letters, digits, '.' and '-', found {c:?}"
        ));
    }
    let first = name.as_bytes()[0];
    let last = name.as_bytes()[len - 1];
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return Err("must begin and end with a letter or digit".to_string());
    }
    if name.contains("..") {
        return Err("must not contain two adjacent periods".to_string());
    }
    if name.contains(".-") || name.contains("-.") {
        return Err("must not contain a period next to a hyphen".to_string());
    }
    if name.parse::<Ipv4Addr>().is_ok() {
        return Err("must not be formatted as an IP address".to_string());
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(prefix) {
            return Err(format!(
                "must not start with the reserved prefix '{prefix}'"
            ));
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if name.ends_with(suffix) {
            return Err(format!("must not end with the reserved suffix '{suffix}'"));
        }
    }
    Ok(())
}

/// Checks that `region` has the shape of an AWS region code (`us-east-1`, `us-gov-west-1`,
/// `cn-north-1`, `eusc-de-east-1`).
pub fn region(region: &str) -> Result<(), String> {
    let parts: Vec<&str> = region.split('-').collect();
    let well_formed = (3..=4).contains(&parts.len())
        && (2..=4).contains(&parts[0].len())
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && {
            let n = parts[parts.len() - 1];
            (1..=2).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit())
        };
    if well_formed {
        Ok(())
    } else {
        Err("is not an AWS region code (expected something like us-east-1)".to_string())
    }
}

/// The DNS suffix of the partition a region belongs to ([`crate::partitions`]).
pub fn partition_dns_suffix(region: &str) -> &'static str {
    crate::partitions::of(region).dns_suffix
}

/// True for the commercial partition, the only one with the legacy global endpoint.
pub fn has_global_endpoint(region: &str) -> bool {
    crate::partitions::of(region).id == "aws"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names() {
        for ok in ["abc", "my-bucket", "my.bucket.1", "a1b", &"a".repeat(63)] {
            assert_eq!(bucket_name(ok), Ok(()), "{ok}");
        }
        let bad = [
            ("ab", "3 to 63"),
            (&"a".repeat(64) as &str, "3 to 63"),
            ("My-Bucket", "lowercase"),
            ("my_bucket", "lowercase"),
            ("-bucket", "begin and end"),
            ("bucket-", "begin and end"),
            ("my..bucket", "adjacent periods"),
            ("my.-bucket", "period next to a hyphen"),
            ("192.168.5.4", "IP address"),
            ("xn--bucket", "reserved prefix"),
            ("sthree-bucket", "reserved prefix"),
            ("bucket-s3alias", "reserved suffix"),
            ("bucket--ol-s3", "reserved suffix"),
            ("bucket--x-s3", "reserved suffix"),
            ("s3://bucket", "lowercase"),
        ];
        for (name, why) in bad {
            let err = bucket_name(name).expect_err(name);
            assert!(err.contains(why), "{name}: {err}");
        }
    }

    #[test]
    fn regions() {
        for ok in [
            "us-east-1",
            "eu-west-3",
            "ap-southeast-2",
            "us-gov-west-1",
            "cn-north-1",
            "il-central-1",
            "eusc-de-east-1",
        ] {
            assert_eq!(region(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "us-east",
            "US-EAST-1",
            "useast1",
            "us-east-1a",
            "us--1",
            "us-east-123",
            "eu west 1",
        ] {
            assert!(region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn partitions() {
        assert_eq!(partition_dns_suffix("cn-north-1"), "amazonaws.com.cn");
        assert_eq!(partition_dns_suffix("eu-west-1"), "amazonaws.com");
        assert_eq!(partition_dns_suffix("us-isob-east-1"), "sc2s.sgov.gov");
        assert_eq!(partition_dns_suffix("us-iso-west-1"), "c2s.ic.gov");
        assert_eq!(partition_dns_suffix("eu-isoe-west-1"), "cloud.adc-e.uk");
        assert_eq!(partition_dns_suffix("us-isof-south-1"), "csp.hci.ic.gov");
        assert_eq!(partition_dns_suffix("eusc-de-east-1"), "amazonaws.eu");
        assert!(!has_global_endpoint("eusc-de-east-1"));
        assert!(has_global_endpoint("us-west-2"));
        assert!(!has_global_endpoint("cn-northwest-1"));
        assert!(!has_global_endpoint("us-gov-west-1"));
    }
}

/// What s3path keeps of a presigned URL: never the signature or the access key id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedUrl {
    /// `https://host/path` without the query string.
    pub url: String,
    pub host: String,
    pub port: u16,
    /// The region of the credential scope (SigV4 `X-Amz-Credential=AKID/date/REGION/s3/…`).
    pub signed_region: Option<String>,
    /// `X-Amz-Expires` (SigV4).
    pub expires_seconds: Option<u64>,
}

/// Reads a presigned S3 URL ([`crate::url`]). The error says what is wrong with it, without
/// echoing the query string (it carries an access key id and a signature).
pub fn presigned_url(url: &str) -> Result<PresignedUrl, String> {
    let parts = crate::url::split(url);
    let scheme = parts
        .scheme
        .ok_or_else(|| "is not a URL (no scheme)".to_string())?
        .to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        other => return Err(format!("has scheme {other:?}; presigned URLs are https")),
    };
    if parts.userinfo.is_some() {
        return Err("carries user information before the host".to_string());
    }
    let parsed = crate::url::parse(url).map_err(|e| match e {
        crate::url::Error::Port(p) => format!("has a bad port {p:?}"),
        crate::url::Error::NoHost => "has no host".to_string(),
        e => format!("has a bad host ({e})"),
    })?;
    let mut signed_region = None;
    let mut expires_seconds = None;
    let mut signed = false;
    for (k, v) in parsed.query_pairs() {
        match k.as_str() {
            "X-Amz-Credential" => {
                signed = true;
                // AKID/20240101/us-east-1/s3/aws4_request (decoded): keep only the region.
                signed_region = v.split('/').nth(2).map(str::to_string);
            }
            "X-Amz-Expires" => expires_seconds = v.parse().ok(),
            "X-Amz-Signature" | "Signature" => signed = true,
            _ => {}
        }
    }
    if !signed {
        return Err("has no signature (X-Amz-Signature or Signature): not a presigned URL".into());
    }
    let path = if parsed.path.is_empty() {
        "/"
    } else {
        parsed.path.as_str()
    };
    Ok(PresignedUrl {
        url: format!("{scheme}://{}{path}", parts.host_port.to_ascii_lowercase()),
        port: parsed.port.unwrap_or(default_port),
        host: parsed.host,
        signed_region,
        expires_seconds,
    })
}

#[cfg(test)]
mod presigned_tests {
    use super::presigned_url;

    #[test]
    fn keeps_host_path_region_and_expiry_only() {
        let u = presigned_url("https://app-data.s3.eu-west-1.amazonaws.com/reports/q3.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261123%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261123T120000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=abc").unwrap();
        assert_eq!(u.host, "app-data.s3.eu-west-1.amazonaws.com");
        assert_eq!(u.port, 443);
        assert_eq!(
            u.url,
            "https://app-data.s3.eu-west-1.amazonaws.com/reports/q3.csv"
        );
        assert_eq!(u.signed_region.as_deref(), Some("eu-west-1"));
        assert_eq!(u.expires_seconds, Some(900));
        assert!(!format!("{u:?}").contains("AKIAEXAMPLE"));
        // SigV2, and an endpoint-specific host with a port.
        let v2 = presigned_url("https://bucket.vpce-0abc-1234.s3.eu-west-1.vpce.amazonaws.com:8443/b/k?AWSAccessKeyId=AKIA&Expires=1&Signature=x").unwrap();
        assert_eq!(v2.port, 8443);
        assert_eq!(v2.signed_region, None);
        assert!(presigned_url("https://b.s3.amazonaws.com/k").is_err());
        assert!(presigned_url("b.s3.amazonaws.com/k?Signature=x").is_err());
    }
}
