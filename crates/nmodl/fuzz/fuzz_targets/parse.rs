//! Fuzz target: parse and check arbitrary bytes; must never panic, hang or overflow the stack.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = nmodl::SourceFile::from_bytes("fuzz.mod", data);
    let (program, diagnostics) = nmodl::parse(&file);
    let (symbols, _) = nmodl::check(&file, &program);
    let _ = nmodl::interface::MechanismInterface::from_symbols(&symbols);
    for d in &diagnostics {
        let _ = d.to_string();
    }
});
