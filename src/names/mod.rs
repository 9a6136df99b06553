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

pub mod targets;

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

use serde::{Deserialize, Serialize};

use crate::facts::ClientSettings;
use crate::validate::{self, partition_dns_suffix};

/// The longest `--bucket` input accepted (an ARN plus a key fits easily).
pub const MAX_INPUT: usize = 2048;

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

/// A classified `--bucket` input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct S3Ref {
    /// The input as shown back (a URL without user-info, query or fragment).
    pub input: String,
    pub kind: NameKind,
    /// The bucket, access point or alias name.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The region the input itself names (an ARN's or a URL's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// A directory bucket's zone id (`usw2-az1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The host a URL input names (the application uses exactly that host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_kind: Option<HostKind>,
    /// The URL puts the bucket in the path (`https://s3.<region>…/bucket/key`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub path_style: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
}

impl S3Ref {
    fn new(input: &str, kind: NameKind, name: &str) -> S3Ref {
        S3Ref {
            input: input.to_string(),
            kind,
            name: name.to_string(),
            account: None,
            region: None,
            zone_id: None,
            key: None,
            host: None,
            host_kind: None,
            path_style: false,
            arn: None,
        }
    }

    /// How targets, bucket facts and findings name this input: the bucket (or alias) name for
    /// those, else the input as shown.
    pub fn label(&self) -> &str {
        self.bucket_name().unwrap_or(&self.input)
    }

    /// The name a bucket-level S3 request takes (`Bucket=`): the bucket or alias name, or the
    /// ARN of an access point.
    pub fn request_name(&self) -> String {
        self.arn.clone().unwrap_or_else(|| self.name.clone())
    }

    /// The plain general-purpose bucket name, when the input names one (or an alias, which
    /// takes its place in every request).
    pub fn bucket_name(&self) -> Option<&str> {
        matches!(self.kind, NameKind::Bucket | NameKind::AccessPointAlias).then_some(&*self.name)
    }

