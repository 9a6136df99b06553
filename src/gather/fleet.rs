//! `s3path fleet` over SSM Run Command — the one command that writes (SendCommand). It runs
//! `s3path doctor --format compact …` with the `AWS-RunShellScript` document on the targets,
//! polls ListCommandInvocations (paginated, with backoff) until every invocation is done or the
//! deadline, reads each output with GetCommandInvocation (inline, ≤ 24,000 characters) or, with
//! `--output-s3-bucket`, from the bucket (s3:GetObject). The SSM endpoint is resolved as the
//! SDKs do (`AWS_ENDPOINT_URL_SSM`, `AWS_ENDPOINT_URL`, the profile, FIPS, dual-stack:
//! `gather::endpoints`); the bucket's by `aws-sdk-s3` itself, from the same settings.

use std::time::Duration;

use serde_json::{json, Value};

use super::aws::QueryClient;
use super::context::AwsContext;
use super::deadline::Deadline;
use super::progress::Progress;
use crate::facts::fleet::{terminal, FleetFacts, Invocation};

/// The IAM actions `fleet` uses; docs/iam-policy-fleet.json grants exactly these.
pub const ACTIONS: [&str; 4] = [
    "ssm:DescribeInstanceInformation",
    "ssm:SendCommand",
    "ssm:ListCommandInvocations",
    "ssm:GetCommandInvocation",
];

/// With `--output-s3-bucket`, reading the outputs back.
pub const OUTPUT_ACTIONS: [&str; 1] = ["s3:GetObject"];

/// Who runs doctor, and how.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    pub region: String,
    /// `tag:KEY=VALUE` targets.
    pub targets: Vec<(String, Vec<String>)>,
    pub instance_ids: Vec<String>,
    /// The doctor command line each instance runs (already quoted).
    pub command: String,
    pub max_concurrency: u32,
    pub output_s3_bucket: Option<String>,
    pub timeout: Duration,
    /// `--profile`: the profile for credentials (else `AWS_PROFILE`).
    pub profile: Option<String>,
}

/// POSIX shell quoting of one argument.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=,@".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn capped(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Runs the fleet command and gathers every answer within the deadline.
pub fn gather_fleet(opts: &FleetOptions, progress: &dyn Progress) -> FleetFacts {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return FleetFacts {
                error: Some(format!("cannot start the runtime: {e}")),
                ..FleetFacts::default()
            }
        }
    };
    rt.block_on(run(opts, progress))
}

