"""Time of the root-finder's own bookkeeping (`tyche.radius.find_radii_along`) per cost evaluation, on a ray cost that
costs next to nothing (a bent quadratic along 4,096 rays with random curvatures), so that the table shows what the
search adds to each evaluation of a real cost:

- one ray per search, one search after another (what one direction per call of `tyche.volume` runs);
- 256 rays, 8 per call (`width=8`, rays entering as others finish: several directions per call);
- 256 rays, all in every call.

    OMP_NUM_THREADS=1 python benchmarks/bench_radius.py
"""
import argparse, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # this checkout's tyche, not an installed one
import torch
from tyche.radius import find_radii_along


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--repeats', type=int, default=5, help='timed repeats per case (the fastest is printed)')
    a = p.parse_args()
    q = 1 + torch.rand(4096, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    along = lambda idx, r: 0.5 * r**2 * q[idx] * (1 + 0.1 * r)
    def one_by_one(n): return sum(int(find_radii_along(along, 1, 1e-2, 0., init_radius=0.1).evals.sum()) for _ in range(n))
    def batch(n, width): return int(find_radii_along(along, n, 1e-2, 0., init_radius=0.1, width=width).evals.sum())
    cases = (('1 ray per search, 200 searches', lambda: one_by_one(200)), ('256 rays, 8 per call', lambda: batch(256, 8)),
             ('256 rays, all per call', lambda: batch(256, None)))
    print(f'{"case":<34}{"evaluations":>12}{"us per evaluation":>19}')
    for name, f in cases:
        f()
        times = []
        for _ in range(a.repeats):
            t0 = time.perf_counter(); n = f(); times.append(time.perf_counter() - t0)
        print(f'{name:<34}{n:>12}{min(times) / n * 1e6:>19.1f}')


if __name__ == '__main__':
    main()
