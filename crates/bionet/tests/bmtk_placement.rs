//! Synapse placement against a real BMTK 1.2.0 build of the reference networks
//! (`fixtures/bmtk_placement.json`, written by `scripts/dump_bmtk_placement.py`): segment
//! tables, candidate searches, and every synapse (target gid, section, x) in creation order.

use std::collections::HashMap;

use bionet::{apply_dl, parse_target_sections, target_rng, RandomState, SectionType, SegmentTable};
use model::{CellDescription, Section};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    cells: Vec<CellTable>,
    edges: Vec<Edge>,
    queries: Vec<Query>,
    synapses: Vec<Synapse>,
}

#[derive(Deserialize)]
struct CellTable {
    sections: Vec<String>,
    nseg: Vec<usize>,
    seg_sec_id: Vec<usize>,
    seg_type: Vec<u8>,
    seg_x: Vec<f64>,
    seg_dist: Vec<f64>,
    seg_length: Vec<f64>,
}

#[derive(Deserialize)]
struct Edge {
    gid: u64,
    nsyns: usize,
    target_sections: Vec<String>,
    distance_range: (f64, f64),
}

#[derive(Deserialize)]
struct Query {
    target_sections: Vec<String>,
    distance_range: (f64, f64),
    segments: Vec<usize>,
    probabilities: Vec<f64>,
    draw_seed: u64,
    draw: Vec<usize>,
}

#[derive(Deserialize)]
struct Synapse {
    gid: u64,
    section: String,
    x: f64,
}

fn fixture() -> HashMap<String, Case> {
    serde_json::from_str(include_str!("fixtures/bmtk_placement.json"))
        .expect("placement fixture parses")
}

fn section(name: &str, length: f64, nseg: usize) -> Section {
    let mut s = Section::new(name);
    s.length = length;
    s.set_nseg(nseg).unwrap();
    s
}

/// ../shared/models/hco/hoc_templates/HCOCell.hoc: one soma, L 1000, nseg 1.
fn hco_cell() -> CellDescription {
    let mut cell = CellDescription::new("HCOcell");
    cell.add_section(section("soma[0]", 1000.0, 1));
    cell
}

/// ../shared/models/mc/hoc_templates/MultiCompCell.hoc: soma L 20; dend[0] on soma(1),
/// dend[1] and dend[2] on dend[0](1), each L 200 nseg 11.
fn mc_cell() -> CellDescription {
    let mut cell = CellDescription::new("MultiCompCell");
    let soma = cell.add_section(section("soma[0]", 20.0, 1));
    let d: Vec<usize> = (0..3)
        .map(|k| cell.add_section(section(&format!("dend[{k}]"), 200.0, 11)))
        .collect();
    cell.connect(d[0], 0.0, soma, 1.0).unwrap();
    cell.connect(d[1], 0.0, d[0], 1.0).unwrap();
    cell.connect(d[2], 0.0, d[0], 1.0).unwrap();
    cell
}

fn labels(names: &[String]) -> Vec<SectionType> {
    names
        .iter()
        .map(|n| SectionType::from_target_label(n).unwrap())
        .collect()
}

/// The cell as BMTK builds it: template, then dL 20 on every section of `all`.
fn built_table(case: &str) -> (CellDescription, SegmentTable) {
    let mut cell = if case == "hco-pair" {
        hco_cell()
    } else {
        mc_cell()
    };
    let all: Vec<usize> = (0..cell.sections.len()).collect();
    apply_dl(&mut cell, &all, 20.0).unwrap();
    let table = SegmentTable::build_default(&cell).unwrap();
    (cell, table)
}

