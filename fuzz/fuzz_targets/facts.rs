//! A facts file: refused with one line, or judged and rendered in every format.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(facts) = s3path::input::parse_facts(text, "fuzz.json") {
        let report = s3path::report::judge(&facts, &Default::default());
        for format in [
            s3path::render::Format::Human,
            s3path::render::Format::Json,
            s3path::render::Format::Markdown,
        ] {
            let out = s3path::render::render(&report, format);
            assert!(out.len() < 64 * text.len() + 200_000);
        }
    }
});
