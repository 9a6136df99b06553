//! Shared reading of the bucket facts for the 6xx checks and the per-bucket report: which path
//! each bucket's traffic takes, which endpoint (if any) it passes, and the request context a
//! policy would see on that path.

use std::net::IpAddr;

use crate::engine::{Decision, PathKind, TargetPath};
use crate::facts::{BucketFacts, RequestOutcome, RequestRoute, S3Request, VpcEndpoint};
use crate::policy::{self, KeyValue, Policy, RequestContext};
use crate::targets::TargetClass;

use super::Context;

/// The actions whose outcome through a policy decides whether an application works.
pub const COMMON_ACTIONS: [&str; 3] = ["s3:GetObject", "s3:ListBucket", "s3:PutObject"];

/// One bucket with its path.
pub struct BucketView<'a> {
    pub facts: &'a BucketFacts,
    /// The bucket's regional virtual-hosted name as the engine judged it.
    pub target: Option<&'a TargetPath>,
    /// The path that finally carries the traffic (through a proxy: the proxy's path).
    pub decision: Option<&'a Decision>,
    /// The VPC endpoint the traffic passes, when the path is through one.
    pub endpoint: Option<&'a VpcEndpoint>,
}

impl BucketView<'_> {
    /// The region S3 told, if it did.
    pub fn region(&self) -> Option<&str> {
        self.facts.region.get().map(String::as_str)
    }

    /// The requests sent the way the application sends them (not the interface-endpoint
    /// URL runs, which show an alternative).
    pub fn app_requests(&self) -> impl Iterator<Item = &S3Request> {
        self.facts
            .requests
            .iter()
            .filter(|r| r.route != RequestRoute::InterfaceEndpoint)
    }

    /// The caller's ARN, as S3 named it in a denial.
    pub fn caller_arn(&self) -> Option<String> {
        self.facts
            .requests
            .iter()
            .filter_map(|r| r.error.as_deref())
            .find_map(|m| policy::parse_denial(m).principal)
    }

    /// `gateway-endpoint via vpce-…` or the like.
    pub fn path_label(&self) -> String {
        self.decision
            .map(|d| d.label())
            .unwrap_or_else(|| "unknown".to_string())
    }
}

/// Every bucket that was gathered, with the engine's path for its regional name.
pub fn buckets<'a>(cx: &Context<'a>) -> Vec<BucketView<'a>> {
    let Some(all) = cx.facts.buckets.get() else {
        return Vec::new();
    };
    all.iter()
        .map(|b| {
            let target = cx.analysis.targets.iter().find(|t| {
                t.target.class == TargetClass::BucketRegional
                    && t.target.bucket.as_deref() == Some(b.name.as_str())
            });
            // An endpoint override carries every request: then it is the path.
            let target = cx
                .analysis
                .targets
                .iter()
                .find(|t| t.target.class == TargetClass::EndpointOverride)
                .or(target);
            let decision = target.map(|t| t.decision.terminal());
            let endpoint = decision.and_then(|d| match d.path {
                PathKind::GatewayEndpoint | PathKind::InterfaceEndpoint => {
                    cx.endpoint(d.via.as_deref())
                }
                _ => None,
            });
            BucketView {
                facts: b,
                target,
                decision,
                endpoint,
            }
        })
        .collect()
}

/// The request context a policy sees for `action` on this bucket over its path.
pub fn request_context(cx: &Context, view: &BucketView, action: &str) -> RequestContext {
    let mut rc = RequestContext::new(action, &view.facts.name);
    if let Some(region) = cx.region() {
        rc.partition = partition(region).to_string();
    }
    rc.key = cx.facts.request.key.clone();
    let vantage = cx.facts.vantage.get();
    rc.principal_account = vantage.and_then(|v| v.account_id.clone());
    rc.principal_arn = view.caller_arn();
    if rc.principal_account.is_none() {
        rc.principal_account = rc
            .principal_arn
            .as_deref()
            .and_then(|a| a.split(':').nth(4))
            .map(str::to_string);
    }
    let Some(d) = view.decision else {
        return rc;
    };
    match d.path {
        PathKind::GatewayEndpoint | PathKind::InterfaceEndpoint => {
            rc.source_vpce = d
                .via
                .clone()
                .map(KeyValue::Known)
                .unwrap_or(KeyValue::Unknown);
            rc.source_vpc = cx
                .vpc_id()
                .map(|v| KeyValue::Known(v.to_string()))
                .unwrap_or(KeyValue::Unknown);
            rc.source_ip = KeyValue::Absent;
            rc.vpc_source_ip = vantage
                .and_then(|v| v.local_ipv4s.first())
                .map(|a| KeyValue::Known(a.to_string()))
                .unwrap_or(KeyValue::Unknown);
        }
        PathKind::Unknown | PathKind::Blocked => {}
        _ => {
            rc.source_vpce = KeyValue::Absent;
            rc.source_vpc = KeyValue::Absent;
            rc.vpc_source_ip = KeyValue::Absent;
            rc.source_ip = public_source(cx, d)
                .map(|a| KeyValue::Known(a.to_string()))
                .unwrap_or(KeyValue::Unknown);
        }
    }
    rc
}

/// The public address S3 sees for traffic on `d`: the NAT gateway's Elastic IP, or the
/// vantage's own public IPv4 through an internet gateway.
pub fn public_source(cx: &Context, d: &Decision) -> Option<IpAddr> {
    match d.path {
        PathKind::NatGateway => {
            let nat = d.via.as_deref()?;
            cx.facts
                .nat_gateways
                .get()?
                .iter()
                .find(|n| n.id == nat)?
                .public_ips
                .first()
                .copied()
        }
        PathKind::InternetGateway => cx.facts.vantage.get()?.public_ipv4s.first().copied(),
        _ => None,
    }
}

fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// An endpoint's policy, parsed; no document means the default full-access policy.
pub fn endpoint_policy(ep: &VpcEndpoint) -> Result<Option<Policy>, String> {
    match ep.policy_document.as_deref() {
        None => Ok(None),
        Some(text) => policy::parse(text).map(Some),
    }
}

/// Whether a request reached S3 and got an answer from it.
pub fn answered(r: &S3Request) -> bool {
    r.outcome == RequestOutcome::Answered
}

/// `HeadBucket 403 (AccessDenied) via 10.0.1.5 in 12 ms`.
pub fn request_line(r: &S3Request) -> String {
    let mut s = format!("{} {}", r.operation, r.host);
    match (r.outcome, r.status) {
        (RequestOutcome::Answered, Some(st)) => {
            s.push_str(&format!(" → {st}"));
            if let Some(code) = &r.error_code {
                s.push_str(&format!(" {code}"));
            }
        }
        (o, _) => s.push_str(&format!(
            " → {}",
            serde_json::to_value(o)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        )),
    }
    if let Some(a) = r.address {
        s.push_str(&format!(" (connected to {a}"));
        if let Some(ms) = r.latency_ms {
            s.push_str(&format!(", {ms} ms"));
        }
        s.push(')');
    }
    if !r.signed {
        s.push_str(" [unsigned: no credentials]");
    }
    s
}
