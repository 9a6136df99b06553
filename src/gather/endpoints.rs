//! The endpoints of s3path's own calls (EC2, SSM, CloudWatch), resolved as the AWS SDKs do,
//! the same way for every service:
//!
//! 1. a configured endpoint, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or the profile's
//!    `ignore_configured_endpoint_urls = true`): `AWS_ENDPOINT_URL_<SERVICE>`, else
//!    `AWS_ENDPOINT_URL`, else `endpoint_url` of the service in the profile's `services`
//!    section, else the profile's `endpoint_url`;
//! 2. else the partition's endpoint for the region ([`crate::partitions`]), FIPS
//!    (`AWS_USE_FIPS_ENDPOINT` / `use_fips_endpoint`) and dual-stack
//!    (`AWS_USE_DUALSTACK_ENDPOINT` / `use_dualstack_endpoint`) as asked:
//!    `ec2.REGION.amazonaws.com`, `ec2-fips.REGION.amazonaws.com`, `ec2.REGION.api.aws`,
//!    `ec2-fips.REGION.api.aws` (GovCloud's FIPS endpoints are its regular ones).
//!
//! What the SDKs refuse is refused here in one line that names the setting: FIPS or dual-stack
//! with a global configured endpoint (`AWS_ENDPOINT_URL`, a profile's `endpoint_url`), a
//! partition without FIPS or dual-stack endpoints, and an endpoint URL with user information
//! (never echoed). One deliberate difference: an endpoint set for the service itself
//! (`AWS_ENDPOINT_URL_EC2`, …) is used as given even when FIPS or dual-stack is on — those
//! settings are usually the application's, for its S3 traffic, and must not cost s3path its
//! own control-plane reads.

use std::collections::BTreeMap;

use super::aws_config::{active_profile, config_file, section_names, sections};
use super::options::{Env, ProcessEnv};
use crate::partitions;

/// A service s3path calls itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// The host prefix and signing name (`monitoring`).
    pub prefix: &'static str,
    /// The suffix of its `AWS_ENDPOINT_URL_…` variable (`CLOUDWATCH`).
    pub env: &'static str,
    /// Its key in a profile's `services` section (`cloudwatch`).
    pub key: &'static str,
}

pub const EC2: Service = Service {
    prefix: "ec2",
    env: "EC2",
    key: "ec2",
};
pub const SSM: Service = Service {
    prefix: "ssm",
    env: "SSM",
    key: "ssm",
};
pub const CLOUDWATCH: Service = Service {
    prefix: "monitoring",
    env: "CLOUDWATCH",
    key: "cloudwatch",
};

/// The service whose signing name is `name` (`monitoring` is CloudWatch).
pub fn service(name: &str) -> Service {
    [EC2, SSM, CLOUDWATCH]
        .into_iter()
        .find(|s| s.prefix == name)
        .unwrap_or(Service {
            prefix: "unknown",
            env: "UNKNOWN",
            key: "unknown",
        })
}

/// The settings of the active profile that decide endpoints.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// `profile NAME in FILE`, for messages.
    pub label: String,
    /// Top-level keys (`endpoint_url`, `use_fips_endpoint`, `services`, …), lower-cased.
    pub keys: BTreeMap<String, String>,
    /// The keys of the `[services NAME]` section the profile names (`ec2.endpoint_url`).
    pub services: BTreeMap<String, String>,
}

/// The endpoint settings of `profile` in the config file `text` (`file` names it in messages).
pub fn parse_profile(text: &str, profile: &str, file: &str) -> Profile {
    let all = sections(text);
    let wanted = section_names(profile);
    let keys: BTreeMap<String, String> = all
        .iter()
        .filter(|(h, _)| wanted.contains(h))
        .flat_map(|(_, k)| k.iter().cloned())
        .collect();
    let services = keys
        .get("services")
        .map(|name| format!("services {name}"))
        .map(|header| {
            all.iter()
                .filter(|(h, _)| *h == header)
                .flat_map(|(_, k)| k.iter().cloned())
                .collect()
        })
        .unwrap_or_default();
    Profile {
        label: format!("profile {profile} in {file}"),
        keys,
        services,
    }
}

