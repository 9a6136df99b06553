//! One AWS context per run: the configuration (`aws-config`'s `SdkConfig`) loaded once, the
//! credential chain walked once, one HTTPS client (hyper + rustls) with one trust store for
//! the Query services (EC2, CloudWatch, SSM), and the SDK's HTTP client on the same connector
//! ([`super::https`]: the proxy variables, `CONNECT` tunnels, the CA bundle). The gather entry points (doctor, route, audit,
//! fleet) build it once and hand it down; the S3 clients and the Query clients take their
//! credentials from it, so a run resolves credentials once whatever the number of clients,
//! regions or objects it reads.
//!
//! Credentials never leave the context and its clients: nothing here prints, stores or logs
//! them.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::{
    error::CredentialsError, future, ProvideCredentials, SharedCredentialsProvider,
};
use aws_credential_types::Credentials;
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::sync::{watch, OnceCell};

use super::deadline::Deadline;
use super::https::{AccessLog, Tunnel};
use crate::facts::{AccessClient, AwsAccess, CaBundle, ClockSkew, Observed};

/// The HTTPS connector of the Query clients.
pub type Https = super::https::Https;

/// The one HTTPS client of a run's Query calls.
pub type QueryHttp = Client<Https, Full<Bytes>>;

/// What a run needs to talk to AWS; cheap to clone (every part is shared).
#[derive(Clone)]
pub struct AwsContext {
    region: String,
    /// Loaded on first use (a run off AWS with no bucket may never need it).
    config: Arc<OnceCell<SdkConfig>>,
    credentials: RunCredentials,
    /// Built on first use (reading the trust store is not free, and a run may make no Query
    /// call at all).
    http: Arc<OnceLock<QueryHttp>>,
    /// The trust of the run's own HTTPS, read once: the TLS configuration, the CA bundle it
    /// came from, and why that bundle could not be read.
    trust: Arc<OnceLock<Trust>>,
    /// The proxy variables, read when the context was made.
    proxy_vars: Arc<Vec<(String, String)>>,
    /// The connections the run's own clients made.
    access: AccessLog,
    connect: Duration,
    /// The host clock against the AWS answers' `Date` (shared by every client of the run).
    clock: Arc<Mutex<ClockState>>,
    /// `--profile`: the profile the configuration and the credentials come from (else
    /// `AWS_PROFILE`, as the SDK reads it).
    profile: Option<String>,
    /// `--hub-role-arn`: this context's credentials are that role's, assumed (STS AssumeRole,
    /// aws-config's `AssumeRoleProvider`) with the run's own credentials.
    role_arn: Option<String>,
}

