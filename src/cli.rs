//! The command line: parse, dispatch, print, exit. `main` stays small; `run` returns the exit
//! code or a one-line error (exit 2).

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

use crate::checks::{self, REGISTRY};
use crate::gather::{self, GatherOptions, ProcessEnv};
use crate::input::{self, InputError};
use crate::render::{self, Format};
use crate::report::{self, FailOn, JudgeOptions};

#[derive(Parser, Debug)]
#[command(
    name = "s3path",
    version,
    about = "How does traffic from here reach Amazon S3 (NAT gateway, gateway endpoint, interface endpoint, internet gateway, proxy…), and why?",
    after_help = "Exit codes: 0 ok; 1 error findings (or warnings with --fail-on warning) or expectation not met; 2 usage error or bad input; 3 verdict unknown while --expect was given."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Gather facts from this host and judge the path to S3.
    Doctor(DoctorArgs),
    /// Judge a subnet (or an instance's subnet) from the EC2 control plane only, from anywhere
    /// with read-only credentials: no host, no probes.
    Route(RouteArgs),
    /// Judge a saved facts file offline (from `doctor --save-facts`).
    Replay(ReplayArgs),
    /// Print the documentation page of a check (by ID such as S3P103, or by name).
    Explain {
        /// Check ID (S3P103, 103) or name (s3-via-nat-gateway).
        check: String,
    },
    /// List every check.
    Checks {
        /// Output format: human or json.
        #[arg(long, default_value = "human")]
        format: String,
    },
}

#[derive(Args, Debug)]
struct OutputArgs {
    /// Path kinds that are acceptable (comma-separated or repeated), e.g. gateway-endpoint.
    /// Exit 1 when the verdict is another kind, 3 when it cannot be determined.
    #[arg(long, value_name = "KIND[,KIND...]")]
    expect: Vec<String>,
    /// Output format: human, json or markdown.
    #[arg(long, default_value = "human")]
    format: String,
    /// Lowest finding severity that makes the exit code 1: error or warning.
    #[arg(long, value_name = "SEVERITY", default_value = "error")]
    fail_on: String,
}

#[derive(Args, Debug)]
struct DoctorArgs {
    /// A bucket to judge (repeatable); the first decides the primary target.
    #[arg(long = "bucket", value_name = "BUCKET")]
    buckets: Vec<String>,
    /// Region to judge against (default: AWS_REGION, AWS_DEFAULT_REGION, or the instance's).
    #[arg(long)]
    region: Option<String>,
    /// Judge against this subnet's route table (when this host cannot tell: off AWS, or the
    /// metadata service is unreachable). Needs read-only EC2 credentials.
    #[arg(long, value_name = "SUBNET_ID")]
    subnet_id: Option<String>,
    /// An object key to check with HeadObject in every --bucket (and to evaluate policies for).
    #[arg(long, value_name = "KEY")]
    key: Option<String>,
    /// A presigned S3 URL: check where its host resolves and whether it connects (nothing is
    /// requested; the signature is never stored or printed).
    #[arg(long, value_name = "URL")]
    presigned: Option<String>,
    /// Write the gathered facts to FILE (JSON; safe to attach to a ticket).
    #[arg(long, value_name = "FILE")]
    save_facts: Option<PathBuf>,
    /// Overall time budget for gathering, in seconds.
    #[arg(long, value_name = "SECS", default_value = "5")]
    timeout: f64,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args, Debug)]
struct RouteArgs {
    /// The subnet to judge.
    #[arg(
        long,
        value_name = "SUBNET_ID",
        required_unless_present = "instance_id"
    )]
    subnet_id: Option<String>,
    /// Judge this instance's subnet (with its public address and security groups).
    #[arg(long, value_name = "INSTANCE_ID", conflicts_with = "subnet_id")]
    instance_id: Option<String>,
    /// A bucket to judge (repeatable); the first decides the primary target.
    #[arg(long = "bucket", value_name = "BUCKET")]
    buckets: Vec<String>,
    /// Region of the subnet (default: AWS_REGION, AWS_DEFAULT_REGION).
    #[arg(long)]
    region: Option<String>,
    /// Write the gathered facts to FILE.
    #[arg(long, value_name = "FILE")]
    save_facts: Option<PathBuf>,
    /// Overall time budget for the API calls, in seconds.
    #[arg(long, value_name = "SECS", default_value = "10")]
    timeout: f64,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args, Debug)]
struct ReplayArgs {
    /// A facts file written by `s3path doctor --save-facts`.
    facts: PathBuf,
    #[command(flatten)]
    output: OutputArgs,
}

/// Entry point for the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // --help and --version print to stdout and exit 0; usage errors exit 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("s3path: {}", crate::render::escape::line(&e.to_string()));
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<u8, InputError> {
    match cli.command {
        Command::Doctor(args) => doctor(args),
        Command::Route(args) => route(args),
        Command::Replay(args) => {
            let (opts, format) = output_options(&args.output)?;
            let facts = input::load_facts(&args.facts)?;
            let report = report::judge(&facts, &opts);
            emit(&render::render(&report, format))?;
            Ok(report.exit_code)
        }
        Command::Explain { check } => {
            let c = checks::find(&check).ok_or_else(|| {
                InputError(format!(
                    "explain '{check}': no check has that ID or name (s3path checks lists them)"
                ))
            })?;
            emit(c.meta().doc)?;
            Ok(0)
        }
        Command::Checks { format } => {
            let out = match format.as_str() {
                "human" => checks_table(),
                "json" => checks_json(),
                other => {
                    return Err(InputError(format!(
                        "--format '{other}': checks prints human or json"
                    )))
                }
            };
            emit(&out)?;
            Ok(0)
        }
    }
}

