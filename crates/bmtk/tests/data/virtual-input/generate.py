"""Builds the `virtual-input` fixture with BMTK 1.2.0 and runs it with BMTK + NEURON 9.0.2.

A 6-cell MultiCompCell network (`cortex`, hh soma + passive dendrites) driven by a virtual
population `lgn` of 12 Poisson spike trains from BMTK's PoissonSpikeGenerator, through
  * Exp2Syn synapses placed at random (nsyns 1-3, target_sections + distance_range),
  * FacSyn synapses (a custom POINT_PROCESS with extra NET_RECEIVE arguments and self-events)
    at explicit afferent_section_id / afferent_section_pos, parameters from dynamics_params,
    with a per-edge syn_weight column overriding the edge-type value,
plus recurrent cortex -> cortex Exp2Syn edges and a two-pulse current clamp on node 0.

The spikes are written three ways (SONATA by time, SONATA by id, CSV), one config each; BMTK
must give the same spikes for all three, and they are saved as expected/spikes.csv.

Usage: /work/.venv-interop/bin/python generate.py [--bad-only]
(needs bmtk==1.2.0, neuron==9.0.2, h5py and gcc; --bad-only rewrites only bad/, the broken
edge files of the error tests)
Writes network/, inputs/, simulation_config*.json, circuit_config.json and expected/ next to
this script; components/ (template, facsyn.mod, synaptic models) must already be there.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def build_network():
    from bmtk.builder import NetworkBuilder

    np.random.seed(1234)
    cortex = NetworkBuilder('cortex')
    cortex.add_nodes(N=6, pop_name='mc', model_type='biophysical', model_template='hoc:MultiCompCell',
                     morphology='blank.swc')
    lgn = NetworkBuilder('lgn')
    lgn.add_nodes(N=12, pop_name='lgn', model_type='virtual')

    rng = np.random.RandomState(42)

    def n_syns(source, target):
        return int(rng.randint(0, 4))  # 0 means no edge

    lgn.add_edges(source=lgn.nodes(), target=cortex.nodes(), connection_rule=n_syns,
                  syn_weight=0.004, delay=1.5, target_sections=['basal', 'somatic'],
                  distance_range=[0.0, 400.0], dynamics_params='AMPA.json', model_template='Exp2Syn')

    def fac_pairs(source, target):
        return 1 if (source.node_id + target.node_id) % 4 == 0 else 0

    fac = lgn.add_edges(source=lgn.nodes(), target=cortex.nodes(), connection_rule=fac_pairs,
                        syn_weight=0.0005, delay=2.0, dynamics_params='FacSyn.json', model_template='FacSyn')
    fac.add_properties(['afferent_section_id', 'afferent_section_pos'],
                       rule=lambda s, t: [1 + (s.node_id + t.node_id) % 3, 0.1 + 0.2 * (s.node_id % 4)],
                       dtypes=[np.int32, np.float32])
    fac.add_properties('syn_weight', rule=lambda s, t: 0.001 + 0.0005 * (t.node_id % 3), dtypes=np.float64)

    def ring(source, target):
        return 1 if target.node_id == (source.node_id + 1) % 6 else 0

    cortex.add_edges(source=cortex.nodes(), target=cortex.nodes(), connection_rule=ring,
                     syn_weight=0.003, delay=3.0, target_sections=['basal'], distance_range=[0.0, 1000.0],
                     dynamics_params='AMPA.json', model_template='Exp2Syn')

    os.makedirs(os.path.join(HERE, 'network'), exist_ok=True)
    cortex.build()
    cortex.save(output_dir=os.path.join(HERE, 'network'))
    lgn.build()
    lgn.save(output_dir=os.path.join(HERE, 'network'))


def build_spikes():
    from bmtk.utils.reports.spike_trains import PoissonSpikeGenerator
    from bmtk.utils.reports.spike_trains.core import SortOrder

    psg = PoissonSpikeGenerator(population='lgn', seed=7)
    psg.add(node_ids=list(range(12)), firing_rate=12.0, times=(0.0, 0.5))
    os.makedirs(os.path.join(HERE, 'inputs'), exist_ok=True)
    psg.to_sonata(os.path.join(HERE, 'inputs', 'lgn_spikes.h5'), sort_order=SortOrder.by_time)
    psg.to_sonata(os.path.join(HERE, 'inputs', 'lgn_spikes_by_id.h5'), sort_order=SortOrder.by_id)
    psg.to_csv(os.path.join(HERE, 'inputs', 'lgn_spikes.csv'))


def write_configs():
    circuit = {
        'manifest': {'$BASE_DIR': '.', '$COMPONENTS_DIR': '$BASE_DIR/components', '$NETWORK_DIR': '$BASE_DIR/network'},
        'components': {
            'morphologies_dir': '$COMPONENTS_DIR/morphologies',
            'synaptic_models_dir': '$COMPONENTS_DIR/synaptic_models',
            'mechanisms_dir': '$COMPONENTS_DIR/mechanisms',
            'templates_dir': '$COMPONENTS_DIR/hoc_templates',
        },
        'networks': {
            'nodes': [
                {'nodes_file': '$NETWORK_DIR/cortex_nodes.h5', 'node_types_file': '$NETWORK_DIR/cortex_node_types.csv'},
                {'nodes_file': '$NETWORK_DIR/lgn_nodes.h5', 'node_types_file': '$NETWORK_DIR/lgn_node_types.csv'},
            ],
            'edges': [
                {'edges_file': '$NETWORK_DIR/cortex_cortex_edges.h5',
                 'edge_types_file': '$NETWORK_DIR/cortex_cortex_edge_types.csv'},
                {'edges_file': '$NETWORK_DIR/lgn_cortex_edges.h5',
                 'edge_types_file': '$NETWORK_DIR/lgn_cortex_edge_types.csv'},
            ],
        },
    }
    with open(os.path.join(HERE, 'circuit_config.json'), 'w') as f:
        json.dump(circuit, f, indent=2)
    for suffix, module, spikes in [('', 'sonata', 'lgn_spikes.h5'), ('_by_id', 'h5', 'lgn_spikes_by_id.h5'),
                                   ('_csv', 'csv', 'lgn_spikes.csv')]:
        sim = {
            'manifest': {'$BASE_DIR': '.', '$OUTPUT_DIR': '$BASE_DIR/output' + suffix},
            'target_simulator': 'NEURON',
            'run': {'tstart': 0.0, 'tstop': 600.0, 'dt': 0.025, 'dL': 20.0, 'spike_threshold': -15.0,
                    'nsteps_block': 5000},
            'conditions': {'celsius': 6.3, 'v_init': -65.0},
            'inputs': {
                'lgn_spikes': {'input_type': 'spikes', 'module': module,
                               'input_file': '$BASE_DIR/inputs/' + spikes, 'node_set': 'lgn'},
                'current_clamp': {'input_type': 'current_clamp', 'module': 'IClamp', 'node_set': 'first',
                                  'amp': [0.3, 0.5], 'delay': [100.0, 300.0], 'duration': [20.0, 20.0]},
            },
            'output': {'log_file': 'log.txt', 'output_dir': '${OUTPUT_DIR}', 'spikes_file': 'spikes.h5',
                       'spikes_file_csv': 'spikes.csv', 'overwrite_output_dir': True},
            'node_sets': {'lgn': {'population': 'lgn'}, 'first': {'population': 'cortex', 'node_id': [0]}},
            'reports': {},
            'network': './circuit_config.json',
        }
        with open(os.path.join(HERE, 'simulation_config%s.json' % suffix), 'w') as f:
            json.dump(sim, f, indent=2)


RUNNER = r'''
import sys
from neuron import h
from bmtk.simulator import bionet
from bmtk.simulator.bionet.pyfunction_cache import add_synapse_model


def FacSyn(params, x, sec):
    # BMTK has no loader for custom synapses: set every dynamics_params entry by name.
    syn = h.FacSyn(x, sec=sec)
    for key, value in params.items():
        if key != 'level_of_detail':
            setattr(syn, 'e' if key == 'erev' else key, value)
    return syn


add_synapse_model(FacSyn, 'FacSyn')
conf = bionet.Config.from_json(sys.argv[1])
conf.build_env()
net = bionet.BioNetwork.from_config(conf)
sim = bionet.BioSimulator.from_config(conf, network=net)
sim.run()
'''


def run_bmtk():
    work = tempfile.mkdtemp(prefix='virtual-input-')
    for item in ['components', 'network', 'inputs', 'circuit_config.json', 'simulation_config.json',
                 'simulation_config_by_id.json', 'simulation_config_csv.json']:
        src = os.path.join(HERE, item)
        (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, os.path.join(work, item))
    mech = os.path.join(work, 'components', 'mechanisms')
    # NEURON has no built-in VecStim: BMTK models ship BMTK's vecevent.mod (bmtk-rs has it built in).
    import bmtk
    shutil.copy(os.path.join(os.path.dirname(bmtk.__file__), 'utils', 'scripts', 'bionet', 'mechanisms', 'modfiles',
                             'vecevent.mod'), mech)
    nrnivmodl = os.path.join(os.path.dirname(sys.executable), 'nrnivmodl')
    subprocess.run([nrnivmodl], cwd=mech, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(work, 'run_bmtk.py'), 'w') as f:
        f.write(RUNNER)
    results = []
    for suffix in ['', '_by_id', '_csv']:
        subprocess.run([sys.executable, 'run_bmtk.py', 'simulation_config%s.json' % suffix], cwd=work, check=True,
                       stdout=subprocess.DEVNULL)
        with open(os.path.join(work, 'output' + suffix, 'spikes.csv')) as f:
            results.append(f.read())
    assert results[0] == results[1] == results[2], 'BMTK gives different spikes for the three input files'
    os.makedirs(os.path.join(HERE, 'expected'), exist_ok=True)
    with open(os.path.join(HERE, 'expected', 'spikes.csv'), 'w') as f:
        f.write(results[0])
    shutil.rmtree(work)
    print('%d spikes' % (results[0].count('\n') - 1))


def write_bad_variants():
    """Broken copies of the lgn -> cortex edges for the error tests (bad/)."""
    import h5py

    os.makedirs(os.path.join(HERE, 'bad'), exist_ok=True)
    src = os.path.join(HERE, 'network', 'lgn_cortex_edges.h5')
    for name, edit in [('target_out_of_range', lambda g: g['target_node_id'].__setitem__(5, 17)),
                       ('section_out_of_range', lambda g: g['1/afferent_section_id'].__setitem__(0, 9))]:
        path = os.path.join(HERE, 'bad', 'lgn_cortex_edges_%s.h5' % name)
        shutil.copy(src, path)
        with h5py.File(path, 'r+') as f:
            edit(f['edges/lgn_to_cortex'])


if __name__ == '__main__':
    if sys.argv[1:] != ['--bad-only']:
        build_network()
        build_spikes()
        write_configs()
        run_bmtk()
    write_bad_variants()
