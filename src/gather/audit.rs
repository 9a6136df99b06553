//! The inventory of `s3path audit`: per region, one set of Describe calls (each paginated),
//! whatever the number of subnets, route tables or endpoints — subnets, VPCs, route tables,
//! VPC endpoints (their ENIs in one call), NAT gateways, network ACLs, then the prefix lists the
//! routes name (one GetManagedPrefixListEntries per list) and the internet gateways they name.
//! Only VPCs with an S3 interface endpoint whose private DNS is on cost two more calls
//! (DescribeVpcAttribute). Regions run in parallel; everything is bounded by one deadline.

use std::time::Duration;

use super::context::AwsContext;
use super::deadline::Deadline;
use super::ec2;
use super::progress::Progress;
use crate::facts::inventory::{AuditFacts, AuditRequest, Inventory, AUDIT_SCHEMA_VERSION};
use crate::facts::{EndpointType, Failure, Observed};

/// The IAM actions `audit --cost` adds (read-only); docs/iam-policy.json grants them.
pub const COST_ACTIONS: [&str; 1] = ["cloudwatch:GetMetricData"];

/// The days of NAT gateway metrics `--cost` reads.
pub const COST_DAYS: u32 = 14;

/// What `audit` reads.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    pub regions: Vec<String>,
    pub vpc_ids: Vec<String>,
    pub buckets: Vec<String>,
    pub timeout: Duration,
    /// `--cost`: read the NAT gateways' processed bytes from CloudWatch.
    pub cost: bool,
    /// `--profile`: the profile for credentials (else `AWS_PROFILE`).
    pub profile: Option<String>,
}

/// The bytes each NAT gateway processed over the last [`COST_DAYS`] days: one batched
/// `GetMetricData` per region (`AWS/NATGateway` `BytesInFromSource` and
/// `BytesInFromDestination`, daily sums), paginated. The endpoint is resolved as the SDKs do
/// (`AWS_ENDPOINT_URL_CLOUDWATCH`, `AWS_ENDPOINT_URL`, the profile, …: `gather::endpoints`).
async fn nat_bytes(
    ec2: &ec2::Client,
    nats: &[String],
    run: &Deadline,
) -> Observed<Vec<crate::facts::inventory::NatBytes>> {
    use super::aws::{text_of, Params};
    if nats.is_empty() {
        return Observed::collected(Vec::new());
    }
    let c = ec2.sibling("monitoring", "2010-08-01", None, run.left());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let end = now - now % 86_400;
    let start = end - u64::from(COST_DAYS) * 86_400;
    let metrics = ["BytesInFromSource", "BytesInFromDestination"];
    let mut params = Params::new()
        .set("StartTime", crate::facts::rfc3339(start))
        .set("EndTime", crate::facts::rfc3339(end))
        .set("ScanBy", "TimestampAscending");
    let mut n = 0;
    for (i, nat) in nats.iter().enumerate() {
        for (j, m) in metrics.iter().enumerate() {
            n += 1;
            let p = format!("MetricDataQueries.member.{n}");
            params = params
                .set(&format!("{p}.Id"), format!("n{i}m{j}"))
                .set(
                    &format!("{p}.MetricStat.Metric.Namespace"),
                    "AWS/NATGateway",
                )
                .set(&format!("{p}.MetricStat.Metric.MetricName"), *m)
                .set(
                    &format!("{p}.MetricStat.Metric.Dimensions.member.1.Name"),
                    "NatGatewayId",
                )
                .set(
                    &format!("{p}.MetricStat.Metric.Dimensions.member.1.Value"),
                    nat.clone(),
                )
                .set(&format!("{p}.MetricStat.Period"), "86400")
                .set(&format!("{p}.MetricStat.Stat"), "Sum")
                .set(&format!("{p}.ReturnData"), "true");
        }
    }
    let mut sums = vec![[0f64; 2]; nats.len()];
    // A value that is not a finite number of bytes ≥ 0 (CloudWatch's own are): the first,
    // which fails the part rather than be summed into money.
    let mut refused: Option<String> = None;
    let read = c.pages("GetMetricData", &params, "MetricDataResults", |r| {
        let Some(id) = text_of(r, "Id") else { return };
        let Some((i, j)) = id
            .strip_prefix('n')
            .and_then(|x| x.split_once('m'))
            .and_then(|(i, j)| Some((i.parse::<usize>().ok()?, j.parse::<usize>().ok()?)))
        else {
            return;
        };
        let Some(slot) = sums.get_mut(i).and_then(|s| s.get_mut(j)) else {
            return;
        };
        for v in super::aws::strings(r, "Values") {
            match crate::input::non_negative_decimal(&v) {
                Some(x) if (*slot + x).is_finite() => *slot += x,
                _ => {
                    refused.get_or_insert_with(|| {
                        format!(
                            "cloudwatch:GetMetricData: {} of {} has the value {:?}, not a finite number of bytes of at least 0; the NAT cost is not computed from it",
                            metrics[j],
                            nats[i],
                            v.chars().take(40).collect::<String>()
                        )
                    });
                }
            }
        }
    });
    let read = run.run(read).await;
    if let (Some(Ok(())), Some(why)) = (&read, refused) {
        return Observed::failed(why);
    }
    match read {
        None => timed_out("cloudwatch:GetMetricData", run.left()),
        Some(Err(e)) => Observed::failed(format!("cloudwatch:GetMetricData: {}", e.message)),
        Some(Ok(())) => Observed::collected(
            nats.iter()
                .zip(sums)
                .map(|(nat, [src, dst])| crate::facts::inventory::NatBytes {
                    nat_gateway_id: nat.clone(),
                    bytes_in_from_source: src,
                    bytes_in_from_destination: dst,
                    days: COST_DAYS,
                })
                .collect(),
        ),
    }
}

