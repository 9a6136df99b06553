//! `s3path audit`: every subnet of a region (or of some VPCs), judged from the control plane
//! alone — the same judgement as `route --subnet-id`, from one inventory per region read with
//! a constant set of Describe calls (paginated), however many subnets, tables or endpoints.
//!
//! The inventory ([`AuditFacts`]) is the saved facts of an audit (`--save-facts`, judged
//! offline by `audit --facts FILE`); everything here is a pure function of it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::{Confidence, PathKind};
#[cfg(test)]
use crate::facts::inventory::not_asked;
pub use crate::facts::inventory::{
    AuditFacts, AuditRequest, Inventory, InventoryPart, NatBytes, SubnetInfo, VpcInfo,
    AUDIT_SCHEMA_VERSION,
};
use crate::facts::{Facts, Observed, Request, Vantage, VantageKind};
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
    let mut facts = Facts::empty(
        Request {
            region: Some(inv.region.clone()),
            buckets: buckets.to_vec(),
            key: None,
        },
        "s3path audit judges the control plane only",
    );
    let vpc = inv
        .vpcs
        .get()
        .and_then(|v| v.iter().find(|v| v.id == subnet.vpc_id));
    facts.vantage = Observed::collected(Vantage {
        region: Some(inv.region.clone()),
        availability_zone: subnet.availability_zone.clone(),
        vpc_id: Some(subnet.vpc_id.clone()),
        subnet_id: Some(subnet.id.clone()),
        vpc_ipv4_cidr_blocks: vpc.map(|v| v.ipv4_cidr_blocks.clone()).unwrap_or_default(),
        vpc_ipv6_cidr_blocks: vpc.map(|v| v.ipv6_cidr_blocks.clone()).unwrap_or_default(),
        ..Vantage::new(VantageKind::Subnet)
    });
    let in_vpc = |id: Option<&str>| id.is_none_or(|v| v == subnet.vpc_id);
    facts.route_tables = inv.route_tables.map_ref(|ts| {
        ts.iter()
            .filter(|t| in_vpc(t.vpc_id.as_deref()))
            .cloned()
            .collect()
    });
    facts.vpc_endpoints = inv.vpc_endpoints.map_ref(|es| {
        es.iter()
            .filter(|e| in_vpc(e.vpc_id.as_deref()))
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

/// One finding of one subnet.
#[derive(Debug, Clone, Serialize)]
pub struct SubnetFinding {
    pub id: std::borrow::Cow<'static, str>,
    /// From a preview check (`--preview`; it gates only with `--preview=gate`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub preview: bool,
    pub severity: crate::checks::Severity,
    pub message: String,
    /// What to change (commands or steps), as the subnet's report gives them.
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
        let mut by_nat: BTreeMap<&str, (Vec<String>, Vec<String>)> = BTreeMap::new();
        for r in rows.iter().filter(|r| r.region == inv.region) {
            if r.verdict.path == PathKind::NatGateway {
                if let Some(nat) = r.verdict.via.as_deref() {
                    let e = by_nat.entry(nat).or_default();
                    e.0.push(r.subnet_id.clone());
                    if let Some(t) = &r.route_table {
                        if !e.1.contains(t) {
                            e.1.push(t.clone());
                        }
                    }
                }
            }
        }
        for (nat, (subnets, tables)) in by_nat {
            let Some(b) = bytes.iter().find(|b| b.nat_gateway_id == nat) else {
                unmeasured = true;
                missing.push(format!("{}: no metrics for {nat}", inv.region));
                continue;
            };
            let gb = (b.bytes_in_from_source + b.bytes_in_from_destination) / (1u64 << 30) as f64;
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
                monthly_usd_upper_bound: gb * 30.0 / f64::from(days) * price,
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
    judge_with(af, opts, None)
}

/// [`judge`], with the NAT price per GB given (`--nat-price-per-gb`).
pub fn judge_with(af: &AuditFacts, opts: &JudgeOptions, nat_price: Option<f64>) -> AuditReport {
    let mut rows = Vec::new();
    let mut regions = Vec::new();
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
        for s in subnets {
            let facts = subnet_facts(inv, s, &af.request.buckets);
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
                exit_code: r.exit_code,
            });
        }
    }
    // Grouped by region and VPC, worst first within a VPC.
    rows.sort_by(|a, b| {
        (
            &a.region,
            &a.vpc_id,
            std::cmp::Reverse(badness(a)),
            &a.subnet_id,
        )
            .cmp(&(
                &b.region,
                &b.vpc_id,
                std::cmp::Reverse(badness(b)),
                &b.subnet_id,
            ))
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
