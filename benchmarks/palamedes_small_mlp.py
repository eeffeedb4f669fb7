"""palamedes on a real network with a reference: a small tanh MLP whose KL basin is measured three ways.

The network: scikit-learn's digits pooled to 4 x 4 pixels, classes 0-2, a 16-6-3 tanh MLP (123 parameters) trained
with Adam. The basin: KL(anchor || theta) <= 1e-2 on 200 held-out digits, under the Gaussian prior N(0, sigma^2 I).

- reference: two independent long runs with different exact samplers and many sweeps, which must agree within their
  errors: reflective HMC with the identity metric, and elliptical slice (which needs no gradient; its moves are cheap,
  so it runs `--ess-sweeps` sweeps) with the metric palamedes' defaults learned when that run's checkpoint is in
  `--checkpoints`, else with the metric it learns from its own chains;
- palamedes with its defaults (learned metric, reflective HMC);
- tyche with random directions, and with palamedes' learned metric as preconditioner.

    OMP_NUM_THREADS=2 python benchmarks/palamedes_small_mlp.py

With `--checkpoints FOLDER` every palamedes run checkpoints there: an interrupted run resumes, and a rerun with more
`--reference-sweeps` extends the references instead of starting again. `--only` picks rows.
"""
import argparse, math, os, time, warnings
import torch
from torch import nn
import tyche
from tyche.costs import KLCost
from tyche.digits import load_digits_split
from palamedes import estimate_volume
from palamedes.estimate import RunState
from palamedes.samplers import Metric


def small_mlp(seed=0, steps=2000):
    "The trained 16-6-3 tanh MLP, its held-out inputs, and its parameter count"
    data = load_digits_split(1024, seed)
    pool = lambda x: nn.functional.avg_pool2d(x.reshape(-1, 1, 8, 8), 2).reshape(-1, 16)
    keep = lambda y: y < 3
    x, y = pool(data.x_train)[keep(data.y_train)], data.y_train[keep(data.y_train)]
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(16, 6), nn.Tanh(), nn.Linear(6, 3))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(steps):
        opt.zero_grad(); nn.functional.cross_entropy(model(x), y).backward(); opt.step()
    held = pool(data.x_test)[keep(data.y_test)][:200]
    return model, held, sum(p.numel() for p in model.parameters())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cutoff', type=float, default=1e-2)
    ap.add_argument('--sigma', type=float, default=1.0)
    ap.add_argument('--reference-sweeps', type=int, default=128)
    ap.add_argument('--ess-sweeps', type=int, default=1024)
    ap.add_argument('--checkpoints', default=None, help='folder for the palamedes checkpoints (resume and extend)')
    ap.add_argument('--only', nargs='*', default=['hmc', 'ess', 'defaults', 'tyche'], choices=['hmc', 'ess', 'defaults', 'tyche'])
    a = ap.parse_args()
    model, held, D = small_mlp()
    model.double()
    cost = KLCost(model, held.double())
    center = nn.utils.parameters_to_vector(model.parameters()).detach()
    print(f'16-6-3 tanh MLP, {D} parameters; KL cutoff {a.cutoff}, prior N(0, {a.sigma}^2 I)')
    hdr = f'{"estimator":44} {"log-mass":>10} {"stderr":>7} {"eq":>3} {"evals":>10} {"grads":>9} {"wall s":>7}'
    print(hdr); print('-'*len(hdr))
    rows = {}
    def show(name, res, wall):
        rows[name] = res
        if hasattr(res, 'equilibrated'):
            print(f'{name:44} {res.log_volume:>10.3f} {res.stderr:>7.3f} {"yes" if res.equilibrated else "no":>3} '
                  f'{res.n_evals:>10} {res.n_grads:>9} {wall:>7.1f}', flush=True)
            if not res.equilibrated: print(f'{"":44} gates: {"; ".join(res.problems)}')
        else: print(f'{name:44} {res.log_volume:>10.3f} {res.stderr:>7.3f} {"":>3} {res.n_evals:>10} {"":>9} {wall:>7.1f}', flush=True)
    kw = dict(cutoff=a.cutoff, sigma=a.sigma, progress=False)
    path = lambda name: None if a.checkpoints is None else os.path.join(a.checkpoints, f'{name}.pt')
    refs = {'hmc': ('reference 1: reflective HMC, identity metric', dict(sampler='hmc', learn_metric=False, seed=1,
                                                                        n_sweeps=a.reference_sweeps)),
            'ess': ('reference 2: elliptical slice, its own metric', dict(sampler='ess', learn_metric=True, seed=2, n_sweeps=a.ess_sweeps))}
    learned = path('defaults')
    if learned is not None and os.path.exists(learned):   # the metric palamedes' defaults learned (the run's state holds it)
        state = RunState(**torch.load(learned, weights_only=True))
        refs['ess'] = ("reference 2: elliptical slice, defaults' metric", dict(sampler='ess', learn_metric=False, seed=2, n_sweeps=a.ess_sweeps,
                                                                              preconditioner=Metric(state.lam, state.basis)))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for key in [k for k in refs if k in a.only]:
            name, extra = refs[key]
            t = time.time()
            show(name, estimate_volume(cost, center, n_chains=32, checkpoint=path(key), **extra, **kw),
                 time.time() - t)
        if 'defaults' in a.only or 'tyche' in a.only:
            t = time.time(); res = estimate_volume(cost, center, checkpoint=path('defaults'), **kw); show('palamedes, defaults', res, time.time() - t)
        if 'tyche' in a.only:
            for name, pre in [('tyche, random directions (1000)', None), ("tyche, palamedes' metric (1000)", res.preconditioner())]:
                t = time.time()
                show(name, tyche.estimate_volume(cost, center, cutoff=a.cutoff, sigma=a.sigma, n_samples=1000, preconditioner=pre,
                                                 progress=False), time.time() - t)
    if all(refs[k][0] in rows for k in refs):
        r1, r2 = (rows[refs[k][0]] for k in refs)
        d, e = r1.log_volume - r2.log_volume, math.hypot(r1.stderr, r2.stderr)
        ref = (r1.log_volume/r1.stderr**2 + r2.log_volume/r2.stderr**2)/(1/r1.stderr**2 + 1/r2.stderr**2)
        print(f'references agree: {d:+.3f} +- {e:.3f} nats ({"yes" if abs(d) <= 2*e else "NO"}); combined reference {ref:.3f}')
        if 'palamedes, defaults' in rows:
            print(f'palamedes defaults - reference: {rows["palamedes, defaults"].log_volume - ref:+.3f} nats (target: within 3)')


if __name__ == '__main__': main()
