//! Settings s3path reads from the host: proxy URLs, NO_PROXY, ~/.aws/config, the hosts file,
//! presigned URLs; and the escaping of any text for the terminal and Markdown.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let stored = s3path::redact::url(text);
    assert!(s3path::redact::is_unparsable(&stored) || !stored.contains('@'));
    let _ = s3path::proxy::parse_proxy_url(text);
    for e in s3path::proxy::entries(text) {
        let _ = s3path::proxy::parse_entry(e);
    }
    let _ = s3path::gather::dns::parse_hosts(text);
    let _ = s3path::gather::aws_config::parse_profile(text, "default");
    if let Ok(p) = s3path::validate::presigned_url(text) {
        assert!(!p.url.contains('?'));
    }
    let line = s3path::render::escape::line(text);
    assert!(!line.chars().any(|c| c.is_control()));
    assert!(!s3path::render::escape::md(text).contains('<'));
});
