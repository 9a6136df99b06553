//! A small signed client for AWS's Query APIs (EC2 today): SigV4 signing (`aws-sigv4`), one
//! HTTPS client (hyper + rustls), bounded answers, pagination, typed errors and bounded
//! retries. It replaces the generated EC2 SDK, whose build alone took five of the release
//! build's seven minutes, for the fifteen read-only calls s3path makes.
//!
//! Credentials come from the run's [`AwsContext`] (the standard chain of `aws-config`:
//! environment, profile, web identity, container and instance roles), resolved once per run,
//! and never leave it.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use roxmltree::Node;
use tokio::time::Instant;

use super::clock;
use super::context::{AwsContext, CredentialsFailure, QueryHttp};
use super::plain::error_chain;

/// The largest answer read from one call (a page of EC2 results is a few hundred KiB at most).
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;
/// Pages read from one paginated call before giving up on a token that never ends.
pub const MAX_PAGES: usize = 1000;
/// Attempts per call: throttling, 5xx answers and transport errors are retried with backoff
/// while the budget allows.
pub const MAX_ATTEMPTS: u32 = 3;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// The service answered with an error code (`UnauthorizedOperation`, …).
    Service { status: u16, code: String },
    /// No answer within the time the call had.
    TimedOut { after_ms: u64 },
    /// No connection (DNS, refused, TLS, reset).
    Transport,
    /// The credential chain gave no credentials.
    NoCredentials,
    /// An answer that is not what the protocol promises.
    Malformed,
    /// No endpoint: the endpoint settings are refused (one line naming the setting).
    Endpoint,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub kind: ApiErrorKind,
    /// One line: the service's message, or what went wrong.
    pub message: String,
}

impl ApiError {
    fn new(kind: ApiErrorKind, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            message: super::plain::plain_error(&message.into()),
        }
    }

    pub fn code(&self) -> Option<&str> {
        match &self.kind {
            ApiErrorKind::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Throttling, a 5xx answer or a transport error: worth another try while time is left.
    pub fn retryable(&self) -> bool {
        match &self.kind {
            ApiErrorKind::Service { status, code } => {
                *status >= 500
                    || *status == 429
                    || matches!(
                        code.as_str(),
                        "RequestLimitExceeded"
                            | "Throttling"
                            | "ThrottlingException"
                            | "RequestThrottled"
                            | "RequestThrottledException"
                            | "TooManyRequestsException"
                            | "SlowDown"
                            | "InternalError"
                            | "ServiceUnavailable"
                    )
            }
            ApiErrorKind::Transport => true,
            _ => false,
        }
    }
}

/// Query parameters of one call, in order (`Action` and `Version` are added by the client).
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new() -> Self {
        Params::default()
    }

    pub fn set(mut self, key: &str, value: impl Into<String>) -> Self {
        self.0.push((key.to_string(), value.into()));
        self
    }

    /// `Prefix.1=a&Prefix.2=b` (EC2's flattened lists).
    pub fn list<S: AsRef<str>>(mut self, prefix: &str, values: &[S]) -> Self {
        for (i, v) in values.iter().enumerate() {
            self.0
                .push((format!("{prefix}.{}", i + 1), v.as_ref().to_string()));
        }
        self
    }

    /// One more `Filter.N.Name` with its `Filter.N.Value.M`.
    pub fn filter<S: AsRef<str>>(mut self, name: &str, values: &[S]) -> Self {
        let n = self
            .0
            .iter()
            .filter(|(k, _)| k.starts_with("Filter.") && k.ends_with(".Name"))
            .count()
            + 1;
        self.0.push((format!("Filter.{n}.Name"), name.to_string()));
        for (i, v) in values.iter().enumerate() {
            self.0.push((
                format!("Filter.{n}.Value.{}", i + 1),
                v.as_ref().to_string(),
            ));
        }
        self
    }

    fn encode(&self, action: &str, version: &str) -> String {
        let mut out = format!("Action={}&Version={}", enc(action), enc(version));
        for (k, v) in &self.0 {
            out.push('&');
            out.push_str(&enc(k));
            out.push('=');
            out.push_str(&enc(v));
        }
        out
    }
}

/// Percent-encoding of everything but RFC 3986's unreserved characters.
fn enc(s: &str) -> String {
    crate::url::encode_unreserved(s)
}

