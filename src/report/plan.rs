//! `route --plan` / `audit --plan`: every subnet a Terraform plan affects, judged before and
//! after apply (the after inventory is `input::plan`'s pure transform of the current one).
//!
//! A subnet is affected when a planned change touches something its judgement reads (itself,
//! its VPC, its route table — explicit or main —, the targets and prefix lists of that table's
//! routes, its VPC's endpoints, its network ACL), before or after apply, or when its verdict
//! changes. Its after verdict is `unknown` (undetermined) when it rests on a value the plan
//! leaves "known after apply", naming the attribute; `--expect` is evaluated on the after state.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::engine::{Confidence, PathKind};
use crate::facts::inventory::{Inventory, SubnetInfo};
use crate::facts::plan::{unknown_in, AppliedPlan, Scope, Unjudged};
use crate::facts::EndpointType;
use crate::report::audit::subnet_facts;
use crate::report::{self, JudgeOptions};

/// One side (before or after apply) of a subnet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanSide {
    pub path: PathKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_table: Option<String>,
    pub confidence: Confidence,
    pub summary: String,
    /// Finding ids.
    pub findings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    pub region: String,
    pub subnet_id: String,
    pub vpc_id: String,
    /// `None` for a subnet the plan creates.
    pub before: Option<PlanSide>,
    /// `None` for a subnet the plan deletes.
    pub after: Option<PlanSide>,
    /// True when the after verdict differs from the before verdict (path, via, findings).
    pub changed: bool,
    /// The plan's resource addresses that touch what this subnet's judgement reads.
    pub changed_by: Vec<String>,
    /// `ADDRESS.ATTRIBUTE: why` for each "known after apply" value the after verdict rests on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknowns: Vec<String>,
    /// `met`, `not_met`, `undecided` on the after state, with `--expect`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expectation: Option<&'static str>,
    #[serde(skip)]
    pub exit_code: u8,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanInfo {
    pub format_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terraform_version: Option<String>,
    pub resource_changes: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    pub schema_version: u32,
    pub tool_version: String,
    pub region: String,
    pub plan: PlanInfo,
    /// The affected subnets (for `route --plan`, the one subnet asked about).
    pub subnets: Vec<PlanRow>,
    /// Subnets judged and not affected.
    pub unaffected: usize,
    /// "Known after apply" values the plan cannot tie to any subnet (which one it affects
    /// is itself unknown): `ADDRESS.ATTRIBUTE: why`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unlocated: Vec<String>,
    /// Planned changes read and not judged, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_judged: Vec<Unjudged>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expected: Vec<PathKind>,
    pub exit_code: u8,
}

pub const PLAN_SCHEMA_VERSION: u32 = 1;

/// What the judgement of `subnet` reads in `inv`.
pub fn inputs(inv: &Inventory, subnet: &SubnetInfo) -> BTreeSet<Scope> {
    let mut out = BTreeSet::new();
    out.insert(Scope::Subnet(subnet.id.clone()));
    out.insert(Scope::Vpc(subnet.vpc_id.clone()));
    let vpc = subnet.vpc_id.as_str();
    let tables = inv.route_tables.get().map(Vec::as_slice).unwrap_or(&[]);
    let in_vpc = |v: &Option<String>| v.as_deref().is_none_or(|x| x == vpc);
    let explicit = tables
        .iter()
        .find(|t| in_vpc(&t.vpc_id) && t.subnet_ids.contains(&subnet.id));
    let table = explicit.or_else(|| {
        out.insert(Scope::MainTable(vpc.to_string()));
        tables
            .iter()
            .find(|t| t.main && t.vpc_id.as_deref() == Some(vpc))
    });
    let mut table_id = None;
    if let Some(t) = table {
        table_id = Some(t.id.clone());
        out.insert(Scope::RouteTable(t.id.clone()));
        for r in &t.routes {
            if let Some(pl) = &r.destination_prefix_list_id {
                out.insert(Scope::PrefixList(pl.clone()));
            }
            if let Some(id) = r.target_id() {
                out.insert(Scope::NatGateway(id.to_string()));
                out.insert(Scope::InternetGateway(id.to_string()));
                out.insert(Scope::TransitGateway(id.to_string()));
                out.insert(Scope::Endpoint(id.to_string()));
            }
        }
    }
    for e in inv.vpc_endpoints.get().into_iter().flatten() {
        if !in_vpc(&e.vpc_id) {
            continue;
        }
        let serves = match e.endpoint_type {
            EndpointType::Gateway => table_id
                .as_ref()
                .is_some_and(|t| e.route_table_ids.contains(t)),
            _ => true,
        };
        if serves {
            out.insert(Scope::Endpoint(e.id.clone()));
        }
    }
    let acls = inv.network_acls.get().map(Vec::as_slice).unwrap_or(&[]);
    let acl = acls
        .iter()
        .find(|a| a.subnet_ids.contains(&subnet.id))
        .or_else(|| {
            acls.iter()
                .find(|a| a.default && a.vpc_id.as_deref() == Some(vpc))
        });
    if let Some(a) = acl {
        out.insert(Scope::NetworkAcl(a.id.clone()));
    }
    out
}

