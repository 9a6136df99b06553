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