impl std::fmt::Debug for AwsContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsContext")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl AwsContext {
    /// The context of a run in `region`, bounded by `run`. Nothing is read yet: the standard
    /// configuration (environment, profile; no network) is loaded when a client first needs
    /// it, and the credential chain is walked once, when a client first needs credentials.
    pub fn new(region: &str, run: Deadline) -> AwsContext {
        AwsContext {
            region: region.to_string(),
            config: Arc::new(OnceCell::new()),
            credentials: RunCredentials::pending(run),
            http: Arc::new(OnceLock::new()),
            trust: Arc::new(OnceLock::new()),
            proxy_vars: Arc::new(super::https::proxy_vars(&super::options::ProcessEnv)),
            access: AccessLog::default(),
            connect: run.left_max(Duration::from_secs(2)),
            clock: Arc::default(),
            profile: None,
            role_arn: None,
        }
    }

    /// A context of the same run (region, profile, HTTPS client, clock) whose credentials are
    /// `role_arn`'s, assumed with this context's chain (`--hub-role-arn`: the far side of a
    /// transit gateway in another account). Nothing is read until a client needs it.
    pub fn assuming(&self, role_arn: &str, run: Deadline) -> AwsContext {
        AwsContext {
            config: Arc::new(OnceCell::new()),
            credentials: RunCredentials::pending(run),
            role_arn: Some(role_arn.to_string()),
            ..self.clone()
        }
    }

    /// This context, reading `profile` (`--profile`) as `AWS_PROFILE` would be read; `None`
    /// leaves the environment's choice.
    pub fn with_profile(mut self, profile: Option<String>) -> AwsContext {
        self.profile = profile;
        self
    }

    /// `--profile`, when given (endpoint resolution reads the same profile).
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// Why the run has no credentials, in one sentence that names the profile and the source
    /// it was to give them (never a credential, nor what a credential process printed).
    pub fn no_credentials_sentence(&self, failure: &CredentialsFailure) -> String {
        let env = super::options::WithProfile {
            env: &super::options::ProcessEnv,
            profile: self.profile.as_deref(),
        };
        let profile = super::aws_config::active_profile(&env);
        let source = super::aws_config::credential_source(&env);
        let sentence = no_credentials_sentence(&profile, source, failure);
        match &self.role_arn {
            Some(arn) => format!("the hub role {arn} could not be assumed ({sentence})"),
            None => sentence,
        }
    }

    /// [`AwsContext::new`], with the configuration loaded now.
    pub async fn load(region: &str, run: Deadline) -> AwsContext {
        let context = AwsContext::new(region, run);
        context.sdk_config().await;
        context
    }

    /// The run's configuration (loaded once), its credentials provider the run's cache: the
    /// SDK clients (S3) resolve through it, so the chain is walked once.
    pub async fn sdk_config(&self) -> &SdkConfig {
        self.config
            .get_or_init(|| async {
                // Boxed: the loader's future is large (a test thread's 2 MiB stack
                // overflows with it inline in a debug build).
                let mut loader = aws_config::defaults(BehaviorVersion::latest())
                    .region(Region::new(self.region.clone()));
                if let Some(p) = &self.profile {
                    loader = loader.profile_name(p);
                }
                // STS, SSO and the other credential sources go the way the Query calls go.
                loader =
                    loader.http_client(super::https::SdkHttp::new(self.https(AccessClient::Sdk)));
                let config = Box::pin(loader.load()).await;
                let provider = match &self.role_arn {
                    Some(arn) => Some(SharedCredentialsProvider::new(
                        Box::pin(
                            aws_config::sts::AssumeRoleProvider::builder(arn)
                                .session_name("s3path-hub-read")
                                .configure(&config)
                                .build(),
                        )
                        .await,
                    )),
                    None => config.credentials_provider(),
                };
                self.credentials.set_provider(provider);
                config
                    .into_builder()
                    .credentials_provider(SharedCredentialsProvider::new(self.credentials.clone()))
                    .build()
            })
            .await
    }

    /// The run's configuration without credentials (requests go unsigned, as
    /// `--no-sign-request` sends them).
    pub async fn unsigned_config(&self) -> SdkConfig {
        let mut b = self.sdk_config().await.to_builder();
        b.set_credentials_provider(None);
        b.build()
    }

    /// The run's credentials, resolved once (the first caller starts the resolution; the
    /// others wait for it), waited for at most `limit`. `Err` says why there are none, on one
    /// line, without the credentials' values.
    pub async fn credentials(&self, limit: Duration) -> Result<Credentials, CredentialsFailure> {
        let resolved = async {
            self.sdk_config().await;
            self.credentials.resolve().await
        };
        match tokio::time::timeout(limit, resolved).await {
            Ok(r) => r,
            Err(_) => Err(CredentialsFailure::TimedOut(limit)),
        }
    }

    /// The configuration the run's other SDK clients (Route 53, Resolver) are built from: the
    /// run's region, credentials and endpoint settings (`AWS_ENDPOINT_URL_<SERVICE>` work as
    /// aws-config reads them), one attempt per call, each call bounded by `limit`.
    pub async fn sdk_client_config(&self, limit: Duration) -> SdkConfig {
        let mut b = self.sdk_config().await.to_builder();
        b.set_timeout_config(Some(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(limit.min(self.connect))
                .operation_attempt_timeout(limit)
                .operation_timeout(limit)
                .build(),
        ));
        b.set_retry_config(Some(
            aws_config::retry::RetryConfig::standard().with_max_attempts(1),
        ));
        b.build()
    }

    /// The run's HTTPS client for the Query services (one connection pool, one trust store).
    pub fn query_http(&self) -> QueryHttp {
        self.http
            .get_or_init(|| {
                Client::builder(TokioExecutor::new())
                    .pool_idle_timeout(Duration::from_secs(10))
                    .build(self.https(AccessClient::ControlPlane))
            })
            .clone()
    }

    /// The run's HTTPS connector for `client`: the proxy variables, the trust store.
    pub fn https(&self, client: AccessClient) -> Https {
        let tunnel = Tunnel::new(
            Arc::clone(&self.proxy_vars),
            client,
            self.access.clone(),
            self.connect,
        );
        super::https::https(tunnel, Arc::clone(&self.trust().tls))
    }

    fn trust(&self) -> &Trust {
        self.trust.get_or_init(|| {
            let env = super::options::WithProfile {
                env: &super::options::ProcessEnv,
                profile: self.profile.as_deref(),
            };
            let bundle = super::https::ca_bundle(&env);
            let (roots, error) = super::https::roots(bundle.as_ref());
            Trust {
                tls: Arc::new(super::https::tls_config(roots)),
                bundle,
                error,
            }
        })
    }

    /// The proxy variables the run's own calls read, and the record of their connections.
    pub fn proxy_vars(&self) -> (Arc<Vec<(String, String)>>, AccessLog) {
        (Arc::clone(&self.proxy_vars), self.access.clone())
    }

    /// How the run's own calls reached AWS (`None`: no call was made).
    pub fn access_observed(&self) -> Option<AwsAccess> {
        let bundle = self.trust.get().and_then(|t| {
            t.bundle.clone().map(|mut b| {
                // Only the first line, bounded: the error names the file, never its content.
                b.error = t
                    .error
                    .as_ref()
                    .map(|e| e.lines().next().unwrap_or("").chars().take(200).collect());
                b
            })
        });
        super::https::observed(&self.access, bundle)
    }
}

