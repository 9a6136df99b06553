//! What several commands share: argument checks, the `--save-facts` target, the spinner, the
//! clock, and judging and printing a facts value.

use std::io::{self, Write};
use std::time::Duration;

use super::output::{human_options, print};
use crate::input::{self, InputError};
use crate::render::Format;
use crate::report::{self, JudgeOptions};

/// Progress on stderr while facts are gathered (indicatif): a spinner with the phase and the
/// time, and for `audit` (regions) and `fleet` (instances answered) a bar of steps done out of
/// the total once it is known. Only when stderr is a terminal (not `TERM=dumb`); erased when
/// done; never on a pipe (so never in captured JSON or logs).
pub struct Spinner {
    bar: Option<indicatif::ProgressBar>,
    /// What a step is (`regions`, `instances answered`), for the bar.
    unit: &'static str,
    counting: std::sync::atomic::AtomicBool,
}

fn style(template: &str) -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template(template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
        .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ ")
        .progress_chars("█▌ ")
}

impl Spinner {
    pub fn start(what: &'static str) -> Spinner {
        Spinner::counting(what, "")
    }

    /// A spinner that becomes a bar of `unit` done / total when gathering knows the total.
    pub fn counting(what: &'static str, unit: &'static str) -> Spinner {
        use std::io::IsTerminal;
        // Stderr decides (`audit --format json > out.json` on a terminal shows progress).
        let enabled = io::stderr().is_terminal() && std::env::var("TERM").as_deref() != Ok("dumb");
        let bar = enabled.then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::stderr(),
            );
            bar.set_style(style("{spinner} {elapsed} {wide_msg}"));
            bar.set_message(format!("{what}…"));
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        Spinner {
            bar,
            unit,
            counting: std::sync::atomic::AtomicBool::new(false),
        }
    }

    pub fn stop(self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl crate::gather::progress::Progress for Spinner {
    fn set_total(&self, total: u64) {
        let Some(b) = &self.bar else { return };
        if !self
            .counting
            .swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            b.set_style(style(&format!(
                "{{spinner}} {} {{pos}}/{{len}} [{{bar:20}}] {{elapsed}} {{wide_msg}}",
                self.unit
            )));
        }
        b.set_length(total);
    }
    fn set_done(&self, done: u64) {
        if let Some(b) = &self.bar {
            b.set_position(done);
        }
    }
    fn step(&self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }
    fn phase(&self, what: &str) {
        if let Some(b) = &self.bar {
            b.set_message(crate::render::escape::line(what).into_owned());
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
