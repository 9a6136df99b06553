//! Rule 2: an address inside one of the VPC's CIDR blocks (any range, not only RFC 1918) that
//! is not an endpoint ENI stays in the VPC (`local`). Without the endpoint list, an S3 name
//! that DNS answers with such an address is probably an interface endpoint: a live signal
//! only, so `probable`.

use crate::engine::context::Cx;
use crate::engine::kinds::{Confidence, Decision, EvidenceKind, PathKind};
use crate::facts::AnswerSource;
use crate::targets::TargetClass;

use super::Query;

pub(crate) fn rule(cx: &Cx, q: &Query) -> Option<Decision> {
    let addr = q.addr;
    let net = cx.vantage?.vpc_cidr_containing(addr)?;
    let is_s3_name = q
        .target
        .is_some_and(|t| t.class != TargetClass::EndpointSpecific);
    let mut d = if cx.endpoints.is_none() && is_s3_name && q.source != AnswerSource::HostsFile {
        // Live signal only: a DNS answer inside the VPC, without the endpoint list.
        let missing = cx.facts.vpc_endpoints.missing_reason().unwrap_or_default();
        let mut d = Decision::new(PathKind::InterfaceEndpoint, Confidence::Probable);
        d.push(
            EvidenceKind::Assumption,
            format!(
                "the VPC endpoint list {missing}; an S3 name answered by DNS with an address inside the VPC is taken to be an interface endpoint ENI"
            ),
        );
        d.basis = Some(format!(
            "the DNS answer only: the VPC endpoint list {missing}"
        ));
        d
    } else {
        Decision::new(PathKind::Local, Confidence::Inferred).with_via(addr.to_string())
    };
    d.push(
        EvidenceKind::VpcCidr,
        format!(
            "{addr} is inside VPC CIDR block {net}{}",
            if cx.endpoints.is_some() {
                " and is not an endpoint ENI"
            } else {
                ""
            }
        ),
    );
    Some(d)
}
