//! Fuzz target `sweep`: arbitrary bytes as a sweep file, through the pipeline in
//! `tests/fuzz_pipeline/mod.rs`. Any panic (including an overflow check or
//! a non-finite number in the results) is a finding.
#![no_main]

#[path = "../../tests/fuzz_pipeline/mod.rs"]
mod pipeline;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let outcome = pipeline::sweep(text);
        if pipeline::show_outcomes() {
            eprintln!("{outcome:?}");
        }
    }
});