fn within<T>(got: Option<Observed<T>>, what: &str, budget: Duration) -> Observed<T> {
    got.unwrap_or_else(|| timed_out(what, budget))
}

fn timed_out<T>(what: &str, after: Duration) -> Observed<T> {
    Observed::failed_with(
        format!("{what}: no answer within the --timeout budget"),
        Failure::TimedOut {
            action: Some(what.to_string()),
            after_ms: Some(after.as_millis() as u64),
        },
    )
}

/// The inventory of one region.
pub async fn inventory(
    context: &AwsContext,
    region: &str,
    vpc_ids: &[String],
    run: &Deadline,
    endpoint: Option<&str>,
    cost: bool,
    progress: &dyn Progress,
) -> Inventory {
    progress.phase(&format!(
        "{region}: subnets, VPCs, route tables, endpoints, NAT gateways, network ACLs"
    ));
    let budget = run.left();
    let c = ec2::client(context, region, budget, endpoint);
    let filter = ec2::vpcs_filter(vpc_ids);
    let (subnets, vpcs, tables, endpoints, nats, acls) = tokio::join!(
        async {
            within(
                run.run(ec2::subnets(&c, &filter)).await,
                "ec2:DescribeSubnets",
                budget,
            )
        },
        async {
            within(
                run.run(ec2::vpcs(&c, vpc_ids)).await,
                "ec2:DescribeVpcs",
                budget,
            )
        },
        async {
            within(
                run.run(ec2::route_tables(&c, &filter)).await,
                "ec2:DescribeRouteTables",
                budget,
            )
        },
        async {
            within(
                run.run(ec2::endpoints(&c, &filter)).await,
                "ec2:DescribeVpcEndpoints",
                budget,
            )
        },
        async {
            within(
                run.run(ec2::nat_gateways(&c, &filter)).await,
                "ec2:DescribeNatGateways",
                budget,
            )
        },
        async {
            within(
                run.run(ec2::network_acls(&c, &filter)).await,
                "ec2:DescribeNetworkAcls",
                budget,
            )
        },
    );
    // The lists and internet gateways the routes name (plus the region's own S3 lists).
    let (lists, igws) = ec2::named_by_routes(&tables);
    progress.phase(&format!("{region}: prefix lists, internet gateways"));
    let (prefix_lists, internet_gateways) = tokio::join!(
        async {
            within(
                run.run(ec2::prefix_lists(&c, region, lists)).await,
                "ec2:GetManagedPrefixListEntries",
                budget,
            )
        },
        async {
            match &tables {
                Observed::Collected { .. } => within(
                    run.run(ec2::internet_gateways(&c, igws)).await,
                    "ec2:DescribeInternetGateways",
                    budget,
                ),
                other => other.status_only(),
            }
        },
    );
    // DNS attributes only where an S3 interface endpoint's private DNS depends on them.
    let mut vpcs = vpcs;
    if let (Observed::Collected { value: vs }, Some(eps)) = (&mut vpcs, endpoints.get()) {
        // The VPCs with such an endpoint, once (linear in VPCs + endpoints).
        let with_private_dns: std::collections::HashSet<&str> = eps
            .iter()
            .filter(|e| {
                e.endpoint_type == EndpointType::Interface
                    && e.is_s3_service(region)
                    && e.private_dns_enabled
            })
            .filter_map(|e| e.vpc_id.as_deref())
            .collect();
        let wanted: Vec<usize> = vs
            .iter()
            .enumerate()
            .filter(|(_, v)| with_private_dns.contains(v.id.as_str()))
            .map(|(i, _)| i)
            .collect();
        if !wanted.is_empty() {
            progress.phase(&format!("{region}: VPC DNS attributes"));
        }
        let attrs = super::dns::join_all(wanted.iter().map(|&i| {
            let id = vs[i].id.clone();
            let c = &c;
            async move { run.run(ec2::dns_attributes(c, &id)).await }
        }))
        .await;
        for (i, a) in wanted.into_iter().zip(attrs) {
            vs[i].dns_attributes = a.and_then(|o| o.get().cloned());
        }
    }
    let nat_bytes = if cost {
        match nats.get() {
            Some(ns) => {
                let ids: Vec<String> = ns
                    .iter()
                    .filter(|n| n.state == crate::facts::NatState::Available)
                    .map(|n| n.id.clone())
                    .collect();
                progress.phase(&format!("{region}: NAT gateway metrics (CloudWatch)"));
                nat_bytes(&c, &ids, run).await
            }
            None => nats.status_only(),
        }
    } else {
        crate::facts::inventory::not_asked()
    };
    progress.step();
    Inventory {
        nat_bytes,
        region: region.to_string(),
        subnets,
        vpcs,
        route_tables: tables,
        vpc_endpoints: endpoints,
        prefix_lists,
        internet_gateways,
        nat_gateways: nats,
        network_acls: acls,
        calls: c.calls(),
    }
}

