//! What a long gathering tells as it goes — audit: regions done and each region's phase;
//! fleet: instances answered out of the command's total. Gathering only calls these; the CLI
//! draws them (on a terminal only).

/// A receiver of progress. Every method does nothing by default.
pub trait Progress: Sync {
    /// The number of steps is known (regions, instances).
    fn set_total(&self, _total: u64) {}
    /// Steps done so far.
    fn set_done(&self, _done: u64) {}
    /// One more step done.
    fn step(&self) {}
    /// What is being done now (short, one line).
    fn phase(&self, _what: &str) {}
}

/// No progress shown.
pub struct Silent;

impl Progress for Silent {}
