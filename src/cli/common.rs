//! What several commands share: argument checks, the `--save-facts` target, the spinner, the
//! clock, and judging and printing a facts value.

use std::io::{self, Write};
use std::time::Duration;

use super::output::{human_options, print};
use crate::input::{self, InputError};
use crate::render::Format;
use crate::report::{self, JudgeOptions};

/// A phase line on stderr while facts are gathered: only on a terminal, only after 300 ms,
/// erased when done; never on a pipe (so never in captured JSON or logs).
pub struct Spinner {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Spinner {
    pub fn start(what: &'static str) -> Spinner {
        use std::io::IsTerminal;
        use std::sync::atomic::{AtomicBool, Ordering};
        let done = std::sync::Arc::new(AtomicBool::new(false));
        let enabled = io::stderr().is_terminal()
            && std::env::var("TERM").as_deref() != Ok("dumb")
            && human_options().styled;
        let thread = enabled.then(|| {
            let done = done.clone();
            std::thread::spawn(move || {
                let start = std::time::Instant::now();
                let frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
                let mut shown = false;
                let mut i = 0;
                while !done.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(100));
                    if start.elapsed() < Duration::from_millis(300) {
                        continue;
                    }
                    let mut err = io::stderr().lock();
                    let _ = write!(
                        err,
                        "\r{} {what}… {:.1} s",
                        frames[i % frames.len()],
                        start.elapsed().as_secs_f64()
                    );
                    let _ = err.flush();
                    shown = true;
                    i += 1;
                }
                if shown {
                    // Erase the line (carriage return, clear line).
                    let _ = write!(io::stderr().lock(), "\r\x1b[2K");
                }
            })
        });
        Spinner { done, thread }
    }

    pub fn stop(mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Judges, prints the report, then saves the facts (a failed save still leaves the report on
/// stdout, and exits 2).
pub fn finish(
    facts: &crate::facts::Facts,
    opts: &JudgeOptions,
    format: Format,
    save: Option<SaveTarget>,
) -> Result<u8, InputError> {
    let report = report::judge(facts, opts);
    let human = human_options();
    if human.verbose {
        // Where the time went, on stderr (also in the report and the facts).
        let mut err = io::stderr().lock();
        for t in &facts.timings {
            let _ = writeln!(
                err,
                "s3path: {:<14} {:>8.1} ms (from {:.1} ms)",
                t.phase, t.took_ms, t.started_ms
            );
        }
    }
    print(&report, format)?;
    if let Some(s) = save {
        s.write(facts)?;
    }
    Ok(report.exit_code)
}

pub fn timeout_arg(secs: f64) -> Result<Duration, InputError> {
    if secs.is_finite() && secs > 0.0 && secs <= 600.0 {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(InputError(format!(
            "--timeout '{secs}': give a number of seconds above 0 and at most 600"
        )))
    }
}

/// Where `--save-facts` writes: checked before anything is gathered (a wrong path costs no
/// gather), written through a new 0600 temporary file beside it and renamed over it, never
/// through a symbolic link.
pub struct SaveTarget {
    path: std::path::PathBuf,
    temp: std::path::PathBuf,
    file: Option<std::fs::File>,
}

impl SaveTarget {
    pub fn prepare(path: Option<&std::path::Path>) -> Result<Option<SaveTarget>, InputError> {
        use std::os::unix::fs::OpenOptionsExt;
        let Some(path) = path else { return Ok(None) };
        let shown = path.display();
        let bad = |why: String| InputError(format!("--save-facts '{shown}': {why}"));
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(bad(
                    "is a symbolic link; s3path does not write through links".to_string(),
                ))
            }
            Ok(m) if !m.is_file() => {
                return Err(bad("exists and is not a regular file".to_string()))
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(bad(format!("cannot use it: {e}"))),
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let name = path
            .file_name()
            .ok_or_else(|| bad("names no file".to_string()))?
            .to_string_lossy()
            .into_owned();
        let temp = dir.join(format!(".{name}.s3path-{}.tmp", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&temp)
            .map_err(|e| bad(format!("cannot write in {}: {e}", dir.display())))?;
        Ok(Some(SaveTarget {
            path: path.to_path_buf(),
            temp,
            file: Some(file),
        }))
    }

    pub fn write(mut self, facts: &impl serde::Serialize) -> Result<(), InputError> {
        use std::io::Write;
        let json = serde_json::to_string_pretty(facts).expect("facts serialize") + "\n";
        let mut file = self.file.take().expect("prepared");
        let result = file
            .write_all(json.as_bytes())
            .and_then(|_| file.sync_all())
            .and_then(|_| std::fs::rename(&self.temp, &self.path));
        result.map_err(|e| {
            InputError(format!(
                "--save-facts '{}': cannot write: {e}",
                self.path.display()
            ))
        })
    }
}

impl Drop for SaveTarget {
    fn drop(&mut self) {
        // Not renamed into place (an error, or never written): leave nothing behind.
        let _ = std::fs::remove_file(&self.temp);
    }
}

/// The region from `--region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the
/// `region =` of the profile (`--profile`, else `AWS_PROFILE`).
pub fn region_arg(region: Option<String>, profile: Option<&str>) -> Result<String, InputError> {
    let env = crate::gather::WithProfile {
        env: &crate::gather::ProcessEnv,
        profile,
    };
    let region = region
        .or_else(|| {
            ["AWS_REGION", "AWS_DEFAULT_REGION"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|r| !r.is_empty()))
        })
        .or_else(|| crate::gather::aws_config::profile_region(&env))
        .ok_or_else(|| {
            InputError(format!(
                "--region: no region given, neither AWS_REGION nor AWS_DEFAULT_REGION is set, and profile '{}' has no region",
                crate::gather::aws_config::active_profile(&env)
            ))
        })?;
    input::region(&region)?;
    Ok(region)
}

/// The current UTC time as RFC 3339 (informational field of the facts; never judged).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    crate::facts::rfc3339(secs)
}
