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
