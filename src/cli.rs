//! The command line: parse, dispatch, print, exit. `main` stays small; `run` returns the exit
//! code or a one-line error (exit 2).

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

use crate::checks::{self, REGISTRY};
use crate::engine::PathKind;
use crate::gather::{self, GatherOptions, ProcessEnv};
use crate::input::{self, InputError};
use crate::render::{self, Format, HumanOptions};
use crate::report::{self, FailOn, JudgeOptions, PreviewMode};

#[derive(Parser, Debug)]
#[command(
    name = "s3path",
    version,
    about = "How does traffic from here reach Amazon S3 (NAT gateway, gateway endpoint, interface endpoint, internet gateway, proxy…), and why?",
    after_help = "Exit codes: 0 ok; 1 error findings (or warnings with --fail-on warning) or expectation not met; 2 usage error or bad input; 3 verdict unknown while --expect was given."
)]
struct Cli {
    /// Colour and symbols: auto (a terminal, unless NO_COLOR or CLICOLOR=0; CLICOLOR_FORCE
    /// forces them), always or never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, global = true)]
    color: ColorArg,
    /// More detail: every address, each finding's evidence, the skipped checks, the facts not
    /// gathered, and where the time went (phase timings, also on stderr).
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ChecksFormat {
    Human,
    Json,
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
        /// Output format.
        #[arg(long, value_enum, default_value_t = ChecksFormat::Human)]
        format: ChecksFormat,
    },
    /// Merge many reports (doctor or route --format json, from SSM, Ansible, kubectl exec, a CI
    /// matrix) into one fleet view: per host its verdict and findings, counts by path and by
    /// finding, and first the disagreements — hosts of one subnet that take different paths.
    Merge {
        /// Report files, or directories whose *.json files are read.
        #[arg(required = true, value_name = "FILE|DIR")]
        inputs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Judge every subnet of a region (or of some VPCs) from the EC2 control plane: the same
    /// judgement as `route --subnet-id`, one constant set of Describe calls per region. With
    /// --expect, a drift gate: exit 1 when any subnet takes another path.
    Audit(AuditArgs),
    /// Run `s3path doctor` on many instances through SSM Run Command (AWS-RunShellScript) and
    /// merge their reports. The only command that writes: it calls ssm:SendCommand
    /// (docs/iam-policy-fleet.json); every other command is read-only.
    Fleet(FleetArgs),
    /// Show how the application names S3 for each input: what it names (bucket, access point,
    /// Multi-Region Access Point, directory bucket, …), the host names its SDK uses with this
    /// environment's and profile's settings, and which endpoints such names can use. Offline.
    Names {
        /// Bucket names, s3:// URIs, https:// S3 URLs, access point ARNs or aliases, Multi-Region
        /// Access Point ARNs or aliases, directory buckets, Object Lambda access points.
        #[arg(required = true, value_name = "BUCKET")]
        inputs: Vec<String>,
        /// The client's region (default: AWS_REGION, AWS_DEFAULT_REGION).
        #[arg(long)]
        region: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ChecksFormat::Human)]
        format: ChecksFormat,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to stdout: `s3path man > s3path.1`.
    Man,
}

#[derive(Args, Debug)]
struct OutputArgs {
    /// Path kinds that are acceptable (comma-separated or repeated), e.g. gateway-endpoint.
    /// Exit 1 when a confirmed or inferred verdict is another kind, 3 when the verdict cannot
    /// decide it (unknown, or only probable).
    #[arg(long, value_enum, value_name = "KIND[,KIND...]", value_delimiter = ',')]
    expect: Vec<PathKind>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Lowest finding severity that makes the exit code 1.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Also run preview checks (new; their wording or conditions may change): `--preview`
    /// shows their findings without changing the exit code, `--preview=gate` lets them count.
    #[arg(
        long,
        value_enum,
        value_name = "MODE",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "show",
        default_value_t = PreviewMode::Off
    )]
    preview: PreviewMode,
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
struct AuditArgs {
    /// A region to audit (repeatable; default: AWS_REGION, AWS_DEFAULT_REGION).
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
    /// Every region enabled for the account (DescribeRegions), besides --region.
    #[arg(long)]
    all_regions: bool,
    /// Only these VPCs (repeatable).
    #[arg(long = "vpc-id", value_name = "VPC_ID")]
    vpc_ids: Vec<String>,
    /// A bucket whose names each subnet is judged for (repeatable; the first is the primary).
    #[arg(long = "bucket", value_name = "BUCKET")]
    buckets: Vec<String>,
    /// Write the inventory to FILE (JSON), to judge it again offline with --facts.
    #[arg(long, value_name = "FILE", conflicts_with = "facts")]
    save_facts: Option<PathBuf>,
    /// Judge a saved inventory (from --save-facts) instead of calling the API.
    #[arg(long, value_name = "FILE")]
    facts: Option<PathBuf>,
    /// NAT cost exposure: what the NAT gateways on S3 paths processed over the last 14 days
    /// (CloudWatch GetMetricData, one batched call per region) × the region's NAT data
    /// processing price, as an upper bound. Needs cloudwatch:GetMetricData.
    #[arg(long)]
    cost: bool,
    /// The NAT data processing price in USD per GB (default: s3path's table, by region).
    #[arg(long, value_name = "USD")]
    nat_price_per_gb: Option<f64>,
    /// Overall time budget for the API calls, in seconds.
    #[arg(long, value_name = "SECS", default_value = "60")]
    timeout: f64,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args, Debug)]
