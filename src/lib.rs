//! s3path: how does traffic from here reach Amazon S3, and why?
//!
//! The walk is one-way: [`gather`] (all I/O) → [`facts::Facts`] → [`engine`] and [`checks`]
//! (pure) → [`report::Report`] → [`render`].

pub mod checks;
pub mod cli;
pub mod engine;
pub mod facts;
pub mod fleet;
pub mod gather;
pub mod input;
pub mod merge;
pub mod names;
pub mod partitions;
pub mod policy;
pub mod proxy;
pub mod redact;
pub mod render;
pub mod report;
pub mod url;
pub mod validate;
