//! Which proxy a request would use, and `NO_PROXY` matching as curl and botocore do it: the
//! one reading of the proxy variables, used both to judge an application's S3 path (from the
//! recorded settings) and by s3path's own HTTPS client (`gather::https`, from the process
//! environment it snapshots). Pure: never reads the environment itself.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

use crate::facts::ClientSettings;

/// Where proxy variables are read from: the recorded [`ClientSettings`] (judging), or the
/// variables s3path's own client was started with.
pub trait ProxyVars {
    /// The value of variable `name` exactly as named (`https_proxy` and `HTTPS_PROXY` differ).
    fn proxy_var(&self, name: &str) -> Option<&str>;
}

impl ProxyVars for ClientSettings {
    fn proxy_var(&self, name: &str) -> Option<&str> {
        ClientSettings::proxy_var(self, name)
    }
}

impl ProxyVars for [(String, String)] {
    fn proxy_var(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The proxy an HTTPS request would use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProxyChoice {
    /// The variable that supplied it (`https_proxy`, `HTTPS_PROXY`, `all_proxy`, …).
    pub variable: String,
    pub url: String,
    pub host: String,
    pub port: u16,
}

impl ProxyChoice {
    /// `host:port`, with IPv6 hosts in brackets.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// The variables consulted for an HTTPS URL, in precedence order (lower case first, as curl
/// and Python's urllib do).
pub const HTTPS_PROXY_VARS: [&str; 4] = ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];
/// The variables consulted for a plain `http://` URL (an endpoint override such as a local
/// emulator), in the same order.
pub const HTTP_PROXY_VARS: [&str; 4] = ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"];
pub const NO_PROXY_VARS: [&str; 2] = ["no_proxy", "NO_PROXY"];

/// The variables consulted for a URL of `scheme` (`https` unless it is `http`).
pub fn proxy_vars(scheme: &str) -> &'static [&'static str; 4] {
    if scheme.eq_ignore_ascii_case("http") {
        &HTTP_PROXY_VARS
    } else {
        &HTTPS_PROXY_VARS
    }
}

/// The proxy configured for HTTPS, if any (an empty value counts as unset).
pub fn https_proxy<S: ProxyVars + ?Sized>(settings: &S) -> Option<Result<ProxyChoice, String>> {
    proxy_for(settings, "https")
}

/// The proxy configured for URLs of `scheme`, if any (an empty value counts as unset).
pub fn proxy_for<S: ProxyVars + ?Sized>(
    settings: &S,
    scheme: &str,
) -> Option<Result<ProxyChoice, String>> {
    proxy_vars(scheme).iter().find_map(|var| {
        let value = settings.proxy_var(var)?.trim();
        if value.is_empty() {
            return None;
        }
        if crate::redact::is_unparsable(value) {
            return Some(Err(format!("the value is not a URL ({value})")));
        }
        Some(parse_proxy_url(value).map(|(host, port)| ProxyChoice {
            variable: var.to_string(),
            url: value.to_string(),
            host,
            port,
        }))
    })
}

/// The `NO_PROXY` value in force and the variable it came from.
pub fn no_proxy<S: ProxyVars + ?Sized>(settings: &S) -> Option<(&'static str, &str)> {
    NO_PROXY_VARS
        .iter()
        .find_map(|var| settings.proxy_var(var).map(|v| (*var, v)))
}

/// Splits a proxy URL (`http://proxy.corp:3128`, `proxy:3128`, `socks5h://[::1]:1080`) into
/// host and port ([`crate::url::parse`]; no scheme means http, as curl and botocore read it);
/// the port defaults by scheme (http 80, https 443, socks 1080).
pub fn parse_proxy_url(url: &str) -> Result<(String, u16), String> {
    let scheme = crate::url::scheme(url).unwrap_or_else(|| "http".to_string());
    let Some(default_port) = crate::url::default_port(&scheme) else {
        return Err(format!("unsupported proxy scheme '{scheme}'"));
    };
    let parsed = crate::url::parse(url).map_err(|e| match e {
        crate::url::Error::Scheme => format!("unsupported proxy scheme '{scheme}'"),
        crate::url::Error::NoHost => "proxy URL has no host".to_string(),
        crate::url::Error::UnclosedBracket => "unclosed '[' in proxy address".to_string(),
        crate::url::Error::AfterBracket => "unexpected text after ']' in proxy address".to_string(),
        crate::url::Error::Host => "proxy address is not a host name or IP address".to_string(),
        crate::url::Error::Port(p) => format!("proxy port '{p}' is not a number from 0 to 65535"),
    })?;
    Ok((parsed.host, parsed.port.unwrap_or(default_port)))
}

/// How one `NO_PROXY` entry relates to a host name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// `*`: everything bypasses the proxy.
    Wildcard,
    /// A domain or host name (leading `.` or `*.` stripped), optionally with a port.
    Domain { domain: String, port: Option<u16> },
    /// An IP address or CIDR block: matches only requests addressed by IP, never a host name.
    Network(IpNet),
}

