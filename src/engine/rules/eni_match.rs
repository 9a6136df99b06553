//! Rule 1: an address that is an ENI of an interface (or resource, or service-network)
//! endpoint of the VPC goes to that endpoint.

use std::net::IpAddr;

use crate::engine::context::Cx;
use crate::engine::kinds::{Confidence, Decision, EvidenceKind, PathKind};
use crate::facts::{EndpointInterface, EndpointType, VpcEndpoint};

/// The endpoint and ENI that hold `addr`, when the endpoint list was read.
pub(crate) fn find(
    endpoints: &[VpcEndpoint],
    addr: IpAddr,
) -> Option<(&VpcEndpoint, &EndpointInterface)> {
    endpoints.iter().find_map(|ep| {
        ep.network_interfaces
            .iter()
            .find(|eni| eni.addresses().any(|a| a == addr))
            .map(|eni| (ep, eni))
    })
}

/// The path kind of an endpoint reached through its ENI.
pub(crate) fn kind_of(endpoint_type: EndpointType) -> PathKind {
    match endpoint_type {
        EndpointType::Resource => PathKind::ResourceEndpoint,
        EndpointType::ServiceNetwork => PathKind::ServiceNetworkEndpoint,
        _ => PathKind::InterfaceEndpoint,
    }
}

pub(crate) fn rule(cx: &Cx, addr: IpAddr) -> Option<Decision> {
    let (ep, eni) = find(cx.endpoints?, addr)?;
    let mut d = Decision::new(kind_of(ep.endpoint_type), Confidence::Inferred).with_via(&ep.id);
    d.push(
        EvidenceKind::Eni,
        format!(
            "{addr} is {} of {} ({}{})",
            eni.id,
            ep.id,
            eni.availability_zone.as_deref().unwrap_or("AZ unknown"),
            eni.subnet_id
                .as_deref()
                .map(|s| format!(", {s}"))
                .unwrap_or_default()
        ),
    );
    if !ep.is_available() {
        d.push(
            EvidenceKind::Eni,
            format!("{} is in state {}", ep.id, ep.state),
        );
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::*;
    use crate::facts::Observed;

    #[test]
    fn an_interface_endpoint_eni_is_the_endpoint() {
        let f = FactsBuilder::new()
            .interface_endpoint("vpce-if", &["10.0.1.5", "10.0.2.5"])
            .build();
        let d = decide_s3(&f, "10.0.2.5");
        assert_eq!(d.path, PathKind::InterfaceEndpoint);
        assert_eq!(d.via.as_deref(), Some("vpce-if"));
        assert_eq!(d.confidence, Confidence::Inferred);
        assert_eq!(
            evidence(&d, EvidenceKind::Eni),
            ["10.0.2.5 is eni-2 of vpce-if (us-east-1a, subnet-1)"]
        );
        // Decided by the ENI list, not by the VPC's CIDR block that also holds the address.
        assert!(evidence(&d, EvidenceKind::VpcCidr).is_empty());
        assert_eq!(
            d.basis.as_deref(),
            Some("the ENIs of vpce-if in the VPC endpoint list; no live probe confirmed it")
        );
    }

    #[test]
    fn resource_and_service_network_endpoints_have_their_own_kinds() {
        let f = FactsBuilder::new()
            .eni_endpoint(
                "vpce-res",
                EndpointType::Resource,
                "available",
                &["10.0.3.1"],
            )
            .eni_endpoint(
                "vpce-sn",
                EndpointType::ServiceNetwork,
                "available",
                &["10.0.3.2"],
            )
            .build();
        assert_eq!(decide_s3(&f, "10.0.3.1").path, PathKind::ResourceEndpoint);
        assert_eq!(
            decide_s3(&f, "10.0.3.2").path,
            PathKind::ServiceNetworkEndpoint
        );
    }

    #[test]
    fn an_ipv6_eni_address_matches_too() {
        let f = FactsBuilder::new()
            .vpc_cidrs(&["10.0.0.0/16", "2600:1f18:1::/56"])
            .interface_endpoint("vpce-if", &["2600:1f18:1::5"])
            .build();
        let d = decide_s3(&f, "2600:1f18:1::5");
        assert_eq!(d.label(), "interface-endpoint via vpce-if");
    }

    #[test]
    fn an_endpoint_that_is_not_available_still_owns_its_eni_and_says_its_state() {
        let f = FactsBuilder::new()
            .eni_endpoint("vpce-if", EndpointType::Interface, "pending", &["10.0.1.5"])
            .build();
        let d = with_cx(&f, |cx| rule(cx, ip("10.0.1.5"))).expect("decided");
        assert_eq!(d.path, PathKind::InterfaceEndpoint);
        assert_eq!(
            evidence(&d, EvidenceKind::Eni)[1],
            "vpce-if is in state pending"
        );
    }

    #[test]
    fn passes_without_the_endpoint_list_or_for_another_address() {
        let f = FactsBuilder::new()
            .interface_endpoint("vpce-if", &["10.0.1.5"])
            .build();
        assert!(with_cx(&f, |cx| rule(cx, ip("10.0.1.6"))).is_none());
        let f = FactsBuilder::new()
            .endpoints(Observed::failed("AccessDenied"))
            .build();
        assert!(with_cx(&f, |cx| rule(cx, ip("10.0.1.5"))).is_none());
    }
}