    /// The ARN policies name this resource by (`arn:aws:s3:::bucket`, the access point's ARN).
    pub fn resource_arn(&self, partition: &str) -> Option<String> {
        match self.kind {
            NameKind::Bucket => Some(format!("arn:{partition}:s3:::{}", self.name)),
            NameKind::AccessPoint | NameKind::ObjectLambda => self.arn.clone().or_else(|| {
                let (region, account) = (self.region.as_ref()?, self.account.as_ref()?);
                let service = if self.kind == NameKind::AccessPoint {
                    "s3"
                } else {
                    "s3-object-lambda"
                };
                Some(format!(
                    "arn:{partition}:{service}:{region}:{account}:accesspoint/{}",
                    self.name
                ))
            }),
            NameKind::MultiRegionAccessPoint => self.arn.clone(),
            _ => None,
        }
    }
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Access point names: 3–50 lowercase letters, digits and hyphens, no leading/trailing hyphen.
fn access_point_name(name: &str) -> Result<(), String> {
    if !(3..=50).contains(&name.len()) {
        return Err(format!(
            "an access point name has 3 to 50 characters, '{}' has {}",
            shown(name),
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!(
            "an access point name has only lowercase letters, digits and '-', found {c:?}"
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err("an access point name neither begins nor ends with '-'".to_string());
    }
    Ok(())
}

/// A zone id: `usw2-az1` (Availability Zone) or `usw2-lax1-az1` (Local Zone).
fn zone_id(z: &str) -> bool {
    let parts: Vec<&str> = z.split('-').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .and_then(|p| p.strip_prefix("az"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The short code zone ids start with (`us-west-2` → `usw2`, `ap-northeast-1` → `apne1`).
pub fn region_code(region: &str) -> Option<String> {
    let parts: Vec<&str> = region.split('-').collect();
    if parts.len() < 3 {
        return None;
    }
    let mut out = parts[0].to_string();
    for p in &parts[1..parts.len() - 1] {
        let abbrev = match *p {
            "north" => "n",
            "south" => "s",
            "east" => "e",
            "west" => "w",
            "central" => "c",
            "northeast" => "ne",
            "northwest" => "nw",
            "southeast" => "se",
            "southwest" => "sw",
            "gov" => "g",
            _ => return None,
        };
        out.push_str(abbrev);
    }
    out.push_str(parts[parts.len() - 1]);
    Some(out)
}

/// `base--zone--x-s3`.
fn directory_bucket(input: &str, name: &str) -> Result<S3Ref, String> {
    let inner = name
        .strip_suffix("--x-s3")
        .ok_or("a directory bucket name ends with '--x-s3'")?;
    let (base, zone) = inner
        .rsplit_once("--")
        .ok_or("a directory bucket name is 'base--zone-id--x-s3' (e.g. 'logs--usw2-az1--x-s3')")?;
    if !zone_id(zone) {
        return Err(format!(
            "'{}' is not a zone id (expected e.g. 'usw2-az1' or 'usw2-lax1-az1')",
            shown(zone)
        ));
    }
    if !(3..=63).contains(&name.len()) {
        return Err(format!(
            "a directory bucket name has 3 to 63 characters, it has {}",
            name.len()
        ));
    }
    if base.is_empty()
        || !base
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        || base.starts_with('-')
        || base.ends_with('-')
    {
        return Err(
            "a directory bucket's base name has only lowercase letters, digits and '-' (no periods)"
                .to_string(),
        );
    }
    Ok(S3Ref {
        zone_id: Some(zone.to_string()),
        ..S3Ref::new(input, NameKind::DirectoryBucket, name)
    })
}

/// At most 80 characters of untrusted text, for error messages.
fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// A bare name: bucket, alias, MRAP alias or directory bucket.
fn bare(input: &str, name: &str) -> Result<S3Ref, String> {
    if name.ends_with("--x-s3") {
        return directory_bucket(input, name);
    }
    if name.ends_with("--op-s3") {
        return Err("S3 on Outposts names are not judged: Outposts traffic stays on the Outpost's local gateway".to_string());
    }
    if name.ends_with("--table-s3") {
        return Err("S3 table buckets are reached through the S3 Tables endpoints, which s3path does not judge".to_string());
    }
    if let Some(alias) = name.strip_suffix(".mrap") {
        if alias.is_empty()
            || !alias
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return Err(
                "a Multi-Region Access Point alias is lowercase letters and digits then '.mrap' (e.g. 'mfzwi23gnjvgw.mrap')"
                    .to_string(),
            );
        }
        return Ok(S3Ref::new(input, NameKind::MultiRegionAccessPoint, name));
    }
    for (suffix, kind) in [
        ("-s3alias", NameKind::AccessPointAlias),
        ("--ol-s3", NameKind::ObjectLambda),
    ] {
        if name.ends_with(suffix) {
            if !(3..=63).contains(&name.len())
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(format!(
                    "an alias ending in '{suffix}' has 3 to 63 lowercase letters, digits and '-'"
                ));
            }
            return Ok(S3Ref::new(input, kind, name));
        }
    }
    validate::bucket_name(name).map_err(|why| format!("a bucket name {why}"))?;
    Ok(S3Ref::new(input, NameKind::Bucket, name))
}

/// `arn:partition:service:region:account:resource`.
fn arn(input: &str, text: &str) -> Result<S3Ref, String> {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        return Err(
            "an ARN has six ':'-separated parts (arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME)"
                .to_string(),
        );
    }
    let (partition, service, region, account, resource) =
        (parts[1], parts[2], parts[3], parts[4], parts[5]);
    if !matches!(partition, "aws" | "aws-cn" | "aws-us-gov") {
        return Err(format!("unknown partition '{}'", shown(partition)));
    }
    if !region.is_empty() {
        validate::region(region).map_err(|e| format!("the ARN's region {e}"))?;
    }
    let with = |kind: NameKind, name: &str| S3Ref {
        account: (!account.is_empty()).then(|| account.to_string()),
        region: (!region.is_empty()).then(|| region.to_string()),
        arn: Some(text.to_string()),
        ..S3Ref::new(input, kind, name)
    };
    match service {
        "s3" if region.is_empty() && account.is_empty() => {
            // arn:aws:s3:::bucket or arn:aws:s3:::bucket/key (as policies write them)
            let (name, key) = resource.split_once('/').unwrap_or((resource, ""));
            validate::bucket_name(name).map_err(|why| format!("the ARN's bucket name {why}"))?;
            Ok(S3Ref {
                arn: None,
                key: (!key.is_empty() && key != "*").then(|| key.to_string()),
                ..S3Ref::new(input, NameKind::Bucket, name)
            })
        }
        "s3" | "s3-object-lambda" => {
            if !is_account(account) {
                return Err(format!(
                    "the ARN's account must be 12 digits, found '{}'",
                    shown(account)
                ));
            }
            let name = resource.strip_prefix("accesspoint/").or_else(|| resource.strip_prefix("accesspoint:")).ok_or_else(|| {
                format!(
                    "the ARN's resource must be 'accesspoint/NAME', found '{}'",
                    shown(resource)
                )
            })?;
            if service == "s3" && region.is_empty() {
                if !name.ends_with(".mrap") {
                    return Err("a Multi-Region Access Point ARN names its alias (accesspoint/ALIAS.mrap)".to_string());
                }
                bare(input, name)?;
                return Ok(with(NameKind::MultiRegionAccessPoint, name));
            }
            if region.is_empty() {
                return Err("an Object Lambda access point ARN names its region".to_string());
            }
            access_point_name(name)?;
            Ok(with(
                if service == "s3" {
                    NameKind::AccessPoint
                } else {
                    NameKind::ObjectLambda
                },
                name,
            ))
        }
        "s3express" => {
            let name = resource.strip_prefix("bucket/").ok_or_else(|| {
                format!(
                    "an s3express ARN names 'bucket/NAME--ZONE--x-s3', found '{}'",
                    shown(resource)
                )
            })?;
            let mut r = directory_bucket(input, name)?;
            r.region = (!region.is_empty()).then(|| region.to_string());
            r.account = (!account.is_empty()).then(|| account.to_string());
            Ok(r)
        }
        "s3-outposts" => Err(
            "S3 on Outposts ARNs are not judged: Outposts traffic stays on the Outpost's local gateway"
                .to_string(),
        ),
        other => Err(format!(
            "'{}' is not an S3 service (s3, s3-object-lambda, s3express)",
            shown(other)
        )),
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

fn not_an_s3_host(host: &str) -> String {
    format!(
        "'{}' is not an S3 host name (for a custom endpoint, set AWS_ENDPOINT_URL_S3 and give the bucket name)",
        shown(host)
    )
}

/// An `https://` (or `http://`) S3 URL, read by [`crate::url`].
fn url(input: &str, text: &str) -> Result<S3Ref, String> {
    let parts = crate::url::split(text);
    let scheme = parts.scheme.ok_or("not a URL")?.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(format!("'{}' URLs are not S3 URLs", shown(&scheme)));
    }
    if parts.userinfo.is_some() {
        return Err("the URL carries user-info (credentials); give it without them".to_string());
    }
    let authority = parts.host_port;
    let host = match crate::url::parse(text) {
        Ok(p) => p.host_in_url().trim_end_matches('.').to_string(),
        Err(crate::url::Error::Port(p)) => {
            return Err(format!(
                "the URL's port '{}' is not a number from 0 to 65535",
                shown(&p)
            ))
        }
        // Not a host at all (a space, `[zz]`, no host): named as written and refused.
        Err(_) => return Err(not_an_s3_host(&authority.to_ascii_lowercase())),
    };
    let path = parts.path();
    let path = path.strip_prefix('/').unwrap_or(path);
    let Some((kind, region)) = host_kind(&host) else {
        return Err(not_an_s3_host(&host));
    };
    let sanitized = format!("{scheme}://{authority}/{path}");
    let key_of = |p: &str| (!p.is_empty()).then(|| p.to_string());
    // The label(s) before the service label(s).
    let service_labels = match kind {
        HostKind::LegacyGlobal => 1,
        HostKind::Regional => 2,
        HostKind::Dualstack => 3,
        HostKind::Fips | HostKind::Zonal | HostKind::AccessPoint => {
            if host.contains(".dualstack.") {
                3
            } else {
                2
            }
        }
        HostKind::LegacyDashRegion => 1,
        HostKind::Accelerate => {
            if host.contains(".dualstack.") {
                2
            } else {
                1
            }
        }
        HostKind::Website => {
            if host.contains(".s3-website.") {
                2
            } else {
                1
            }
        }
        HostKind::MultiRegion => 2,
        HostKind::ObjectLambda => 2,
        HostKind::EndpointSpecific => 0,
    };
    let suffix_labels = if host.ends_with(".amazonaws.com.cn") {
        3
    } else {
        2
    };
    let labels: Vec<&str> = host.split('.').collect();
    let prefix_len = labels.len().saturating_sub(service_labels + suffix_labels);
    let prefix = labels[..prefix_len].join(".");
    let fixed = |mut r: S3Ref| {
        r.input = sanitized.clone();
        r.host = Some(host.clone());
        r.host_kind = Some(kind);
        if r.region.is_none() {
            r.region = region.clone();
        }
        r
    };
    if kind == HostKind::EndpointSpecific {
        // bucket.vpce-….s3.<r>.vpce.amazonaws.com/BUCKET/key (path style) or
        // BUCKET.bucket.vpce-…/key
        let first = labels.first().copied().unwrap_or("");
        if first == "bucket" {
            let (b, key) = path.split_once('/').unwrap_or((path, ""));
            let mut r = bare(input, b)?;
            r.key = key_of(key);
            r.path_style = true;
            return Ok(fixed(r));
        }
        if labels.get(1) == Some(&"bucket") {
            let mut r = bare(input, first)?;
            r.key = key_of(path);
            return Ok(fixed(r));
        }
        return Err("an endpoint-specific URL names a bucket ('bucket.vpce-…/BUCKET' or 'BUCKET.bucket.vpce-…')".to_string());
    }
    if prefix.is_empty() {
        // Path style: the bucket is the first path segment.
        if !matches!(
            kind,
            HostKind::Regional
                | HostKind::Dualstack
                | HostKind::Fips
                | HostKind::LegacyDashRegion
                | HostKind::LegacyGlobal
                | HostKind::Zonal
        ) {
            return Err(format!(
                "'{}' names no bucket or access point",
                shown(&host)
            ));
        }
        let (b, key) = path.split_once('/').unwrap_or((path, ""));
        if b.is_empty() {
            return Err(
                "the URL names no bucket (neither in the host nor in the path)".to_string(),
            );
        }
        let mut r = bare(input, b)?;
        if kind == HostKind::Zonal && r.kind != NameKind::DirectoryBucket {
            return Err("an s3express URL names a directory bucket (NAME--ZONE--x-s3)".to_string());
        }
        r.key = key_of(key);
        r.path_style = true;
        return Ok(fixed(r));
    }
    match kind {
        HostKind::AccessPoint | HostKind::ObjectLambda => {
            let (name, account) = prefix
                .rsplit_once('-')
                .ok_or("an access point host is NAME-ACCOUNT.s3-accesspoint.REGION…")?;
            if !is_account(account) {
                return Err(format!(
                    "an access point host is NAME-ACCOUNT…, and '{}' is not a 12-digit account",
                    shown(account)
                ));
            }
            access_point_name(name)?;
            let mut r = S3Ref::new(
                input,
                if kind == HostKind::AccessPoint {
                    NameKind::AccessPoint
                } else {
                    NameKind::ObjectLambda
                },
                name,
            );
            r.account = Some(account.to_string());
            r.key = key_of(path);
            Ok(fixed(r))
        }
        HostKind::MultiRegion => {
            let mut r = bare(input, &prefix)?;
            if r.kind != NameKind::MultiRegionAccessPoint {
                return Err("a Multi-Region Access Point host is ALIAS.mrap.accesspoint.s3-global.amazonaws.com".to_string());
            }
            r.key = key_of(path);
            Ok(fixed(r))
        }
        HostKind::Zonal => {
            let mut r = bare(input, &prefix)?;
            if r.kind != NameKind::DirectoryBucket {
                return Err(
                    "an s3express host names a directory bucket (NAME--ZONE--x-s3)".to_string(),
                );
            }
            let host_zone = labels[prefix_len]
                .trim_start_matches("s3express-fips-")
                .trim_start_matches("s3express-");
            if r.zone_id.as_deref() != Some(host_zone) {
                return Err(format!(
                    "the bucket's zone '{}' is not the host's zone '{}'",
                    r.zone_id.as_deref().unwrap_or(""),
                    shown(host_zone)
                ));
            }
            r.key = key_of(path);
            Ok(fixed(r))
        }
        _ => {
            let mut r = bare(input, &prefix)?;
            if r.kind == NameKind::DirectoryBucket {
                return Err(
                    "a directory bucket is reached at its zonal s3express host, not at this one"
                        .to_string(),
                );
            }
            r.key = key_of(path);
            Ok(fixed(r))
        }
    }
}

/// Classifies one `--bucket` input; the error says in one line what is wrong.
pub fn parse(input: &str) -> Result<S3Ref, String> {
    if input.is_empty() {
        return Err("empty".to_string());
    }
    if input.len() > MAX_INPUT {
        return Err(format!(
            "{} bytes; at most {MAX_INPUT} are accepted",
            input.len()
        ));
    }
    if let Some(c) = input.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "contains {c:?}; names and URLs have no spaces or control characters"
        ));
    }
    let lower = input.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("s3://").map(|_| &input[5..]) {
        // s3://bucket/key, s3://arn:…:accesspoint/name/key
        let (name, key) = if rest.starts_with("arn:") {
            let slash = rest.find('/').map(|i| i + 1).unwrap_or(rest.len());
            match rest[slash..].find('/') {
                Some(j) => (&rest[..slash + j], &rest[slash + j + 1..]),
                None => (rest, ""),
            }
        } else {
            rest.split_once('/').unwrap_or((rest, ""))
        };
        if name.is_empty() {
            return Err("the s3:// URI names no bucket".to_string());
        }
        let mut r = if name.starts_with("arn:") {
            arn(input, name)?
        } else {
            bare(input, name)?
        };
        r.key = (!key.is_empty()).then(|| key.to_string());
        return Ok(r);
    }
    match crate::url::scheme(input).as_deref() {
        Some("https" | "http") => return url(input, input),
        Some(_) => return Err("only s3://, https:// and http:// URLs name S3".to_string()),
        None => {}
    }
    if input.starts_with("arn:") {
        return arn(input, input);
    }
    bare(input, input)
}

/// One S3 setting of the application and where it is set (`AWS_USE_FIPS_ENDPOINT=true`, …).
pub type Setting<T> = Option<(T, String)>;

/// How the application addresses buckets (`addressing_style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Addressing {
    Auto,
    Virtual,
    Path,
}

/// The application's settings that change S3 host names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S3Settings {
    pub fips: Setting<bool>,
    pub accelerate: Setting<bool>,
    pub addressing: Setting<Addressing>,
    /// `us_east_1_regional_endpoint`: `true` = regional, `false` = legacy.
    pub us_east_1_regional: Setting<bool>,
    pub use_arn_region: Setting<bool>,
    pub dualstack: Setting<bool>,
    /// The host of an endpoint override (`AWS_ENDPOINT_URL_S3`, …).
    pub endpoint_override: Setting<String>,
}

