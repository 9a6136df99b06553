use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::engine::PathKind;

check! {
    ExpectationNotMet, "S3P903", "expectation-not-met", Verdict, Error, Stable,
    "the verdict's path is not one of the paths given with --expect"
}

impl ExpectationNotMet {
    fn run(cx: &Context) -> CheckResult {
        if cx.expect.is_empty() {
            return skip("no --expect was given".to_string());
        }
        let primary = cx.need_primary()?;
        let d = &primary.decision;
        if d.path == PathKind::Unknown {
            return skip(format!(
                "the path is not known, so the expectation can be neither met nor refuted: {}",
                d.reason.as_deref().unwrap_or("no reason recorded")
            ));
        }
        if cx.expect.contains(&d.path) {
            return pass();
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
        Ok(vec![draft])
    }
}