/// A client of one Query service in one region.
pub struct QueryClient {
    service: &'static str,
    version: &'static str,
    region: String,
    endpoint: String,
    /// Why no endpoint could be resolved (one line): every call fails with it.
    refused: Option<String>,
    http: QueryHttp,
    /// The run's credentials: resolved once for every client of the run.
    context: AwsContext,
    /// The longest a single call may take (each caller also bounds by its deadline).
    budget: Duration,
    /// Requests sent, by action (pages and retries included).
    calls: std::sync::Mutex<std::collections::BTreeMap<String, u32>>,
}

impl QueryClient {
    /// A client for `service` (`ec2`) at `endpoint` (tests), else the endpoint the SDKs would
    /// use ([`super::endpoints`]: `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the
    /// profile, then the partition's, FIPS and dual-stack as asked), with the run's credentials
    /// and HTTPS client (nothing else is loaded or resolved here).
    pub fn new(
        context: &AwsContext,
        service: &'static str,
        version: &'static str,
        region: &str,
        endpoint: Option<String>,
        budget: Duration,
    ) -> QueryClient {
        let resolved = match endpoint {
            Some(e) => Ok(e.trim_end_matches('/').to_string()),
            None => super::endpoints::endpoint(service, region, context.profile()),
        };
        let (endpoint, refused) = match resolved {
            Ok(e) => (e, None),
            Err(why) => (String::new(), Some(why)),
        };
        QueryClient {
            service,
            version,
            region: region.to_string(),
            endpoint,
            refused,
            http: context.query_http(),
            context: context.clone(),
            budget,
            calls: Default::default(),
        }
    }

