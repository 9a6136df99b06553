//! Property tests for every parser that reads what s3path does not control (bounded case
//! counts, so they run in `cargo test`; the fuzz targets in fuzz/ run the same entry points
//! for longer). Properties: no panic; secrets never survive redaction; escaped text carries no
//! control character; a facts file either is refused with one line or judged and rendered.

use proptest::prelude::*;

use s3path::facts::ClientSettings;
use s3path::render::escape;
use s3path::{policy, proxy, redact};

fn cases(n: u32) -> ProptestConfig {
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Strings biased toward the characters parsers split on.
fn tricky() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just(":".to_string()),
            Just("@".to_string()),
            Just("/".to_string()),
            Just("#".to_string()),
            Just("?".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just(",".to_string()),
            Just(".".to_string()),
            Just("*".to_string()),
            Just("\n".to_string()),
            Just("=".to_string()),
            Just("\u{1b}".to_string()),
            "[a-z0-9]{1,6}",
            any::<char>().prop_map(|c| c.to_string()),
        ],
        0..24,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(cases(400))]

    #[test]
    fn proxy_urls_and_no_proxy_never_panic(url in tricky(), no_proxy in tricky(), host in "[a-z0-9.-]{1,30}") {
        let _ = proxy::parse_proxy_url(&url);
        for e in proxy::entries(&no_proxy) {
            let _ = proxy::parse_entry(e);
        }
        let settings = ClientSettings {
            proxy_env: vec![
                s3path::facts::EnvSetting { name: "HTTPS_PROXY".into(), value: redact::url(&url) },
                s3path::facts::EnvSetting { name: "NO_PROXY".into(), value: no_proxy.clone() },
            ],
            ..ClientSettings::default()
        };
        let _ = proxy::decide(&settings, &host);
    }

    #[test]
    fn redaction_never_keeps_a_password(
        scheme in prop_oneof![Just("http://"), Just("https://"), Just("socks5h://"), Just("")],
        user in "[a-z]{1,8}",
        password in "[A-Za-z0-9#/?@!$%]{1,12}",
        host in "[a-z][a-z0-9-]{0,10}(\\.[a-z]{2,5}){0,2}",
        port in proptest::option::of(1u16..),
        path in "(/[a-z0-9@?#=]{0,10}){0,2}",
    ) {
        let secret = format!("S3CR{password}");
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        let value = format!("{scheme}{user}:{secret}@{host}{port}{path}");
        let stored = redact::url(&value);
        prop_assert!(!stored.contains("S3CR"), "{value} -> {stored}");
        prop_assert!(!stored.contains('@'), "{value} -> {stored}");
        let msg = redact::scrub(&format!("error for {value}: refused"), &value);
        prop_assert!(!msg.contains("S3CR"), "{msg}");
    }

    #[test]
    fn any_value_redacts_to_host_port_or_a_placeholder(value in tricky()) {
        let stored = redact::url(&value);
        prop_assert!(
            redact::is_unparsable(&stored)
                || !stored.contains('@') && !stored.contains('?') && !stored.contains('#'),
            "{value:?} -> {stored:?}"
        );
    }

    #[test]
    fn escaped_text_has_no_control_characters(text in any::<String>()) {
        let line = escape::line(&text);
        prop_assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
        prop_assert!(line.chars().count() <= escape::MAX_FIELD_CHARS * 12 + 1);
        let md = escape::md(&text);
        prop_assert!(!md.contains('<') && !md.chars().any(|c| c.is_control()), "{md:?}");
        let code = escape::code(&text);
        prop_assert!(code.starts_with('`') && code.ends_with('`'));
    }

    #[test]
    fn hosts_files_and_profiles_never_panic(text in tricky(), profile in "[a-z]{1,8}") {
        let hosts = s3path::gather::dns::parse_hosts(&text);
        let _ = s3path::gather::dns::hosts_lookup(&hosts, "s3.eu-west-1.amazonaws.com");
        let config = format!("[profile {profile}]\n{text}\n[default]\n{text}");
        let _ = s3path::gather::aws_config::parse_profile(&config, &profile);
        let _ = s3path::gather::aws_config::parse_profile(&config, "default");
    }

    #[test]
    fn presigned_urls_keep_no_query_and_no_user(url in tricky(), q in "[A-Za-z0-9=&-]{0,40}") {
        for candidate in [url.clone(), format!("https://{url}?{q}"), format!("https://b.s3.amazonaws.com/{url}?X-Amz-Signature=SIG{q}")] {
            if let Ok(p) = s3path::validate::presigned_url(&candidate) {
                prop_assert!(!p.url.contains('?') && !p.url.contains("SIG"), "{candidate} -> {}", p.url);
                prop_assert!(!p.host.contains('@'));
            }
        }
    }

    #[test]
    fn denial_messages_never_panic(msg in tricky(), action in "s3:[A-Za-z]{1,12}") {
        let _ = policy::parse_denial(&msg);
        let _ = policy::parse_denial(&format!("User: {msg} is not authorized to perform: {action} on resource: \"{msg}\" because {msg}"));
    }
}