struct FleetArgs {
    /// SSM targets: tag:KEY=VALUE[,VALUE...] (repeatable).
    #[arg(
        long = "targets",
        value_name = "tag:KEY=VALUE",
        required_unless_present = "instance_ids"
    )]
    targets: Vec<String>,
    /// Instance ids (repeatable or comma-separated); unmanaged ones are listed, not dropped.
    #[arg(
        long = "instance-ids",
        value_name = "ID",
        value_delimiter = ',',
        conflicts_with = "targets"
    )]
    instance_ids: Vec<String>,
    /// A bucket for doctor to judge (repeatable).
    #[arg(long = "bucket", value_name = "BUCKET")]
    buckets: Vec<String>,
    /// Path kinds every instance should take (passed to doctor; a report that does not meet it
    /// makes the exit code 1).
    #[arg(long, value_enum, value_name = "KIND[,KIND...]", value_delimiter = ',')]
    expect: Vec<PathKind>,
    /// The region of the instances (default: AWS_REGION, AWS_DEFAULT_REGION).
    #[arg(long)]
    region: Option<String>,
    /// How many instances run doctor at once (SSM MaxConcurrency).
    #[arg(long, value_name = "N", default_value = "50")]
    max_concurrency: u32,
    /// Also write the outputs to this bucket (SSM OutputS3BucketName); an output cut at SSM's
    /// 24,000 characters is then read back from it (s3:GetObject).
    #[arg(long, value_name = "BUCKET")]
    output_s3_bucket: Option<String>,
    /// The s3path binary on the instances.
    #[arg(long = "s3path", value_name = "PATH", default_value = "s3path")]
    s3path_path: String,
    /// doctor's own --timeout on each instance, in seconds.
    #[arg(long, value_name = "SECS", default_value = "10")]
    doctor_timeout: u32,
    /// Overall time budget for the fleet run (sending, waiting, reading), in seconds.
    #[arg(long, value_name = "SECS", default_value = "300")]
    timeout: f64,
    /// Write what SSM answered to FILE (JSON).
    #[arg(long, value_name = "FILE")]
    save_facts: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
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
            // A value that is not one of the choices: one line naming it and the choices.
            if let Some(line) = invalid_value_line(&e) {
                eprintln!("s3path: {}", crate::render::escape::line(&line));
                return ExitCode::from(2);
            }
            // --help and --version print to stdout and exit 0; usage errors exit 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let styled = stdout_styled(cli.color);
    STYLE.with(|s| {
        s.set(HumanOptions {
            styled,
            verbose: cli.verbose,
        })
    });
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("s3path: {}", crate::render::escape::line(&e.to_string()));
            ExitCode::from(2)
        }
    }
}

thread_local! {
    static STYLE: std::cell::Cell<HumanOptions> = const { std::cell::Cell::new(HumanOptions { styled: false, verbose: false }) };
}

fn human_options() -> HumanOptions {
    STYLE.with(|s| s.get())
}

/// `--flag 'value': choose a, b or c` for a value clap did not accept.
fn invalid_value_line(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::InvalidValue {
        return None;
    }
    let arg = match e.get(ContextKind::InvalidArg)? {
        ContextValue::String(s) => s.split_whitespace().next().unwrap_or("").to_string(),
        _ => return None,
    };
    let value = match e.get(ContextKind::InvalidValue)? {
        ContextValue::String(s) => s.clone(),
        _ => return None,
    };
    let valid = match e.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(v)) => v.clone(),
        _ => Vec::new(),
    };
    let choices = match valid.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => "a valid value".to_string(),
    };
    Some(format!("{arg} '{value}': choose {choices}"))
}

