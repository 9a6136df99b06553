//! The active profile's S3-relevant settings from the AWS config file, and the installed AWS
//! CLI's version. Only the keys listed in [`KEYS`] are kept; the credentials file is never
//! opened, and credential keys that people put in the config file are never stored.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::options::Env;
use crate::facts::{EnvSetting, Observed, ProfileSettings};

/// Settings that change where or how S3 requests go (`s3.x` = the nested `s3 =` block).
pub const KEYS: [&str; 15] = [
    "region",
    "endpoint_url",
    "use_dualstack_endpoint",
    "use_fips_endpoint",
    "ca_bundle",
    "s3.addressing_style",
    "s3.use_dualstack_endpoint",
    "s3.us_east_1_regional_endpoint",
    "s3.endpoint_url",
    "s3.use_accelerate_endpoint",
    "s3.use_arn_region",
    "s3_use_arn_region",
    "s3.use_fips_endpoint",
    "s3_us_east_1_regional_endpoint",
    "s3_disable_multiregion_access_points",
];

/// Parses the config file text and returns the whitelisted settings of `profile`.
pub fn parse_profile(text: &str, profile: &str) -> Option<Vec<EnvSetting>> {
    let keys = profile_entries(text, profile)?;
    let mut out: Vec<EnvSetting> = Vec::new();
    for (key, v) in keys {
        if KEYS.contains(&key.as_str()) {
            out.retain(|s| s.name != key);
            let value = if key.ends_with("endpoint_url") {
                crate::redact::url(&v)
            } else {
                v
            };
            out.push(EnvSetting { name: key, value });
        }
    }
    Some(out)
}

/// The keys and values of `profile`'s sections, in file order; `None` when it has none.
fn profile_entries(text: &str, profile: &str) -> Option<Vec<(String, String)>> {
    let wanted = section_names(profile);
    let mut found = false;
    let mut out = Vec::new();
    for (header, keys) in sections(text) {
        if wanted.contains(&header) {
            found = true;
            out.extend(keys);
        }
    }
    found.then_some(out)
}

/// The active profile: `AWS_PROFILE` (which `--profile` sets), else `AWS_DEFAULT_PROFILE`, else
/// `default`.
pub fn active_profile(env: &dyn Env) -> String {
    env.var("AWS_PROFILE")
        .filter(|p| !p.is_empty())
        .or_else(|| env.var("AWS_DEFAULT_PROFILE").filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".to_string())
}

/// The config file (`AWS_CONFIG_FILE`, else `~/.aws/config`) and its text.
pub(super) fn config_file(env: &dyn Env) -> Option<(String, String)> {
    let path = env
        .var("AWS_CONFIG_FILE")
        .filter(|p| !p.is_empty())
        .or_else(|| env.var("HOME").map(|h| format!("{h}/.aws/config")))?;
    // A regular file of at most 1 MiB: a FIFO or a device named in AWS_CONFIG_FILE must not
    // block the run.
    let text = crate::input::read_regular_file(std::path::Path::new(&path), 1024 * 1024).ok()?;
    Some((path, text))
}

/// The active profile's `region =`, when it names a valid region.
pub fn profile_region(env: &dyn Env) -> Option<String> {
    profile_settings(env)?
        .settings
        .into_iter()
        .find(|s| s.name == "region")
        .map(|s| s.value)
        .filter(|r| crate::validate::region(r).is_ok())
}

/// Where the active profile takes its credentials from, in a few words ("its
/// credential_process", "SSO"), from the names of its keys only: no value is read or kept.
/// `None` when the config file has no such profile or names no source in it.
pub fn credential_source(env: &dyn Env) -> Option<&'static str> {
    let profile = active_profile(env);
    let (_, text) = config_file(env)?;
    let keys = profile_keys(&text, &profile)?;
    let has = |k: &str| keys.iter().any(|x| x == k);
    Some(if has("credential_process") {
        "its credential_process"
    } else if has("sso_session") || has("sso_start_url") {
        "SSO"
    } else if has("role_arn") {
        "its role_arn (assume role)"
    } else if has("web_identity_token_file") {
        "its web identity token file"
    } else if has("aws_access_key_id") {
        "its access keys"
    } else {
        return None;
    })
}

/// The key names (never the values) of `profile`'s section.
fn profile_keys(text: &str, profile: &str) -> Option<Vec<String>> {
    Some(
        profile_entries(text, profile)?
            .into_iter()
            .map(|(k, _)| k)
            .collect(),
    )
}