fn doctor(args: DoctorArgs) -> Result<u8, InputError> {
    let (opts, format) = output_options(&args.output)?;
    for b in &args.buckets {
        input::bucket(b)?;
    }
    if let Some(r) = &args.region {
        input::region(r)?;
    }
    let timeout = timeout_arg(args.timeout)?;
    if let Some(s) = &args.subnet_id {
        input::resource_id(s, "subnet", "--subnet-id")?;
    }
    if let Some(k) = &args.key {
        input::object_key(k)?;
    }
    let presigned = match &args.presigned {
        Some(u) => Some(input::presigned(u)?),
        None => None,
    };
    let save = SaveTarget::prepare(args.save_facts.as_deref())?;
    let mut gather_opts = GatherOptions::new(args.region.clone(), args.buckets.clone(), timeout);
    gather_opts.subnet_id = args.subnet_id.clone();
    gather_opts.key = args.key.clone();
    gather_opts.presigned = presigned;
    let mut facts = gather::gather(&gather_opts, &ProcessEnv);
    facts.gathered_at = Some(now_rfc3339());
    finish(&facts, &opts, format, save)
}

fn route(args: RouteArgs) -> Result<u8, InputError> {
    let (opts, format) = output_options(&args.output)?;
    for b in &args.buckets {
        input::bucket(b)?;
    }
    if let Some(s) = &args.subnet_id {
        input::resource_id(s, "subnet", "--subnet-id")?;
    }
    if let Some(i) = &args.instance_id {
        input::resource_id(i, "i", "--instance-id")?;
    }
    let region =
        match args.region.clone().or_else(|| {
            ["AWS_REGION", "AWS_DEFAULT_REGION"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|r| !r.is_empty()))
        }) {
            Some(r) => r,
            None => return Err(InputError(
                "--region: no region given and neither AWS_REGION nor AWS_DEFAULT_REGION is set"
                    .to_string(),
            )),
        };
    input::region(&region)?;
    let timeout = timeout_arg(args.timeout)?;
    let save = SaveTarget::prepare(args.save_facts.as_deref())?;
    let mut facts = gather::route::gather_route(
        &gather::route::RouteOptions {
            region,
            subnet_id: args.subnet_id.clone(),
            instance_id: args.instance_id.clone(),
            buckets: args.buckets.clone(),
            timeout,
        },
        None,
    );
    facts.gathered_at = Some(now_rfc3339());
    finish(&facts, &opts, format, save)
}

/// Judges, prints the report, then saves the facts (a failed save still leaves the report on
/// stdout, and exits 2).
fn finish(
    facts: &crate::facts::Facts,
    opts: &JudgeOptions,
    format: Format,
    save: Option<SaveTarget>,
) -> Result<u8, InputError> {
    let report = report::judge(facts, opts);
    emit(&render::render(&report, format))?;
    if let Some(s) = save {
        s.write(facts)?;
    }
    Ok(report.exit_code)
}

fn timeout_arg(secs: f64) -> Result<Duration, InputError> {
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
struct SaveTarget {
    path: std::path::PathBuf,
    temp: std::path::PathBuf,
    file: Option<std::fs::File>,
}

impl SaveTarget {
    fn prepare(path: Option<&std::path::Path>) -> Result<Option<SaveTarget>, InputError> {
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

    fn write(mut self, facts: &crate::facts::Facts) -> Result<(), InputError> {
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

fn output_options(o: &OutputArgs) -> Result<(JudgeOptions, Format), InputError> {
    let format = Format::parse(&o.format).ok_or_else(|| {
        InputError(format!(
            "--format '{}': choose human, json or markdown",
            o.format
        ))
    })?;
    let fail_on = match o.fail_on.as_str() {
        "error" => FailOn::Error,
        "warning" => FailOn::Warning,
        other => {
            return Err(InputError(format!(
                "--fail-on '{other}': choose error or warning"
            )))
        }
    };
    Ok((
        JudgeOptions {
            expect: input::expectations(&o.expect)?,
            fail_on,
        },
        format,
    ))
}

/// Writes to stdout; a closed pipe (`s3path … | head`) is not an error.
fn emit(text: &str) -> Result<(), InputError> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(InputError(format!("cannot write to standard output: {e}"))),
    }
}

fn checks_table() -> String {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(vec!["id", "name", "category", "severity", "summary"]);
    for c in REGISTRY {
        let m = c.meta();
        table.add_row(vec![
            m.id,
            m.name,
            m.category.as_str(),
            m.severity.as_str(),
            m.summary,
        ]);
    }
    format!("{table}\n")
}

fn checks_json() -> String {
    let list: Vec<serde_json::Value> = REGISTRY
        .iter()
        .map(|c| {
            let m = c.meta();
            serde_json::json!({
                "id": m.id,
                "name": m.name,
                "category": m.category,
                "severity": m.severity,
                "summary": m.summary,
            })
        })
        .collect();
    serde_json::to_string_pretty(&list).expect("checks serialize") + "\n"
}

/// The current UTC time as RFC 3339 (informational field of the facts; never judged).
fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}
