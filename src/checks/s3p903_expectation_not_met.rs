use super::{Category, Check, CheckMeta, Context, Draft, Outcome, Severity};
use crate::engine::PathKind;

pub struct ExpectationNotMet;

static META: CheckMeta = CheckMeta {
    id: "S3P903",
    name: "expectation-not-met",
    category: Category::Verdict,
    severity: Severity::Error,
    summary: "the verdict's path is not one of the paths given with --expect",
    doc: include_str!("../../checks/S3P903.md"),
};

impl Check for ExpectationNotMet {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn evaluate(&self, cx: &Context) -> Outcome {
        if cx.expect.is_empty() {
            return Outcome::Skipped("no --expect was given".to_string());
        }
        let Some(primary) = cx.primary() else {
            return Outcome::Skipped("no region to judge against".to_string());
        };
        let d = &primary.decision;
        if d.path == PathKind::Unknown {
            return Outcome::Skipped(format!(
                "the path is not known, so the expectation can be neither met nor refuted: {}",
                d.reason.as_deref().unwrap_or("no reason recorded")
            ));
        }
        if cx.expect.contains(&d.path) {
            return Outcome::Pass;
        }
        let wanted: Vec<&str> = cx.expect.iter().map(|k| k.as_str()).collect();
        let mut draft = Draft::new(format!(
            "expected {} but S3 traffic to {} takes {}",
            wanted.join(" or "),
            primary.target.host,
            d.label()
        ))
        .fix("see the other findings of this run for the change that makes the path match, or correct --expect");
        draft = draft.evidence_of(d);
        Outcome::Fail(vec![draft])
    }
}
