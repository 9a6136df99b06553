//! `s3path fleet` over SSM Run Command — the one command that writes (SendCommand). It runs
//! the s3path binary the SSM document installs (`doctor --format compact …`) with the
//! `AWS-RunShellScript` document on the targets, in commands of at most [`SEND_BATCH`]
//! instance ids (SSM's limit), polls ListCommandInvocations (paginated) until every invocation
//! is done or the deadline, and reads each finished output with GetCommandInvocation, at most
//! [`GET_CONCURRENCY`] at a time (so 1,500 instances never need more than a handful of
//! sockets). Every SSM call is retried on throttling with exponential backoff and jitter while
//! the deadline allows; a call that still fails is recorded on the instances it concerns, never
//! dropped. With `--output-s3-bucket`, an output cut at SSM's 24,000 inline characters is read
//! from that bucket only, under the command's own prefix (`s3path-fleet/COMMAND/INSTANCE/`),
//! at most [`MAX_OUTPUT_BYTES`] — never from whatever bucket or key SSM's answer names. The
//! SSM endpoint is resolved as the SDKs do (`gather::endpoints`); the bucket's by `aws-sdk-s3`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};

use super::aws::QueryClient;
use super::context::AwsContext;
use super::deadline::Deadline;
use super::progress::Progress;
pub use crate::facts::fleet::MAX_OUTPUT_BYTES;
use crate::facts::fleet::{terminal, FleetFacts, Invocation, NotSent};

/// The IAM actions `fleet` uses; docs/iam-policy-fleet.json grants exactly these.
pub const ACTIONS: [&str; 4] = [
    "ssm:DescribeInstanceInformation",
    "ssm:SendCommand",
    "ssm:ListCommandInvocations",
    "ssm:GetCommandInvocation",
];

/// With `--output-s3-bucket`, reading the outputs back.
pub const OUTPUT_ACTIONS: [&str; 1] = ["s3:GetObject"];

/// Where docs/ssm/s3path-doctor.yaml installs the pinned binary (a link to the checked,
/// hash-named file): what fleet runs unless `--s3path` says otherwise.
pub const INSTALLED_BINARY: &str = "/var/lib/s3path/s3path";

/// SSM's limit of instance ids per SendCommand.
pub const SEND_BATCH: usize = 50;
/// GetCommandInvocation calls in flight at once.
pub const GET_CONCURRENCY: usize = 8;
/// The key prefix fleet asks SSM to write outputs under (then the command id, the instance).
pub const OUTPUT_PREFIX: &str = "s3path-fleet";
/// SSM returns at most this many characters of an output inline.
pub const INLINE_CHARS: usize = 24_000;

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

/// The SSM client of a run, its deadline, and how often SSM throttled it.
struct Ssm<'a> {
    client: &'a QueryClient,
    run: Deadline,
    throttled: AtomicU32,
}

/// Up to half of `d` more, different on every call (the retries of many calls spread out).
fn jittered(d: Duration) -> Duration {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|t| t.subsec_nanos())
        .unwrap_or(0);
    d + d.mul_f64(f64::from(nanos % 1000) / 2000.0)
}

impl Ssm<'_> {
    /// One call, retried on throttling and transient failures (backoff 0.2 s doubling to 5 s,
    /// with jitter) while the deadline allows; the error is one line naming the action.
    async fn call(&self, target: &str, body: &Value) -> Result<Value, String> {
        let action = target.trim_start_matches("AmazonSSM.");
        let mut wait = Duration::from_millis(200);
        loop {
            match self.run.run(self.client.json(target, body)).await {
                None => return Err(format!("ssm:{action}: no answer within the --timeout")),
                Some(Ok(v)) => return Ok(v),
                Some(Err(e)) if e.retryable() => {
                    if e.code()
                        .is_some_and(|c| c.contains("Throttl") || c.contains("TooMany"))
                        || matches!(
                            e.kind,
                            super::aws::ApiErrorKind::Service { status: 429, .. }
                        )
                    {
                        self.throttled.fetch_add(1, Ordering::Relaxed);
                    }
                    let pause = jittered(wait);
                    if self.run.left() <= pause {
                        return Err(format!(
                            "ssm:{action}: {} (retried until the --timeout)",
                            e.message
                        ));
                    }
                    tokio::time::sleep(pause).await;
                    wait = (wait * 2).min(Duration::from_secs(5));
                }
                Some(Err(e)) => return Err(format!("ssm:{action}: {}", e.message)),
            }
        }
    }

    /// Every item of `key` over the pages (`NextToken`) of a call, each page retried as one
    /// call: a whole listing or an error, never a partial one.
    async fn pages(&self, target: &str, body: &Value, key: &str) -> Result<Vec<Value>, String> {
        let mut out = Vec::new();
        let mut body = body.clone();
        for _ in 0..super::aws::MAX_PAGES {
            let v = self.call(target, &body).await?;
            out.extend(v[key].as_array().into_iter().flatten().cloned());
            match v["NextToken"].as_str().filter(|t| !t.is_empty()) {
                Some(t) => body["NextToken"] = json!(t),
                None => return Ok(out),
            }
        }
        Err(format!(
            "{target}: more than {} pages",
            super::aws::MAX_PAGES
        ))
    }
}

