//! [`parse`]: every form of `--bucket` input, classified, or one line saying what is wrong.

use serde::{Deserialize, Serialize};

use super::kinds::{host_kind, HostKind, NameKind};
use crate::validate;

/// The longest `--bucket` input accepted (an ARN plus a key fits easily).
pub const MAX_INPUT: usize = 2048;

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
