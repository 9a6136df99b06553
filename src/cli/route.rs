//! `s3path route`: judge a subnet (or an instance's subnet) from the EC2 control plane only.

use std::path::PathBuf;

use clap::Args;

use super::common::{finish, now_rfc3339, region_arg, timeout_arg, SaveTarget, Spinner};
use super::output::{output_options, OutputArgs};
use crate::gather;
use crate::input::{self, InputError};

#[derive(Args, Debug)]
pub struct RouteArgs {
    /// The subnet to judge.
    #[arg(
        long,
        value_name = "SUBNET_ID",
        required_unless_present = "instance_id"
    )]
    pub subnet_id: Option<String>,
    /// Judge this instance's subnet (with its public address and security groups).
    #[arg(long, value_name = "INSTANCE_ID", conflicts_with = "subnet_id")]
    pub instance_id: Option<String>,
    /// A bucket to judge (repeatable); the first decides the primary target.
    #[arg(long = "bucket", value_name = "BUCKET")]
    pub buckets: Vec<String>,
    /// Make the buckets' read-only requests (HeadBucket, GetBucketPolicy: each bucket's
    /// region and policy) from this machine. They are labelled as made from here: this
    /// machine's network is not the subnet's path. Default: no bucket request at all.
    #[arg(long)]
    pub probe_from_here: bool,
    /// Region of the subnet (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region).
    #[arg(long)]
    pub region: Option<String>,
    /// Judge the S3 names this SDK family uses (boto3, cli-v1, cli-v2, java-v1, java-v2, js-v2,
    /// js-v3, go-v1, go-v2, dotnet, rust); default: every family whose names differ.
    #[arg(long, value_name = "FAMILY")]
    pub sdk: Option<String>,
    /// Read the far side of a transit gateway (its route tables, the hub VPCs, a shared private
    /// hosted zone's records) with this IAM role, assumed read-only (docs/iam-policy-hub.json).
    /// Default: the run's own credentials.
    #[arg(long, value_name = "ROLE_ARN")]
    pub hub_role_arn: Option<String>,
    /// Write the gathered facts to FILE.
    #[arg(long, value_name = "FILE")]
    pub save_facts: Option<PathBuf>,
    /// A Terraform/OpenTofu plan (terraform show -json PLANFILE): judge the subnet before
    /// and after apply; --expect is evaluated on the after state (docs/plan.md).
    #[arg(long, value_name = "PLAN_JSON")]
    pub plan: Option<PathBuf>,
    /// With --plan: the current state from a saved inventory (audit --save-facts, one
    /// region) or route facts (route --save-facts) instead of the API.
    #[arg(
        long,
        value_name = "FILE",
        requires = "plan",
        conflicts_with = "save_facts"
    )]
    pub facts: Option<PathBuf>,
    /// Overall time budget for the API calls, in seconds.
    #[arg(long, value_name = "SECS", default_value = "10")]
    pub timeout: f64,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: RouteArgs, profile: Option<&str>) -> Result<u8, InputError> {
    let (opts, format) = output_options(&args.output)?;
    for b in &args.buckets {
        input::bucket(b)?;
    }
    if args.probe_from_here && args.buckets.is_empty() {
        return Err(InputError(
            "--probe-from-here: give --bucket BUCKET (it makes that bucket's requests from this machine)".to_string(),
        ));
    }
    if let Some(s) = &args.subnet_id {
        input::resource_id(s, "subnet", "--subnet-id")?;
    }
    if let Some(a) = &args.hub_role_arn {
        input::role_arn(a, "--hub-role-arn")?;
    }
    if let Some(i) = &args.instance_id {
        input::resource_id(i, "i", "--instance-id")?;
    }
    if let (Some(plan), Some(facts)) = (&args.plan, &args.facts) {
        let Some(subnet) = &args.subnet_id else {
            return Err(InputError(
                "--plan with --facts needs --subnet-id".to_string(),
            ));
        };
        let (inv, saved) = super::plan::load_inventory(facts)?;
        let buckets = if args.buckets.is_empty() {
            saved
        } else {
            args.buckets.clone()
        };
        return super::plan::judge_plan(&inv, plan, &buckets, &opts, format, Some(subnet));
    }
    let region = region_arg(args.region.clone(), profile)?;
    let timeout = timeout_arg(args.timeout)?;
    let sdk = args.sdk.as_deref().map(input::sdk).transpose()?;
    let save = SaveTarget::prepare(args.save_facts.as_deref())?;
    let spinner = Spinner::start("reading the control plane");
    let mut facts = gather::route::gather_route(
        &gather::route::RouteOptions {
            region,
            subnet_id: args.subnet_id.clone(),
            instance_id: args.instance_id.clone(),
            buckets: input::buckets(&args.buckets)?,
            probe_from_here: args.probe_from_here,
            timeout,
            profile: profile.map(str::to_string),
            hub_role_arn: args.hub_role_arn.clone(),
        },
        None,
    );
    spinner.stop();
    // The answers an instance in the subnet would get, derived from what the control plane
    // said (only when the subnet's VPC was read).
    if facts.vantage.get().is_some_and(|v| v.vpc_id.is_some()) {
        facts.dns = crate::facts::Observed::collected(crate::engine::derived::answers_from(&facts));
    }
    facts.request.sdk = sdk;
    facts.gathered_at = Some(now_rfc3339());
    if let Some(plan) = &args.plan {
        if let Some(save) = save {
            save.write(&facts)?;
        }
        let inv = super::plan::inventory_of(&facts).ok_or_else(|| {
            InputError(format!(
                "--plan: the subnet could not be read from the control plane ({})",
                facts
                    .vantage
                    .missing_reason()
                    .unwrap_or_else(|| "no subnet or VPC".to_string())
            ))
        })?;
        let subnet = facts.vantage.get().and_then(|v| v.subnet_id.clone());
        return super::plan::judge_plan(
            &inv,
            plan,
            &args.buckets,
            &opts,
            format,
            subnet.as_deref(),
        );
    }
    finish(&facts, &opts, format, save)
}
