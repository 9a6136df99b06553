//! The README's samples are real output: each block between `<!-- sample: ARGS -->` and
//! `<!-- /sample -->` must be exactly what `s3path ARGS` prints on a pipe (a replay of a
//! scenario, a listing), so a sample cannot go stale. When the output changes on purpose,
//! re-bless every sample with:
//!
//! ```text
//! S3PATH_BLESS=1 cargo test --test readme
//! ```

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_s3path");
const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
const OPEN: &str = "<!-- sample: ";
const CLOSE: &str = "<!-- /sample -->";

/// The block for `args`: the command line and its output in a fence.
fn block(args: &str) -> String {
    let out = common::s3path(BIN)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args.split_whitespace())
        .env_remove("CLICOLOR_FORCE")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let code = out.status.code();
    assert!(
        code != Some(2) && code.is_some(),
        "s3path {args}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b'), "s3path {args}: colour on a pipe");
    format!("```\n$ s3path {args}\n{text}```\n")
}

/// The README with every sample regenerated, and the samples whose text differed.
fn regenerate(readme: &str) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut stale = Vec::new();
    let mut rest = readme;
    // Markers start a line (the README also names them in its prose).
    let open_line = format!("\n{OPEN}");
    while let Some(at) = rest.find(&open_line).map(|i| i + 1) {
        let line_end = at
            + rest[at..]
                .find('\n')
                .expect("a sample marker ends its line");
        let marker = &rest[at..line_end];
        let args = marker
            .strip_prefix(OPEN)
            .and_then(|m| m.strip_suffix(" -->"))
            .unwrap_or_else(|| panic!("malformed sample marker: {marker}"))
            .trim();
        let body_start = line_end + 1;
        let close = body_start
            + rest[body_start..]
                .find(&format!("\n{CLOSE}"))
                .map(|i| i + 1)
                .unwrap_or_else(|| panic!("sample '{args}' has no {CLOSE}"));
        let want = block(args);
        if rest[body_start..close] != want {
            stale.push(args.to_string());
        }
        out.push_str(&rest[..body_start]);
        out.push_str(&want);
        rest = &rest[close..];
    }
    out.push_str(rest);
    (out, stale)
}

#[test]
fn readme_samples_are_real_output() {
    let readme = std::fs::read_to_string(README).unwrap();
    let (fresh, stale) = regenerate(&readme);
    assert!(
        readme.matches(&format!("\n{OPEN}")).count() >= 2,
        "the README lost its samples"
    );
    if stale.is_empty() {
        return;
    }
    if std::env::var("S3PATH_BLESS").as_deref() == Ok("1") {
        std::fs::write(README, fresh).unwrap();
        eprintln!("README.md: re-blessed {}", stale.join(", "));
        return;
    }
    panic!(
        "README.md samples differ from what s3path prints now: {}\n\
         If the change is intended, re-bless them: S3PATH_BLESS=1 cargo test --test readme",
        stale.join(", ")
    );
}
