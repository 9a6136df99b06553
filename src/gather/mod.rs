//! The gathering layer: the only code that reads the environment, files or the network. It
//! fills a [`Facts`] value; every part says whether it was collected, and if not, why.

mod env;

use std::time::Duration;

use crate::facts::{Facts, Observed, Request};

pub use env::{client_settings, redact_url};

/// What `doctor` asks the gatherers for.
#[derive(Debug, Clone)]
pub struct GatherOptions {
    /// `--region`; when absent, the environment (`AWS_REGION`, `AWS_DEFAULT_REGION`) or the
    /// vantage decides.
    pub region: Option<String>,
    pub buckets: Vec<String>,
    /// Overall budget for the whole gather.
    pub timeout: Duration,
}

/// A source of environment variables (the process environment in production, a map in tests).
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

const NOT_BUILT: &str = "this version of s3path has no gatherer for it yet";

/// Gathers everything this build knows how to gather.
pub fn gather(opts: &GatherOptions, env: &dyn Env) -> Facts {
    let region = opts.region.clone().or_else(|| {
        ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .find_map(|v| env.var(v).filter(|s| crate::validate::region(s).is_ok()))
    });
    let mut facts = Facts::empty(
        Request {
            region,
            buckets: opts.buckets.clone(),
        },
        NOT_BUILT,
    );
    facts.client_settings = Observed::collected(client_settings(env));
    facts
}