/// The section headers that hold `profile` (`default` may be written either way).
pub(super) fn section_names(profile: &str) -> Vec<String> {
    if profile == "default" {
        vec!["default".to_string(), "profile default".to_string()]
    } else {
        vec![format!("profile {profile}")]
    }
}

/// The sections of a config file: `(header, [(key, value)])`, nested keys as `parent.key`.
pub(super) fn sections(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut nested: Option<String> = None;
    for raw in text.lines() {
        let line = raw.split(['#', ';']).next().unwrap_or("");
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            let name = trimmed[1..trimmed.len() - 1].split_whitespace();
            out.push((name.collect::<Vec<_>>().join(" "), Vec::new()));
            nested = None;
            continue;
        }
        let Some((_, keys)) = out.last_mut() else {
            continue;
        };
        let Some((k, v)) = trimmed.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
        let indented = line.starts_with(' ') || line.starts_with('\t');
        if !indented {
            nested = v.is_empty().then(|| k.clone());
        }
        let key = match (&nested, indented) {
            (Some(parent), true) => format!("{parent}.{k}"),
            _ => k,
        };
        keys.retain(|(n, _)| *n != key);
        keys.push((key, v));
    }
    out
}

/// Reads the config file of the active profile (`AWS_CONFIG_FILE`, else `~/.aws/config`).
pub fn profile_settings(env: &dyn Env) -> Option<ProfileSettings> {
    let profile = active_profile(env);
    let (path, text) = config_file(env)?;
    let settings = parse_profile(&text, &profile)?;
    Some(ProfileSettings {
        profile,
        file: path,
        settings,
    })
}

/// The AWS CLI's version without starting it, when its install tells: the v2 installer keeps
/// each version under `…/aws-cli/v2/<version>/`, and pip or Debian installs of the Python CLI
/// carry `awscli/__init__.py` with `__version__`. `path` is the `PATH` to search. `None` when
/// `aws` is on the path but its files do not say (then [`cli_version`] asks it).
pub fn cli_version_from_files(path: &str) -> Option<Observed<String>> {
    let Some(exe) = path
        .split(':')
        .filter(|d| !d.is_empty())
        .map(|d| std::path::Path::new(d).join("aws"))
        .find(|p| p.is_file())
    else {
        return Some(Observed::not_collected(
            "the AWS CLI is not installed (no aws on PATH)",
        ));
    };
    let real = std::fs::canonicalize(&exe).unwrap_or_else(|_| exe.clone());
    let text = real.to_string_lossy();
    if let Some(rest) = text.split("/v2/").nth(1) {
        let version = rest.split('/').next().unwrap_or("");
        if version.split('.').count() >= 2
            && version.chars().all(|c| c.is_ascii_digit() || c == '.')
        {
            return Some(Observed::collected(format!(
                "aws-cli/{version} (from the installer path {text})"
            )));
        }
    }
    // A Python entry point: find the awscli package it imports.
    let mut head = [0u8; 256];
    let n = std::fs::File::open(&real)
        .and_then(|mut f| f.read(&mut head))
        .ok()?;
    let first = String::from_utf8_lossy(&head[..n]);
    let shebang = first.lines().next().filter(|l| l.starts_with("#!"))?;
    if !shebang.contains("python") {
        return None;
    }
    let interpreter = shebang
        .trim_start_matches("#!")
        .split_whitespace()
        .find(|w| w.contains("python"))?;
    let mut prefixes: Vec<std::path::PathBuf> = Vec::new();
    for anchor in [std::path::Path::new(interpreter), real.as_path()] {
        if let Some(p) = anchor.parent().and_then(|b| b.parent()) {
            prefixes.push(p.to_path_buf());
        }
    }
    prefixes.extend(["/usr", "/usr/local"].map(std::path::PathBuf::from));
    for prefix in prefixes {
        let Ok(libs) = std::fs::read_dir(prefix.join("lib")) else {
            continue;
        };
        let mut libs: Vec<_> = libs.flatten().map(|e| e.path()).collect();
        libs.sort();
        for lib in libs {
            if !lib
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("python3"))
            {
                continue;
            }
            for site in ["site-packages", "dist-packages"] {
                let init = lib.join(site).join("awscli/__init__.py");
                let Ok(meta) = std::fs::metadata(&init) else {
                    continue;
                };
                if !meta.is_file() || meta.len() > 64 * 1024 {
                    continue;
                }
                let Ok(src) = std::fs::read_to_string(&init) else {
                    continue;
                };
                let version = src.lines().find_map(|l| {
                    let l = l.trim();
                    let rest = l.strip_prefix("__version__")?.trim_start();
                    let v = rest.strip_prefix('=')?.trim().trim_matches(['\'', '"']);
                    (!v.is_empty() && v.len() < 32).then(|| v.to_string())
                })?;
                return Some(Observed::collected(format!(
                    "aws-cli/{version} (from {})",
                    init.display()
                )));
            }
        }
    }
    None
}