/// Policies: any JSON-ish text, and well-formed policies with arbitrary patterns, parse or
/// are refused, and evaluate without panicking.
fn pattern() -> impl Strategy<Value = String> {
    "[a-z*?/:-]{0,20}"
}

proptest! {
    #![proptest_config(cases(300))]

    #[test]
    fn policies_parse_or_refuse_and_evaluate(
        text in tricky(),
        effect in prop_oneof![Just("Allow"), Just("Deny"), Just("Maybe")],
        action in pattern(),
        resource in pattern(),
        key in proptest::option::of("[a-z0-9/]{0,30}"),
        cond_key in prop_oneof![Just("aws:SourceVpce"), Just("aws:SourceIp"), Just("aws:SecureTransport"), Just("aws:Weird")],
        cond_value in "[a-z0-9./-]{0,20}",
    ) {
        let _ = policy::parse(&text);
        let doc = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": effect,
                "Principal": "*",
                "Action": action,
                "Resource": format!("arn:aws:s3:::{resource}"),
                "Condition": {"StringEquals": {cond_key: cond_value}}
            }]
        });
        if let Ok(p) = policy::parse(&doc.to_string()) {
            let mut cx = policy::RequestContext::new("s3:GetObject", "app-data");
            cx.key = key;
            let _ = policy::evaluate(&p, &cx);
        }
    }
}

/// Facts files: random edits of real scenario files are either refused with one line or
/// judged and rendered in every format, and the rendering stays proportional to the input.
#[test]
fn mutated_facts_files_are_refused_or_judged() {
    use proptest::test_runner::{Config, TestRunner};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".facts.json"))
        .collect();
    files.sort();
    let texts: Vec<String> = files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(0..texts.len(), any::<u64>(), tricky()),
            |(i, seed, insert)| {
                let text = mutate(&texts[i], seed, &insert);
                if let Ok(facts) = s3path::input::parse_facts(&text, "mutated.json") {
                    let report = s3path::report::judge(&facts, &Default::default());
                    for format in [
                        s3path::render::Format::Human,
                        s3path::render::Format::Json,
                        s3path::render::Format::Markdown,
                    ] {
                        let out = s3path::render::render(&report, format);
                        prop_assert!(out.len() < 64 * text.len() + 200_000, "{}", out.len());
                    }
                }
                Ok(())
            },
        )
        .unwrap();
}

