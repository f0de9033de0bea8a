fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cfg = args.get(2).map(std::path::PathBuf::from);
    match builder::build_from_file(std::path::Path::new(&args[1]), cfg.as_deref()) {
        Ok(r) => println!("{r:?}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1)
        }
    }
}
