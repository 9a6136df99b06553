//! `s3path doctor`: gather facts from this host and judge the path to S3.

use std::path::PathBuf;

use clap::Args;

use super::common::{finish, now_rfc3339, timeout_arg, SaveTarget, Spinner};
use super::output::{output_options, OutputArgs};
use crate::gather::{self, GatherOptions, ProcessEnv};
use crate::input::{self, InputError};

#[derive(Args, Debug)]
pub struct DoctorArgs {
    /// A bucket to judge (repeatable); the first decides the primary target.
    #[arg(long = "bucket", value_name = "BUCKET")]
    pub buckets: Vec<String>,
    /// Region to judge against (default: AWS_REGION, AWS_DEFAULT_REGION, or the instance's).
    #[arg(long)]
    pub region: Option<String>,
    /// Judge against this subnet's route table (when this host cannot tell: off AWS, or the
    /// metadata service is unreachable). Needs read-only EC2 credentials.
    #[arg(long, value_name = "SUBNET_ID")]
    pub subnet_id: Option<String>,
    /// An object key to check with HeadObject in every --bucket (and to evaluate policies for).
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
    /// A presigned S3 URL: check where its host resolves and whether it connects (nothing is
    /// requested; the signature is never stored or printed).
    #[arg(long, value_name = "URL")]
    pub presigned: Option<String>,
    /// Judge the S3 names this SDK family uses (boto3, cli-v1, cli-v2, java-v1, java-v2, js-v2,
    /// js-v3, go-v1, go-v2, dotnet, rust); default: every family whose names differ.
    #[arg(long, value_name = "FAMILY")]
    pub sdk: Option<String>,
    /// Read the far side of a transit gateway (its route tables, the hub VPCs, a shared private
    /// hosted zone's records) with this IAM role, assumed read-only (docs/iam-policy-hub.json).
    /// Default: the run's own credentials.
    #[arg(long, value_name = "ROLE_ARN")]
    pub hub_role_arn: Option<String>,
    /// Write the gathered facts to FILE (JSON; safe to attach to a ticket).
    #[arg(long, value_name = "FILE")]
    pub save_facts: Option<PathBuf>,
    /// Overall time budget for gathering, in seconds.
    #[arg(long, value_name = "SECS", default_value = "5")]
    pub timeout: f64,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: DoctorArgs, profile: Option<&str>) -> Result<u8, InputError> {
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
    let sdk = args.sdk.as_deref().map(input::sdk).transpose()?;
    let save = SaveTarget::prepare(args.save_facts.as_deref())?;
    let mut gather_opts =
        GatherOptions::new(args.region.clone(), input::buckets(&args.buckets)?, timeout);
    gather_opts.subnet_id = args.subnet_id.clone();
    gather_opts.key = args.key.clone();
    gather_opts.presigned = presigned;
    gather_opts.profile = profile.map(str::to_string);
    if let Some(a) = &args.hub_role_arn {
        input::role_arn(a, "--hub-role-arn")?;
    }
    gather_opts.hub_role_arn = args.hub_role_arn.clone();
    let spinner = Spinner::start("gathering facts");
    let mut facts = gather::gather(&gather_opts, &ProcessEnv);
    spinner.stop();
    facts.request.sdk = sdk;
    facts.gathered_at = Some(now_rfc3339());
    finish(&facts, &opts, format, save)
}
