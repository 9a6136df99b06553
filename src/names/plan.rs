//! [`plan`]: the host names an application's SDK uses for a parsed name, given its S3
//! settings.

use serde::{Deserialize, Serialize};

use super::kinds::{host_kind, HostKind, NameKind};
use super::parse::{region_code, S3Ref};
use crate::facts::ClientSettings;
use crate::validate::partition_dns_suffix;

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
    // An Object Lambda alias (`…--ol-s3`) takes a bucket name's place, as an access point alias.
    let bucket_like = matches!(r.kind, NameKind::Bucket | NameKind::AccessPointAlias)
        || (r.kind == NameKind::ObjectLambda && r.arn.is_none() && r.account.is_none());
    let p = Planning {
        r,
        s,
        client_region,
        fips,
        dual,
        accel,
        because,
    };
    match r.kind {
        _ if bucket_like => plan_bucket(p, bucket_region),
        NameKind::AccessPoint | NameKind::ObjectLambda => plan_access_point(p),
        NameKind::MultiRegionAccessPoint => plan_multi_region(p),
        NameKind::DirectoryBucket => plan_directory_bucket(p),
        NameKind::Bucket | NameKind::AccessPointAlias => p.done(
            vec![],
            Some(format!("{} has no host name s3path can plan", r.input)),
        ),
    }
}

/// What every kind of name is planned from: the name, the settings, the client's region, the
/// three switches, and the reasons gathered so far.
struct Planning<'a> {
    r: &'a S3Ref,
    s: &'a S3Settings,
    client_region: &'a str,
    fips: bool,
    dual: bool,
    accel: bool,
    because: Vec<String>,
}

impl Planning<'_> {
    fn done(self, names: Vec<PlannedName>, refused: Option<String>) -> NamePlan {
        NamePlan {
            name: self.r.clone(),
            names,
            refused,
            because: self.because,
        }
    }
}

/// Where a setting was set (`AWS_USE_FIPS_ENDPOINT=true`), or nothing.
fn src(x: &Setting<bool>) -> String {
    x.as_ref().map(|(_, s)| s.clone()).unwrap_or_default()
}

fn name(host: String, host_kind: HostKind, region: Option<&str>, path_style: bool) -> PlannedName {
    PlannedName {
        host,
        host_kind,
        region: region.map(str::to_string),
        path_style,
    }
}

