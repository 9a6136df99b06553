//! Shared reading of the bucket facts for the 6xx checks and the per-bucket report: which path
//! each bucket's traffic takes, which endpoint (if any) it passes, and the request context a
//! policy would see on that path.

use std::net::IpAddr;

use crate::engine::{Decision, PathKind, TargetPath};
use crate::facts::{
    BucketFacts, RequestOutcome, RequestRoute, RequestsFrom, S3Request, VpcEndpoint,
};
use crate::names::targets::TargetRole;
use crate::names::HostKind;
use crate::policy::{self, KeyValue, Policy, RequestContext};

use super::context::Context;

/// The actions whose outcome through a policy decides whether an application works.
pub const COMMON_ACTIONS: [&str; 3] = ["s3:GetObject", "s3:ListBucket", "s3:PutObject"];

/// One bucket with its path.
pub struct BucketView<'a> {
    pub facts: &'a BucketFacts,
    /// The bucket's regional virtual-hosted name as the engine judged it.
    pub target: Option<&'a TargetPath>,
    /// The path that finally carries the traffic (through a proxy: the proxy's path).
    pub decision: Option<&'a Decision>,
    /// The VPC endpoint the traffic passes, when the path is through one (a hub's interface
    /// endpoint when the path crosses a transit gateway to it).
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
    /// ` over PATH` for a sentence, or nothing when the path is not known.
    pub fn over_path(&self) -> String {
        match self.decision {
            Some(d) if d.path != crate::engine::PathKind::Unknown => format!(" over {}", d.label()),
            _ => String::new(),
        }
    }

    pub fn path_label(&self) -> String {
        self.decision
            .map(|d| d.label())
            .unwrap_or_else(|| "unknown".to_string())
    }

    /// Whether the requests were made from the machine that ran s3path, not from the vantage
    /// (`route --probe-from-here`): their outcome says nothing about the judged path.
    pub fn from_this_machine(&self) -> bool {
        self.facts.requests_from == RequestsFrom::ThisMachine
    }

    /// Where the requests went, for a finding's message: `over gateway-endpoint via vpce-…`,
    /// or, for requests made from the machine that ran s3path, that machine (never the
    /// subnet's path, which they did not take).
    /// With a leading space, or empty when the path is unknown (never "over unknown").
    pub fn requests_where(&self) -> String {
        if self.from_this_machine() {
            format!(" {FROM_THIS_MACHINE}")
        } else {
            self.over_path()
        }
    }
}

/// How requests made by `route --probe-from-here` are labelled.
pub const FROM_THIS_MACHINE: &str =
    "from this machine (where s3path ran, over its own network), not over the subnet's path";

