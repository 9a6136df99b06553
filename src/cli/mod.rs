//! The command line: parse, dispatch, print, exit. `main` stays small; `run` returns the exit
//! code or a one-line error (exit 2). Each command is a module ([`doctor`], [`route`],
//! [`replay`], [`audit`], [`merge`], [`fleet`], [`names`], [`checks`]); every output goes
//! through one format dispatch ([`output::print`], over [`crate::render::Render`]).

pub mod audit;
pub mod checks;
pub mod common;
pub mod doctor;
pub mod fleet;
pub mod help;
pub mod merge;
pub mod names;
pub mod output;
pub mod plan;
pub mod replay;
pub mod route;

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::input::InputError;
use crate::render::{Format, HumanOptions};
use output::{emit, ChecksFormat};

#[derive(Parser, Debug)]
#[command(
    name = "s3path",
    version,
    about = "How does traffic from here reach Amazon S3 (NAT gateway, gateway endpoint, interface endpoint, internet gateway, proxy…), and why?",
    after_help = "Exit codes: 0 judged and fine; 1 judged and failing (error findings, or warnings with --fail-on warning; --expect not met); 2 bad input; 3 could not judge (vantage failed, no credentials, subnet or VPC not found, path unknown, --expect undecided). Many parts (audit, merge, fleet): the worst wins, 1 over 3 over 0."
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
    /// The AWS profile for credentials, region and settings, exactly as AWS_PROFILE=NAME
    /// (doctor, route, audit, fleet, names). Region order: --region, AWS_REGION,
    /// AWS_DEFAULT_REGION, the profile's region, then the instance's or task's.
    #[arg(long, value_name = "NAME", global = true)]
    profile: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Gather facts from this host and judge the path to S3.
    #[command(after_help = help::DOCTOR)]
    Doctor(doctor::DoctorArgs),
    /// Judge a subnet (or an instance's subnet) from the EC2 control plane only, from anywhere
    /// with read-only credentials: no host, no probes.
    #[command(after_help = help::ROUTE)]
    Route(route::RouteArgs),
    /// Judge a saved facts file offline (from doctor --save-facts).
    #[command(after_help = help::REPLAY)]
    Replay(replay::ReplayArgs),
    /// Print the documentation page of a check (by ID such as S3P103, or by name), or the path
    /// kinds (kinds).
    #[command(after_help = help::EXPLAIN)]
    Explain {
        /// Check ID (S3P103, 103), name (s3-via-nat-gateway), or kinds (the path kinds).
        check: String,
    },
    /// List every check.
    #[command(after_help = help::CHECKS)]
    Checks {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ChecksFormat::Human)]
        format: ChecksFormat,
    },
    /// Merge many reports (doctor or route --format json, from SSM, Ansible, kubectl exec, a CI
    /// matrix) into one fleet view: per host its verdict and findings, counts by path and by
    /// finding, and first the disagreements — hosts of one subnet that take different paths.
    #[command(after_help = help::MERGE)]
    Merge {
        /// Report files, or directories whose *.json files are read.
        #[arg(required = true, value_name = "FILE|DIR")]
        inputs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Judge every subnet of a region (or of some VPCs) from the EC2 control plane: the same
    /// judgement as route --subnet-id, one constant set of Describe calls per region. With
    /// --expect, a drift gate: exit 1 when any subnet takes another path.
    #[command(after_help = help::AUDIT)]
    Audit(audit::AuditArgs),
    /// Run s3path doctor on many instances through SSM Run Command (AWS-RunShellScript) and
    /// merge their reports. The only command that writes: it calls ssm:SendCommand
    /// (docs/iam-policy-fleet.json); every other command is read-only.
    #[command(after_help = help::FLEET)]
    Fleet(fleet::FleetArgs),
    /// Show how the application names S3 for each input: what it names (bucket, access point,
    /// Multi-Region Access Point, directory bucket, …), the host names its SDK uses with this
    /// environment's and profile's settings, and which endpoints such names can use. Offline.
    #[command(after_help = help::NAMES)]
    Names {
        /// Bucket names, s3:// URIs, https:// S3 URLs, access point ARNs or aliases, Multi-Region
        /// Access Point ARNs or aliases, directory buckets, Object Lambda access points.
        #[arg(required = true, value_name = "BUCKET")]
        inputs: Vec<String>,
        /// The client's region (default: AWS_REGION, AWS_DEFAULT_REGION).
        #[arg(long)]
        region: Option<String>,
        /// Plan the names as this SDK family does (boto3, cli-v1, cli-v2, java-v1, java-v2,
        /// js-v2, js-v3, go-v1, go-v2, dotnet, rust); default: each family's name where they
        /// differ.
        #[arg(long, value_name = "FAMILY")]
        sdk: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ChecksFormat::Human)]
        format: ChecksFormat,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    #[command(after_help = help::COMPLETIONS)]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of s3path or of one command to stdout, or write every page
    /// to a directory.
    #[command(after_help = help::MAN)]
    Man {
        /// A command (doctor, route, audit, …): its own page, s3path-COMMAND(1).
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
        /// Write every page (s3path.1, s3path-doctor.1, …) to DIR instead.
        #[arg(long, value_name = "DIR", conflicts_with = "command")]
        out_dir: Option<PathBuf>,
    },
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
            // Any other usage error: one line too (what clap said, and where the help is).
            if let Some(line) = usage_error_line(&e) {
                eprintln!("s3path: {}", crate::render::escape::line(&line));
                return ExitCode::from(2);
            }
            // --help and --version print to stdout and exit 0; a bare `s3path` prints the help
            // on stderr and exits 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let styled = stdout_styled(cli.color);
    output::set_human_options(HumanOptions {
        styled,
        verbose: cli.verbose,
        width: output::terminal_width().unwrap_or(crate::render::PIPE_WIDTH),
    });
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("s3path: {}", crate::render::escape::line(&e.to_string()));
            ExitCode::from(2)
        }
    }
}

