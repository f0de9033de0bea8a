//! Builds one network file from the command line, like `bmtk build FILE [CONFIG]`:
//! `cargo run -p builder --example build_file -- NETWORK_FILE [CIRCUIT_CONFIG]`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 2 {
        eprintln!("usage: build_file NETWORK_FILE [CIRCUIT_CONFIG]");
        std::process::exit(2);
    }
    let cfg = args.get(2).map(std::path::PathBuf::from);
    match builder::build_from_file(std::path::Path::new(&args[1]), cfg.as_deref()) {
        Ok(r) => println!("{r:?}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1)
        }
    }
}
