use super::context::{pass, CheckResult, Context, Draft};
use crate::engine::{effective_table, route_target_label, BlockCause, PathKind};
use crate::facts::parts;

check! {
    NatGatewayNotUsable, "S3P106", "nat-gateway-not-usable", Routing, Error, Stable,
    "S3 is routed to a NAT gateway that is not available or has no way to the internet"
}

impl NatGatewayNotUsable {
    fn run(cx: &Context) -> CheckResult {
        let primary = cx.need_primary()?;
        let d = primary.decision.terminal();
        let dead_nat = d.path == PathKind::Blocked
            && d.blocked_by == Some(BlockCause::DeadTarget)
            && matches!(
                d.dead_route_target(),
                Some(crate::facts::RouteTarget::Nat(_))
            );
        if !(d.path == PathKind::NatGateway || dead_nat) || d.route.is_none() {
            return pass();
        }
        let nats = cx.need(parts::NatGateways)?;
        let id = d.via.as_deref().unwrap_or_default();
        let region = cx.region().unwrap_or("REGION");
        let Some(nat) = nats.iter().find(|n| n.id == id) else {
            return Ok(vec![Draft::new(format!(
                "the route sends S3 traffic to {id}, which is not among the VPC's NAT gateways (deleted, or in another account)"
            ))
            .fix(format!("aws ec2 describe-nat-gateways --region {region} --nat-gateway-ids {id}"))]);
        };
        let mut drafts = Vec::new();
        if nat.state != crate::facts::NatState::Available {
            drafts.push(
                Draft::new(format!("S3 traffic is routed to NAT gateway {id}, which is {}", nat.state))
                    .fix(format!(
                        "create a NAT gateway (or a gateway endpoint for S3) and point the route at it: {}",
                        super::context::gateway_endpoint_fix(cx, d.route_table.as_deref().unwrap_or("RTB_ID"))
                    ))
                    .evidence(format!("{id} state {}", nat.state)),
            );
        } else if nat.connectivity_type == crate::facts::NatConnectivity::Private {
            drafts.push(
                Draft::new(format!(
                    "S3 traffic is routed to {id}, a private NAT gateway: it translates to a private address and cannot reach S3's public endpoints by itself"
                ))
                .fix(super::context::gateway_endpoint_fix(cx, d.route_table.as_deref().unwrap_or("RTB_ID"))),
            );
        } else if let (Some(tables), Some(subnet)) =
            (cx.facts.route_tables.get(), nat.subnet_id.as_deref())
        {
            let vpc = cx.vpc_id();
            if let Some((t, _)) = effective_table(tables, subnet, vpc) {
                let to_igw = t.routes.iter().any(|r| {
                    r.destination_cidr_block
                        .is_some_and(|c| c.prefix_len() == 0)
                        && matches!(
                            r.target(None),
                            Some(crate::facts::RouteTarget::InternetGateway(_))
                        )
                        && !r.is_blackhole()
                });
                if !to_igw {
                    let routes: Vec<String> = t
                        .routes
                        .iter()
                        .map(|r| format!("{} -> {}", r.destination_label(), route_target_label(r)))
                        .collect();
                    drafts.push(
                        Draft::new(format!(
                            "NAT gateway {id} sits in {subnet}, whose route table {} has no default route to an internet gateway: its traffic goes nowhere",
                            t.id
                        ))
                        .fix(format!(
                            "aws ec2 create-route --region {region} --route-table-id {} --destination-cidr-block 0.0.0.0/0 --gateway-id IGW_ID",
                            t.id
                        ))
                        .evidence(format!("{} routes: {}", t.id, routes.join(", "))),
                    );
                }
            }
        }
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}