async fn run(opts: &FleetOptions, progress: &dyn Progress) -> FleetFacts {
    let run = Deadline::after(opts.timeout);
    // One context for the run: SSM and the output bucket share the configuration and one
    // resolution of the credentials.
    let context = AwsContext::new(&opts.region, run).with_profile(opts.profile.clone());
    let client = QueryClient::new(
        &context,
        "ssm",
        "2014-11-06",
        &opts.region,
        None,
        run.left_max(Duration::from_secs(30)),
    );
    let mut facts = FleetFacts::default();
    // Nothing is sent (least of all the SendCommand) when the endpoint settings are refused.
    if let Some(why) = client.refused() {
        facts.error = Some(format!("ssm endpoint: {why}"));
        return facts;
    }
    let ssm = Ssm {
        client: &client,
        run,
        throttled: AtomicU32::new(0),
    };
    gather(opts, &ssm, &context, &mut facts, progress).await;
    facts.calls = client.calls();
    facts.throttled = ssm.throttled.load(Ordering::Relaxed);
    facts
}

async fn gather(
    opts: &FleetOptions,
    ssm: &Ssm<'_>,
    context: &AwsContext,
    facts: &mut FleetFacts,
    progress: &dyn Progress,
) {
    let run = ssm.run;
    // 1. Which of the named instances SSM manages (and are online).
    let mut instance_ids: Vec<String> = Vec::new();
    for id in &opts.instance_ids {
        if !instance_ids.contains(id) {
            instance_ids.push(id.clone());
        }
    }
    if !instance_ids.is_empty() {
        let mut managed = BTreeSet::new();
        for chunk in instance_ids.chunks(SEND_BATCH) {
            let body = json!({
                "Filters": [{"Key": "InstanceIds", "Values": chunk}],
                "MaxResults": 50,
            });
            match ssm
                .pages(
                    "AmazonSSM.DescribeInstanceInformation",
                    &body,
                    "InstanceInformationList",
                )
                .await
            {
                Ok(list) => managed.extend(
                    list.iter()
                        .filter(|i| text(i, "PingStatus").as_deref() != Some("ConnectionLost"))
                        .filter_map(|i| text(i, "InstanceId")),
                ),
                Err(e) => {
                    facts.timed_out = run.left().is_zero();
                    facts.error = Some(e);
                    return;
                }
            }
        }
        facts.not_managed = instance_ids
            .iter()
            .filter(|i| !managed.contains(*i))
            .cloned()
            .collect();
        instance_ids.retain(|i| managed.contains(i));
        if instance_ids.is_empty() {
            facts.error = Some("none of the --instance-ids is a managed instance".to_string());
            return;
        }
    }
    // 2. SendCommand (the only write), at most SEND_BATCH instance ids each.
    let timeout_secs = opts.timeout.as_secs().clamp(30, 2_592_000);
    let body = |ids: Option<&[String]>| {
        let mut body = json!({
            "DocumentName": "AWS-RunShellScript",
            "Comment": "s3path fleet: s3path doctor (read-only)",
            "Parameters": {"commands": [opts.command], "executionTimeout": [timeout_secs.to_string()]},
            "MaxConcurrency": opts.max_concurrency.to_string(),
            "MaxErrors": "100%",
            "TimeoutSeconds": timeout_secs,
        });
        match ids {
            Some(ids) => body["InstanceIds"] = json!(ids),
            None => {
                body["Targets"] = json!(opts
                    .targets
                    .iter()
                    .map(|(k, v)| json!({"Key": k, "Values": v}))
                    .collect::<Vec<_>>())
            }
        }
        if let Some(b) = &opts.output_s3_bucket {
            body["OutputS3BucketName"] = json!(b);
            body["OutputS3KeyPrefix"] = json!(OUTPUT_PREFIX);
        }
        body
    };
    let send = |body: Value| async move {
        let v = ssm.call("AmazonSSM.SendCommand", &body).await?;
        v["Command"]["CommandId"]
            .as_str()
            .filter(|id| !id.is_empty() && id.len() <= 64)
            .map(str::to_string)
            .ok_or_else(|| "ssm:SendCommand answered without a CommandId".to_string())
    };
    progress.phase("sending the command (ssm:SendCommand)");
    // Each command and the instance ids it was sent to (none for tag targets).
    let mut commands: Vec<(String, Vec<String>)> = Vec::new();
    if instance_ids.is_empty() {
        match send(body(None)).await {
            Ok(id) => commands.push((id, Vec::new())),
            Err(e) => {
                facts.timed_out = run.left().is_zero();
                facts.error = Some(e);
                return;
            }
        }
    } else {
        for chunk in instance_ids.chunks(SEND_BATCH) {
            match send(body(Some(chunk))).await {
                Ok(id) => {
                    facts.sent.extend(chunk.iter().cloned());
                    commands.push((id, chunk.to_vec()));
                }
                Err(e) => facts.not_sent.extend(chunk.iter().map(|i| NotSent {
                    instance_id: i.clone(),
                    error: e.clone(),
                })),
            }
        }
        if commands.is_empty() {
            facts.timed_out = run.left().is_zero();
            facts.error = facts.not_sent.first().map(|n| n.error.clone());
            return;
        }
    }
    facts.command_id = commands.first().map(|(id, _)| id.clone());
    facts.command_ids = commands.iter().map(|(id, _)| id.clone()).collect();
    // The output bucket's client (no I/O until a cut output is read from it).
    let s3 = match &opts.output_s3_bucket {
        Some(_) => Some(aws_sdk_s3::Client::new(context.sdk_config().await)),
        None => None,
    };
    // 3. Poll each command until its invocations are done, reading the outputs of those that
    // are as they finish, with backoff while nothing changes, within the deadline.
    let mut invocations: BTreeMap<(String, String), Invocation> = BTreeMap::new();
    let mut listed_out: BTreeMap<String, String> = BTreeMap::new(); // command → why unlisted
    let mut complete: BTreeSet<String> = BTreeSet::new();
    let mut read: BTreeSet<(String, String)> = BTreeSet::new();
    let mut wait = Duration::from_millis(500);
    progress.phase("instances answered");
    loop {
        for (command_id, sent) in &commands {
            if complete.contains(command_id) {
                continue;
            }
            let body = json!({"CommandId": command_id, "MaxResults": 50});
            match ssm
                .pages(
                    "AmazonSSM.ListCommandInvocations",
                    &body,
                    "CommandInvocations",
                )
                .await
            {
                Ok(list) => {
                    let mut listed = BTreeSet::new();
                    for i in &list {
                        let Some(id) = text(i, "InstanceId") else {
                            continue;
                        };
                        let inv = invocations
                            .entry((command_id.clone(), id.clone()))
                            .or_insert_with(|| Invocation {
                                instance_id: id.clone(),
                                command_id: Some(command_id.clone()),
                                ..Invocation::default()
                            });
                        // A finished invocation does not change again.
                        if !terminal(&inv.status) || inv.status.is_empty() {
                            inv.status = text(i, "Status").unwrap_or_default();
                            inv.status_details = text(i, "StatusDetails");
                        }
                        listed.insert(id);
                    }
                    let all_listed = sent.iter().all(|i| listed.contains(i));
                    let all_done = list
                        .iter()
                        .all(|i| text(i, "Status").is_some_and(|s| terminal(&s)));
                    if !list.is_empty() && all_listed && all_done {
                        complete.insert(command_id.clone());
                    }
                }
                Err(e) if run.left().is_zero() => {
                    listed_out.insert(command_id.clone(), e);
                }
                Err(e) => {
                    // Not throttling (retried above): this command's instances say why.
                    listed_out.insert(command_id.clone(), e);
                    complete.insert(command_id.clone());
                }
            }
        }
        // 4. The outputs of the invocations that finished since the last round.
        let todo: Vec<(String, String)> = invocations
            .iter()
            .filter(|(k, inv)| {
                terminal(&inv.status) && !inv.status.is_empty() && !read.contains(*k)
            })
            .map(|(k, _)| k.clone())
            .collect();
        let gate = tokio::sync::Semaphore::new(GET_CONCURRENCY);
        let answers = futures_util::future::join_all(todo.iter().map(|(command_id, id)| {
            let gate = &gate;
            let s3 = s3.as_ref();
            async move {
                let _permit = gate.acquire().await.ok()?;
                Some(output(ssm, s3, opts, command_id, id).await)
            }
        }))
        .await;
        for (key, answer) in todo.iter().zip(answers) {
            read.insert(key.clone());
            if let (Some(inv), Some(answer)) = (invocations.get_mut(key), answer) {
                answer.apply(inv);
            }
        }
        if !invocations.is_empty() {
            progress.set_total(invocations.len().max(facts.sent.len()) as u64);
            progress.set_done(read.len() as u64);
        }
        if complete.len() == commands.len()
            && invocations
                .iter()
                .all(|(k, inv)| !terminal(&inv.status) || read.contains(k))
        {
            break;
        }
        if run.left() <= wait {
            facts.timed_out = true;
            break;
        }
        if todo.is_empty() {
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(5));
        }
    }
    // Every instance sent the command is accounted for: listed, or why not.
    for (command_id, sent) in &commands {
        for id in sent {
            let key = (command_id.clone(), id.clone());
            if invocations.contains_key(&key) {
                continue;
            }
            let error = match listed_out.get(command_id) {
                Some(e) => e.clone(),
                None => "SSM listed no invocation for it before the --timeout".to_string(),
            };
            invocations.insert(
                key,
                Invocation {
                    instance_id: id.clone(),
                    command_id: Some(command_id.clone()),
                    status: "Unlisted".to_string(),
                    error: Some(error),
                    ..Invocation::default()
                },
            );
        }
    }
    for (key, inv) in invocations.iter_mut() {
        if terminal(&inv.status)
            && !inv.status.is_empty()
            && !read.contains(key)
            && inv.error.is_none()
        {
            inv.error = Some("the --timeout ended before its output was read".to_string());
        }
    }
    facts.invocations = invocations.into_values().collect();
}