/// The regions of the account (`DescribeRegions`, opted-in ones), for `--all-regions`.
pub async fn all_regions(
    context: &AwsContext,
    home: &str,
    run: &Deadline,
    endpoint: Option<&str>,
) -> Result<Vec<String>, String> {
    let c = ec2::client(context, home, run.left(), endpoint);
    run.run(ec2::regions(&c)).await.unwrap_or_else(|| {
        Err("ec2:DescribeRegions: no answer within the --timeout budget".to_string())
    })
}

/// Reads every region of `opts` in parallel, within one deadline.
pub fn gather_audit(
    opts: &AuditOptions,
    endpoint: Option<&str>,
    all_regions_from: Option<&str>,
    progress: &dyn Progress,
) -> Result<AuditFacts, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    rt.block_on(async {
        let run = Deadline::after(opts.timeout);
        // One context for every region: the configuration is loaded and the credentials are
        // resolved once for the run.
        let home = all_regions_from
            .or(opts.regions.first().map(String::as_str))
            .unwrap_or("us-east-1");
        let context = AwsContext::new(home, run).with_profile(opts.profile.clone());
        let mut regions = opts.regions.clone();
        if let Some(home) = all_regions_from {
            progress.phase(&format!("{home}: the account's regions"));
            for r in all_regions(&context, home, &run, endpoint).await? {
                if !regions.contains(&r) {
                    regions.push(r);
                }
            }
        }
        progress.set_total(regions.len() as u64);
        let inventories = super::dns::join_all(regions.iter().map(|r| {
            inventory(
                &context,
                r,
                &opts.vpc_ids,
                &run,
                endpoint,
                opts.cost,
                progress,
            )
        }))
        .await;
        Ok(AuditFacts {
            schema_version: AUDIT_SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            gathered_at: None,
            request: AuditRequest {
                regions,
                vpc_ids: opts.vpc_ids.clone(),
                buckets: opts.buckets.clone(),
                cost: opts.cost,
            },
            regions: inventories,
        })
    })
}
