//! Recognising a user `.mod` file that bmtk-rs replaces with its native VecStim.
//!
//! Every BMTK model with spike inputs ships `vecevent.mod`, NEURON's VecStim: an
//! `ARTIFICIAL_CELL VecStim` whose `element()` and `play()` are C code in VERBATIM blocks that
//! reach into a hoc Vector. bmtk-rs cannot run C, but [`crate::VecStimSet`] implements the
//! same behaviour natively, so such a file is accepted and the built-in used in its place.
//! Any other file with C in VERBATIM is still rejected by the NMODL compiler.

use nmodl::ast::{Item, MechanismKind, NeuronStmt};
use nmodl::lexer::{Lexer, TokenKind};
use nmodl::SourceFile;

/// The mechanism name the native implementation provides.
pub const VECSTIM: &str = "VecStim";

/// True when `text` declares `ARTIFICIAL_CELL VecStim` in its NEURON block and holds at least
/// one VERBATIM block: bmtk-rs then uses its built-in VecStim instead of compiling the file.
/// A VecStim written in plain NMODL is compiled as usual.
pub fn is_verbatim_vecstim(text: &str) -> bool {
    declares_artificial_vecstim(text) && has_verbatim(text)
}

fn declares_artificial_vecstim(text: &str) -> bool {
    // Parse errors elsewhere in the file do not matter: only the NEURON block is consulted.
    let (program, _) = nmodl::parse(&SourceFile::new("<vecstim check>", text));
    program.items.iter().any(|item| match item {
        Item::Neuron(stmts, _) => stmts.iter().any(|stmt| {
            matches!(stmt, NeuronStmt::Suffix { kind: MechanismKind::ArtificialCell, name }
                if name.name == VECSTIM)
        }),
        _ => false,
    })
}

/// Looks at tokens rather than the tree so VERBATIM nested in any block is seen, while the
/// word inside comments or strings is not.
fn has_verbatim(text: &str) -> bool {
    let mut lexer = Lexer::new(text);
    loop {
        match lexer.next_token().kind {
            TokenKind::Verbatim => return true,
            TokenKind::Eof => return false,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_both_the_artificial_vecstim_and_verbatim() {
        let verbatim = "VERBATIM\nextern double* vector_vec();\nENDVERBATIM\n";
        let vecstim = "NEURON { ARTIFICIAL_CELL VecStim }\n";
        assert!(is_verbatim_vecstim(&format!("{vecstim}{verbatim}")));
        assert!(is_verbatim_vecstim(&format!(
            "{vecstim}PROCEDURE f() {{\n{verbatim}}}\n"
        )));
        assert!(!is_verbatim_vecstim(vecstim));
        assert!(!is_verbatim_vecstim(&format!(
            "{vecstim}COMMENT\nVERBATIM\nENDCOMMENT\n"
        )));
        assert!(!is_verbatim_vecstim(&format!(
            "NEURON {{ ARTIFICIAL_CELL VecStim2 }}\n{verbatim}"
        )));
        assert!(!is_verbatim_vecstim(&format!(
            "NEURON {{ POINT_PROCESS VecStim }}\n{verbatim}"
        )));
        assert!(!is_verbatim_vecstim(&format!(
            "COMMENT\n{vecstim}ENDCOMMENT\nNEURON {{ SUFFIX x }}\n{verbatim}"
        )));
    }
}
