//! The layers of src/, checked from the source: every `crate::…`, `super::…`, `self::…` path
//! and every path through a child module a file declares is an edge from that file to the file
//! that defines the module it names. The test fails on an edge against the layer order and on
//! any cycle between files (docs/architecture.md draws the same picture).
//!
//! cli → commands (cli::<command>, merge, fleet) → {gather, render}; render → report → checks → engine
//! → names → leaves (facts, policy, validate, redact, url, proxy, partitions); gather → input → names →
//! leaves. Gather never imports the engine, the checks, the report, the renderers or a command;
//! the engine never imports the checks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layer of a module of the crate: by its top-level module, except the per-command modules
/// of the command line (`cli::doctor`, `cli::merge`, …, and what they share), which are
/// commands.
fn layer(module: &str) -> Option<&'static str> {
    if module.starts_with("cli::") {
        return Some("commands");
    }
    Some(match top(module) {
        "cli" | "main" => "cli",
        "audit" | "merge" | "fleet" => "commands",
        "gather" => "gather",
        "render" => "render",
        "report" => "report",
        "checks" => "checks",
        "engine" => "engine",
        "input" => "input",
        "names" => "names",
        "facts" | "policy" | "validate" | "redact" | "url" | "proxy" | "partitions" => "leaves",
        _ => return None,
    })
}

/// What each layer may import (besides itself).
fn allowed(from: &str) -> &'static [&'static str] {
    match from {
        "cli" => &[
            "commands", "gather", "render", "report", "checks", "engine", "input", "names",
            "leaves",
        ],
        "commands" => &[
            "gather", "render", "report", "checks", "engine", "input", "names", "leaves",
        ],
        "render" => &["report", "checks", "engine", "names", "leaves"],
        "report" => &["checks", "engine", "names", "leaves"],
        "checks" => &["engine", "names", "leaves"],
        "engine" => &["names", "leaves"],
        "gather" => &["input", "names", "leaves"],
        "input" => &["names", "leaves"],
        "names" => &["leaves"],
        _ => &[],
    }
}

/// Module path (`engine::kinds`) → file, for every file under src/.
fn modules(root: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(root, &mut files);
    files
        .into_iter()
        .map(|f| {
            let rel = f.strip_prefix(root).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|l| l == "mod") {
                parts.pop();
            }
            (parts.join("::"), f)
        })
        .collect()
}

