//! The decision for one target host: the proxy first, then the name's DNS answer, then every
//! address by the rules of [`super::rules`], and the target's path as that of the address the
//! client connects to first.

use std::net::IpAddr;

use super::analysis::{AddressPath, TargetPath};
use super::context::Cx;
use super::kinds::{ev, Decision, Evidence, EvidenceKind, PathKind};
use super::rules::{address_choice, judge_address, outside_lists, proxy, Query};
use super::text::join_capped;
use crate::facts::{AnswerSource, LookupStatus, Resolution};
use crate::names::targets::Target;

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
                out.resolution = res.status.as_str().to_string();
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
    out.resolution = res.status.as_str().to_string();
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
            res.status.as_str()
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
        if let Some(r) = super::derived::forwarding_rule(cx.facts, &target.host) {
            let to = if r.target_ips.is_empty() {
                String::new()
            } else {
                format!(" to {}", r.target_ips.join(", "))
            };
            return Err(Box::new(Decision::unknown(format!(
                "{} is forwarded by the Route 53 Resolver rule {} ({}){to}: its answer comes from that forwarder, which the control plane does not show",
                target.host, r.id, r.domain_name
            ))));
        }
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
        AnswerSource::Derived => {
            // A private hosted zone's answer names the zone and record.
            let via = res
                .resolver
                .as_deref()
                .filter(|r| *r != super::derived::SIMULATED)
                .map(|r| format!("; {r}"))
                .unwrap_or_default();
            ev(
                EvidenceKind::Dns,
                format!("{host} would resolve to {addr}{one_of} ({DERIVED}{via})"),
            )
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::kinds::Confidence;
    use crate::engine::testing::*;
    use crate::facts::Observed;

    #[test]
    fn without_dns_answers_nothing_is_decided() {
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> nat-1"])
            .dns_observed(Observed::failed("timed out"))
            .build();
        let t = judged(&f, S3);
        assert_eq!(t.decision.path, PathKind::Unknown);
        assert_eq!(
            t.decision.reason.as_deref(),
            Some("DNS answers failed: timed out")
        );
        assert_eq!(t.resolution, "not_resolved");
        assert_eq!(t.chosen_address, None);
    }

    #[test]
    fn a_name_that_was_not_looked_up_or_did_not_resolve() {
        let f = FactsBuilder::new().build();
        assert_eq!(
            judged(&f, S3).decision.reason.as_deref(),
            Some("s3.us-east-1.amazonaws.com was not looked up")
        );
        let f = FactsBuilder::new()
            .dns_status(S3, LookupStatus::Nxdomain)
            .build();
        let t = judged(&f, S3);
        assert_eq!(t.resolution, "nxdomain");
        assert_eq!(
            t.decision.reason.as_deref(),
            Some("s3.us-east-1.amazonaws.com did not resolve (nxdomain)")
        );
    }

    #[test]
    fn every_address_is_judged_and_the_first_one_decides() {
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> nat-1"])
            .interface_endpoint("vpce-if", &["10.0.1.5"])
            .dns(S3, &["10.0.1.5", "52.216.1.1"])
            .build();
        let t = judged(&f, S3);
        assert!(t.primary);
        assert_eq!(t.resolution, "answered");
        assert_eq!(t.answer_source, Some(AnswerSource::Dns));
        assert_eq!(t.chosen_address, Some(ip("10.0.1.5")));
        assert_eq!(t.decision.label(), "interface-endpoint via vpce-if");
        assert_eq!(t.addresses[1].decision.label(), "nat-gateway via nat-1");
        assert!(!t.consistent);
        // Each address's evidence starts with its own answer.
        assert_eq!(
            t.addresses[1].decision.evidence[0].detail,
            "s3.us-east-1.amazonaws.com resolved to 52.216.1.1, one of 2 addresses"
        );
    }

    #[test]
    fn a_hosts_file_pin_is_evidence_and_no_s3_list_is_assumed_for_it() {
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> nat-1", "pl-s3 -> vpce-gw"])
            .gateway_endpoint("vpce-gw")
            .unread_prefix_list("pl-s3", Some("com.amazonaws.us-east-1.s3"), "AccessDenied")
            .hosts_file(S3, &["52.216.1.1"])
            .build();
        let t = judged(&f, S3);
        assert_eq!(
            evidence(&t.decision, EvidenceKind::HostsFile),
            ["s3.us-east-1.amazonaws.com is pinned to 52.216.1.1 in the hosts file"]
        );
        assert_eq!(t.decision.path, PathKind::Unknown);
        // The same address from DNS is assumed to be in the region's list.
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> nat-1", "pl-s3 -> vpce-gw"])
            .gateway_endpoint("vpce-gw")
            .unread_prefix_list("pl-s3", Some("com.amazonaws.us-east-1.s3"), "AccessDenied")
            .dns(S3, &["52.216.1.1"])
            .build();
        assert_eq!(judged(&f, S3).decision.path, PathKind::GatewayEndpoint);
    }

    #[test]
    fn a_derived_answer_says_it_is_not_a_dns_query() {
        let f = FactsBuilder::new()
            .subnet_view()
            .table("rtb-1", &["0.0.0.0/0 -> nat-1"])
            .derived(S3, &["52.216.1.1"])
            .build();
        let t = judged(&f, S3);
        assert_eq!(t.answer_source, Some(AnswerSource::Derived));
        assert_eq!(
            t.decision.evidence[0].detail,
            "s3.us-east-1.amazonaws.com would resolve to 52.216.1.1 (derived from the control plane, not a DNS query)"
        );
        assert_eq!(t.decision.confidence, Confidence::Inferred);
    }

    #[test]
    fn route_explains_a_name_it_did_not_derive() {
        let f = FactsBuilder::new()
            .subnet_view()
            .table("rtb-1", &["0.0.0.0/0 -> nat-1"])
            .build();
        let reason = judged(&f, S3).decision.reason.unwrap_or_default();
        assert!(reason.starts_with(
            "s3.us-east-1.amazonaws.com was not looked up (s3path route derives answers from the control plane only"
        ));
        // An accelerate name is decided without an answer.
        let d = with_cx(&f, |cx| {
            answer(cx, &target("app-data.s3-accelerate.amazonaws.com")).err()
        })
        .expect("decided without an answer");
        assert_eq!(d.label(), "nat-gateway via nat-1");
    }
}
