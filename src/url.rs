//! The one URL parser of s3path (a leaf: it imports nothing of the crate). Every value that
//! looks like a URL and that s3path did not make goes through here: proxy variables, endpoint
//! overrides, the metadata endpoints, `--presigned`, `https://` S3 names, SSM output URLs.
//! Redaction ([`crate::redact`]), proxy matching ([`crate::proxy`]) and name parsing
//! ([`crate::names`]) therefore agree on what the scheme, user information, host and port of a
//! value are (tests/properties.rs checks it).
//!
//! Two layers:
//! - [`split`] cuts a text into scheme, user information, `host[:port]` and what follows, by
//!   RFC 3986's generic syntax (the same cuts the `url` crate makes for a non-special URL):
//!   the scheme ends at the first `://`; the authority ends at the first `/`, `?` or `#` after
//!   it; the user information ends at the *last* `@` of the authority.
//! - [`parse`] validates `host[:port]` with the `url` crate (forbidden host characters, IPv6
//!   syntax, port digits and range) and returns [`Parsed`].
//!
//! Where the `url` crate (WHATWG URL) reads a string differently from what s3path reported
//! before, the old reading is kept on purpose:
//! - **No scheme.** `proxy:3128` and `user:pw@proxy:3128` are `host:port` with user
//!   information (as curl and botocore read a proxy variable), not scheme `proxy` with path
//!   `3128`: a text without `://` is parsed as an authority. [`Parsed::scheme`] is `None`.
//! - **Nothing is rewritten.** The `url` crate rewrites the host of `http`/`https` URLs (IDNA
//!   to punycode, `0x7f.1` to `127.0.0.1`, percent-decoding), drops a port equal to the
//!   scheme's default (`http://host:80` → `http://host`), compresses IPv6 addresses and reads
//!   `\` as `/`. s3path reports what the user wrote, so `host[:port]` is handed to the crate
//!   under a non-special scheme (no rewriting), and the host is taken as written, ASCII
//!   lower-cased, IPv6 without brackets; the port as written; the path and the query as written
//!   (not percent-encoded).
//! - **Whitespace and control characters.** The `url` crate deletes tabs and line breaks
//!   anywhere in a URL; in the scheme or the authority they make the text refused here.
//! - **An empty port** (`http://proxy:`) is refused, as every site refused it before
//!   (RFC 3986 would read it as the default port).
//! - **IPv6 zone ids** (`[fe80::1%eth0]`) are refused (the `url` crate does not accept them;
//!   redaction refused them before, so a proxy variable with one was already stored as
//!   unparsable).
//! - **Trailing dots and upper case** in host names are kept as written, then ASCII
//!   lower-cased; callers that compare names (NO_PROXY, S3 host kinds) trim the dot themselves.
//! - **An `@` after the authority** (`https://host/a@b`) belongs to the path or the query
//!   ([`Parsed::at_after_authority`] says it is there). A password may hold an unencoded `/`,
//!   `?` or `#` (`http://user:pa/ss@proxy`), so the same text may also be user information
//!   followed by a host: redaction refuses such a value rather than show either reading (see
//!   [`possible_userinfo`]).

use std::fmt;

/// The scheme the `url` crate is given instead of the user's: a non-special scheme, so that it
/// validates `host[:port]` without rewriting it.
const GENERIC: &str = "s3path-generic";

/// A text cut by the generic syntax, before any validation. Every field borrows from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The scheme as written (`HTTP`), `None` when the text has no `://`.
    pub scheme: Option<&'a str>,
    /// What precedes the last `@` of the authority, when there is an `@`.
    pub userinfo: Option<&'a str>,
    /// `host[:port]` as written (IPv6 in brackets).
    pub host_port: &'a str,
    /// Everything after the authority: path, query and fragment, as written.
    pub rest: &'a str,
}

/// Cuts `text` into scheme, user information, `host[:port]` and the rest (never fails).
pub fn split(text: &str) -> Split<'_> {
    let (scheme, after) = match text.find("://") {
        Some(i) => (Some(&text[..i]), &text[i + 3..]),
        None => (None, text),
    };
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(end);
    let (userinfo, host_port) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    Split {
        scheme,
        userinfo,
        host_port,
        rest,
    }
}

impl<'a> Split<'a> {
    /// The path as written (empty when there is none), without query or fragment.
    pub fn path(&self) -> &'a str {
        let end = self.rest.find(['?', '#']).unwrap_or(self.rest.len());
        &self.rest[..end]
    }

    /// The query as written, without its `?` and without a fragment.
    pub fn query(&self) -> Option<&'a str> {
        let before_fragment = self.rest.split('#').next().unwrap_or_default();
        Some(&before_fragment[before_fragment.find('?')? + 1..])
    }
}

/// The scheme of `text`, ASCII lower-cased (`None` when it has no `://`).
pub fn scheme(text: &str) -> Option<String> {
    split(text).scheme.map(str::to_ascii_lowercase)
}

