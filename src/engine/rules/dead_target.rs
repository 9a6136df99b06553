//! A route whose target cannot carry traffic makes the path `blocked`: `blackhole` when AWS
//! marks the route so, `dead_target` when the target's own state says it (a NAT gateway that
//! is not `available` or no longer exists, an internet gateway that does not exist or is not
//! attached to the VPC, a VPC endpoint that does not exist or is not `available`), with the
//! typed cause in `dead_target` (the checks layer writes the command that fixes it). Whether a
//! target is dead is [`crate::engine::liveness`].

use crate::engine::context::Cx;
use crate::engine::kinds::{BlockCause, DeadRoute, Decision};
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
    match liveness::of(route, cx.facts) {
        liveness::Liveness::Usable => None,
        liveness::Liveness::Dead(dead) => {
            let reason = dead.reason(&route.destination_label());
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
            d.dead_target = Some(DeadRoute {
                target: dead,
                route: route.clone(),
                route_table: table.id.clone(),
            });
            Some(d)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::kinds::{BlockCause, Confidence, EvidenceKind, PathKind};
    use crate::engine::testing::*;
    use crate::facts::EndpointType;

    // The remedy's wording belongs to `liveness`; these tests pin the decision only.

    #[test]
    fn a_blackhole_route_blocks_and_names_its_target() {
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> nat-1 (blackhole)"])
            .build();
        let d = decide_s3(&f, "52.216.1.1");
        assert_eq!(d.path, PathKind::Blocked);
        assert_eq!(d.blocked_by, Some(BlockCause::Blackhole));
        assert_eq!(d.via.as_deref(), Some("nat-1"));
        assert_eq!(d.route.as_deref(), Some("0.0.0.0/0 -> nat-1"));
        assert!(d.reason.as_deref().is_some_and(|r| r.starts_with(
            "the matching route 0.0.0.0/0 -> nat-1 leads nowhere: the route 0.0.0.0/0 -> nat-1 is a blackhole"
        )));
        assert_eq!(
            evidence(&d, EvidenceKind::Route),
            ["longest match for 52.216.1.1 in rtb-1: 0.0.0.0/0 -> nat-1 (blackhole)"]
        );
    }

    #[test]
    fn a_blackhole_prefix_list_route_still_wins_the_match() {
        // The blackhole is the longest match: traffic does not fall back to the default route.
        let f = FactsBuilder::new()
            .table(
                "rtb-1",
                &["0.0.0.0/0 -> nat-1", "pl-s3 -> vpce-gw (blackhole)"],
            )
            .prefix_list("pl-s3", "com.amazonaws.us-east-1.s3", &["52.216.0.0/15"])
            .build();
        let d = decide_s3(&f, "52.216.1.1");
        assert_eq!(d.blocked_by, Some(BlockCause::Blackhole));
        assert_eq!(d.via.as_deref(), Some("vpce-gw"));
    }

    #[test]
    fn a_deleted_or_failed_nat_gateway_is_a_dead_target() {
        let table = ["0.0.0.0/0 -> nat-1"];
        let deleted = FactsBuilder::new()
            .table("rtb-1", &table)
            .nat("nat-2", "available")
            .build();
        let d = decide_s3(&deleted, "52.216.1.1");
        assert_eq!(d.blocked_by, Some(BlockCause::DeadTarget));
        assert!(d.reason.as_deref().is_some_and(
            |r| r.ends_with("NAT gateway nat-1 is not among the VPC's NAT gateways (deleted)")
        ));
        let failed = FactsBuilder::new()
            .table("rtb-1", &table)
            .nat("nat-1", "failed")
            .build();
        let d = decide_s3(&failed, "52.216.1.1");
        assert_eq!(d.blocked_by, Some(BlockCause::DeadTarget));
        assert_eq!(
            d.reason.as_deref(),
            Some(
                "the matching route 0.0.0.0/0 -> nat-1 leads nowhere: NAT gateway nat-1 is failed"
            )
        );
    }

    #[test]
    fn an_available_nat_gateway_or_an_unread_nat_list_carries_traffic() {
        let table = ["0.0.0.0/0 -> nat-1"];
        let available = FactsBuilder::new()
            .table("rtb-1", &table)
            .nat("nat-1", "available")
            .build();
        assert_eq!(
            decide_s3(&available, "52.216.1.1").path,
            PathKind::NatGateway
        );
        // NAT gateways not collected: nothing says the target is dead.
        let unread = FactsBuilder::new().table("rtb-1", &table).build();
        assert_eq!(decide_s3(&unread, "52.216.1.1").path, PathKind::NatGateway);
    }

    #[test]
    fn a_detached_internet_gateway_is_a_dead_target() {
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> igw-1"])
            .igw("igw-1", Some("vpc-other"))
            .public_ip("54.0.0.1")
            .build();
        let d = decide_s3(&f, "52.216.1.1");
        assert_eq!(d.blocked_by, Some(BlockCause::DeadTarget));
        assert!(d
            .reason
            .as_deref()
            .is_some_and(|r| r.ends_with("internet gateway igw-1 is not attached to vpc-1")));
    }

    #[test]
    fn a_deleted_or_pending_gateway_endpoint_is_a_dead_target() {
        let routes = ["0.0.0.0/0 -> nat-1", "pl-s3 -> vpce-gw"];
        let list = ("pl-s3", "com.amazonaws.us-east-1.s3", ["52.216.0.0/15"]);
        let deleted = FactsBuilder::new()
            .table("rtb-1", &routes)
            .prefix_list(list.0, list.1, &list.2)
            .build();
        let d = decide_s3(&deleted, "52.216.1.1");
        assert_eq!(d.blocked_by, Some(BlockCause::DeadTarget));
        assert!(d
            .reason
            .as_deref()
            .is_some_and(|r| r.ends_with("VPC endpoint vpce-gw does not exist (deleted)")));
        let pending = FactsBuilder::new()
            .table("rtb-1", &routes)
            .prefix_list(list.0, list.1, &list.2)
            .endpoint(endpoint("vpce-gw", EndpointType::Gateway, "pending"))
            .build();
        let d = decide_s3(&pending, "52.216.1.1");
        assert_eq!(d.blocked_by, Some(BlockCause::DeadTarget));
        assert_eq!(d.via.as_deref(), Some("vpce-gw"));
        assert!(d
            .reason
            .as_deref()
            .is_some_and(|r| r.ends_with("VPC endpoint vpce-gw is pending")));
    }

    #[test]
    fn a_blocked_path_that_does_not_connect_is_confirmed() {
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> nat-1 (blackhole)"])
            .tcp("52.216.1.1", crate::facts::TcpOutcome::TimedOut)
            .build();
        let d = decide_s3(&f, "52.216.1.1");
        assert_eq!(d.confidence, Confidence::Confirmed);
        assert_eq!(d.probe_agrees, Some(true));
    }
}
