//! What s3path keeps of a URL-shaped value it did not make (proxy variables, endpoint
//! overrides, the metadata endpoints, `--presigned`): the URL is parsed ([`crate::url`]) and only
//! `scheme://host:port` is kept. A value that does not parse is kept as "unparsable (N chars)",
//! never echoed: whatever sits around the host (user, password, path, query) may be secret.

/// The prefix of the placeholder for a value that did not parse.
pub const UNPARSABLE: &str = "unparsable (";

/// `scheme://host[:port]` of `value` (no scheme when it had none), or "unparsable (N chars)".
///
/// The value is read by [`crate::url::parse`]; only a DNS name, an IPv4 address or an IPv6
/// address is shown as the host. User information ends at the last `@` of the authority.
///
/// A password may hold `#`, `/`, `?` or `@` unencoded. So when an `@` follows the authority:
/// - if the value does not parse as a URL (`http://user:PW/x@proxy:3128` reads as host `user`,
///   port `PW`), the user information is taken to end at the last `@` of the whole value, and
///   what follows is shown if it is `host[:port]` (`http://proxy:3128`);
/// - if it parses (`http://user/x@proxy`, or an `@` in a path or query), it cannot be told
///   which reading is meant, and either could show a secret: it is kept as unparsable.
pub fn url(value: &str) -> String {
    let v = value.trim();
    let unparsable = || format!("{UNPARSABLE}{} chars)", value.chars().count());
    let shown = |p: crate::url::Parsed| {
        if plain_host(&p.host) {
            p.origin()
        } else {
            unparsable()
        }
    };
    match crate::url::parse(v) {
        Ok(p) if !p.at_after_authority => shown(p),
        Ok(_) => unparsable(),
        Err(_) => {
            if crate::url::possible_userinfo(v).is_none() {
                return unparsable();
            }
            // What follows the last `@` (the one that ends the possible user information).
            let after_userinfo = &v[v.rfind('@').unwrap_or_default() + 1..];
            let candidate = match crate::url::split(v).scheme {
                Some(scheme) => format!("{scheme}://{after_userinfo}"),
                None => after_userinfo.to_string(),
            };
            match crate::url::parse(&candidate) {
                Ok(p) if !p.has_userinfo && !p.at_after_authority => shown(p),
                _ => unparsable(),
            }
        }
    }
}

/// `text` (an error message that may quote `raw`) with `raw` replaced by [`url`]`(raw)`, and
/// any user information of `raw` removed wherever else it appears (both the user information
/// of the authority and everything up to the last `@`, see [`crate::url::possible_userinfo`]).
pub fn scrub(text: &str, raw: &str) -> String {
    if raw.is_empty() {
        return text.to_string();
    }
    let mut out = text.replace(raw, &url(raw));
    let candidates = [
        crate::url::possible_userinfo(raw),
        crate::url::split(raw).userinfo,
    ];
    for userinfo in candidates.into_iter().flatten() {
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

/// A host s3path shows: a DNS name (letters, digits, `.`, `-`, `_`, at most 253 characters), an
/// IPv4 address or an IPv6 address.
fn plain_host(host: &str) -> bool {
    if host.contains(':') {
        return host.parse::<std::net::Ipv6Addr>().is_ok();
    }
    !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
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
    fn an_at_after_a_valid_authority_is_ambiguous() {
        // Host `user` with a path, or user `user` with a password holding `/`: neither shown.
        for input in [
            "http://user/x@proxy:3128",
            "https://bucket.s3.amazonaws.com/k@secretvalue",
            "https://host/k?token=a@secretvalue",
            "http://a:b@proxy:3128/p@th",
        ] {
            let got = url(input);
            assert!(is_unparsable(&got), "{input} -> {got}");
        }
        let raw = "http://bob:hunter2@proxy:3128/a@b";
        let got = scrub("proxy said: bob:hunter2 is refused", raw);
        assert!(!got.contains("hunter2"), "{got}");
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
