//! `s3path audit`: every subnet of a region (or of some VPCs), judged from the control plane
//! alone — the same judgement as `route --subnet-id`, from one inventory per region read with
//! a constant set of Describe calls (paginated), however many subnets, tables or endpoints.
//!
//! The inventory ([`AuditFacts`]) is the saved facts of an audit (`--save-facts`, judged
//! offline by `audit --facts FILE`); everything here is a pure function of it.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::engine::{Confidence, PathKind};
#[cfg(test)]
use crate::facts::inventory::not_asked;
pub use crate::facts::inventory::{
    AuditFacts, AuditRequest, Inventory, InventoryPart, NatBytes, SubnetInfo, VpcInfo,
    AUDIT_SCHEMA_VERSION,
};
use crate::facts::{
    EndpointType, Facts, NetworkAcl, Observed, Request, Route, RouteTable, Vantage, VantageKind,
    VpcEndpoint,
};
use crate::report::{self, JudgeOptions};

/// NAT gateway data processing, USD per GB, by region: AWS list prices
/// (https://aws.amazon.com/vpc/pricing/, read 2026-11). Other regions use the US East rate and
/// say so; `--nat-price-per-gb` overrides.
pub const NAT_PRICE_PER_GB: [(&str, f64); 12] = [
    ("us-east-1", 0.045),
    ("us-east-2", 0.045),
    ("us-west-1", 0.045),
    ("us-west-2", 0.045),
    ("ca-central-1", 0.05),
    ("eu-west-1", 0.048),
    ("eu-west-2", 0.05),
    ("eu-central-1", 0.052),
    ("ap-southeast-1", 0.059),
    ("ap-southeast-2", 0.059),
    ("ap-northeast-1", 0.062),
    ("sa-east-1", 0.093),
];
pub const NAT_PRICE_SOURCE: &str = "https://aws.amazon.com/vpc/pricing/ (list prices read 2026-11)";

/// The price per GB for `region`, and whether it is the table's (else the US East rate).
pub fn nat_price(region: &str) -> (f64, bool) {
    NAT_PRICE_PER_GB
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, p)| (*p, true))
        .unwrap_or((0.045, false))
}

