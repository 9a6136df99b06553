//! For a name with IPv4 and IPv6 answers, the target's path is that of the address the client
//! connects to first: the first IPv6 answer when this host has a global IPv6 address (RFC
//! 6724's default policy), else the first IPv4 answer.

use std::net::IpAddr;

use crate::engine::kinds::{ev, Evidence, EvidenceKind};

/// The index in `addresses` of the address the client connects to first; `v6_source` is the
/// host's global IPv6 address, if it has one. `addresses` must not be empty.
pub(crate) fn chosen(v6_source: Option<IpAddr>, addresses: &[IpAddr]) -> usize {
    let first_v6 = addresses.iter().position(IpAddr::is_ipv6);
    let first_v4 = addresses.iter().position(IpAddr::is_ipv4);
    match (v6_source, first_v6, first_v4) {
        (Some(_), Some(i), _) => i,
        (_, _, Some(i)) => i,
        _ => 0,
    }
}

/// Why `which` was chosen, when `addresses` hold both families (`None` otherwise).
pub(crate) fn evidence(
    host: &str,
    v6_source: Option<IpAddr>,
    addresses: &[IpAddr],
    which: IpAddr,
) -> Option<Evidence> {
    if !(addresses.iter().any(IpAddr::is_ipv6) && addresses.iter().any(IpAddr::is_ipv4)) {
        return None;
    }
    Some(ev(
        EvidenceKind::Vantage,
        match v6_source {
            Some(src) if which.is_ipv6() => format!(
                "{host} has IPv4 and IPv6 addresses; this host has IPv6 address {src}, so clients connect to {which} first (RFC 6724)"
            ),
            _ => format!(
                "{host} has IPv4 and IPv6 addresses; this host has no global IPv6 address, so clients connect to {which}"
            ),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::{chosen, evidence, EvidenceKind, IpAddr};
    use crate::engine::testing::*;

    fn ips(s: &[&str]) -> Vec<IpAddr> {
        s.iter().map(|a| ip(a)).collect()
    }

    #[test]
    fn a_host_with_a_global_ipv6_address_connects_to_ipv6_first() {
        let a = ips(&["52.216.1.1", "52.216.1.2", "2600:1f18::1"]);
        assert_eq!(chosen(Some(ip("2600:1f18:1::10")), &a), 2);
        assert_eq!(chosen(None, &a), 0);
        // Only IPv6 answers: the first, with or without an IPv6 source.
        assert_eq!(chosen(None, &ips(&["2600:1f18::1", "2600:1f18::2"])), 0);
    }

    #[test]
    fn the_choice_is_stated_only_when_both_families_answer() {
        let both = ips(&["52.216.1.1", "2600:1f18::1"]);
        let e = evidence(
            "s3.dualstack.us-east-1.amazonaws.com",
            Some(ip("2600:1f18:1::10")),
            &both,
            both[1],
        )
        .expect("stated");
        assert_eq!(e.kind, EvidenceKind::Vantage);
        assert_eq!(e.detail, "s3.dualstack.us-east-1.amazonaws.com has IPv4 and IPv6 addresses; this host has IPv6 address 2600:1f18:1::10, so clients connect to 2600:1f18::1 first (RFC 6724)");
        let e = evidence("h", None, &both, both[0]).expect("stated");
        assert_eq!(e.detail, "h has IPv4 and IPv6 addresses; this host has no global IPv6 address, so clients connect to 52.216.1.1");
        assert!(evidence("h", None, &ips(&["52.216.1.1", "52.216.1.2"]), both[0]).is_none());
    }

    const DUAL: &str = "s3.dualstack.us-east-1.amazonaws.com";

    fn dualstack() -> FactsBuilder {
        FactsBuilder::new()
            .vpc_cidrs(&["10.0.0.0/16", "2600:1f18:1::/56"])
            .table("rtb-1", &["0.0.0.0/0 -> nat-1", "::/0 -> eigw-1"])
            .aws_env("AWS_USE_DUALSTACK_ENDPOINT", "true")
    }

    #[test]
    fn the_target_takes_the_path_of_the_ipv6_address_on_an_ipv6_host() {
        let f = dualstack()
            .ipv6("2600:1f18:1::10")
            .dns(DUAL, &["52.216.1.1", "2600:1f18::1"])
            .build();
        let t = judged(&f, DUAL);
        assert_eq!(t.chosen_address, Some(ip("2600:1f18::1")));
        assert_eq!(
            t.decision.label(),
            "egress-only-internet-gateway via eigw-1"
        );
        assert!(!t.consistent);
        assert_eq!(t.addresses.len(), 2);
        // The choice is the second piece of evidence, after the DNS answer.
        assert_eq!(t.decision.evidence[1].kind, EvidenceKind::Vantage);
    }

    #[test]
    fn a_unique_local_or_link_local_ipv6_source_does_not_make_ipv6_first() {
        let f = dualstack()
            .ipv6("fd00::10")
            .ipv6("fe80::1")
            .dns(DUAL, &["2600:1f18::1", "52.216.1.1"])
            .build();
        let t = judged(&f, DUAL);
        assert_eq!(t.chosen_address, Some(ip("52.216.1.1")));
        assert_eq!(t.decision.label(), "nat-gateway via nat-1");
    }
}
