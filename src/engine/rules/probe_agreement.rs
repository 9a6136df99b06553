//! A decision of the control plane held against the live probes: the probes' results become
//! evidence, a probe that agrees raises `inferred` to `confirmed` when it can see the path,
//! and one that disagrees is recorded (`probe_agrees: false`, S3P502). See "What a probe can
//! confirm" in docs/confidence.md.

use std::net::IpAddr;

use crate::engine::context::Cx;
use crate::engine::kinds::{Confidence, Decision, EvidenceKind, PathKind};
use crate::engine::text::tcp_outcome_name;
use crate::facts::{FirstHopProbe, TcpOutcome, TcpProbe};

/// Whether the probes agree with `path`: `None` when no probe speaks to it.
pub(crate) fn agrees(
    cx: &Cx,
    path: PathKind,
    tcp: Option<&TcpProbe>,
    hop: Option<&FirstHopProbe>,
) -> Option<bool> {
    let connected = tcp.is_some_and(|t| t.outcome == TcpOutcome::Connected);
    match path {
        PathKind::GatewayEndpoint => hop.map(|h| h.responder.is_none()),
        PathKind::NatGateway | PathKind::NetworkInterface => {
            hop.map(|h| h.responder.is_some_and(|r| cx.in_vpc(r)))
        }
        PathKind::InternetGateway | PathKind::EgressOnlyInternetGateway => {
            hop.map(|h| h.responder.is_none_or(|r| !cx.in_vpc(r)))
        }
        PathKind::Blocked => tcp.map(|t| t.outcome != TcpOutcome::Connected),
        PathKind::Unknown | PathKind::Proxy => None,
        // A failed connection is a reachability problem (S3P501), not a different path.
        _ => connected.then_some(true),
    }
}

/// What a probe can confirm: the address itself (an ENI, a VPC address), the first hop of an
/// egress path that shows it (NAT: a hop inside the VPC; gateway endpoint: silence while TCP
/// connects; internet gateway: no hop inside the VPC), or a blocked path that does not
/// connect. A transit gateway, peering connection, VPN or appliance endpoint looks like any
/// other working path to a probe: it stays inferred.
pub(crate) fn confirmable(path: PathKind, has_hop: bool, connected: bool) -> bool {
    match path {
        PathKind::GatewayEndpoint
        | PathKind::InternetGateway
        | PathKind::EgressOnlyInternetGateway => has_hop && connected,
        PathKind::NatGateway | PathKind::NetworkInterface => has_hop,
        PathKind::InterfaceEndpoint
        | PathKind::ResourceEndpoint
        | PathKind::ServiceNetworkEndpoint
        | PathKind::Local
        | PathKind::OffAws
        | PathKind::Blocked => true,
        _ => false,
    }
}

/// Adds the probes toward `addr` to `d`'s evidence, raises its confidence to `confirmed` when
/// a probe agrees with a control-plane decision it can see, and records agreement or
/// disagreement.
pub(crate) fn confirm(cx: &Cx, d: &mut Decision, addr: IpAddr) {
    let Some(probes) = cx.facts.probes.get() else {
        return;
    };
    let tcp = probes
        .tcp
        .iter()
        .find(|t| t.address == addr && t.port == 443);
    let hop = probes.first_hop.iter().find(|h| h.target == addr);
    let connected = tcp.is_some_and(|t| t.outcome == TcpOutcome::Connected);
    let agrees = agrees(cx, d.path, tcp, hop);
    if let Some(t) = tcp {
        d.push(
            EvidenceKind::Probe,
            format!(
                "TCP {}:{} {}{}",
                addr,
                t.port,
                tcp_outcome_name(t.outcome),
                t.latency_ms
                    .map(|l| format!(" in {l:.1} ms"))
                    .unwrap_or_default()
            ),
        );
    }
    if let Some(h) = hop {
        d.push(
            EvidenceKind::Probe,
            match h.responder {
                Some(r) => format!(
                    "first hop toward {addr} answered from {r} at TTL {}",
                    h.ttl.unwrap_or(1)
                ),
                None => format!("no hop answered toward {addr} up to TTL {}", h.max_ttl),
            },
        );
    }
    let confirmable = confirmable(d.path, hop.is_some(), connected);
    match agrees {
        Some(true) if d.confidence == Confidence::Inferred && control_plane_decided(d) => {
            if confirmable {
                d.confidence = Confidence::Confirmed;
            }
            d.probe_agrees = Some(true);
        }
        Some(true) => d.probe_agrees = Some(true),
        Some(false) => d.probe_agrees = Some(false),
        None => {}
    }
}

/// True when the decision rests on control-plane facts rather than on an assumption.
pub(crate) fn control_plane_decided(d: &Decision) -> bool {
    !d.evidence
        .iter()
        .any(|e| e.kind == EvidenceKind::Assumption)
        && (d.route.is_some()
            || d.evidence
                .iter()
                .any(|e| matches!(e.kind, EvidenceKind::Eni | EvidenceKind::VpcCidr)))
}