/// Replaces one JSON string value (chosen by `seed`) with `insert`, or duplicates an array
/// element, or cuts the text: the kinds of damage a hand-edited or hostile file has.
fn mutate(text: &str, seed: u64, insert: &str) -> String {
    let quotes: Vec<usize> = text.match_indices('"').map(|(i, _)| i).collect();
    match seed % 3 {
        0 if quotes.len() >= 2 => {
            let k = (seed as usize / 3) % (quotes.len() / 2);
            let (a, b) = (quotes[2 * k], quotes[2 * k + 1]);
            let escaped = serde_json::to_string(insert).unwrap();
            format!("{}{}{}", &text[..a], escaped, &text[b + 1..])
        }
        1 => {
            if let Some(i) = text.find("\"addresses\": [") {
                let start = i + "\"addresses\": [".len();
                if let Some(end) = text[start..].find(']') {
                    let items = &text[start..start + end];
                    if !items.trim().is_empty() {
                        let many = vec![items; 1 + (seed as usize % 50)].join(",");
                        return format!("{}{}{}", &text[..start], many, &text[start + end..]);
                    }
                }
            }
            text.to_string()
        }
        _ => {
            let cut = (seed as usize) % text.len().max(1);
            text[..text.floor_char_boundary(cut)].to_string()
        }
    }
}

/// One generated URL and what every parser must read in it.
#[derive(Debug, Clone)]
struct GenUrl {
    text: String,
    scheme: &'static str,
    userinfo: Option<String>,
    /// Lower-case, IPv6 without brackets, trailing dot kept.
    host: String,
    /// The host as written in the URL (case as generated, IPv6 in brackets).
    host_written: String,
    s3_host: bool,
    port: Option<u16>,
    /// Whether an `@` follows the authority (path or query).
    at_after: bool,
}

