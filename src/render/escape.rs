//! Text from the network, files or facts is data: before it reaches a terminal or a Markdown
//! document it is made one line, stripped of anything a terminal or a Markdown renderer would
//! act on, and bounded in length. This is the one escaper: every renderer (human, Markdown,
//! audit, merge, fleet) and every one-line error that quotes untrusted text goes through it.

use std::borrow::Cow;

/// The longest field printed, in characters; longer ones are cut with "…".
pub const MAX_FIELD_CHARS: usize = 2000;

/// A character that changes how text around it reads without showing itself: zero-width
/// characters (U+200B–U+200F, U+2060–U+2064, U+FEFF), bidirectional controls (U+061C,
/// U+202A–U+202E, U+2066–U+2069) and tag characters (U+E0000–U+E007F). Two ids that differ only
/// by these look the same on a screen.
pub fn invisible(c: char) -> bool {
    matches!(c,
        '\u{200b}'..='\u{200f}' // zero-width space, (non-)joiner, LRM, RLM
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{feff}' // zero-width no-break space (BOM)
        | '\u{061c}' // Arabic letter mark
        | '\u{202a}'..='\u{202e}' // bidi embeddings and overrides
        | '\u{2066}'..='\u{2069}' // bidi isolates
        | '\u{e0000}'..='\u{e007f}' // tag characters
    )
}

fn needs_escape(c: char) -> bool {
    c.is_control() // C0 (incl. \n \r \t ESC), DEL, C1 (incl. CSI U+009B)
        || matches!(c, '\u{2028}' | '\u{2029}') // line and paragraph separators
        || invisible(c)
}

