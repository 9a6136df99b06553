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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::*;
    use crate::facts::{Failure, Observed, TcpOutcome};

    const ADDR: &str = "52.216.1.1";

    fn denied() -> FactsBuilder {
        FactsBuilder::new().route_tables(Observed::failed_with(
            "AccessDenied",
            Failure::Denied {
                action: "ec2:DescribeRouteTables".into(),
            },
        ))
    }

    #[test]
    fn a_first_hop_inside_the_vpc_is_a_probable_nat() {
        let f = denied().first_hop(ADDR, Some("10.0.0.1")).build();
        let d = decide_s3(&f, ADDR);
        assert_eq!(d.label(), "nat-gateway via 10.0.0.1");
        assert_eq!(d.confidence, Confidence::Probable);
        assert!(!d.confidence.decides());
        assert_eq!(
            evidence(&d, EvidenceKind::Missing),
            ["the route tables failed: AccessDenied"]
        );
        assert_eq!(
            d.basis.as_deref(),
            Some("a live first-hop probe only, because the route tables failed: AccessDenied")
        );
    }

    #[test]
    fn silence_while_tcp_connects_is_a_probable_gateway_endpoint() {
        let f = denied()
            .first_hop(ADDR, None)
            .tcp(ADDR, TcpOutcome::Connected)
            .build();
        let d = decide_s3(&f, ADDR);
        assert_eq!(d.path, PathKind::GatewayEndpoint);
        assert_eq!(d.via, None);
        assert_eq!(d.confidence, Confidence::Probable);
        assert!(evidence(&d, EvidenceKind::Probe)[0]
            .ends_with("up to TTL 3 while TCP 443 connected: the signature of a gateway endpoint"));
    }

    #[test]
    fn silence_without_a_connection_decides_nothing() {
        let f = denied()
            .first_hop(ADDR, None)
            .tcp(ADDR, TcpOutcome::TimedOut)
            .build();
        let d = decide_s3(&f, ADDR);
        assert_eq!(d.path, PathKind::Unknown);
        assert_eq!(
            d.reason.as_deref(),
            Some("the route tables failed: AccessDenied")
        );
    }

    #[test]
    fn a_first_hop_outside_the_vpc_is_unknown_and_says_where_it_answered() {
        let f = denied().first_hop(ADDR, Some("100.65.0.1")).build();
        let d = decide_s3(&f, ADDR);
        assert_eq!(d.path, PathKind::Unknown);
        assert_eq!(
            d.reason.as_deref(),
            Some("first hop toward 52.216.1.1 answered from 100.65.0.1, outside the VPC; the route tables failed: AccessDenied")
        );
        assert_eq!(
            evidence(&d, EvidenceKind::Probe),
            ["first hop answered from 100.65.0.1"]
        );
    }

    #[test]
    fn without_probes_the_reason_is_why_no_table_decides() {
        // Tables read, but none for the subnet and no main table.
        let f = FactsBuilder::new()
            .other_table("rtb-9", &["0.0.0.0/0 -> nat-1"])
            .build();
        let d = decide_s3(&f, ADDR);
        assert_eq!(d.path, PathKind::Unknown);
        assert_eq!(
            d.reason.as_deref(),
            Some("no route table of the VPC governs subnet-1 (no explicit association and no main table)")
        );
        let f = FactsBuilder::new()
            .vantage(|v| v.subnet_id = None)
            .table("rtb-1", &["0.0.0.0/0 -> nat-1"])
            .build();
        assert_eq!(
            decide_s3(&f, ADDR).reason.as_deref(),
            Some("the vantage's subnet is not known")
        );
    }
}