/// A host as written: an S3 name, another DNS name (random case, maybe a trailing dot), an
/// IPv4 or an IPv6 literal. Returns (written, lower-cased without brackets, is S3).
fn url_host() -> impl Strategy<Value = (String, String, bool)> {
    let upper = |s: String, mask: u64| -> String {
        s.chars()
            .enumerate()
            .map(|(i, c)| {
                if mask >> (i % 64) & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect()
    };
    prop_oneof![
        (
            "[a-z0-9]{3,12}",
            prop_oneof![Just("eu-west-1"), Just("us-east-1")],
            any::<u64>()
        )
            .prop_map(move |(b, r, m)| {
                let h = format!("{b}.s3.{r}.amazonaws.com");
                (upper(h.clone(), m), h, true)
            }),
        ("[a-z][a-z0-9-]{0,8}(\\.[a-z]{2,4}){0,2}\\.?", any::<u64>()).prop_map(move |(h, m)| (
            upper(h.clone(), m),
            h,
            false
        )),
        any::<std::net::Ipv4Addr>().prop_map(|a| (a.to_string(), a.to_string(), false)),
        any::<std::net::Ipv6Addr>().prop_map(|a| (format!("[{a}]"), a.to_string(), false)),
    ]
}

fn gen_url() -> impl Strategy<Value = GenUrl> {
    (
        prop_oneof![Just("http"), Just("https"), Just("HTTP"), Just("Https")],
        // User information holding `@` and `:`, marked so that it can be looked for.
        proptest::option::of("[a-z0-9:@]{0,10}".prop_map(|u| format!("U5R{u}"))),
        url_host(),
        proptest::option::of(any::<u16>()),
        "(/[a-zA-Z0-9@._~-]{0,8}){0,3}",
        proptest::option::of("[a-zA-Z0-9=&@%._-]{0,16}"),
    )
        .prop_map(
            |(scheme, userinfo, (written, host, s3_host), port, path, query)| {
                let mut text = format!("{scheme}://");
                if let Some(u) = &userinfo {
                    text.push_str(u);
                    text.push('@');
                }
                text.push_str(&written);
                if let Some(p) = port {
                    text.push_str(&format!(":{p}"));
                }
                text.push_str(&path);
                if let Some(q) = &query {
                    text.push('?');
                    text.push_str(q);
                }
                GenUrl {
                    at_after: path.contains('@')
                        || query.as_deref().is_some_and(|q| q.contains('@')),
                    text,
                    scheme,
                    userinfo,
                    host,
                    host_written: written,
                    s3_host,
                    port,
                }
            },
        )
}

proptest! {
    #![proptest_config(cases(600))]

    /// Redaction, proxy matching, name parsing, presigned URLs and the URL module read the same
    /// host, port and user information in one URL, and no redacted form keeps the user
    /// information.
    #[test]
    fn every_parser_reads_the_same_host_port_and_user_information(u in gen_url()) {
        let scheme = u.scheme.to_ascii_lowercase();
        let default_port = if scheme == "https" { 443 } else { 80 };
        let bracketed = if u.host.contains(':') { format!("[{}]", u.host) } else { u.host.clone() };

        // The module itself.
        let p = s3path::url::parse(&u.text).expect("a generated URL parses");
        prop_assert_eq!(&p.host, &u.host);
        prop_assert_eq!(p.port, u.port);
        prop_assert_eq!(p.has_userinfo, u.userinfo.is_some());
        prop_assert_eq!(p.at_after_authority, u.at_after);
        prop_assert_eq!(s3path::url::url_host(&u.text), Some(u.host.clone()));
        prop_assert!(!p.without_userinfo_and_query().contains("U5R"));

        // Proxy URLs and NO_PROXY.
        let (host, port) = proxy::parse_proxy_url(&u.text).expect("a proxy URL");
        prop_assert_eq!(&host, &u.host);
        prop_assert_eq!(port, u.port.unwrap_or(default_port));
        prop_assert!(proxy::bypass_entry(&u.host, &host, port).is_some(), "{} does not exempt {}", u.host, host);

        // Redaction: the same scheme://host:port, or unparsable when an `@` follows the
        // authority; never the user information.
        let stored = redact::url(&u.text);
        if u.at_after {
            prop_assert!(redact::is_unparsable(&stored), "{} -> {}", u.text, stored);
        } else {
            let port = u.port.map(|p| format!(":{p}")).unwrap_or_default();
            prop_assert_eq!(&stored, &format!("{scheme}://{bracketed}{port}"));
            // What redaction keeps reads back the same.
            prop_assert_eq!(proxy::parse_proxy_url(&stored), Ok((host.clone(), u.port.unwrap_or(default_port))));
        }
        prop_assert!(!stored.contains("U5R") && !stored.contains('@'), "{} -> {}", u.text, stored);
        let msg = redact::scrub(&format!("error for {}: {} refused", u.text, u.userinfo.as_deref().unwrap_or("")), &u.text);
        prop_assert!(!msg.contains("U5R"), "{}", msg);

        // Names: a URL with user information is refused; an S3 host is read the same.
        match s3path::names::parse(&u.text) {
            Err(e) if u.userinfo.is_some() => prop_assert!(e.contains("user-info"), "{}", e),
            Ok(r) => {
                prop_assert!(u.userinfo.is_none() && u.s3_host);
                prop_assert_eq!(r.host.as_deref(), Some(u.host.trim_end_matches('.')));
                prop_assert!(!r.input.contains("U5R") && !r.input.contains('?'));
            }
            Err(e) => prop_assert!(!u.s3_host, "{} -> {}", u.text, e),
        }

        // Presigned URLs: refused with user information, else the same host and port.
        let signed = format!("{}{}X-Amz-Signature=SIG", u.text, if u.text.contains('?') { "&" } else { "?" });
        match s3path::validate::presigned_url(&signed) {
            Ok(v) => {
                prop_assert!(u.userinfo.is_none());
                prop_assert_eq!(&v.host, &u.host);
                prop_assert_eq!(v.port, u.port.unwrap_or(default_port));
                prop_assert!(!v.url.contains("SIG") && !v.url.contains('?'));
                let origin = format!("{}://{}", scheme, u.host_written.to_ascii_lowercase());
                prop_assert!(v.url.starts_with(&origin), "{} vs {}", v.url, origin);
            }
            Err(e) => prop_assert!(u.userinfo.is_some(), "{} -> {}", signed, e),
        }
    }
}
