//! Spike trains of a `spikes` input, grouped by population and node id, and the population
//! lookup BMTK's spike readers apply.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{anyhow, bail};
use sonata::config::{SpikesInput, SpikesInputFormat};

/// The spike trains of one input file, by population then node id.
pub(super) struct Trains {
    file: PathBuf,
    populations: Vec<(String, HashMap<u64, Vec<f64>>)>,
}

impl Trains {
    /// The trains for virtual population `name`: that population's spikes, or (as BMTK's
    /// readers do when asked without a population) the file's only population.
    pub(super) fn for_population(&self, name: &str) -> anyhow::Result<HashMap<u64, Vec<f64>>> {
        if let Some((_, trains)) = self.populations.iter().find(|(p, _)| p == name) {
            return Ok(trains.clone());
        }
        match self.populations.as_slice() {
            [] => Ok(HashMap::new()),
            [(_, only)] => Ok(only.clone()),
            _ => bail!(
                "{}: no spikes for population `{name}` among the file's populations ({})",
                self.file.display(),
                self.populations
                    .iter()
                    .map(|(p, _)| p.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

pub(super) fn read_trains(input: &SpikesInput) -> anyhow::Result<Trains> {
    let path = &input.input_file;
    let read = match input.format {
        SpikesInputFormat::Sonata => sonata::spikes::read_spikes_h5(path),
        SpikesInputFormat::Csv => sonata::spikes::read_spikes_csv(path),
        SpikesInputFormat::Nwb => bail!("{}: NWB spike inputs are not supported", path.display()),
    };
    let populations = read.map_err(|e| anyhow!("{e}"))?;
    let mut out: Vec<(String, HashMap<u64, Vec<f64>>)> = Vec::new();
    for spikes in populations {
        let position = match out.iter().position(|(p, _)| *p == spikes.population) {
            Some(i) => i,
            None => {
                out.push((spikes.population.clone(), HashMap::new()));
                out.len() - 1
            }
        };
        let trains = &mut out[position].1;
        for (&t, &id) in spikes.timestamps.iter().zip(&spikes.node_ids) {
            trains.entry(id).or_default().push(t);
        }
    }
    Ok(Trains {
        file: path.clone(),
        populations: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trains(populations: &[(&str, &[(u64, f64)])]) -> Trains {
        Trains {
            file: PathBuf::from("in.h5"),
            populations: populations
                .iter()
                .map(|(name, spikes)| {
                    let mut map: HashMap<u64, Vec<f64>> = HashMap::new();
                    for &(id, t) in *spikes {
                        map.entry(id).or_default().push(t);
                    }
                    (name.to_string(), map)
                })
                .collect(),
        }
    }

    #[test]
    fn trains_follow_bmtk_population_lookup() {
        let one = trains(&[("other", &[(0, 5.0), (0, 1.0)])]);
        // BMTK asks without a population: a file's only population feeds any virtual one.
        assert_eq!(one.for_population("lgn").unwrap()[&0], vec![5.0, 1.0]);
        let two = trains(&[("lgn", &[(1, 2.0)]), ("tw", &[(1, 3.0)])]);
        assert_eq!(two.for_population("tw").unwrap()[&1], vec![3.0]);
        let err = two.for_population("bkg").unwrap_err().to_string();
        assert!(
            err.contains("in.h5") && err.contains("bkg") && err.contains("lgn, tw"),
            "{err}"
        );
        assert!(trains(&[]).for_population("lgn").unwrap().is_empty());
    }
}
