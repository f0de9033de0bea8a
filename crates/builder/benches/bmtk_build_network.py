"""The BMTK 1.2.0 NetworkBuilder equivalent of benches/build_network.rs: N nodes with
positions, one edge type connecting every ordered pair (no autapses) with probability P,
saved to a temporary folder. The connection rule is vectorised over targets
(iterator='one_to_all'), BMTK's fastest documented form for a probability rule.

usage: python bmtk_build_network.py [N] [P]
"""
import sys
import tempfile
import time

import numpy as np
from bmtk.builder.networks import NetworkBuilder


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    p = float(sys.argv[2]) if len(sys.argv) > 2 else 0.01
    rng = np.random.RandomState(42)

    def probability_rule(source, targets):
        hits = (rng.random_sample(len(targets)) < p).astype(np.uint32)
        hits[source.node_id] = 0  # targets are every node in id order: no autapse
        return hits

    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        net = NetworkBuilder('bench')
        net.add_nodes(N=n, pop_name='exc', model_type='biophysical', model_template='hoc:HCOcell',
                      positions=np.random.RandomState(1).uniform(0, 1000, (n, 3)))
        net.add_edges(source={'pop_name': 'exc'}, target={'pop_name': 'exc'},
                      connection_rule=probability_rule, iterator='one_to_all',
                      syn_weight=0.04, model_template='Exp2Syn', dynamics_params='GABA_InhToInh.json',
                      delay=1.0)
        net.build()
        build_time = time.perf_counter() - start
        net.save(output_dir=out)
        total = time.perf_counter() - start
        print('BMTK NetworkBuilder: %d nodes, %d edges: build %.3f s, build+save %.3f s'
              % (n, net.nedges, build_time, total))
        print('BMTK_SECONDS %.6f' % total)


if __name__ == '__main__':
    main()