/// The trust of a run's own HTTPS.
struct Trust {
    tls: Arc<rustls::ClientConfig>,
    bundle: Option<CaBundle>,
    error: Option<String>,
}

/// What the run's AWS answers told about the host clock.
#[derive(Debug, Default)]
struct ClockState {
    /// The latest measurement.
    latest: Option<ClockSkew>,
    /// The correction signing uses once AWS rejected a request for its time (seconds).
    correction: Option<i64>,
    errors: Vec<String>,
}

/// Skew errors kept for the facts.
const MAX_CLOCK_ERRORS: usize = 16;

impl AwsContext {
    fn clock_state(&self) -> std::sync::MutexGuard<'_, ClockState> {
        self.clock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a `Date` read from an answer of `source`: server time minus host time.
    pub fn observe_clock(&self, source: &str, skew_seconds: i64) {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.clock_state().latest = Some(ClockSkew {
            skew_seconds,
            source: source.to_string(),
            measured_at: crate::facts::rfc3339(now),
            errors: vec![],
            corrected: false,
        });
    }

    /// The latest skew measured, in seconds.
    pub fn clock_skew(&self) -> Option<i64> {
        self.clock_state().latest.as_ref().map(|c| c.skew_seconds)
    }

    /// Records a skew error (one line, with its request id).
    pub fn clock_error(&self, text: String) {
        let mut state = self.clock_state();
        if state.errors.len() < MAX_CLOCK_ERRORS {
            state.errors.push(text);
        }
    }

    /// The correction signing uses (seconds added to the host time), once one was needed.
    pub fn clock_correction(&self) -> Option<i64> {
        self.clock_state().correction
    }

    pub fn set_clock_correction(&self, seconds: i64) {
        self.clock_state().correction = Some(seconds);
    }

    /// The clock part of the facts: collected when an answer carried a `Date`.
    pub fn clock_observed(&self) -> Observed<ClockSkew> {
        let state = self.clock_state();
        match &state.latest {
            Some(c) => Observed::collected(ClockSkew {
                errors: state.errors.clone(),
                corrected: state.correction.is_some(),
                ..c.clone()
            }),
            None => Observed::not_collected(
                "no AWS answer carried a Date header (no signed call was answered)",
            ),
        }
    }
}

/// Why the credential chain gave no credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialsFailure {
    /// The configuration has no credentials provider at all.
    NoProvider,
    /// The chain answered with an error (its display chain, one line).
    Chain(String),
    /// No answer within the time the caller had.
    TimedOut(Duration),
}

