//! `s3path audit`: judge every subnet of a region (or of some VPCs) from the EC2 control
//! plane.

use std::path::PathBuf;

use clap::Args;

use super::common::{now_rfc3339, region_arg, timeout_arg, SaveTarget, Spinner};
use super::output::{output_options, print, OutputArgs};
use crate::gather;
use crate::input::{self, InputError};

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// A region to audit (repeatable; default: AWS_REGION, AWS_DEFAULT_REGION).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Every region enabled for the account (DescribeRegions), besides --region.
    #[arg(long)]
    pub all_regions: bool,
    /// Only these VPCs (repeatable).
    #[arg(long = "vpc-id", value_name = "VPC_ID")]
    pub vpc_ids: Vec<String>,
    /// A bucket whose names each subnet is judged for (repeatable; the first is the primary).
    #[arg(long = "bucket", value_name = "BUCKET")]
    pub buckets: Vec<String>,
    /// Write the inventory to FILE (JSON), to judge it again offline with --facts.
    #[arg(long, value_name = "FILE", conflicts_with = "facts")]
    pub save_facts: Option<PathBuf>,
    /// Judge a saved inventory (from --save-facts) instead of calling the API.
    #[arg(long, value_name = "FILE")]
    pub facts: Option<PathBuf>,
    /// NAT cost exposure: what the NAT gateways on S3 paths processed over the last 14 days
    /// (CloudWatch GetMetricData, one batched call per region) × the region's NAT data
    /// processing price, as an upper bound. Needs cloudwatch:GetMetricData.
    #[arg(long)]
    pub cost: bool,
    /// The NAT data processing price in USD per GB (default: s3path's table, by region).
    #[arg(long, value_name = "USD", value_parser = input::price_per_gb)]
    pub nat_price_per_gb: Option<f64>,
    /// A Terraform/OpenTofu plan (terraform show -json PLANFILE): judge every subnet it
    /// affects before and after apply (one region; docs/plan.md).
    #[arg(long, value_name = "PLAN_JSON", conflicts_with = "baseline")]
    pub plan: Option<PathBuf>,
    /// An earlier audit --format json: show only the subnets whose path, via or findings
    /// changed, as regression or improvement; exit 1 on a regression (docs/audit.md).
    #[arg(long, value_name = "AUDIT_JSON")]
    pub baseline: Option<PathBuf>,
    /// Overall time budget, in seconds: the API calls, reading --facts and judging (subnets
    /// the deadline leaves unjudged are reported as not judged, exit 3).
    #[arg(long, value_name = "SECS", default_value = "60")]
    pub timeout: f64,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: AuditArgs, profile: Option<&str>) -> Result<u8, InputError> {
    let started = std::time::Instant::now();
    let (opts, format) = output_options(&args.output)?;
    let timeout = timeout_arg(args.timeout)?;
    for b in &args.buckets {
        input::bucket(b)?;
    }
    for v in &args.vpc_ids {
        input::resource_id(v, "vpc", "--vpc-id")?;
    }
    let facts = match &args.facts {
        Some(path) => narrow(input::load_audit_facts(path)?, &args, path)?,
        None => {
            let mut regions = Vec::new();
            for r in &args.regions {
                input::region(r)?;
                if !regions.contains(r) {
                    regions.push(r.clone());
                }
            }
            if regions.is_empty() && !args.all_regions {
                regions.push(region_arg(None, profile)?);
            }
            let home = if args.all_regions {
                Some(
                    regions
                        .first()
                        .cloned()
                        .map_or_else(|| region_arg(None, profile), Ok)?,
                )
            } else {
                None
            };
            let save = SaveTarget::prepare(args.save_facts.as_deref())?;
            let spinner = Spinner::counting("reading the control plane", "regions");
            let gathered = gather::audit::gather_audit(
                &gather::audit::AuditOptions {
                    regions,
                    vpc_ids: args.vpc_ids.clone(),
                    buckets: input::buckets(&args.buckets)?,
                    timeout,
                    cost: args.cost,
                    profile: profile.map(str::to_string),
                },
                None,
                home.as_deref(),
                &spinner,
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
    if let Some(plan) = &args.plan {
        return super::plan::audit_plan(&facts, plan, &opts, format);
    }
    let deadline = started + timeout;
    let report = crate::report::audit::judge_with(&facts, &opts, args.nat_price_per_gb, &|| {
        std::time::Instant::now() >= deadline
    });
    if let Some(baseline) = &args.baseline {
        return super::plan::audit_baseline(&report, baseline, &opts, format);
    }
    print(&report, format)?;
    Ok(report.exit_code)
}

/// `--facts FILE` with `--region`, `--vpc-id`, `--bucket` or `--cost`: the saved inventory as
/// the command line asks for it — only those regions and VPCs (one the file cannot hold is
/// refused in one line), the buckets given (audit judges names from the control plane only,
/// so they can change), the NAT metrics only with `--cost` (refused when the file has none).
fn narrow(
    mut facts: crate::facts::inventory::AuditFacts,
    args: &AuditArgs,
    path: &std::path::Path,
) -> Result<crate::facts::inventory::AuditFacts, InputError> {
    let file = path.display();
    if args.all_regions {
        return Err(InputError(format!(
            "--all-regions: cannot be used with --facts {file} (give --region to choose among the regions it holds)"
        )));
    }
    if !args.regions.is_empty() {
        for r in &args.regions {
            input::region(r)?;
            if !facts.regions.iter().any(|i| &i.region == r) {
                let held: Vec<&str> = facts.regions.iter().map(|i| i.region.as_str()).collect();
                return Err(InputError(format!(
                    "--region {r}: {file} holds no inventory of it (it holds {})",
                    if held.is_empty() {
                        "none".to_string()
                    } else {
                        held.join(", ")
                    }
                )));
            }
        }
        facts.regions.retain(|i| args.regions.contains(&i.region));
    }
    if !args.vpc_ids.is_empty() {
        let saved = &facts.request.vpc_ids;
        if let Some(v) = args
            .vpc_ids
            .iter()
            .find(|v| !saved.is_empty() && !saved.contains(v))
        {
            return Err(InputError(format!(
                "--vpc-id {v}: {file} was saved for {} only",
                saved.join(", ")
            )));
        }
        for inv in &mut facts.regions {
            if let crate::facts::Observed::Collected { value } = &mut inv.subnets {
                value.retain(|s| args.vpc_ids.contains(&s.vpc_id));
            }
        }
        facts.request.vpc_ids = args.vpc_ids.clone();
    }
    if !args.buckets.is_empty() {
        facts.request.buckets = args.buckets.clone();
    }
    if args.cost {
        if !facts.request.cost {
            return Err(InputError(format!(
                "--cost: {file} was saved without --cost, so it holds no NAT metrics (gather again with --cost --save-facts)"
            )));
        }
    } else {
        for inv in &mut facts.regions {
            inv.nat_bytes = crate::facts::inventory::not_asked();
        }
        facts.request.cost = false;
    }
    Ok(facts)
}