/// The source without comments, string and char literals (so prose never counts as an edge).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if b[i] == b'r' && (b[i..].starts_with(b"r\"") || b[i..].starts_with(b"r#")) {
            // Raw string: r"…", r#"…"#, …
            let mut j = i + 1;
            let mut hashes = 0;
            while j < b.len() && b[j] == b'#' {
                hashes += 1;
                j += 1;
            }
            if j < b.len() && b[j] == b'"' && (i == 0 || !is_ident(b[i - 1])) {
                j += 1;
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                while j < b.len() && !b[j..].starts_with(&close) {
                    j += 1;
                }
                i = j + close.len();
                out.push_str("\"\"");
            } else {
                out.push('r');
                i += 1;
            }
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && i + 2 < b.len() && (b[i + 2] == b'\'' || b[i + 1] == b'\\') {
            // A char literal ('a', '\n', '\u{..}'); lifetimes have no closing quote.
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else {
            let ch = src[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// `code` without its `#[cfg(test)]` items (inline test modules, test-only functions): tests
/// may reach anything.
fn without_tests(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        // The item ends at `;` (a declaration) or at the brace that closes its first `{`.
        let b = after.as_bytes();
        let mut i = "#[cfg(test)]".len();
        let mut depth = 0usize;
        while i < b.len() {
            match b[i] {
                b';' if depth == 0 => {
                    i += 1;
                    break;
                }
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        i += 1;
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        rest = &after[i.min(after.len())..];
    }
    out.push_str(rest);
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Every path a use-tree or an expression spells from `start` (`a::b::{c, d::e}` → `a::b::c`,
/// `a::b::d::e`), as lists of segments.
fn paths_at(code: &[u8], mut i: usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    let skip_ws = |i: &mut usize| {
        while *i < code.len() && code[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    let mut segs = prefix;
    loop {
        skip_ws(&mut i);
        if i < code.len() && code[i] == b'{' {
            i += 1;
            loop {
                skip_ws(&mut i);
                if i >= code.len() {
                    return i;
                }
                if code[i] == b'}' {
                    return i + 1;
                }
                if code[i] == b',' {
                    i += 1;
                    continue;
                }
                i = paths_at(code, i, segs.clone(), out);
                // `as alias`
                skip_ws(&mut i);
                if code[i..].starts_with(b"as ") {
                    i += 3;
                    skip_ws(&mut i);
                    while i < code.len() && is_ident(code[i]) {
                        i += 1;
                    }
                }
            }
        }
        let s = i;
        while i < code.len() && is_ident(code[i]) {
            i += 1;
        }
        if i > s {
            segs.push(String::from_utf8_lossy(&code[s..i]).into_owned());
        }
        skip_ws(&mut i);
        if code[i..].starts_with(b"::") {
            i += 2;
            continue;
        }
        out.push(segs);
        return i;
    }
}

/// The files `module`'s file references, by module path.
fn references(module: &str, code: &str, modules: &BTreeMap<String, PathBuf>) -> BTreeSet<String> {
    let b = code.as_bytes();
    // Child modules declared here (`mod kinds;`): bare `kinds::…` paths reach them.
    let mut children = BTreeSet::new();
    for line in code.lines() {
        let l = line.trim_start();
        let l = l
            .strip_prefix("pub(crate) ")
            .or(l.strip_prefix("pub "))
            .unwrap_or(l);
        if let Some(rest) = l.strip_prefix("mod ") {
            if let Some(name) = rest.trim().strip_suffix(';') {
                children.insert(name.trim().to_string());
            }
        }
    }
    let here: Vec<&str> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").collect()
    };
    let mut paths = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let boundary = i == 0 || !(is_ident(b[i - 1]) || b[i - 1] == b':');
        if !boundary || !is_ident(b[i]) {
            i += 1;
            continue;
        }
        let s = i;
        while i < b.len() && is_ident(b[i]) {
            i += 1;
        }
        let word = &code[s..i];
        if !code[i..].starts_with("::") {
            continue;
        }
        let base: Option<Vec<String>> = match word {
            "crate" => Some(Vec::new()),
            "self" => Some(here.iter().map(|s| s.to_string()).collect()),
            "super" => {
                let mut up: Vec<String> = here.iter().map(|s| s.to_string()).collect();
                up.pop();
                let mut j = i + 2;
                while code[j..].starts_with("super::") {
                    up.pop();
                    j += 7;
                }
                i = j - 2;
                Some(up)
            }
            w if children.contains(w) => {
                let mut p: Vec<String> = here.iter().map(|s| s.to_string()).collect();
                p.push(w.to_string());
                i = s;
                // Re-read the child's name as the first segment.
                let mut out = Vec::new();
                i = paths_at(b, i, p[..p.len() - 1].to_vec(), &mut out);
                paths.extend(out);
                continue;
            }
            _ => None,
        };
        if let Some(base) = base {
            i = paths_at(b, i + 2, base, &mut paths);
        }
    }
    let mut out = BTreeSet::new();
    for p in paths {
        // The longest prefix that is a file's module.
        for n in (1..=p.len()).rev() {
            let m = p[..n].join("::");
            if modules.contains_key(&m) {
                if m != module {
                    out.insert(m);
                }
                break;
            }
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut mods = modules(&root);
    // lib.rs is the crate root: it only declares the modules.
    mods.remove("lib");
    mods.insert(String::new(), root.join("lib.rs"));
    // Files declared under `#[cfg(test)]` (`mod testing;`) are test support, not layers.
    let test_only: BTreeSet<String> = mods
        .iter()
        .flat_map(|(m, f)| {
            let code = code_only(&std::fs::read_to_string(f).unwrap());
            let mut out = Vec::new();
            let mut lines = code.lines().map(str::trim).peekable();
            while let Some(l) = lines.next() {
                if l == "#[cfg(test)]" {
                    if let Some(next) = lines.peek() {
                        let d = next
                            .trim_start_matches("pub(crate) ")
                            .trim_start_matches("pub ");
                        if let Some(name) = d.strip_prefix("mod ").and_then(|d| d.strip_suffix(';'))
                        {
                            out.push(if m.is_empty() {
                                name.to_string()
                            } else {
                                format!("{m}::{name}")
                            });
                        }
                    }
                }
            }
            out
        })
        .collect();
    mods.retain(|m, _| !test_only.contains(m));
    mods.iter()
        .filter(|(m, _)| !m.is_empty())
        .map(|(m, f)| {
            let code = without_tests(&code_only(&std::fs::read_to_string(f).unwrap()));
            (m.clone(), references(m, &code, &mods))
        })
        .collect()
}

fn top(m: &str) -> &str {
    m.split("::").next().unwrap()
}

/// Edges that go against the layer order.
fn violations(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut bad = Vec::new();
    for (from, tos) in g {
        let Some(lf) = layer(from) else {
            bad.push(format!("{from}: a top-level module in no layer"));
            continue;
        };
        for to in tos.iter().filter(|t| !t.is_empty()) {
            let Some(lt) = layer(to) else {
                bad.push(format!("{to}: a top-level module in no layer"));
                continue;
            };
            if lf != lt && !allowed(lf).contains(&lt) {
                bad.push(format!("{from} ({lf}) → {to} ({lt})"));
            }
        }
    }
    bad
}

/// Every cycle between files, as its strongly connected component (Tarjan).
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        t.on.insert(v);
        let g = t.g;
        for w in g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !g.contains_key(w) {
                continue;
            }
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut scc = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                scc.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if scc.len() > 1 {
                scc.sort();
                t.out.push(scc);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn no_edge_against_the_layer_order() {
    let bad = violations(&graph());
    assert!(
        bad.is_empty(),
        "edges against the layers:\n{}",
        bad.join("\n")
    );
}

#[test]
fn no_cycle_between_files() {
    let g = graph();
    let c = cycles(&g);
    // Each cycle with the edges inside it, so the fix is visible.
    let shown: Vec<String> = c
        .iter()
        .map(|scc| {
            let edges: Vec<String> = scc
                .iter()
                .flat_map(|a| {
                    g[a].iter()
                        .filter(|b| scc.contains(b))
                        .map(move |b| format!("  {a} → {b}"))
                })
                .collect();
            format!("{}\n{}", scc.join(" ↔ "), edges.join("\n"))
        })
        .collect();
    assert!(c.is_empty(), "cycles between files:\n{}", shown.join("\n"));
}

/// The test sees what it must: a reintroduced gather → command edge, an engine → checks edge and
/// a cycle through a child module are all caught (on a copy of the graph).
#[test]
fn the_checker_catches_back_edges_and_cycles() {
    let g = graph();
    assert!(g.contains_key("gather::audit") && g.contains_key("engine::liveness"));
    // The command line's own file is the cli layer; its per-command files are commands.
    assert!(g.contains_key("cli::doctor") && g.contains_key("cli::output"));
    assert_eq!(layer("cli"), Some("cli"));
    assert_eq!(layer("cli::doctor"), Some("commands"));
    let mut up = g.clone();
    up.get_mut("cli::doctor").unwrap().insert("cli".to_string());
    assert!(violations(&up)
        .iter()
        .any(|e| e.starts_with("cli::doctor (commands) → cli (cli)")));
    let mut bad = g.clone();
    bad.get_mut("gather::audit")
        .unwrap()
        .insert("audit".to_string());
    bad.get_mut("engine::liveness")
        .unwrap()
        .insert("checks".to_string());
    let v = violations(&bad);
    assert!(
        v.iter()
            .any(|e| e.starts_with("gather::audit (gather) → audit")),
        "{v:?}"
    );
    assert!(
        v.iter()
            .any(|e| e.starts_with("engine::liveness (engine) → checks")),
        "{v:?}"
    );
    bad.get_mut("engine")
        .unwrap()
        .insert("engine::liveness".into());
    bad.get_mut("engine::liveness")
        .unwrap()
        .insert("engine".into());
    assert!(cycles(&bad)
        .iter()
        .any(|c| c.contains(&"engine::liveness".to_string())));

    // And the parser reads the forms the source uses.
    let mods: BTreeMap<String, PathBuf> = ["facts", "engine", "engine::kinds", "gather", "audit"]
        .iter()
        .map(|m| (m.to_string(), PathBuf::new()))
        .collect();
    let code = code_only(
        "mod kinds;\nuse crate::{facts::Facts, audit::{self, X}};\n// crate::gather::x\nlet s = \"crate::gather\";\nkinds::PathKind::Nat; super::Y;",
    );
    let r = references("engine", &code, &mods);
    assert_eq!(
        r,
        ["audit", "engine::kinds", "facts"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}
