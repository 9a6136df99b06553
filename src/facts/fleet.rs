//! The saved facts of `s3path fleet`: what SSM answered for each instance (untrusted: every
//! output is judged by fleet.rs as another machine's text).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One instance's command invocation, as SSM told it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Invocation {
    /// The instance SSM ran the command on: the row's identity (whatever its report says).
    pub instance_id: String,
    /// The command it belongs to (fleet sends one command per batch of at most 50 instances).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_id: Option<String>,
    /// SSM's status: Pending, InProgress, Delayed, Success, Failed, TimedOut, Cancelled, …
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_details: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_code: Option<i64>,
    /// Standard output (inline, at most 24,000 characters; or the object from the output
    /// bucket, at most [`MAX_OUTPUT_BYTES`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdout: Option<String>,
    /// Standard error, first 2,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr: Option<String>,
    /// Where the output came from: `inline` or `s3://BUCKET/KEY` (always under
    /// `--output-s3-bucket` and the command's own prefix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_source: Option<String>,
    /// Why its output could not be read (GetCommandInvocation failed after its retries, the
    /// output bucket refused or held too much, the deadline), one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An instance the command could not be sent to: its SendCommand batch failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotSent {
    pub instance_id: String,
    pub error: String,
}

/// What a fleet run gathered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FleetFacts {
    /// The first command's id (kept for readers of older files; see `command_ids`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_id: Option<String>,
    /// Every command sent (one per batch of at most 50 instance ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command_ids: Vec<String>,
    /// `--instance-ids` that SSM does not manage (or that are not online).
    #[serde(default)]
    pub not_managed: Vec<String>,
    /// Instances whose SendCommand failed, each with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_sent: Vec<NotSent>,
    /// The instance ids the commands were sent to (empty for tag targets: SSM resolves them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sent: Vec<String>,
    #[serde(default)]
    pub invocations: Vec<Invocation>,
    /// Why the run stopped early (SendCommand refused, the deadline), when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whether the deadline ended the wait (invocations still pending are listed).
    #[serde(default)]
    pub timed_out: bool,
    /// SSM requests made, by action (retries included).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub calls: BTreeMap<String, u32>,
    /// How many answers were throttling (each retried with backoff while time was left).
    #[serde(default)]
    pub throttled: u32,
}

/// The most of one instance's output fleet reads (and parses): 1 MiB.
pub const MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// A status after which the invocation will not change.
pub fn terminal(status: &str) -> bool {
    !matches!(status, "Pending" | "InProgress" | "Delayed" | "Cancelling")
}