/// Whether stdout gets colour and symbols: `--color always|never`, else CLICOLOR_FORCE
/// (forces), NO_COLOR or CLICOLOR=0 (forbid), then a terminal that is not `TERM=dumb`.
fn stdout_styled(color: ColorArg) -> bool {
    use std::io::IsTerminal;
    let set = |v: &str| std::env::var(v).ok().filter(|x| !x.is_empty());
    match color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                return true;
            }
            if set("NO_COLOR").is_some() || set("CLICOLOR").as_deref() == Some("0") {
                return false;
            }
            io::stdout().is_terminal() && set("TERM").as_deref() != Some("dumb")
        }
    }
}

/// A phase line on stderr while facts are gathered: only on a terminal, only after 300 ms,
/// erased when done; never on a pipe (so never in captured JSON or logs).
struct Spinner {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Spinner {
    fn start(what: &'static str) -> Spinner {
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

    fn stop(mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
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
            emit(&render::render_with(&report, format, &human_options()))?;
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
        Command::Merge { inputs, format } => merge(&inputs, format),
        Command::Audit(args) => audit(args),
        Command::Fleet(args) => fleet(args),
        Command::Names {
            inputs,
            region,
            format,
        } => names(&inputs, region, format),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "s3path", &mut out);
            emit(&String::from_utf8_lossy(&out))?;
            Ok(0)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|e| InputError(format!("cannot render the manual page: {e}")))?;
            emit(&String::from_utf8_lossy(&out))?;
            Ok(0)
        }
        Command::Checks { format } => {
            let out = match format {
                ChecksFormat::Human => checks_table(),
                ChecksFormat::Json => checks_json(),
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
    let spinner = Spinner::start("gathering facts");
    let mut facts = gather::gather(&gather_opts, &ProcessEnv);
    spinner.stop();
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
    let region = region_arg(args.region.clone())?;
    let timeout = timeout_arg(args.timeout)?;
    let save = SaveTarget::prepare(args.save_facts.as_deref())?;
    let spinner = Spinner::start("reading the control plane");
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
    spinner.stop();
    // The answers an instance in the subnet would get, derived from what the control plane
    // said (only when the subnet's VPC was read).
    if facts.vantage.get().is_some_and(|v| v.vpc_id.is_some()) {
        facts.dns = crate::facts::Observed::collected(crate::engine::derived::answers_from(&facts));
    }
    facts.gathered_at = Some(now_rfc3339());
    finish(&facts, &opts, format, save)
}

fn fleet(args: FleetArgs) -> Result<u8, InputError> {
    use gather::fleet::shell_quote;
    let mut targets = Vec::new();
    for t in &args.targets {
        let bad = || {
            InputError(format!(
                "--targets '{}': expected tag:KEY=VALUE[,VALUE...]",
                crate::render::escape::line(&t.chars().take(80).collect::<String>())
            ))
        };
        let rest = t.strip_prefix("tag:").ok_or_else(bad)?;
        let (k, v) = rest.split_once('=').ok_or_else(bad)?;
        let values: Vec<String> = v
            .split(',')
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect();
        if k.is_empty() || values.is_empty() || t.len() > 1024 {
            return Err(bad());
        }
        targets.push((format!("tag:{k}"), values));
    }
    for i in &args.instance_ids {
        input::resource_id(i, "i", "--instance-ids")?;
    }
    for b in &args.buckets {
        input::bucket(b)?;
    }
    if args.max_concurrency == 0 || args.max_concurrency > 10_000 {
        return Err(InputError("--max-concurrency: 1 to 10000".to_string()));
    }
    if let Some(b) = &args.output_s3_bucket {
        crate::validate::bucket_name(b)
            .map_err(|why| InputError(format!("--output-s3-bucket '{b}': a bucket name {why}")))?;
    }
    if args.s3path_path.is_empty() || args.s3path_path.chars().any(|c| c.is_control()) {
        return Err(InputError("--s3path: a path to the binary".to_string()));
    }
    let region = region_arg(args.region.clone())?;
    let timeout = timeout_arg(args.timeout)?;
    let mut command = format!(
        "{} doctor --format compact --timeout {}",
        shell_quote(&args.s3path_path),
        args.doctor_timeout.clamp(1, 300)
    );
    for b in &args.buckets {
        command.push_str(&format!(" --bucket {}", shell_quote(b)));
    }
    if !args.expect.is_empty() {
        let kinds: Vec<&str> = args.expect.iter().map(|k| k.as_str()).collect();
        command.push_str(&format!(" --expect {}", kinds.join(",")));
    }
    let save = SaveTarget::prepare(args.save_facts.as_deref())?;
    let spinner = Spinner::start("waiting for SSM Run Command");
    let facts = gather::fleet::gather_fleet(&gather::fleet::FleetOptions {
        region,
        targets,
        instance_ids: args.instance_ids.clone(),
        command,
        max_concurrency: args.max_concurrency,
        output_s3_bucket: args.output_s3_bucket.clone(),
        timeout,
    });
    spinner.stop();
    if let Some(save) = save {
        save.write(&facts)?;
    }
    let report = crate::fleet::judge(&facts);
    let out = match args.format {
        Format::Json => {
            serde_json::to_string_pretty(&report).expect("the report serializes") + "\n"
        }
        Format::Compact => serde_json::to_string(&report).expect("the report serializes") + "\n",
        Format::Markdown => crate::fleet::render_markdown(&report),
        Format::Human => crate::fleet::render_human(&report),
    };
    emit(&out)?;
    Ok(report.exit_code)
}

fn audit(args: AuditArgs) -> Result<u8, InputError> {
    let (opts, format) = output_options(&args.output)?;
    for b in &args.buckets {
        input::bucket(b)?;
    }
    for v in &args.vpc_ids {
        input::resource_id(v, "vpc", "--vpc-id")?;
    }
    let facts = match &args.facts {
        Some(path) => input::load_audit_facts(path)?,
        None => {
            let mut regions = Vec::new();
            for r in &args.regions {
                input::region(r)?;
                if !regions.contains(r) {
                    regions.push(r.clone());
                }
            }
            if regions.is_empty() && !args.all_regions {
                regions.push(region_arg(None)?);
            }
            let home = if args.all_regions {
                Some(
                    regions
                        .first()
                        .cloned()
                        .map_or_else(|| region_arg(None), Ok)?,
                )
            } else {
                None
            };
            let timeout = timeout_arg(args.timeout)?;
            let save = SaveTarget::prepare(args.save_facts.as_deref())?;
            let spinner = Spinner::start("reading the control plane");
            let gathered = gather::audit::gather_audit(
                &gather::audit::AuditOptions {
                    regions,
                    vpc_ids: args.vpc_ids.clone(),
                    buckets: args.buckets.clone(),
                    timeout,
                    cost: args.cost,
                },
                None,
                home.as_deref(),
            );
            spinner.stop();
            let mut facts = gathered.map_err(InputError)?;
            facts.gathered_at = Some(now_rfc3339());
            if let Some(save) = save {
                save.write(&facts)?;
            }
            facts
        }
    };
    if let Some(p) = args.nat_price_per_gb {
        if !(p.is_finite() && (0.0..=10.0).contains(&p)) {
            return Err(InputError(format!(
                "--nat-price-per-gb: {p} is not a price in USD per GB between 0 and 10"
            )));
        }
    }
    let report = crate::report::audit::judge_with(&facts, &opts, args.nat_price_per_gb);
    let out = match format {
        Format::Json => {
            serde_json::to_string_pretty(&report).expect("the report serializes") + "\n"
        }
        Format::Compact => serde_json::to_string(&report).expect("the report serializes") + "\n",
        Format::Markdown => render::audit::markdown(&report),
        Format::Human => render::audit::human(&report, &human_options()),
    };
    emit(&out)?;
    Ok(report.exit_code)
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
    emit(&render::render_with(&report, format, &human))?;
    if let Some(s) = save {
        s.write(facts)?;
    }
    Ok(report.exit_code)
}

/// The largest report `merge` reads (a doctor report is tens of KB).
const MAX_REPORT_BYTES: u64 = 16 * 1024 * 1024;

fn merge(inputs: &[PathBuf], format: Format) -> Result<u8, InputError> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut rejected: Vec<String> = Vec::new();
    for input in inputs {
        if input.is_dir() {
            match std::fs::read_dir(input) {
                Ok(entries) => {
                    let mut found: Vec<PathBuf> = entries
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
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
    let merged = crate::merge::merge(hosts, rejected);
    let out = match format {
        Format::Human => crate::merge::render_human(&merged),
        Format::Markdown => crate::merge::render_markdown(&merged),
        Format::Json => serde_json::to_string_pretty(&merged).expect("merge serializes") + "\n",
        Format::Compact => serde_json::to_string(&merged).expect("merge serializes") + "\n",
    };
    emit(&out)?;
    Ok(0)
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

    fn write(mut self, facts: &impl serde::Serialize) -> Result<(), InputError> {
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
    let mut expect = Vec::new();
    for k in &o.expect {
        if !expect.contains(k) {
            expect.push(*k);
        }
    }
    Ok((
        JudgeOptions {
            expect,
            fail_on: o.fail_on,
            preview: o.preview,
        },
        o.format,
    ))
}

/// Writes to stdout; a closed pipe (`s3path … | head`) is not an error.
/// The region from `--region`, else the environment.
fn region_arg(region: Option<String>) -> Result<String, InputError> {
    let region = region
        .or_else(|| {
            ["AWS_REGION", "AWS_DEFAULT_REGION"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|r| !r.is_empty()))
        })
        .ok_or_else(|| {
            InputError(
                "--region: no region given and neither AWS_REGION nor AWS_DEFAULT_REGION is set"
                    .to_string(),
            )
        })?;
    input::region(&region)?;
    Ok(region)
}

fn names(
    inputs: &[String],
    region: Option<String>,
    format: ChecksFormat,
) -> Result<u8, InputError> {
    let parsed = inputs
        .iter()
        .map(|b| input::bucket(b))
        .collect::<Result<Vec<_>, _>>()?;
    let region = region_arg(region)?;
    let settings = crate::names::S3Settings::of(Some(&gather::client_settings(&ProcessEnv)));
    let plans: Vec<crate::names::NamePlan> = parsed
        .iter()
        .map(|r| crate::names::plan(r, &settings, &region, None))
        .collect();
    let out = match format {
        ChecksFormat::Json => {
            let rows: Vec<serde_json::Value> = plans
                .iter()
                .map(|p| {
                    let mut v = serde_json::to_value(p).unwrap_or_default();
                    let compat: Vec<&crate::names::Compat> = p
                        .names
                        .iter()
                        .map(|n| crate::names::compat(n.host_kind))
                        .collect();
                    v["compat"] = serde_json::to_value(compat).unwrap_or_default();
                    v
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&serde_json::json!({
                "region": region,
                "names": rows,
            }))
            .unwrap_or_default();
            text.push('\n');
            text
        }
        ChecksFormat::Human => names_human(&plans),
    };
    emit(&out)?;
    Ok(0)
}

fn names_human(plans: &[crate::names::NamePlan]) -> String {
    use crate::render::escape::line;
    let support = |s: crate::names::Support, svc: Option<&str>| match (s, svc) {
        (crate::names::Support::Yes, Some(svc)) => format!("yes ({svc})"),
        (crate::names::Support::Yes, None) => "yes".to_string(),
        (crate::names::Support::No, _) => "no".to_string(),
        (crate::names::Support::ByAddress, _) => "by its address".to_string(),
    };
    let mut out = String::new();
    for p in plans {
        out.push_str(&format!(
            "{}: {} {}\n",
            line(&p.name.input),
            p.name.kind.label(),
            line(&p.name.name)
        ));
        for n in &p.names {
            let c = crate::names::compat(n.host_kind);
            out.push_str(&format!(
                "  -> {}{}\n     gateway endpoint: {}; interface endpoint: {}; NAT/internet gateway: {}\n     {}\n",
                line(&n.host),
                if n.path_style { " (bucket in the path)" } else { "" },
                support(c.gateway, c.gateway_service),
                support(c.interface, c.interface_service),
                support(c.internet, None),
                c.why
            ));
        }
        if let Some(why) = &p.refused {
            out.push_str(&format!("  refused: {}\n", line(why)));
        }
        for b in &p.because {
            out.push_str(&format!("  because {}\n", line(b)));
        }
    }
    out
}

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
        .set_header(vec![
            "id", "name", "category", "severity", "status", "summary",
        ]);
    for c in REGISTRY {
        let m = c.meta();
        table.add_row(vec![
            m.id,
            m.name,
            m.category.as_str(),
            m.severity.as_str(),
            m.status.as_str(),
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
                "status": m.status,
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
    crate::facts::rfc3339(secs)
}
