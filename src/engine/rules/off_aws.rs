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