fn truthy(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

impl S3Settings {
    /// Reads the settings from what the gather recorded (environment first, then the profile).
    pub fn of(settings: Option<&ClientSettings>) -> S3Settings {
        let Some(s) = settings else {
            return S3Settings::default();
        };
        let get = |env: &[&str], keys: &[&str]| s.setting(env, keys);
        let flag = |env: &[&str], keys: &[&str]| {
            get(env, keys).and_then(|(v, src)| truthy(&v).map(|b| (b, src)))
        };
        S3Settings {
            fips: flag(
                &["AWS_USE_FIPS_ENDPOINT"],
                &["s3.use_fips_endpoint", "use_fips_endpoint"],
            ),
            accelerate: flag(&[], &["s3.use_accelerate_endpoint"]),
            addressing: get(&[], &["s3.addressing_style"]).and_then(|(v, src)| {
                let a = match v.trim().to_ascii_lowercase().as_str() {
                    "path" => Addressing::Path,
                    "virtual" => Addressing::Virtual,
                    "auto" => Addressing::Auto,
                    _ => return None,
                };
                Some((a, src))
            }),
            us_east_1_regional: get(
                &["AWS_S3_US_EAST_1_REGIONAL_ENDPOINT"],
                &[
                    "s3.us_east_1_regional_endpoint",
                    "s3_us_east_1_regional_endpoint",
                ],
            )
            .and_then(|(v, src)| match v.trim().to_ascii_lowercase().as_str() {
                "regional" => Some((true, src)),
                "legacy" => Some((false, src)),
                _ => None,
            }),
            use_arn_region: flag(
                &["AWS_S3_USE_ARN_REGION"],
                &["s3.use_arn_region", "s3_use_arn_region"],
            ),
            dualstack: s.dualstack(),
            endpoint_override: s
                .s3_endpoint_override()
                .and_then(|(src, url)| Some((crate::url::url_host(&url)?, src))),
        }
    }

    fn on(s: &Setting<bool>) -> bool {
        matches!(s, Some((true, _)))
    }
}

/// One host name an input is planned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedName {
    pub host: String,
    pub host_kind: HostKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The bucket is in the path (path-style addressing).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub path_style: bool,
}

