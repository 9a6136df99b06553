//! Proxy and SDK settings from the environment. Values are recorded without user-info
//! (`user:password@`); credential variables are never read.

use super::options::Env;
use crate::facts::{ClientSettings, EnvSetting, Observed};
use crate::proxy::{HTTPS_PROXY_VARS, NO_PROXY_VARS};

/// Variables that change the S3 endpoint or region a client uses.
const AWS_VARS: [&str; 14] = [
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_S3_US_EAST_1_REGIONAL_ENDPOINT",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_S3_USE_ARN_REGION",
    "AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS",
    "AWS_CA_BUNDLE",
    "SSL_CERT_FILE",
];

/// Variables whose value is a URL: stored as `scheme://host:port` only.
const URL_VARS: [&str; 11] = [
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "http_proxy",
    "HTTP_PROXY",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "ECS_CONTAINER_METADATA_URI_V4",
    "AWS_ENDPOINT_URL_EC2",
];

/// The longest value kept of any other variable (a NO_PROXY list, a path), in characters.
const MAX_VALUE_CHARS: usize = 4096;

/// What is stored of a variable's value: URLs reduced to `scheme://host:port`, anything else
/// bounded in length.
pub fn stored_value(name: &str, value: &str) -> String {
    if URL_VARS.contains(&name) {
        crate::redact::url(value)
    } else if value.chars().count() > MAX_VALUE_CHARS {
        let mut v: String = value.chars().take(MAX_VALUE_CHARS).collect();
        v.push('…');
        v
    } else {
        value.to_string()
    }
}

pub fn client_settings(env: &dyn Env) -> ClientSettings {
    let read = |names: &[&str]| -> Vec<EnvSetting> {
        names
            .iter()
            .filter_map(|n| {
                env.var(n).map(|v| EnvSetting {
                    name: n.to_string(),
                    value: stored_value(n, &v),
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
            crate::redact::url("http://alice:s3cret@proxy:3128"),
            "http://proxy:3128"
        );
        assert_eq!(crate::redact::url("alice:s3cret@proxy:3128"), "proxy:3128");
        assert_eq!(
            stored_value("NO_PROXY", ".corp,10.0.0.0/8"),
            ".corp,10.0.0.0/8"
        );
        assert_eq!(
            stored_value("HTTPS_PROXY", "http://u:PW#x@proxy:3128"),
            "http://proxy:3128"
        );
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
