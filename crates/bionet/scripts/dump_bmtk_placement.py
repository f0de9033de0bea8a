"""Dump BMTK 1.2.0's synapse placement for reference networks into a JSON fixture.

Runs the real BMTK BioNet network building (cells + recurrent edges, no simulation) for each
case and records, for every cell, its segment table as BMTK's Morphology computes it
(`seg_props`), and every synapse in the order BMTK creates it (target gid, section name, x).

Also records every `set_syn_connection` call (the edges BMTK saw) and a few extra candidate
searches, so the Rust tests can replay the draws.

Usage (venv with numpy, h5py, bmtk==1.2.0, neuron==9.0.2):
    python dump_bmtk_placement.py <reference_dir> <models_dir> <hco_mech_dir> <out.json>
where <hco_mech_dir> holds the HCO .mod files compiled by `nrnivmodl` (x86_64/ inside).
Each case is built in its own child process (NEURON gids and templates are global state).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import neuron

CASES = ['hco-pair', 'mc-net100']

if sys.argv[1] != '--case':
    ref_dir, models_dir, hco_mech_dir, out_path = sys.argv[1:5]
    work = tempfile.mkdtemp(prefix='bionet-ref-')
    os.symlink(os.path.abspath(models_dir), os.path.join(work, 'models'))
    os.makedirs(os.path.join(work, 'reference'))
    merged = {}
    for case in CASES:
        dst = os.path.join(work, 'reference', case)
        shutil.copytree(os.path.join(ref_dir, case), dst, ignore=shutil.ignore_patterns('expected'))
        part = os.path.join(work, case + '.json')
        subprocess.run([sys.executable, os.path.abspath(__file__), '--case', dst, hco_mech_dir, part],
                       check=True, cwd=dst)
        merged[case] = json.load(open(part))
    with open(out_path, 'w') as f:
        json.dump(merged, f)
    print('wrote', out_path, {k: len(v['synapses']) for k, v in merged.items()})
    sys.exit(0)

_, _, case_dir, hco_mech_dir, part_path = sys.argv
neuron.load_mechanisms(hco_mech_dir)

from bmtk.simulator import bionet  # noqa: E402
from bmtk.simulator.bionet.sonata_adaptors import BioEdge  # noqa: E402

created = []  # (target gid, section name, x) in creation order
edges = []  # every set_syn_connection call: the edge as BMTK saw it
current_gid = [None]

orig_load = BioEdge.load_synapses


def recording_load(self, section_x, section_id):
    created.append((current_gid[0], section_id.name().split('.')[-1], float(section_x)))
    return orig_load(self, section_x, section_id)


BioEdge.load_synapses = recording_load

from bmtk.simulator.bionet.biocell import BioCell  # noqa: E402
orig_set = BioCell.set_syn_connection


def recording_set(self, edge_prop, src_node, stim=None, gj_ids=None):
    current_gid[0] = self.gid
    edges.append({'gid': self.gid, 'source_node_id': int(src_node.node_id), 'nsyns': int(edge_prop.nsyns),
                  'target_sections': list(edge_prop.target_sections),
                  'distance_range': [float(v) for v in edge_prop.target_distance]})
    return orig_set(self, edge_prop, src_node, stim, gj_ids)


BioCell.set_syn_connection = recording_set

created.clear()
conf = bionet.Config.from_json(os.path.join(case_dir, 'simulation_config.json'), validate=True)
conf.build_env()
net = bionet.BioNetwork.from_config(conf)
net.build_nodes()
net.build_recurrent_edges()
cells = []
for gid, cell in list(net.get_local_cells().items())[:3]:
    # Cells sharing a morphology file share BMTK's seg_props, so a few tables suffice.
    props = cell.morphology.seg_props
    cells.append({
        'gid': gid,
        'node_id': int(cell.node_id),
        'sections': [s.name().split('.')[-1] for s in cell.hobj.all],
        'nseg': [int(s.nseg) for s in cell.hobj.all],
        'seg_sec_id': [int(v) for v in props.sec_id],
        'seg_type': [int(v) for v in props.type],
        'seg_x': [float(v) for v in props.x],
        'seg_dist': [float(v) for v in props.dist],
        'seg_length': [float(v) for v in props.length],
    })
# BMTK's candidate search for other (target_sections, distance_range) pairs on the first cell,
# and a 7-synapse draw from a fixed seed, to exercise partial overlaps and nsyns > 1.
import numpy as np  # noqa: E402
first = list(net.get_local_cells().values())[0]
queries = []
for labels, drange in [(['soma'], [0.0, 5.0]), (['basal', 'soma'], [15.0, 250.5]), (['dend'], [100.0, 130.0]),
                       (['apical'], [0.0, 1000.0]), (['soma', 'dend'], [0.0, 1e9]), (['somatic'], [400.0, 612.5])]:
    ix, prob = first.morphology.find_sections(labels, drange, cache=False)
    draw = np.random.RandomState(12345).choice(ix, 7, p=prob).tolist() if len(ix) else []
    queries.append({'gid': first.gid, 'target_sections': labels, 'distance_range': drange,
                    'segments': [int(v) for v in ix], 'probabilities': [float(v) for v in prob],
                    'draw_seed': 12345, 'draw': [int(v) for v in draw]})
with open(part_path, 'w') as f:
    json.dump({'cells': cells, 'edges': edges, 'queries': queries,
               'synapses': [{'gid': g, 'section': s, 'x': x} for g, s, x in created]}, f)
