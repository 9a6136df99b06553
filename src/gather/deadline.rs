//! One deadline for a whole run: `--timeout T` means the report is printed by T + 1 s at the
//! latest, with whatever was gathered and the parts that ran out marked as such. Every phase
//! takes its budget from the same deadline (never a fresh `T` of its own), and the few awaits
//! that could outlive it are cut at [`Deadline::hard`].

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::facts::{Failure, Observed};

/// How long after the deadline the last awaits may still finish (rendering and the exit need
/// the rest of the second).
pub const GRACE: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Instant,
}

impl Deadline {
    pub fn after(budget: Duration) -> Deadline {
        Deadline {
            at: Instant::now() + budget,
        }
    }

    /// Time left (zero once past).
    pub fn left(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// Time left, at most `cap`.
    pub fn left_max(&self, cap: Duration) -> Duration {
        self.left().min(cap)
    }

    /// The instant after which nothing is awaited any more.
    pub fn hard(&self) -> Instant {
        self.at + GRACE
    }

    /// Runs `f` until the deadline: `None` when it ran out.
    pub async fn run<F: Future>(&self, f: F) -> Option<F::Output> {
        tokio::time::timeout_at(self.at, f).await.ok()
    }

    /// Runs `f` until the hard deadline: `None` when it ran out.
    pub async fn run_hard<F: Future>(&self, f: F) -> Option<F::Output> {
        tokio::time::timeout_at(self.hard(), f).await.ok()
    }

    /// A failed fact saying that `what` ran out of time.
    pub fn ran_out<T>(&self, what: &str, budget: Duration) -> Observed<T> {
        Observed::failed_with(
            format!(
                "{what}: no complete answer within the --timeout budget ({} ms)",
                budget.as_millis()
            ),
            Failure::TimedOut {
                action: None,
                after_ms: Some(budget.as_millis() as u64),
            },
        )
    }
}

/// A failed fact: `what` got no answer within `ms` milliseconds; `action` is the call that was
/// waited for (for the typed cause and its fix).
pub fn no_answer<T>(what: &str, action: &str, ms: u64) -> Observed<T> {
    Observed::failed_with(
        format!("{what}: no answer within {ms} ms"),
        Failure::TimedOut {
            action: Some(action.to_string()),
            after_ms: Some(ms),
        },
    )
}
