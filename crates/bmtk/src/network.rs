//! Edges and spike inputs → synapses and NetCons, built in BMTK 1.2.0's order (see
//! [`bionet::build_order`]): recurrent edge populations first (targets in node-row order, each
//! target's edges in edge-row order), then the `spikes` inputs in config order, which attach
//! VecStim sources through the edge populations leaving their virtual populations. Each target
//! cell draws its random synapse positions from its own `RandomState(gid)`, created once and
//! shared by every edge population and input that reaches it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _};
use bionet::{
    parse_distance_range, parse_target_sections, place_explicit, synapse_model, synaptic_weight,
    target_rng, Candidates, GidPool, PlacementMode, RandomState, SegmentTable, SynapseModel,
    SynapseSite, WeightInputs,
};
use engine::{ArtificialCellSpec, NetConSpec, SpikeSource, Target};
use model::PointProcess;
use serde_json::{Map, Value};
use sonata::config::{SimulationConfig, SpikesInput};
use sonata::edges::EdgePopulation;
use sonata::network::Network;
use sonata::nodes::NodePopulation;

use crate::cells::CellEntry;

mod checks;
mod spike_trains;

use checks::{check_edge_population, population_kind, Kind};
use spike_trains::read_trains;

/// A virtual node turned into a VecStim.
pub struct VirtualCell {
    pub population: String,
    /// Node id in `population` (kept for reports and messages).
    #[allow(dead_code)]
    pub node_id: u64,
    /// Sorted spike times (ms).
    pub times: Vec<f64>,
}

/// Everything the network adds besides the synapses (which go onto the cells).
#[derive(Default)]
pub struct NetworkWiring {
    /// VecStims, in creation order (index = [`SpikeSource::Artificial`]).
    pub virtual_cells: Vec<VirtualCell>,
    /// NetCons in creation order. Biophysical sources are `SpikeSource::Detector(cell index)`:
    /// the caller must add one detector per cell, in cell order.
    pub netcons: Vec<NetConSpec>,
    pub warnings: Vec<String>,
    pub synapses: usize,
}

impl NetworkWiring {
    /// Adds the VecStims and NetCons to `builder` (after the cells and their detectors).
    pub fn add_to(&self, builder: &mut engine::SimulationBuilder) {
        for cell in &self.virtual_cells {
            let index = builder.artificial_cell(ArtificialCellSpec {
                mechanism: "VecStim".into(),
                values: Default::default(),
            });
            builder.artificial_event_times(index, cell.times.clone());
        }
        for nc in &self.netcons {
            builder.netcon(nc.clone());
        }
    }
}

/// A synapse model prepared for one (`model_template`, `dynamics_params`) pair.
struct PreparedModel {
    model: SynapseModel,
    /// Length of the NetCon weight vector: 1 + NET_RECEIVE's extra arguments.
    weight_slots: usize,
}

/// Builds the network's synapses and NetCons onto already built cells.
pub struct NetworkBuilder<'a> {
    config: &'a SimulationConfig,
    network: &'a Network,
    catalogue: &'a mech::Catalogue,
    cells: &'a mut [CellEntry],
    cell_of: HashMap<(String, u64), usize>,
    gids: GidPool,
    streams: Vec<Option<RandomState>>,
    tables: Vec<Option<SegmentTable>>,
    candidates: HashMap<(usize, String, String), Candidates>,
    dynamics: HashMap<String, Map<String, Value>>,
    models: HashMap<(String, String), PreparedModel>,
    virtual_index: HashMap<(String, u64), usize>,
    /// Per edge population: its rows grouped by target node id, ascending.
    rows_by_target: Vec<HashMap<u64, Vec<usize>>>,
    out: NetworkWiring,
}

