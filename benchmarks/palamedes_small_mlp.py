"""palamedes on a real network with a reference: a small tanh MLP whose KL basin is measured three ways.

The network: scikit-learn's digits pooled to 4 x 4 pixels, classes 0-2, a 16-6-3 tanh MLP (123 parameters) trained
with Adam. The basin: KL(anchor || theta) <= 1e-2 on 200 held-out digits, under the Gaussian prior N(0, sigma^2 I).

- reference: reflective HMC with the identity metric and many sweeps;
- its gradient-free check (`stationarity`, needs `--checkpoints`): random-walk Metropolis with a fixed proposal (each half
  of a rung's chains moves with the other half's covariance), an exact kernel that needs no gradient, run at every rung
  from the reference's final chains; a distribution that is not the rung's target drifts away under it, so its E_k[r]
  is compared with the reference's, rung by rung;
- a second, independent reference (`metropolis`): random-walk Metropolis from a cold start on the reference's rungs
  (independent draws at the top, a descent, replica exchange, MBAR), in `metropolis.py`, which shares no sampler code
  with palamedes; each round also proposes a relabelling of the hidden units (`palamedes.symmetries.hidden_unit_symmetry`,
  a map of parameter vectors, the one piece it takes from palamedes), which leaves the function and the prior as they
  were, so that the low rungs reach the basin's relabelled copies;
- elliptical slice sampling (needs no gradient) from its own cold descent, with the metric palamedes' defaults learned
  when that run's checkpoint is in `--checkpoints`, else with the metric it learns from its own chains;
- palamedes with its defaults (learned metric, reflective HMC), and (`relabel`) with the hidden units' relabelling
  as its `symmetry`, a denser ladder (spacing 1.0) and 128 sweeps;
- palamedes with its defaults and (`domain`) its chains kept in the anchor's cell among the relabellings
  (`palamedes.symmetries.HiddenUnitDomain`), the log-mass that cell's times their number (2^6 6!);
- tyche with random directions, and with palamedes' learned metric as preconditioner.

    OMP_NUM_THREADS=2 python benchmarks/palamedes_small_mlp.py

With `--checkpoints FOLDER` every palamedes run checkpoints there: an interrupted run resumes, and a rerun with more
`--reference-sweeps` extends the references instead of starting again. Use the same number of threads as the run that
wrote them: training rounds differently on another thread count, and a checkpoint of another anchor is refused. `--only` picks rows.
"""
import argparse, math, os, time, warnings
import torch
from torch import nn
import tyche
from tyche.costs import KLCost
from tyche.digits import load_digits_split
from palamedes import estimate_volume
from palamedes.estimate import RunState
from palamedes.samplers import Basin, Metric
from palamedes.symmetries import hidden_unit_symmetry, HiddenUnitDomain
from metropolis import cold_start, stationarity


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
    ap.add_argument('--stationarity-rounds', type=int, default=6000)
    ap.add_argument('--metropolis-burn', type=int, default=2000, help='cold-start Metropolis: burn-in rounds per rung')
    ap.add_argument('--metropolis-rounds', type=int, default=40000, help='cold-start Metropolis: rounds of the whole ladder')
    rows_all = ['hmc', 'stationarity', 'metropolis', 'ess', 'defaults', 'relabel', 'domain', 'tyche']
    ap.add_argument('--only', nargs='*', default=rows_all, choices=rows_all)
    a = ap.parse_args()
    for row in ('stationarity', 'metropolis'):
        if row in a.only and 'hmc' not in a.only: ap.error(f'--only {row} needs hmc too (the run whose rungs it uses)')
    model, held, D = small_mlp()
    model.double()
    symmetry = hidden_unit_symmetry(model)   # permutations and sign flips of the 6 tanh units
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
    refs = {'hmc': ('reference: reflective HMC, identity metric', dict(sampler='hmc', learn_metric=False, seed=1,
                                                                        n_sweeps=a.reference_sweeps)),
            'ess': ('elliptical slice, its own metric', dict(sampler='ess', learn_metric=True, seed=2, n_sweeps=a.ess_sweeps))}
    learned = path('defaults')
    if learned is not None and os.path.exists(learned):   # the metric palamedes' defaults learned (the run's state holds it)
        state = RunState(**torch.load(learned, weights_only=True))
        refs['ess'] = ("elliptical slice, defaults' metric", dict(sampler='ess', learn_metric=False, seed=2, n_sweeps=a.ess_sweeps,
                                                                              preconditioner=Metric(state.lam, state.basis)))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for key in [k for k in refs if k in a.only]:
            name, extra = refs[key]
            t = time.time()
            show(name, estimate_volume(cost, center, n_chains=32, checkpoint=path(key), **extra, **kw),
                 time.time() - t)
            if key == 'hmc' and 'stationarity' in a.only: check_reference(cost, center, a, path('hmc'), rows[name])
            if key == 'hmc' and 'metropolis' in a.only: second_reference(cost, center, a, rows[name], symmetry)
        if 'defaults' in a.only or 'tyche' in a.only:
            t = time.time(); res = estimate_volume(cost, center, checkpoint=path('defaults'), **kw); show('palamedes, defaults', res, time.time() - t)
        if 'relabel' in a.only:
            t = time.time()
            show('palamedes + relabelling, spacing 1, 128 sweeps', estimate_volume(   # the default spacing leaves the bottom sparse
                cost, center, checkpoint=path('relabel'), symmetry=symmetry, spacing=1.0, n_sweeps=128, **kw), time.time() - t)
        if 'domain' in a.only:
            t = time.time()
            show("palamedes + the hidden units' cell, defaults", estimate_volume(
                cost, center, checkpoint=path('domain'), domain=HiddenUnitDomain(model, center), **kw), time.time() - t)
        if 'tyche' in a.only:
            for name, pre in [('tyche, random directions (1000)', None), ("tyche, palamedes' metric (1000)", res.preconditioner())]:
                t = time.time()
                show(name, tyche.estimate_volume(cost, center, cutoff=a.cutoff, sigma=a.sigma, n_samples=1000, preconditioner=pre,
                                                 progress=False), time.time() - t)
    ref = rows.get(refs['hmc'][0])
    if ref is not None and 'palamedes, defaults' in rows:
        d = rows['palamedes, defaults'].log_volume - ref.log_volume
        print(f'palamedes defaults - reference: {d:+.3f} +- {math.hypot(ref.stderr, rows["palamedes, defaults"].stderr):.3f} nats '
              f'(target: within 3)')