/// One NAT gateway that carries S3 traffic of some subnet, and what it processed.
#[derive(Debug, Clone, Serialize)]
pub struct NatCost {
    pub region: String,
    pub nat_gateway_id: String,
    /// The subnets whose S3 path it is.
    pub subnets: Vec<String>,
    /// GB (2^30 bytes) processed over the measured days, both directions, all traffic.
    pub processed_gb: f64,
    pub days: u32,
    /// processed_gb scaled to 30 days × the price: an upper bound on its S3 part.
    pub monthly_usd_upper_bound: f64,
    pub price_per_gb: f64,
    pub price_source: String,
    /// The route tables where a gateway endpoint would take the S3 part off it.
    pub route_tables: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CostReport {
    pub nat_gateways: Vec<NatCost>,
    pub monthly_usd_upper_bound: f64,
    pub summary: String,
    /// Regions whose metrics could not be read, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// The facts `route --subnet-id` would gather for `subnet`, cut from the region's inventory.
pub fn subnet_facts(inv: &Inventory, subnet: &SubnetInfo, buckets: &[String]) -> Facts {
    RegionIndex::new(inv).subnet_facts(subnet, buckets)
}

/// Every value a route names: its targets and its prefix list.
fn route_ids(r: &Route) -> impl Iterator<Item = &str> {
    [
        &r.destination_prefix_list_id,
        &r.gateway_id,
        &r.nat_gateway_id,
        &r.transit_gateway_id,
        &r.vpc_peering_connection_id,
        &r.network_interface_id,
        &r.instance_id,
        &r.egress_only_internet_gateway_id,
        &r.carrier_gateway_id,
        &r.local_gateway_id,
        &r.core_network_arn,
    ]
    .into_iter()
    .filter_map(|f| f.as_deref())
}

/// A region's inventory indexed once, so that cutting one subnet's facts costs what that
/// subnet's judgement reads (its route table and the few others the judgement looks at), not
/// the size of its VPC or region: audit's cost grows with subnets + tables + routes, never
/// their product.
pub struct RegionIndex<'a> {
    inv: &'a Inventory,
    vpcs: HashMap<&'a str, &'a VpcInfo>,
    by_vpc: HashMap<&'a str, VpcIndex<'a>>,
    /// Tables, endpoints and ACLs without a VPC id: they belong to every VPC's facts.
    shared: VpcIndex<'a>,
    nats: HashMap<&'a str, Vec<usize>>,
    igws: HashMap<&'a str, Vec<usize>>,
}

/// One VPC's part of the inventory, in inventory order (the order the facts keep).
#[derive(Default)]
struct VpcIndex<'a> {
    /// (position in the inventory, table).
    tables: Vec<(usize, &'a RouteTable)>,
    endpoints: Vec<(usize, &'a VpcEndpoint)>,
    acls: Vec<(usize, &'a NetworkAcl)>,
}

/// One VPC's tables as the judgement of one of its subnets sees them (its own and the
/// VPC-less ones, in inventory order), indexed.
struct VpcTables<'a> {
    tables: Vec<(usize, &'a RouteTable)>,
    endpoints: Vec<VpcEndpoint>,
    acls: Vec<(usize, &'a NetworkAcl)>,
    /// Subnet → the first table that lists it (as `effective_table` finds it).
    explicit: HashMap<&'a str, usize>,
    /// The first main table.
    main: Option<usize>,
    /// The tables holding, for each prefix list, the first route `pl-… -> gateway endpoint`
    /// (what names an unread list: see `engine::context::lists`).
    naming: Vec<usize>,
    acl_of: HashMap<&'a str, usize>,
    default_acl: Option<usize>,
}

impl<'a> VpcTables<'a> {
    fn new(own: Option<&VpcIndex<'a>>, shared: &VpcIndex<'a>) -> Self {
        fn merged<'a, T>(a: &[(usize, &'a T)], b: &[(usize, &'a T)]) -> Vec<(usize, &'a T)> {
            let mut v: Vec<(usize, &'a T)> = a.iter().chain(b).copied().collect();
            v.sort_by_key(|(i, _)| *i);
            v
        }
        let empty = VpcIndex::default();
        let own = own.unwrap_or(&empty);
        let tables = merged(&own.tables, &shared.tables);
        let endpoints: Vec<VpcEndpoint> = merged(&own.endpoints, &shared.endpoints)
            .into_iter()
            .map(|(_, e)| e.clone())
            .collect();
        let acls = merged(&own.acls, &shared.acls);
        let mut explicit = HashMap::new();
        let mut main = None;
        for (k, (_, t)) in tables.iter().enumerate() {
            for s in &t.subnet_ids {
                explicit.entry(s.as_str()).or_insert(k);
            }
            if t.main && main.is_none() {
                main = Some(k);
            }
        }
        // The first gateway endpoint of each id (engine::context::lists's `find`).
        let mut gateways: HashMap<&str, &VpcEndpoint> = HashMap::new();
        for e in &endpoints {
            if e.endpoint_type == EndpointType::Gateway {
                gateways.entry(e.id.as_str()).or_insert(e);
            }
        }
        let mut named: HashSet<&str> = HashSet::new();
        let mut naming = Vec::new();
        for (k, (_, t)) in tables.iter().enumerate() {
            for r in &t.routes {
                let (Some(pl), Some(g)) = (&r.destination_prefix_list_id, &r.gateway_id) else {
                    continue;
                };
                if gateways
                    .get(g.as_str())
                    .is_some_and(|e| e.service_name.is_some())
                    && named.insert(pl.as_str())
                    && naming.last() != Some(&k)
                {
                    naming.push(k);
                }
            }
        }
        let mut acl_of = HashMap::new();
        let mut default_acl = None;
        for (k, (_, a)) in acls.iter().enumerate() {
            for s in &a.subnet_ids {
                acl_of.entry(s.as_str()).or_insert(k);
            }
            if a.default && default_acl.is_none() {
                default_acl = Some(k);
            }
        }
        VpcTables {
            tables,
            endpoints,
            acls,
            explicit,
            main,
            naming,
            acl_of,
            default_acl,
        }
    }

    /// The table that governs `subnet` (`engine::effective_table`, from the index).
    fn effective(&self, subnet: &str) -> Option<usize> {
        self.explicit.get(subnet).copied().or(self.main)
    }
}

impl<'a> RegionIndex<'a> {
    pub fn new(inv: &'a Inventory) -> Self {
        let mut by_vpc: HashMap<&'a str, VpcIndex<'a>> = HashMap::new();
        let mut shared = VpcIndex::default();
        let mut by_vpc_mut =
            |vpc: Option<&'a String>, f: &mut dyn FnMut(&mut VpcIndex<'a>)| match vpc {
                Some(v) => f(by_vpc.entry(v.as_str()).or_default()),
                None => f(&mut shared),
            };
        for (i, t) in inv.route_tables.get().into_iter().flatten().enumerate() {
            by_vpc_mut(t.vpc_id.as_ref(), &mut |x| x.tables.push((i, t)));
        }
        for (i, e) in inv.vpc_endpoints.get().into_iter().flatten().enumerate() {
            by_vpc_mut(e.vpc_id.as_ref(), &mut |x| x.endpoints.push((i, e)));
        }
        for (i, a) in inv.network_acls.get().into_iter().flatten().enumerate() {
            by_vpc_mut(a.vpc_id.as_ref(), &mut |x| x.acls.push((i, a)));
        }
        let mut vpcs = HashMap::new();
        for v in inv.vpcs.get().into_iter().flatten() {
            vpcs.entry(v.id.as_str()).or_insert(v);
        }
        let mut nats: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, n) in inv.nat_gateways.get().into_iter().flatten().enumerate() {
            nats.entry(n.id.as_str()).or_default().push(i);
        }
        let mut igws: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, g) in inv
            .internet_gateways
            .get()
            .into_iter()
            .flatten()
            .enumerate()
        {
            igws.entry(g.id.as_str()).or_default().push(i);
        }
        RegionIndex {
            inv,
            vpcs,
            by_vpc,
            shared,
            nats,
            igws,
        }
    }

    /// The index of one VPC's tables (built once per VPC by the caller).
    fn vpc(&self, vpc_id: &str) -> VpcTables<'a> {
        VpcTables::new(self.by_vpc.get(vpc_id), &self.shared)
    }