impl<'a> NetworkBuilder<'a> {
    /// Checks every edge population against the node populations (both ends present, every
    /// node id in range) and prepares the gid pool.
    pub fn new(
        config: &'a SimulationConfig,
        network: &'a Network,
        catalogue: &'a mech::Catalogue,
        cells: &'a mut [CellEntry],
    ) -> anyhow::Result<Self> {
        let mut gids = GidPool::new();
        for population in &network.nodes {
            if population.is_empty() {
                continue;
            }
            gids.add_population(&population.name, &population.node_ids)
                .map_err(|e| anyhow!("{}: {e}", population.file.display()))?;
        }
        let mut rows_by_target = Vec::with_capacity(network.edges.len());
        for edges in &network.edges {
            check_edge_population(network, edges)?;
            let mut grouped: HashMap<u64, Vec<usize>> = HashMap::new();
            for (row, &target) in edges.target_node_ids.iter().enumerate() {
                grouped.entry(target).or_default().push(row);
            }
            rows_by_target.push(grouped);
        }
        let cell_of = cells
            .iter()
            .enumerate()
            .map(|(i, c)| ((c.population.clone(), c.node_id), i))
            .collect();
        let n = cells.len();
        Ok(NetworkBuilder {
            config,
            network,
            catalogue,
            cells,
            cell_of,
            gids,
            streams: (0..n).map(|_| None).collect(),
            tables: (0..n).map(|_| None).collect(),
            candidates: HashMap::new(),
            dynamics: HashMap::new(),
            models: HashMap::new(),
            virtual_index: HashMap::new(),
            rows_by_target,
            out: NetworkWiring::default(),
        })
    }

    /// `build_recurrent_edges`: every edge population whose sources are simulated cells.
    pub fn connect_recurrent(&mut self) -> anyhow::Result<()> {
        let network = self.network;
        for (e, edges) in network.edges.iter().enumerate() {
            let source = self.population(&edges.source_population)?;
            if population_kind(source)
                .with_context(|| format!("edge population `{}`", edges.name))?
                == Kind::Biophysical
            {
                self.connect_population(e, None)?;
            }
        }
        Ok(())
    }

    /// `add_spike_trains`: the virtual populations of the input's node set get their spike
    /// trains, and the edge populations leaving them are built.
    pub fn connect_spike_input(&mut self, name: &str, input: &SpikesInput) -> anyhow::Result<()> {
        let trains = read_trains(input).with_context(|| format!("input `{name}`"))?;
        let selection = self
            .config
            .circuit
            .node_sets
            .select(&input.node_set, &self.network.nodes)
            .map_err(|e| anyhow!("input `{name}`: {e}"))?;
        for chosen in &selection {
            let population = self.population(&chosen.population)?;
            let mut used = false;
            let network = self.network;
            for (e, edges) in network.edges.iter().enumerate() {
                if edges.source_population != chosen.population {
                    continue;
                }
                match population_kind(population)
                    .with_context(|| format!("edge population `{}`", edges.name))?
                {
                    Kind::Virtual => {
                        let times = trains
                            .for_population(&chosen.population)
                            .with_context(|| format!("input `{name}`"))?;
                        self.connect_population(e, Some(&times))?;
                        used = true;
                    }
                    Kind::Biophysical => {}
                }
            }
            if !used && population_kind(population)? == Kind::Virtual {
                self.out.warnings.push(format!(
                    "input `{name}`: virtual population `{}` has no edges",
                    chosen.population
                ));
            }
        }
        Ok(())
    }

    pub fn finish(self) -> NetworkWiring {
        self.out
    }

