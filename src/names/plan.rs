//! [`plan`]: the host names an application's SDK uses for a parsed name, given its S3
//! settings.

use serde::{Deserialize, Serialize};

use aws_sdk_s3::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};

use super::kinds::{host_kind, HostKind, NameKind};
use super::parse::{region_code, S3Ref};
use crate::facts::ClientSettings;

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
    /// `s3_disable_multiregion_access_points`.
    pub disable_mrap: Setting<bool>,
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
            disable_mrap: flag(
                &["AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS"],
                &["s3_disable_multiregion_access_points"],
            ),
            endpoint_override: s
                .s3_endpoint_override()
                .and_then(|(src, url)| Some((crate::url::url_host(&url)?, src))),
        }
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

/// One name and the families that use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdkName {
    /// `--sdk` values, in the order of `names::sdk::FAMILIES`.
    pub families: Vec<String>,
    /// The name (none when these families refuse the input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<PlannedName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
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
    /// The one SDK family (`--sdk`) these names are planned for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk: Option<String>,
    /// Without `--sdk`: each SDK family's name, when the families name the input differently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_sdk: Vec<SdkName>,
}

/// Plans the host names for `r` from a client in `client_region` with settings `s`;
/// `bucket_region` is the region S3 said the bucket is in, when known.
///
/// A URL names its host and an endpoint override replaces every name; everything else is
/// planned by aws-sdk-s3's own endpoint resolver (the S3 endpoint rule set every SDK
/// generates its resolver from): the parsed input and the settings become its parameters, its
/// URL the planned name, its error the refusal.
pub fn plan(
    r: &S3Ref,
    s: &S3Settings,
    client_region: &str,
    bucket_region: Option<&str>,
) -> NamePlan {
    let out = |names: Vec<PlannedName>, refused: Option<String>, because: Vec<String>| NamePlan {
        name: r.clone(),
        names,
        refused,
        because,
        sdk: None,
        by_sdk: Vec::new(),
    };
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
        let kind = host_kind(host);
        return out(
            vec![PlannedName {
                host: host.clone(),
                host_kind: kind
                    .as_ref()
                    .map(|(k, _)| *k)
                    .unwrap_or(HostKind::EndpointSpecific),
                region: kind.and_then(|(_, r)| r),
                path_style: false,
            }],
            None,
            vec![format!("{source} sends every S3 request to {host}")],
        );
    }
    let (params, region, mut because) = parameters(r, s, client_region, bucket_region);
    match resolve(&params) {
        Err(e) => out(
            vec![],
            Some(format!("the SDKs' S3 endpoint rules refuse it: {e}")),
            because,
        ),
        Ok(url) => {
            let parts = crate::url::split(&url);
            let host = parts.host_port.to_ascii_lowercase();
            let path_style = !matches!(parts.path(), "" | "/");
            let kind = classify(&host);
            if path_style && params.force_path_style() != Some(true) {
                because.push(
                    "a bucket name that is not one DNS label (periods, or characters a host name cannot carry) is sent path-style (the certificate covers one label)"
                        .to_string(),
                );
            }
            let region = match &kind {
                Some((HostKind::Accelerate | HostKind::MultiRegion, _)) => None,
                Some((_, Some(r))) => Some(r.clone()),
                _ => Some(region),
            };
            out(
                vec![PlannedName {
                    host,
                    host_kind: kind.map(|(k, _)| k).unwrap_or(HostKind::Regional),
                    region,
                    path_style,
                }],
                None,
                because,
            )
        }
    }
}

/// The service name (no bucket) a client in `region` with settings `s` sends bucket-less
/// requests to (ListBuckets, and every request with path-style addressing), as the rules plan
/// it, or the rules' error.
pub fn service_host(s: &S3Settings, region: &str) -> Result<String, String> {
    let on = |x: &Setting<bool>| matches!(x, Some((true, _)));
    let params = Params::builder()
        .region(region)
        .use_fips(on(&s.fips))
        .use_dual_stack(on(&s.dualstack))
        .use_global_endpoint(matches!(s.us_east_1_regional, Some((false, _))))
        .build()
        .expect("every parameter the rules require is set");
    let url = resolve(&params)?;
    Ok(crate::url::split(&url).host_port.to_ascii_lowercase())
}

/// The family and region of a planned host, also in partitions whose DNS suffix is not
/// `amazonaws.com` (read as if it were).
fn classify(host: &str) -> Option<(HostKind, Option<String>)> {
    host_kind(host).or_else(|| {
        crate::partitions::PARTITIONS.iter().find_map(|p| {
            let stem = host.strip_suffix(&format!(".{}", p.dns_suffix))?;
            host_kind(&format!("{stem}.amazonaws.com"))
        })
    })
}

