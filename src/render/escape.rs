//! Text from the network, files or facts is data: before it reaches a terminal or a Markdown
//! document it is made one line, stripped of anything a terminal or a Markdown renderer would
//! act on, and bounded in length.

use std::borrow::Cow;

/// The longest field printed, in characters; longer ones are cut with "…".
pub const MAX_FIELD_CHARS: usize = 2000;

fn needs_escape(c: char) -> bool {
    c.is_control() // C0 (incl. \n \r \t ESC), DEL, C1 (incl. CSI U+009B)
        || matches!(c, '\u{2028}' | '\u{2029}') // line and paragraph separators
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    // bidi
}

/// One terminal-safe line: control characters, line separators and bidirectional controls are
/// shown escaped (`\n`, `\x1b`, `\u{202e}`), and the text is cut at [`MAX_FIELD_CHARS`].
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
/// line opens nothing) and the Markdown
/// metacharacters backslash-escaped, so data can neither open a tag nor a link, emphasis, a
/// heading or a table cell.
pub fn md(s: &str) -> String {
    let s = line(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
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
    out
}

/// A Markdown code span holding `s` verbatim (after [`line`]): fenced by more backticks than
/// any run inside it, so the content cannot close it. Pipes are escaped for table cells.
pub fn code(s: &str) -> String {
    let s = line(s);
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
            "&lt;img src=x onerror=alert(1)> \\[a\\](http://x) \\| \\*b\\*"
        );
        assert_eq!(md("## Verdict\n# x"), "\\#\\# Verdict\\\\n\\# x");
        assert_eq!(code("aws s3 ls"), "`aws s3 ls`");
        assert_eq!(code("a ``b`` c"), "```a ``b`` c```");
        assert_eq!(code("`x"), "`` `x ``");
    }
}