fn side(r: &report::Report) -> PlanSide {
    PlanSide {
        path: r.verdict.path,
        via: r.verdict.via.clone(),
        route_table: r.route_table.as_ref().map(|t| t.id.clone()),
        confidence: r.verdict.confidence,
        summary: r.verdict.summary.clone(),
        findings: r.findings.iter().map(|f| f.id.to_string()).collect(),
    }
}

fn subnets(inv: &Inventory) -> &[SubnetInfo] {
    inv.subnets.get().map(Vec::as_slice).unwrap_or(&[])
}

/// Judges the subnets `applied` affects (or only `only`, affected or not), before and after.
pub fn judge(
    before: &Inventory,
    applied: &AppliedPlan,
    buckets: &[String],
    opts: &JudgeOptions,
    only: Option<&str>,
) -> PlanReport {
    let after = &applied.after;
    let mut ids: Vec<&SubnetInfo> = subnets(before).iter().collect();
    for s in subnets(after) {
        if !ids.iter().any(|x| x.id == s.id) {
            ids.push(s);
        }
    }
    let mut rows = Vec::new();
    let mut unaffected = 0;
    let mut located = vec![false; applied.unknowns.len()];
    // What every subnet's judgement reads after apply, once.
    let after_inputs: std::collections::BTreeMap<&str, BTreeSet<Scope>> = subnets(after)
        .iter()
        .map(|s| (s.id.as_str(), inputs(after, s)))
        .collect();
    for s in ids {
        if only.is_some_and(|o| o != s.id) {
            continue;
        }
        let b = subnets(before).iter().find(|x| x.id == s.id);
        let a = subnets(after).iter().find(|x| x.id == s.id);
        let mut scopes = BTreeSet::new();
        if let Some(b) = b {
            scopes.extend(inputs(before, b));
        }
        let after_scopes = a
            .and_then(|a| after_inputs.get(a.id.as_str()).cloned())
            .unwrap_or_default();
        scopes.extend(after_scopes.iter().cloned());
        let mut changed_by: Vec<String> = Vec::new();
        let mut by = BTreeSet::new();
        for t in &applied.touches {
            if scopes.contains(&t.scope) && by.insert(t.address.as_str()) {
                changed_by.push(t.address.clone());
            }
        }
        let mut unknowns = Vec::new();
        for (i, u) in applied.unknowns.iter().enumerate() {
            if after_scopes.contains(&u.scope) {
                located[i] = true;
                unknowns.push(format!("{}.{}: {}", u.address, u.attribute, u.why));
                if by.insert(u.address.as_str()) {
                    changed_by.push(u.address.clone());
                }
            }
        }
        let before_r = b.map(|b| report::judge(&subnet_facts(before, b, buckets), opts));
        let after_r = a.map(|a| report::judge(&subnet_facts(after, a, buckets), opts));
        let before_side = before_r.as_ref().map(side);
        let mut after_side = after_r.as_ref().map(side);
        // A verdict that rests on a placeholder for a value known only after apply.
        if let Some(sd) = &after_side {
            let said = [
                sd.via.as_deref().unwrap_or(""),
                sd.route_table.as_deref().unwrap_or(""),
                &sd.summary,
            ]
            .join(" ");
            if let Some(what) = unknown_in(&said) {
                unknowns.push(format!("{what}: known only after apply"));
            }
        }
        let undetermined = !unknowns.is_empty() && after_side.is_some();
        if undetermined {
            if let Some(sd) = &mut after_side {
                let names: Vec<&str> = unknowns
                    .iter()
                    .map(|u| u.split(": ").next().unwrap_or(u))
                    .collect();
                *sd = PlanSide {
                    path: PathKind::Unknown,
                    via: None,
                    route_table: sd.route_table.clone(),
                    confidence: Confidence::Undetermined,
                    summary: format!(
                        "undetermined: the path after apply depends on {} (known after apply)",
                        names.join(", ")
                    ),
                    findings: Vec::new(),
                };
            }
        }
        let changed = match (&before_side, &after_side) {
            (Some(x), Some(y)) => {
                x.path != y.path
                    || x.via != y.via
                    || x.findings != y.findings
                    || x.route_table != y.route_table
            }
            _ => true,
        };
        if only.is_none() && !changed && changed_by.is_empty() {
            unaffected += 1;
            continue;
        }
        let expectation = if opts.expect.is_empty() {
            None
        } else if undetermined {
            Some("undecided")
        } else {
            after_r
                .as_ref()
                .and_then(|r| r.expectation.as_ref())
                .map(|e| match e.met {
                    Some(true) => "met",
                    Some(false) => "not_met",
                    None => "undecided",
                })
        };
        let exit_code = match (&after_r, undetermined) {
            (_, true) => 3,
            (Some(r), false) => r.exit_code,
            // Deleted: nothing left to judge or gate.
            (None, false) => 0,
        };
        rows.push(PlanRow {
            region: after.region.clone(),
            subnet_id: s.id.clone(),
            vpc_id: a.map_or(s.vpc_id.clone(), |a| a.vpc_id.clone()),
            before: before_side,
            after: after_side,
            changed,
            changed_by,
            unknowns,
            expectation,
            exit_code,
        });
    }
    let unlocated: Vec<String> = applied
        .unknowns
        .iter()
        .zip(&located)
        .filter(|(u, l)| !**l && !after_inputs.values().any(|i| i.contains(&u.scope)))
        .map(|(u, _)| format!("{}.{}: {}", u.address, u.attribute, u.why))
        .collect();
    // Worst first: failing, undetermined, changed, the rest.
    rows.sort_by_key(|r| {
        (
            match r.exit_code {
                1 => 0,
                3 => 1,
                _ => 2,
            },
            !r.changed,
            r.subnet_id.clone(),
        )
    });
    // 1 when a subnet fails after apply; 3 when one cannot be judged after apply, or a value
    // the plan leaves unknown could affect subnets it does not name; else 0.
    let exit_code = if rows.iter().any(|r| r.exit_code == 1) {
        1
    } else if rows.iter().any(|r| r.exit_code == 3) || !unlocated.is_empty() {
        3
    } else {
        0
    };
    PlanReport {
        schema_version: PLAN_SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        region: after.region.clone(),
        plan: PlanInfo {
            format_version: applied.format_version.clone(),
            terraform_version: applied.terraform_version.clone(),
            resource_changes: applied.resource_changes,
        },
        subnets: rows,
        unaffected,
        unlocated,
        not_judged: applied.unjudged.clone(),
        expected: opts.expect.clone(),
        exit_code,
    }
}
