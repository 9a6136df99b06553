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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::kinds::{BlockCause, PathKind};

    fn routed(confidence: Confidence) -> Decision {
        let mut d = Decision::new(PathKind::NatGateway, confidence).with_via("nat-1");
        d.route = Some("0.0.0.0/0 -> nat-1".into());
        d.route_table = Some("rtb-1".into());
        d
    }

    #[test]
    fn the_basis_names_the_fact_that_decided() {
        assert_eq!(
            basis(&routed(Confidence::Inferred)).as_deref(),
            Some("the route 0.0.0.0/0 -> nat-1 in rtb-1; no live probe confirmed it")
        );
        assert_eq!(
            basis(&routed(Confidence::Confirmed)).as_deref(),
            Some("the route 0.0.0.0/0 -> nat-1 in rtb-1 and a live probe, which agree")
        );
        let mut eni = Decision::new(PathKind::InterfaceEndpoint, Confidence::Inferred);
        eni.push(EvidenceKind::Eni, "10.0.1.5 is eni-1 of vpce-if");
        assert_eq!(
            basis(&eni).as_deref(),
            Some("the ENIs of the endpoint in the VPC endpoint list; no live probe confirmed it")
        );
        let blocked = Decision::blocked(BlockCause::NoRoute, "no route");
        assert_eq!(
            basis(&blocked).as_deref(),
            Some("the control plane; no live probe confirmed it")
        );
    }

    #[test]
    fn the_basis_states_an_assumption_and_a_disagreeing_probe() {
        let mut d = routed(Confidence::Inferred);
        d.push(EvidenceKind::Assumption, "the list holds it");
        d.probe_agrees = Some(false);
        assert_eq!(
            basis(&d).as_deref(),
            Some("the route 0.0.0.0/0 -> nat-1 in rtb-1, with an assumption stated in the evidence; a live probe disagrees")
        );
    }

    #[test]
    fn probable_is_live_signals_and_undetermined_has_no_basis() {
        assert_eq!(
            basis(&routed(Confidence::Probable)).as_deref(),
            Some("live signals only")
        );
        assert_eq!(basis(&Decision::unknown("why")), None);
    }
}