/// One terminal-safe line: control characters, line separators and [`invisible`] characters
/// (zero-width, bidirectional, tags) are shown escaped (`\n`, `\x1b`, `\u{202e}`), and the text is cut at [`MAX_FIELD_CHARS`].
pub fn line(s: &str) -> Cow<'_, str> {
    let long = s.chars().nth(MAX_FIELD_CHARS).is_some();
    if !long && !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().min(MAX_FIELD_CHARS * 4) + 8);
    for (i, c) in s.chars().enumerate() {
        if i == MAX_FIELD_CHARS {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 && needs_escape(c) => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Markdown-safe inline text: [`line`], then HTML (`<`, `&`) as entities (a lone `>` inside a
/// line opens nothing) and the Markdown metacharacters backslash-escaped, so data can neither
/// open a tag nor a link, emphasis, a heading or a table cell. A word that a renderer would
/// turn into a live link or a notification — a URL (`scheme://…`, `www.…`), an e-mail address
/// or an `@mention` — is shown as a code span: no renderer links or notifies inside one.
pub fn md(s: &str) -> String {
    let s = line(s);
    let mut out = String::with_capacity(s.len() + 8);
    let mut word = String::new();
    for c in s.chars().chain(std::iter::once(' ')) {
        if c.is_whitespace() {
            if live(&word) {
                // Closing punctuation stays outside the span (`https://x`, not `https://x,`).
                let core = word.trim_end_matches(['.', ',', ':', ';', '!', '?', ')']);
                // `<` stays outside too, as an entity (nothing in the output opens a tag).
                for (i, piece) in core.split('<').enumerate() {
                    if i > 0 {
                        out.push_str("&lt;");
                    }
                    if !piece.is_empty() {
                        out.push_str(&code_span(piece, true));
                    }
                }
                for w in word[core.len()..].chars() {
                    md_char(&mut out, w);
                }
            } else {
                for w in word.chars() {
                    md_char(&mut out, w);
                }
            }
            word.clear();
            out.push(c);
        } else {
            word.push(c);
        }
    }
    out.pop(); // the space chained above
    out
}

fn md_char(out: &mut String, c: char) {
    match c {
        '<' => out.push_str("&lt;"),
        '&' => out.push_str("&amp;"),
        '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' | '{' | '}' => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    }
}

/// A word a Markdown renderer (GitHub, GitLab, CommonMark with linkify) would make a link or a
/// mention: it holds `://`, `@`, or starts with `www.` (after opening punctuation).
fn live(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    let start = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
    lower.contains("://") || lower.contains('@') || start.starts_with("www.")
}

/// A Markdown code span holding `s` verbatim (after [`line`]): fenced by more backticks than
/// any run inside it, so the content cannot close it.
pub fn code(s: &str) -> String {
    code_span(&line(s), false)
}

/// `s` (already one line) in a code span; with `cell`, pipes are escaped so that a table cell
/// holding it is not split.
fn code_span(s: &str, cell: bool) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    let s = if cell {
        Cow::Owned(s.replace('|', "\\|"))
    } else {
        Cow::Borrowed(s)
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_newlines_are_shown_not_obeyed() {
        assert_eq!(line("plain"), "plain");
        assert_eq!(
            line("Access Denied\nVERDICT  gateway-endpoint  [confirmed]"),
            "Access Denied\\nVERDICT  gateway-endpoint  [confirmed]"
        );
        assert_eq!(line("\x1b]8;;http://x\x07ok"), "\\x1b]8;;http://x\\x07ok");
        assert_eq!(line("\u{9b}31m"), "\\x9b31m");
        assert_eq!(line("a\u{202e}b"), "a\\u{202e}b");
        let long = "x".repeat(MAX_FIELD_CHARS + 10);
        assert_eq!(line(&long).chars().count(), MAX_FIELD_CHARS + 1);
    }

    #[test]
    fn markdown_cannot_open_tags_links_or_cells() {
        assert_eq!(
            md("<img src=x onerror=alert(1)> [a](http://x) | *b*"),
            "&lt;img src=x onerror=alert(1)> `[a](http://x`) \\| \\*b\\*"
        );
        assert_eq!(md("## Verdict\n# x"), "\\#\\# Verdict\\\\n\\# x");
        assert_eq!(code("aws s3 ls"), "`aws s3 ls`");
        assert_eq!(code("a ``b`` c"), "```a ``b`` c```");
        assert_eq!(code("`x"), "`` `x ``");
    }

    #[test]
    fn invisible_characters_are_shown() {
        for c in [
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{200e}',
            '\u{200f}',
            '\u{202a}',
            '\u{202e}',
            '\u{2066}',
            '\u{2069}',
            '\u{061c}',
            '\u{feff}',
            '\u{2060}',
            '\u{e0000}',
            '\u{e0041}',
            '\u{e007f}',
        ] {
            let s = format!("i-0a{c}b");
            let shown = line(&s);
            assert!(!shown.contains(c), "{c:?} -> {shown}");
            assert_eq!(shown, format!("i-0a\\u{{{:x}}}b", c as u32));
            assert!(!md(&s).contains(c));
            assert!(!code(&s).contains(c));
        }
        assert_eq!(line("é ü 日本"), "é ü 日本");
    }

    #[test]
    fn markdown_links_and_mentions_stay_inert() {
        assert_eq!(
            md("see https://evil.example/x and @team"),
            "see `https://evil.example/x` and `@team`"
        );
        assert_eq!(md("(www.evil.example)"), "`(www.evil.example`)");
        assert_eq!(
            md("mail ops@corp.example now"),
            "mail `ops@corp.example` now"
        );
        assert_eq!(md("a|http://x|b"), "`a\\|http://x\\|b`");
        assert_eq!(md("`@x`"), "`` `@x` ``");
        assert_eq!(md("HTTP://X"), "`HTTP://X`");
        assert_eq!(md("http://x<b>@y"), "`http://x`&lt;`b>@y`");
        assert_eq!(
            md("at http://169.254.169.254: no"),
            "at `http://169.254.169.254`: no"
        );
        // Invisible characters cannot hide the scheme or the @.
        assert_eq!(md("@\u{200b}team"), "`@\\u{200b}team`");
        assert_eq!(md("plain *text*"), "plain \\*text\\*");
    }
}
