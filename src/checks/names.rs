//! What the name checks (S3P701–S3P704) share: each `--bucket` input's planned names with the
//! path the engine found for them, the VPC's endpoints by service, and where a name goes when
//! it cannot use an endpoint.

use super::context::Context;
use crate::engine::{PathKind, TargetPath};
use crate::facts::{EndpointType, VpcEndpoint};
use crate::names::{compat, Compat, NamePlan, PlannedName};

/// One planned name of one input, with its judged target.
pub struct NameView<'a> {
    pub plan: &'a NamePlan,
    pub name: &'a PlannedName,
    pub target: Option<&'a TargetPath>,
    pub compat: &'static Compat,
}

impl NameView<'_> {
    /// `'s3://logs/a.csv' (bucket)`
    pub fn label(&self) -> String {
        format!(
            "--bucket '{}' ({})",
            self.plan.name.input,
            self.plan.name.kind.label()
        )
    }

    /// `d` with this name's evidence: the compatibility row (and its AWS page), then how the
    /// engine judged the name.
    pub fn with_evidence(&self, d: super::context::Draft) -> super::context::Draft {
        let d = d.evidence(format!("{}: {}", self.compat.source, self.compat.why));
        match self.target {
            Some(t) => d.evidence_of(&t.decision),
            None => d,
        }
    }

    /// True when the judged path is a VPC endpoint already.
    pub fn on_endpoint(&self) -> bool {
        self.target.is_some_and(|t| {
            matches!(
                t.decision.path,
                PathKind::GatewayEndpoint | PathKind::InterfaceEndpoint
            )
        })
    }
}

/// Every planned name of every input.
pub fn views<'a>(cx: &Context<'a>) -> Vec<NameView<'a>> {
    cx.analysis
        .names
        .iter()
        .flat_map(|plan| {
            plan.names.iter().map(move |name| NameView {
                plan,
                name,
                target: cx.analysis.target(&name.host),
                compat: compat(name.host_kind),
            })
        })
        .collect()
}

/// The endpoints of the VPC whose service is [`crate::names::service_name`] of `region` and
/// `service` (the global name when `region` is empty), of type `ty`.
pub fn endpoints_of<'a>(
    cx: &Context<'a>,
    region: &str,
    service: &str,
    ty: EndpointType,
) -> Vec<&'a VpcEndpoint> {
    let wanted = crate::names::service_name(region, service);
    cx.facts
        .vpc_endpoints
        .get()
        .map(|eps| {
            eps.iter()
                .filter(|e| e.endpoint_type == ty)
                .filter(|e| {
                    e.service_name
                        .as_deref()
                        .is_some_and(|s| s == wanted || s == format!("cn.{wanted}"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The gateway endpoints of `service` on the subnet's route table.
pub fn gateways_on_table<'a>(
    cx: &Context<'a>,
    region: &str,
    service: &str,
) -> Vec<&'a VpcEndpoint> {
    let Some(table) = cx.analysis.route_table.as_ref() else {
        return Vec::new();
    };
    endpoints_of(cx, region, service, EndpointType::Gateway)
        .into_iter()
        .filter(|e| e.route_table_ids.iter().any(|t| t == &table.id))
        .collect()
}

/// Where a name's traffic goes: its judged path, or (when it could not be judged) where the
/// subnet's default route sends it.
pub fn goes_instead(cx: &Context, target: Option<&TargetPath>) -> String {
    if let Some(t) = target {
        if t.decision.path != PathKind::Unknown {
            return format!("it takes {}", t.decision.described());
        }
    }
    let default = cx.analysis.route_table.as_ref().and_then(|rt| {
        let table = cx
            .facts
            .route_tables
            .get()?
            .iter()
            .find(|t| t.id == rt.id)?;
        table
            .routes
            .iter()
            .find(|r| {
                r.destination_cidr_block
                    .is_some_and(|c| c.prefix_len() == 0)
            })
            .map(|r| {
                format!(
                    "0.0.0.0/0 -> {} on {}",
                    crate::engine::route_target_label(r),
                    table.id
                )
            })
    });
    match default {
        Some(d) => format!("its addresses are outside the endpoint's reach, so it leaves by the default route ({d})"),
        None => "its path could not be judged".to_string(),
    }
}

/// An endpoint policy whose Allow statements name access points only (no bucket ARN): requests
/// by bucket name are denied by it, through the access point allowed (S3P703 says which).
pub fn allows_access_points_only(p: &crate::policy::Policy) -> bool {
    let mut resources = allowed_resources(p).peekable();
    resources.peek().is_some() && resources.all(|r| r.contains(":accesspoint/"))
}

/// The resources of a policy's Allow statements, in order.
pub fn allowed_resources(p: &crate::policy::Policy) -> impl Iterator<Item = &String> {
    p.statements
        .iter()
        .filter(|s| s.effect == crate::policy::Effect::Allow)
        .flat_map(|s| s.resource.iter().flatten())
}
