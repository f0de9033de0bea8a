//! A deterministic stand-in for the `cargo fuzz` target: mutates corpus files with a fixed
//! seed and runs the whole front end on each mutant. Nothing may panic.

use std::path::PathBuf;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"(",
    b")",
    b"[",
    b"]",
    b"~",
    b"<->",
    b"<<",
    b"'",
    b"^",
    b"-",
    b"VERBATIM",
    b"COMMENT",
    b"ENDCOMMENT",
    b"\"",
    b":",
    b"\n",
    b"\r",
    b"\xff",
    b"\0",
    b"SOLVE",
    b"FROM",
    b"if",
    b"else",
    b"LOCAL",
    b"NET_RECEIVE",
    b"KINETIC",
    b"UNITS",
    b"=",
    b",",
    b"1e",
    b".",
    b"TABLE",
    b"DEFINE",
    b"INCLUDE",
];

fn mutate(rng: &mut XorShift, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(out.len() + 1);
        match rng.below(5) {
            0 if !out.is_empty() => {
                let end = (at + rng.below(64)).min(out.len());
                out.drain(at.min(end)..end);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, token.iter().copied());
            }
            2 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] = rng.next() as u8;
            }
            3 if !out.is_empty() => {
                let start = rng.below(out.len());
                let end = (start + rng.below(200)).min(out.len());
                let chunk: Vec<u8> = out[start..end].to_vec();
                out.splice(at..at, chunk);
            }
            _ => out.truncate(at),
        }
    }
    out
}

#[test]
fn mutated_corpus_never_panics() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut inputs: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    inputs.sort();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let iterations: usize = std::env::var("NMODL_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    for _ in 0..iterations {
        let base = &inputs[rng.below(inputs.len())];
        let mutant = mutate(&mut rng, base);
        let file = nmodl::SourceFile::from_bytes("mutant.mod", &mutant);
        let (program, diagnostics) = nmodl::parse(&file);
        let (symbols, _) = nmodl::check(&file, &program);
        let _ = nmodl::interface::MechanismInterface::from_symbols(&symbols);
        for d in &diagnostics {
            assert!(d.location.is_some());
        }
    }
}