/// What GetCommandInvocation (and the output bucket) gave for one invocation.
struct Answer {
    status: Option<String>,
    status_details: Option<String>,
    response_code: Option<i64>,
    stdout: Option<String>,
    stderr: Option<String>,
    output_source: Option<String>,
    error: Option<String>,
}

impl Answer {
    fn apply(self, inv: &mut Invocation) {
        if let Some(s) = self.status {
            inv.status = s;
        }
        if self.status_details.is_some() {
            inv.status_details = self.status_details;
        }
        inv.response_code = self.response_code;
        inv.stdout = self.stdout;
        inv.stderr = self.stderr;
        inv.output_source = self.output_source;
        inv.error = self.error;
    }
}

/// One invocation's output: inline, or (cut, with `--output-s3-bucket`) from the bucket.
async fn output(
    ssm: &Ssm<'_>,
    s3: Option<&aws_sdk_s3::Client>,
    opts: &FleetOptions,
    command_id: &str,
    instance_id: &str,
) -> Answer {
    let body = json!({"CommandId": command_id, "InstanceId": instance_id});
    let v = match ssm.call("AmazonSSM.GetCommandInvocation", &body).await {
        Ok(v) => v,
        Err(e) => {
            return Answer {
                status: None,
                status_details: None,
                response_code: None,
                stdout: None,
                stderr: None,
                output_source: None,
                error: Some(e),
            }
        }
    };
    let mut a = Answer {
        status: text(&v, "Status"),
        status_details: text(&v, "StatusDetails"),
        response_code: v.get("ResponseCode").and_then(Value::as_i64),
        stdout: text(&v, "StandardOutputContent").map(|s| capped(&s, INLINE_CHARS)),
        stderr: text(&v, "StandardErrorContent").map(|s| capped(&s, 2_000)),
        output_source: Some("inline".to_string()),
        error: None,
    };
    // The inline output is cut at 24,000 characters; the output bucket has all of it.
    let cut = a
        .stdout
        .as_deref()
        .is_some_and(|s| s.chars().count() >= INLINE_CHARS);
    if let (true, Some(s3), Some(bucket)) = (cut, s3, &opts.output_s3_bucket) {
        let key = output_key(
            bucket,
            command_id,
            instance_id,
            text(&v, "StandardOutputUrl").as_deref(),
        );
        match from_bucket(s3, bucket, &key, &ssm.run).await {
            Ok(full) => {
                a.stdout = Some(full);
                a.output_source = Some(format!("s3://{bucket}/{key}"));
            }
            Err(e) => {
                a.stdout = None;
                a.error = Some(format!("s3://{bucket}/{key}: {e}"));
            }
        }
    }
    a
}

