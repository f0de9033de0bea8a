//! Wiring of spike detectors and NetCons, and resolution of probes to storage.

use std::collections::HashMap;

use nmodl::ir::Kind;

use crate::events::Wiring;
use crate::network::PartWiring;
use crate::partition::{Detector, InstanceIndex, Partition};
use crate::probes::Resolved;
use crate::setup::Plan;
use crate::{Discretization, Error, Probe, ProbeLocation, SimulationBuilder, SpikeSource, Target};

/// NetCon wiring, detectors and the NetCons' weight vectors.
pub(crate) type Wired = (Wiring, Vec<Detector>, Vec<Vec<f64>>);

impl SimulationBuilder<'_> {
    /// Builds a partition's NetCon wiring: its detectors, artificial cells and the point
    /// processes that NetCons name are spike sources (reported even without NetCons); its
    /// NetCons are those targeting it, immediate ones fanned out from their local source.
    pub(crate) fn wire(
        &self,
        disc: &Discretization,
        index: &InstanceIndex,
        plans: &[Plan],
        pw: &PartWiring,
    ) -> Result<Wired, Error> {
        let mut wiring = Wiring::default();
        let mut local: HashMap<SpikeSource, u32> = HashMap::new();
        let mut add_source = |w: &mut Wiring, s: SpikeSource, gid: u32| -> u32 {
            *local.entry(s).or_insert_with(|| {
                w.sources.push(gid);
                w.fanout.push(Vec::new());
                (w.sources.len() - 1) as u32
            })
        };
        let mut detectors = Vec::with_capacity(self.detectors.len());
        for (i, d) in self.detectors.iter().enumerate() {
            let node = disc.node_at(d.cell, d.section, d.x)?;
            let source = add_source(&mut wiring, SpikeSource::Detector(i), pw.detector_gid[i]);
            detectors.push(Detector {
                node,
                threshold: d.threshold,
                source,
                above: false,
            });
        }
        for (i, &(set, inst)) in index.artificial.iter().enumerate() {
            let src = add_source(
                &mut wiring,
                SpikeSource::Artificial(i),
                pw.artificial_gid[i],
            );
            wiring.source_of_instance.insert((set, inst), src);
        }
        for &((cell, pi), gid) in &pw.point_gid {
            let &(set, inst) = index.point.get(&(cell, pi)).ok_or(Error::NoSuchObject {
                what: "point process",
                index: pi,
            })?;
            let src = add_source(
                &mut wiring,
                SpikeSource::PointProcess { cell, index: pi },
                gid,
            );
            wiring.source_of_instance.insert((set, inst), src);
        }
        let mut weights = Vec::with_capacity(self.netcons.len());
        for (nc, spec) in self.netcons.iter().enumerate() {
            if pw.immediate[nc] {
                let src = pw.local_source[nc]
                    .and_then(|s| local.get(&s).copied())
                    .ok_or(Error::NoSuchObject {
                        what: "local source of an immediate NetCon",
                        index: nc,
                    })?;
                wiring.fanout[src as usize].push(nc as u32);
            }
            let target = match spec.target {
                None => None,
                Some(Target::PointProcess { cell, index: pi }) => {
                    Some(*index.point.get(&(cell, pi)).ok_or(Error::NoSuchObject {
                        what: "point process",
                        index: pi,
                    })?)
                }
                Some(Target::Artificial(i)) => {
                    Some(*index.artificial.get(i).ok_or(Error::NoSuchObject {
                        what: "artificial cell",
                        index: i,
                    })?)
                }
            };
            if let Some((set, _)) = target {
                let plan = &plans[set as usize];
                if plan.mech.net_receive.is_none() {
                    return Err(Error::NotAReceiver(plan.name.clone()));
                }
            }
            wiring.target.push(target);
            wiring.delay.push(spec.delay);
            weights.push(if spec.weights.is_empty() {
                vec![0.0]
            } else {
                spec.weights.clone()
            });
        }
        Ok((wiring, detectors, weights))
    }
}

impl Partition {
    /// Resolves one probe to its storage.
    pub(crate) fn resolve(&self, probe: &Probe) -> Result<Resolved, Error> {
        let name = probe.variable.as_str();
        let unknown = |place: String| Error::UnknownVariable {
            name: name.to_string(),
            place,
        };
        let (set, instance) = match probe.location {
            ProbeLocation::Segment { cell, section, x } => {
                let node = self.sh.disc.node_at(cell, section, x)?;
                let place = format!("cell {cell} section {section} at x = {x}");
                match name {
                    "v" => return Ok(Resolved::Voltage(node)),
                    "diam" => return Ok(Resolved::Diam(node)),
                    "area" => return Ok(Resolved::Area(node)),
                    "cm" => return Ok(Resolved::Cm(node)),
                    _ => {}
                }
                let ion_names: std::collections::BTreeSet<String> =
                    self.sh.ions.ions.iter().map(|a| a.name.clone()).collect();
                if let Some((ion, var)) = mech::ions::split_ion_variable(name, &ion_names) {
                    let i = self
                        .sh
                        .ions
                        .ions
                        .iter()
                        .position(|a| a.name == ion)
                        .expect("listed");
                    let pos = self.sh.ions.ions[i]
                        .nodes
                        .binary_search(&node)
                        .map_err(|_| unknown(place))?;
                    return Ok(Resolved::Ion {
                        ion: i as u32,
                        var,
                        index: pos as u32,
                    });
                }
                // `<field>_<mechanism>` of a density mechanism at this node.
                for (si, mech_name) in self.instances.names.iter().enumerate() {
                    let Some(field) = name
                        .strip_suffix(mech_name.as_str())
                        .and_then(|f| f.strip_suffix('_'))
                    else {
                        continue;
                    };
                    if self.sets[si].mechanism().kind != Kind::Density {
                        continue;
                    }
                    if let Some(&k) = self.instances.density.get(&(si as u32, node)) {
                        if self.sets[si].field_values(field).is_some() {
                            return Ok(Resolved::Field {
                                set: si as u32,
                                field: field.to_string(),
                                index: k,
                            });
                        }
                        if self.sets[si].global(field).is_some() {
                            return Ok(Resolved::Global {
                                set: si as u32,
                                name: field.to_string(),
                            });
                        }
                    }
                }
                return Err(unknown(place));
            }
            ProbeLocation::PointProcess { cell, index } => *self
                .instances
                .point
                .get(&(cell, index))
                .ok_or(Error::NoSuchObject {
                    what: "point process",
                    index,
                })?,
            ProbeLocation::Artificial(i) => {
                *self
                    .instances
                    .artificial
                    .get(i)
                    .ok_or(Error::NoSuchObject {
                        what: "artificial cell",
                        index: i,
                    })?
            }
        };
        if self.sets[set as usize].field_values(name).is_none() {
            return Err(unknown(format!("`{}`", self.instances.names[set as usize])));
        }
        Ok(Resolved::Field {
            set,
            field: name.to_string(),
            index: instance,
        })
    }
}