    /// The requests sent so far, by action.
    pub fn calls(&self) -> std::collections::BTreeMap<String, u32> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// A client of another Query service in the same region that shares this one's
    /// credentials (the run's) and connection pool.
    pub fn sibling(
        &self,
        service: &'static str,
        version: &'static str,
        endpoint: Option<String>,
        budget: Duration,
    ) -> QueryClient {
        QueryClient::new(
            &self.context,
            service,
            version,
            &self.region,
            endpoint,
            budget,
        )
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Why no endpoint could be resolved, when none could.
    pub fn refused(&self) -> Option<&str> {
        self.refused.as_deref()
    }

    fn check_endpoint(&self) -> Result<(), ApiError> {
        match &self.refused {
            Some(why) => Err(ApiError::new(ApiErrorKind::Endpoint, why.clone())),
            None => Ok(()),
        }
    }

    async fn credentials(&self) -> Result<Credentials, ApiError> {
        let no = |why: String| ApiError::new(ApiErrorKind::NoCredentials, why);
        match self.context.credentials(self.budget).await {
            Ok(c) => Ok(c),
            Err(CredentialsFailure::TimedOut(_)) => Err(no(self
                .context
                .no_credentials_sentence(&CredentialsFailure::TimedOut(self.budget)))),
            Err(f) => Err(no(self.context.no_credentials_sentence(&f))),
        }
    }

    /// One call, with retries; the answer's text.
    pub async fn call(&self, action: &str, params: &Params) -> Result<String, ApiError> {
        self.check_endpoint()?;
        let body = params.encode(action, self.version);
        self.send(action, &body, QUERY, None).await
    }

    /// One call of a JSON-protocol service (`awsJson1_1`, e.g. SSM): `target` is the
    /// `X-Amz-Target` (`AmazonSSM.SendCommand`); the answer is parsed JSON. Errors carry the
    /// `__type` as their code.
    pub async fn json(
        &self,
        target: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, ApiError> {
        self.check_endpoint()?;
        let action = target.rsplit('.').next().unwrap_or(target);
        let text = self
            .send(action, &body.to_string(), JSON, Some(target))
            .await?;
        serde_json::from_str(&text).map_err(|e| {
            ApiError::new(
                ApiErrorKind::Malformed,
                format!("{action}: the answer is not JSON: {e}"),
            )
        })
    }

    /// Every item of the list `key` over the pages of a JSON-protocol call (`NextToken`), at
    /// most [`MAX_PAGES`] pages.
    pub async fn json_pages(
        &self,
        target: &str,
        body: &serde_json::Value,
        key: &str,
    ) -> Result<Vec<serde_json::Value>, ApiError> {
        let mut out = Vec::new();
        let mut body = body.clone();
        for _ in 0..MAX_PAGES {
            let v = self.json(target, &body).await?;
            out.extend(v[key].as_array().into_iter().flatten().cloned());
            match v["NextToken"].as_str().filter(|t| !t.is_empty()) {
                Some(t) => body["NextToken"] = serde_json::json!(t),
                None => return Ok(out),
            }
        }
        Err(ApiError::new(
            ApiErrorKind::Malformed,
            format!("{target}: more than {MAX_PAGES} pages"),
        ))
    }

    async fn send(
        &self,
        action: &str,
        body: &str,
        content_type: &'static str,
        target: Option<&str>,
    ) -> Result<String, ApiError> {
        let deadline = Instant::now() + self.budget;
        let creds = self.credentials().await?;
        let mut attempt = 0;
        // Signing uses the host time, corrected once AWS rejected a request of the run for
        // its time; a call is signed again with the corrected time at most once.
        let mut correction = self.context.clock_correction();
        let mut resigned = false;
        loop {
            attempt += 1;
            if let Ok(mut calls) = self.calls.lock() {
                *calls.entry(action.to_string()).or_insert(0) += 1;
            }
            let started = Instant::now();
            let left = deadline.saturating_duration_since(started);
            let result = match tokio::time::timeout(
                left,
                self.attempt(&creds, body, content_type, target, correction),
            )
            .await
            {
                Ok(r) => r,
                Err(_) => Err(ApiError::new(
                    ApiErrorKind::TimedOut {
                        after_ms: started.elapsed().as_millis() as u64,
                    },
                    format!("no answer within {} ms", left.as_millis()),
                )),
            };
            let skew = self.context.clock_skew();
            match result {
                Err(e)
                    if !resigned
                        && skew.is_some()
                        && e.code().is_some_and(|c| clock::is_skew_error(c, skew))
                        && Instant::now() < deadline =>
                {
                    // The host clock is off: sign once more with the time AWS answered with.
                    resigned = true;
                    correction = skew;
                    if let Some(s) = skew {
                        self.context.set_clock_correction(s);
                    }
                }
                Err(e) if e.retryable() && attempt < MAX_ATTEMPTS => {
                    // Exponential backoff with a little jitter, only while time is left.
                    let jitter = SystemTime::now()
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .map(|d| d.subsec_nanos() % 100)
                        .unwrap_or(0);
                    let wait = Duration::from_millis(200 * (1 << (attempt - 1)) + jitter as u64);
                    if Instant::now() + wait >= deadline {
                        return Err(e);
                    }
                    tokio::time::sleep(wait).await;
                }
                other => return other,
            }
        }
    }

    async fn attempt(
        &self,
        creds: &Credentials,
        body: &str,
        content_type: &'static str,
        target: Option<&str>,
        correction: Option<i64>,
    ) -> Result<String, ApiError> {
        let uri: http::Uri = format!("{}/", self.endpoint).parse().map_err(|e| {
            ApiError::new(
                ApiErrorKind::Transport,
                format!("endpoint {}: {e}", crate::redact::url(&self.endpoint)),
            )
        })?;
        let host = uri
            .authority()
            .map(|a| a.as_str().to_string())
            .unwrap_or_default();
        let mut builder = http::Request::builder()
            .method("POST")
            .uri(uri.clone())
            .header("host", &host)
            .header("content-type", content_type)
            .header("user-agent", concat!("s3path/", env!("CARGO_PKG_VERSION")));
        if let Some(t) = target {
            builder = builder.header("x-amz-target", t);
        }
        let mut req = builder
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| ApiError::new(ApiErrorKind::Malformed, e.to_string()))?;
        let identity = creds.clone().into();
        let settings = aws_sigv4::http_request::SigningSettings::default();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(self.service)
            .time(clock::corrected_now(correction.unwrap_or(0)))
            .settings(settings)
            .build()
            .map_err(|e| ApiError::new(ApiErrorKind::NoCredentials, e.to_string()))?
            .into();
        let uri_text = uri.to_string();
        let mut headers = vec![("host", host.as_str()), ("content-type", content_type)];
        if let Some(t) = target {
            headers.push(("x-amz-target", t));
        }
        let signable = aws_sigv4::http_request::SignableRequest::new(
            "POST",
            uri_text.as_str(),
            headers.into_iter(),
            aws_sigv4::http_request::SignableBody::Bytes(body.as_bytes()),
        )
        .map_err(|e| ApiError::new(ApiErrorKind::Malformed, e.to_string()))?;
        let (instructions, _) = aws_sigv4::http_request::sign(signable, &params)
            .map_err(|e| ApiError::new(ApiErrorKind::NoCredentials, e.to_string()))?
            .into_parts();
        instructions.apply_to_request_http1x(&mut req);
        let resp = self.http.request(req).await.map_err(|e| {
            ApiError::new(
                ApiErrorKind::Transport,
                format!(
                    "{}: {}",
                    crate::redact::url(&self.endpoint),
                    error_chain(&e)
                ),
            )
        })?;
        let status = resp.status().as_u16();
        let skew = resp
            .headers()
            .get(http::header::DATE)
            .and_then(|d| d.to_str().ok())
            .and_then(|d| clock::skew_of(d, SystemTime::now()));
        if let Some(skew) = skew {
            self.context.observe_clock(self.service, skew);
        }
        let headers = resp.headers().clone();
        let bytes = Limited::new(resp.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| {
                ApiError::new(
                    ApiErrorKind::Transport,
                    format!("reading the answer: {}", error_chain(&*e)),
                )
            })?
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if (200..300).contains(&status) {
            return Ok(text);
        }
        let (code, message) = if content_type == JSON {
            json_error(&text)
        } else {
            service_error(&text)
        };
        let code = code.unwrap_or_else(|| format!("HTTP{status}"));
        let mut message = message.unwrap_or_else(|| format!("HTTP status {status}"));
        if let Some(id) = clock::request_id(&headers, &text) {
            message = format!("{message} (request id {id})");
        }
        let error = ApiError::new(
            ApiErrorKind::Service {
                status,
                code: code.clone(),
            },
            message,
        );
        if clock::is_skew_error(&code, skew.or_else(|| self.context.clock_skew())) {
            self.context
                .clock_error(format!("{} {code}: {}", self.service, error.message));
        }
        Err(error)
    }

    /// Every page of `action`: `f` sees the items of `list` (`<list><item>…`, or `<member>`)
    /// of each page.
    pub async fn pages(
        &self,
        action: &str,
        params: &Params,
        list: &str,
        mut f: impl FnMut(Node<'_, '_>),
    ) -> Result<(), ApiError> {
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let p = match &token {
                Some(t) => params.clone().set("NextToken", t.clone()),
                None => params.clone(),
            };
            let text = self.call(action, &p).await?;
            let doc = parse(&text)?;
            let root = doc.root_element();
            // EC2 answers at the root (`nextToken`); the other Query services inside
            // `<ActionResult>` (`NextToken`).
            let result = child(root, &format!("{action}Result")).unwrap_or(root);
            for item in items(result, list) {
                f(item);
            }
            token = text_of(result, "nextToken")
                .or_else(|| text_of(result, "NextToken"))
                .filter(|t| !t.is_empty());
            if token.is_none() {
                return Ok(());
            }
        }
        Err(ApiError::new(
            ApiErrorKind::Malformed,
            format!("{action}: more than {MAX_PAGES} pages"),
        ))
    }

