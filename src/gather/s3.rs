//! Bucket facts from S3 itself: the bucket's region (`x-amz-bucket-region`, which S3 sends
//! with every `HeadBucket` answer, 200, 301 and 403 alike), real read-only requests over the
//! path the application would take (`HeadBucket`, `ListObjectsV2` with `max-keys 1`,
//! `HeadObject` with `--key`), and the bucket policy (`GetBucketPolicy`).
//!
//! Every request goes through an HTTP client whose DNS resolver answers with exactly one
//! address — the first one the application's own resolver (hosts file, then resolv.conf)
//! gives — so the address the connection went to is known and the path engine can tie the
//! request to a path. Requests are signed with the standard credential chain when it yields
//! credentials (never stored or printed) and sent unsigned otherwise. Read-only: no request
//! here writes.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{Region, SdkConfig};
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::RequestId;
use aws_sdk_s3::Client;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::dns::{DnsFuture, ResolveDns, ResolveDnsError};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use hickory_resolver::TokioResolver;

use super::context::AwsContext;
use super::dns::{self, HostsEntry};
use crate::facts::{
    BucketFacts, LookupStatus, Observed, RequestOutcome, RequestRoute, Resolution, S3Request,
};

/// The S3 actions s3path may call (all read-only).
pub const ACTIONS: [&str; 3] = ["s3:ListBucket", "s3:GetObject", "s3:GetBucketPolicy"];

/// What to ask S3, and how the application reaches it.
#[derive(Clone)]
pub struct Plan {
    /// The region the application's client is configured for.
    pub client_region: String,
    pub buckets: Vec<String>,
    /// `--key`: an object to `HeadObject` in every bucket.
    pub key: Option<String>,
    /// `(AWS_CA_BUNDLE or SSL_CERT_FILE, path)`: extra trust, as the AWS CLI honors it.
    pub ca_bundles: Vec<(String, String)>,
    /// Set when the application's S3 requests go through a proxy (s3path does not send its
    /// requests through proxies): the requests are then not made, and this says why.
    pub proxied: Option<String>,
    /// Whether to make the read requests (`ListObjectsV2`, `HeadObject`); `route` judges a
    /// subnet it is not on, so it only asks for the region and the policy.
    pub reads: bool,
    /// The application's S3 settings: the requests go to the names they plan (FIPS,
    /// dual-stack, acceleration, path style), as the application's own would.
    pub settings: crate::names::S3Settings,
}

/// How the SDK addresses a request, from the name planned for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    pub fips: bool,
    pub dualstack: bool,
    pub accelerate: bool,
    pub path_style: bool,
    /// The legacy global name (`s3.amazonaws.com`).
    pub legacy_global: bool,
}

impl Style {
    /// The style of a planned name (website and legacy dash-region names are HTTP-only or
    /// equivalent aliases of the regional name: the regional name is asked then).
    pub fn of(name: &crate::names::PlannedName) -> Style {
        use crate::names::HostKind as K;
        let dual = name.host.contains(".dualstack.");
        Style {
            fips: matches!(name.host_kind, K::Fips) || name.host.contains("-fips."),
            dualstack: dual,
            accelerate: name.host_kind == K::Accelerate,
            path_style: name.path_style,
            legacy_global: name.host_kind == K::LegacyGlobal,
        }
    }
}

/// The application's resolver, pinned: answers with the first address only and remembers
/// every answer it gave.
#[derive(Clone)]
pub struct Pinned {
    resolver: Arc<TokioResolver>,
    label: String,
    hosts: Arc<Vec<HostsEntry>>,
    /// Answers already known (the gather's own DNS view): reused, not asked again.
    known: Arc<Vec<Resolution>>,
    limit: Duration,
    log: Arc<Mutex<Vec<Resolution>>>,
}

impl std::fmt::Debug for Pinned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pinned")
            .field("label", &self.label)
            .finish()
    }
}