/// The host names one input is sent to, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamePlan {
    #[serde(flatten)]
    pub name: S3Ref,
    /// Primary first: the name the application uses.
    pub names: Vec<PlannedName>,
    /// The SDKs refuse this combination (no request is sent); why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// The settings that shaped the names, each in one sentence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub because: Vec<String>,
}

/// Plans the host names for `r` from a client in `client_region` with settings `s`;
/// `bucket_region` is the region S3 said the bucket is in, when known.
pub fn plan(
    r: &S3Ref,
    s: &S3Settings,
    client_region: &str,
    bucket_region: Option<&str>,
) -> NamePlan {
    let mut because = Vec::new();
    let out = |names: Vec<PlannedName>, refused: Option<String>, because: Vec<String>| NamePlan {
        name: r.clone(),
        names,
        refused,
        because,
    };
    let fips = S3Settings::on(&s.fips);
    let dual = S3Settings::on(&s.dualstack);
    let accel = S3Settings::on(&s.accelerate);
    let src = |x: &Setting<bool>| x.as_ref().map(|(_, s)| s.clone()).unwrap_or_default();
    // A URL names its host: the application uses exactly that.
    if let (Some(host), Some(kind)) = (&r.host, r.host_kind) {
        return out(
            vec![PlannedName {
                host: host.clone(),
                host_kind: kind,
                region: r.region.clone(),
                path_style: r.path_style,
            }],
            None,
            vec!["the URL names its host".to_string()],
        );
    }
    if let Some((host, source)) = &s.endpoint_override {
        because.push(format!("{source} sends every S3 request to {host}"));
        let kind = host_kind(host).map(|(k, _)| k);
        return out(
            vec![PlannedName {
                host: host.clone(),
                host_kind: kind.unwrap_or(HostKind::EndpointSpecific),
                region: host_kind(host).and_then(|(_, r)| r),
                path_style: false,
            }],
            None,
            because,
        );
    }
    let name =
        |host: String, host_kind: HostKind, region: Option<&str>, path_style: bool| PlannedName {
            host,
            host_kind,
            region: region.map(str::to_string),
            path_style,
        };
    // An Object Lambda alias (`…--ol-s3`) takes a bucket name's place, as an access point alias.
    let bucket_like = matches!(r.kind, NameKind::Bucket | NameKind::AccessPointAlias)
        || (r.kind == NameKind::ObjectLambda && r.arn.is_none() && r.account.is_none());
    match r.kind {
        _ if bucket_like => {
            let region = bucket_region
                .or(r.region.as_deref())
                .unwrap_or(client_region);
            let suffix = partition_dns_suffix(region);
            let dotted = r.name.contains('.');
            let path = matches!(s.addressing, Some((Addressing::Path, _)));
            if accel {
                because.push(format!(
                    "{} turns on Transfer Acceleration",
                    src(&s.accelerate)
                ));
                if fips {
                    return out(vec![], Some(format!("Transfer Acceleration and FIPS cannot be combined ({} and {}): the SDKs refuse the request", src(&s.accelerate), src(&s.fips))), because);
                }
                if dotted || path {
                    return out(vec![], Some("Transfer Acceleration needs virtual-hosted addressing and a bucket name without periods: the SDKs refuse the request".to_string()), because);
                }
                let host = if dual {
                    because.push(format!("{} adds dual-stack", src(&s.dualstack)));
                    format!("{}.s3-accelerate.dualstack.amazonaws.com", r.name)
                } else {
                    format!("{}.s3-accelerate.amazonaws.com", r.name)
                };
                return out(
                    vec![name(host, HostKind::Accelerate, None, false)],
                    None,
                    because,
                );
            }
            let service = match (fips, dual) {
                (true, true) => "s3-fips.dualstack",
                (true, false) => "s3-fips",
                (false, true) => "s3.dualstack",
                (false, false) => "s3",
            };
            if fips {
                because.push(format!("{} selects the FIPS names", src(&s.fips)));
            }
            if dual {
                because.push(format!(
                    "{} selects the dual-stack names",
                    src(&s.dualstack)
                ));
            }
            let kind = match (fips, dual) {
                (true, _) => HostKind::Fips,
                (false, true) => HostKind::Dualstack,
                _ => HostKind::Regional,
            };
            let legacy_global = region == "us-east-1"
                && !fips
                && !dual
                && matches!(s.us_east_1_regional, Some((false, _)));
            if legacy_global {
                because.push(format!(
                    "{} keeps us-east-1 on the legacy global name",
                    s.us_east_1_regional
                        .as_ref()
                        .map(|(_, s)| s.as_str())
                        .unwrap_or("")
                ));
            }
            let base = if legacy_global {
                "s3.amazonaws.com".to_string()
            } else {
                format!("{service}.{region}.{suffix}")
            };
            let kind = if legacy_global {
                HostKind::LegacyGlobal
            } else {
                kind
            };
            if path || dotted {
                because.push(if path {
                    format!(
                        "{} puts the bucket in the path",
                        s.addressing.as_ref().map(|(_, s)| s.as_str()).unwrap_or("")
                    )
                } else {
                    "a bucket name with periods is sent path-style over HTTPS (the certificate covers one label)".to_string()
                });
                return out(vec![name(base, kind, Some(region), true)], None, because);
            }
            out(
                vec![name(
                    format!("{}.{base}", r.name),
                    kind,
                    Some(region),
                    false,
                )],
                None,
                because,
            )
        }
        NameKind::AccessPoint | NameKind::ObjectLambda => {
            let ap_region = r.region.as_deref().unwrap_or(client_region);
            let account = r.account.as_deref().unwrap_or("");
            if accel {
                return out(vec![], Some(format!("access points cannot be used with Transfer Acceleration ({}): the SDKs refuse the request", src(&s.accelerate))), because);
            }
            if ap_region != client_region {
                match &s.use_arn_region {
                    Some((false, source)) => {
                        return out(vec![], Some(format!("the ARN's region {ap_region} is not the client's {client_region} and {source}: the SDKs refuse the request")), because);
                    }
                    Some((true, source)) => {
                        because.push(format!("{source}: the request goes to the ARN's region {ap_region}"))
                    }
                    None => because.push(format!(
                        "the request goes to the ARN's region {ap_region} (use_arn_region unset: boto3 and the CLI follow the ARN; some SDKs refuse unless it is true)"
                    )),
                }
            }
            let suffix = partition_dns_suffix(ap_region);
            let (service, kind) = if r.kind == NameKind::AccessPoint {
                ("s3-accesspoint", HostKind::AccessPoint)
            } else {
                if dual {
                    return out(vec![], Some(format!("S3 Object Lambda has no dual-stack names ({}): the SDKs refuse the request", src(&s.dualstack))), because);
                }
                ("s3-object-lambda", HostKind::ObjectLambda)
            };
            if fips {
                because.push(format!("{} selects the FIPS names", src(&s.fips)));
            }
            if dual {
                because.push(format!(
                    "{} selects the dual-stack names",
                    src(&s.dualstack)
                ));
            }
            let host = format!(
                "{}-{account}.{service}{}{}.{ap_region}.{suffix}",
                r.name,
                if fips { "-fips" } else { "" },
                if dual { ".dualstack" } else { "" }
            );
            out(
                vec![name(host, kind, Some(ap_region), false)],
                None,
                because,
            )
        }
        NameKind::MultiRegionAccessPoint => {
            for (on, what, set) in [
                (fips, "FIPS", &s.fips),
                (dual, "dual-stack", &s.dualstack),
                (accel, "Transfer Acceleration", &s.accelerate),
            ] {
                if on {
                    return out(vec![], Some(format!("Multi-Region Access Points do not support {what} ({}): the SDKs refuse the request", src(set))), because);
                }
            }
            because.push("Multi-Region Access Point requests are signed with SigV4A and go to the global name".to_string());
            out(
                vec![name(
                    format!("{}.accesspoint.s3-global.amazonaws.com", r.name),
                    HostKind::MultiRegion,
                    None,
                    false,
                )],
                None,
                because,
            )
        }
        NameKind::DirectoryBucket => {
            let region = r.region.as_deref().unwrap_or(client_region);
            let zone = r.zone_id.as_deref().unwrap_or("");
            if accel {
                return out(vec![], Some(format!("directory buckets cannot use Transfer Acceleration ({}): the SDKs refuse the request", src(&s.accelerate))), because);
            }
            if let Some(code) = region_code(region) {
                if !zone.starts_with(&format!("{code}-")) {
                    because.push(format!(
                        "zone {zone} is not in {region} (its zones start with {code}-): the SDK still sends the request to {region}, where the name does not exist"
                    ));
                }
            }
            let suffix = partition_dns_suffix(region);
            let service = if fips {
                because.push(format!("{} selects the FIPS names", src(&s.fips)));
                format!("s3express-fips-{zone}")
            } else {
                format!("s3express-{zone}")
            };
            let dual_part = if dual {
                because.push(format!(
                    "{} selects the dual-stack names",
                    src(&s.dualstack)
                ));
                ".dualstack"
            } else {
                ""
            };
            let base = format!("{service}{dual_part}.{region}.{suffix}");
            if matches!(s.addressing, Some((Addressing::Path, _))) {
                return out(
                    vec![name(base, HostKind::Zonal, Some(region), true)],
                    None,
                    because,
                );
            }
            out(
                vec![name(
                    format!("{}.{base}", r.name),
                    HostKind::Zonal,
                    Some(region),
                    false,
                )],
                None,
                because,
            )
        }
        NameKind::Bucket | NameKind::AccessPointAlias => out(
            vec![],
            Some(format!("{} has no host name s3path can plan", r.input)),
            because,
        ),
    }
}

