//! How every command prints: the output arguments (`--format`, `--expect`, `--fail-on`,
//! `--preview`), the terminal style, and the one format dispatch ([`print`]).

use std::io::{self, Write};

use clap::{Args, ValueEnum};

use crate::engine::PathKind;
use crate::input::InputError;
use crate::render::{self, Format, HumanOptions, Render};
use crate::report::{FailOn, JudgeOptions, PreviewMode};

/// The formats of outputs that have no Markdown or compact form (`checks`, `names`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChecksFormat {
    Human,
    Json,
}

impl From<ChecksFormat> for Format {
    fn from(f: ChecksFormat) -> Format {
        match f {
            ChecksFormat::Human => Format::Human,
            ChecksFormat::Json => Format::Json,
        }
    }
}

#[derive(Args, Debug)]
pub struct OutputArgs {
    /// Path kinds that are acceptable (comma-separated or repeated), e.g. gateway-endpoint;
    /// s3path explain kinds lists them. Exit 1 when a confirmed or inferred verdict is another
    /// kind, 3 when the verdict cannot decide it (unknown, or only probable).
    #[arg(
        long,
        value_enum,
        value_name = "KIND[,KIND...]",
        value_delimiter = ',',
        hide_possible_values = true
    )]
    pub expect: Vec<PathKind>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Lowest finding severity that makes the exit code 1.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Also run preview checks (new; their wording or conditions may change): --preview
    /// shows their findings without changing the exit code, --preview=gate lets them count.
    #[arg(
        long,
        value_enum,
        value_name = "MODE",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "show",
        default_value_t = PreviewMode::Off
    )]
    pub preview: PreviewMode,
}

pub fn output_options(o: &OutputArgs) -> Result<(JudgeOptions, Format), InputError> {
    let mut expect = Vec::new();
    for k in &o.expect {
        if !expect.contains(k) {
            expect.push(*k);
        }
    }
    Ok((
        JudgeOptions {
            expect,
            fail_on: o.fail_on,
            preview: o.preview,
        },
        o.format,
    ))
}

thread_local! {
    static STYLE: std::cell::Cell<HumanOptions> = const { std::cell::Cell::new(HumanOptions { styled: false, verbose: false, width: render::PIPE_WIDTH }) };
}

/// Colour, symbols and verbosity, as `main` decided them.
pub fn set_human_options(o: HumanOptions) {
    STYLE.with(|s| s.set(o));
}

pub fn human_options() -> HumanOptions {
    STYLE.with(|s| s.get())
}

/// Prints `output` in `format`: every command's output goes through here.
pub fn print(output: &impl Render, format: impl Into<Format>) -> Result<(), InputError> {
    emit(&render::to_text(output, format.into(), &human_options()))
}

/// Writes to stdout; a closed pipe (`s3path … | head`) is not an error.
pub fn emit(text: &str) -> Result<(), InputError> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(InputError(format!("cannot write to standard output: {e}"))),
    }
}

/// The number of columns of the terminal on stdout, if it is one (`COLUMNS` first).
pub fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    if let Some(c) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c >= 20)
    {
        return Some(c);
    }
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one `winsize` into the struct it is given.
    let rc = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) };
    (rc == 0 && size.ws_col >= 20).then_some(usize::from(size.ws_col))
}
