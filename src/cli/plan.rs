//! `route --plan`, `audit --plan` (a Terraform/OpenTofu plan judged before apply) and
//! `audit --baseline` (drift since an earlier audit): the wiring between the inputs
//! (`input::plan`), the inventory (read live or from `--facts`) and the judgement
//! (`report::plan`, `report::baseline`).

use std::path::Path;

use super::output::print;
use crate::facts::inventory::{AuditFacts, Inventory, SubnetInfo, VpcInfo};
use crate::facts::{Facts, Observed};
use crate::input::{self, InputError};
use crate::render::Format;
use crate::report::audit::AuditReport;
use crate::report::JudgeOptions;

/// The inventory `route` gathered for one subnet (its VPC's tables, endpoints, lists,
/// gateways, ACLs), as an audit inventory of that one subnet.
pub fn inventory_of(facts: &Facts) -> Option<Inventory> {
    let v = facts.vantage.get()?;
    let subnet = v.subnet_id.clone()?;
    let vpc = v.vpc_id.clone()?;
    let region = v.region.clone().or_else(|| facts.request.region.clone())?;
    Some(Inventory {
        region,
        subnets: Observed::collected(vec![SubnetInfo {
            id: subnet,
            vpc_id: vpc.clone(),
            availability_zone: v.availability_zone.clone(),
            cidr_block: None,
        }]),
        vpcs: Observed::collected(vec![VpcInfo {
            id: vpc,
            ipv4_cidr_blocks: v.vpc_ipv4_cidr_blocks.clone(),
            ipv6_cidr_blocks: v.vpc_ipv6_cidr_blocks.clone(),
            dns_attributes: facts.vpc_dns_attributes.get().copied(),
        }]),
        route_tables: facts.route_tables.clone(),
        vpc_endpoints: facts.vpc_endpoints.clone(),
        prefix_lists: facts.prefix_lists.clone(),
        internet_gateways: facts.internet_gateways.clone(),
        nat_gateways: facts.nat_gateways.clone(),
        network_acls: facts.network_acls.clone(),
        ..Inventory::default()
    })
}

/// `--facts FILE` for `route --plan`: an audit inventory (`audit --save-facts`, one region)
/// or a route facts file (`route --save-facts`).
pub fn load_inventory(path: &Path) -> Result<(Inventory, Vec<String>), InputError> {
    let name = path.display().to_string();
    let text = input::read_regular_file(path, input::MAX_AUDIT_FACTS_BYTES)
        .map_err(|e| InputError(format!("{name}: {e}")))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| InputError(format!("{name}: invalid JSON at line {}: {e}", e.line())))?;
    if value.get("regions").is_some() {
        let af = input::load_audit_facts(path)?;
        let inv = one_region(&af, &name)?;
        return Ok((inv, af.request.buckets.clone()));
    }
    let facts = input::parse_facts(&text, &name)?;
    let inv = inventory_of(&facts).ok_or_else(|| {
        InputError(format!(
            "{name}: these facts name no subnet and VPC (save them with `s3path route --subnet-id … --save-facts`)"
        ))
    })?;
    Ok((inv, facts.request.buckets.clone()))
}

fn one_region(af: &AuditFacts, name: &str) -> Result<Inventory, InputError> {
    match af.regions.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(InputError(format!(
            "{name}: --plan judges one region and this inventory holds {}; audit one region (--region)",
            af.regions.len()
        ))),
    }
}

/// Applies the plan at `plan` to `before` and prints the judgement; `only`: one subnet.
pub fn judge_plan(
    before: &Inventory,
    plan: &Path,
    buckets: &[String],
    opts: &JudgeOptions,
    format: Format,
    only: Option<&str>,
) -> Result<u8, InputError> {
    let parsed = input::plan::load(plan)?;
    let applied = input::plan::apply(&parsed, before, &plan.display().to_string())?;
    if let Some(s) = only {
        let known = |inv: &Inventory| {
            inv.subnets
                .get()
                .is_some_and(|ss| ss.iter().any(|x| x.id == s))
        };
        if !known(before) && !known(&applied.after) {
            return Err(InputError(format!(
                "--subnet-id {s}: not in the inventory the plan was applied to"
            )));
        }
    }
    let report = crate::report::plan::judge(before, &applied, buckets, opts, only);
    print(&report, format)?;
    Ok(report.exit_code)
}

/// `audit --plan`.
pub fn audit_plan(
    facts: &AuditFacts,
    plan: &Path,
    opts: &JudgeOptions,
    format: Format,
) -> Result<u8, InputError> {
    let inv = one_region(facts, "the inventory")?;
    judge_plan(&inv, plan, &facts.request.buckets, opts, format, None)
}

/// The largest baseline read.
pub const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

/// `audit --baseline`.
pub fn audit_baseline(
    now: &AuditReport,
    baseline: &Path,
    opts: &JudgeOptions,
    format: Format,
) -> Result<u8, InputError> {
    let name = baseline.display().to_string();
    let text = input::read_regular_file(baseline, MAX_BASELINE_BYTES)
        .map_err(|e| InputError(format!("--baseline {name}: {e}")))?;
    let base = crate::report::baseline::parse(&text, &name).map_err(InputError)?;
    let report = crate::report::baseline::compare(now, &base, opts);
    print(&report, format)?;
    Ok(report.exit_code)
}