/// A bucket name, an access point alias or an Object Lambda alias: virtual-hosted or
/// path-style, regional, legacy global, FIPS, dual-stack or accelerate.
fn plan_bucket(mut p: Planning, bucket_region: Option<&str>) -> NamePlan {
    let (r, s, client_region) = (p.r, p.s, p.client_region);
    let (fips, dual, accel) = (p.fips, p.dual, p.accel);
    let region = bucket_region
        .or(r.region.as_deref())
        .unwrap_or(client_region);
    let suffix = partition_dns_suffix(region);
    let dotted = r.name.contains('.');
    let path = matches!(s.addressing, Some((Addressing::Path, _)));
    if accel {
        p.because.push(format!(
            "{} turns on Transfer Acceleration",
            src(&s.accelerate)
        ));
        if fips {
            return p.done(vec![], Some(format!("Transfer Acceleration and FIPS cannot be combined ({} and {}): the SDKs refuse the request", src(&s.accelerate), src(&s.fips))));
        }
        if dotted || path {
            return p.done(vec![], Some("Transfer Acceleration needs virtual-hosted addressing and a bucket name without periods: the SDKs refuse the request".to_string()));
        }
        let host = if dual {
            p.because
                .push(format!("{} adds dual-stack", src(&s.dualstack)));
            format!("{}.s3-accelerate.dualstack.amazonaws.com", r.name)
        } else {
            format!("{}.s3-accelerate.amazonaws.com", r.name)
        };
        return p.done(vec![name(host, HostKind::Accelerate, None, false)], None);
    }
    let service = match (fips, dual) {
        (true, true) => "s3-fips.dualstack",
        (true, false) => "s3-fips",
        (false, true) => "s3.dualstack",
        (false, false) => "s3",
    };
    if fips {
        p.because
            .push(format!("{} selects the FIPS names", src(&s.fips)));
    }
    if dual {
        p.because.push(format!(
            "{} selects the dual-stack names",
            src(&s.dualstack)
        ));
    }
    let kind = match (fips, dual) {
        (true, _) => HostKind::Fips,
        (false, true) => HostKind::Dualstack,
        _ => HostKind::Regional,
    };
    let legacy_global =
        region == "us-east-1" && !fips && !dual && matches!(s.us_east_1_regional, Some((false, _)));
    if legacy_global {
        p.because.push(format!(
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
        p.because.push(if path {
                format!(
                    "{} puts the bucket in the path",
                    s.addressing.as_ref().map(|(_, s)| s.as_str()).unwrap_or("")
                )
            } else {
                "a bucket name with periods is sent path-style over HTTPS (the certificate covers one label)".to_string()
            });
        return p.done(vec![name(base, kind, Some(region), true)], None);
    }
    p.done(
        vec![name(
            format!("{}.{base}", r.name),
            kind,
            Some(region),
            false,
        )],
        None,
    )
}

/// An access point or Object Lambda access point ARN: its own names, in the ARN's region.
fn plan_access_point(mut p: Planning) -> NamePlan {
    let (r, s, client_region) = (p.r, p.s, p.client_region);
    let (fips, dual, accel) = (p.fips, p.dual, p.accel);
    let ap_region = r.region.as_deref().unwrap_or(client_region);
    let account = r.account.as_deref().unwrap_or("");
    if accel {
        return p.done(vec![], Some(format!("access points cannot be used with Transfer Acceleration ({}): the SDKs refuse the request", src(&s.accelerate))));
    }
    if ap_region != client_region {
        match &s.use_arn_region {
                Some((false, source)) => {
                    return p.done(vec![], Some(format!("the ARN's region {ap_region} is not the client's {client_region} and {source}: the SDKs refuse the request")));
                }
                Some((true, source)) => {
                    p.because.push(format!("{source}: the request goes to the ARN's region {ap_region}"))
                }
                None => p.because.push(format!(
                    "the request goes to the ARN's region {ap_region} (use_arn_region unset: boto3 and the CLI follow the ARN; some SDKs refuse unless it is true)"
                )),
            }
    }
    let suffix = partition_dns_suffix(ap_region);
    let (service, kind) = if r.kind == NameKind::AccessPoint {
        ("s3-accesspoint", HostKind::AccessPoint)
    } else {
        if dual {
            return p.done(
                vec![],
                Some(format!(
                    "S3 Object Lambda has no dual-stack names ({}): the SDKs refuse the request",
                    src(&s.dualstack)
                )),
            );
        }
        ("s3-object-lambda", HostKind::ObjectLambda)
    };
    if fips {
        p.because
            .push(format!("{} selects the FIPS names", src(&s.fips)));
    }
    if dual {
        p.because.push(format!(
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
    p.done(vec![name(host, kind, Some(ap_region), false)], None)
}

/// A Multi-Region Access Point: the global name (SigV4A), nothing else allowed.
fn plan_multi_region(mut p: Planning) -> NamePlan {
    let (r, s) = (p.r, p.s);
    let (fips, dual, accel) = (p.fips, p.dual, p.accel);
    for (on, what, set) in [
        (fips, "FIPS", &s.fips),
        (dual, "dual-stack", &s.dualstack),
        (accel, "Transfer Acceleration", &s.accelerate),
    ] {
        if on {
            return p.done(vec![], Some(format!("Multi-Region Access Points do not support {what} ({}): the SDKs refuse the request", src(set))));
        }
    }
    p.because.push(
        "Multi-Region Access Point requests are signed with SigV4A and go to the global name"
            .to_string(),
    );
    p.done(
        vec![name(
            format!("{}.accesspoint.s3-global.amazonaws.com", r.name),
            HostKind::MultiRegion,
            None,
            false,
        )],
        None,
    )
}

/// A directory bucket: its zonal name.
fn plan_directory_bucket(mut p: Planning) -> NamePlan {
    let (r, s, client_region) = (p.r, p.s, p.client_region);
    let (fips, dual, accel) = (p.fips, p.dual, p.accel);
    let region = r.region.as_deref().unwrap_or(client_region);
    let zone = r.zone_id.as_deref().unwrap_or("");
    if accel {
        return p.done(vec![], Some(format!("directory buckets cannot use Transfer Acceleration ({}): the SDKs refuse the request", src(&s.accelerate))));
    }
    if let Some(code) = region_code(region) {
        if !zone.starts_with(&format!("{code}-")) {
            p.because.push(format!(
                    "zone {zone} is not in {region} (its zones start with {code}-): the SDK still sends the request to {region}, where the name does not exist"
                ));
        }
    }
    let suffix = partition_dns_suffix(region);
    let service = if fips {
        p.because
            .push(format!("{} selects the FIPS names", src(&s.fips)));
        format!("s3express-fips-{zone}")
    } else {
        format!("s3express-{zone}")
    };
    let dual_part = if dual {
        p.because.push(format!(
            "{} selects the dual-stack names",
            src(&s.dualstack)
        ));
        ".dualstack"
    } else {
        ""
    };
    let base = format!("{service}{dual_part}.{region}.{suffix}");
    if matches!(s.addressing, Some((Addressing::Path, _))) {
        return p.done(vec![name(base, HostKind::Zonal, Some(region), true)], None);
    }
    p.done(
        vec![name(
            format!("{}.{base}", r.name),
            HostKind::Zonal,
            Some(region),
            false,
        )],
        None,
    )
}
