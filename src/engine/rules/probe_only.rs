//! Without a route table (the tables could not be read, or none governs the subnet), a live
//! first-hop probe can still tell a NAT (a hop inside the VPC answers) from a gateway endpoint
//! (no hop answers while TCP 443 connects), but only as a `probable` answer. Anything else is
//! `unknown`, saying why the route tables are missing.

use std::net::IpAddr;

use crate::engine::context::Cx;
use crate::engine::kinds::{Confidence, Decision, EvidenceKind, PathKind};

/// Why no route table decides.
pub(crate) fn why_no_table(cx: &Cx) -> String {
    if cx.facts.route_tables.get().is_some() {
        match cx.vantage.and_then(|v| v.subnet_id.as_deref()) {
            Some(s) => format!(
                "no route table of the VPC governs {s} (no explicit association and no main table)"
            ),
            None => "the vantage's subnet is not known".to_string(),
        }
    } else {
        format!(
            "the route tables {}",
            cx.facts.route_tables.missing_reason().unwrap_or_default()
        )
    }
}

pub(crate) fn rule(cx: &Cx, addr: IpAddr) -> Decision {
    let why = why_no_table(cx);
    probe_signature(cx, addr, &why).unwrap_or_else(|| Decision::unknown(why))
}

/// What the first-hop probe toward `addr` shows, when it shows something.
fn probe_signature(cx: &Cx, addr: IpAddr, why: &str) -> Option<Decision> {
    let probes = cx.facts.probes.get()?;
    let v = cx.vantage?;
    let hop = probes.first_hop.iter().find(|h| h.target == addr)?;
    match hop.responder {
        Some(r) if v.vpc_cidr_containing(r).is_some() => {
            let mut d =
                Decision::new(PathKind::NatGateway, Confidence::Probable).with_via(r.to_string());
            d.push(
                EvidenceKind::Probe,
                format!(
                    "first hop toward {addr} answered from {r} (TTL {}), inside the VPC: a NAT gateway or NAT instance",
                    hop.ttl.unwrap_or(1)
                ),
            );
            d.push(EvidenceKind::Missing, why);
            d.basis = Some(format!("a live first-hop probe only, because {why}"));
            Some(d)
        }
        Some(r) => {
            let mut d = Decision::unknown(format!(
                "first hop toward {addr} answered from {r}, outside the VPC; {why}"
            ));
            d.push(EvidenceKind::Probe, format!("first hop answered from {r}"));
            Some(d)
        }
        None if cx.tcp_connected(addr) => {
            let mut d = Decision::new(PathKind::GatewayEndpoint, Confidence::Probable);
            d.push(
                EvidenceKind::Probe,
                format!(
                    "no hop answered toward {addr} up to TTL {} while TCP 443 connected: the signature of a gateway endpoint",
                    hop.max_ttl
                ),
            );
            d.push(EvidenceKind::Missing, why);
            d.basis = Some(format!(
                "live probes only (first-hop silence and a TCP connection), because {why}"
            ));
            Some(d)
        }
        None => None,
    }
}
