"""Expected outputs of numpy's legacy `RandomState` for the Rust port in `src/numpy_random/`.

Usage: python make_numpy_fixture.py > ../tests/fixtures/numpy_random.json
Floats are written with Python's shortest round-trip repr, so they parse back bit for bit.
"""
import json
import sys

import numpy as np

out = {'numpy_version': np.__version__, 'seeds': []}
for seed in [0, 1, 5, 42, 99, 12345, 123456789, 4294967295]:
    case = {'seed': seed}
    rs = np.random.RandomState(seed)
    case['raw_u32'] = rs.randint(0, 2**32, size=1300, dtype=np.uint32).tolist()
    rs = np.random.RandomState(seed)
    case['random_sample'] = rs.random_sample(700).tolist()
    rs = np.random.RandomState(seed)
    ranges = [(0, 1), (0, 2), (0, 3), (0, 10), (-5, 5), (0, 51), (7, 1000), (0, 2**31 + 5),
              (0, 2**32), (-2**40, 2**40), (0, 2**62 + 3)]
    case['randint'] = [[lo, hi, [int(rs.randint(lo, hi)) for _ in range(20)]] for lo, hi in ranges]
    rs = np.random.RandomState(seed)
    case['uniform'] = [[lo, hi, rs.uniform(lo, hi, size=10).tolist()]
                       for lo, hi in [(0.0, 1.0), (-3.5, 2.25), (100.0, 100.5)]]
    rs = np.random.RandomState(seed)
    choices = []
    for n, size, p in [(51, 3, None), (33, 10, 'lin'), (5, 7, 'spiky'), (1, 4, 'lin'), (4, 4, 'zero')]:
        if p is None:
            probs = None
        elif p == 'lin':
            probs = np.arange(1, n + 1, dtype=float)
            probs /= probs.sum()
        elif p == 'spiky':
            probs = np.array([0.5, 1e-9, 0.25, 0.0, 0.25 - 1e-9])
        else:
            probs = np.array([0.0, 0.5, 0.0, 0.5])
        idx = rs.choice(n, size, replace=True, p=probs)
        choices.append({'n': n, 'size': size, 'replace': True,
                        'p': None if probs is None else probs.tolist(), 'result': idx.tolist()})
    for n, size, p in [(10, 10, None), (20, 5, None), (12, 6, 'lin')]:
        probs = None
        if p == 'lin':
            probs = np.arange(1, n + 1, dtype=float)
            probs /= probs.sum()
        idx = rs.choice(n, size, replace=False, p=probs)
        choices.append({'n': n, 'size': size, 'replace': False,
                        'p': None if probs is None else probs.tolist(), 'result': idx.tolist()})
    case['choice'] = choices
    out['seeds'].append(case)

out['by_array'] = []
for key in [[1, 2, 3], [0], [4294967295, 7], list(range(700))]:
    rs = np.random.RandomState(key)
    out['by_array'].append({'key': key, 'raw_u32': rs.randint(0, 2**32, size=20, dtype=np.uint32).tolist()})

# Summation order checks: values are regenerated on the Rust side from the same seed.
sums = []
for n in [1, 5, 8, 9, 100, 128, 129, 1000, 8192, 8193, 20000]:
    a = np.random.RandomState(2024 + n).random_sample(n) * 1000.0
    sums.append({'seed': 2024 + n, 'n': n, 'scale': 1000.0, 'sum': float(np.sum(a)),
                 'cumsum_last': float(np.cumsum(a)[-1])})
out['sums'] = sums
json.dump(out, sys.stdout)