/// Whether a path can carry a kind of host name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Support {
    Yes,
    No,
    /// AWS does not document it: s3path judges by the address the name resolves to.
    ByAddress,
}

/// One row of the compatibility table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Compat {
    pub host_kind: HostKind,
    /// The gateway endpoint service that carries it (`s3`, `s3express`), when one does.
    pub gateway: Support,
    pub gateway_service: Option<&'static str>,
    pub interface: Support,
    /// The interface endpoint service that serves it.
    pub interface_service: Option<&'static str>,
    /// NAT gateway / internet gateway (its public addresses).
    pub internet: Support,
    pub why: &'static str,
    /// The AWS page behind the row.
    pub source: &'static str,
}

const PRIVATELINK: &str =
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/privatelink-interface-endpoints.html";

/// The compatibility table: which endpoint each kind of S3 host name can use.
pub const COMPAT: [Compat; 12] = [
    Compat {
        host_kind: HostKind::Regional,
        gateway: Support::Yes,
        gateway_service: Some("s3"),
        interface: Support::Yes,
        interface_service: Some("s3"),
        internet: Support::Yes,
        why: "the standard regional names: the region's S3 prefix list holds their addresses; an interface endpoint serves them through private DNS or its bucket.vpce-… names",
        source: PRIVATELINK,
    },
    Compat {
        host_kind: HostKind::Dualstack,
        gateway: Support::Yes,
        gateway_service: Some("s3"),
        interface: Support::Yes,
        interface_service: Some("s3"),
        internet: Support::Yes,
        why: "IPv4 and IPv6 answers: the IPv6 half uses an endpoint only when the endpoint is dual-stack (IpAddressType dualstack), else it leaves through the IPv6 default route",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/dual-stack-endpoints.html",
    },
    Compat {
        host_kind: HostKind::Fips,
        gateway: Support::ByAddress,
        gateway_service: Some("s3"),
        interface: Support::No,
        interface_service: None,
        internet: Support::Yes,
        why: "interface endpoints do not serve the FIPS names, and private DNS does not answer for them",
        source: PRIVATELINK,
    },
    Compat {
        host_kind: HostKind::LegacyDashRegion,
        gateway: Support::Yes,
        gateway_service: Some("s3"),
        interface: Support::No,
        interface_service: None,
        internet: Support::Yes,
        why: "the legacy s3-REGION names resolve to the region's public S3 addresses; interface endpoints' private DNS answers only for s3.REGION names",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html",
    },
    Compat {
        host_kind: HostKind::LegacyGlobal,
        gateway: Support::Yes,
        gateway_service: Some("s3"),
        interface: Support::No,
        interface_service: None,
        internet: Support::Yes,
        why: "the legacy global name is us-east-1's: only us-east-1's S3 list holds it, and interface endpoints do not serve it",
        source: PRIVATELINK,
    },
    Compat {
        host_kind: HostKind::Accelerate,
        gateway: Support::No,
        gateway_service: None,
        interface: Support::No,
        interface_service: None,
        internet: Support::Yes,
        why: "Transfer Acceleration names resolve to CloudFront edge locations, outside every S3 prefix list; no VPC endpoint serves them",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/transfer-acceleration.html",
    },
    Compat {
        host_kind: HostKind::Website,
        gateway: Support::ByAddress,
        gateway_service: Some("s3"),
        interface: Support::No,
        interface_service: None,
        internet: Support::Yes,
        why: "website endpoints speak HTTP only and interface endpoints do not serve them",
        source: PRIVATELINK,
    },
    Compat {
        host_kind: HostKind::AccessPoint,
        gateway: Support::Yes,
        gateway_service: Some("s3"),
        interface: Support::Yes,
        interface_service: Some("s3"),
        internet: Support::Yes,
        why: "access points work through both endpoint types (through an interface endpoint by its accesspoint.vpce-… names); endpoint policies must allow the access point's ARN",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-vpc.html",
    },
    Compat {
        host_kind: HostKind::MultiRegion,
        gateway: Support::No,
        gateway_service: None,
        interface: Support::Yes,
        interface_service: Some("s3-global.accesspoint"),
        internet: Support::Yes,
        why: "Multi-Region Access Points cannot use gateway endpoints; only an interface endpoint for com.amazonaws.s3-global.accesspoint serves them",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiRegionAccessPointRestrictions.html",
    },
    Compat {
        host_kind: HostKind::Zonal,
        gateway: Support::Yes,
        gateway_service: Some("s3express"),
        interface: Support::Yes,
        interface_service: Some("s3express"),
        internet: Support::Yes,
        why: "directory buckets use the zonal s3express-ZONE names: the com.amazonaws.REGION.s3express gateway endpoint (not the s3 one) or its interface endpoint",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-express-networking.html",
    },
    Compat {
        host_kind: HostKind::ObjectLambda,
        gateway: Support::ByAddress,
        gateway_service: None,
        interface: Support::Yes,
        interface_service: Some("s3-object-lambda"),
        internet: Support::Yes,
        why: "Object Lambda has its own interface endpoint service (com.amazonaws.REGION.s3-object-lambda); AWS documents no gateway endpoint for it",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/olap-use.html",
    },
    Compat {
        host_kind: HostKind::EndpointSpecific,
        gateway: Support::No,
        gateway_service: None,
        interface: Support::Yes,
        interface_service: Some("s3"),
        internet: Support::No,
        why: "an interface endpoint's own names resolve to its network interfaces",
        source: PRIVATELINK,
    },
];

/// The compatibility row of a kind of host name.
pub fn compat(kind: HostKind) -> &'static Compat {
    COMPAT
        .iter()
        .find(|c| c.host_kind == kind)
        .unwrap_or(&COMPAT[0])
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
