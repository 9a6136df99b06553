//! The kinds of S3 names: what an input names ([`NameKind`]) and which family a host name
//! belongs to ([`HostKind`], [`host_kind`]).

use serde::{Deserialize, Serialize};

use crate::validate;

/// What an input names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NameKind {
    /// A general-purpose bucket.
    Bucket,
    /// An access point (ARN, or its `…s3-accesspoint…` URL).
    AccessPoint,
    /// An access point alias (`…-s3alias`), used wherever a bucket name is.
    AccessPointAlias,
    /// A Multi-Region Access Point (ARN, alias `….mrap` or URL).
    MultiRegionAccessPoint,
    /// A directory bucket (S3 Express One Zone, `name--zone--x-s3`).
    DirectoryBucket,
    /// An S3 Object Lambda access point (ARN, alias `…--ol-s3` or URL).
    ObjectLambda,
}

impl NameKind {
    pub fn label(self) -> &'static str {
        match self {
            NameKind::Bucket => "bucket",
            NameKind::AccessPoint => "access point",
            NameKind::AccessPointAlias => "access point alias",
            NameKind::MultiRegionAccessPoint => "Multi-Region Access Point",
            NameKind::DirectoryBucket => "directory bucket",
            NameKind::ObjectLambda => "Object Lambda access point",
        }
    }
}

/// The family of an S3 host name: decides which endpoints can carry it ([`compat`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostKind {
    /// `[bucket.]s3.<region>.<suffix>`
    Regional,
    /// `[bucket.]s3.dualstack.<region>.<suffix>`
    Dualstack,
    /// `[bucket.]s3-fips[.dualstack].<region>.<suffix>`
    Fips,
    /// `[bucket.]s3-<region>.amazonaws.com` (legacy dash form)
    LegacyDashRegion,
    /// `[bucket.]s3.amazonaws.com`, `s3-external-1` (legacy global, us-east-1)
    LegacyGlobal,
    /// `bucket.s3-accelerate[.dualstack].amazonaws.com`
    Accelerate,
    /// `bucket.s3-website[-.]<region>.amazonaws.com` (HTTP only)
    Website,
    /// `name-account.s3-accesspoint[-fips][.dualstack].<region>.<suffix>`
    AccessPoint,
    /// `alias.mrap.accesspoint.s3-global.amazonaws.com`
    MultiRegion,
    /// `[bucket.]s3express[-fips]-<zone>[.dualstack].<region>.<suffix>`
    Zonal,
    /// `name-account.s3-object-lambda[-fips].<region>.<suffix>`
    ObjectLambda,
    /// `bucket.`/`accesspoint.` names of an interface endpoint (`….vpce.amazonaws.com`)
    EndpointSpecific,
}

impl HostKind {
    /// A few words for messages (`a Transfer Acceleration name`).
    pub fn label(self) -> &'static str {
        match self {
            HostKind::Regional => "regional",
            HostKind::Dualstack => "dual-stack",
            HostKind::Fips => "FIPS",
            HostKind::LegacyDashRegion => "legacy s3-REGION",
            HostKind::LegacyGlobal => "legacy global",
            HostKind::Accelerate => "Transfer Acceleration",
            HostKind::Website => "website endpoint",
            HostKind::AccessPoint => "access point",
            HostKind::MultiRegion => "Multi-Region Access Point",
            HostKind::Zonal => "S3 Express One Zone zonal",
            HostKind::ObjectLambda => "Object Lambda",
            HostKind::EndpointSpecific => "endpoint-specific",
        }
    }

    /// The AWS-managed prefix list service whose list holds this name's addresses, when AWS
    /// documents one (`s3`, `s3express`); `None` when no list is known to hold them.
    pub fn list_service(self) -> Option<&'static str> {
        match self {
            HostKind::Regional
            | HostKind::Dualstack
            | HostKind::Fips
            | HostKind::LegacyDashRegion
            | HostKind::LegacyGlobal
            | HostKind::AccessPoint => Some("s3"),
            HostKind::Zonal => Some("s3express"),
            _ => None,
        }
    }
}

/// Classifies an S3 host name: its family, and the region it names.
pub fn host_kind(host: &str) -> Option<(HostKind, Option<String>)> {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    let rest = h
        .strip_suffix(".amazonaws.com.cn")
        .or_else(|| h.strip_suffix(".amazonaws.com"))?;
    if let Some(v) = rest.strip_suffix(".vpce") {
        let region = v.rsplit('.').next().filter(|r| validate::region(r).is_ok());
        return Some((HostKind::EndpointSpecific, region.map(str::to_string)));
    }
    let labels: Vec<&str> = rest.split('.').collect();
    let n = labels.len();
    let region_at = |i: usize| {
        labels
            .get(i)
            .filter(|r| validate::region(r).is_ok())
            .map(|r| r.to_string())
    };
    // Find the service label: the first label that starts with "s3" (bucket names may too, so
    // prefer the rightmost service-shaped position).
    for i in (0..n).rev() {
        let l = labels[i];
        let next = labels.get(i + 1).copied();
        match l {
            "s3" if i + 1 == n => return Some((HostKind::LegacyGlobal, Some("us-east-1".into()))),
            "s3-external-1" if i + 1 == n => {
                return Some((HostKind::LegacyGlobal, Some("us-east-1".into())))
            }
            "s3" if next == Some("dualstack") && i + 3 == n => {
                return Some((HostKind::Dualstack, region_at(i + 2)))
            }
            "s3" if i + 2 == n && region_at(i + 1).is_some() => {
                return Some((HostKind::Regional, region_at(i + 1)))
            }
            "s3-fips" if next == Some("dualstack") && i + 3 == n => {
                return Some((HostKind::Fips, region_at(i + 2)))
            }
            "s3-fips" if i + 2 == n => return Some((HostKind::Fips, region_at(i + 1))),
            "s3-accelerate" if i + 1 == n || (next == Some("dualstack") && i + 2 == n) => {
                return Some((HostKind::Accelerate, None))
            }
            "s3-website" if i + 2 == n => return Some((HostKind::Website, region_at(i + 1))),
            "s3-global" if i + 1 == n && i >= 1 && labels[i - 1] == "accesspoint" => {
                return Some((HostKind::MultiRegion, None))
            }
            "s3-accesspoint" | "s3-accesspoint-fips" if i + 2 == n => {
                return Some((HostKind::AccessPoint, region_at(i + 1)))
            }
            "s3-accesspoint" | "s3-accesspoint-fips" if next == Some("dualstack") && i + 3 == n => {
                return Some((HostKind::AccessPoint, region_at(i + 2)))
            }
            "s3-object-lambda" | "s3-object-lambda-fips" if i + 2 == n => {
                return Some((HostKind::ObjectLambda, region_at(i + 1)))
            }
            _ => {}
        }
        if let Some(r) = l.strip_prefix("s3-website-") {
            if i + 1 == n && validate::region(r).is_ok() {
                return Some((HostKind::Website, Some(r.to_string())));
            }
        }
        if l.starts_with("s3express-") {
            if i + 2 == n {
                return Some((HostKind::Zonal, region_at(i + 1)));
            }
            if next == Some("dualstack") && i + 3 == n {
                return Some((HostKind::Zonal, region_at(i + 2)));
            }
        }
        if let Some(r) = l.strip_prefix("s3-") {
            if i + 1 == n && validate::region(r).is_ok() {
                return Some((HostKind::LegacyDashRegion, Some(r.to_string())));
            }
        }
    }
    None
}