    /// One unpaginated call, its answer parsed; `f` reads the root element.
    pub async fn one<T>(
        &self,
        action: &str,
        params: &Params,
        f: impl FnOnce(Node<'_, '_>) -> T,
    ) -> Result<T, ApiError> {
        let text = self.call(action, params).await?;
        let doc = parse(&text)?;
        Ok(f(doc.root_element()))
    }
}

const QUERY: &str = "application/x-www-form-urlencoded; charset=utf-8";
const JSON: &str = "application/x-amz-json-1.1";

/// The `__type` (without its namespace) and `message` of a JSON-protocol error.
pub fn json_error(text: &str) -> (Option<String>, Option<String>) {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return (None, None);
    };
    let code = v.get("__type").and_then(|t| t.as_str()).map(|t| {
        t.rsplit('#')
            .next()
            .unwrap_or(t)
            .chars()
            .take(200)
            .collect()
    });
    let message = v
        .get("message")
        .or_else(|| v.get("Message"))
        .and_then(|m| m.as_str())
        .map(|m| m.chars().take(500).collect());
    (code, message)
}

/// The `Code` and `Message` of an error answer (`<Response><Errors><Error>…` for EC2,
/// `<ErrorResponse><Error>…` for the other Query services).
pub fn service_error(text: &str) -> (Option<String>, Option<String>) {
    let Ok(doc) = roxmltree::Document::parse(text) else {
        return (None, None);
    };
    let find = |name: &str| {
        doc.descendants()
            .find(|n| n.is_element() && n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(|t| t.trim().chars().take(500).collect::<String>())
    };
    (find("Code"), find("Message"))
}

pub fn parse(text: &str) -> Result<roxmltree::Document<'_>, ApiError> {
    roxmltree::Document::parse(text).map_err(|e| {
        ApiError::new(
            ApiErrorKind::Malformed,
            format!("the answer is not XML: {e}"),
        )
    })
}

