//! `s3path fleet`: doctor on many instances through SSM Run Command, merged.

use std::path::PathBuf;

use clap::Args;

use super::common::{region_arg, timeout_arg, SaveTarget, Spinner};
use super::output::print;
use crate::engine::PathKind;
use crate::gather;
use crate::input::{self, InputError};
use crate::render::Format;

#[derive(Args, Debug)]
pub struct FleetArgs {
    /// SSM targets: tag:KEY=VALUE[,VALUE...] (repeatable).
    #[arg(
        long = "targets",
        value_name = "tag:KEY=VALUE",
        required_unless_present = "instance_ids"
    )]
    pub targets: Vec<String>,
    /// Instance ids (repeatable or comma-separated); unmanaged ones are listed, not dropped.
    #[arg(
        long = "instance-ids",
        value_name = "ID",
        value_delimiter = ',',
        conflicts_with = "targets"
    )]
    pub instance_ids: Vec<String>,
    /// A bucket for doctor to judge (repeatable).
    #[arg(long = "bucket", value_name = "BUCKET")]
    pub buckets: Vec<String>,
    /// Path kinds every instance should take: judged here from each report's verdict path and
    /// confidence (the instance's own exit code is ignored); not met makes the exit code 1;
    /// s3path explain kinds lists them.
    #[arg(
        long,
        value_enum,
        value_name = "KIND[,KIND...]",
        value_delimiter = ',',
        hide_possible_values = true
    )]
    pub expect: Vec<PathKind>,
    /// The region of the instances (default: AWS_REGION, AWS_DEFAULT_REGION).
    #[arg(long)]
    pub region: Option<String>,
    /// How many instances run doctor at once (SSM MaxConcurrency).
    #[arg(long, value_name = "N", default_value = "50")]
    pub max_concurrency: u32,
    /// Also write the outputs to this bucket (SSM OutputS3BucketName); an output cut at SSM's
    /// 24,000 characters is then read back from it (s3:GetObject).
    #[arg(long, value_name = "BUCKET")]
    pub output_s3_bucket: Option<String>,
    /// The s3path binary on the instances: by default where docs/ssm/s3path-doctor.yaml installs
    /// it (never whichever s3path comes first on root's PATH); an absolute path.
    #[arg(long = "s3path", value_name = "PATH", default_value = gather::fleet::INSTALLED_BINARY)]
    pub s3path_path: String,
    /// doctor's own --timeout on each instance, in seconds.
    #[arg(long, value_name = "SECS", default_value = "10")]
    pub doctor_timeout: u32,
    /// Overall time budget for the fleet run (sending, waiting, reading), in seconds.
    #[arg(long, value_name = "SECS", default_value = "300")]
    pub timeout: f64,
    /// Write what SSM answered to FILE (JSON).
    #[arg(long, value_name = "FILE")]
    pub save_facts: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(args: FleetArgs, profile: Option<&str>) -> Result<u8, InputError> {
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
    let started = std::time::Instant::now();
    let mut instance_ids: Vec<String> = Vec::new();
    for i in &args.instance_ids {
        input::resource_id(i, "i", "--instance-ids")?;
        if !instance_ids.contains(i) {
            instance_ids.push(i.clone());
        }
    }
    // What each instance is sent (and SSM keeps in its command history): the buckets without
    // user information or a query string (a presigned URL's signature and token stay here).
    let buckets = input::buckets(&args.buckets)?;
    if args.max_concurrency == 0 || args.max_concurrency > 10_000 {
        return Err(InputError("--max-concurrency: 1 to 10000".to_string()));
    }
    if let Some(b) = &args.output_s3_bucket {
        crate::validate::bucket_name(b)
            .map_err(|why| InputError(format!("--output-s3-bucket '{b}': a bucket name {why}")))?;
    }
    if !args.s3path_path.starts_with('/')
        || args.s3path_path.len() > 1024
        || args.s3path_path.chars().any(|c| c.is_control())
    {
        return Err(InputError(
            "--s3path: the absolute path of the binary on the instances".to_string(),
        ));
    }
    let region = region_arg(args.region.clone(), profile)?;
    let timeout = timeout_arg(args.timeout)?;
    // Endpoint settings s3path refuses (user information in AWS_ENDPOINT_URL_SSM, …) are bad
    // input: one line, nothing sent.
    if let Err(why) = gather::endpoints::endpoint("ssm", &region, profile) {
        return Err(InputError(format!(
            "ssm endpoint: {}",
            crate::render::escape::line(&why)
        )));
    }
    let mut command = format!(
        "{} doctor --format compact --timeout {}",
        shell_quote(&args.s3path_path),
        args.doctor_timeout.clamp(1, 300)
    );
    for b in &buckets {
        command.push_str(&format!(" --bucket {}", shell_quote(b)));
    }
    if !args.expect.is_empty() {
        let kinds: Vec<&str> = args.expect.iter().map(|k| k.as_str()).collect();
        command.push_str(&format!(" --expect {}", kinds.join(",")));
    }
    let save = SaveTarget::prepare(args.save_facts.as_deref())?;
    let spinner = Spinner::counting("waiting for SSM Run Command", "instances answered");
    let facts = gather::fleet::gather_fleet(
        &gather::fleet::FleetOptions {
            region,
            targets,
            instance_ids,
            command,
            max_concurrency: args.max_concurrency,
            output_s3_bucket: args.output_s3_bucket.clone(),
            // One deadline: gathering stops early enough (a tenth, at most 2 s) for the outputs
            // it read to be parsed before the --timeout ends; none is parsed after it.
            timeout: timeout - (timeout / 10).min(std::time::Duration::from_secs(2)),
            profile: profile.map(str::to_string),
        },
        &spinner,
    );
    spinner.stop();
    if let Some(save) = save {
        save.write(&facts)?;
    }
    let report = crate::fleet::judge(
        &facts,
        &crate::fleet::FleetJudgeOptions {
            expect: args.expect.clone(),
            deadline: Some(started + timeout),
        },
    );
    print(&report, args.format)?;
    Ok(report.exit_code)
}
