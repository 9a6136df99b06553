//! The saved facts of `s3path fleet`: what SSM answered for each instance (untrusted: every
//! output is judged by fleet.rs as another machine's text).

use serde::{Deserialize, Serialize};

/// One instance's command invocation, as SSM told it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invocation {
    pub instance_id: String,
    /// SSM's status: Pending, InProgress, Delayed, Success, Failed, TimedOut, Cancelled, …
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_details: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_code: Option<i64>,
    /// Standard output (inline, at most 24,000 characters; or the full object from S3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdout: Option<String>,
    /// Standard error, first 2,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr: Option<String>,
    /// Where the output came from: `inline` or `s3://…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_source: Option<String>,
}

/// What a fleet run gathered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FleetFacts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_id: Option<String>,
    /// `--instance-ids` that SSM does not manage (or that are not online).
    #[serde(default)]
    pub not_managed: Vec<String>,
    #[serde(default)]
    pub invocations: Vec<Invocation>,
    /// Why the run stopped early (SendCommand refused, the deadline), when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whether the deadline ended the wait (invocations still pending are listed).
    #[serde(default)]
    pub timed_out: bool,
}

/// A status after which the invocation will not change.
pub fn terminal(status: &str) -> bool {
    !matches!(status, "Pending" | "InProgress" | "Delayed" | "Cancelling")
}