/// Reads one `NO_PROXY` entry. Entries are patterns, not URLs (`*`, `.corp`, `*.corp:8080`,
/// `10.0.0.0/8`, `[::1]`), so they are read here as curl reads them, not by [`crate::url`].
pub fn parse_entry(entry: &str) -> Option<EntryKind> {
    let e = entry.trim();
    if e.is_empty() {
        return None;
    }
    if e == "*" {
        return Some(EntryKind::Wildcard);
    }
    if let Ok(net) = e.parse::<IpNet>() {
        return Some(EntryKind::Network(net));
    }
    let bare = e.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Some(EntryKind::Network(IpNet::from(ip)));
    }
    let e = e.strip_prefix("*.").unwrap_or(e).trim_start_matches('.');
    let (domain, port) = match e.rsplit_once(':') {
        Some((d, p)) if p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty() => {
            (d, p.parse::<u16>().ok())
        }
        _ => (e, None),
    };
    Some(EntryKind::Domain {
        domain: domain.trim_end_matches('.').to_ascii_lowercase(),
        port,
    })
}

/// The `NO_PROXY` entries, split on commas and white space (curl accepts both).
pub fn entries(no_proxy: &str) -> impl Iterator<Item = &str> {
    no_proxy
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|e| !e.is_empty())
}

/// The `NO_PROXY` entry that exempts `host` (a name or an IP literal) on `port`, if any.
///
/// A domain entry matches the host itself and every name below it (`amazonaws.com`,
/// `.amazonaws.com` and `*.amazonaws.com` all match `s3.eu-west-1.amazonaws.com`); an entry with
/// a port matches only that port; IP and CIDR entries match only IP-literal hosts.
pub fn bypass_entry<'a>(no_proxy: &'a str, host: &str, port: u16) -> Option<&'a str> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host_ip = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .ok();
    entries(no_proxy).find(|raw| match parse_entry(raw) {
        Some(EntryKind::Wildcard) => true,
        Some(EntryKind::Network(net)) => host_ip.is_some_and(|ip| net.contains(&ip)),
        Some(EntryKind::Domain { domain, port: p }) => {
            if p.is_some_and(|p| p != port) || domain.is_empty() {
                return false;
            }
            host == domain || host.ends_with(&format!(".{domain}"))
        }
        None => false,
    })
}

/// Whether an HTTPS request to `host` would go through a proxy, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyDecision {
    /// No proxy variable applies to HTTPS.
    NoProxy,
    /// A proxy is set, but `NO_PROXY` exempts the host (the entry and its variable).
    Bypassed {
        proxy: ProxyChoice,
        variable: &'static str,
        entry: String,
    },
    /// The request goes through the proxy.
    Proxied(ProxyChoice),
    /// A proxy variable is set but cannot be parsed; clients reject or ignore it.
    Invalid { variable: String, error: String },
}

/// How an HTTPS request to `host` (port 443) goes.
pub fn decide<S: ProxyVars + ?Sized>(settings: &S, host: &str) -> ProxyDecision {
    decide_for(settings, "https", host, 443)
}

/// How a request of `scheme` to `host`:`port` goes: the scheme's proxy variables, then
/// `NO_PROXY` ([`bypass_entry`]).
pub fn decide_for<S: ProxyVars + ?Sized>(
    settings: &S,
    scheme: &str,
    host: &str,
    port: u16,
) -> ProxyDecision {
    let proxy = match proxy_for(settings, scheme) {
        None => return ProxyDecision::NoProxy,
        Some(Err(error)) => {
            let variable = proxy_vars(scheme)
                .iter()
                .find(|v| settings.proxy_var(v).is_some_and(|x| !x.trim().is_empty()))
                .map(|v| v.to_string())
                .unwrap_or_default();
            return ProxyDecision::Invalid { variable, error };
        }
        Some(Ok(p)) => p,
    };
    if let Some((variable, value)) = no_proxy(settings) {
        if let Some(entry) = bypass_entry(value, host, port) {
            return ProxyDecision::Bypassed {
                proxy,
                variable,
                entry: entry.to_string(),
            };
        }
    }
    ProxyDecision::Proxied(proxy)
}

