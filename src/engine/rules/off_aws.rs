//! Rule 3: a host that is not an EC2 instance or ECS task, judged without a named subnet,
//! sends its traffic through its own network (`off-aws`).

use crate::engine::context::Cx;
use crate::engine::kinds::{Confidence, Decision, EvidenceKind, PathKind};
use crate::facts::VantageKind;

pub(crate) fn rule(cx: &Cx) -> Option<Decision> {
    let v = cx.vantage?;
    if v.kind != VantageKind::OffAws || v.subnet_id.is_some() {
        return None;
    }
    let mut d = Decision::new(PathKind::OffAws, Confidence::Inferred);
    d.push(
        EvidenceKind::Vantage,
        "this host is not an EC2 instance or ECS task and no subnet was named",
    );
    d.basis = Some("no instance or task metadata answered on this host".to_string());
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::*;

    #[test]
    fn a_host_outside_aws_uses_its_own_network() {
        let f = FactsBuilder::new().off_aws().build();
        let d = decide_s3(&f, "52.216.1.1");
        assert_eq!(d.path, PathKind::OffAws);
        assert_eq!(d.confidence, Confidence::Inferred);
        assert_eq!(
            d.basis.as_deref(),
            Some("no instance or task metadata answered on this host")
        );
    }

    #[test]
    fn a_host_outside_aws_that_names_a_subnet_is_judged_by_the_subnet_instead() {
        let f = FactsBuilder::new()
            .off_aws()
            .vantage(|v| v.subnet_id = Some("subnet-1".to_string()))
            .table("rtb-1", &["0.0.0.0/0 -> nat-1"])
            .build();
        assert!(with_cx(&f, rule).is_none());
        assert_eq!(decide_s3(&f, "52.216.1.1").path, PathKind::NatGateway);
        // An instance is never off AWS.
        assert!(with_cx(&FactsBuilder::new().build(), rule).is_none());
    }
}
