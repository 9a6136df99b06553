//! Beyond a transit gateway (hub-and-spoke): when a route of the vantage's VPC names a transit
//! gateway, the VPC's attachments to it, the transit gateway route tables associated with them
//! and their routes, and each VPC those routes lead to, read like the vantage's own VPC (route
//! tables, endpoints with their ENIs, security groups, prefix lists, NAT and internet
//! gateways). EC2 Describe/Search calls only, bounded by the run's budget; the engine follows
//! the address through them (`engine::rules::transit`).

use std::collections::BTreeSet;
use std::time::Duration;

use super::aws::{items, text_at, text_of, Params};
use super::context::AwsContext;
use super::ec2::{self, Client};
use crate::facts::{
    limits, HubVpc, Observed, RouteTable, TgwAttachment, TgwRoute, TgwRouteAttachment,
    TgwRouteTable, Transit,
};

/// What the `--hub-role-arn` role is used for: the transit gateway's attachments and route
/// tables, each hub VPC read like the vantage's own (`ec2::gather`), and a shared zone's records
/// (docs/iam-policy-hub.json grants exactly these; tests/registry.rs checks it).
pub const FAR_ACTIONS: &[&str] = &[
    "ec2:DescribeRouteTables",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeManagedPrefixLists",
    "ec2:GetManagedPrefixListEntries",
    "ec2:DescribePrefixLists",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeVpcAttribute",
    "ec2:DescribeVpcs",
    "ec2:DescribeNatGateways",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeTransitGatewayAttachments",
    "ec2:SearchTransitGatewayRoutes",
    "ec2:DescribeTransitGatewayVpcAttachments",
    "route53:ListResourceRecordSets",
];

/// The transit gateways the routes of `tables` name.
fn named_gateways(tables: &[RouteTable]) -> BTreeSet<String> {
    tables
        .iter()
        .flat_map(|t| t.routes.iter())
        .filter_map(|r| r.transit_gateway_id.clone())
        .collect()
}

/// The far side's reader (`--hub-role-arn`): an EC2 client and the context with the assumed
/// role's credentials. Without it the far side is read with the run's own credentials.
#[derive(Clone, Copy)]
pub struct Far<'a> {
    pub client: &'a Client,
    pub context: &'a AwsContext,
}

/// Reads what lies beyond the transit gateways `tables` (the vantage VPC's route tables) name:
/// the transit gateway's attachments, route tables and the hub VPCs with `far` when given (the
/// transit gateway owner's account), else with `c`; the vantage VPC's private hosted zones and
/// Resolver rules with `context` (a zone's records with `far` when the run's credentials cannot
/// read them).
pub async fn gather(
    c: &Client,
    context: &AwsContext,
    far: Option<Far<'_>>,
    region: &str,
    vpc_id: &str,
    tables: &Observed<Vec<RouteTable>>,
    budget: Duration,
) -> Observed<Transit> {
    let Some(tables) = tables.get() else {
        return Observed::not_collected("the VPC's route tables were not read");
    };
    let tgws = named_gateways(tables);
    if tgws.is_empty() {
        return Observed::not_collected("no route of the VPC names a transit gateway");
    }
    let started = tokio::time::Instant::now();
    // The zones and rules get three quarters of the budget: a slow Route 53 (a global
    // endpoint, reached through the NAT or not at all from a private subnet) fails its own
    // piece, never the transit gateway hops read beside it.
    let dns_budget = budget.mul_f64(0.75);
    let both = async {
        tokio::join!(
            follow(far.map_or(c, |f| f.client), region, vpc_id, &tgws, budget),
            super::private_dns::gather(context, far.map(|f| f.context), region, vpc_id, dns_budget)
        )
    };
    match tokio::time::timeout(budget, both).await {
        Ok((mut t, dns)) => {
            if let Observed::Collected { value } = &mut t {
                value.private_dns = dns;
            }
            t
        }
        Err(_) => super::deadline::no_answer(
            "the transit gateway hops",
            "ec2:SearchTransitGatewayRoutes",
            started.elapsed().as_millis() as u64,
        ),
    }
}