/// Runs aws-sdk-s3's endpoint resolver. It is pure: its future is ready at once.
fn resolve(params: &Params) -> Result<String, String> {
    use futures_util::FutureExt;
    match DefaultResolver::new()
        .resolve_endpoint(params)
        .now_or_never()
    {
        Some(Ok(endpoint)) => Ok(endpoint.url().to_string()),
        Some(Err(e)) => Err(e.to_string()),
        None => Err("the endpoint resolver did not answer".to_string()),
    }
}

/// The resolver's parameters for `r` with settings `s`, the region the request is planned for,
/// and the settings that shaped it, each in one sentence.
fn parameters(
    r: &S3Ref,
    s: &S3Settings,
    client_region: &str,
    bucket_region: Option<&str>,
) -> (Params, String, Vec<String>) {
    let mut because = Vec::new();
    let on = |x: &Setting<bool>| matches!(x, Some((true, _)));
    let src = |x: &Setting<bool>| x.as_ref().map(|(_, s)| s.clone()).unwrap_or_default();
    let force_path = matches!(s.addressing, Some((Addressing::Path, _)));
    // An Object Lambda alias (`…--ol-s3`) takes a bucket name's place, as an access point alias.
    let bucket_like = matches!(r.kind, NameKind::Bucket | NameKind::AccessPointAlias)
        || (r.kind == NameKind::ObjectLambda && r.arn.is_none() && r.account.is_none());
    let partition = crate::partitions::of(client_region).id;
    let (bucket, region) = if bucket_like {
        let region = bucket_region
            .or(r.region.as_deref())
            .unwrap_or(client_region);
        (r.name.clone(), region.to_string())
    } else {
        match r.kind {
            NameKind::DirectoryBucket => (
                r.name.clone(),
                r.region.as_deref().unwrap_or(client_region).to_string(),
            ),
            NameKind::MultiRegionAccessPoint => {
                because.push(
                    "Multi-Region Access Point requests are signed with SigV4A and go to the global name"
                        .to_string(),
                );
                // The alias alone has no account; the name the rules make does not carry it.
                let arn = r.arn.clone().unwrap_or_else(|| {
                    format!(
                        "arn:{partition}:s3::{}:accesspoint/{}",
                        r.account.as_deref().unwrap_or("000000000000"),
                        r.name
                    )
                });
                (arn, client_region.to_string())
            }
            _ => {
                let arn = r
                    .arn
                    .clone()
                    .or_else(|| r.resource_arn(partition))
                    .unwrap_or_else(|| r.name.clone());
                let ap_region = r.region.as_deref().unwrap_or(client_region);
                if ap_region != client_region && !matches!(s.use_arn_region, Some((false, _))) {
                    because.push(match &s.use_arn_region {
                        Some((_, source)) => {
                            format!("{source}: the request goes to the ARN's region {ap_region}")
                        }
                        None => format!(
                            "the request goes to the ARN's region {ap_region} (use_arn_region unset: boto3 and the CLI follow the ARN; some SDKs refuse unless it is true)"
                        ),
                    });
                }
                (arn, client_region.to_string())
            }
        }
    };
    if r.kind == NameKind::DirectoryBucket {
        let zone = r.zone_id.as_deref().unwrap_or("");
        if let Some(code) = region_code(&region) {
            if !zone.starts_with(&format!("{code}-")) {
                because.push(format!(
                    "zone {zone} is not in {region} (its zones start with {code}-): the SDK still sends the request to {region}, where the name does not exist"
                ));
            }
        }
    }
    for (x, what) in [
        (&s.accelerate, "turns on Transfer Acceleration"),
        (&s.fips, "selects the FIPS names"),
        (&s.dualstack, "selects the dual-stack names"),
        (&s.disable_mrap, "disables Multi-Region Access Points"),
    ] {
        if on(x) {
            because.push(format!("{} {what}", src(x)));
        }
    }
    if let Some((Addressing::Path, source)) = &s.addressing {
        because.push(format!("{source} puts the bucket in the path"));
    }
    let legacy = matches!(s.us_east_1_regional, Some((false, _)));
    if legacy && region == "us-east-1" {
        if let Some((_, source)) = &s.us_east_1_regional {
            because.push(format!(
                "{source} keeps us-east-1 on the legacy global name"
            ));
        }
    }
    let params = Params::builder()
        .bucket(bucket)
        .region(region.clone())
        .use_fips(on(&s.fips))
        .use_dual_stack(on(&s.dualstack))
        .accelerate(on(&s.accelerate))
        .force_path_style(force_path)
        .use_global_endpoint(legacy)
        .set_use_arn_region(s.use_arn_region.as_ref().map(|(v, _)| *v))
        .disable_multi_region_access_points(on(&s.disable_mrap))
        .build()
        .expect("every parameter the rules require is set");
    (params, region, because)
}
