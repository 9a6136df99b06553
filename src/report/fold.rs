//! One line per cause: findings of one check that say the same thing about several names (or
//! addresses) fold into one that lists them, and a fix that an earlier finding already gives
//! is not printed again. Pure text work on the findings the checks wrote.

/// What folding reads and writes of a finding (the report's `Finding` implements it; this
/// file does not depend on the report's types).
pub trait Foldable: Clone {
    /// The check, and anything else that must be equal for two findings to fold (severity).
    fn cause(&self) -> (&str, u8);
    fn message(&self) -> &str;
    fn message_mut(&mut self) -> &mut String;
    fn remediation(&self) -> &[String];
    fn remediation_mut(&mut self) -> &mut Vec<String>;
    fn evidence_mut(&mut self) -> &mut Vec<String>;
    fn evidence(&self) -> &[String];
    /// How many findings this one stands for.
    fn set_folded(&mut self, n: usize);
}

/// Folds findings of the same check whose fixes are the same and whose messages differ only in
/// a few words (the name, an address): one finding listing the differing words.
pub fn fold<F: Foldable>(findings: Vec<F>) -> Vec<F> {
    let mut out: Vec<F> = Vec::new();
    let mut groups: Vec<Vec<F>> = Vec::new();
    for f in findings {
        match groups.iter_mut().find(|g| foldable(&g[0], &f)) {
            Some(g) => g.push(f),
            None => groups.push(vec![f]),
        }
    }
    for g in groups {
        if g.len() == 1 {
            out.extend(g);
            continue;
        }
        let messages: Vec<&str> = g.iter().map(|f| f.message()).collect();
        let Some(message) = merge_texts(&messages) else {
            out.extend(g);
            continue;
        };
        let mut first = g[0].clone();
        *first.message_mut() = message;
        for f in &g[1..] {
            for e in f.evidence() {
                if !first.evidence().contains(e) {
                    first.evidence_mut().push(e.clone());
                }
            }
        }
        first.set_folded(g.len());
        out.push(first);
    }
    out
}

/// Same check, same severity, same fixes, and messages of the same shape (word count).
fn foldable<F: Foldable>(a: &F, b: &F) -> bool {
    a.cause() == b.cause()
        && a.remediation() == b.remediation()
        && merge_texts(&[a.message(), b.message()]).is_some()
}

/// At most this many positions may differ between messages that fold.
const MAX_DIFFERING_WORDS: usize = 3;

/// The texts as one: equal word for word except at up to [`MAX_DIFFERING_WORDS`] positions,
/// where the differing words are listed ("a, b and c"), keeping their shared punctuation.
fn merge_texts(texts: &[&str]) -> Option<String> {
    let words: Vec<Vec<&str>> = texts.iter().map(|t| t.split(' ').collect()).collect();
    let n = words[0].len();
    if words.iter().any(|w| w.len() != n) {
        return None;
    }
    let mut differing = 0;
    let mut merged = Vec::with_capacity(n);
    for i in 0..n {
        let column: Vec<&str> = words.iter().map(|w| w[i]).collect();
        if column.iter().all(|w| *w == column[0]) {
            merged.push(column[0].to_string());
            continue;
        }
        differing += 1;
        if differing > MAX_DIFFERING_WORDS {
            return None;
        }
        merged.push(list_words(&column));
    }
    Some(merged.join(" "))
}

/// `["(a:", "(b:"]` → `(a and b:`: the distinct words, their shared leading and trailing
/// punctuation kept once.
fn list_words(column: &[&str]) -> String {
    let is_punct = |c: char| matches!(c, '(' | ')' | ',' | ';' | ':' | '.' | '[' | ']' | '\'');
    let lead: String = column[0].chars().take_while(|c| is_punct(*c)).collect();
    let trail: String = {
        let rev: String = column[0]
            .chars()
            .rev()
            .take_while(|c| is_punct(*c))
            .collect();
        rev.chars().rev().collect()
    };
    let shared = column
        .iter()
        .all(|w| w.len() > lead.len() + trail.len() && w.starts_with(&lead) && w.ends_with(&trail));
    let (lead, trail) = if shared {
        (lead, trail)
    } else {
        (String::new(), String::new())
    };
    let mut items: Vec<&str> = Vec::new();
    for w in column {
        let core = &w[lead.len()..w.len() - trail.len()];
        if !items.contains(&core) {
            items.push(core);
        }
    }
    format!("{lead}{}{trail}", and_list(&items))
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => format!(
            "{} and {}",
            rest.iter()
                .map(|s| s.as_ref())
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

/// A fix an earlier (more severe) finding already gives is replaced by a pointer to it, so
/// each command appears once per report.
pub fn dedupe_fixes<F: Foldable>(findings: &mut [F]) {
    let mut seen: Vec<(String, String)> = Vec::new();
    for f in findings.iter_mut() {
        let id = f.cause().0.to_string();
        let mut fixes = Vec::with_capacity(f.remediation().len());
        for fix in std::mem::take(f.remediation_mut()) {
            let key = command_of(&fix).to_string();
            match seen.iter().find(|(s, _)| *s == key) {
                Some((_, id)) => {
                    let pointer = format!("{SAME_FIX_AS}{id} above");
                    if !fixes.contains(&pointer) {
                        fixes.push(pointer);
                    }
                }
                None => {
                    seen.push((key, id.clone()));
                    fixes.push(fix);
                }
            }
        }
        *f.remediation_mut() = fixes;
    }
}

/// The command a fix gives, when it gives one after its words ("allow X: aws iam …" → "aws
/// iam …"); else the whole fix.
fn command_of(fix: &str) -> &str {
    match fix.find(": aws ") {
        Some(i) if !fix[i + 2..].contains(", then ") => &fix[i + 2..],
        _ => fix,
    }
}

/// How a fix that points to an earlier finding's fix begins.
pub const SAME_FIX_AS: &str = "the same fix as ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_that_differ_are_listed() {
        let m = merge_texts(&[
            "a.example: resolver answers 1.1.1.1 (public), ok",
            "b.example: resolver answers 2.2.2.2 (public), ok",
            "c.example: resolver answers 3.3.3.3 (public), ok",
        ])
        .unwrap();
        assert_eq!(
            m,
            "a.example, b.example and c.example: resolver answers 1.1.1.1, 2.2.2.2 and 3.3.3.3 (public), ok"
        );
    }

    #[test]
    fn texts_of_another_shape_do_not_fold() {
        assert!(merge_texts(&["a b c", "a b"]).is_none());
        assert!(merge_texts(&["a b c d", "w x y z"]).is_none());
        assert_eq!(merge_texts(&["x (a)", "x (b)"]).unwrap(), "x (a and b)");
    }
}