    /// The facts `route --subnet-id` would gather for `subnet`, as [`subnet_facts`] (one VPC
    /// index built for the call).
    pub fn subnet_facts(&self, subnet: &SubnetInfo, buckets: &[String]) -> Facts {
        self.facts_in(&self.vpc(&subnet.vpc_id), subnet, buckets)
    }

    /// The facts of `subnet`: of its VPC's tables, those the judgement reads — the one that
    /// governs the subnet, those that govern the subnets of the NAT gateways its routes
    /// name, and those that name its prefix lists — in inventory order; the ACL that governs
    /// it; the NAT gateways and internet gateways its tables' routes name; the prefix lists
    /// they name, AWS's lists and those whose entries could not be read. What is left out is
    /// what no rule or check of a subnet's judgement reads.
    fn facts_in(&self, vt: &VpcTables<'a>, subnet: &SubnetInfo, buckets: &[String]) -> Facts {
        let inv = self.inv;
        let mut facts = Facts::empty(
            Request {
                region: Some(inv.region.clone()),
                buckets: buckets.to_vec(),
                key: None,
                sdk: None,
            },
            "s3path audit judges the control plane only",
        );
        let vpc = self.vpcs.get(subnet.vpc_id.as_str()).copied();
        facts.vantage = Observed::collected(Vantage {
            region: Some(inv.region.clone()),
            availability_zone: subnet.availability_zone.clone(),
            vpc_id: Some(subnet.vpc_id.clone()),
            subnet_id: Some(subnet.id.clone()),
            vpc_ipv4_cidr_blocks: vpc.map(|v| v.ipv4_cidr_blocks.clone()).unwrap_or_default(),
            vpc_ipv6_cidr_blocks: vpc.map(|v| v.ipv6_cidr_blocks.clone()).unwrap_or_default(),
            ..Vantage::new(VantageKind::Subnet)
        });
        // The tables read: the subnet's, the naming ones, then the NAT gateways' subnets'.
        let mut picked: Vec<usize> = vt.effective(&subnet.id).into_iter().collect();
        picked.extend(&vt.naming);
        let mut nat_ids: Vec<&str> = Vec::new();
        for &k in &picked {
            nat_ids.extend(vt.tables[k].1.routes.iter().flat_map(route_ids));
        }
        let nat_subnets = nat_ids
            .iter()
            .flat_map(|id| self.nats.get(id).into_iter().flatten())
            .filter_map(|&i| inv.nat_gateways.get()?[i].subnet_id.as_deref());
        let extra: Vec<usize> = nat_subnets.filter_map(|s| vt.effective(s)).collect();
        picked.extend(extra);
        picked.sort_unstable();
        picked.dedup();
        let mut named: HashSet<&str> = HashSet::new();
        for &k in &picked {
            named.extend(vt.tables[k].1.routes.iter().flat_map(route_ids));
        }
        facts.route_tables = inv
            .route_tables
            .map_ref(|_| picked.iter().map(|&k| vt.tables[k].1.clone()).collect());
        facts.vpc_endpoints = inv.vpc_endpoints.map_ref(|_| vt.endpoints.clone());
        facts.network_acls = inv.network_acls.map_ref(|_| {
            let mut k: Vec<usize> = vt
                .acl_of
                .get(subnet.id.as_str())
                .into_iter()
                .copied()
                .chain(vt.default_acl)
                .collect();
            k.sort_unstable();
            k.dedup();
            k.iter().map(|&k| vt.acls[k].1.clone()).collect()
        });
        let by_ids = |index: &HashMap<&str, Vec<usize>>| -> Vec<usize> {
            let mut v: Vec<usize> = named
                .iter()
                .flat_map(|id| index.get(id).into_iter().flatten().copied())
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let nats = by_ids(&self.nats);
        facts.nat_gateways = inv
            .nat_gateways
            .map_ref(|all| nats.iter().map(|&i| all[i].clone()).collect());
        let igws = by_ids(&self.igws);
        facts.internet_gateways = inv
            .internet_gateways
            .map_ref(|all| igws.iter().map(|&i| all[i].clone()).collect());
        facts.prefix_lists = inv.prefix_lists.map_ref(|all| {
            all.iter()
                .filter(|l| {
                    named.contains(l.id.as_str())
                        || l.aws_service().is_some()
                        || l.owner_id.as_deref() == Some("AWS")
                        || l.entries_error.is_some()
                        || l.entries_failure.is_some()
                })
                .cloned()
                .collect()
        });
        facts.vpc_dns_attributes = match vpc.and_then(|v| v.dns_attributes) {
            Some(a) => Observed::collected(a),
            None => Observed::not_collected(
                "read only for VPCs with an S3 interface endpoint whose private DNS is on",
            ),
        };
        facts.security_groups =
            Observed::not_collected("a subnet has no security group (instances have)");
        // The answers an instance in the subnet would get, as `route` derives them.
        facts.dns = Observed::collected(crate::engine::derived::answers_from(&facts));
        facts.probes = Observed::not_collected("s3path audit sends no probes");
        facts.client_settings = Observed::not_collected("s3path audit looks at no host");
        facts.metadata_service = Observed::not_collected("not relevant to s3path audit");
        facts.buckets = Observed::not_collected("s3path audit makes no bucket requests");
        facts.presigned = Observed::not_collected("s3path audit does not check presigned URLs");
        facts
    }
}

/// The facts of `subnet` as the full cut would give them: every table, endpoint and ACL of
/// its VPC, every NAT gateway, internet gateway and prefix list of the region. The reference
/// the indexed cut is tested against.
#[cfg(test)]
pub(crate) fn subnet_facts_unindexed(
    inv: &Inventory,
    subnet: &SubnetInfo,
    buckets: &[String],
) -> Facts {
    let mut facts = subnet_facts(inv, subnet, buckets);
    let in_vpc = |id: Option<&str>| id.is_none_or(|v| v == subnet.vpc_id);
    facts.route_tables = inv.route_tables.map_ref(|ts| {
        ts.iter()
            .filter(|t| in_vpc(t.vpc_id.as_deref()))
            .cloned()
            .collect()
    });
    facts.network_acls = inv.network_acls.map_ref(|acls| {
        acls.iter()
            .filter(|a| in_vpc(a.vpc_id.as_deref()))
            .cloned()
            .collect()
    });
    facts.prefix_lists = inv.prefix_lists.clone();
    facts.internet_gateways = inv.internet_gateways.clone();
    facts.nat_gateways = inv.nat_gateways.clone();
    facts.dns = Observed::collected(crate::engine::derived::answers_from(&facts));
    facts
}

/// One finding of one subnet.
#[derive(Debug, Clone, Serialize)]
pub struct SubnetFinding {
    pub id: std::borrow::Cow<'static, str>,
    /// From a preview check (`--preview`; it gates only with `--preview=gate`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub preview: bool,
    pub severity: crate::checks::Severity,
    pub message: String,
    /// The finding's fixes (shown with `audit -v`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remediation: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubnetVerdict {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    pub path: PathKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// The route that decided it (`pl-… -> vpce-…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    pub confidence: Confidence,
    pub summary: String,
    /// Why: the decision's evidence, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<crate::engine::Evidence>,
}

/// One subnet in the audit.
#[derive(Debug, Clone, Serialize)]
pub struct SubnetRow {
    pub region: String,
    pub subnet_id: String,
    pub vpc_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_table: Option<String>,
    /// `explicit` or `main` (the VPC's main table, by fallback).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub association: Option<crate::facts::RouteTableAssociation>,
    pub verdict: SubnetVerdict,
    pub findings: Vec<SubnetFinding>,
    /// `met`, `not_met`, `undecided`, when `--expect` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expectation: Option<&'static str>,
    /// The deadline (`--timeout`) passed before this subnet was judged.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_judged: bool,
    /// The exit code this subnet alone calls for.
    #[serde(skip)]
    pub exit_code: u8,
}

/// A region that could not be inventoried (or only in part).
#[derive(Debug, Clone, Serialize)]
pub struct RegionStatus {
    pub region: String,
    pub subnets: usize,
    /// Parts that were not collected, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// When the subnets could not be listed: what lets the audit read them (by the typed
    /// cause: credentials, a denied action, time).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fix: Vec<String>,
    pub calls: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub subnets: usize,
    /// Subnets the deadline (`--timeout`) left unjudged (their rows say so).
    #[serde(skip_serializing_if = "is_zero")]
    pub not_judged: usize,
    pub by_path: BTreeMap<String, usize>,
    pub findings: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditExpectation {
    pub expected: Vec<PathKind>,
    pub met: usize,
    /// Subnets whose (confirmed or inferred) path is another.
    pub not_met: Vec<String>,
    /// Subnets whose path could not be decided.
    pub undecided: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub schema_version: u32,
    pub tool_version: String,
    pub regions: Vec<RegionStatus>,
    pub subnets: Vec<SubnetRow>,
    pub summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expectation: Option<AuditExpectation>,
    /// The `--vpc-id`s no subnet was judged in (not found, or without subnets): the audit
    /// could not judge them (exit 3 unless something failed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vpcs_not_judged: Vec<String>,
    /// `--cost`: what the NAT gateways on S3 paths process, as an upper bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostReport>,
    pub exit_code: u8,
}

/// The NAT cost exposure: for each NAT gateway on some subnet's S3 path, what it processed
/// (all its traffic: S3's share is not measurable from CloudWatch, so this bounds it from
/// above) priced per GB. `None` unless some region's metrics were asked for.
pub fn cost(
    af: &AuditFacts,
    rows: &[SubnetRow],
    price_override: Option<f64>,
) -> Option<CostReport> {
    if !af.request.cost {
        return None;
    }
    let mut out = Vec::new();
    let mut missing = Vec::new();
    // Whether a NAT gateway on some subnet's S3 path went unmeasured.
    let mut unmeasured = false;
    for inv in &af.regions {
        let Some(bytes) = inv.nat_bytes.get() else {
            if let Some(why) = inv.nat_bytes.missing_reason() {
                missing.push(format!("{}: {why}", inv.region));
            }
            unmeasured |= rows
                .iter()
                .any(|r| r.region == inv.region && r.verdict.path == PathKind::NatGateway);
            continue;
        };
        type Carried<'r> = (Vec<String>, Vec<String>, HashSet<&'r str>);
        let mut by_nat: BTreeMap<&str, Carried> = BTreeMap::new();
        for r in rows.iter().filter(|r| r.region == inv.region) {
            if r.verdict.path == PathKind::NatGateway {
                if let Some(nat) = r.verdict.via.as_deref() {
                    let e = by_nat.entry(nat).or_default();
                    e.0.push(r.subnet_id.clone());
                    if let Some(t) = &r.route_table {
                        if e.2.insert(t) {
                            e.1.push(t.clone());
                        }
                    }
                }
            }
        }
        let mut measured: HashMap<&str, &NatBytes> = HashMap::new();
        for b in bytes {
            measured.entry(b.nat_gateway_id.as_str()).or_insert(b);
        }
        for (nat, (subnets, tables, _)) in by_nat {
            let Some(b) = measured.get(nat) else {
                unmeasured = true;
                missing.push(format!("{}: no metrics for {nat}", inv.region));
                continue;
            };
            // `+ 0.0`: no -0.0 (it would print as "$-0.00"); the inventory's values are
            // finite and ≥ 0 (input::load_audit_facts, gather::audit refuse others).
            let gb =
                (b.bytes_in_from_source + b.bytes_in_from_destination) / (1u64 << 30) as f64 + 0.0;
            let (price, known) = match price_override {
                Some(p) => (p, true),
                None => nat_price(&inv.region),
            };
            let days = b.days.max(1);
            out.push(NatCost {
                region: inv.region.clone(),
                nat_gateway_id: nat.to_string(),
                subnets,
                processed_gb: gb,
                days,
                monthly_usd_upper_bound: gb * 30.0 / f64::from(days) * price + 0.0,
                price_per_gb: price,
                price_source: match (price_override, known) {
                    (Some(_), _) => "--nat-price-per-gb".to_string(),
                    (None, true) => NAT_PRICE_SOURCE.to_string(),
                    (None, false) => format!(
                        "the US East rate ({} is not in s3path's table; give --nat-price-per-gb)",
                        inv.region
                    ),
                },
                route_tables: tables,
            });
        }
    }
    // A fold from +0.0: an empty f64 sum is -0.0, which would print as "-0.0".
    let total = out
        .iter()
        .map(|c| c.monthly_usd_upper_bound)
        .fold(0.0, |a, b| a + b);
    let tables: Vec<String> = out.iter().flat_map(|c| c.route_tables.clone()).collect();
    let summary = if out.is_empty() && unmeasured {
        // Not "no NAT gateway carries S3 traffic": the metrics that would say were not read.
        "not measured: the NAT gateways' metrics could not be read (see below)".to_string()
    } else if out.is_empty() {
        "no NAT gateway carries S3 traffic of an audited subnet".to_string()
    } else {
        format!(
            "up to ${total:.2}/month processed by {} NAT gateway{} on S3 paths (all their traffic, so an upper bound on S3's share); a gateway endpoint for S3 on {} costs nothing",
            out.len(),
            if out.len() == 1 { "" } else { "s" },
            tables.join(", ")
        )
    };
    Some(CostReport {
        nat_gateways: out,
        monthly_usd_upper_bound: total,
        summary,
        missing,
    })
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The row of a subnet the deadline left unjudged: nothing is claimed about its path.
fn not_judged(inv: &Inventory, s: &SubnetInfo, opts: &JudgeOptions) -> SubnetRow {
    SubnetRow {
        region: inv.region.clone(),
        subnet_id: s.id.clone(),
        vpc_id: s.vpc_id.clone(),
        availability_zone: s.availability_zone.clone(),
        route_table: None,
        association: None,
        verdict: SubnetVerdict {
            host: None,
            path: PathKind::Unknown,
            via: None,
            route: None,
            confidence: Confidence::Undetermined,
            summary: NOT_JUDGED.to_string(),
            evidence: Vec::new(),
        },
        findings: Vec::new(),
        expectation: (!opts.expect.is_empty()).then_some("undecided"),
        not_judged: true,
        exit_code: 3,
    }
}

/// How bad a row is, for "worst first": blocked and undecided, then the expectation not met,
/// errors, warnings, then the rest.
pub fn badness(r: &SubnetRow) -> u8 {
    let worst = r
        .findings
        .iter()
        .map(|f| f.severity)
        .min()
        .map(|s| match s {
            crate::checks::Severity::Error => 3,
            crate::checks::Severity::Warning => 2,
            crate::checks::Severity::Info => 1,
        })
        .unwrap_or(0);
    let path = match r.verdict.path {
        PathKind::Blocked => 6,
        PathKind::Unknown => 5,
        _ => 0,
    };
    let expect = match r.expectation {
        Some("not_met") => 4,
        Some("undecided") => 4,
        _ => 0,
    };
    path.max(expect).max(worst)
}

/// Judges every subnet of every region.
pub fn judge(af: &AuditFacts, opts: &JudgeOptions) -> AuditReport {
    judge_with(af, opts, None, &|| false)
}

/// What a subnet's row says when the deadline passed before it was judged.
pub const NOT_JUDGED: &str = "not judged: the --timeout deadline passed before this subnet's turn";

/// [`judge`], with the NAT price per GB given (`--nat-price-per-gb`) and the deadline:
/// `expired` is asked before each subnet; once it says so, that subnet and every one after it
/// is reported as not judged (path unknown, undetermined, exit code 3), never left out.
pub fn judge_with(
    af: &AuditFacts,
    opts: &JudgeOptions,
    nat_price: Option<f64>,
    expired: &dyn Fn() -> bool,
) -> AuditReport {
    let mut rows = Vec::new();
    let mut regions = Vec::new();
    let mut out_of_time = false;
    for inv in &af.regions {
        let mut missing = Vec::new();
        // Every part but the metrics, which only `--cost` reads (its own section says why).
        for &part in InventoryPart::ALL {
            if part == InventoryPart::NatBytes {
                continue;
            }
            if let Some(r) = inv.status(part).missing_reason() {
                missing.push(format!("{part}: {r}"));
            }
        }
        let subnets = inv.subnets.get().map(Vec::as_slice).unwrap_or(&[]);
        regions.push(RegionStatus {
            region: inv.region.clone(),
            subnets: subnets.len(),
            missing,
            fix: inv
                .subnets
                .failure()
                .map(|c| crate::checks::fixes::control_plane(c, &inv.region))
                .unwrap_or_default(),
            calls: inv.calls.clone(),
        });
        let index = RegionIndex::new(inv);
        let mut vpcs: HashMap<&str, VpcTables> = HashMap::new();
        for s in subnets {
            out_of_time = out_of_time || expired();
            if out_of_time {
                rows.push(not_judged(inv, s, opts));
                continue;
            }
            let vt = vpcs
                .entry(s.vpc_id.as_str())
                .or_insert_with(|| index.vpc(&s.vpc_id));
            let facts = index.facts_in(vt, s, &af.request.buckets);
            let r = report::judge(&facts, opts);
            let expectation = r.expectation.as_ref().map(|e| match e.met {
                Some(true) => "met",
                Some(false) => "not_met",
                None => "undecided",
            });
            rows.push(SubnetRow {
                region: inv.region.clone(),
                subnet_id: s.id.clone(),
                vpc_id: s.vpc_id.clone(),
                availability_zone: s.availability_zone.clone(),
                route_table: r.route_table.as_ref().map(|t| t.id.clone()),
                association: r.route_table.as_ref().map(|t| t.association),
                verdict: SubnetVerdict {
                    host: r.verdict.host.clone(),
                    path: r.verdict.path,
                    via: r.verdict.via.clone(),
                    route: r.verdict.route.clone(),
                    confidence: r.verdict.confidence,
                    summary: r.verdict.summary.clone(),
                    evidence: r.verdict.evidence.clone(),
                },
                findings: r
                    .findings
                    .iter()
                    .map(|f| SubnetFinding {
                        id: f.id.clone(),
                        preview: f.preview,
                        severity: f.severity,
                        message: f.message.clone(),
                        remediation: f.remediation.clone(),
                    })
                    .collect(),
                expectation,
                not_judged: false,
                exit_code: r.exit_code,
            });
        }
    }
    // Grouped by region and VPC, the worst VPC first (by its worst subnet), worst first within
    // a VPC.
    let mut vpc_worst: HashMap<(String, String), u8> = HashMap::new();
    for r in &rows {
        let w = vpc_worst
            .entry((r.region.clone(), r.vpc_id.clone()))
            .or_default();
        *w = (*w).max(badness(r));
    }
    let worst_of = |r: &SubnetRow| {
        vpc_worst
            .get(&(r.region.clone(), r.vpc_id.clone()))
            .copied()
            .unwrap_or(0)
    };
    rows.sort_by_cached_key(|r| {
        (
            r.region.clone(),
            std::cmp::Reverse(worst_of(r)),
            r.vpc_id.clone(),
            std::cmp::Reverse(badness(r)),
            r.subnet_id.clone(),
        )
    });
    let mut by_path = BTreeMap::new();
    let mut findings = BTreeMap::new();
    for r in &rows {
        *by_path
            .entry(r.verdict.path.as_str().to_string())
            .or_insert(0) += 1;
        for f in &r.findings {
            *findings.entry(f.id.to_string()).or_insert(0) += 1;
        }
    }
    let expectation = (!opts.expect.is_empty()).then(|| AuditExpectation {
        expected: opts.expect.clone(),
        met: rows.iter().filter(|r| r.expectation == Some("met")).count(),
        not_met: rows
            .iter()
            .filter(|r| r.expectation == Some("not_met"))
            .map(|r| r.subnet_id.clone())
            .collect(),
        undecided: rows
            .iter()
            .filter(|r| r.expectation == Some("undecided"))
            .map(|r| r.subnet_id.clone())
            .collect(),
    });
    // 1 when any subnet fails (a finding at --fail-on, or the expectation), else 3 when any is
    // undecided, a region's subnets could not be listed, a --vpc-id had no subnet judged, or
    // no subnet at all was judged (an audit that saw nothing is not a pass), else 0
    // (report::aggregate_exit_codes).
    let unlisted = af.regions.iter().filter(|i| i.subnets.get().is_none());
    let vpcs_not_judged: Vec<String> = af
        .request
        .vpc_ids
        .iter()
        .filter(|v| !rows.iter().any(|r| &r.vpc_id == *v))
        .cloned()
        .collect();
    let exit_code = report::aggregate_exit_codes(
        rows.iter()
            .map(|r| r.exit_code)
            .chain(unlisted.map(|_| report::exit::UNDECIDED))
            .chain(vpcs_not_judged.iter().map(|_| report::exit::UNDECIDED)),
    );
    let cost = cost(af, &rows, nat_price);
    AuditReport {
        schema_version: AUDIT_SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        regions,
        summary: Summary {
            subnets: rows.len(),
            not_judged: rows.iter().filter(|r| r.not_judged).count(),
            by_path,
            findings,
        },
        subnets: rows,
        expectation,
        vpcs_not_judged,
        cost,
        exit_code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(cost: bool, nat_bytes: Observed<Vec<NatBytes>>) -> AuditFacts {
        AuditFacts {
            schema_version: AUDIT_SCHEMA_VERSION,
            tool_version: String::new(),
            gathered_at: None,
            request: AuditRequest {
                regions: vec!["eu-west-1".into()],
                cost,
                ..AuditRequest::default()
            },
            regions: vec![Inventory {
                region: "eu-west-1".into(),
                subnets: Observed::collected(Vec::new()),
                nat_bytes,
                ..Inventory::default()
            }],
        }
    }

    #[test]
    fn no_cost_section_unless_asked() {
        // Whatever the metrics part says, the request decides.
        for bytes in [
            not_asked(),
            Observed::not_collected("something else"),
            Observed::collected(Vec::new()),
        ] {
            assert!(cost(&facts(false, bytes.clone()), &[], None).is_none());
            let asked = cost(&facts(true, bytes), &[], None).expect("asked");
            assert!(asked.nat_gateways.is_empty());
        }
    }

    #[test]
    fn unread_metrics_are_not_measured_not_zero() {
        let af = facts(true, Observed::failed("GetMetricData: dns error"));
        let row = |path: PathKind| SubnetRow {
            region: "eu-west-1".into(),
            subnet_id: "subnet-1".into(),
            vpc_id: "vpc-1".into(),
            availability_zone: None,
            route_table: Some("rtb-1".into()),
            association: None,
            verdict: SubnetVerdict {
                host: None,
                path,
                via: Some("nat-1".into()),
                route: None,
                confidence: Confidence::Inferred,
                summary: String::new(),
                evidence: vec![],
            },
            findings: vec![],
            expectation: None,
            not_judged: false,
            exit_code: 0,
        };
        let c = cost(&af, &[row(PathKind::NatGateway)], None).unwrap();
        assert!(c.summary.starts_with("not measured"), "{}", c.summary);
        assert_eq!(c.missing.len(), 1);
        // No NAT on any S3 path: nothing to measure, whatever the metrics say.
        let c = cost(&af, &[row(PathKind::GatewayEndpoint)], None).unwrap();
        assert!(c.summary.starts_with("no NAT gateway"), "{}", c.summary);
    }

    #[test]
    fn an_empty_cost_is_positive_zero() {
        let c = cost(&facts(true, Observed::collected(Vec::new())), &[], None).unwrap();
        assert!(c.monthly_usd_upper_bound.is_sign_positive());
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.contains("\"monthly_usd_upper_bound\":0.0"), "{json}");
    }

    /// An inventory holding the control plane of scenario facts files (each its own VPC, its
    /// subnets those its tables, NAT gateways and vantage name), as one region.
    fn inventory_of(all: &[Facts]) -> Inventory {
        let mut inv = Inventory {
            region: "eu-west-1".into(),
            ..Inventory::default()
        };
        let mut subnets = Vec::new();
        let mut vpcs = Vec::new();
        fn add<T: Clone>(to: &mut Observed<Vec<T>>, from: &Observed<Vec<T>>) {
            match (to.get().is_some(), from.get()) {
                (true, Some(v)) => {
                    if let Observed::Collected { value } = to {
                        value.extend(v.iter().cloned());
                    }
                }
                (_, None) => *to = from.clone(),
                (false, Some(_)) => {}
            }
        }
        inv.route_tables = Observed::collected(vec![]);
        inv.vpc_endpoints = Observed::collected(vec![]);
        inv.prefix_lists = Observed::collected(vec![]);
        inv.internet_gateways = Observed::collected(vec![]);
        inv.nat_gateways = Observed::collected(vec![]);
        inv.network_acls = Observed::collected(vec![]);
        for f in all {
            let Some(v) = f.vantage.get() else { continue };
            let Some(vpc) = v.vpc_id.clone() else {
                continue;
            };
            let mut ids: Vec<String> = v.subnet_id.iter().cloned().collect();
            for t in f.route_tables.get().into_iter().flatten() {
                ids.extend(t.subnet_ids.iter().cloned());
            }
            for n in f.nat_gateways.get().into_iter().flatten() {
                ids.extend(n.subnet_id.iter().cloned());
            }
            ids.push(format!("subnet-unassociated-{}", subnets.len()));
            for id in ids {
                subnets.push(SubnetInfo {
                    id,
                    vpc_id: vpc.clone(),
                    availability_zone: v.availability_zone.clone(),
                    cidr_block: None,
                });
            }
            vpcs.push(VpcInfo {
                id: vpc,
                ipv4_cidr_blocks: v.vpc_ipv4_cidr_blocks.clone(),
                ipv6_cidr_blocks: v.vpc_ipv6_cidr_blocks.clone(),
                dns_attributes: f.vpc_dns_attributes.get().copied(),
            });
            inv.region = v.region.clone().unwrap_or(inv.region);
            add(&mut inv.route_tables, &f.route_tables);
            add(&mut inv.vpc_endpoints, &f.vpc_endpoints);
            add(&mut inv.prefix_lists, &f.prefix_lists);
            add(&mut inv.internet_gateways, &f.internet_gateways);
            add(&mut inv.nat_gateways, &f.nat_gateways);
            add(&mut inv.network_acls, &f.network_acls);
        }
        inv.subnets = Observed::collected(subnets);
        inv.vpcs = Observed::collected(vpcs);
        inv
    }

    fn scenarios() -> Vec<Facts> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(".facts.json"))
            .collect();
        names.sort();
        names
            .iter()
            .filter_map(|p| crate::input::load_facts(p).ok())
            .collect()
    }

