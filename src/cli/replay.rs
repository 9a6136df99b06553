//! `s3path replay`: judge a saved facts file offline.

use std::path::PathBuf;

use clap::Args;

use super::output::{output_options, print, OutputArgs};
use crate::input::{self, InputError};
use crate::report;

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// A facts file written by s3path doctor --save-facts (or route --save-facts).
    pub facts: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: ReplayArgs) -> Result<u8, InputError> {
    let (opts, format) = output_options(&args.output)?;
    let facts = input::load_facts(&args.facts)?;
    let report = report::judge(&facts, &opts);
    print(&report, format)?;
    Ok(report.exit_code)
}