async fn follow(
    c: &Client,
    region: &str,
    vpc_id: &str,
    tgws: &BTreeSet<String>,
    budget: Duration,
) -> Observed<Transit> {
    let deadline = tokio::time::Instant::now() + budget;
    let tgw_ids: Vec<&String> = tgws.iter().collect();
    let mut attachments = Vec::new();
    let got = c
        .pages(
            "DescribeTransitGatewayAttachments",
            &Params::new()
                .filter("resource-id", &[vpc_id])
                .filter("transit-gateway-id", &tgw_ids),
            "transitGatewayAttachments",
            |a| attachments.push(attachment(a)),
        )
        .await;
    if let Err(e) = got {
        return ec2::fail("ec2:DescribeTransitGatewayAttachments", &e);
    }
    attachments.truncate(limits::TGW_ATTACHMENTS);
    // Each associated route table once, searched in parallel.
    let table_ids: BTreeSet<(String, String)> = attachments
        .iter()
        .filter_map(|a| Some((a.route_table_id.clone()?, a.transit_gateway_id.clone())))
        .collect();
    let route_tables: Vec<TgwRouteTable> =
        futures_util::future::join_all(table_ids.into_iter().map(|(id, tgw)| async move {
            let (routes, truncated) = search_routes(c, &id).await;
            TgwRouteTable {
                id,
                transit_gateway_id: tgw,
                routes,
                truncated,
            }
        }))
        .await;
    // The VPCs the routes lead to (not the vantage's own), in the order the routes name them.
    let mut hub_attachments: Vec<(String, String)> = Vec::new();
    for r in route_tables
        .iter()
        .filter_map(|t| t.routes.get())
        .flatten()
        .flat_map(|r| r.attachments.iter())
    {
        let Some(vpc) = &r.resource_id else { continue };
        if r.resource_type == "vpc"
            && vpc != vpc_id
            && !hub_attachments.iter().any(|(_, v)| v == vpc)
            && hub_attachments.len() < limits::HUBS
        {
            hub_attachments.push((r.attachment_id.clone(), vpc.clone()));
        }
    }
    let subnets = attachment_subnets(c, &hub_attachments).await;
    let hubs =
        futures_util::future::join_all(hub_attachments.into_iter().map(|(attachment_id, hub)| {
            let subnets = subnets.clone();
            async move {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                let e = ec2::gather(c, region, &hub, left).await;
                HubVpc {
                    attachment_subnet_ids: match &subnets {
                        Ok(s) => s
                            .iter()
                            .filter(|(a, _)| *a == attachment_id)
                            .map(|(_, s)| s.clone())
                            .collect(),
                        Err(_) => Vec::new(),
                    },
                    vpc_id: hub,
                    attachment_id,
                    cidrs: match e.vpc_cidrs {
                        Observed::Collected { value: (v4, v6) } => {
                            Observed::collected(v4.into_iter().chain(v6).collect())
                        }
                        other => other.status_only(),
                    },
                    route_tables: e.route_tables,
                    vpc_endpoints: e.vpc_endpoints,
                    prefix_lists: e.prefix_lists,
                    security_groups: e.security_groups,
                    nat_gateways: e.nat_gateways,
                    internet_gateways: e.internet_gateways,
                }
            }
        }))
        .await;
    Observed::collected(Transit {
        attachments,
        route_tables,
        hubs,
        private_dns: Observed::not_collected("read beside the transit gateway hops"),
    })
}

fn attachment(a: roxmltree::Node<'_, '_>) -> TgwAttachment {
    let associated = text_at(a, &["association", "state"]).as_deref() != Some("disassociated");
    TgwAttachment {
        id: text_of(a, "transitGatewayAttachmentId").unwrap_or_default(),
        transit_gateway_id: text_of(a, "transitGatewayId").unwrap_or_default(),
        resource_type: text_of(a, "resourceType").unwrap_or_default(),
        resource_id: text_of(a, "resourceId"),
        state: text_of(a, "state").unwrap_or_else(|| "unknown".to_string()),
        route_table_id: text_at(a, &["association", "transitGatewayRouteTableId"])
            .filter(|_| associated),
    }
}

fn route_attachment(n: roxmltree::Node<'_, '_>) -> Option<TgwRouteAttachment> {
    Some(TgwRouteAttachment {
        attachment_id: text_of(n, "transitGatewayAttachmentId")?,
        resource_type: text_of(n, "resourceType").unwrap_or_default(),
        resource_id: text_of(n, "resourceId"),
    })
}

/// The active and blackhole routes of a transit gateway route table (one call: AWS returns at
/// most 1,000 and says when there are more).
async fn search_routes(c: &Client, table: &str) -> (Observed<Vec<TgwRoute>>, bool) {
    let got = c
        .one(
            "SearchTransitGatewayRoutes",
            &Params::new()
                .set("TransitGatewayRouteTableId", table)
                .filter("state", &["active", "blackhole"]),
            |root| {
                let routes: Vec<TgwRoute> = items(root, "routeSet")
                    .take(limits::TGW_ROUTES)
                    .map(|r| TgwRoute {
                        destination: text_of(r, "destinationCidrBlock")
                            .and_then(|d| d.parse().ok()),
                        prefix_list_id: text_of(r, "prefixListId"),
                        state: text_of(r, "state").unwrap_or_else(|| "unknown".to_string()),
                        route_type: text_of(r, "type"),
                        attachments: items(r, "transitGatewayAttachments")
                            .filter_map(route_attachment)
                            .take(limits::TGW_ATTACHMENTS)
                            .collect(),
                    })
                    .collect();
                let more = text_of(root, "additionalRoutesAvailable").as_deref() == Some("true");
                (routes, more)
            },
        )
        .await;
    match got {
        Ok((routes, more)) => (Observed::collected(routes), more),
        Err(e) => (ec2::fail("ec2:SearchTransitGatewayRoutes", &e), false),
    }
}

/// The subnets of each hub attachment: `(attachment id, subnet id)`.
async fn attachment_subnets(
    c: &Client,
    attachments: &[(String, String)],
) -> Result<Vec<(String, String)>, String> {
    if attachments.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&String> = attachments.iter().map(|(a, _)| a).collect();
    let mut out = Vec::new();
    c.pages(
        "DescribeTransitGatewayVpcAttachments",
        &Params::new().list("TransitGatewayAttachmentIds", &ids),
        "transitGatewayVpcAttachments",
        |a| {
            let id = text_of(a, "transitGatewayAttachmentId").unwrap_or_default();
            for s in super::aws::strings(a, "subnetIds") {
                out.push((id.clone(), s));
            }
        },
    )
    .await
    .map_err(|e| e.message.clone())?;
    Ok(out)
}
