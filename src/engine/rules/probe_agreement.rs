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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::kinds::BlockCause;
    use crate::engine::testing::*;
    use crate::facts::TcpOutcome::{Connected, Refused, TimedOut};

    const ADDR: &str = "52.216.1.1";

    fn nat() -> FactsBuilder {
        FactsBuilder::new().table("rtb-1", &["0.0.0.0/0 -> nat-1"])
    }

    #[test]
    fn a_first_hop_inside_the_vpc_confirms_a_nat_gateway() {
        let f = nat()
            .first_hop(ADDR, Some("10.0.0.1"))
            .tcp(ADDR, Connected)
            .build();
        let d = decide_s3(&f, ADDR);
        assert_eq!(d.path, PathKind::NatGateway);
        assert_eq!(d.confidence, Confidence::Confirmed);
        assert_eq!(d.probe_agrees, Some(true));
        assert_eq!(
            evidence(&d, EvidenceKind::Probe),
            [
                "TCP 52.216.1.1:443 connected in 1.5 ms",
                "first hop toward 52.216.1.1 answered from 10.0.0.1 at TTL 1"
            ]
        );
        assert_eq!(
            d.basis.as_deref(),
            Some("the route 0.0.0.0/0 -> nat-1 in rtb-1 and a live probe, which agree")
        );
    }

    #[test]
    fn a_first_hop_outside_the_vpc_disagrees_with_a_nat_gateway() {
        let f = nat().first_hop(ADDR, Some("100.65.0.1")).build();
        let d = decide_s3(&f, ADDR);
        assert_eq!(d.path, PathKind::NatGateway);
        assert_eq!(d.confidence, Confidence::Inferred);
        assert_eq!(d.probe_agrees, Some(false));
        assert_eq!(
            d.basis.as_deref(),
            Some("the route 0.0.0.0/0 -> nat-1 in rtb-1; a live probe disagrees")
        );
    }

    #[test]
    fn a_gateway_endpoint_is_confirmed_by_silence_and_a_connection_only() {
        let gw = || {
            FactsBuilder::new()
                .table("rtb-1", &["0.0.0.0/0 -> nat-1", "pl-s3 -> vpce-gw"])
                .gateway_endpoint("vpce-gw")
                .prefix_list("pl-s3", "com.amazonaws.us-east-1.s3", &["52.216.0.0/15"])
        };
        let both = gw().first_hop(ADDR, None).tcp(ADDR, Connected).build();
        assert_eq!(decide_s3(&both, ADDR).confidence, Confidence::Confirmed);
        // Silence alone agrees but cannot confirm (a firewall is silent too).
        let silent = gw().first_hop(ADDR, None).tcp(ADDR, TimedOut).build();
        let d = decide_s3(&silent, ADDR);
        assert_eq!(d.confidence, Confidence::Inferred);
        assert_eq!(d.probe_agrees, Some(true));
        // A hop that answers disagrees.
        let hop = gw().first_hop(ADDR, Some("10.0.0.1")).build();
        assert_eq!(decide_s3(&hop, ADDR).probe_agrees, Some(false));
    }

    #[test]
    fn an_internet_gateway_is_confirmed_by_a_hop_outside_the_vpc_and_a_connection() {
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> igw-1"])
            .public_ip("54.0.0.1")
            .first_hop(ADDR, Some("100.65.0.1"))
            .tcp(ADDR, Connected)
            .build();
        let d = decide_s3(&f, ADDR);
        assert_eq!(d.confidence, Confidence::Confirmed);
        let inside = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> igw-1"])
            .public_ip("54.0.0.1")
            .first_hop(ADDR, Some("10.0.0.1"))
            .build();
        assert_eq!(decide_s3(&inside, ADDR).probe_agrees, Some(false));
    }

    #[test]
    fn a_transit_gateway_is_never_confirmed_by_a_probe() {
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> tgw-1"])
            .first_hop(ADDR, Some("10.0.0.1"))
            .tcp(ADDR, Connected)
            .build();
        let d = decide_s3(&f, ADDR);
        assert_eq!(d.confidence, Confidence::Inferred);
        assert_eq!(d.probe_agrees, Some(true));
        assert!(d.confidence.decides());
    }

    #[test]
    fn an_interface_endpoint_is_confirmed_by_connecting_to_its_eni() {
        let b = || FactsBuilder::new().interface_endpoint("vpce-if", &["10.0.1.5"]);
        let ok = b().tcp("10.0.1.5", Connected).build();
        let d = decide_s3(&ok, "10.0.1.5");
        assert_eq!(d.confidence, Confidence::Confirmed);
        // A refused connection is a reachability problem, not another path: no opinion.
        let refused = b().tcp("10.0.1.5", Refused).build();
        let d = decide_s3(&refused, "10.0.1.5");
        assert_eq!(d.confidence, Confidence::Inferred);
        assert_eq!(d.probe_agrees, None);
        assert_eq!(
            evidence(&d, EvidenceKind::Probe),
            ["TCP 10.0.1.5:443 refused in 1.5 ms"]
        );
    }

    #[test]
    fn a_blocked_path_that_connects_disagrees() {
        let f = FactsBuilder::new()
            .table("rtb-1", &["10.0.0.0/16 -> local"])
            .tcp(ADDR, Connected)
            .build();
        let d = decide_s3(&f, ADDR);
        assert_eq!(d.blocked_by, Some(BlockCause::NoRoute));
        assert_eq!(d.probe_agrees, Some(false));
        assert_eq!(d.confidence, Confidence::Inferred);
    }

    #[test]
    fn an_assumption_is_never_confirmed() {
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> nat-1", "pl-s3 -> vpce-gw"])
            .gateway_endpoint("vpce-gw")
            .unread_prefix_list("pl-s3", Some("com.amazonaws.us-east-1.s3"), "AccessDenied")
            .first_hop(ADDR, None)
            .tcp(ADDR, Connected)
            .build();
        let d = decide_s3(&f, ADDR);
        assert_eq!(d.path, PathKind::GatewayEndpoint);
        assert_eq!(d.confidence, Confidence::Inferred);
        assert_eq!(d.probe_agrees, Some(true));
    }

    #[test]
    fn probes_toward_other_addresses_say_nothing() {
        let f = nat()
            .first_hop("52.216.9.9", Some("100.65.0.1"))
            .tcp("52.216.9.9", Connected)
            .build();
        let d = decide_s3(&f, ADDR);
        assert_eq!(d.probe_agrees, None);
        assert!(evidence(&d, EvidenceKind::Probe).is_empty());
    }

    #[test]
    fn what_each_path_needs_to_be_confirmed() {
        assert!(confirmable(PathKind::NatGateway, true, false));
        assert!(!confirmable(PathKind::NatGateway, false, true));
        assert!(!confirmable(PathKind::GatewayEndpoint, true, false));
        assert!(confirmable(PathKind::GatewayEndpoint, true, true));
        assert!(confirmable(PathKind::Local, false, false));
        for k in [
            PathKind::TransitGateway,
            PathKind::VpcPeering,
            PathKind::VirtualPrivateGateway,
            PathKind::GatewayLoadBalancerEndpoint,
            PathKind::CoreNetwork,
        ] {
            assert!(!confirmable(k, true, true), "{k}");
        }
    }
}
