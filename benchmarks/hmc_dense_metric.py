"""Seconds per reflective HMC update with a dense metric at large D: the log-uniform ellipsoid with a `Kronecker` rotation,
its own metric given as a dense basis (what a learned dense metric is), cutoff 1e-2.

    OMP_NUM_THREADS=1 python benchmarks/hmc_dense_metric.py            # D = 10,000 (about 3 GB while the basis is built)
    OMP_NUM_THREADS=1 python benchmarks/hmc_dense_metric.py --dim 2500 --prior gaussian --k-fraction 0.03

Under the uniform prior the flights reflect in parameters (one product with the metric's inverse per reflection), under
the Gaussian prior in whitened coordinates (two products with the basis).

The chains start from inside draws of the reference at k_max (90% inside) and make --updates updates at --k-fraction times
k_max (0.5 by default), where the walls hold them: at smaller fractions the chains reflect more often per move. Per update: seconds, evaluations, reflections. Run it on two versions of palamedes (e.g. with
`PYTHONPATH` set to a checkout of each) to compare them: the evaluations and reflections show whether they did the same work.
"""
import argparse, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--dim', type=int, default=10_000, help='a product a*b of integers > 1 (the Kronecker rotation)')
    p.add_argument('--chains', type=int, default=32)
    p.add_argument('--updates', type=int, default=3)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--prior', choices=['uniform', 'gaussian'], default='uniform')
    p.add_argument('--k-fraction', type=float, default=0.5, help='the chains move at this fraction of k_max')
    p.add_argument('--moves', type=int, default=1, help='consecutive moves of each chain per update (a sweep makes 1 to 8)')
    a = p.parse_args()
    import torch
    from tyche.basins import Ellipsoid, spectrum, Kronecker
    from palamedes.samplers import Basin, Metric, references, init_chains, hmc_step
    from palamedes.ladder import find_k_max, reference_draws
    g = torch.Generator().manual_seed(a.seed)
    h, Q = spectrum('loguniform', a.dim), Kronecker(a.dim, seed=a.seed + 1)
    anchor = 0.01*torch.randn(a.dim, dtype=torch.float64, generator=g)
    basin = Basin(Ellipsoid(h, anchor, rotation=Q), anchor, 1e-2)
    t = time.time()
    metric = Metric(h/h.log().mean().exp(), Q.apply(torch.eye(a.dim, dtype=torch.float64)).T.contiguous())  # columns: Q e_i
    y0 = metric.to_basis(anchor)
    k = find_k_max(basin, y0, metric, a.prior, 1., g, n=64, p_target=0.9)
    x, inside = reference_draws(k, basin, y0, metric, a.prior, 1., 4*a.chains, g)
    frame, _ = references([a.k_fraction*k], y0, metric, a.prior, 1.)
    x, rung = x[inside][:a.chains], torch.zeros(min(a.chains, int(inside.sum())), dtype=torch.long)
    state = init_chains(frame.w(metric.to_basis(x), rung), rung, basin, frame)
    print(f'D = {a.dim}, {a.prior} prior, {len(x)} chains at k = {a.k_fraction*k:.4g} ({a.k_fraction:g} k_max), {a.moves} moves per update; set up in {time.time() - t:.1f} s')
    print(f'{"update":>6} {"s":>7} {"evaluations":>12} {"reflections":>12}')
    for i in range(a.updates):
        t = time.time()
        state, info = hmc_step(state, basin, frame, g, moves=torch.full((len(x),), a.moves))
        print(f'{i:>6} {time.time() - t:>7.1f} {int(info.n_evals.sum()):>12} {int(info.n_events.sum()):>12}')


if __name__ == '__main__': main()
