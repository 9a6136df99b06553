//! Proxy and SDK settings from the environment. Values are recorded without user-info
//! (`user:password@`); credential variables are never read.

use super::Env;
use crate::facts::{ClientSettings, EnvSetting, Observed};
use crate::proxy::{HTTPS_PROXY_VARS, NO_PROXY_VARS};

/// Variables that change the S3 endpoint or region a client uses.
const AWS_VARS: [&str; 11] = [
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_S3_US_EAST_1_REGIONAL_ENDPOINT",
    "AWS_CA_BUNDLE",
    "SSL_CERT_FILE",
];

pub fn client_settings(env: &dyn Env) -> ClientSettings {
    let read = |names: &[&str]| -> Vec<EnvSetting> {
        names
            .iter()
            .filter_map(|n| {
                env.var(n).map(|v| EnvSetting {
                    name: n.to_string(),
                    value: redact_url(&v),
                })
            })
            .collect()
    };
    let mut proxy_names: Vec<&str> = HTTPS_PROXY_VARS.to_vec();
    proxy_names.extend(["http_proxy", "HTTP_PROXY"]);
    proxy_names.extend(NO_PROXY_VARS);
    ClientSettings {
        proxy_env: read(&proxy_names),
        aws_env: read(&AWS_VARS),
        aws_profile: super::aws_config::profile_settings(env),
        aws_cli: Observed::not_collected("not asked"),
    }
}

/// Removes `user:password@` from a URL-like value (and from each comma-separated item).
pub fn redact_url(value: &str) -> String {
    value
        .split(',')
        .map(|item| {
            let (scheme, rest) = match item.find("://") {
                Some(i) => item.split_at(i + 3),
                None => ("", item),
            };
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => format!("{scheme}{}", &rest[at + 1..]),
                None => item.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct MapEnv(HashMap<&'static str, &'static str>);
    impl Env for MapEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|s| s.to_string())
        }
    }

    #[test]
    fn user_info_is_removed() {
        assert_eq!(
            redact_url("http://alice:s3cret@proxy:3128"),
            "http://proxy:3128"
        );
        assert_eq!(redact_url("alice:s3cret@proxy:3128"), "proxy:3128");
        assert_eq!(
            redact_url("http://proxy:3128/p@th"),
            "http://proxy:3128/p@th"
        );
        assert_eq!(redact_url(".corp,10.0.0.0/8"), ".corp,10.0.0.0/8");
    }

    #[test]
    fn reads_proxy_and_aws_settings_but_no_credentials() {
        let env = MapEnv(HashMap::from([
            ("HTTPS_PROXY", "http://bob:pw@proxy.corp:3128"),
            ("no_proxy", ".corp"),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_SECRET_ACCESS_KEY", "never-read"),
            ("AWS_SESSION_TOKEN", "never-read"),
        ]));
        let s = client_settings(&env);
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("never-read"));
        assert!(!json.contains("bob"));
        assert_eq!(s.proxy_var("HTTPS_PROXY"), Some("http://proxy.corp:3128"));
        assert_eq!(s.proxy_var("no_proxy"), Some(".corp"));
        assert_eq!(s.aws_env.len(), 1);
    }
}