/// The key of an instance's standard output in the output bucket: the one SSM names when it
/// lies in `bucket` under this command's and this instance's own prefix, else the one
/// `AWS-RunShellScript` writes there. Whatever else SSM's answer names is never read.
pub fn output_key(bucket: &str, command_id: &str, instance_id: &str, url: Option<&str>) -> String {
    let own = format!("{OUTPUT_PREFIX}/{command_id}/{instance_id}/");
    let named = url.and_then(|url| {
        let parts = crate::url::split(url);
        let scheme = parts.scheme?.to_ascii_lowercase();
        let path = parts.path();
        let host = parts.host_port.to_ascii_lowercase();
        if parts.userinfo.is_some() || parts.query().is_some() {
            return None;
        }
        let key = if scheme == "s3" {
            (host == bucket).then(|| path.strip_prefix('/'))??
        } else if scheme == "https" {
            if host.starts_with(&format!("{bucket}.s3")) {
                path.strip_prefix('/')?
            } else if host.starts_with("s3.") || host.starts_with("s3-") {
                path.strip_prefix('/')?
                    .strip_prefix(bucket)?
                    .strip_prefix('/')?
            } else {
                return None;
            }
        } else {
            return None;
        };
        (key.starts_with(&own) && !key.contains("/../") && !key.contains('%'))
            .then(|| key.to_string())
    });
    named.unwrap_or_else(|| format!("{own}awsrunShellScript/0.awsrunShellScript/stdout"))
}

