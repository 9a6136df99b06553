//! [`Observed`]: collected, not collected (why) or failed (typed cause); and the one
//! declaration of a struct's parts (`observed_parts!`).

use serde::{Deserialize, Serialize};

/// One part of the facts: collected, not collected (why), or failed (error).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Observed<T> {
    Collected {
        value: T,
    },
    NotCollected {
        reason: String,
    },
    Failed {
        error: String,
        /// What kind of failure it was, typed (a denied action, a timeout, no credentials…),
        /// so checks never read prose. Absent in files written before it existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<Failure>,
    },
}

/// Why a part could not be gathered, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Failure {
    /// The caller is not allowed to call `action` (`ec2:DescribeRouteTables`).
    Denied { action: String },
    /// No answer within the budget.
    TimedOut {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after_ms: Option<u64>,
    },
    /// The credential chain yielded no credentials.
    NoCredentials,
    /// The API endpoint could not be reached (name resolution, connection).
    Unreachable {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action: Option<String>,
    },
    /// The resource asked about does not exist.
    NotFound,
    /// Anything else (the error text says what).
    Other,
}

impl Failure {
    /// One plain phrase ("timed out", "denied (ec2:DescribeRouteTables)").
    pub fn phrase(&self) -> String {
        match self {
            Failure::Denied { action } => format!("denied ({action})"),
            Failure::TimedOut { after_ms, .. } => match after_ms {
                Some(ms) => format!("timed out after {ms} ms"),
                None => "timed out".to_string(),
            },
            Failure::NoCredentials => "no credentials".to_string(),
            Failure::Unreachable { .. } => "the API could not be reached".to_string(),
            Failure::NotFound => "not found".to_string(),
            Failure::Other => "failed".to_string(),
        }
    }
}

impl<T> Observed<T> {
    pub fn collected(value: T) -> Self {
        Observed::Collected { value }
    }

    pub fn not_collected(reason: impl Into<String>) -> Self {
        Observed::NotCollected {
            reason: reason.into(),
        }
    }

    pub fn failed(error: impl Into<String>) -> Self {
        Observed::Failed {
            error: error.into(),
            cause: None,
        }
    }

    /// A failure with its typed cause.
    pub fn failed_with(error: impl Into<String>, cause: Failure) -> Self {
        Observed::Failed {
            error: error.into(),
            cause: Some(cause),
        }
    }

    /// The typed cause of a failure, when recorded.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Observed::Failed { cause, .. } => cause.as_ref(),
            _ => None,
        }
    }

    /// The same status for another type (the value is dropped).
    /// The same status, with `f` applied to a collected value.
    pub fn map_ref<U>(&self, f: impl FnOnce(&T) -> U) -> Observed<U> {
        match self {
            Observed::Collected { value } => Observed::collected(f(value)),
            other => other.status_only(),
        }
    }

    /// The status alone: collected (with `()`), not collected (why) or failed (error).
    pub fn status(&self) -> Observed<()> {
        match self {
            Observed::Collected { .. } => Observed::collected(()),
            other => other.status_only(),
        }
    }

    pub fn status_only<U>(&self) -> Observed<U> {
        match self {
            Observed::Collected { .. } => Observed::not_collected("collected elsewhere"),
            Observed::NotCollected { reason } => Observed::not_collected(reason.clone()),
            Observed::Failed { error, cause } => Observed::Failed {
                error: error.clone(),
                cause: cause.clone(),
            },
        }
    }

    /// The value, when it was collected.
    pub fn get(&self) -> Option<&T> {
        match self {
            Observed::Collected { value } => Some(value),
            _ => None,
        }
    }

    /// Why the value is missing ("not collected: …" / "failed: …"), or `None` when collected.
    pub fn missing_reason(&self) -> Option<String> {
        match self {
            Observed::Collected { .. } => None,
            Observed::NotCollected { reason } => Some(format!("not collected: {reason}")),
            Observed::Failed { error, .. } => Some(format!("failed: {error}")),
        }
    }
}

impl<T> Default for Observed<T> {
    fn default() -> Self {
        Observed::not_collected("no gatherer produced this part")
    }
}

/// Declares which fields of a struct are its [`Observed`] parts, once: the part enum
/// (`ALL`, `name()`, `label()`), the struct's `status(part)` / `set_status(part, …)`, and its
/// `Default` (every part "no gatherer produced this part", the other fields as given) — a struct
/// literal, so a field that is neither a part nor listed among the others does not compile, and
/// no list of parts is ever written out by hand elsewhere.
macro_rules! observed_parts {
    (
        $strukt:ident, $(#[$pmeta:meta])* $part:ident, handles: $handles:ident,
        others: [$($other:ident = $init:expr),* $(,)?],
        parts: [$($variant:ident => $field:ident: $ty:ty, $label:literal;)*]
    ) => {
        $(#[$pmeta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $part {
            $($variant,)*
        }

        impl $part {
            /// Every part, in the order of the struct's fields.
            pub const ALL: &'static [$part] = &[$($part::$variant,)*];

            /// The field's name (`route_tables`), as in facts files and reports.
            pub fn name(self) -> &'static str {
                match self {
                    $($part::$variant => stringify!($field),)*
                }
            }

            /// How the part is named in prose ("route tables").
            pub fn label(self) -> &'static str {
                match self {
                    $($part::$variant => $label,)*
                }
            }
        }

        impl std::fmt::Display for $part {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.name())
            }
        }

        impl $strukt {
            /// The status of `part`, without its value.
            pub fn status(&self, part: $part) -> $crate::facts::observed::Observed<()> {
                match part {
                    $($part::$variant => self.$field.status(),)*
                }
            }

            /// Gives `part` the status `status` (its value, if any, is dropped).
            pub fn set_status(&mut self, part: $part, status: &$crate::facts::observed::Observed<()>) {
                match part {
                    $($part::$variant => self.$field = status.status_only(),)*
                }
            }

        }

        /// Typed handles on each part ([`PartOf`](crate::facts::observed::PartOf)): `need(parts::RouteTables)`
        /// gives the value with its type, or says which part is missing and why.
        pub mod $handles {
            $(
                #[derive(Debug, Clone, Copy)]
                pub struct $variant;
            )*
        }

        $(
            impl $crate::facts::observed::PartOf<$strukt> for $handles::$variant {
                type Value = $ty;
                type Part = $part;
                const PART: $part = $part::$variant;
                fn of(s: &$strukt) -> &$crate::facts::observed::Observed<$ty> {
                    &s.$field
                }
            }
        )*

        impl Default for $strukt {
            fn default() -> Self {
                $strukt {
                    $($other: $init,)*
                    $($field: $crate::facts::observed::Observed::default(),)*
                }
            }
        }
    };
}
pub(crate) use observed_parts;

/// A typed handle on one part of `S` (generated by `observed_parts!`): which part it is and
/// where its value lives.
pub trait PartOf<S> {
    type Value;
    type Part: Copy;
    const PART: Self::Part;
    fn of(s: &S) -> &Observed<Self::Value>;
}