async fn run(opts: &FleetOptions, progress: &dyn Progress) -> FleetFacts {
    let run = Deadline::after(opts.timeout);
    // One context for the run: SSM and the output bucket share the configuration and one
    // resolution of the credentials.
    let context = AwsContext::new(&opts.region, run).with_profile(opts.profile.clone());
    let c = QueryClient::new(
        &context,
        "ssm",
        "2014-11-06",
        &opts.region,
        None,
        run.left_max(Duration::from_secs(30)),
    );
    let mut facts = FleetFacts::default();
    // Nothing is sent (least of all the SendCommand) when the endpoint settings are refused.
    if let Some(why) = c.refused() {
        facts.error = Some(format!("ssm endpoint: {why}"));
        return facts;
    }
    // 1. Which of the named instances SSM manages (and are online).
    let mut instance_ids = opts.instance_ids.clone();
    if !instance_ids.is_empty() {
        let body = json!({
            "Filters": [{"Key": "InstanceIds", "Values": instance_ids}],
            "MaxResults": 50,
        });
        let managed: Vec<String> = match run
            .run(c.json_pages(
                "AmazonSSM.DescribeInstanceInformation",
                &body,
                "InstanceInformationList",
            ))
            .await
        {
            Some(Ok(list)) => list
                .iter()
                .filter(|i| text(i, "PingStatus").as_deref() != Some("ConnectionLost"))
                .filter_map(|i| text(i, "InstanceId"))
                .collect(),
            Some(Err(e)) => {
                facts.error = Some(format!("ssm:DescribeInstanceInformation: {}", e.message));
                return facts;
            }
            None => {
                facts.error =
                    Some("ssm:DescribeInstanceInformation: no answer within the --timeout".into());
                facts.timed_out = true;
                return facts;
            }
        };
        facts.not_managed = instance_ids
            .iter()
            .filter(|i| !managed.contains(i))
            .cloned()
            .collect();
        instance_ids.retain(|i| managed.contains(i));
        if instance_ids.is_empty() {
            facts.error = Some("none of the --instance-ids is a managed instance".to_string());
            return facts;
        }
    }
    // 2. SendCommand (the only write).
    let timeout_secs = opts.timeout.as_secs().clamp(30, 2_592_000);
    let mut body = json!({
        "DocumentName": "AWS-RunShellScript",
        "Comment": "s3path fleet: s3path doctor (read-only)",
        "Parameters": {"commands": [opts.command], "executionTimeout": [timeout_secs.to_string()]},
        "MaxConcurrency": opts.max_concurrency.to_string(),
        "MaxErrors": "100%",
        "TimeoutSeconds": timeout_secs,
    });
    if instance_ids.is_empty() {
        body["Targets"] = json!(opts
            .targets
            .iter()
            .map(|(k, v)| json!({"Key": k, "Values": v}))
            .collect::<Vec<_>>());
    } else {
        body["InstanceIds"] = json!(instance_ids);
    }
    if let Some(b) = &opts.output_s3_bucket {
        body["OutputS3BucketName"] = json!(b);
        body["OutputS3KeyPrefix"] = json!("s3path-fleet");
    }
    progress.phase("sending the command (ssm:SendCommand)");
    let command_id = match run.run(c.json("AmazonSSM.SendCommand", &body)).await {
        Some(Ok(v)) => match v["Command"]["CommandId"].as_str() {
            Some(id) => id.to_string(),
            None => {
                facts.error = Some("ssm:SendCommand answered without a CommandId".to_string());
                return facts;
            }
        },
        Some(Err(e)) => {
            facts.error = Some(format!("ssm:SendCommand: {}", e.message));
            return facts;
        }
        None => {
            facts.error = Some("ssm:SendCommand: no answer within the --timeout".to_string());
            facts.timed_out = true;
            return facts;
        }
    };
    facts.command_id = Some(command_id.clone());
    // The output bucket's client (no I/O until a cut output is read from it).
    let s3 = aws_sdk_s3::Client::new(context.sdk_config().await);
    // 3. Poll until every invocation is done, with backoff, within the deadline.
    let mut wait = Duration::from_millis(500);
    let mut statuses: Vec<(String, String, Option<String>)> = Vec::new();
    progress.phase("instances answered");
    loop {
        // A whole listing, or none (a partial one would drop the instances of later pages).
        let body = json!({"CommandId": command_id, "MaxResults": 50});
        let mut failed = None;
        match run
            .run(c.json_pages(
                "AmazonSSM.ListCommandInvocations",
                &body,
                "CommandInvocations",
            ))
            .await
        {
            Some(Ok(list)) if !list.is_empty() => {
                statuses = list
                    .iter()
                    .filter_map(|i| {
                        Some((
                            text(i, "InstanceId")?,
                            text(i, "Status").unwrap_or_default(),
                            text(i, "StatusDetails"),
                        ))
                    })
                    .collect();
            }
            Some(Ok(_)) | None => {}
            Some(Err(e)) => failed = Some(format!("ssm:ListCommandInvocations: {}", e.message)),
        }
        if let Some(e) = failed {
            facts.error = Some(e);
            break;
        }
        if !statuses.is_empty() {
            progress.set_total(statuses.len() as u64);
            progress.set_done(statuses.iter().filter(|(_, s, _)| terminal(s)).count() as u64);
        }
        let done = !statuses.is_empty() && statuses.iter().all(|(_, s, _)| terminal(s));
        if done {
            break;
        }
        if run.left() <= wait {
            facts.timed_out = true;
            break;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(10));
    }
    // 4. The outputs of the finished ones.
    progress.phase("reading the outputs");
    let outputs = super::dns::join_all(statuses.iter().map(|(id, status, _)| {
        let c = &c;
        let command_id = &command_id;
        let run = &run;
        async move {
            if !terminal(status) {
                return None;
            }
            let body = json!({"CommandId": command_id, "InstanceId": id});
            run.run(c.json("AmazonSSM.GetCommandInvocation", &body))
                .await
                .and_then(Result::ok)
        }
    }))
    .await;
    for ((id, status, details), out) in statuses.into_iter().zip(outputs) {
        let mut inv = Invocation {
            instance_id: id,
            status,
            status_details: details,
            response_code: None,
            stdout: None,
            stderr: None,
            output_source: None,
        };
        if let Some(v) = out {
            inv.response_code = v.get("ResponseCode").and_then(Value::as_i64);
            inv.stdout = text(&v, "StandardOutputContent").map(|s| capped(&s, 24_000));
            inv.stderr = text(&v, "StandardErrorContent").map(|s| capped(&s, 2_000));
            inv.output_source = Some("inline".to_string());
            if let Some(s) = text(&v, "Status") {
                inv.status = s;
            }
            // The inline output is cut at 24,000 characters; the bucket has all of it.
            let cut = inv
                .stdout
                .as_deref()
                .is_some_and(|s| s.chars().count() >= 24_000);
            if let (true, Some(url)) = (cut, text(&v, "StandardOutputUrl")) {
                if let Some(full) = from_s3(&s3, &url, &run).await {
                    inv.stdout = Some(full);
                    inv.output_source = Some(crate::redact::url(&url));
                }
            }
        }
        facts.invocations.push(inv);
    }
    facts
}

/// The object at an SSM output URL (`https://s3.<region>.amazonaws.com/<bucket>/<key>` or
/// `s3://bucket/key`), at most 16 MiB, read with s3:GetObject through the run's client
/// (its credentials resolved once for the run), within the deadline.
async fn from_s3(client: &aws_sdk_s3::Client, url: &str, run: &Deadline) -> Option<String> {
    let (bucket, key) = if let Some(rest) = url.strip_prefix("s3://") {
        rest.split_once('/')?
    } else {
        let parts = crate::url::split(url);
        parts.scheme?;
        parts.path().strip_prefix('/')?.split_once('/')?
    };
    let out = run
        .run(client.get_object().bucket(bucket).key(key).send())
        .await?
        .ok()?;
    if out.content_length().is_none_or(|n| n > 16 * 1024 * 1024) {
        return None;
    }
    let bytes = run.run(out.body.collect()).await?.ok()?.into_bytes();
    (bytes.len() <= 16 * 1024 * 1024).then(|| String::from_utf8_lossy(&bytes).into_owned())
}