/// The active profile (`AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, else `default`) of the config file
/// (`AWS_CONFIG_FILE`, else `~/.aws/config`); empty when there is none.
pub fn read_profile(env: &dyn Env) -> Profile {
    match config_file(env) {
        Some((path, text)) => parse_profile(&text, &active_profile(env), &path),
        None => Profile::default(),
    }
}

/// A boolean setting: the variable `var`, else the profile's `key`. `Ok(None)` when neither is
/// set; the name of the one that decided comes with the value.
fn flag(
    env: &dyn Env,
    profile: &Profile,
    var: &str,
    key: &str,
) -> Result<Option<(bool, String)>, String> {
    let (value, name) = match env.var(var).filter(|v| !v.trim().is_empty()) {
        Some(v) => (v, var.to_string()),
        None => match profile.keys.get(key) {
            Some(v) => (v.clone(), format!("{key} of {}", profile.label)),
            None => return Ok(None),
        },
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(Some((true, name))),
        "false" => Ok(Some((false, name))),
        _ => Err(format!("{name}: expected true or false")),
    }
}

/// The endpoint URL of `service` in `region` (no trailing `/`), or why it is refused (one
/// line).
pub fn resolve(
    service: Service,
    region: &str,
    env: &dyn Env,
    profile: &Profile,
) -> Result<String, String> {
    let ignore = flag(
        env,
        profile,
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "ignore_configured_endpoint_urls",
    )?
    .is_some_and(|(on, _)| on);
    let fips = flag(env, profile, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")?
        .filter(|(on, _)| *on)
        .map(|(_, name)| name);
    let dual = flag(
        env,
        profile,
        "AWS_USE_DUALSTACK_ENDPOINT",
        "use_dualstack_endpoint",
    )?
    .filter(|(on, _)| *on)
    .map(|(_, name)| name);
    if !ignore {
        if let Some((name, url)) = configured(service, env, profile) {
            // An endpoint set for this very service (`AWS_ENDPOINT_URL_EC2`) is s3path's
            // instruction for its own calls and is used as given: the application's global
            // FIPS and dual-stack settings then stay with the application (the SDKs would refuse
            // the pair). A global endpoint (`AWS_ENDPOINT_URL`, a profile's `endpoint_url`)
            // with FIPS or dual-stack is refused as the SDKs refuse it.
            let specific = name == format!("AWS_ENDPOINT_URL_{}", service.env)
                || name.starts_with(&format!("{}.endpoint_url of [services ", service.key));
            return if specific {
                custom(&name, &url, None, None)
            } else {
                custom(&name, &url, fips.as_deref(), dual.as_deref())
            };
        }
    }
    let p = partitions::of(region);
    let prefix = service.prefix;
    match (fips, dual) {
        (Some(f), Some(d)) => {
            if p.supports_fips && p.supports_dual_stack {
                Ok(format!(
                    "https://{prefix}-fips.{region}.{}",
                    p.dual_stack_dns_suffix
                ))
            } else {
                Err(format!(
                    "{f} and {d} ask for a FIPS dual-stack endpoint, but partition {} ({region}) has none",
                    p.id
                ))
            }
        }
        (Some(f), None) => {
            if !p.supports_fips {
                Err(format!(
                    "{f} asks for a FIPS endpoint, but partition {} ({region}) has none",
                    p.id
                ))
            } else if p.id == "aws-us-gov" {
                // GovCloud's regular endpoints are its FIPS endpoints.
                Ok(format!("https://{prefix}.{region}.{}", p.dns_suffix))
            } else {
                Ok(format!("https://{prefix}-fips.{region}.{}", p.dns_suffix))
            }
        }
        (None, Some(d)) => {
            if p.supports_dual_stack {
                Ok(format!(
                    "https://{prefix}.{region}.{}",
                    p.dual_stack_dns_suffix
                ))
            } else {
                Err(format!(
                    "{d} asks for a dual-stack endpoint, but partition {} ({region}) has none",
                    p.id
                ))
            }
        }
        (None, None) => Ok(format!("https://{prefix}.{region}.{}", p.dns_suffix)),
    }
}

/// The configured endpoint of `service` and the name of the setting it came from, by the SDKs'
/// precedence.
fn configured(service: Service, env: &dyn Env, profile: &Profile) -> Option<(String, String)> {
    let var = |name: String| {
        env.var(&name)
            .filter(|v| !v.trim().is_empty())
            .map(|v| (name, v))
    };
    var(format!("AWS_ENDPOINT_URL_{}", service.env))
        .or_else(|| var("AWS_ENDPOINT_URL".to_string()))
        .or_else(|| {
            let key = format!("{}.endpoint_url", service.key);
            profile
                .services
                .get(&key)
                .filter(|v| !v.is_empty())
                .map(|v| {
                    let section = profile.keys.get("services").cloned().unwrap_or_default();
                    (
                        format!("{key} of [services {section}] ({})", profile.label),
                        v.clone(),
                    )
                })
        })
        .or_else(|| {
            profile
                .keys
                .get("endpoint_url")
                .filter(|v| !v.is_empty())
                .map(|v| (format!("endpoint_url of {}", profile.label), v.clone()))
        })
}

/// A configured endpoint, checked: an `http(s)://` URL with a host and no user information,
/// and neither FIPS nor dual-stack asked for (the SDKs refuse both with a custom endpoint).
fn custom(name: &str, url: &str, fips: Option<&str>, dual: Option<&str>) -> Result<String, String> {
    let url = url.trim();
    // Checked before parsing, so that no error shows a piece of it.
    if crate::url::split(url).userinfo.is_some() || crate::url::possible_userinfo(url).is_some() {
        return Err(format!(
            "{name}: an endpoint URL with user information is refused (credentials never go in an endpoint URL)"
        ));
    }
    let parsed = crate::url::parse(url).map_err(|e| format!("{name}: not a URL: {e}"))?;
    if !matches!(parsed.scheme.as_deref(), Some("http" | "https")) || parsed.host.is_empty() {
        return Err(format!(
            "{name}: expected an http:// or https:// URL with a host"
        ));
    }
    if let Some(f) = fips {
        return Err(format!(
            "{name} and {f} are both set: the SDKs refuse FIPS with a configured endpoint"
        ));
    }
    if let Some(d) = dual {
        return Err(format!(
            "{name} and {d} are both set: the SDKs refuse dual-stack with a configured endpoint"
        ));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// The endpoint of the service signed as `name` (`ec2`, `ssm`, `monitoring`) in `region`, from
/// the process environment and the active profile (`profile`, from `--profile`, else
/// `AWS_PROFILE`: the same profile the credentials come from).
pub fn endpoint(name: &str, region: &str, profile: Option<&str>) -> Result<String, String> {
    let env = super::options::WithProfile {
        env: &ProcessEnv,
        profile,
    };
    resolve(service(name), region, &env, &read_profile(&env))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Vars(Vec<(&'static str, &'static str)>);

    impl Env for Vars {
        fn var(&self, name: &str) -> Option<String> {
            self.0
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    fn env(vars: &[(&'static str, &'static str)]) -> Vars {
        Vars(vars.to_vec())
    }

    const CONFIG: &str = "\
[default]
region = eu-west-1
endpoint_url = http://127.0.0.1:4000
services = local

[services local]
ec2 =
  endpoint_url = http://127.0.0.1:4001
cloudwatch =
  endpoint_url = http://127.0.0.1:4002

[profile fips]
use_fips_endpoint = true

[profile dual]
use_dualstack_endpoint = true

[profile both]
use_fips_endpoint = true
use_dualstack_endpoint = true

[profile ignore]
endpoint_url = http://127.0.0.1:4000
ignore_configured_endpoint_urls = true

[profile secret]
endpoint_url = https://user:pw@proxy.example
";

    fn profile(name: &str) -> Profile {
        parse_profile(CONFIG, name, "/cfg")
    }

    #[test]
    fn every_partition_has_its_default_hosts() {
        let none = Profile::default();
        let cases = [
            ("us-east-1", "amazonaws.com", "api.aws"),
            (
                "cn-north-1",
                "amazonaws.com.cn",
                "api.amazonwebservices.com.cn",
            ),
            ("us-gov-west-1", "amazonaws.com", "api.aws"),
            ("us-iso-east-1", "c2s.ic.gov", "api.aws.ic.gov"),
            ("us-isob-east-1", "sc2s.sgov.gov", "api.aws.scloud"),
            ("eu-isoe-west-1", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"),
            ("us-isof-south-1", "csp.hci.ic.gov", "api.aws.hci.ic.gov"),
            ("eusc-de-east-1", "amazonaws.eu", "api.amazonwebservices.eu"),
        ];
        for (region, dns, dual) in cases {
            for s in [EC2, SSM, CLOUDWATCH] {
                let p = s.prefix;
                let at = |vars: &[(&'static str, &'static str)]| {
                    resolve(s, region, &env(vars), &none).unwrap()
                };
                assert_eq!(at(&[]), format!("https://{p}.{region}.{dns}"));
                let fips = if region.starts_with("us-gov-") {
                    format!("https://{p}.{region}.{dns}")
                } else {
                    format!("https://{p}-fips.{region}.{dns}")
                };
                assert_eq!(at(&[("AWS_USE_FIPS_ENDPOINT", "true")]), fips);
                assert_eq!(
                    at(&[("AWS_USE_DUALSTACK_ENDPOINT", "true")]),
                    format!("https://{p}.{region}.{dual}")
                );
                assert_eq!(
                    at(&[
                        ("AWS_USE_FIPS_ENDPOINT", "TRUE"),
                        ("AWS_USE_DUALSTACK_ENDPOINT", "true")
                    ]),
                    format!("https://{p}-fips.{region}.{dual}")
                );
                assert_eq!(
                    at(&[("AWS_USE_FIPS_ENDPOINT", "false")]),
                    format!("https://{p}.{region}.{dns}")
                );
            }
        }
        assert_eq!(
            resolve(EC2, "us-east-1", &env(&[]), &profile("fips")).unwrap(),
            "https://ec2-fips.us-east-1.amazonaws.com"
        );
        assert_eq!(
            resolve(EC2, "us-east-1", &env(&[]), &profile("dual")).unwrap(),
            "https://ec2.us-east-1.api.aws"
        );
        assert_eq!(
            resolve(SSM, "eu-west-1", &env(&[]), &profile("both")).unwrap(),
            "https://ssm-fips.eu-west-1.api.aws"
        );
        // The variable wins over the profile.
        assert_eq!(
            resolve(
                EC2,
                "us-east-1",
                &env(&[("AWS_USE_FIPS_ENDPOINT", "false")]),
                &profile("fips")
            )
            .unwrap(),
            "https://ec2.us-east-1.amazonaws.com"
        );
    }

    #[test]
    fn configured_endpoints_in_the_sdks_order() {
        let p = profile("default");
        let at = |s: Service, vars: &[(&'static str, &'static str)]| {
            resolve(s, "eu-west-1", &env(vars), &p).unwrap()
        };
        let all = [
            ("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:1/"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:2"),
        ];
        assert_eq!(at(EC2, &all), "http://127.0.0.1:1");
        assert_eq!(at(SSM, &all), "http://127.0.0.1:2");
        assert_eq!(at(EC2, &all[1..]), "http://127.0.0.1:2");
        // The services section, then the profile's endpoint_url.
        assert_eq!(at(EC2, &[]), "http://127.0.0.1:4001");
        assert_eq!(at(CLOUDWATCH, &[]), "http://127.0.0.1:4002");
        assert_eq!(at(SSM, &[]), "http://127.0.0.1:4000");
        // An empty variable is not set.
        assert_eq!(
            at(EC2, &[("AWS_ENDPOINT_URL_EC2", "")]),
            "http://127.0.0.1:4001"
        );
        // Ignoring configured endpoints, from the environment or the profile.
        let ignore = [("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")];
        assert_eq!(
            at(EC2, &[all[0], all[1], ignore[0]]),
            "https://ec2.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            resolve(SSM, "eu-west-1", &env(&all[1..]), &profile("ignore")).unwrap(),
            "https://ssm.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            resolve(
                SSM,
                "eu-west-1",
                &env(&[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false")]),
                &profile("ignore")
            )
            .unwrap(),
            "http://127.0.0.1:4000"
        );
        // No configuration at all: the partition's endpoint.
        assert_eq!(
            resolve(CLOUDWATCH, "cn-north-1", &env(&[]), &Profile::default()).unwrap(),
            "https://monitoring.cn-north-1.amazonaws.com.cn"
        );
    }

    #[test]
    fn refusals_are_one_line_and_never_echo_user_information() {
        let none = Profile::default();
        let err = |vars: &[(&'static str, &'static str)], p: &Profile| {
            let e = resolve(EC2, "us-east-1", &env(vars), p).unwrap_err();
            assert!(!e.contains('\n') && !e.contains("pw"), "{e}");
            e
        };
        let e = err(
            &[("AWS_ENDPOINT_URL", "https://user:pw@host.example")],
            &none,
        );
        assert!(e.starts_with("AWS_ENDPOINT_URL:"), "{e}");
        let e = err(&[("AWS_ENDPOINT_URL_EC2", "http://u:pw/x@host")], &none);
        assert!(e.starts_with("AWS_ENDPOINT_URL_EC2:"), "{e}");
        let e = err(&[], &profile("secret"));
        assert!(
            e.starts_with("endpoint_url of profile secret in /cfg"),
            "{e}"
        );
        let e = err(&[("AWS_ENDPOINT_URL", "ftp://host")], &none);
        assert!(e.contains("http://"), "{e}");
        let e = err(
            &[
                ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
                ("AWS_USE_FIPS_ENDPOINT", "true"),
            ],
            &none,
        );
        assert!(e.contains("FIPS"), "{e}");
        let e = err(
            &[
                ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
                ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
            ],
            &none,
        );
        assert!(e.contains("dual-stack"), "{e}");
        let e = err(&[("AWS_USE_FIPS_ENDPOINT", "yes")], &none);
        assert_eq!(e, "AWS_USE_FIPS_ENDPOINT: expected true or false");
    }

    /// An endpoint set for the service itself wins over FIPS and dual-stack (those are the
    /// application's); a global endpoint with either is refused, as the SDKs refuse it.
    #[test]
    fn a_service_endpoint_is_used_as_given_with_fips_or_dual_stack_on() {
        let none = Profile::default();
        for flag in ["AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT"] {
            let got = resolve(
                EC2,
                "eu-west-1",
                &env(&[
                    ("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:5/"),
                    (flag, "true"),
                ]),
                &none,
            );
            assert_eq!(got.as_deref(), Ok("http://127.0.0.1:5"), "{flag}");
            let got = resolve(
                EC2,
                "eu-west-1",
                &env(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:5"), (flag, "true")]),
                &none,
            );
            assert!(got.unwrap_err().contains(flag), "{flag}");
        }
    }

    #[test]
    fn service_names() {
        assert_eq!(service("monitoring"), CLOUDWATCH);
        assert_eq!(service("ssm"), SSM);
        assert_eq!(service("ec2"), EC2);
    }
}
