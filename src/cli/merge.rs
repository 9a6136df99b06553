//! `s3path merge`: many report files, one fleet view.

use std::io::{self, Write};
use std::path::PathBuf;

use super::output::print;
use crate::input::{self, InputError};
use crate::render::Format;

/// The largest report `merge` reads (a doctor report is tens of KB).
pub const MAX_REPORT_BYTES: u64 = 16 * 1024 * 1024;

pub fn run(inputs: &[PathBuf], format: Format) -> Result<u8, InputError> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut rejected: Vec<String> = Vec::new();
    for input in inputs {
        if input.is_dir() {
            match std::fs::read_dir(input) {
                Ok(entries) => {
                    // Every `*.json` entry, whatever it is: what is not a regular file (a FIFO,
                    // a device, a link to /proc/kmsg) is refused with its reason when opened,
                    // without blocking (input::read_regular_file), not skipped in silence.
                    let mut found: Vec<PathBuf> = entries
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|x| x == "json"))
                        .collect();
                    found.sort();
                    files.extend(found);
                }
                Err(e) => rejected.push(format!(
                    "{}: cannot read the directory: {e}",
                    input.display()
                )),
            }
        } else {
            files.push(input.clone());
        }
    }
    // A file named twice (`merge dir dir`, `merge a.json ./a.json`) is one report.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    let mut hosts = Vec::new();
    for f in &files {
        let name = f.display().to_string();
        let read = input::read_regular_file(f, MAX_REPORT_BYTES)
            .and_then(|text| crate::merge::read_host(&text, &name).map_err(|e| e.to_string()));
        match read {
            Ok(h) => hosts.push(h),
            Err(e) => rejected.push(format!("{name}: {e}")),
        }
    }
    {
        let mut err = io::stderr().lock();
        for r in &rejected {
            let _ = writeln!(err, "s3path: merge: {}", crate::render::escape::line(r));
        }
    }
    if hosts.is_empty() {
        return Err(InputError(format!(
            "merge: no report could be read from {} input(s)",
            inputs.len()
        )));
    }
    // The worst host wins (report::aggregate_exit_codes); a file that could not be read is a
    // host that could not be judged.
    let code = crate::report::aggregate_exit_codes(
        hosts
            .iter()
            .map(|h| h.exit_code)
            .chain(rejected.iter().map(|_| crate::report::exit::UNDECIDED)),
    );
    let merged = crate::merge::merge(hosts, rejected);
    print(&merged, format)?;
    Ok(code)
}
