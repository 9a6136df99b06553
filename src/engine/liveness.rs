//! Whether a route's target exists and can carry traffic. AWS shows a route whose target is
//! gone as `blackhole`, but not every source does (moto keeps it `active`, and a saved facts
//! file may predate the change), so the target's own state is checked too.
//!
//! The answer is typed ([`DeadTarget`]): the engine says what is wrong; the command that fixes
//! it is written by the checks layer (`checks::fixes`).

pub use super::kinds::DeadTarget;
use crate::facts::{Facts, NatState, Route, RouteTarget};

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
    let endpoints = facts.vpc_endpoints.get().map(Vec::as_slice);
    match route.target(endpoints) {
        Some(RouteTarget::Nat(id)) => match facts.nat_gateways.get() {
            Some(nats) => match nats.iter().find(|n| n.id == id) {
                None => dead(DeadTarget::NatDeleted { id }),
                Some(n) if n.state != NatState::Available => dead(DeadTarget::NatNotAvailable {
                    id,
                    state: n.state.clone(),
                }),
                Some(_) => Liveness::Usable,
            },
            None => Liveness::Usable,
        },
        Some(RouteTarget::InternetGateway(id)) => match facts.internet_gateways.get() {
            Some(igws) => match igws.iter().find(|g| g.id == id) {
                None => dead(DeadTarget::InternetGatewayDeleted { id }),
                Some(g)
                    if !g
                        .attachments
                        .iter()
                        .any(|a| vpc.is_none_or(|v| v == a.vpc_id) && a.state.is_attached()) =>
                {
                    dead(DeadTarget::InternetGatewayDetached {
                        id,
                        vpc_id: vpc.map(str::to_string),
                    })
                }
                Some(_) => Liveness::Usable,
            },
            None => Liveness::Usable,
        },
        Some(RouteTarget::GatewayEndpoint(id) | RouteTarget::GwlbEndpoint(id)) => match endpoints {
            Some(eps) => match eps.iter().find(|e| e.id == id) {
                None => dead(DeadTarget::EndpointDeleted { id }),
                Some(e) if !e.is_available() => dead(DeadTarget::EndpointNotAvailable {
                    id,
                    state: e.state.clone(),
                }),
                Some(_) => Liveness::Usable,
            },
            None => Liveness::Usable,
        },
        _ => Liveness::Usable,
    }
}
