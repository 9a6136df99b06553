use super::context::{pass, CheckResult, Context, Draft};
use crate::facts::{is_skew_code, ClockSkew, Part, VantageKind, MAX_SKEW_SECONDS};

check! {
    HostClockSkewed, "S3P005", "host-clock-skewed", Identity, Error, Preview,
    "the host clock is more than five minutes off AWS's, so AWS rejects every request signed on this host"
}

impl HostClockSkewed {
    fn run(cx: &Context) -> CheckResult {
        let f = cx.facts;
        // S3's own answers: a bucket request rejected for its time.
        let s3: Vec<String> = f
            .buckets
            .get()
            .into_iter()
            .flatten()
            // Requests made from the machine that ran s3path tell that machine's clock.
            .filter(|b| b.requests_from.is_vantage())
            .flat_map(|b| {
                b.requests.iter().filter_map(move |r| {
                    let code = r.error_code.as_deref().filter(|c| is_skew_code(c))?;
                    Some(format!(
                        "{} to bucket {} at {}: {code}: {}{}",
                        r.operation,
                        b.name,
                        r.host,
                        r.error.as_deref().unwrap_or("no detail"),
                        r.request_id
                            .as_deref()
                            .map(|id| format!(" (request id {id})"))
                            .unwrap_or_default()
                    ))
                })
            })
            .collect();
        let clock = f.clock.get();
        let skewed = clock.filter(|c| c.too_skewed());
        if skewed.is_none() && s3.is_empty() {
            return match clock {
                Some(_) => pass(),
                None => Err(cx.missing(Part::Clock)),
            };
        }
        let what = match skewed {
            Some(c) => format!("the host clock is {}", off_by(c)),
            None => "S3 rejected this host's requests for their time".to_string(),
        };
        let mut d = Draft::new(format!(
            "{what}: AWS rejects requests signed more than {} minutes off (RequestTimeTooSkewed, SignatureDoesNotMatch), for every application on this host, whatever its path to S3",
            MAX_SKEW_SECONDS / 60
        ));
        if let Some(c) = clock {
            d = d.evidence(format!(
                "clock: {:+} s (server minus host) from the Date of an {} answer at {}{}",
                c.skew_seconds,
                c.source,
                c.measured_at,
                if c.corrected {
                    "; s3path signed again with the corrected time"
                } else {
                    ""
                }
            ));
            for e in &c.errors {
                d = d.evidence(format!("clock: {e}"));
            }
        }
        for e in s3 {
            d = d.evidence(format!("bucket request: {e}"));
        }
        d = d
            .fix("keep the clock synchronized: sudo timedatectl set-ntp true (chrony or systemd-timesyncd), then step it now: sudo chronyc makestep")
            .fix("check it: chronyc tracking (System time) or timedatectl (System clock synchronized: yes)");
        let on_ec2 = f
            .vantage
            .get()
            .is_some_and(|v| matches!(v.kind, VantageKind::Ec2Instance | VantageKind::EcsTask));
        if on_ec2 {
            d = d.fix("on EC2, use the Amazon Time Sync Service: add 'server 169.254.169.123 prefer iburst' to /etc/chrony.conf, then sudo systemctl restart chronyd");
        }
        Ok(vec![d])
    }
}

/// `9 min 0 s behind AWS` / `3 min 20 s ahead of AWS`.
fn off_by(c: &ClockSkew) -> String {
    let s = c.skew_seconds.unsigned_abs();
    let how = if c.skew_seconds > 0 {
        "behind AWS"
    } else {
        "ahead of AWS"
    };
    let amount = if s >= 3600 {
        format!("{} h {} min", s / 3600, s % 3600 / 60)
    } else {
        format!("{} min {} s", s / 60, s % 60)
    };
    format!("{amount} {how}")
}
