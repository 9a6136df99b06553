//! What a decision rests on, in plain words (`basis`), from its confidence and evidence: the
//! control-plane fact that decided (a route, an endpoint's ENIs, the VPC's CIDR blocks), with
//! or without a probe that agrees, and any assumption. The scale is docs/confidence.md.

use crate::engine::kinds::{Confidence, Decision, EvidenceKind};

/// `None` for an undetermined decision (its `reason` says why).
pub(crate) fn basis(d: &Decision) -> Option<String> {
    let control = if let (Some(r), Some(t)) = (&d.route, &d.route_table) {
        format!("the route {r} in {t}")
    } else if d.evidence.iter().any(|e| e.kind == EvidenceKind::Eni) {
        format!(
            "the ENIs of {} in the VPC endpoint list",
            d.via.as_deref().unwrap_or("the endpoint")
        )
    } else if d.evidence.iter().any(|e| e.kind == EvidenceKind::VpcCidr) {
        "the VPC's CIDR blocks".to_string()
    } else {
        "the control plane".to_string()
    };
    let assumed = d
        .evidence
        .iter()
        .any(|e| e.kind == EvidenceKind::Assumption);
    let caveat = if assumed {
        ", with an assumption stated in the evidence"
    } else {
        ""
    };
    Some(match d.confidence {
        Confidence::Confirmed => format!("{control} and a live probe, which agree"),
        Confidence::Inferred => match d.probe_agrees {
            Some(false) => format!("{control}{caveat}; a live probe disagrees"),
            _ => format!("{control}{caveat}; no live probe confirmed it"),
        },
        Confidence::Probable => "live signals only".to_string(),
        Confidence::Undetermined => return None,
    })
}