/// Hosts s3path never sends through a proxy, whatever the variables say: loopback
/// (`localhost`, `127.0.0.0/8`, `::1`, as Go's and hyper's clients treat them) and the
/// link-local metadata services (`169.254.0.0/16`: IMDS, the ECS and EKS Pod Identity
/// credential endpoints; `fe80::/10`; `fd00:ec2::/32`: IMDS and Pod Identity over IPv6).
pub fn never_proxied(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    match host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        Ok(IpAddr::V4(a)) => a.is_loopback() || a.is_link_local(),
        Ok(IpAddr::V6(a)) => {
            let s = a.segments();
            a.is_loopback() || (s[0] & 0xffc0) == 0xfe80 || (s[0] == 0xfd00 && s[1] == 0x0ec2)
        }
        Err(_) => false,
    }
}

/// The user name and password of a proxy URL (`http://user:pass@proxy:3128`), percent-decoded,
/// for a `Proxy-Authorization` header only: never printed, logged or stored.
pub fn proxy_credentials(url: &str) -> Option<(String, String)> {
    let userinfo = crate::url::split(url.trim()).userinfo?;
    let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    Some((decode(user), decode(pass)))
}

/// `NO_PROXY` entries that can never exempt a request to an S3 host name: IP addresses and
/// CIDR blocks (SDKs connect by name, and the name is what is compared). Loopback and
/// link-local entries (`127.0.0.1`, `169.254.169.254`) are left out: they are there for
/// local services and the metadata service, not for S3.
pub fn address_entries(no_proxy: &str) -> Vec<String> {
    let local = |net: &IpNet| match net.network() {
        IpAddr::V4(a) => a.is_loopback() || a.is_link_local(),
        IpAddr::V6(a) => a.is_loopback() || (a.segments()[0] & 0xffc0) == 0xfe80,
    };
    entries(no_proxy)
        .filter(|e| matches!(parse_entry(e), Some(EntryKind::Network(n)) if !local(&n)))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::EnvSetting;

    fn settings(vars: &[(&str, &str)]) -> ClientSettings {
        ClientSettings {
            proxy_env: vars
                .iter()
                .map(|(n, v)| EnvSetting {
                    name: n.to_string(),
                    value: v.to_string(),
                })
                .collect(),
            ..ClientSettings::default()
        }
    }

    #[test]
    fn proxy_urls() {
        assert_eq!(
            parse_proxy_url("http://proxy.corp:3128"),
            Ok(("proxy.corp".into(), 3128))
        );
        assert_eq!(
            parse_proxy_url("proxy.corp:8080"),
            Ok(("proxy.corp".into(), 8080))
        );
        assert_eq!(
            parse_proxy_url("http://proxy.corp"),
            Ok(("proxy.corp".into(), 80))
        );
        assert_eq!(
            parse_proxy_url("https://proxy.corp/"),
            Ok(("proxy.corp".into(), 443))
        );
        assert_eq!(
            parse_proxy_url("socks5h://[fd00::1]:1080"),
            Ok(("fd00::1".into(), 1080))
        );
        assert_eq!(
            parse_proxy_url("http://10.0.3.7:3128/"),
            Ok(("10.0.3.7".into(), 3128))
        );
        assert_eq!(
            parse_proxy_url("http://user@proxy:3128"),
            Ok(("proxy".into(), 3128))
        );
        assert!(parse_proxy_url("ftp://proxy").is_err());
        assert!(parse_proxy_url("http://proxy:99999").is_err());
        assert!(parse_proxy_url("http://:3128").is_err());
    }

    #[test]
    fn lower_case_wins_and_all_proxy_is_the_fallback() {
        let s = settings(&[
            ("HTTPS_PROXY", "http://upper:1"),
            ("https_proxy", "http://lower:2"),
        ]);
        assert_eq!(https_proxy(&s).unwrap().unwrap().host, "lower");
        let s = settings(&[("ALL_PROXY", "http://all:3")]);
        assert_eq!(https_proxy(&s).unwrap().unwrap().variable, "ALL_PROXY");
        let s = settings(&[("HTTP_PROXY", "http://plain:3128")]);
        assert!(
            https_proxy(&s).is_none(),
            "HTTP_PROXY does not apply to https URLs"
        );
        let s = settings(&[("https_proxy", "  ")]);
        assert!(https_proxy(&s).is_none());
    }

    #[test]
    fn no_proxy_matching_table() {
        let host = "mybucket.s3.eu-west-1.amazonaws.com";
        let cases: &[(&str, bool)] = &[
            ("amazonaws.com", true),
            (".amazonaws.com", true),
            ("*.amazonaws.com", true),
            ("AMAZONAWS.COM", true),
            ("s3.eu-west-1.amazonaws.com", true),
            (".s3.eu-west-1.amazonaws.com", true),
            ("mybucket.s3.eu-west-1.amazonaws.com", true),
            ("mybucket.s3.eu-west-1.amazonaws.com:443", true),
            ("mybucket.s3.eu-west-1.amazonaws.com:80", false),
            ("zonaws.com", false),
            ("s3.amazonaws.com", false),
            ("s3.us-east-1.amazonaws.com", false),
            ("169.254.169.254", false),
            ("10.0.0.0/8", false),
            ("*", true),
            ("localhost, 127.0.0.1 ,.amazonaws.com", true),
            ("localhost 127.0.0.1", false),
            ("", false),
        ];
        for (no_proxy, expect) in cases {
            assert_eq!(
                bypass_entry(no_proxy, host, 443).is_some(),
                *expect,
                "NO_PROXY={no_proxy:?}"
            );
        }
        assert_eq!(
            bypass_entry("10.0.0.0/8", "10.1.2.3", 443),
            Some("10.0.0.0/8")
        );
        assert_eq!(bypass_entry("fd00::/8", "[fd00::5]", 443), Some("fd00::/8"));
        assert_eq!(bypass_entry("10.1.2.3", "10.1.2.3", 443), Some("10.1.2.3"));
    }

    #[test]
    fn decisions() {
        let host = "s3.eu-west-1.amazonaws.com";
        assert_eq!(decide(&settings(&[]), host), ProxyDecision::NoProxy);
        let s = settings(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("NO_PROXY", "169.254.169.254,10.0.0.0/8"),
        ]);
        assert!(matches!(decide(&s, host), ProxyDecision::Proxied(p) if p.port == 3128));
        assert_eq!(
            address_entries("169.254.169.254,10.0.0.0/8,.corp,127.0.0.1,fd00::/8,fe80::1"),
            ["10.0.0.0/8", "fd00::/8"]
        );
        let s = settings(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("no_proxy", ".amazonaws.com"),
        ]);
        assert!(
            matches!(decide(&s, host), ProxyDecision::Bypassed { entry, variable: "no_proxy", .. } if entry == ".amazonaws.com")
        );
        let s = settings(&[("HTTPS_PROXY", "gopher://x")]);
        assert!(matches!(decide(&s, host), ProxyDecision::Invalid { .. }));
    }

    #[test]
    fn own_calls_read_the_same_variables_with_user_info() {
        let vars: Vec<(String, String)> = [
            ("HTTPS_PROXY", "http://u%40corp:p%3Ass@10.0.1.60:3128"),
            ("http_proxy", "http://plain:8080"),
            (
                "NO_PROXY",
                "localhost,.internal.corp,10.0.0.0/8,ssm.eu-west-1.amazonaws.com",
            ),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let v = &vars[..];
        let ec2 = "ec2.eu-west-1.amazonaws.com";
        match decide_for(v, "https", ec2, 443) {
            ProxyDecision::Proxied(p) => {
                assert_eq!(p.address(), "10.0.1.60:3128");
                assert_eq!(p.variable, "HTTPS_PROXY");
                assert_eq!(
                    proxy_credentials(&p.url),
                    Some(("u@corp".to_string(), "p:ss".to_string()))
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            decide_for(v, "https", "ssm.eu-west-1.amazonaws.com", 443),
            ProxyDecision::Bypassed {
                variable: "NO_PROXY",
                ..
            }
        ));
        assert!(matches!(
            decide_for(v, "https", "10.0.3.4", 443),
            ProxyDecision::Bypassed { .. }
        ));
        assert!(matches!(
            decide_for(v, "https", "api.internal.corp", 443),
            ProxyDecision::Bypassed { .. }
        ));
        // http:// endpoints use the http_ variables.
        assert!(
            matches!(decide_for(v, "http", "emulator.example", 4566), ProxyDecision::Proxied(p) if p.host == "plain")
        );
        let star = [
            ("HTTPS_PROXY".to_string(), "http://p:1".to_string()),
            ("no_proxy".to_string(), "*".to_string()),
        ];
        assert!(matches!(
            decide_for(&star[..], "https", ec2, 443),
            ProxyDecision::Bypassed { .. }
        ));
        assert_eq!(proxy_credentials("http://proxy:3128"), None);
        assert_eq!(
            proxy_credentials("http://user@proxy:3128"),
            Some(("user".into(), String::new()))
        );
    }

    #[test]
    fn metadata_and_loopback_are_never_proxied() {
        for host in [
            "169.254.169.254",
            "169.254.170.2",
            "169.254.170.23",
            "[fd00:ec2::254]",
            "fd00:ec2::23",
            "fe80::1",
            "127.0.0.1",
            "::1",
            "localhost",
        ] {
            assert!(never_proxied(host), "{host}");
        }
        for host in [
            "ec2.eu-west-1.amazonaws.com",
            "10.0.1.5",
            "fd00:198::2",
            "169.255.0.1",
        ] {
            assert!(!never_proxied(host), "{host}");
        }
    }
}
