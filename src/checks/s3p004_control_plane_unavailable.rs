use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::engine::{Confidence, PathKind};
use crate::facts::{Failure, Observed, VantageKind};

check! {
    ControlPlaneUnavailable, "S3P004", "control-plane-unavailable", Identity, Warning, Stable,
    "the control plane (the subnet's place or its route tables) could not be read, so the verdict rests on live signals or nothing"
}

impl ControlPlaneUnavailable {
    fn run(cx: &Context) -> CheckResult {
        let f = cx.facts;
        let Some(v) = f.vantage.get() else {
            // `route` could not even place the subnet or instance (no credentials, not found,
            // denied, no answer): the run judged nothing, and says so as a finding with the
            // cause and the fix rather than "no findings".
            // `doctor --subnet-id` on a host that cannot place itself: the named subnet's
            // lookup is the control plane's failure.
            let failed = match (&f.vantage, &f.route_tables) {
                (
                    Observed::Failed {
                        error,
                        cause: Some(cause),
                    },
                    _,
                ) => Some((format!("vantage: {error}"), cause)),
                (
                    _,
                    Observed::Failed {
                        error,
                        cause: Some(cause),
                    },
                ) => Some((format!("route tables: {error}"), cause)),
                _ => None,
            };
            if let Some((evidence, cause)) = failed {
                return Ok(vec![vantage_failed(cx, evidence, cause)]);
            }
            return skip(format!(
                "the vantage {}",
                f.vantage.missing_reason().unwrap_or_default()
            ));
        };
        if v.kind == VantageKind::OffAws && v.subnet_id.is_none() {
            return skip(
                "not in a VPC and no subnet was named: there is no route table to read".to_string(),
            );
        }
        let (why, cause) = match &f.route_tables {
            Observed::Collected { .. } => return pass(),
            Observed::Failed { error, cause } => (error.clone(), cause.clone()),
            Observed::NotCollected { reason } => (reason.clone(), None),
        };
        let primary = cx.need_primary()?;
        let d = primary.decision.terminal();
        let rests_on = match (d.path, d.confidence) {
            (PathKind::Unknown, _) => "nothing: the path is undetermined".to_string(),
            (_, Confidence::Probable) => format!(
                "live signals only, so {} is probable, not inferred, and cannot meet --expect",
                d.label()
            ),
            (_, c) => format!(
                "{} ({}), which needs no route table",
                d.basis.as_deref().unwrap_or("other facts"),
                c.as_str()
            ),
        };
        let what = match &cause {
            Some(c) => format!("could not be read: {}", c.phrase()),
            None => "were not read".to_string(),
        };
        let region = cx.region().unwrap_or("REGION");
        let subnet = v.subnet_id.as_deref().unwrap_or("SUBNET_ID");
        let mut draft = Draft::new(format!(
            "the route tables of {} {what}; the verdict rests on {rests_on}",
            v.vpc_id.as_deref().unwrap_or("the VPC")
        ))
        .evidence(format!("route tables: {why}"));
        draft = match &cause {
            Some(Failure::Denied { action }) => draft.fix(format!(
                "allow {action} (all of docs/iam-policy.json): aws iam put-role-policy --role-name ROLE --policy-name s3path-read-only --policy-document file://docs/iam-policy.json"
            )),
            Some(Failure::NoCredentials) => draft.fix(
                "give the host credentials (an instance profile, or AWS_PROFILE) that can call the Describe actions in docs/iam-policy.json",
            ),
            Some(Failure::TimedOut { .. }) | Some(Failure::Unreachable { .. }) => draft.fix(
                "give the EC2 API more time (--timeout 10), or check the path to ec2.REGION.amazonaws.com (an interface endpoint for EC2 in an isolated subnet)",
            ),
            _ => draft,
        };
        Ok(vec![draft.fix(format!(
            "or judge the subnet from a machine with read-only credentials: s3path route --region {region} --subnet-id {subnet}"
        ))])
    }
}

/// The finding for a vantage that could not be looked up: what failed, and the change that
/// lets the run judge.
fn vantage_failed(cx: &Context, evidence: String, cause: &Failure) -> Draft {
    let region = cx.region().unwrap_or("REGION");
    let draft = Draft::new(format!(
        "the control plane could not be read ({}), so the path is undetermined: nothing was judged",
        match cause {
            Failure::NotFound => format!("the subnet or instance was not found in {region}"),
            c => c.phrase(),
        }
    ))
    .evidence(evidence);
    super::fixes::control_plane(cause, region)
        .into_iter()
        .fold(draft, |d, fix| d.fix(fix))
}