/// The child element `name` of `n`.
pub fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// The text of the child `name` (trimmed), when present.
pub fn text_of(n: Node<'_, '_>, name: &str) -> Option<String> {
    child(n, name).map(|c| c.text().unwrap_or_default().trim().to_string())
}

/// The text of a path of children (`&["placement", "availabilityZone"]`).
pub fn text_at(n: Node<'_, '_>, path: &[&str]) -> Option<String> {
    let (last, init) = path.split_last()?;
    let mut cur = n;
    for p in init {
        cur = child(cur, p)?;
    }
    text_of(cur, last)
}

/// A boolean child (`true`/`false`).
pub fn bool_of(n: Node<'_, '_>, name: &str) -> Option<bool> {
    text_of(n, name).and_then(|t| t.parse().ok())
}

/// An integer child.
pub fn int_of(n: Node<'_, '_>, name: &str) -> Option<i32> {
    text_of(n, name).and_then(|t| t.parse().ok())
}

/// The `<item>` elements of the list child `name`.
pub fn items<'a, 'i>(n: Node<'a, 'i>, name: &str) -> impl Iterator<Item = Node<'a, 'i>> {
    child(n, name)
        .into_iter()
        .flat_map(|l| l.children().filter(|c| c.is_element()))
}

/// The texts of a list of strings (`<routeTableIdSet><item>rtb-…</item>…`).
pub fn strings(n: Node<'_, '_>, name: &str) -> Vec<String> {
    items(n, name)
        .filter_map(|i| i.text().map(|t| t.trim().to_string()))
        .collect()
}

/// The texts of field `field` of each item of list `name`.
pub fn item_texts(n: Node<'_, '_>, name: &str, field: &str) -> Vec<String> {
    items(n, name).filter_map(|i| text_of(i, field)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_encode_filters_and_lists() {
        let p = Params::new()
            .filter("vpc-id", &["vpc-1"])
            .filter("tag:Name", &["a b", "c/d"])
            .list("SubnetId", &["subnet-1", "subnet-2"]);
        assert_eq!(
            p.encode("DescribeSubnets", "2016-11-15"),
            "Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1\
             &Filter.2.Name=tag%3AName&Filter.2.Value.1=a%20b&Filter.2.Value.2=c%2Fd\
             &SubnetId.1=subnet-1&SubnetId.2=subnet-2"
        );
    }

    #[test]
    fn service_errors_of_both_shapes() {
        let ec2 = "<Response><Errors><Error><Code>UnauthorizedOperation</Code>\
                   <Message>You are not authorized</Message></Error></Errors>\
                   <RequestID>x</RequestID></Response>";
        assert_eq!(
            service_error(ec2),
            (
                Some("UnauthorizedOperation".into()),
                Some("You are not authorized".into())
            )
        );
        let query = "<ErrorResponse xmlns=\"x\"><Error><Type>Sender</Type><Code>Throttling</Code>\
                     <Message>Rate exceeded</Message></Error></ErrorResponse>";
        assert_eq!(service_error(query).0.as_deref(), Some("Throttling"));
        assert_eq!(service_error("<html>"), (None, None));
    }

    #[test]
    fn items_and_texts_ignore_namespaces() {
        let x = r#"<DescribeRouteTablesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
            <routeTableSet><item><routeTableId>rtb-1</routeTableId>
            <associationSet><item><main>true</main></item></associationSet></item>
            <item><routeTableId> rtb-2 </routeTableId></item></routeTableSet>
            <nextToken/></DescribeRouteTablesResponse>"#;
        let doc = parse(x).unwrap();
        let root = doc.root_element();
        let ids = item_texts(root, "routeTableSet", "routeTableId");
        assert_eq!(ids, ["rtb-1", "rtb-2"]);
        let first = items(root, "routeTableSet").next().unwrap();
        assert_eq!(
            items(first, "associationSet")
                .next()
                .and_then(|a| bool_of(a, "main")),
            Some(true)
        );
        assert_eq!(text_of(root, "nextToken").as_deref(), Some(""));
    }

    #[test]
    fn retryable_kinds() {
        let s = |status, code: &str| ApiError {
            kind: ApiErrorKind::Service {
                status,
                code: code.into(),
            },
            message: String::new(),
        };
        assert!(s(503, "Unavailable").retryable());
        assert!(s(400, "RequestLimitExceeded").retryable());
        assert!(!s(403, "UnauthorizedOperation").retryable());
        assert!(!ApiError::new(ApiErrorKind::NoCredentials, "x").retryable());
    }
}