/// Every bucket that was gathered, with the engine's path for its regional name.
pub fn buckets<'a>(cx: &Context<'a>) -> Vec<BucketView<'a>> {
    let Some(all) = cx.facts.buckets.get() else {
        return Vec::new();
    };
    all.iter()
        .map(|b| {
            // The name the application uses for this input (its first planned name), else
            // the bucket's regional name.
            let planned = cx
                .analysis
                .names
                .iter()
                .find(|p| p.name.label() == b.name)
                .and_then(|p| p.names.first())
                .and_then(|n| cx.analysis.target(&n.host));
            let target = planned.or_else(|| {
                cx.analysis.targets.iter().find(|t| {
                    t.target.planned_family() == Some(HostKind::Regional)
                        && t.target.is_bucket_name()
                        && t.target.bucket.as_deref() == Some(b.name.as_str())
                })
            });
            // An endpoint override carries every request: then it is the path.
            let target = cx
                .analysis
                .targets
                .iter()
                .find(|t| t.target.role == TargetRole::EndpointOverride)
                .or(target);
            let decision = target.map(|t| t.decision.terminal());
            let endpoint = decision.and_then(|d| match d.path {
                PathKind::GatewayEndpoint | PathKind::InterfaceEndpoint => {
                    cx.endpoint(d.via.as_deref())
                }
                // Beyond a transit gateway: the hub's interface endpoint that serves the spoke
                // is judged like a local one (its policy decides the bucket's requests).
                PathKind::TransitGateway => d
                    .hops
                    .last()
                    .filter(|h| h.path == PathKind::InterfaceEndpoint)
                    .and_then(|h| cx.hub_endpoint(h.vpc_id.as_deref(), h.via.as_deref())),
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
    // An access point's requests name its ARN, not a bucket's.
    if let Ok(r) = crate::names::parse(&view.facts.name) {
        if r.bucket_name().is_none() {
            rc.bucket = r.name.clone();
            rc.resource_arn = r.resource_arn(&rc.partition);
        }
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

/// `policy` evaluated for each of [`COMMON_ACTIONS`] on this bucket, over its path.
pub fn evaluate_common(cx: &Context, view: &BucketView, p: &Policy) -> Vec<policy::Evaluation> {
    COMMON_ACTIONS
        .iter()
        .map(|a| policy::evaluate(p, &request_context(cx, view, a)))
        .collect()
}

/// The explicit denies among [`evaluate_common`] whose deciding statement tests one of `keys`,
/// each with that statement's conditions as written.
pub fn explicit_denies_testing(
    cx: &Context,
    view: &BucketView,
    p: &Policy,
    keys: &[&str],
) -> Vec<(policy::Evaluation, String)> {
    evaluate_common(cx, view, p)
        .into_iter()
        .filter(|e| e.verdict == policy::Verdict::ExplicitDeny)
        .filter_map(|e| {
            let st = policy::statement(p, e.statement.as_deref()?)?;
            keys.iter()
                .any(|k| st.tests_key(k))
                .then(|| (e.clone(), st.conditions_text()))
        })
        .collect()
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

/// Every bucket whose policy was read and parses, with its view; and, for the buckets whose
/// policy could not be read, why.
pub fn bucket_policies<'a>(cx: &Context<'a>) -> (Vec<(BucketView<'a>, Policy)>, Vec<String>) {
    let mut read = Vec::new();
    let mut unread = Vec::new();
    for b in buckets(cx) {
        match b.facts.bucket_policy.get().map(|t| policy::parse(t)) {
            Some(Ok(p)) => read.push((b, p)),
            Some(Err(e)) => {
                unread.push(format!("{}: the policy does not parse: {e}", b.facts.name))
            }
            None => {
                if let Some(why) = b.facts.bucket_policy.missing_reason() {
                    if why.starts_with("failed") {
                        unread.push(format!("{}: {why}", b.facts.name));
                    }
                }
            }
        }
    }
    (read, unread)
}

/// The outcome of a bucket-policy check: findings, else skipped when some policy could not be
/// read, else pass.
pub fn policy_outcome(
    drafts: Vec<super::context::Draft>,
    unread: &[String],
) -> super::context::CheckResult {
    if !drafts.is_empty() {
        Ok(drafts)
    } else if !unread.is_empty() {
        super::context::skip(format!("bucket policy not readable: {}", unread.join("; ")))
    } else {
        super::context::pass()
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

/// What the report shows per bucket: region, path, the requests, and the policy that decided.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BucketSummary {
    pub name: String,
    /// The bucket's region, when S3 told it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Why the region is not known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_missing: Option<String>,
    /// True when the bucket is in another region than the one judged.
    pub other_region: bool,
    /// The path of the bucket's regional name (`gateway-endpoint via vpce-…`).
    pub path: String,
    /// `ok`, `denied`, `failed`, `no such bucket`, `not made`.
    pub result: String,
    pub requests: Vec<S3Request>,
    /// Where `requests` were made: absent for the vantage judged; `this-machine` for
    /// `route --probe-from-here` (not over `path`).
    #[serde(default, skip_serializing_if = "RequestsFrom::is_vantage")]
    pub requests_from: RequestsFrom,
    /// The policy that decided a denial, as S3 and the static evaluation tell it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// The static evaluation of the endpoint policy on the path (common actions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoint_policy: Vec<policy::Evaluation>,
    /// The static evaluation of the bucket policy (common actions), when it was read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bucket_policy: Vec<policy::Evaluation>,
}

/// One summary per gathered bucket.
pub fn summaries(cx: &Context) -> Vec<BucketSummary> {
    buckets(cx)
        .iter()
        .map(|b| {
            let endpoint_policy = match b.endpoint.map(endpoint_policy) {
                Some(Ok(Some(p))) => evaluate_common(cx, b, &p),
                _ => Vec::new(),
            };
            let bucket_policy = match b.facts.bucket_policy.get().map(|t| policy::parse(t)) {
                Some(Ok(p)) => evaluate_common(cx, b, &p),
                _ => Vec::new(),
            };
            let reqs = &b.facts.requests;
            let result = if reqs.is_empty() {
                "not made"
            } else if reqs
                .iter()
                .any(|r| r.operation == "HeadBucket" && r.status == Some(404))
            {
                "no such bucket"
            } else if reqs.iter().any(|r| r.status == Some(403)) {
                "denied"
            } else if reqs.iter().any(|r| !answered(r)) {
                "failed"
            } else if reqs
                .iter()
                .filter(|r| r.operation != "HeadObject")
                .all(|r| {
                    r.status.is_some_and(|s| s < 300)
                        || r.route == RequestRoute::ClientRegion && r.status == Some(301)
                })
            {
                "ok"
            } else {
                "answered with errors"
            };
            let decided_by =
                (result == "denied").then(|| decided_by(b, &endpoint_policy, &bucket_policy));
            let region = b.region().map(str::to_string);
            BucketSummary {
                name: b.facts.name.clone(),
                other_region: region.is_some() && region.as_deref() != cx.region(),
                region,
                region_missing: b.facts.region.missing_reason(),
                path: b.path_label(),
                result: result.to_string(),
                requests: reqs.clone(),
                requests_from: b.facts.requests_from,
                decided_by,
                endpoint_policy,
                bucket_policy,
            }
        })
        .collect()
}

fn decided_by(
    b: &BucketView,
    endpoint: &[policy::Evaluation],
    bucket: &[policy::Evaluation],
) -> String {
    let said = b
        .facts
        .requests
        .iter()
        .filter(|r| r.status == Some(403))
        .filter_map(|r| r.error.as_deref())
        .map(policy::parse_denial)
        .find(|d| d.policy.is_some());
    let statement_of = |evals: &[policy::Evaluation]| {
        evals
            .iter()
            .find(|e| {
                matches!(
                    e.verdict,
                    policy::Verdict::ExplicitDeny | policy::Verdict::ImplicitDeny
                )
            })
            .map(|e| match &e.statement {
                Some(s) => format!("statement {s} ({})", e.verdict.as_str()),
                None => e.verdict.as_str().to_string(),
            })
    };
    let ep = if b.from_this_machine() {
        "an endpoint on this machine's own path (not the subnet's)"
    } else {
        b.endpoint.map(|e| e.id.as_str()).unwrap_or("the endpoint")
    };
    match said.and_then(|d| d.policy.map(|k| (k, d.explicit))) {
        Some((policy::PolicyKind::VpcEndpoint, explicit)) => format!(
            "VPC endpoint policy of {ep} (S3: {}){}",
            if explicit {
                "explicit deny"
            } else {
                "no statement allows"
            },
            statement_of(endpoint)
                .filter(|_| !b.from_this_machine())
                .map(|s| format!("; {s}"))
                .unwrap_or_default()
        ),
        Some((policy::PolicyKind::ResourceBased, explicit)) => format!(
            "bucket policy (S3: {}){}",
            if explicit {
                "explicit deny"
            } else {
                "no statement allows"
            },
            statement_of(bucket)
                .map(|s| format!("; {s}"))
                .unwrap_or_default()
        ),
        Some((kind, explicit)) => format!(
            "{} (S3: {})",
            kind.as_str(),
            if explicit {
                "explicit deny"
            } else {
                "no statement allows"
            }
        ),
        None => match (
            statement_of(endpoint),
            bucket
                .iter()
                .find(|e| e.verdict == policy::Verdict::ExplicitDeny),
        ) {
            (Some(s), _) => {
                format!("VPC endpoint policy of {ep}: {s} (static evaluation; S3 gave no reason)")
            }
            (None, Some(e)) => format!(
                "bucket policy: statement {} (static evaluation; S3 gave no reason)",
                e.statement.as_deref().unwrap_or("?")
            ),
            (None, None) => {
                "not known: S3 gave no reason and the readable policies allow the request"
                    .to_string()
            }
        },
    }
}