    /// The indexed cut judges every subnet exactly as the whole VPC's facts do (HEAD's cut):
    /// each scenario alone, and scenarios side by side in one region (VPC-less tables shared,
    /// ids repeated across VPCs).
    #[test]
    fn the_indexed_cut_judges_as_the_whole_vpc_does() {
        let all = scenarios();
        let mut groups: Vec<Vec<Facts>> = all.iter().map(|f| vec![f.clone()]).collect();
        groups.extend(all.chunks(3).map(<[Facts]>::to_vec));
        groups.push(all.clone());
        let opts = [
            JudgeOptions::default(),
            JudgeOptions {
                expect: vec![PathKind::GatewayEndpoint],
                ..JudgeOptions::default()
            },
        ];
        let mut compared = 0;
        for (n, g) in groups.iter().enumerate() {
            let mut inv = inventory_of(g);
            if n % 2 == 1 {
                // A customer list no route names, whose entries were denied (S3P003 says so).
                if let Observed::Collected { value } = &mut inv.prefix_lists {
                    value.push(crate::facts::PrefixList {
                        owner_id: Some("111122223333".into()),
                        entries_failure: Some(crate::facts::Failure::Denied {
                            action: "ec2:GetManagedPrefixListEntries".into(),
                        }),
                        ..crate::facts::PrefixList::new("pl-0denied")
                    });
                }
            }
            let index = RegionIndex::new(&inv);
            for s in inv.subnets.get().unwrap() {
                let buckets = ["app-data".to_string()];
                let cut = index.subnet_facts(s, &buckets);
                let whole = subnet_facts_unindexed(&inv, s, &buckets);
                for o in &opts {
                    let a = serde_json::to_value(report::judge(&cut, o)).unwrap();
                    let b = serde_json::to_value(report::judge(&whole, o)).unwrap();
                    assert!(
                        a == b,
                        "subnet {} of {} scenario(s) judged apart",
                        s.id,
                        g.len()
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 500, "{compared}");
    }

    /// `--timeout` bounds judging: once the deadline passes, every remaining subnet has a row
    /// that says it was not judged, and the audit exits 3 (nothing failed) — none is dropped.
    #[test]
    fn subnets_past_the_deadline_are_reported_not_judged() {
        let inv = inventory_of(&scenarios()[..6]);
        let n = inv.subnets.get().unwrap().len();
        assert!(n > 6, "{n}");
        let mut af = facts(false, not_asked());
        af.regions = vec![inv];
        let calls = std::cell::Cell::new(0);
        let expired = || {
            calls.set(calls.get() + 1);
            calls.get() > 3
        };
        let all = judge(&af, &JudgeOptions::default());
        let r = judge_with(&af, &JudgeOptions::default(), None, &expired);
        assert_eq!(r.subnets.len(), n, "every subnet has a row");
        assert_eq!(r.summary.subnets, n);
        assert_eq!(r.summary.not_judged, n - 3);
        let late: Vec<&SubnetRow> = r.subnets.iter().filter(|s| s.not_judged).collect();
        assert_eq!(late.len(), n - 3);
        for s in &late {
            assert_eq!(s.verdict.path, PathKind::Unknown);
            assert_eq!(s.verdict.confidence, Confidence::Undetermined);
            assert_eq!(s.verdict.summary, NOT_JUDGED);
            assert_eq!(s.exit_code, 3);
        }
        // The judged ones are as without a deadline; a failing one still wins (1).
        for s in r.subnets.iter().filter(|s| !s.not_judged) {
            let same = all
                .subnets
                .iter()
                .find(|a| a.subnet_id == s.subnet_id)
                .unwrap();
            assert_eq!(same.verdict.summary, s.verdict.summary);
        }
        let failing = r.subnets.iter().any(|s| s.exit_code == 1);
        assert_eq!(r.exit_code, if failing { 1 } else { 3 });
        // Expired before the first: nothing judged, exit 3 however healthy the VPCs.
        let none = judge_with(&af, &JudgeOptions::default(), None, &|| true);
        assert_eq!(none.summary.not_judged, n);
        assert_eq!(none.exit_code, 3);
        let json = serde_json::to_value(&none).unwrap();
        assert_eq!(json["summary"]["not_judged"], n);
        assert_eq!(json["subnets"][0]["not_judged"], true);
    }

    #[test]
    fn every_inventory_part_is_reported_missing_but_the_metrics() {
        let mut af = facts(false, not_asked());
        for &p in InventoryPart::ALL {
            af.regions[0].set_status(p, &Observed::failed("boom"));
        }
        let r = judge(&af, &JudgeOptions::default());
        let missing = &r.regions[0].missing;
        assert_eq!(missing.len(), InventoryPart::ALL.len() - 1, "{missing:?}");
        assert!(missing.iter().all(|m| m.ends_with("failed: boom")));
        assert!(!missing.iter().any(|m| m.starts_with("nat_bytes")));
    }
}