/// One sentence for a run without credentials: the profile, its source (`source`, from the
/// config file's key names), and the reason in a few plain words. What a credential process
/// wrote is never repeated (it may hold secrets).
pub fn no_credentials_sentence(
    profile: &str,
    source: Option<&str>,
    failure: &CredentialsFailure,
) -> String {
    let why = match failure {
        CredentialsFailure::NoProvider => "the credential chain has no provider".to_string(),
        CredentialsFailure::TimedOut(d) => {
            format!("none came within {} ms", d.as_millis())
        }
        CredentialsFailure::Chain(chain) => {
            if chain.contains("external process exited with code") {
                let status = chain
                    .split("exited with code ")
                    .nth(1)
                    .and_then(|r| r.split(". Stderr").next())
                    .unwrap_or("an error");
                format!("the process failed ({})", status.trim())
            } else if chain.contains("from external process") {
                "the process gave no valid credentials (it could not be run, or did not print the credential JSON)".to_string()
            } else if chain.contains("cached SSO token") {
                format!(
                    "no usable cached SSO token (sign in with: aws sso login --profile {profile})"
                )
            } else if chain.contains("no credentials found in chain")
                || chain.contains("no providers in chain provided credentials")
            {
                "none of the chain's sources (environment, profile, web identity, container, instance metadata) gave any".to_string()
            } else {
                // The first line, short; the SDK's messages name files and settings, not
                // secrets.
                let line = chain.lines().next().unwrap_or("").trim();
                let mut line: String = line.chars().take(200).collect();
                if line.is_empty() {
                    line = "the credential chain failed".to_string();
                }
                line
            }
        }
    };
    match source {
        Some(s) => format!("profile '{profile}' gave no credentials from {s}: {why}"),
        None => format!("no credentials for profile '{profile}': {why}"),
    }
}

/// The credential chain behind a cache of one resolution per run: the first caller starts
/// the resolution as a task of its own (a caller that gives up early does not cancel it for
/// the others); everyone else waits for its result, success or failure. Credentials that
/// expire within five minutes are resolved again (a long fleet run).
#[derive(Clone)]
pub struct RunCredentials {
    /// The chain, once the configuration is loaded.
    provider: Arc<OnceLock<Option<SharedCredentialsProvider>>>,
    run: Deadline,
    state: Arc<Mutex<Option<watch::Receiver<Option<Resolved>>>>>,
}

type Resolved = Result<Credentials, CredentialsFailure>;

impl std::fmt::Debug for RunCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RunCredentials")
    }
}

/// Cached credentials are resolved again when they expire within this.
const REFRESH_BEFORE: Duration = Duration::from_secs(300);

impl RunCredentials {
    pub fn new(provider: Option<SharedCredentialsProvider>, run: Deadline) -> RunCredentials {
        let c = RunCredentials::pending(run);
        c.set_provider(provider);
        c
    }

    /// A cache whose chain is set later ([`RunCredentials::set_provider`]).
    fn pending(run: Deadline) -> RunCredentials {
        RunCredentials {
            provider: Arc::new(OnceLock::new()),
            run,
            state: Arc::new(Mutex::new(None)),
        }
    }

    fn set_provider(&self, provider: Option<SharedCredentialsProvider>) {
        let _ = self.provider.set(provider);
    }

    /// The receiver of the current resolution, starting one when there is none (or the
    /// cached credentials are about to expire).
    fn current(&self) -> watch::Receiver<Option<Resolved>> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let usable = state.as_ref().is_some_and(|rx| match &*rx.borrow() {
            Some(Ok(c)) => c.expiry().is_none_or(|at| {
                at.duration_since(SystemTime::now())
                    .is_ok_and(|left| left > REFRESH_BEFORE)
            }),
            // Running, or failed: a failure is the run's answer too.
            _ => true,
        });
        if let (true, Some(rx)) = (usable, state.as_ref()) {
            return rx.clone();
        }
        let (tx, rx) = watch::channel(None);
        let provider = self.provider.get().cloned().flatten();
        let run = self.run;
        tokio::spawn(async move {
            let resolved = match provider {
                None => Err(CredentialsFailure::NoProvider),
                Some(p) => match run.run_hard(p.provide_credentials()).await {
                    Some(Ok(c)) => Ok(c),
                    Some(Err(e)) => Err(CredentialsFailure::Chain(super::plain::error_chain(&e))),
                    None => Err(CredentialsFailure::TimedOut(run.left())),
                },
            };
            let _ = tx.send(Some(resolved));
        });
        *state = Some(rx.clone());
        rx
    }

    async fn resolve(&self) -> Resolved {
        let mut rx = self.current();
        let resolved = match rx.wait_for(Option::is_some).await {
            Ok(v) => v.clone().unwrap_or(Err(CredentialsFailure::NoProvider)),
            Err(_) => Err(CredentialsFailure::Chain(
                "the credential resolution stopped".to_string(),
            )),
        };
        resolved
    }
}

