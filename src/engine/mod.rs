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

pub mod analysis;
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

pub use analysis::{AddressPath, Analysis, EffectiveTable, TargetPath};
pub use context::effective_table;
pub use kinds::{BlockCause, Confidence, Decision, Evidence, EvidenceKind, Hop, PathKind};
pub use text::{
    classify_route_target, join_capped, join_ips, route_target_label, tcp_outcome_name,
    EVIDENCE_LIST_CAP,
};

use crate::facts::Facts;
use crate::names::targets::{self, Target, TargetRole};
use context::Cx;

/// Runs the engine over `facts`.
pub fn analyze(facts: &Facts) -> Analysis {
    let region = facts.region().map(str::to_string);
    let cx = Cx::new(facts);
    let route_table = cx.table.map(|(t, assoc)| EffectiveTable {
        id: t.id.clone(),
        association: assoc,
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
                    planned.push(Target::new(p.host.clone(), TargetRole::Presigned));
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
