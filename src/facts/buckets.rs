//! The buckets: their regions, the real requests made to them, their policies; and a
//! presigned URL's check.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::host::{Resolution, TcpProbe};
use super::observed::Observed;

/// What s3path learned about one bucket named with `--bucket`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BucketFacts {
    pub name: String,
    /// The bucket's region, from the `x-amz-bucket-region` header S3 sends with every
    /// `HeadBucket` answer (200, 301, 403), or why it is not known.
    pub region: Observed<String>,
    /// The real, read-only requests made, in order (`HeadBucket`, `ListObjectsV2`,
    /// `HeadObject`), per way of reaching S3.
    #[serde(default)]
    pub requests: Vec<S3Request>,
    /// The bucket policy (`GetBucketPolicy`), as the JSON text S3 returned.
    #[serde(default)]
    pub bucket_policy: Observed<String>,
    /// Where the requests were made: from the vantage judged (doctor on the host), or from
    /// the machine that ran s3path (`route --probe-from-here`), whose network is not the
    /// subnet's path. Absent in older facts: the vantage.
    #[serde(default, skip_serializing_if = "RequestsFrom::is_vantage")]
    pub requests_from: RequestsFrom,
}

/// Where a bucket's requests were made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestsFrom {
    /// From the vantage judged: the requests took the path the report judges.
    #[default]
    Vantage,
    /// From the machine that ran s3path (a CI runner, a laptop), not from the subnet judged:
    /// what they met says nothing about the subnet's path.
    ThisMachine,
}

impl RequestsFrom {
    pub fn is_vantage(&self) -> bool {
        *self == RequestsFrom::Vantage
    }
}

/// How a request was addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestRoute {
    /// The name the application's client uses in the region it is configured for: the
    /// regional virtual-hosted name, or the FIPS, dual-stack, accelerate or path-style name its
    /// settings (or the URL it was given) plan.
    ClientRegion,
    /// The regional virtual-hosted name in the bucket's own region (what a client that
    /// follows the region redirect ends up using).
    BucketRegion,
    /// `https://bucket.vpce-….s3.<region>.vpce.amazonaws.com` as the endpoint URL.
    InterfaceEndpoint,
    /// The endpoint URL the SDKs are configured with (`AWS_ENDPOINT_URL_S3`, …).
    EndpointOverride,
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestOutcome {
    /// An HTTP answer came back (any status).
    Answered,
    /// No connection could be made.
    ConnectFailed,
    TimedOut,
    /// The name did not resolve.
    DnsFailed,
    /// TLS or another transport error after connecting.
    Error,
    /// Not made (see `error`).
    NotMade,
}

/// One real S3 request and what came back. Never carries credentials or signatures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct S3Request {
    /// `HeadBucket`, `ListObjectsV2`, `HeadObject`.
    pub operation: String,
    pub route: RequestRoute,
    /// The host the request was sent to.
    pub host: String,
    /// The endpoint interface endpoint id, for `interface-endpoint` requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
    /// The address the connection went to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<IpAddr>,
    pub outcome: RequestOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    /// False when no credentials were available and the request went unsigned.
    #[serde(default)]
    pub signed: bool,
    /// S3's error code (`AccessDenied`, `PermanentRedirect`, `NoSuchBucket`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// S3's error message, or the transport error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `x-amz-bucket-region` of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_region: Option<String>,
    /// `x-amz-request-id`, for a support case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// `--presigned URL`: the URL's host, how it resolved and whether port 443 answered. The query
/// string (signature, credential scope) is never stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PresignedCheck {
    /// `https://host/path` without the query string.
    pub url: String,
    pub host: String,
    /// The region named in the URL's credential scope (`X-Amz-Credential`), when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_region: Option<String>,
    /// Seconds the URL stays valid from its signing time (`X-Amz-Expires`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_seconds: Option<u64>,
    pub resolution: Resolution,
    #[serde(default)]
    pub tcp: Vec<TcpProbe>,
}
