//! What the host's clock showed against AWS's: the `Date` of the AWS answers s3path's own
//! signed calls received.

use serde::{Deserialize, Serialize};

/// The host clock measured against an AWS answer's `Date` header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockSkew {
    /// Server time minus host time, in whole seconds: positive when the host is behind.
    pub skew_seconds: i64,
    /// The service whose answer carried the `Date` (`ec2`, `ssm`, `monitoring`).
    pub source: String,
    /// When it was measured (host time, RFC 3339).
    pub measured_at: String,
    /// Skew errors AWS answered with (`ec2 RequestTimeTooSkewed: … (request id …)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// Whether a call was signed again with the corrected time after a skew error.
    #[serde(default)]
    pub corrected: bool,
}

/// Beyond this, AWS rejects signed requests (`RequestTimeTooSkewed`).
pub const MAX_SKEW_SECONDS: i64 = 300;

impl ClockSkew {
    /// Whether the skew is beyond what AWS accepts.
    pub fn too_skewed(&self) -> bool {
        self.skew_seconds.abs() > MAX_SKEW_SECONDS
    }
}

/// The S3 and STS error codes of a request signed with a clock AWS does not accept.
pub fn is_skew_code(code: &str) -> bool {
    matches!(code, "RequestTimeTooSkewed" | "RequestExpired")
}

/// The error codes of a bad signature, which a skewed clock also causes.
pub fn is_signature_code(code: &str) -> bool {
    matches!(code, "InvalidSignatureException" | "SignatureDoesNotMatch")
}