/// A usage error (unknown argument, missing value, conflict, …) as one line: clap's message
/// with its lines joined, and the command whose `--help` explains it. `None` for help, version
/// and a bare command (those print as clap prints them).
fn usage_error_line(e: &clap::Error) -> Option<String> {
    use clap::error::ErrorKind;
    if !e.use_stderr() || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        return None;
    }
    let text = e.render().to_string();
    let mut lines = text.lines();
    let message: Vec<&str> = lines
        .by_ref()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("Usage:"))
        .map(|l| l.trim())
        .collect();
    let message = message.join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    let command = text
        .lines()
        .find_map(|l| l.strip_prefix("Usage: "))
        .map(|u| {
            u.split_whitespace()
                .take_while(|w| !w.starts_with('[') && !w.starts_with('<') && !w.starts_with('-'))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "s3path".to_string());
    Some(format!("{message} (see `{command} --help`)"))
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

fn run(cli: Cli) -> Result<u8, InputError> {
    if let Some(p) = &cli.profile {
        crate::input::profile(p)?;
    }
    let profile = cli.profile.as_deref();
    match cli.command {
        Command::Doctor(args) => doctor::run(args, profile),
        Command::Route(args) => route::run(args, profile),
        Command::Replay(args) => replay::run(args),
        Command::Explain { check } if check.eq_ignore_ascii_case("kinds") => {
            emit(&help::kinds())?;
            Ok(0)
        }
        Command::Explain { check } => checks::explain(&check),
        Command::Checks { format } => checks::list(format),
        Command::Merge { inputs, format } => merge::run(&inputs, format),
        Command::Audit(args) => audit::run(args, profile),
        Command::Fleet(args) => fleet::run(args, profile),
        Command::Names {
            inputs,
            region,
            sdk,
            format,
        } => names::run(&inputs, region, sdk.as_deref(), format, profile),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "s3path", &mut out);
            emit(&String::from_utf8_lossy(&out))?;
            Ok(0)
        }
        Command::Man {
            out_dir: Some(dir), ..
        } => {
            for f in help::man_pages_to(Cli::command(), &dir)? {
                eprintln!("wrote {}", crate::render::escape::line(&f));
            }
            Ok(0)
        }
        Command::Man {
            command,
            out_dir: None,
        } => {
            emit(&help::man_page(Cli::command(), command.as_deref())?)?;
            Ok(0)
        }
    }
}
