//! Rule 2: an address inside one of the VPC's CIDR blocks (any range, not only RFC 1918) that
//! is not an endpoint ENI stays in the VPC (`local`). Without the endpoint list, an S3 name
//! that DNS answers with such an address is probably an interface endpoint: a live signal
//! only, so `probable`.

use crate::engine::context::Cx;
use crate::engine::kinds::{Confidence, Decision, EvidenceKind, PathKind};
use crate::facts::AnswerSource;
use crate::names::HostKind;

use super::Query;

pub(crate) fn rule(cx: &Cx, q: &Query) -> Option<Decision> {
    let addr = q.addr;
    let net = cx.vantage?.vpc_cidr_containing(addr)?;
    let is_s3_name = q
        .target
        .is_some_and(|t| t.planned_family() != Some(HostKind::EndpointSpecific));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::*;
    use crate::facts::Observed;

    #[test]
    fn an_address_inside_the_vpc_that_is_no_eni_is_local() {
        let f = FactsBuilder::new().build();
        let d = decide_s3(&f, "10.0.9.9");
        assert_eq!(d.label(), "local via 10.0.9.9");
        assert_eq!(d.confidence, Confidence::Inferred);
        assert_eq!(
            evidence(&d, EvidenceKind::VpcCidr),
            ["10.0.9.9 is inside VPC CIDR block 10.0.0.0/16 and is not an endpoint ENI"]
        );
        assert_eq!(
            d.basis.as_deref(),
            Some("the VPC's CIDR blocks; no live probe confirmed it")
        );
    }

    #[test]
    fn any_vpc_block_counts_not_only_rfc_1918_and_secondary_blocks_too() {
        let f = FactsBuilder::new()
            .vpc_cidrs(&["10.0.0.0/16", "52.95.0.0/24"])
            // Even a route that would send the address elsewhere: the VPC's own block wins.
            .table("rtb-1", &["0.0.0.0/0 -> nat-1"])
            .build();
        let d = decide_s3(&f, "52.95.0.7");
        assert_eq!(d.path, PathKind::Local);
        assert!(evidence(&d, EvidenceKind::VpcCidr)[0].contains("52.95.0.0/24"));
        assert!(d.route.is_none());
    }

    #[test]
    fn without_the_endpoint_list_an_s3_answer_inside_the_vpc_is_a_probable_interface_endpoint() {
        let f = FactsBuilder::new()
            .endpoints(Observed::failed("AccessDenied"))
            .build();
        let d = decide_s3(&f, "10.0.1.5");
        assert_eq!(d.path, PathKind::InterfaceEndpoint);
        assert_eq!(d.confidence, Confidence::Probable);
        assert!(!d.confidence.decides());
        assert!(evidence(&d, EvidenceKind::Assumption)[0]
            .starts_with("the VPC endpoint list failed: AccessDenied; an S3 name answered by DNS"));
        // Without the list, the evidence cannot say it is not an ENI.
        assert_eq!(
            evidence(&d, EvidenceKind::VpcCidr),
            ["10.0.1.5 is inside VPC CIDR block 10.0.0.0/16"]
        );
        assert_eq!(
            d.basis.as_deref(),
            Some("the DNS answer only: the VPC endpoint list failed: AccessDenied")
        );
    }

    #[test]
    fn a_hosts_file_pin_an_endpoint_name_or_a_proxy_inside_the_vpc_stays_local() {
        let f = FactsBuilder::new()
            .endpoints(Observed::failed("AccessDenied"))
            .build();
        let s3 = target(S3);
        let pinned = Query {
            source: AnswerSource::HostsFile,
            from_s3_dns: false,
            ..s3_query(&s3, "10.0.1.5")
        };
        let ep = target("bucket.vpce-1a2b-3c4d.s3.us-east-1.vpce.amazonaws.com");
        with_cx(&f, |cx| {
            for q in [pinned, s3_query(&ep, "10.0.1.5"), bare("10.0.1.5")] {
                let d = rule(cx, &q).expect("decided");
                assert_eq!(d.path, PathKind::Local, "{q:?}");
                assert_eq!(d.confidence, Confidence::Inferred);
            }
        });
    }

    #[test]
    fn passes_outside_the_vpc() {
        let f = FactsBuilder::new().build();
        assert!(with_cx(&f, |cx| rule(cx, &bare("10.1.0.1"))).is_none());
    }
}
