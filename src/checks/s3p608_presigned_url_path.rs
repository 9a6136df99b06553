use super::context::{pass, CheckResult, Context, Draft};
use crate::engine::{join_ips, PathKind};
use crate::facts::parts;
use crate::facts::{LookupStatus, TcpOutcome};
use crate::names::targets::TargetRole;

check! {
    PresignedUrlPath, "S3P608", "presigned-url-path", Host, Warning, Stable,
    "a presigned URL's host does not resolve, does not connect, or travels another path than the application's S3 traffic"
}

impl PresignedUrlPath {
    fn run(cx: &Context) -> CheckResult {
        let p = cx.need(parts::Presigned)?;
        let target = cx.analysis.targets.iter().find(|t| {
            t.target.role == TargetRole::Presigned || t.target.host.eq_ignore_ascii_case(&p.host)
        });
        let r = &p.resolution;
        if r.status != LookupStatus::Answered || r.addresses.is_empty() {
            return Ok(vec![Draft::new(format!(
                "the presigned URL's host {} does not resolve ({}): whoever receives the URL from this network cannot use it",
                p.host,
                r.status.as_str()
            ))
            .fix(format!("dig {}", p.host))]);
        }
        let connected = p.tcp.iter().any(|t| t.outcome == TcpOutcome::Connected);
        let mut drafts = Vec::new();
        if !p.tcp.is_empty() && !connected {
            let mut d = Draft::new(format!(
                "the presigned URL's host {} resolves to {} but no address accepts a connection",
                p.host,
                join_ips(&r.addresses)
            ));
            for t in &p.tcp {
                d = d.evidence(format!(
                    "{}:{} {}",
                    t.address,
                    t.port,
                    t.error.as_deref().unwrap_or("not connected")
                ));
            }
            if let Some(t) = target {
                d = d.evidence_of(&t.decision);
            }
            drafts.push(d);
        }
        if let (Some(t), Some(primary)) = (target, cx.primary()) {
            let (ours, theirs) = (primary.decision.terminal(), t.decision.terminal());
            if theirs.path != PathKind::Unknown
                && ours.path != PathKind::Unknown
                && (ours.path, &ours.via) != (theirs.path, &theirs.via)
            {
                let mut d = Draft::new(format!(
                    "the presigned URL's host {} goes {}, while the application's S3 traffic ({}) goes {}: presigned URLs signed for the regional name keep working through an interface endpoint only when that name resolves to it",
                    p.host,
                    theirs.label(),
                    primary.target.host,
                    ours.label()
                ))
                .fix("to keep presigned downloads on the endpoint, presign with the endpoint-specific URL (endpoint_url https://bucket.vpce-….s3.REGION.vpce.amazonaws.com) or enable private DNS on the interface endpoint")
                .evidence_of(theirs);
                if let Some(region) = &p.signed_region {
                    d = d.evidence(format!("signed for region {region}"));
                }
                drafts.push(d);
            }
        }
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}
