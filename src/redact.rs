//! What s3path keeps of a URL-shaped value it did not make (proxy variables, endpoint
//! overrides, the metadata endpoints, `--presigned`): the URL is parsed and only
//! `scheme://host:port` is kept. A value that does not parse is kept as "unparsable (N chars)",
//! never echoed: whatever sits around the host (user, password, path, query) may be secret.

/// The prefix of the placeholder for a value that did not parse.
pub const UNPARSABLE: &str = "unparsable (";

/// `scheme://host[:port]` of `value` (no scheme when it had none), or "unparsable (N chars)".
///
/// User information is whatever comes before the *last* `@` of the value: a password may
/// hold `#`, `/`, `?` or `@` unencoded, and a host never holds `@`, so cutting there can only
/// drop a path, never keep a secret.
pub fn url(value: &str) -> String {
    let v = value.trim();
    let unparsable = || format!("{UNPARSABLE}{} chars)", value.chars().count());
    let (scheme, rest) = match v.find("://") {
        Some(i) => {
            let s = &v[..i];
            if s.is_empty()
                || !s
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            {
                return unparsable();
            }
            (Some(s.to_ascii_lowercase()), &v[i + 3..])
        }
        None => (None, v),
    };
    let after_user = match rest.rfind('@') {
        Some(i) => &rest[i + 1..],
        None => rest,
    };
    let hostport = after_user.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((host, port)) = split_host_port(hostport) else {
        return unparsable();
    };
    let mut out = String::new();
    if let Some(s) = scheme {
        out.push_str(&s);
        out.push_str("://");
    }
    out.push_str(&host);
    if let Some(p) = port {
        out.push(':');
        out.push_str(&p.to_string());
    }
    out
}

/// `text` (an error message that may quote `raw`) with `raw` replaced by [`url`]`(raw)`, and
/// any user information of `raw` removed wherever else it appears.
pub fn scrub(text: &str, raw: &str) -> String {
    if raw.is_empty() {
        return text.to_string();
    }
    let mut out = text.replace(raw, &url(raw));
    let rest = raw.split_once("://").map_or(raw, |(_, r)| r);
    if let Some(i) = rest.rfind('@') {
        let userinfo = &rest[..i];
        if !userinfo.is_empty() {
            out = out.replace(userinfo, "…");
        }
    }
    out
}

/// True for the placeholder [`url`] stores for a value that did not parse.
pub fn is_unparsable(stored: &str) -> bool {
    stored.starts_with(UNPARSABLE)
}

/// `host[:port]` with a valid DNS name, IPv4 address or bracketed IPv6 address, and a numeric
/// port.
fn split_host_port(s: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(inner) = s.strip_prefix('[') {
        let (h, after) = inner.split_once(']')?;
        h.parse::<std::net::Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (format!("[{h}]"), port)
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (s.to_string(), None),
        }
    };
    let valid_host = host.starts_with('[')
        || (!host.is_empty()
            && host.len() <= 253
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')));
    if !valid_host {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()) => {
            Some(p.parse::<u16>().ok()?)
        }
        Some(_) => return None,
    };
    Some((host.to_ascii_lowercase(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_scheme_host_and_port_are_kept() {
        for (input, want) in [
            ("http://proxy.corp:3128", "http://proxy.corp:3128"),
            ("http://alice:s3cret@proxy:3128", "http://proxy:3128"),
            ("alice:s3cret@proxy:3128", "proxy:3128"),
            ("http://user:PW#x@proxy:3128", "http://proxy:3128"),
            ("http://user:PW/x@proxy:3128", "http://proxy:3128"),
            ("http://user:P@W@proxy:3128/", "http://proxy:3128"),
            ("http://user:PW?x@proxy:3128", "http://proxy:3128"),
            (
                "https://bucket.vpce-0a1b.s3.eu-west-1.vpce.amazonaws.com/path?X-Amz-Signature=abc",
                "https://bucket.vpce-0a1b.s3.eu-west-1.vpce.amazonaws.com",
            ),
            (
                "http://[fd00:ec2::254]:80/latest",
                "http://[fd00:ec2::254]:80",
            ),
            ("http://169.254.169.254", "http://169.254.169.254"),
            ("HTTP://Proxy:3128", "http://proxy:3128"),
        ] {
            assert_eq!(url(input), want, "{input}");
        }
    }

    #[test]
    fn scrubbed_messages_keep_no_user_information() {
        let raw = "http://bob:hunter2@169.254.169.254:80/";
        let msg =
            format!("error sending request for url ({raw}latest/api/token): bob:hunter2 refused");
        let got = scrub(&msg, raw);
        assert!(!got.contains("hunter2"), "{got}");
        assert!(got.contains("http://169.254.169.254:80"), "{got}");
    }

    #[test]
    fn what_does_not_parse_is_never_echoed() {
        for input in [
            "http://user:PW@",
            "http://proxy:PW",
            "http://pro xy:3128",
            "ht tp://user:pw@x",
            "http://[::1",
            "http://proxy:99999999",
            "",
        ] {
            let got = url(input);
            assert!(is_unparsable(&got), "{input} -> {got}");
            assert!(!got.contains("PW") && !got.contains("pw"), "{got}");
        }
    }
}
