//! The path engine: for each target host and each of its addresses, which way the traffic
//! leaves. A pure function of [`Facts`]; no I/O.
//!
//! - [`kinds`]: path kinds, confidence, evidence, the decision;
//! - [`lookup`]: the longest-prefix match over a route table (typed result);
//! - [`liveness`]: whether a route's target can carry traffic;
//! - [`text`]: wording shared with the checks;
//! - `rules`: the decision for one address as ordered rules (ENI, VPC CIDR, off AWS, route,
//!   dead targets, probes, confidence), and the rules around a whole target (proxy, names
//!   outside every prefix list, which address the client uses first);
//! - `target`: the decision for one target host, applying those rules;
//! - this module: the engine's output ([`Analysis`]) and [`analyze`].

mod context;
pub mod derived;
pub mod kinds;
pub mod liveness;
pub mod lookup;
mod rules;
mod target;
#[cfg(test)]
pub(crate) mod testing;
pub mod text;

use std::net::IpAddr;

use serde::Serialize;

pub use kinds::{BlockCause, Confidence, Decision, Evidence, EvidenceKind, PathKind};
pub use text::{
    classify_route_target, join_capped, join_ips, route_target_label, status_name,
    tcp_outcome_name, EVIDENCE_LIST_CAP,
};

use crate::facts::{AnswerSource, Facts, RouteTable};
use crate::names::targets::{self, Target, TargetClass};
use context::Cx;

/// One resolved address of a target and its path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddressPath {
    pub address: IpAddr,
    #[serde(flatten)]
    pub decision: Decision,
}

/// One target host with its DNS answer and paths.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetPath {
    #[serde(flatten)]
    pub target: Target,
    pub primary: bool,
    /// How the name resolved (`answered`, `nxdomain`, …), or `not_resolved`.
    pub resolution: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_source: Option<AnswerSource>,
    /// The path of the target as a whole: the path of the address the client uses first
    /// (IPv6 when this host has an IPv6 address and the name has one, else IPv4).
    pub decision: Decision,
    /// The address `decision` is about (the one the client connects to first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chosen_address: Option<IpAddr>,
    pub addresses: Vec<AddressPath>,
    /// False when the target's addresses take different paths.
    pub consistent: bool,
}

/// Which route table governs the vantage's subnet, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectiveTable {
    pub id: String,
    /// `explicit` (the subnet is associated with it) or `main` (fallback to the VPC's main
    /// table).
    pub association: String,
}

/// The outcome of the engine: everything the checks and the verdict read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub region: Option<String>,
    pub route_table: Option<EffectiveTable>,
    pub targets: Vec<TargetPath>,
    /// Every `--bucket` input with the host names the application uses for it.
    pub names: Vec<crate::names::NamePlan>,
}

impl Analysis {
    pub fn primary(&self) -> Option<&TargetPath> {
        self.targets.iter().find(|t| t.primary)
    }

    /// The judged target of this host name.
    pub fn target(&self, host: &str) -> Option<&TargetPath> {
        self.targets.iter().find(|t| t.target.host == host)
    }
}

/// Runs the engine over `facts`.
pub fn analyze(facts: &Facts) -> Analysis {
    let region = facts.region().map(str::to_string);
    let cx = Cx::new(facts);
    let route_table = cx.table.map(|(t, assoc)| EffectiveTable {
        id: t.id.clone(),
        association: assoc.to_string(),
    });
    let settings = crate::names::S3Settings::of(facts.client_settings.get());
    let bucket_regions = facts.bucket_regions();
    let endpoints = facts.vpc_endpoints.get().map(Vec::as_slice).unwrap_or(&[]);
    let (targets, names) = match &region {
        None => (Vec::new(), Vec::new()),
        Some(r) => {
            let input = targets::PlanInput {
                region: r,
                buckets: &facts.request.buckets,
                bucket_regions: &bucket_regions,
                endpoints,
                settings: &settings,
            };
            let mut planned = targets::plan_with(&input);
            // A presigned URL's host, unless it is already one of the names judged.
            if let Some(p) = facts.presigned.get() {
                if !planned.iter().any(|t| t.host.eq_ignore_ascii_case(&p.host)) {
                    planned.push(Target::new(p.host.clone(), TargetClass::Presigned));
                }
            }
            let judged = planned
                .into_iter()
                .enumerate()
                .map(|(i, t)| target::judge_target(&cx, t, i == 0))
                .collect();
            (judged, targets::name_plans(&input))
        }
    };
    Analysis {
        region,
        route_table,
        targets,
        names,
    }
}

/// Finds the route table that governs `subnet_id`: its explicit association, else the main
/// table of its VPC.
pub fn effective_table<'a>(
    tables: &'a [RouteTable],
    subnet_id: &str,
    vpc_id: Option<&str>,
) -> Option<(&'a RouteTable, &'static str)> {
    if let Some(t) = tables
        .iter()
        .find(|t| t.subnet_ids.iter().any(|s| s == subnet_id))
    {
        return Some((t, "explicit"));
    }
    tables
        .iter()
        .find(|t| {
            t.main && (vpc_id.is_none() || t.vpc_id.is_none() || t.vpc_id.as_deref() == vpc_id)
        })
        .map(|t| (t, "main"))
}
