//! The decision for one address, as a sequence of small rules. Each rule reads the context
//! ([`Cx`]) and the address ([`Query`]) and either decides (`Some`) or passes to the next
//! (`None`). In order:
//!
//! 1. [`eni_match`]: the address is an ENI of an interface, resource or service-network
//!    endpoint;
//! 2. [`vpc_cidr`]: the address is inside one of the VPC's CIDR blocks (`local`, or a probable
//!    interface endpoint when the endpoint list is missing);
//! 3. [`off_aws`]: the host is not in a VPC at all;
//! 4. [`route_lpm`]: the longest-prefix match over the subnet's route table, whose winning
//!    route [`route_target`] turns into a path: [`dead_target`] (a blackhole or a target that
//!    cannot carry traffic) and [`public_address`] (an internet gateway without a public
//!    address) may block it.
//!
//! A decision of 1–4 is then held against the live probes ([`probe_agreement`]); without a
//! route table, [`probe_only`] lets the probes alone give a `probable` answer. Finally
//! [`confidence`] says in plain words what the decision rests on.
//!
//! For a whole target (a host name) the rules around these are [`proxy`] (a proxy takes the
//! request before DNS matters), [`outside_lists`] (names `route` cannot resolve whose addresses
//! AWS documents outside every prefix list) and [`address_choice`] (which address the client
//! connects to first).

pub(super) mod address_choice;
pub(super) mod confidence;
pub(super) mod dead_target;
pub(super) mod eni_match;
pub(super) mod off_aws;
pub(super) mod outside_lists;
pub(super) mod probe_agreement;
pub(super) mod probe_only;
pub(super) mod proxy;
pub(super) mod public_address;
pub(super) mod route_lpm;
pub(super) mod route_target;
pub(super) mod transit;
pub(super) mod vpc_cidr;

use std::net::IpAddr;

use super::context::Cx;
use super::kinds::Decision;
use crate::facts::AnswerSource;
use crate::names::targets::Target;

/// One address to decide, and what is known about it besides its value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Query<'a> {
    pub(crate) addr: IpAddr,
    /// The S3 name it answers for (`None` for a proxy).
    pub(crate) target: Option<&'a Target>,
    /// Where the answer came from (DNS, the hosts file, derived by `route`).
    pub(crate) source: AnswerSource,
    /// Whether it is DNS's answer for one of S3's standard names.
    pub(crate) from_s3_dns: bool,
}

impl<'a> Query<'a> {
    /// An address with nothing known about it (a proxy's address, an IP literal).
    pub(crate) fn bare(addr: IpAddr, source: AnswerSource) -> Self {
        Query {
            addr,
            target: None,
            source,
            from_s3_dns: false,
        }
    }
}

/// The decision for one address, with its basis in plain words.
pub(crate) fn judge_address(cx: &Cx, q: Query) -> Decision {
    let mut d = decide_address(cx, q);
    if d.basis.is_none() {
        d.basis = confidence::basis(&d);
    }
    d
}

/// Applies the rules in order (see the module's documentation).
pub(crate) fn decide_address(cx: &Cx, q: Query) -> Decision {
    let decided = eni_match::rule(cx, q.addr)
        .or_else(|| vpc_cidr::rule(cx, &q))
        .or_else(|| off_aws::rule(cx))
        .or_else(|| route_lpm::rule(cx, &q));
    match decided {
        Some(mut d) => {
            transit::follow(cx, &mut d, &q);
            probe_agreement::confirm(cx, &mut d, q.addr);
            d
        }
        None => probe_only::rule(cx, q.addr),
    }
}
