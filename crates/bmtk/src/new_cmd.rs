//! `bmtk new bionet DIR`: scaffolds a model directory (crate `scaffold`) and says what it did.

use anyhow::{anyhow, bail};

use crate::cli::NewArgs;

pub fn run(args: &NewArgs) -> anyhow::Result<()> {
    let iclamp = match &args.iclamp {
        None => None,
        Some(text) => {
            let parts: Vec<f64> = text
                .split(',')
                .map(|p| p.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    anyhow!("--iclamp `{text}`: expected three numbers AMP,DELAY,DURATION")
                })?;
            if parts.len() != 3 {
                bail!("--iclamp `{text}`: expected three numbers AMP,DELAY,DURATION");
            }
            Some(scaffold::IClamp {
                amp: parts[0],
                delay: parts[1],
                duration: parts[2],
                node_set: "all".into(),
            })
        }
    };
    let options = scaffold::NewOptions {
        tstop: args.tstop,
        dt: args.dt,
        dl: args.dl,
        v_init: args.v_init,
        celsius: args.celsius,
        iclamp,
        reports: args.report.clone(),
        overwrite: if args.force {
            scaffold::Overwrite::Force
        } else {
            scaffold::Overwrite::Keep
        },
        ..scaffold::NewOptions::default()
    };
    let outcome = scaffold::create_bionet(&args.dir, &options).map_err(|e| anyhow!("{e}"))?;
    if args.network_example {
        match crate::build_cmd::write_example(&args.dir)? {
            Some(path) => println!(
                "created  {} (build it with `bmtk build {}`)",
                path.display(),
                path.display()
            ),
            None => println!(
                "kept     {} (exists)",
                args.dir.join("network.toml").display()
            ),
        }
    }
    for path in &outcome.written {
        println!("created  {}", path.display());
    }
    for path in &outcome.replaced {
        println!("replaced {}", path.display());
    }
    for path in &outcome.kept {
        println!(
            "kept     {} (exists; use --force to regenerate)",
            path.display()
        );
    }
    if let Some((path, files)) = &outcome.networks_added {
        println!(
            "updated  {} (networks: added {})",
            path.display(),
            files.join(", ")
        );
    }
    println!(
        "Next: copy .mod files into {0}/components/mechanisms/modfiles, HOC templates into \
         {0}/components/hoc_templates, SONATA network files into {0}/network (run `bmtk new bionet {0}` again to list them in \
         circuit_config.json), then `bmtk run {0}/simulation_config.json`.",
        args.dir.display()
    );
    Ok(())
}
