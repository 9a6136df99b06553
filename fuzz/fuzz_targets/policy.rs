//! A bucket or endpoint policy and an S3 denial message.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = s3path::policy::parse_denial(text);
    if let Ok(p) = s3path::policy::parse(text) {
        let mut cx = s3path::policy::RequestContext::new("s3:GetObject", "app-data");
        cx.key = Some("k".repeat(1024));
        let _ = s3path::policy::evaluate(&p, &cx);
    }
});