/// `aws --version` (first line), bounded by `limit`.
pub fn cli_version(limit: Duration) -> Observed<String> {
    match run_cli_version(limit) {
        Ok(Some(v)) => Observed::collected(v),
        Ok(None) => Observed::failed("aws --version printed no version"),
        Err(e) => e,
    }
}

fn run_cli_version(limit: Duration) -> Result<Option<String>, Observed<String>> {
    let mut child = Command::new("aws")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                Observed::not_collected("the AWS CLI is not installed (no aws on PATH)")
            }
            _ => Observed::failed(format!("aws --version: {e}")),
        })?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Observed::failed(format!(
                    "aws --version did not finish within {} ms",
                    limit.as_millis()
                )));
            }
        }
    }
    // AWS CLI v1 printed its version on stderr, v2 prints it on stdout.
    let mut text = String::new();
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_string(&mut text);
    }
    if !text.contains("aws-cli/") {
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut text);
        }
    }
    Ok(text
        .lines()
        .find(|l| l.contains("aws-cli/"))
        .map(|l| l.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "\
[default]
region = eu-west-1
aws_secret_access_key = NEVER-STORE-THIS
s3 =
  addressing_style = path
  use_dualstack_endpoint = true

[profile data]
region=us-east-1
endpoint_url = https://user:pw@bucket.vpce-0a1b-7f3k.s3.us-east-1.vpce.amazonaws.com
s3 =
    us_east_1_regional_endpoint = regional
role_arn = arn:aws:iam::111122223333:role/x
";

    #[test]
    fn profile_flag_region_and_credential_source() {
        use std::collections::HashMap;
        struct MapEnv(HashMap<&'static str, String>);
        impl Env for MapEnv {
            fn var(&self, name: &str) -> Option<String> {
                self.0.get(name).cloned()
            }
        }
        let dir = std::env::temp_dir().join(format!("s3path-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("config");
        std::fs::write(
            &file,
            "[default]\nregion = us-west-2\n[profile prod]\nregion = eu-central-1\ncredential_process = /bin/false SECRET\n[profile sso]\nsso_session = corp\n",
        )
        .unwrap();
        let base = MapEnv(HashMap::from([
            ("AWS_CONFIG_FILE", file.display().to_string()),
            ("AWS_PROFILE", "sso".to_string()),
        ]));
        assert_eq!(credential_source(&base), Some("SSO"));
        assert_eq!(profile_region(&base), None);
        let flag = crate::gather::WithProfile {
            env: &base,
            profile: Some("prod"),
        };
        assert_eq!(active_profile(&flag), "prod");
        assert_eq!(profile_region(&flag).as_deref(), Some("eu-central-1"));
        assert_eq!(credential_source(&flag), Some("its credential_process"));
        assert_eq!(profile_settings(&flag).unwrap().profile, "prod");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn default_profile_with_nested_s3_block() {
        let s = parse_profile(CONFIG, "default").unwrap();
        let pairs: Vec<(&str, &str)> = s
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("region", "eu-west-1"),
                ("s3.addressing_style", "path"),
                ("s3.use_dualstack_endpoint", "true")
            ]
        );
    }

    #[test]
    fn named_profile_keeps_only_whitelisted_keys_without_user_info() {
        let s = parse_profile(CONFIG, "data").unwrap();
        let text = format!("{s:?}");
        assert!(
            !text.contains("NEVER-STORE") && !text.contains("role_arn") && !text.contains("pw@")
        );
        assert!(s.iter().any(|e| e.name == "endpoint_url"
            && e.value == "https://bucket.vpce-0a1b-7f3k.s3.us-east-1.vpce.amazonaws.com"));
        assert!(s.iter().any(|e| e.name == "s3.us_east_1_regional_endpoint"));
        assert!(parse_profile(CONFIG, "missing").is_none());
    }
}
