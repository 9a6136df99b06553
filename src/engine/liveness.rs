//! Whether a route's target exists and can carry traffic. AWS shows a route whose target is
//! gone as `blackhole`, but not every source does (moto keeps it `active`, and a saved facts
//! file may predate the change), so the target's own state is checked too.
//!
//! The answer is typed ([`DeadTarget`]): the engine says what is wrong; the command that fixes
//! it is written by the checks layer (`checks::fixes`).

pub use super::kinds::DeadTarget;
use crate::facts::{Facts, Route};

/// The state of a route's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Liveness {
    /// It exists and is usable, or nothing says otherwise.
    Usable,
    /// It cannot carry traffic.
    Dead(DeadTarget),
}

/// Checks `route`'s target against the facts.
pub fn of(route: &Route, facts: &Facts) -> Liveness {
    let dead = Liveness::Dead;
    if route.is_blackhole() {
        return dead(DeadTarget::Blackhole {
            target: super::text::route_target_label(route),
        });
    }
    let vpc = facts.vantage.get().and_then(|v| v.vpc_id.as_deref());
    if let Some(id) = route.nat_gateway_id.as_deref() {
        if let Some(nats) = facts.nat_gateways.get() {
            return match nats.iter().find(|n| n.id == id) {
                None => dead(DeadTarget::NatDeleted { id: id.to_string() }),
                Some(n) if n.state != "available" => dead(DeadTarget::NatNotAvailable {
                    id: id.to_string(),
                    state: n.state.clone(),
                }),
                Some(_) => Liveness::Usable,
            };
        }
        return Liveness::Usable;
    }
    if let Some(id) = route.gateway_id.as_deref() {
        if id.starts_with("igw-") {
            if let Some(igws) = facts.internet_gateways.get() {
                return match igws.iter().find(|g| g.id == id) {
                    None => dead(DeadTarget::InternetGatewayDeleted { id: id.to_string() }),
                    Some(g)
                        if !g.attachments.iter().any(|a| {
                            vpc.is_none_or(|v| v == a.vpc_id)
                                && matches!(a.state.as_str(), "available" | "attached")
                        }) =>
                    {
                        dead(DeadTarget::InternetGatewayDetached {
                            id: id.to_string(),
                            vpc_id: vpc.map(str::to_string),
                        })
                    }
                    Some(_) => Liveness::Usable,
                };
            }
        } else if id.starts_with("vpce-") {
            if let Some(eps) = facts.vpc_endpoints.get() {
                return match eps.iter().find(|e| e.id == id) {
                    None => dead(DeadTarget::EndpointDeleted { id: id.to_string() }),
                    Some(e) if !e.is_available() => dead(DeadTarget::EndpointNotAvailable {
                        id: id.to_string(),
                        state: e.state.clone(),
                    }),
                    Some(_) => Liveness::Usable,
                };
            }
        }
    }
    Liveness::Usable
}