impl Pinned {
    pub fn new(
        resolver: TokioResolver,
        label: String,
        hosts: Vec<HostsEntry>,
        known: Vec<Resolution>,
        limit: Duration,
    ) -> Self {
        Pinned {
            resolver: Arc::new(resolver),
            label,
            hosts: Arc::new(hosts),
            known: Arc::new(known),
            limit,
            log: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// A copy with its own (empty) log, for one client.
    fn fresh(&self) -> Self {
        Pinned {
            log: Arc::new(Mutex::new(Vec::new())),
            ..self.clone()
        }
    }

    fn last(&self) -> Option<Resolution> {
        self.log.lock().ok()?.last().cloned()
    }

    /// Every answer given that the gather's DNS view did not already have.
    pub fn new_answers(&self) -> Vec<Resolution> {
        self.log
            .lock()
            .map(|l| {
                l.iter()
                    .filter(|r| !self.known.iter().any(|k| k.host == r.host))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl ResolveDns for Pinned {
    fn resolve_dns<'a>(&'a self, name: &'a str) -> DnsFuture<'a> {
        DnsFuture::new(async move {
            let same = |r: &&Resolution| r.host.eq_ignore_ascii_case(name);
            let known = self.known.iter().find(same).cloned().or_else(|| {
                let log = self.log.lock().ok()?;
                log.iter().find(same).cloned()
            });
            let r = match known {
                Some(r) => r,
                None => {
                    dns::resolve(
                        &self.resolver,
                        &self.label,
                        Some(&self.hosts),
                        name,
                        self.limit,
                    )
                    .await
                }
            };
            let first = r.addresses.first().copied();
            let status = r.status.as_str();
            if let Ok(mut l) = self.log.lock() {
                l.push(r);
            }
            match first {
                Some(a) => Ok(vec![a]),
                None => Err(ResolveDnsError::new(format!("{name}: {status}"))),
            }
        })
    }
}

/// The shared configuration: region, credentials (or none), the trust store.
pub struct Session {
    config: SdkConfig,
    signed: bool,
    tls: TlsContext,
    tls_error: Option<String>,
    /// Requests made as s3path's own (`route --probe-from-here`): those whose host this
    /// machine's proxy variables send to a proxy go through the run's shared connector.
    own: Option<Own>,
}

/// The run's shared connector, its proxy variables and its record of connections.
type Own = (
    super::https::SdkHttp,
    Arc<Vec<(String, String)>>,
    super::https::AccessLog,
);

impl Session {
    /// This session, its requests made as s3path's own calls from this machine: a request
    /// whose host this machine's proxy variables send to a proxy goes through that proxy
    /// (the shared connector of [`super::https`], the run's CA bundle, recorded in the run's
    /// `aws_access`); the others go direct through the pinned resolver (recorded
    /// there too).
    pub fn through_own_proxy(mut self, context: &AwsContext) -> Session {
        let http = super::https::SdkHttp::new(context.https(crate::facts::AccessClient::Sdk));
        let (vars, log) = context.proxy_vars();
        self.own = Some((http, vars, log));
        self
    }
}

/// The run's configuration, and whether its credential chain yields credentials within
/// `limit` (they stay inside the SDK; the chain is walked once per run, see `AwsContext`).
pub async fn session(
    context: &AwsContext,
    ca_bundles: &[(String, String)],
    limit: Duration,
) -> Session {
    let signed = context.credentials(limit).await.is_ok();
    // Without credentials the requests go unsigned, as `--no-sign-request` sends them.
    let config = if signed {
        context.sdk_config().await.clone()
    } else {
        context.unsigned_config().await
    };
    let mut store = TrustStore::default();
    let mut tls_error = None;
    for (var, path) in ca_bundles {
        match super::tls::read_bundle(path) {
            Ok(pem) => store = store.with_pem_certificate(pem.into_bytes()),
            Err(e) => tls_error = Some(format!("{var}: {e}")),
        }
    }
    let tls = TlsContext::builder()
        .with_trust_store(store)
        .build()
        .unwrap_or_else(|e| {
            tls_error = Some(format!("trust store: {e}"));
            TlsContext::default()
        });
    Session {
        config,
        signed,
        tls,
        tls_error,
        own: None,
    }
}

/// One client: a region, an optional endpoint URL, its own pinned resolver.
struct Reach {
    client: Client,
    pinned: Pinned,
    route: RequestRoute,
    endpoint: Option<String>,
    endpoint_id: Option<String>,
    signed: bool,
    /// The host of the last request when it went through a proxy (s3path's own requests, see [`Session::through_own_proxy`]).
    proxied: Arc<Mutex<Option<String>>>,
    /// The end of the gather's budget: no request runs past it.
    deadline: Instant,
}

fn reach(
    s: &Session,
    pinned: &Pinned,
    region: &str,
    endpoint: Option<&str>,
    route: RequestRoute,
    limit: Duration,
) -> Reach {
    reach_styled(s, pinned, region, endpoint, route, limit, Style::default())
}

fn reach_styled(
    s: &Session,
    pinned: &Pinned,
    region: &str,
    endpoint: Option<&str>,
    route: RequestRoute,
    limit: Duration,
    style: Style,
) -> Reach {
    let pinned = pinned.fresh();
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(s.tls.clone())
        .build_with_resolver(pinned.clone());
    let proxied = Arc::new(Mutex::new(None));
    let http = match &s.own {
        Some((own, vars, log)) => SharedHttpClient::new(super::https::ProxyOr::new(
            http,
            own.clone(),
            Arc::clone(vars),
            log.clone(),
            Arc::clone(&proxied),
        )),
        None => http,
    };
    let mut b = aws_sdk_s3::config::Builder::from(&s.config)
        .region(Region::new(region.to_string()))
        .http_client(http)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(limit.min(Duration::from_secs(2)))
                .operation_attempt_timeout(limit)
                .operation_timeout(limit)
                .build(),
        )
        // One attempt: the outcome of the request itself is the fact.
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        // The client is configured explicitly from the name planned for the request (the
        // application's FIPS, dual-stack, acceleration or path-style setting, or the URL it
        // was given), never from this process's own environment.
        .use_dual_stack(style.dualstack)
        .use_fips(style.fips)
        .accelerate(style.accelerate)
        .force_path_style(style.path_style)
        // An access point ARN's request goes to the ARN's region, as boto3 and the CLI send it.
        .use_arn_region(true);
    let legacy =
        (style.legacy_global && endpoint.is_none()).then(|| "https://s3.amazonaws.com".to_string());
    b.set_endpoint_url(endpoint.map(str::to_string).or(legacy));
    if !s.signed {
        b = b.allow_no_auth();
    }
    Reach {
        client: Client::from_conf(b.build()),
        pinned,
        route,
        endpoint: endpoint.map(str::to_string),
        endpoint_id: None,
        signed: s.signed,
        proxied,
        deadline: Instant::now() + limit,
    }
}

impl Reach {
    /// Sends one request, bounded by what is left of the budget, and records it.
    async fn send<O, E>(
        &self,
        operation: &str,
        request: impl std::future::Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    ) -> (S3Request, Option<Result<O, SdkError<E, HttpResponse>>>)
    where
        O: RequestId,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let started = Instant::now();
        let left = self.deadline.saturating_duration_since(started);
        match tokio::time::timeout(left, request).await {
            Ok(out) => (self.record(operation, started, &out), Some(out)),
            Err(_) => {
                let mut req = self.request(operation);
                req.outcome = RequestOutcome::TimedOut;
                req.error = Some(format!(
                    "no answer within the --timeout budget ({} ms left)",
                    left.as_millis()
                ));
                (req, None)
            }
        }
    }

    /// A record of `operation` on this client, answered, with the host and address the last
    /// connection used and nothing else filled in yet.
    fn request(&self, operation: &str) -> S3Request {
        let (host, address) = self.host_and_address();
        S3Request {
            operation: operation.to_string(),
            route: self.route,
            host,
            endpoint_id: self.endpoint_id.clone(),
            address,
            outcome: RequestOutcome::Answered,
            status: None,
            latency_ms: None,
            signed: self.signed,
            error_code: None,
            error: None,
            bucket_region: None,
            request_id: None,
        }
    }

    /// The host and address the last request used: the pinned resolver's last answer, or the
    /// endpoint URL's literal address; through a proxy, the host only (the proxy resolved it).
    fn host_and_address(&self) -> (String, Option<IpAddr>) {
        if let Some(h) = self
            .proxied
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            return (h, None);
        }
        if let Some(r) = self.pinned.last() {
            return (r.host, r.addresses.first().copied());
        }
        let host = self
            .endpoint
            .as_deref()
            .and_then(crate::url::url_host)
            .unwrap_or_default();
        let addr = host.parse().ok();
        (host, addr)
    }

    fn record<O: RequestId, E: ProvideErrorMetadata + std::error::Error + 'static>(
        &self,
        operation: &str,
        started: Instant,
        result: &Result<O, SdkError<E, HttpResponse>>,
    ) -> S3Request {
        let latency = started.elapsed().as_secs_f64() * 1000.0;
        // Through a proxy, the pinned resolver was not asked (the proxy resolved the name).
        let through_proxy = self
            .proxied
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some();
        let answer = (!through_proxy).then(|| self.pinned.last()).flatten();
        let mut r = self.request(operation);
        r.latency_ms = Some((latency * 10.0).round() / 10.0);
        match result {
            Ok(o) => {
                r.status = Some(200);
                r.request_id = o.request_id().map(str::to_string);
            }
            Err(e) => {
                if let Some(raw) = e.raw_response() {
                    let status = raw.status().as_u16();
                    r.status = Some(status);
                    let header = |n: &str| raw.headers().get(n).map(str::to_string);
                    r.bucket_region = header("x-amz-bucket-region");
                    r.request_id = header("x-amz-request-id");
                    r.error_code = e.code().map(str::to_string).or_else(|| {
                        Some(
                            match status {
                                301 => "PermanentRedirect",
                                307 => "TemporaryRedirect",
                                400 => "BadRequest",
                                403 => "Forbidden",
                                404 => "NotFound",
                                _ => "HttpError",
                            }
                            .to_string(),
                        )
                    });
                    r.error = e.message().map(str::to_string);
                } else {
                    let dns_failed = answer
                        .as_ref()
                        .is_some_and(|a| a.status != LookupStatus::Answered);
                    r.outcome = match e {
                        _ if dns_failed => RequestOutcome::DnsFailed,
                        SdkError::TimeoutError(_) => RequestOutcome::TimedOut,
                        SdkError::DispatchFailure(d) if d.is_timeout() => RequestOutcome::TimedOut,
                        SdkError::DispatchFailure(d) if d.is_io() => RequestOutcome::ConnectFailed,
                        _ => RequestOutcome::Error,
                    };
                    r.latency_ms = None;
                    r.error = Some(one_line(&DisplayErrorContext(e).to_string()));
                }
            }
        }
        r
    }
}

/// One plain sentence from an SDK error (the debug dump dropped and the length bounded by
/// `gather::plain_error`), on one line.
fn one_line(s: &str) -> String {
    super::plain::plain_error(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `HeadBucket` → (request, region from the header or the output).
async fn head_bucket(r: &Reach, bucket: &str) -> (S3Request, Option<String>) {
    let (mut req, out) = r
        .send("HeadBucket", r.client.head_bucket().bucket(bucket).send())
        .await;
    let region = match &out {
        Some(Ok(o)) => o.bucket_region().map(str::to_string),
        _ => req.bucket_region.clone(),
    };
    if req.bucket_region.is_none() {
        req.bucket_region = region.clone();
    }
    (req, region)
}

/// `ListObjectsV2` (`max-keys 1`), then `HeadObject` when a key is given.
async fn reads(r: &Reach, bucket: &str, key: Option<&str>) -> Vec<S3Request> {
    let list = r.client.list_objects_v2().bucket(bucket).max_keys(1).send();
    let mut out = vec![r.send("ListObjectsV2", list).await.0];
    if let Some(k) = key {
        let head = r.client.head_object().bucket(bucket).key(k).send();
        out.push(r.send("HeadObject", head).await.0);
    }
    out
}

async fn bucket_policy(r: &Reach, bucket: &str) -> Observed<String> {
    let left = r.deadline.saturating_duration_since(Instant::now());
    let Ok(answer) =
        tokio::time::timeout(left, r.client.get_bucket_policy().bucket(bucket).send()).await
    else {
        return Observed::failed("GetBucketPolicy: no answer within the --timeout budget");
    };
    match answer {
        Ok(o) => match o.policy() {
            Some(p) => Observed::collected(p.to_string()),
            None => Observed::not_collected("S3 returned no policy text"),
        },
        Err(e) => match e.code() {
            Some("NoSuchBucketPolicy") => Observed::not_collected("the bucket has no policy"),
            Some(code) => Observed::failed(format!(
                "GetBucketPolicy: {code}: {} (reading it needs s3:GetBucketPolicy)",
                e.message().unwrap_or("")
            )),
            None => Observed::failed(format!(
                "GetBucketPolicy: {}",
                one_line(&DisplayErrorContext(&e).to_string())
            )),
        },
    }
}

/// Everything about one bucket: the region, the requests, the policy.
async fn one_bucket(
    s: &Session,
    plan: &Plan,
    pinned: &Pinned,
    endpoint_override: Option<&str>,
    bucket: &str,
    limit: Duration,
) -> (BucketFacts, Vec<Resolution>) {
    let route = if endpoint_override.is_some() {
        RequestRoute::EndpointOverride
    } else {
        RequestRoute::ClientRegion
    };
    let input = bucket;
    let parsed = crate::names::parse(input);
    // The name the application's SDK would use for this input decides how it is addressed.
    let planned = parsed
        .as_ref()
        .ok()
        .map(|r| crate::names::plan(r, &plan.settings, &plan.client_region, None));
    let style = planned
        .as_ref()
        .and_then(|p| p.names.first())
        .map(Style::of)
        .unwrap_or_default();
    let first = reach_styled(
        s,
        pinned,
        &plan.client_region,
        endpoint_override,
        route,
        limit,
        style,
    );
    let shown = parsed
        .as_ref()
        .map(|r| r.label().to_string())
        .unwrap_or_else(|_| input.to_string());
    let mut facts = BucketFacts {
        name: shown,
        region: Observed::not_collected("not asked"),
        requests: Vec::new(),
        bucket_policy: Observed::not_collected("not asked"),
        requests_from: crate::facts::RequestsFrom::Vantage,
    };
    if let Some(why) = &plan.proxied {
        facts.region = Observed::not_collected(why.clone());
        facts.bucket_policy = Observed::not_collected(why.clone());
        return (facts, Vec::new());
    }
    // What the input names decides which read-only requests can be made.
    let not_requested = |why: &str, mut facts: BucketFacts| {
        facts.region = Observed::not_collected(why);
        facts.bucket_policy = Observed::not_collected(why);
        (facts, Vec::new())
    };
    if let Some(why) = planned.as_ref().and_then(|p| p.refused.clone()) {
        return not_requested(&format!("not requested: {why}"), facts);
    }
    let bucket_owned;
    let bucket: &str = match &parsed {
        Err(e) => return not_requested(&format!("not an S3 name: {e}"), facts),
        Ok(r) => match r.kind {
            crate::names::NameKind::Bucket | crate::names::NameKind::AccessPointAlias => {
                bucket_owned = r.name.clone();
                &bucket_owned
            }
            crate::names::NameKind::AccessPoint => {
                // HeadBucket and the reads accept the access point's ARN; its policy is read
                // with s3control:GetAccessPointPolicy, which s3path does not call.
                let arn = r.request_name();
                let (head, _) = head_bucket(&first, &arn).await;
                facts.region = Observed::collected(
                    r.region.clone().unwrap_or_else(|| plan.client_region.clone()),
                );
                facts.requests.push(head);
                if plan.reads {
                    facts
                        .requests
                        .extend(reads(&first, &arn, plan.key.as_deref()).await);
                }
                facts.bucket_policy = Observed::not_collected(
                    "an access point's policy is read with s3control:GetAccessPointPolicy, which s3path does not call",
                );
                return (facts, first.pinned.new_answers());
            }
            crate::names::NameKind::MultiRegionAccessPoint => {
                return not_requested(
                    "not requested: Multi-Region Access Point requests are signed with SigV4A, which this build of s3path leaves out",
                    facts,
                )
            }
            crate::names::NameKind::DirectoryBucket => {
                return not_requested(
                    "not requested: directory buckets authorize with s3express:CreateSession, and s3path makes Describe, Get and Head calls only",
                    facts,
                )
            }
            crate::names::NameKind::ObjectLambda => {
                return not_requested(
                    "not requested: an Object Lambda access point runs its owner's Lambda function on each request, and s3path does not invoke it",
                    facts,
                )
            }
        },
    };
    let (head, region) = head_bucket(&first, bucket).await;
    facts.region = match (&region, head.status, head.outcome) {
        (Some(r), _, _) => Observed::collected(r.clone()),
        (None, Some(404), _) => Observed::failed(format!("{bucket}: no such bucket (404)")),
        (None, Some(status), _) => Observed::failed(format!(
            "HeadBucket answered {status} without x-amz-bucket-region"
        )),
        // The cause in words; the SDK's chain stays in the request's own `error` (shown with -v).
        (None, None, RequestOutcome::DnsFailed) => Observed::failed(format!(
            "HeadBucket got no answer: {} did not resolve",
            head.host
        )),
        (None, None, RequestOutcome::ConnectFailed) => Observed::failed(format!(
            "HeadBucket got no answer: could not connect to {}",
            head.host
        )),
        (None, None, RequestOutcome::TimedOut) => Observed::failed(format!(
            "HeadBucket got no answer from {} in time",
            head.host
        )),
        (None, None, _) => Observed::failed(format!(
            "HeadBucket got no answer: {}",
            super::plain::plain_error(&head.error.clone().unwrap_or_default())
        )),
    };
    let no_bucket = head.status == Some(404);
    facts.requests.push(head);
    let mut answers = first.pinned.new_answers();
    if no_bucket {
        facts.bucket_policy = Observed::not_collected("the bucket does not exist");
        return (facts, answers);
    }
    // A client that follows the region redirect ends up at the bucket's regional name.
    let other = region
        .as_deref()
        .filter(|r| *r != plan.client_region && endpoint_override.is_none());
    let second = other.map(|r| {
        // The same style in the bucket's region (the legacy global name has none).
        let style = Style {
            legacy_global: false,
            ..style
        };
        let mut second = reach_styled(s, pinned, r, None, RequestRoute::BucketRegion, limit, style);
        // One budget for the bucket, whichever name it is reached at.
        second.deadline = first.deadline;
        second
    });
    let reads_on = match &second {
        Some(sec) => {
            let (head, _) = head_bucket(sec, bucket).await;
            facts.requests.push(head);
            sec
        }
        None => &first,
    };
    let read_fut = async {
        if plan.reads {
            reads(reads_on, bucket, plan.key.as_deref()).await
        } else {
            Vec::new()
        }
    };
    let (requests, policy) = tokio::join!(read_fut, bucket_policy(reads_on, bucket));
    facts.requests.extend(requests);
    facts.bucket_policy = policy;
    if other.is_some() {
        for a in reads_on.pinned.new_answers() {
            if !answers.iter().any(|x| x.host == a.host) {
                answers.push(a);
            }
        }
    }
    (facts, answers)
}

/// Gathers every bucket of `plan` (in parallel, each bounded by `limit`). Returns the bucket
/// facts and the DNS answers the requests needed that the gather's DNS view lacked.
pub async fn gather(
    s: &Session,
    plan: &Plan,
    pinned: &Pinned,
    endpoint_override: Option<&str>,
    limit: Duration,
) -> (Observed<Vec<BucketFacts>>, Vec<Resolution>) {
    if plan.buckets.is_empty() {
        return (Observed::not_collected("no --bucket given"), Vec::new());
    }
    if let Some(e) = &s.tls_error {
        return (
            Observed::failed(format!("cannot build the TLS trust store: {e}")),
            Vec::new(),
        );
    }
    let per_request = limit.min(Duration::from_secs(5));
    let all = dns::join_all(
        plan.buckets
            .iter()
            .map(|b| one_bucket(s, plan, pinned, endpoint_override, b, per_request)),
    )
    .await;
    let mut answers: Vec<Resolution> = Vec::new();
    let mut buckets = Vec::new();
    for (b, a) in all {
        buckets.push(b);
        for r in a {
            if !answers.iter().any(|x| x.host == r.host) {
                answers.push(r);
            }
        }
    }
    (Observed::collected(buckets), answers)
}

/// The same reads through an interface endpoint's endpoint-specific name
/// (`https://bucket.vpce-….s3.<region>.vpce.amazonaws.com` as the endpoint URL, as the AWS
/// documentation tells clients to configure it).
pub async fn via_interface_endpoint(
    s: &Session,
    plan: &Plan,
    pinned: &Pinned,
    bucket: &str,
    endpoint_id: &str,
    regional_dns_name: &str,
    limit: Duration,
) -> (Vec<S3Request>, Vec<Resolution>) {
    let url = format!("https://bucket.{regional_dns_name}");
    let mut r = reach(
        s,
        pinned,
        &plan.client_region,
        Some(&url),
        RequestRoute::InterfaceEndpoint,
        limit.min(Duration::from_secs(5)),
    );
    r.endpoint_id = Some(endpoint_id.to_string());
    let (head, _) = head_bucket(&r, bucket).await;
    let mut out = vec![head];
    out.extend(reads(&r, bucket, plan.key.as_deref()).await);
    (out, r.pinned.new_answers())
}

/// `--presigned URL`: where its host resolves (through the application's resolver) and
/// whether port 443 (or the URL's port) answers at each address. Nothing is requested: the
/// URL may be for a write.
pub async fn presigned(
    pinned: &Pinned,
    url: &crate::validate::PresignedUrl,
    limit: Duration,
) -> Observed<crate::facts::PresignedCheck> {
    let resolution = match pinned.known.iter().find(|r| r.host == url.host) {
        Some(r) => r.clone(),
        None => {
            dns::resolve(
                &pinned.resolver,
                &pinned.label,
                Some(&pinned.hosts),
                &url.host,
                limit,
            )
            .await
        }
    };
    let tcp = dns::join_all(
        resolution
            .addresses
            .iter()
            .take(4)
            .map(|a| super::probe::tcp(*a, url.port, limit)),
    )
    .await;
    Observed::collected(crate::facts::PresignedCheck {
        url: url.url.clone(),
        host: url.host.clone(),
        signed_region: url.signed_region.clone(),
        expires_seconds: url.expires_seconds,
        resolution,
        tcp,
    })
}
