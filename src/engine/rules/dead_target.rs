//! A route whose target cannot carry traffic makes the path `blocked`: `blackhole` when AWS
//! marks the route so, `dead_target` when the target's own state says it (a NAT gateway that
//! is not `available` or no longer exists, an internet gateway that does not exist or is not
//! attached to the VPC, a VPC endpoint that does not exist or is not `available`), with the
//! command that fixes it in `remedy`. Whether a target is dead is [`crate::engine::liveness`].

use crate::engine::context::Cx;
use crate::engine::kinds::{BlockCause, Decision};
use crate::engine::liveness;
use crate::engine::text::route_target_label;
use crate::facts::{Route, RouteTable};

/// `Some(blocked)` when `route` (written as `route_text`) leads nowhere; `None` when its
/// target is usable or nothing says otherwise.
pub(crate) fn rule(
    cx: &Cx,
    route: &Route,
    table: &RouteTable,
    route_text: &str,
) -> Option<Decision> {
    let region = cx.facts.region().unwrap_or("REGION");
    match liveness::of(route, cx.facts, region, &table.id) {
        liveness::Liveness::Usable => None,
        liveness::Liveness::Dead { reason, fix } => {
            let cause = if route.is_blackhole() {
                BlockCause::Blackhole
            } else {
                BlockCause::DeadTarget
            };
            let mut d = Decision::blocked(
                cause,
                format!("the matching route {route_text} leads nowhere: {reason}"),
            );
            d.via = Some(route_target_label(route));
            d.remedy = Some(fix);
            Some(d)
        }
    }
}
