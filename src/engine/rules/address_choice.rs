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
