//! `s3path audit`: every subnet of a region (or of some VPCs), judged from the control plane
//! alone — the same judgement as `route --subnet-id`, from one inventory per region read with
//! a constant set of Describe calls (paginated), however many subnets, tables or endpoints.
//!
//! The inventory ([`AuditFacts`]) is the saved facts of an audit (`--save-facts`, judged
//! offline by `audit --facts FILE`); everything here is a pure function of it.

use std::collections::BTreeMap;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::engine::{Confidence, PathKind};
use crate::facts::{
    Facts, InternetGateway, NatGateway, NetworkAcl, Observed, PrefixList, Request, RouteTable,
    Vantage, VantageKind, VpcDnsAttributes, VpcEndpoint,
};
use crate::report::{self, JudgeOptions};

pub const AUDIT_SCHEMA_VERSION: u32 = 1;

/// A subnet as `DescribeSubnets` tells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubnetInfo {
    pub id: String,
    pub vpc_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr_block: Option<IpNet>,
}

/// A VPC: its CIDR blocks and, where an S3 interface endpoint's private DNS depends on them,
/// its DNS attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpcInfo {
    pub id: String,
    #[serde(default)]
    pub ipv4_cidr_blocks: Vec<IpNet>,
    #[serde(default)]
    pub ipv6_cidr_blocks: Vec<IpNet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_attributes: Option<VpcDnsAttributes>,
}

/// Everything read about one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub region: String,
    pub subnets: Observed<Vec<SubnetInfo>>,
    pub vpcs: Observed<Vec<VpcInfo>>,
    pub route_tables: Observed<Vec<RouteTable>>,
    pub vpc_endpoints: Observed<Vec<VpcEndpoint>>,
    pub prefix_lists: Observed<Vec<PrefixList>>,
    pub internet_gateways: Observed<Vec<InternetGateway>>,
    pub nat_gateways: Observed<Vec<NatGateway>>,
    pub network_acls: Observed<Vec<NetworkAcl>>,
    /// API calls made for this region (pages included), by action.
    #[serde(default)]
    pub calls: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditRequest {
    pub regions: Vec<String>,
    #[serde(default)]
    pub vpc_ids: Vec<String>,
    #[serde(default)]
    pub buckets: Vec<String>,
}

/// The saved facts of an audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditFacts {
    pub schema_version: u32,
    pub tool_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gathered_at: Option<String>,
    pub request: AuditRequest,
    pub regions: Vec<Inventory>,
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
    facts.dns = Observed::collected(crate::gather::route::derived_answers(
        &inv.region,
        buckets,
        facts.vpc_endpoints.get().map(Vec::as_slice).unwrap_or(&[]),
        facts.vpc_dns_attributes.get(),
        inv.prefix_lists.get().map(Vec::as_slice).unwrap_or(&[]),
        subnet.availability_zone.as_deref(),
    ));
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
    pub id: &'static str,
    pub severity: crate::checks::Severity,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubnetVerdict {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    pub path: PathKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    pub confidence: Confidence,
    pub summary: String,
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
    pub association: Option<String>,
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
    pub exit_code: u8,
}

/// How bad a row is, for "worst first": blocked and undecided, then the expectation not met,
/// errors, warnings, then the rest.
fn badness(r: &SubnetRow) -> u8 {
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
    let mut rows = Vec::new();
    let mut regions = Vec::new();
    for inv in &af.regions {
        let mut missing = Vec::new();
        for (part, reason) in [
            ("subnets", inv.subnets.missing_reason()),
            ("vpcs", inv.vpcs.missing_reason()),
            ("route_tables", inv.route_tables.missing_reason()),
            ("vpc_endpoints", inv.vpc_endpoints.missing_reason()),
            ("prefix_lists", inv.prefix_lists.missing_reason()),
            ("internet_gateways", inv.internet_gateways.missing_reason()),
            ("nat_gateways", inv.nat_gateways.missing_reason()),
            ("network_acls", inv.network_acls.missing_reason()),
        ] {
            if let Some(r) = reason {
                missing.push(format!("{part}: {r}"));
            }
        }
        let subnets = inv.subnets.get().map(Vec::as_slice).unwrap_or(&[]);
        regions.push(RegionStatus {
            region: inv.region.clone(),
            subnets: subnets.len(),
            missing,
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
                association: r.route_table.as_ref().map(|t| t.association.clone()),
                verdict: SubnetVerdict {
                    host: r.verdict.host.clone(),
                    path: r.verdict.path,
                    via: r.verdict.via.clone(),
                    confidence: r.verdict.confidence,
                    summary: r.verdict.summary.clone(),
                },
                findings: r
                    .findings
                    .iter()
                    .map(|f| SubnetFinding {
                        id: f.id,
                        severity: f.severity,
                        message: f.message.clone(),
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
    // undecided, else 0; a region whose subnets could not be listed is undecided too.
    let regions_unlisted = regions.iter().any(|r| {
        af.regions
            .iter()
            .find(|i| i.region == r.region)
            .is_some_and(|i| i.subnets.get().is_none())
    });
    let exit_code = if rows.iter().any(|r| r.exit_code == 1) {
        1
    } else if rows.iter().any(|r| r.exit_code == 3) || (regions_unlisted && !opts.expect.is_empty())
    {
        3
    } else {
        0
    };
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
        exit_code,
    }
}
