use super::bucket::{self, BucketView};
use super::context::{pass, CheckResult, Context, Draft};
use crate::facts::Part;
use crate::facts::RequestOutcome;

check! {
    S3RequestFailed, "S3P603", "s3-request-failed", Probe, Error, Stable,
    "a real request to a bucket got no answer from S3 (no connection, timeout, DNS, TLS), or the bucket does not exist"
}

impl S3RequestFailed {
    fn run(cx: &Context) -> CheckResult {
        if cx.facts.buckets.get().is_none() {
            return Err(cx.missing(Part::Buckets));
        }
        let drafts: Vec<Draft> = bucket::buckets(cx)
            .iter()
            .flat_map(|b| failures(b))
            .collect();
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}

fn failures(b: &BucketView) -> Vec<Draft> {
    let name = &b.facts.name;
    let mut out = Vec::new();
    let failed: Vec<_> = b
        .facts
        .requests
        .iter()
        .filter(|r| {
            !matches!(
                r.outcome,
                RequestOutcome::Answered | RequestOutcome::NotMade
            )
        })
        .collect();
    if let Some(r) = failed.first() {
        let what = match r.outcome {
            RequestOutcome::ConnectFailed => "could not connect",
            RequestOutcome::TimedOut => "timed out",
            RequestOutcome::DnsFailed => "could not resolve the name",
            _ => "failed",
        };
        let mut d = Draft::new(format!(
            "{} to bucket {name} at {}{} {what} {}: {}",
            r.operation,
            r.host,
            r.address.map(|a| format!(" ({a})")).unwrap_or_default(),
            b.requests_where(),
            r.error.as_deref().unwrap_or("no detail")
        ));
        d = match r.outcome {
            _ if b.from_this_machine() => d.fix(
                "this machine's own way to S3 failed, which says nothing about the subnet: check this machine's network, or run s3path doctor on an instance in the subnet for its real requests",
            ),
            RequestOutcome::TimedOut | RequestOutcome::ConnectFailed => d.fix(
                "follow the path: the route (S3P101, S3P106), the security groups (S3P107, S3P301) and network ACLs (S3P108) on it must let TCP 443 out and the replies back",
            ),
            RequestOutcome::DnsFailed => {
                d.fix(format!("dig {}  # and check /etc/resolv.conf and the hosts file", r.host))
            }
            _ => d.fix(format!(
                "openssl s_client -connect {}:443 -servername {}  # shows the certificate and the TLS error",
                r.address.map(|a| a.to_string()).unwrap_or_else(|| r.host.clone()),
                r.host
            )),
        };
        for r in &failed {
            d = d.evidence(bucket::request_line(r));
        }
        if let Some(dec) = b.decision {
            d = d.evidence_of(dec);
        }
        out.push(d);
    }
    if let Some(r) = b
        .facts
        .requests
        .iter()
        .find(|r| r.operation == "HeadBucket" && r.status == Some(404))
    {
        out.push(
            Draft::new(format!(
                "bucket {name} does not exist (HeadBucket answered 404 {})",
                b.requests_where()
            ))
            .fix(format!("check the name: aws s3api list-buckets --query \"Buckets[?contains(Name, '{name}')].Name\""))
            .evidence(bucket::request_line(r)),
        );
    }
    out
}
