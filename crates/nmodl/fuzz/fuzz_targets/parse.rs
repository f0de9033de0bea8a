//! Fuzz target: parse, check and (when the front end accepts the text) lower, verify and dump
//! arbitrary bytes; none of it may panic, hang or overflow the stack.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = nmodl::SourceFile::from_bytes("fuzz.mod", data);
    let (program, diagnostics) = nmodl::parse(&file);
    let (symbols, check_diagnostics) = nmodl::check(&file, &program);
    let _ = nmodl::interface::MechanismInterface::from_symbols(&symbols);
    for d in diagnostics.iter().chain(&check_diagnostics) {
        let _ = d.to_string();
    }
    let parsed_cleanly = !diagnostics.iter().chain(&check_diagnostics).any(|d| d.is_error());
    if parsed_cleanly {
        if let Ok(mechanism) = nmodl::lower(&program) {
            let _ = nmodl::verify::verify(&mechanism);
            let _ = nmodl::dump::dump(&mechanism);
        }
    }
});