/// Why a text is not a URL s3path can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The text before `://` is not a scheme (`ht tp://`, `://`).
    Scheme,
    /// The authority has no host (`http://`, `http://:3128`, `http://user@`).
    NoHost,
    /// The host holds a character no host holds, or an invalid IPv6 address.
    Host,
    /// An `[` without its `]`.
    UnclosedBracket,
    /// Text after `]` that is not `:port`.
    AfterBracket,
    /// The port (as written) is not a number from 0 to 65535.
    Port(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Scheme => f.write_str("the scheme is not valid"),
            Error::NoHost => f.write_str("there is no host"),
            Error::Host => f.write_str("the host is not a host name or IP address"),
            Error::UnclosedBracket => f.write_str("unclosed '['"),
            Error::AfterBracket => f.write_str("unexpected text after ']'"),
            Error::Port(p) => write!(f, "the port '{p}' is not a number from 0 to 65535"),
        }
    }
}

/// A URL (or a bare `host[:port]`) read by [`parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// ASCII lower-cased; `None` when the text had no `scheme://`.
    pub scheme: Option<String>,
    /// Whether the authority carries user information (anything before an `@`, even empty).
    pub has_userinfo: bool,
    /// As written, ASCII lower-cased; an IPv6 address without its brackets.
    pub host: String,
    /// The port as written in the URL.
    pub port: Option<u16>,
    /// The path as written (may be empty), without query or fragment.
    pub path: String,
    /// The query as written, without `?` or fragment.
    pub query: Option<String>,
    /// Whether an `@` follows the authority (in the path, query or fragment).
    pub at_after_authority: bool,
}

impl Parsed {
    /// Whether the host is an IPv6 address.
    pub fn is_ipv6(&self) -> bool {
        self.host.contains(':')
    }

    /// The host as it is written in a URL (IPv6 in brackets).
    pub fn host_in_url(&self) -> String {
        if self.is_ipv6() {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }

    /// `host[:port]` (the port only when written), IPv6 in brackets.
    pub fn authority(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host_in_url()),
            None => self.host_in_url(),
        }
    }

    /// `scheme://host[:port]` (no `scheme://` when the text had none): never user information,
    /// path or query.
    pub fn origin(&self) -> String {
        match &self.scheme {
            Some(s) => format!("{s}://{}", self.authority()),
            None => self.authority(),
        }
    }

    /// `scheme://host[:port]/path`: the URL without user information, query or fragment.
    pub fn without_userinfo_and_query(&self) -> String {
        format!("{}{}", self.origin(), self.path)
    }

    /// The default port of the scheme (http 80, https 443, socks* 1080).
    pub fn default_port(&self) -> Option<u16> {
        default_port(self.scheme.as_deref().unwrap_or("http"))
    }

    /// The written port, else the scheme's default.
    pub fn port_or_default(&self) -> Option<u16> {
        self.port.or_else(|| self.default_port())
    }

    /// The query's `key=value` pairs, percent-decoded (`application/x-www-form-urlencoded`).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.query.as_deref().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

/// The default port of a scheme s3path knows (http 80, https 443, socks* 1080).
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme.to_ascii_lowercase().as_str() {
        "http" => Some(80),
        "https" => Some(443),
        s if s.starts_with("socks") => Some(1080),
        _ => None,
    }
}

/// Reads `text` (no trimming: callers trim). See the module documentation for what differs
/// from the `url` crate's own reading.
pub fn parse(text: &str) -> Result<Parsed, Error> {
    let s = split(text);
    if let Some(scheme) = s.scheme {
        let valid = !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !valid {
            return Err(Error::Scheme);
        }
    }
    let (host, port) = host_port(s.host_port)?;
    Ok(Parsed {
        scheme: s.scheme.map(str::to_ascii_lowercase),
        has_userinfo: s.userinfo.is_some(),
        host,
        port,
        path: s.path().to_string(),
        query: s.query().map(str::to_string),
        at_after_authority: s.rest.contains('@'),
    })
}

/// Validates `host[:port]` (IPv6 in brackets): the host as written, ASCII lower-cased and
/// without brackets, and the written port.
pub fn host_port(text: &str) -> Result<(String, Option<u16>), Error> {
    if text
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | '?' | '#' | '@' | '\\'))
    {
        return Err(Error::Host);
    }
    // The host and port as written; the url crate checks them, the written text is kept.
    let (host, port) = if let Some(inner) = text.strip_prefix('[') {
        let (h, after) = inner.split_once(']').ok_or(Error::UnclosedBracket)?;
        let port = match after {
            "" => None,
            a => Some(a.strip_prefix(':').ok_or(Error::AfterBracket)?),
        };
        (h, port)
    } else {
        match text.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (text, None),
        }
    };
    if host.is_empty() {
        return Err(Error::NoHost);
    }
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::Port(p.to_string()));
        }
    }
    let checked = url::Url::parse(&format!("{GENERIC}://{text}")).map_err(|e| match e {
        url::ParseError::InvalidPort => Error::Port(port.unwrap_or_default().to_string()),
        url::ParseError::EmptyHost => Error::NoHost,
        _ => Error::Host,
    })?;
    let port = match checked.host() {
        Some(_) => checked.port(),
        None => return Err(Error::NoHost),
    };
    Ok((host.to_ascii_lowercase(), port))
}