/// The object `bucket`/`key`, at most [`MAX_OUTPUT_BYTES`] (a larger one is refused without
/// being read), within the deadline.
async fn from_bucket(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    run: &Deadline,
) -> Result<String, String> {
    let too_large = |n: String| {
        format!("the output is {n} bytes, more than the {MAX_OUTPUT_BYTES} fleet reads")
    };
    let mut out = match run
        .run(client.get_object().bucket(bucket).key(key).send())
        .await
    {
        None => return Err("no answer within the --timeout".to_string()),
        Some(Err(e)) => {
            let e = aws_sdk_s3::error::DisplayErrorContext(e).to_string();
            return Err(format!("s3:GetObject: {}", capped(&e, 300)));
        }
        Some(Ok(out)) => out,
    };
    if let Some(n) = out
        .content_length()
        .filter(|&n| n > MAX_OUTPUT_BYTES as i64)
    {
        return Err(too_large(n.to_string()));
    }
    let mut bytes = Vec::new();
    loop {
        match run.run(out.body.next()).await {
            None => return Err("no answer within the --timeout".to_string()),
            Some(None) => break,
            Some(Some(Err(e))) => return Err(format!("reading the output: {e}")),
            Some(Some(Ok(chunk))) => {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > MAX_OUTPUT_BYTES {
                    return Err(too_large(format!("over {MAX_OUTPUT_BYTES}")));
                }
            }
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_read_only_under_the_commands_own_prefix() {
        let own = "s3path-fleet/c1/i-0a/awsrunShellScript/0.awsrunShellScript/stdout";
        for url in [
            None,
            Some("https://s3.eu-west-1.amazonaws.com/other-bucket/s3path-fleet/c1/i-0a/x/stdout"),
            Some("https://s3.eu-west-1.amazonaws.com/out/secrets/key"),
            Some("https://s3.eu-west-1.amazonaws.com/out/s3path-fleet/c2/i-0a/x/stdout"),
            Some("https://s3.eu-west-1.amazonaws.com/out/s3path-fleet/c1/i-0b/x/stdout"),
            Some("https://evil.example/out/s3path-fleet/c1/i-0a/x/stdout"),
            Some("s3://other/s3path-fleet/c1/i-0a/x/stdout"),
            Some("https://s3.eu-west-1.amazonaws.com/out/s3path-fleet/c1/i-0a/../../x"),
        ] {
            assert_eq!(output_key("out", "c1", "i-0a", url), own, "{url:?}");
        }
        assert_eq!(
            output_key(
                "out",
                "c1",
                "i-0a",
                Some("https://s3.eu-west-1.amazonaws.com/out/s3path-fleet/c1/i-0a/step/stdout")
            ),
            "s3path-fleet/c1/i-0a/step/stdout"
        );
        assert_eq!(
            output_key(
                "out",
                "c1",
                "i-0a",
                Some("https://out.s3.eu-west-1.amazonaws.com/s3path-fleet/c1/i-0a/step/stdout")
            ),
            "s3path-fleet/c1/i-0a/step/stdout"
        );
    }
}
