//! Errors of the SDK and of the Query client, as one plain sentence.

/// One plain sentence from an SDK error's display chain: the debug dump the SDK appends in
/// parentheses (`(DispatchFailure(DispatchFailure { … }))`) is dropped, and repeated clauses
/// ("io error: io error: …") are said once.
pub fn plain_error(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut cut = text.len();
    for (i, w) in text.char_indices() {
        if w != '(' || i == 0 || bytes[i - 1] != b' ' {
            continue;
        }
        let rest = &text[i + 1..];
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let after = rest[ident.len()..].chars().next();
        if ident.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && matches!(after, Some('(') | Some(' ') | Some('{'))
            && rest[ident.len()..].trim_start().starts_with(['(', '{'])
        {
            cut = i - 1;
            break;
        }
    }
    let mut parts: Vec<&str> = Vec::new();
    for p in text[..cut].split(": ") {
        let p = p.trim();
        if !p.is_empty() && parts.last() != Some(&p) {
            parts.push(p);
        }
    }
    let mut out = parts.join(": ");
    if out.len() > 300 {
        let mut end = 300;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push('…');
    }
    out
}

/// An error and its sources, joined on one line (`connect: Connection refused`).
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let one_line = |s: String| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = one_line(e.to_string());
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = one_line(s.to_string());
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        cur = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn sdk_error_chains_become_one_plain_sentence() {
        let dump = "dispatch failure: io error: io error: error trying to connect: dns error: failed to lookup address information: Name or service not known (DispatchFailure(DispatchFailure { source: ConnectorError { kind: Io, source: hyper_util::client::legacy::Error(Connect, ConnectError(\"dns error\", Custom { kind: Uncategorized, error: \"failed to lookup address information\" })), connection: Unknown } }))";
        let plain = super::plain_error(dump);
        assert_eq!(
            plain,
            "dispatch failure: io error: error trying to connect: dns error: failed to lookup address information: Name or service not known"
        );
        assert!(!plain.contains("DispatchFailure") && !plain.contains('{'));
    }
}
