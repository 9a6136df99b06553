//! An internet gateway carries an instance's traffic only when the instance has a public
//! address of the destination's family (a public IPv4 address or Elastic IP; for IPv6, an
//! IPv6 address): without one the path is `blocked` (`no_public_address`). For a subnet
//! (`s3path route`) there is no instance, so the requirement is stated instead.

use std::net::IpAddr;

use crate::engine::context::Cx;
use crate::engine::kinds::{BlockCause, Decision, EvidenceKind, PathKind};
use crate::engine::text::join_ips;
use crate::facts::VantageKind;

/// `d` itself unless it is an internet-gateway path; then `d` with the vantage's address, or
/// `blocked` when the vantage has none for `addr`'s family.
pub(crate) fn rule(cx: &Cx, mut d: Decision, addr: Option<IpAddr>) -> Decision {
    if d.path != PathKind::InternetGateway {
        return d;
    }
    if cx.vantage.is_some_and(|v| v.kind == VantageKind::Subnet) {
        d.push(
            EvidenceKind::Vantage,
            "instances in this subnet need a public IPv4 address or Elastic IP (IPv6: an IPv6 address) to use it",
        );
        return d;
    }
    let (Some(v), Some(addr)) = (cx.vantage, addr) else {
        return d;
    };
    let needed = if addr.is_ipv4() {
        &v.public_ipv4s
    } else {
        &v.ipv6s
    };
    if !needed.is_empty() {
        d.push(
            EvidenceKind::Vantage,
            format!("vantage has {}", join_ips(needed)),
        );
        return d;
    }
    let family = if addr.is_ipv4() {
        "public IPv4 address or Elastic IP"
    } else {
        "IPv6 address"
    };
    let via = d.via.clone().unwrap_or_default();
    let mut b = Decision::blocked(
        BlockCause::NoPublicAddress,
        format!(
            "the route sends {addr} to internet gateway {via}, but this vantage has no {family}"
        ),
    );
    b.via = Some(via);
    b.route = d.route.take();
    b.evidence = std::mem::take(&mut d.evidence);
    b.push(
        EvidenceKind::Vantage,
        format!(
            "vantage {} has no {family}",
            v.instance_id.as_deref().unwrap_or("(this host)")
        ),
    );
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::kinds::Confidence;
    use crate::engine::testing::*;

    const IGW: [&str; 2] = ["0.0.0.0/0 -> igw-1", "::/0 -> igw-1"];

    #[test]
    fn an_internet_gateway_with_a_public_ipv4_address() {
        let f = FactsBuilder::new()
            .table("rtb-1", &IGW)
            .public_ip("54.0.0.1")
            .build();
        let d = decide_s3(&f, "52.216.1.1");
        assert_eq!(d.label(), "internet-gateway via igw-1");
        assert_eq!(d.confidence, Confidence::Inferred);
        assert_eq!(
            evidence(&d, EvidenceKind::Vantage),
            ["vantage has 54.0.0.1"]
        );
    }

    #[test]
    fn an_internet_gateway_without_a_public_address_is_blocked() {
        let f = FactsBuilder::new().table("rtb-1", &IGW).build();
        let d = decide_s3(&f, "52.216.1.1");
        assert_eq!(d.path, PathKind::Blocked);
        assert_eq!(d.blocked_by, Some(BlockCause::NoPublicAddress));
        assert_eq!(d.via.as_deref(), Some("igw-1"));
        assert_eq!(d.route.as_deref(), Some("0.0.0.0/0 -> igw-1"));
        assert_eq!(
            d.reason.as_deref(),
            Some("the route sends 52.216.1.1 to internet gateway igw-1, but this vantage has no public IPv4 address or Elastic IP")
        );
        // The route's evidence is kept, then the vantage's.
        assert_eq!(
            evidence(&d, EvidenceKind::Route),
            ["longest match for 52.216.1.1 in rtb-1: 0.0.0.0/0 -> igw-1"]
        );
        assert_eq!(
            evidence(&d, EvidenceKind::Vantage),
            ["vantage i-1 has no public IPv4 address or Elastic IP"]
        );
    }

    #[test]
    fn an_ipv6_destination_needs_an_ipv6_address_not_a_public_ipv4() {
        let v4_only = FactsBuilder::new()
            .table("rtb-1", &IGW)
            .public_ip("54.0.0.1")
            .build();
        let d = decide_s3(&v4_only, "2600:1f18::1");
        assert_eq!(d.blocked_by, Some(BlockCause::NoPublicAddress));
        assert!(d
            .reason
            .as_deref()
            .is_some_and(|r| r.ends_with("has no IPv6 address")));
        let v6 = FactsBuilder::new()
            .table("rtb-1", &IGW)
            .ipv6("2600:1f18:1::10")
            .build();
        let d = decide_s3(&v6, "2600:1f18::1");
        assert_eq!(d.label(), "internet-gateway via igw-1");
        assert_eq!(
            evidence(&d, EvidenceKind::Vantage),
            ["vantage has 2600:1f18:1::10"]
        );
    }

    #[test]
    fn a_subnet_has_no_instance_so_the_requirement_is_stated() {
        let f = FactsBuilder::new()
            .subnet_view()
            .table("rtb-1", &IGW)
            .build();
        let d = decide_s3(&f, "52.216.1.1");
        assert_eq!(d.path, PathKind::InternetGateway);
        assert!(evidence(&d, EvidenceKind::Vantage)[0]
            .starts_with("instances in this subnet need a public IPv4 address or Elastic IP"));
    }

    #[test]
    fn other_paths_pass_unchanged() {
        let f = FactsBuilder::new().build();
        let d = Decision::new(PathKind::NatGateway, Confidence::Inferred);
        let out = with_cx(&f, |cx| rule(cx, d.clone(), Some(ip("52.216.1.1"))));
        assert_eq!(out, d);
    }
}