#[test]
fn segment_tables_match_bmtk_seg_props() {
    for (name, case) in fixture() {
        let (cell, table) = built_table(&name);
        for expected in &case.cells {
            let names: Vec<&str> = table
                .sections
                .iter()
                .map(|&s| cell.sections[s].name.as_str())
                .collect();
            assert_eq!(names, expected.sections, "{name}");
            let nseg: Vec<usize> = table
                .sections
                .iter()
                .map(|&s| cell.sections[s].nseg())
                .collect();
            assert_eq!(nseg, expected.nseg, "{name}: nseg after dL");
            let segs = &table.segments;
            assert_eq!(
                segs.iter().map(|s| s.sec_id).collect::<Vec<_>>(),
                expected.seg_sec_id,
                "{name}"
            );
            assert_eq!(
                segs.iter()
                    .map(|s| s.section_type.swc_code())
                    .collect::<Vec<_>>(),
                expected.seg_type,
                "{name}"
            );
            assert_eq!(
                segs.iter().map(|s| s.x).collect::<Vec<_>>(),
                expected.seg_x,
                "{name}: x"
            );
            assert_eq!(
                segs.iter().map(|s| s.dist).collect::<Vec<_>>(),
                expected.seg_dist,
                "{name}: dist"
            );
            assert_eq!(
                segs.iter().map(|s| s.length).collect::<Vec<_>>(),
                expected.seg_length,
                "{name}: length"
            );
        }
    }
}

#[test]
fn candidate_search_and_draws_match_bmtk() {
    for (name, case) in fixture() {
        let (_, table) = built_table(&name);
        for q in &case.queries {
            let found = table.find_segments(&labels(&q.target_sections), q.distance_range);
            let what = format!("{name} {:?} {:?}", q.target_sections, q.distance_range);
            assert_eq!(found.segments, q.segments, "{what}");
            assert_eq!(found.probabilities, q.probabilities, "{what}");
            let mut rng = RandomState::new(q.draw_seed).unwrap();
            let sites = table.place_random(&mut rng, &found, 7).unwrap();
            let drawn: Vec<usize> = sites
                .iter()
                .map(|site| {
                    table
                        .segments
                        .iter()
                        .position(|s| s.sec_id == site.sec_id && s.x == site.x)
                        .unwrap()
                })
                .collect();
            assert_eq!(drawn, q.draw, "{what}");
        }
    }
}

/// Replays every `set_syn_connection` call of the BMTK build, in BMTK's order, drawing from
/// each target's `RandomState(gid)`, and compares all synapses.
#[test]
fn every_synapse_lands_where_bmtk_put_it() {
    for (name, case) in fixture() {
        let (cell, table) = built_table(&name);
        let mut streams: HashMap<u64, RandomState> = HashMap::new();
        let mut placed = Vec::new();
        for edge in &case.edges {
            let rng = streams
                .entry(edge.gid)
                .or_insert_with(|| target_rng(edge.gid).unwrap());
            let found = table.find_segments(&labels(&edge.target_sections), edge.distance_range);
            for site in table.place_random(rng, &found, edge.nsyns).unwrap() {
                placed.push((edge.gid, cell.sections[site.section].name.clone(), site.x));
            }
        }
        let expected: Vec<(u64, String, f64)> = case
            .synapses
            .iter()
            .map(|s| (s.gid, s.section.clone(), s.x))
            .collect();
        assert_eq!(placed.len(), expected.len(), "{name}");
        for (i, (got, want)) in placed.iter().zip(&expected).enumerate() {
            assert_eq!(got, want, "{name}: synapse {i}");
        }
    }
}

#[test]
fn hco_pair_positions_are_the_documented_ones() {
    let (cell, table) = built_table("hco-pair");
    let found = table.find_segments(
        &parse_target_sections("['soma']").unwrap(),
        (0.0, 99999999.0),
    );
    let x_for = |gid: u64| {
        let site = table
            .place_random(&mut target_rng(gid).unwrap(), &found, 1)
            .unwrap()[0];
        assert_eq!(cell.sections[site.section].name, "soma[0]");
        site.x
    };
    // hco1 (gid 0) receives at soma(27.5/51), hco2 (gid 1) at soma(21.5/51).
    assert_eq!(x_for(0), 27.5 / 51.0);
    assert_eq!(x_for(1), 21.5 / 51.0);
    assert_eq!((x_for(0) * 1000.0).round() / 1000.0, 0.539);
    assert_eq!((x_for(1) * 1000.0).round() / 1000.0, 0.422);
}