/// The host of an endpoint URL (`https://host:port/path` → `host`; `host:port` → `host`).
///
/// A text with no `scheme://` that is not `host[:port]` either (the redaction placeholder
/// `unparsable (N chars)` stored for an endpoint override that did not parse) is its own
/// "host", trimmed and lower-cased: the override is still planned and reported (and fails to
/// resolve) rather than silently dropped.
pub fn url_host(url: &str) -> Option<String> {
    match parse(url) {
        Ok(p) => Some(p.host),
        Err(_) if !url.contains("://") && !url.trim().is_empty() => {
            Some(url.trim().to_ascii_lowercase())
        }
        Err(_) => None,
    }
}

/// Everything that may be user information in `text`: what follows `scheme://` up to the
/// *last* `@` of the whole text, even past the authority (a password may hold an unencoded
/// `/`, `?`, `#` or `@`). A superset of [`Split::userinfo`], for scrubbing messages.
pub fn possible_userinfo(text: &str) -> Option<&str> {
    let rest = text.split_once("://").map_or(text, |(_, r)| r);
    let i = rest.rfind('@')?;
    Some(&rest[..i])
}

/// Percent-encoding of everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - _ . ~`),
/// as AWS Query requests and SigV4 want it.
pub fn encode_unreserved(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_of_a_url() {
        assert_eq!(
            url_host("https://user:pw@minio.local:9000/x").as_deref(),
            Some("minio.local")
        );
        assert_eq!(url_host("http://[fd00::5]:80").as_deref(), Some("fd00::5"));
        assert_eq!(url_host("MinIO:9000").as_deref(), Some("minio"));
        assert_eq!(
            url_host("unparsable (12 chars)").as_deref(),
            Some("unparsable (12 chars)")
        );
        assert_eq!(url_host("https:///x"), None);
    }

    #[test]
    fn what_is_kept_as_written() {
        let p = parse("HTTP://U:P@W@Proxy.Corp.:80/a@b?X=%2F#f").unwrap();
        assert_eq!(p.scheme.as_deref(), Some("http"));
        assert!(p.has_userinfo && p.at_after_authority);
        assert_eq!(p.host, "proxy.corp.");
        assert_eq!(p.port, Some(80), "a default port stays written");
        assert_eq!(p.path, "/a@b");
        assert_eq!(p.query_pairs(), [("X".to_string(), "/".to_string())]);
        assert_eq!(p.origin(), "http://proxy.corp.:80");
        let p = parse("http://[FD00:0:0::5]:8080").unwrap();
        assert_eq!(p.host, "fd00:0:0::5", "not compressed");
        assert_eq!(p.origin(), "http://[fd00:0:0::5]:8080");
        let p = parse("proxy:3128").unwrap();
        assert_eq!(
            (p.scheme, p.host.as_str(), p.port),
            (None, "proxy", Some(3128))
        );
        assert_eq!(
            parse("http://bücher.example").unwrap().host,
            "bücher.example"
        );
        assert_eq!(parse("http://0x7f.1").unwrap().host, "0x7f.1");
        assert_eq!(
            parse("socks5h://[::1]").unwrap().port_or_default(),
            Some(1080)
        );
    }

    #[test]
    fn what_is_refused() {
        for (text, want) in [
            ("http://", Error::NoHost),
            ("http://:3128", Error::NoHost),
            ("http://user@", Error::NoHost),
            ("ht tp://x", Error::Scheme),
            ("://x", Error::Scheme),
            ("http://pro xy", Error::Host),
            ("http://pro\nxy", Error::Host),
            ("http://a<b", Error::Host),
            ("http://[::1", Error::UnclosedBracket),
            ("http://[::1]x", Error::AfterBracket),
            ("http://[fe80::1%eth0]", Error::Host),
            ("http://[zz]", Error::Host),
            ("http://proxy:", Error::Port(String::new())),
            ("http://proxy:99999", Error::Port("99999".into())),
            ("http://proxy:PW", Error::Port("PW".into())),
            ("http://a:b:3128", Error::Port("b:3128".into())),
            ("http://proxy:+80", Error::Port("+80".into())),
        ] {
            assert_eq!(parse(text), Err(want), "{text:?}");
        }
    }

    #[test]
    fn user_information_ends_at_the_last_at_of_the_authority() {
        let s = split("https://a@b:c@d@host:1/p@q?x=@#@");
        assert_eq!(s.userinfo, Some("a@b:c@d"));
        assert_eq!(s.host_port, "host:1");
        assert_eq!(s.path(), "/p@q");
        assert_eq!(s.query(), Some("x=@"));
        assert_eq!(
            possible_userinfo("https://a@b:c@d@host:1/p@q?x=@#@"),
            Some("a@b:c@d@host:1/p@q?x=@#")
        );
    }

    #[test]
    fn unreserved_encoding() {
        assert_eq!(
            encode_unreserved("tag:Name a/b~c_d.e-f"),
            "tag%3AName%20a%2Fb~c_d.e-f"
        );
        assert_eq!(encode_unreserved("é"), "%C3%A9");
    }
}