impl ProvideCredentials for RunCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.resolve().await.map_err(|e| match e {
                CredentialsFailure::NoProvider => CredentialsError::not_loaded_no_source(),
                CredentialsFailure::Chain(why) => CredentialsError::provider_error(why),
                CredentialsFailure::TimedOut(d) => CredentialsError::provider_timed_out(d),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A source that counts its calls and answers after `delay`.
    #[derive(Debug)]
    struct Counting {
        calls: Arc<AtomicU32>,
        delay: Duration,
        expires_in: Option<Duration>,
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            future::ProvideCredentials::new(async move {
                self.calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(self.delay).await;
                Ok(Credentials::new(
                    "AKIDTEST",
                    "test",
                    None,
                    self.expires_in.map(|d| SystemTime::now() + d),
                    "counting",
                ))
            })
        }
    }

    fn run_credentials(
        delay: Duration,
        expires_in: Option<Duration>,
    ) -> (RunCredentials, Arc<AtomicU32>) {
        let calls = Arc::new(AtomicU32::new(0));
        let p = SharedCredentialsProvider::new(Counting {
            calls: Arc::clone(&calls),
            delay,
            expires_in,
        });
        (
            RunCredentials::new(Some(p), Deadline::after(Duration::from_secs(10))),
            calls,
        )
    }

    #[tokio::test]
    async fn concurrent_callers_and_one_that_gives_up_share_one_resolution() {
        let (c, calls) = run_credentials(Duration::from_millis(50), None);
        // The first caller gives up before the answer: the resolution goes on for the others.
        let early = tokio::time::timeout(Duration::from_millis(5), c.resolve()).await;
        assert!(early.is_err());
        let all = futures_join(&c, 8).await;
        assert!(all.iter().all(Result::is_ok));
        assert!(c.provide_credentials().await.is_ok());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn credentials_about_to_expire_are_resolved_again() {
        let (c, calls) = run_credentials(Duration::ZERO, Some(Duration::from_secs(60)));
        assert!(c.resolve().await.is_ok());
        assert!(c.resolve().await.is_ok());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        let (c, calls) = run_credentials(Duration::ZERO, Some(Duration::from_secs(3600)));
        assert!(c.resolve().await.is_ok());
        assert!(c.resolve().await.is_ok());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn no_provider_is_a_typed_failure() {
        let c = RunCredentials::new(None, Deadline::after(Duration::from_secs(1)));
        assert_eq!(
            c.resolve().await.unwrap_err(),
            CredentialsFailure::NoProvider
        );
    }

    #[test]
    fn no_credentials_is_one_sentence_naming_the_profile_and_its_source() {
        let process = CredentialsFailure::Chain(
            "Error retrieving credentials: external process exited with code exit status: 1. Stderr: SECRET\nmore".to_string(),
        );
        let s = no_credentials_sentence("prod", Some("its credential_process"), &process);
        assert_eq!(
            s,
            "profile 'prod' gave no credentials from its credential_process: the process failed (exit status: 1)"
        );
        let parse = CredentialsFailure::Chain(
            "Error retrieving credentials from external process, could not parse response: AKIDSECRET".to_string(),
        );
        let s = no_credentials_sentence("prod", Some("its credential_process"), &parse);
        assert!(!s.contains("SECRET") && s.contains("profile 'prod'"), "{s}");
        let sso = CredentialsFailure::Chain(
            "an error occurred while loading credentials: an error occurred while loading an access token: failed to load the cached SSO token".to_string(),
        );
        assert_eq!(
            no_credentials_sentence("sso", Some("SSO"), &sso),
            "profile 'sso' gave no credentials from SSO: no usable cached SSO token (sign in with: aws sso login --profile sso)"
        );
        let none = CredentialsFailure::Chain("no credentials found in chain".to_string());
        let s = no_credentials_sentence("default", None, &none);
        assert!(
            s.starts_with("no credentials for profile 'default': none of"),
            "{s}"
        );
        assert!(!s.contains('\n'));
    }

    async fn futures_join(c: &RunCredentials, n: usize) -> Vec<Resolved> {
        super::super::dns::join_all((0..n).map(|_| c.resolve())).await
    }
}
