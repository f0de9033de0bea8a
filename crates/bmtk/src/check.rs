//! `bmtk check`: compile `.mod` files and instantiate `.hoc` templates, printing what a user
//! needs to know (mechanism interfaces, section trees) or every diagnostic.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};

/// Checks every file; returns the number of files with errors.
pub fn run(files: &[PathBuf], extra_mechanisms: &[PathBuf]) -> anyhow::Result<usize> {
    let mut failures = 0;
    let (mods, hocs): (Vec<&PathBuf>, Vec<&PathBuf>) = files
        .iter()
        .partition(|p| p.extension().is_some_and(|e| e == "mod"));
    for file in &hocs {
        if file.extension().is_none_or(|e| e != "hoc") {
            bail!("{}: expected a .mod or .hoc file", file.display());
        }
    }
    for file in &mods {
        if !check_mod(file) {
            failures += 1;
        }
    }
    if !hocs.is_empty() {
        let catalogue = catalogue_for(&mods, extra_mechanisms, &hocs)?;
        for file in &hocs {
            if !check_hoc(file, &catalogue) {
                failures += 1;
            }
        }
    }
    Ok(failures)
}

/// Prints the interface of one `.mod` file, or its diagnostics. Returns true when it compiles.
fn check_mod(path: &Path) -> bool {
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{name}: cannot read: {e}");
            return false;
        }
    };
    if mech::is_verbatim_vecstim(&String::from_utf8_lossy(&bytes)) {
        // `bmtk run` swaps such a file (BMTK's vecevent.mod) for the native VecStim.
        eprintln!(
            "{name}: warning: the C code (VERBATIM) of this VecStim is not run; bmtk-rs's built-in VecStim replaces it"
        );
        println!("{name}: ARTIFICIAL_CELL VecStim (bmtk-rs built-in)");
        return true;
    }
    match nmodl::parse_and_check(&name, &bytes) {
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            false
        }
        Ok(checked) => {
            print_diagnostics(&checked.warnings);
            if let Err(diagnostics) = nmodl::lower(&checked.program) {
                let located: Vec<_> = diagnostics
                    .into_iter()
                    .map(|d| d.locate(&checked.file))
                    .collect();
                print_diagnostics(&located);
                return false;
            }
            match nmodl::interface::MechanismInterface::from_checked(&checked) {
                Some(interface) => println!("{name}\n{interface}"),
                None => println!("{name}: (no mechanism declared)"),
            }
            true
        }
    }
}

fn print_diagnostics(diagnostics: &[nmodl::Diagnostic]) {
    for d in diagnostics {
        eprintln!("{d}");
    }
}

/// The built-in catalogue plus the `.mod` files named on the command line, those given with
/// `--mechanisms`, and — when neither names any — the `mechanisms/modfiles` folder next to the
/// templates' folder (BMTK's usual layout).
fn catalogue_for(
    mods: &[&PathBuf],
    extra: &[PathBuf],
    hocs: &[&PathBuf],
) -> anyhow::Result<mech::Catalogue> {
    let mut catalogue = mech::Catalogue::new();
    let mut sources: Vec<PathBuf> = mods.iter().map(|p| p.to_path_buf()).collect();
    for path in extra {
        if path.is_dir() {
            sources.extend(crate::run::mod_files_under(path)?);
        } else {
            sources.push(path.clone());
        }
    }
    if sources.is_empty() {
        for hoc in hocs {
            let guess = hoc
                .parent()
                .and_then(Path::parent)
                .map(|p| p.join("mechanisms"));
            if let Some(dir) = guess.filter(|d| d.is_dir()) {
                sources.extend(crate::run::mod_files_under(&dir)?);
            }
        }
    }
    sources.sort();
    sources.dedup();
    for path in sources {
        catalogue.add_user_file(&path).with_context(|| {
            format!(
                "compiling mechanisms for the templates ({})",
                path.display()
            )
        })?;
        // Files named on the command line had their warnings printed by `check_mod`.
        let warnings = catalogue.take_warnings();
        if !mods.iter().any(|m| **m == path) {
            for warning in warnings {
                eprintln!("warning: {warning} ({})", path.display());
            }
        }
    }
    Ok(catalogue)
}

/// Loads a `.hoc` file and instantiates every template it defines.
fn check_hoc(path: &Path, catalogue: &mech::Catalogue) -> bool {
    let mut interp = hoc::Interpreter::new(catalogue);
    if let Err(e) = interp.load_file(path) {
        eprintln!("{e}");
        return false;
    }
    let templates = interp.template_names();
    if templates.is_empty() {
        println!("{}: no templates defined", path.display());
    }
    let mut ok = true;
    for name in templates {
        match interp.new_object(&name, &[]) {
            Ok(object) => {
                println!("{}: template {name}", path.display());
                for (member, value) in interp.public_scalars(&object) {
                    println!("public {member} = {value}");
                }
                let cell = interp.cell(&object);
                print!("{}", hoc::describe(&cell));
                interp.release(object);
            }
            Err(e) => {
                eprintln!("{e}");
                ok = false;
            }
        }
    }
    ok
}

/// `bmtk mod dump FILE.mod`: prints the lowered IR, or the diagnostics.
pub fn dump(path: &Path) -> anyhow::Result<std::process::ExitCode> {
    let name = path.display().to_string();
    let text = std::fs::read(path).with_context(|| format!("{name}: cannot read"))?;
    match nmodl::compile(&name, &String::from_utf8_lossy(&text)) {
        Ok(mechanism) => {
            print!("{}", nmodl::dump::dump(&mechanism));
            Ok(std::process::ExitCode::SUCCESS)
        }
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            Ok(std::process::ExitCode::FAILURE)
        }
    }
}
