//! The decision for one target host: the proxy first, then the name's DNS answer, then every
//! address by the rules of [`super::rules`], and the target's path as that of the address the
//! client connects to first.

use std::net::IpAddr;

use super::context::Cx;
use super::kinds::{ev, Decision, Evidence, EvidenceKind, PathKind};
use super::rules::{address_choice, judge_address, outside_lists, proxy, Query};
use super::text::{join_capped, status_name};
use super::{AddressPath, TargetPath};
use crate::facts::{AnswerSource, LookupStatus, Resolution};
use crate::targets::Target;

/// How a derived answer is marked in the evidence.
const DERIVED: &str = "derived from the control plane, not a DNS query";

pub(crate) fn judge_target(cx: &Cx, target: Target, primary: bool) -> TargetPath {
    let mut out = TargetPath {
        primary,
        resolution: "not_resolved".to_string(),
        answer_source: None,
        decision: Decision::unknown("not judged"),
        chosen_address: None,
        addresses: Vec::new(),
        consistent: true,
        target,
    };
    // A proxy takes the request before the client's own DNS matters.
    if let Some(d) = proxy::rule(cx, &out.target.host) {
        if d.path == PathKind::Proxy {
            if let Some(res) = cx.facts.resolution(&out.target.host) {
                out.resolution = status_name(res.status).to_string();
                out.answer_source = Some(res.source);
            }
        }
        out.decision = d;
        return out;
    }
    let res = match answer(cx, &out.target) {
        Ok(res) => res,
        Err(d) => {
            out.decision = *d;
            return out;
        }
    };
    out.resolution = status_name(res.status).to_string();
    out.answer_source = Some(res.source);
    if res.status != LookupStatus::Answered || res.addresses.is_empty() {
        let detail = res
            .error
            .as_deref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        out.decision = Decision::unknown(format!(
            "{} did not resolve ({}{detail})",
            out.target.host,
            status_name(res.status)
        ));
        return out;
    }
    let from_s3_dns = res.source != AnswerSource::HostsFile && out.target.list_service().is_some();
    for &addr in &res.addresses {
        let mut d = judge_address(
            cx,
            Query {
                addr,
                target: Some(&out.target),
                source: res.source,
                from_s3_dns,
            },
        );
        d.evidence
            .insert(0, address_evidence(&out.target.host, res, addr));
        out.addresses.push(AddressPath {
            address: addr,
            decision: d,
        });
    }
    // The address the client connects to first.
    let v6_source = cx.prefers_ipv6();
    let chosen = address_choice::chosen(v6_source, &res.addresses);
    let first = &out.addresses[chosen].decision;
    out.consistent = out.addresses.iter().all(|a| a.decision.same_path(first));
    let mut decision = first.clone();
    let which = out.addresses[chosen].address;
    if let Some(e) = address_choice::evidence(&out.target.host, v6_source, &res.addresses, which) {
        decision.evidence.insert(1, e);
    }
    out.decision = decision;
    out.chosen_address = Some(which);
    out
}

/// The name's answer, or the decision when there is none: DNS not collected, the name not
/// looked up (for `route`, a name outside every prefix list may still be decided).
fn answer<'a>(cx: &Cx<'a>, target: &Target) -> Result<&'a Resolution, Box<Decision>> {
    if cx.facts.dns.get().is_none() {
        let why = cx.facts.dns.missing_reason().unwrap_or_default();
        return Err(Box::new(Decision::unknown(format!("DNS answers {why}"))));
    }
    if let Some(r) = cx.facts.resolution(&target.host) {
        return Ok(r);
    }
    if cx.is_route_view() {
        if let Some(d) = outside_lists::rule(cx, target) {
            return Err(Box::new(d));
        }
    }
    Err(Box::new(Decision::unknown(format!(
        "{} was not looked up{}",
        target.host,
        if cx.is_route_view() {
            " (s3path route derives answers from the control plane only: the interface endpoints' private DNS and the prefix-list entries of the name's region)"
        } else {
            ""
        }
    ))))
}

/// The answer for one address (only that address: evidence stays linear in the answer's size).
fn address_evidence(host: &str, res: &Resolution, addr: IpAddr) -> Evidence {
    let n = res.addresses.len();
    let one_of = if n > 1 {
        format!(", one of {n} addresses")
    } else {
        String::new()
    };
    match res.source {
        AnswerSource::HostsFile => ev(
            EvidenceKind::HostsFile,
            format!("{host} is pinned to {addr} in the hosts file"),
        ),
        AnswerSource::Derived => ev(
            EvidenceKind::Dns,
            format!("{host} would resolve to {addr}{one_of} ({DERIVED})"),
        ),
        AnswerSource::Dns => {
            let by = res
                .resolver
                .as_deref()
                .map(|r| format!(" (resolver {r})"))
                .unwrap_or_default();
            let chain = if res.cname_chain.is_empty() {
                String::new()
            } else {
                format!(" via CNAME {}", join_capped(&res.cname_chain))
            };
            ev(
                EvidenceKind::Dns,
                format!("{host}{chain} resolved to {addr}{one_of}{by}"),
            )
        }
    }
}