    fn population(&self, name: &str) -> anyhow::Result<&'a NodePopulation> {
        self.network
            .node_population(name)
            .ok_or_else(|| anyhow!("node population `{name}` is not in networks.nodes"))
    }

    /// Builds edge population `e` onto its simulated targets. `virtual_times` gives the spike
    /// trains of its (virtual) sources; `None` means the sources are simulated cells.
    fn connect_population(
        &mut self,
        e: usize,
        virtual_times: Option<&HashMap<u64, Vec<f64>>>,
    ) -> anyhow::Result<()> {
        let network = self.network;
        let edges = &network.edges[e];
        let targets = self.population(&edges.target_population)?;
        for index in 0..targets.len() {
            let node_id = targets.node_ids[index];
            let Some(&cell) = self
                .cell_of
                .get(&(edges.target_population.clone(), node_id))
            else {
                continue;
            };
            let Some(rows) = self.rows_by_target[e].get(&node_id).cloned() else {
                continue;
            };
            for row in rows {
                let source_id = edges.source_node_ids[row];
                let source = match virtual_times {
                    None => {
                        let &c = self.cell_of.get(&(edges.source_population.clone(), source_id)).ok_or_else(|| {
                            anyhow!("edge population `{}`, row {row}: source node {source_id} of `{}` is not a simulated cell", edges.name, edges.source_population)
                        })?;
                        SpikeSource::Detector(c)
                    }
                    Some(trains) => SpikeSource::Artificial(self.virtual_cell(
                        &edges.source_population,
                        source_id,
                        trains,
                    )?),
                };
                self.connect_edge(edges, row, cell, source)
                    .with_context(|| {
                        format!(
                            "edge population `{}` ({}), row {row}",
                            edges.name,
                            edges.file.display()
                        )
                    })?;
            }
        }
        Ok(())
    }

    /// The VecStim of a virtual node, created on first use as BMTK does.
    fn virtual_cell(
        &mut self,
        population: &str,
        node_id: u64,
        trains: &HashMap<u64, Vec<f64>>,
    ) -> anyhow::Result<usize> {
        let key = (population.to_string(), node_id);
        if let Some(&i) = self.virtual_index.get(&key) {
            return Ok(i);
        }
        let mut times = trains.get(&node_id).cloned().unwrap_or_default();
        if let Some(t) = times.iter().find(|t| t.is_nan() || **t < 0.0) {
            bail!("virtual node {node_id} of `{population}` has spike time {t}: NEURON needs times ≥ 0");
        }
        times.sort_by(f64::total_cmp);
        self.out.virtual_cells.push(VirtualCell {
            population: population.to_string(),
            node_id,
            times,
        });
        let i = self.out.virtual_cells.len() - 1;
        self.virtual_index.insert(key, i);
        Ok(i)
    }

    /// `BioCell.set_syn_connection`: the edge's synapses on `cell` and a NetCon to each.
    fn connect_edge(
        &mut self,
        edges: &EdgePopulation,
        row: usize,
        cell: usize,
        source: SpikeSource,
    ) -> anyhow::Result<()> {
        let text = |name: &str| edges.property(row, name).map(|p| p.as_str().into_owned());
        let number = |name: &str| -> anyhow::Result<Option<f64>> {
            match edges.property(row, name) {
                None => Ok(None),
                Some(p) => p
                    .as_f64()
                    .map(Some)
                    .ok_or_else(|| anyhow!("`{name}` = `{}` is not a number", p.as_str())),
            }
        };
        let template = text("model_template").ok_or_else(|| anyhow!("no `model_template`"))?;
        let dynamics_file =
            text("dynamics_params").ok_or_else(|| anyhow!("no `dynamics_params`"))?;
        let delay = number("delay")?.ok_or_else(|| anyhow!("no `delay`"))?;
        if delay.is_nan() || delay < 0.0 || delay.is_infinite() {
            bail!("delay {delay} ms: NetCon delays must be finite and ≥ 0");
        }
        let weight = self.weight(edges, row)?;
        self.prepare_model(&template, &dynamics_file)?;

        let has_id = edges.property(row, "afferent_section_id").is_some()
            || edges.property(row, "sec_id").is_some();
        let has_nsyns = edges.property(row, "nsyns").is_some();
        let sites =
            match PlacementMode::from_columns(has_id, has_nsyns).map_err(|e| anyhow!("{e}"))? {
                PlacementMode::Explicit => {
                    let id = number("afferent_section_id")?
                        .or(number("sec_id")?)
                        .expect("checked above");
                    let pos = number("afferent_section_pos")?
                        .or(number("sec_x")?)
                        .ok_or_else(|| {
                            anyhow!("`afferent_section_id` without `afferent_section_pos`")
                        })?;
                    if id.fract() != 0.0 {
                        bail!("afferent_section_id {id} is not an integer");
                    }
                    let n = self.cells[cell].description.sections.len();
                    let all: Vec<usize> = (0..n).collect();
                    vec![place_explicit(&all, id as i64, pos)
                        .map_err(|e| anyhow!("target cell {}: {e}", self.cells[cell].node_id))?]
                }
                PlacementMode::Random => {
                    let nsyns = number("nsyns")?.expect("checked above");
                    if nsyns.is_nan() || nsyns < 0.0 || nsyns.fract() != 0.0 {
                        bail!("nsyns {nsyns} is not a non-negative integer");
                    }
                    self.place_random(edges, row, cell, nsyns as usize)?
                }
            };
        let prepared = &self.models[&(template.clone(), dynamics_file.clone())];
        let values: std::collections::BTreeMap<String, f64> =
            prepared.model.parameters.iter().cloned().collect();
        for site in sites {
            let description = &mut self.cells[cell].description;
            description.point_processes.push(PointProcess {
                mechanism: prepared.model.mechanism.clone(),
                section: site.section,
                x: site.x,
                values: values.clone(),
            });
            let index = description.point_processes.len() - 1;
            let mut weights = vec![0.0; prepared.weight_slots];
            weights[0] = weight;
            self.out.netcons.push(NetConSpec {
                source,
                target: Some(Target::PointProcess { cell, index }),
                delay,
                weights,
            });
            self.out.synapses += 1;
        }
        Ok(())
    }

    /// `_set_connections`: `nsyns` sites drawn from the target's stream.
    fn place_random(
        &mut self,
        edges: &EdgePopulation,
        row: usize,
        cell: usize,
        nsyns: usize,
    ) -> anyhow::Result<Vec<SynapseSite>> {
        let sections = edges
            .property(row, "target_sections")
            .map(|p| p.as_str().into_owned())
            .ok_or_else(|| anyhow!("no `target_sections` (needed with `nsyns`)"))?;
        let range = edges
            .property(row, "distance_range")
            .map(|p| p.as_str().into_owned())
            .ok_or_else(|| anyhow!("no `distance_range` (needed with `nsyns`)"))?;
        if self.tables[cell].is_none() {
            let table = SegmentTable::build_default(&self.cells[cell].description)
                .map_err(|e| anyhow!("target cell {}: {e}", self.cells[cell].node_id))?;
            self.tables[cell] = Some(table);
        }
        let table = self.tables[cell].as_ref().expect("built above");
        let key = (cell, sections, range);
        if !self.candidates.contains_key(&key) {
            let types = parse_target_sections(&key.1).map_err(|e| anyhow!("{e}"))?;
            let limits = parse_distance_range(&key.2).map_err(|e| anyhow!("{e}"))?;
            let found = table.find_segments(&types, limits);
            self.candidates.insert(key.clone(), found);
        }
        let candidates = &self.candidates[&key];
        if candidates.segments.is_empty() {
            self.out.warnings.push(format!(
                "edge population `{}`, row {row}: no segment of target cell {} matches target_sections {} and distance_range {}; edge skipped",
                edges.name, self.cells[cell].node_id, key.1, key.2
            ));
            return Ok(Vec::new());
        }
        if self.streams[cell].is_none() {
            let entry = &self.cells[cell];
            let gid = self
                .gids
                .gid(&entry.population, entry.node_id)
                .map_err(|e| anyhow!("{e}"))?;
            self.streams[cell] = Some(target_rng(gid).map_err(|e| anyhow!("{e}"))?);
        }
        let rng = self.streams[cell].as_mut().expect("created above");
        table
            .place_random(rng, candidates, nsyns)
            .map_err(|e| anyhow!("{e}"))
    }

    /// BMTK's weight function for the edge.
    fn weight(&self, edges: &EdgePopulation, row: usize) -> anyhow::Result<f64> {
        let number = |name: &str| edges.property(row, name).and_then(|p| p.as_f64());
        let angle = |population: &str, node_id: u64| {
            let pop = self.network.node_population(population)?;
            pop.index_of(node_id)
                .and_then(|i| pop.property(i, "tuning_angle"))
                .and_then(|p| p.as_f64())
        };
        let inputs = WeightInputs {
            syn_weight: number("syn_weight"),
            weight_sigma: number("weight_sigma"),
            source_tuning_angle: angle(&edges.source_population, edges.source_node_ids[row]),
            target_tuning_angle: angle(&edges.target_population, edges.target_node_ids[row]),
        };
        let function = edges
            .property(row, "weight_function")
            .map(|p| p.as_str().into_owned());
        synaptic_weight(function.as_deref(), &inputs).map_err(|e| anyhow!("{e}"))
    }

    /// Loads `dynamics_params` and maps it onto the `model_template` point process (cached).
    fn prepare_model(&mut self, template: &str, file: &str) -> anyhow::Result<()> {
        let key = (template.to_string(), file.to_string());
        if self.models.contains_key(&key) {
            return Ok(());
        }
        let path = self.dynamics_path(file)?;
        if !self.dynamics.contains_key(file) {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("{}: cannot read dynamics_params", path.display()))?;
            let params: Map<String, Value> = serde_json::from_str(&text).map_err(|e| {
                anyhow!(
                    "{}:{}:{}: invalid JSON: {e}",
                    path.display(),
                    e.line(),
                    e.column()
                )
            })?;
            self.dynamics.insert(file.to_string(), params);
        }
        let params = &self.dynamics[file];
        let builtin = matches!(template, "Exp2Syn" | "exp2syn" | "expsyn");
        let mechanism_name = match template {
            "Exp2Syn" | "exp2syn" => "Exp2Syn",
            "expsyn" => "ExpSyn",
            other => other,
        };
        let mechanism = self.catalogue.mechanism(mechanism_name).map_err(|_| {
            anyhow!("unknown synapse model `{template}`: no built-in or model mechanism (mechanisms_dir) has that name")
        })?;
        if mechanism.kind != nmodl::ir::Kind::Point {
            bail!("synapse model `{template}` is not a POINT_PROCESS");
        }
        let Some(receive) = &mechanism.net_receive else {
            bail!(
                "synapse model `{template}` has no NET_RECEIVE block, so NetCons cannot target it"
            );
        };
        let settable: Vec<&str> = mechanism
            .fields
            .iter()
            .filter(|f| f.range)
            .map(|f| f.name.as_str())
            .collect();
        let model = synapse_model(
            template,
            params,
            if builtin { None } else { Some(&settable) },
        )
        .map_err(|e| anyhow!("{}: {e}", path.display()))?;
        if let Some((name, _)) = model
            .parameters
            .iter()
            .find(|(n, _)| !settable.contains(&n.as_str()))
        {
            bail!(
                "{}: `{name}` is not a parameter of `{}`",
                path.display(),
                model.mechanism
            );
        }
        let weight_slots = receive.args.len().max(1);
        self.models.insert(
            key,
            PreparedModel {
                model,
                weight_slots,
            },
        );
        Ok(())
    }

    fn dynamics_path(&self, file: &str) -> anyhow::Result<PathBuf> {
        let path = Path::new(file);
        if path.is_absolute() {
            return Ok(path.to_path_buf());
        }
        let dir = self
            .config
            .circuit
            .components
            .synaptic_models_dir
            .as_ref()
            .ok_or_else(|| {
                anyhow!(
                    "dynamics_params `{file}` needs components.synaptic_models_dir in {}",
                    self.config.config_path.display()
                )
            })?;
        Ok(dir.join(path))
    }
}
