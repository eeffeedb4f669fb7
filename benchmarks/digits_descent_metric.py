"""How fast palamedes' descent goes down the digits MLP's KL basin from three starting metrics, no learning.

    OMP_NUM_THREADS=1 python benchmarks/digits_descent_metric.py --metric rank --rank 144 --budget 1200
    OMP_NUM_THREADS=1 python benchmarks/digits_descent_metric.py --metric hessian --budget 2500
    OMP_NUM_THREADS=1 python benchmarks/digits_descent_metric.py --metric identity --budget 5100

The network is the paper's 64-64-10 GELU MLP (4,810 parameters, `tyche.digits.train_digits` with its defaults, cached
under --out), the basin its KL basin on the held-out digits (cutoff 1e-2), the prior N(0, 1.3975^2 I). The starting
metrics: the identity; the anchor's own Hessian, probed by central differences of the gradient along every axis
(`palamedes.ladder.probe_curvature`, 2D gradients), as a dense metric (`curvature_metric(H)`: products with a
[D, D] basis) or on its --rank largest eigenvectors (`curvature_metric(H, rank=k)`: a `HouseholderBasis`, O(Dk) per
product). `palamedes.ladder.descend` runs with learn=False from k_max until --budget seconds have passed, and the script
prints, for a few levels of k E_k[r] (its progress: about D/2 at k_max, about 1 where the ladder ends), when the descent
first reached it: seconds, cost evaluations, rungs and reflections per move.
"""
import argparse, math, os, sys, time
from pathlib import Path

os.environ.setdefault('HF_HUB_OFFLINE', '1')
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


class OutOfTime(Exception): pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--metric', default='rank', choices=['identity', 'hessian', 'rank'])
    ap.add_argument('--rank', type=int, default=144, help="with --metric rank: the Hessian's eigenvectors kept")
    ap.add_argument('--budget', type=float, default=1200., help='seconds of descent')
    ap.add_argument('--levels', default='2210,2110,2070,1960,1500', help='levels of k E[r] to report')
    ap.add_argument('--out', default='digits_descent_out', help='folder of the cached network')
    a = ap.parse_args()
    import torch
    from torch import nn
    from tyche.digits import DigitsConfig, train_digits, load_digits_split
    from tyche.costs import KLCost
    from palamedes.samplers import Basin, Metric
    from palamedes.ladder import descend, probe_curvature, curvature_metric
    cfg = DigitsConfig()
    ck = train_digits(cfg, folder=Path(a.out)/'model').checkpoint()
    x_test = load_digits_split(cfg.train_size, cfg.seed).x_test
    basin = Basin(KLCost(ck.model, x_test), nn.utils.parameters_to_vector(ck.model.parameters()).detach(), 1e-2, 4096, False)
    c = basin.center.double()
    D = len(c)
    t0 = time.perf_counter()
    if a.metric == 'identity': metric = Metric(torch.ones(D, dtype=torch.float64))
    else:
        H = probe_curvature(basin.grad, c[None], torch.full((D,), 1e-3, dtype=torch.float64))
        metric = curvature_metric(H, rank=a.rank if a.metric == 'rank' else None)
    t_metric = time.perf_counter() - t0
    print(f'D = {D}, metric {a.metric}{f" (rank {a.rank})" if a.metric == "rank" else ""}: built in {t_metric:.1f} s, '
          f'{basin.n_grads} gradients; one thread: {torch.get_num_threads() == 1}', flush=True)
    rows, levels = [], sorted((float(x) for x in a.levels.split(',')), reverse=True)

    def log(line):
        fields = dict(kv.split('=', 1) for kv in line.replace('k E[r]', 'kEr').split() if '=' in kv)
        if 'kEr' in fields: rows.append((time.perf_counter() - t0, float(fields['kEr']), float(fields['events/move']), basin.n_evals))
        if time.perf_counter() - t0 > a.budget: raise OutOfTime

    try: descend(basin, c, metric, 'gaussian', cfg.sigma, torch.Generator().manual_seed(0), log=log)
    except OutOfTime: pass
    print(f'{len(rows)} rungs in {time.perf_counter() - t0:.0f} s (metric included), {basin.n_evals / 1e6:.2f} M evaluations, '
          f'k E[r] = {rows[-1][1]:.4g} at the last rung' if rows else 'no rung within the budget')
    print(f"{'k E[r] <=':>10} {'seconds':>8} {'M evals':>8} {'rungs':>6} {'reflections/move':>17}")
    for level in levels:
        hit = next(((i, r) for i, r in enumerate(rows) if r[1] <= level), None)
        if hit is None: print(f'{level:>10.0f} {"not reached":>8}'); continue
        i, (t, _, events, evals) = hit
        print(f'{level:>10.0f} {t:>8.0f} {evals / 1e6:>8.2f} {i + 1:>6} {events:>17.1f}')


if __name__ == '__main__':
    main()