def rung_z(r, ref):
    "Each rung's mean spring and its standard error from springs r [T, K, C] (chains as independent), and z against `ref`"
    per_chain = r.mean(0)                                   # [K, C]
    mean, se = per_chain.mean(1), per_chain.std(1)/math.sqrt(per_chain.shape[1])
    return mean, se, (mean - ref.mean_r)/(se.pow(2) + ref.se_r.pow(2)).sqrt()


def check_reference(cost, center, a, checkpoint, ref):
    "Print the gradient-free stationarity check of the HMC reference, rung by rung"
    if checkpoint is None: print('stationarity check: needs --checkpoints (the reference run\'s chains)'); return
    t = time.time()
    state, basin = RunState(**torch.load(checkpoint, weights_only=True)), Basin(cost, center, a.cutoff, distributed=False)
    r, acc = stationarity(basin, center, state.ks, state.x, a.sigma, a.stationarity_rounds)
    n_evals = basin.n_evals
    mean, se, z = rung_z(r, ref)
    print(f'stationarity: random-walk Metropolis from the reference\'s chains, {a.stationarity_rounds} rounds at each of {len(z)} rungs '
          f'(acceptance {float(acc.min()):.2f}..{float(acc.max()):.2f}, {n_evals} evaluations, {time.time() - t:.0f} s)')
    print(f'  E_k[r] against the reference: z mean {float(z.mean()):+.2f}, sd {float(z.std()):.2f}, max |z| {float(z.abs().max()):.2f}; '
          f'lowest rung {float(mean[0]):.1f} vs {float(ref.mean_r[0]):.1f}')
    print(f'  {"k":>10} {"reference E_k[r]":>20} {"Metropolis E_k[r]":>20} {"z":>6}')
    for j in range(len(z)):
        print(f'  {float(ref.ks[j]):>10.4g} {float(ref.mean_r[j]):>12.4g} +- {float(ref.se_r[j]):<6.2g} '
              f'{float(mean[j]):>12.4g} +- {float(se[j]):<6.2g} {float(z[j]):>+6.2f}')

def second_reference(cost, center, a, ref, symmetry):
    "Print the cold-start Metropolis estimate on the reference's rungs, and its E_k[r] against the reference's"
    t, basin = time.time(), Basin(cost, center, a.cutoff, distributed=False)
    out = cold_start(basin, center, ref.ks, a.sigma, n_burn=a.metropolis_burn, n_rounds=a.metropolis_rounds,
                     symmetry=symmetry)
    z = rung_z(out['r'], ref)[2]
    print(f'{"reference 2: Metropolis + relabelling, cold start":44} {out["log_volume"]:>10.3f} {out["stderr"]:>7.3f} {"":>3} '
          f'{out["n_evals"]:>10} {0:>9} {time.time() - t:>7.1f}')
    print(f'  {a.metropolis_burn} burn-in rounds per rung, {a.metropolis_rounds} rounds of {len(ref.ks)} rungs; acceptance '
          f'{float(out["acceptance"].min()):.2f}..{float(out["acceptance"].max()):.2f}, swaps {out["swap_rate"]:.2f}; replica sets '
          f'{" ".join(f"{float(g):.2f}" for g in out["groups"])}; E_k[r] against reference 1: z mean {float(z.mean()):+.2f}, '
          f'sd {float(z.std()):.2f}, max |z| {float(z.abs().max()):.2f}')
    d = out['log_volume'] - ref.log_volume
    print(f'  reference 2 - reference 1: {d:+.3f} +- {math.hypot(out["stderr"], ref.stderr):.3f} nats')

if __name__ == '__main__': main()
