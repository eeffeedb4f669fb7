"""palamedes vs tyche on the paper's digits MLP (issue 7).

Measures the log prior mass (nats) of the KL basin (cutoff 1e-2, KL on the held-out digits) of the clean
64-64-10 GELU digits MLP (4,810 parameters, trained by `tyche.digits.train_digits` with default settings)
under the Gaussian prior N(0, sigma^2 I), sigma = 1/sqrt(l2 N) = 1.3975, with:

- tyche (fast stochastic lower bound): random directions, and Adam-preconditioned directions
  (alpha 0.5, eps 1e-4), via `tyche.digits.basin_volume`;
- palamedes (replica exchange over spring constants, reflective HMC, MBAR): `palamedes.estimate_volume` with its
  defaults (metric learned from the chains), starting from no metric or from the same Adam diagonal.

Prints one table (estimator, log-volume, log10, stderr, whether palamedes' gates passed, cost evaluations, wall
seconds), then palamedes - best tyche with the combined error bar and whether palamedes >= tyche_best - err.
tyche is a lower bound, so palamedes below tyche_best by more than the combined error bar signals a problem.

The trained network is cached under OUT/model; palamedes writes a checkpoint per metric and setting under OUT
so a long run resumes; finished results are cached as JSON under OUT (delete them to recompute).

    OMP_NUM_THREADS=2 python benchmarks/palamedes_digits.py --quick
    OMP_NUM_THREADS=2 python benchmarks/palamedes_digits.py --n-chains 32 --n-sweeps 64
"""
import argparse, json, math, os, sys, time, traceback
from pathlib import Path
import torch
from torch import nn
from tyche.digits import DigitsConfig, train_digits, basin_volume, load_digits_split, LN10
from tyche.costs import KLCost
from tyche.precondition import from_adam
import palamedes


def _json(path, compute):
    path = Path(path)
    if path.is_file(): return json.loads(path.read_text())
    r = compute()
    path.write_text(json.dumps(r, indent=1))
    return r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n-chains', type=int, default=32)
    ap.add_argument('--n-sweeps', type=int, default=64)
    ap.add_argument('--quick', action='store_true', help='8 chains, 16 sweeps (overrides the two above)')
    ap.add_argument('--out', default='palamedes_digits_out', help='folder for the model cache, checkpoints and results')
    ap.add_argument('--n-samples', type=int, default=1000, help="tyche's number of directions")
    ap.add_argument('--metrics', default='none,adam', help='palamedes spring metrics to run: none, adam, or none,adam')
    ap.add_argument('--cutoff', type=float, default=1e-2)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--progress', action='store_true')
    a = ap.parse_args(argv)
    if a.quick: a.n_chains, a.n_sweeps = 8, 16
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    print(f'# {time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}  torch threads {torch.get_num_threads()}  '
          f'load {os.getloadavg()[0]:.2f}  argv {sys.argv[1:]}', flush=True)

    cfg = DigitsConfig()
    t0 = time.perf_counter()
    run = train_digits(cfg, folder=out/'model')
    ck = run.checkpoint()
    print(f'# clean digits MLP: {sum(p.numel() for p in ck.model.parameters())} parameters, step {ck.step}, '
          f'held-out accuracy {run.test_accuracy():.3f}, sigma {cfg.sigma:.4f} ({time.perf_counter()-t0:.1f} s)', flush=True)

    rows = []
    for pre in (None, 'adam'):
        name = f'tyche {pre or "none"}'
        r = _json(out/f'tyche_{pre or "none"}_n{a.n_samples}_c{a.cutoff:g}_s{a.seed}.json',
                  lambda: basin_volume(ck, pre, cutoff=a.cutoff, n_samples=a.n_samples, alpha=0.5, eps=1e-4, seed=a.seed))
        rows.append(dict(name=name, lv=r['log_volume'], se=r['stderr'], n_evals=r['n_evals'], wall=r['seconds'],
                         note=f"ESS {r['ess']:.1f}, unconverged {r['n_unconverged']}"))
        print(f'# {name}: {r["log_volume"]:.1f} ± {r["stderr"]:.1f} ({r["seconds"]:.1f} s)', flush=True)

    # the same KL cost and anchor tyche uses (see tyche.digits.basin_volume)
    x = load_digits_split(cfg.train_size, cfg.seed).x_test
    cost = KLCost(ck.model, x)   # differentiable (not the memory-light in-place mode): palamedes' HMC reflects off its gradient
    center = nn.utils.parameters_to_vector(ck.model.parameters()).detach()
    P = from_adam(ck.optimizer_state, ck.model, moment=2, alpha=0.5, eps=1e-4)
    for m in [s.strip() for s in a.metrics.split(',') if s.strip()]:
        if m not in ('none', 'adam'): ap.error(f'unknown metric {m!r}')
        tag = f'{m}_c{a.n_chains}_s{a.n_sweeps}_cut{a.cutoff:g}_seed{a.seed}'
        name = f'palamedes {m}'
        def compute():
            res = palamedes.estimate_volume(cost, center, cutoff=a.cutoff, prior='gaussian', sigma=cfg.sigma, seed=a.seed,
                                            preconditioner=P if m == 'adam' else None, n_chains=a.n_chains,
                                            n_sweeps=a.n_sweeps, checkpoint=str(out/f'run_{tag}.pt'),
                                            progress=a.progress)
            return dict(log_volume=res.log_volume, stderr=res.stderr, equilibrated=res.equilibrated, problems=res.problems,
                        rungs=len(res.ks), n_evals=res.n_evals, wall=res.wall, repr=repr(res))
        t1 = time.perf_counter()
        try: r = _json(out/f'palamedes_{tag}.json', compute)
        except Exception as e:
            traceback.print_exc()
            rows.append(dict(name=name, lv=float('nan'), se=float('nan'), n_evals=0, wall=time.perf_counter()-t1,
                             note=f'FAILED: {type(e).__name__}: {str(e)[:200]}'))
            continue
        print(f'# {name}: {r["repr"]}', flush=True)
        rows.append(dict(name=name, lv=r['log_volume'], se=r['stderr'], n_evals=r['n_evals'], wall=r['wall'],
                         note=f"{r['rungs']} rungs, " + ('equilibrated' if r['equilibrated'] else '; '.join(r['problems']))))

    print(f'\npalamedes: {a.n_chains} chains, {a.n_sweeps} sweeps; tyche: {a.n_samples} directions; '
          f'KL cutoff {a.cutoff:g}, prior N(0, {cfg.sigma:.4f}^2)')
    h = f'{"estimator":<16}{"log-volume (nats)":>22}{"log10":>12}{"evals":>11}{"wall (s)":>10}  notes'
    print(h); print('-'*len(h))
    for r in rows:
        print(f'{r["name"]:<16}{r["lv"]:>13.1f} ± {r["se"]:<6.1f}{r["lv"]/LN10:>12.1f}{r["n_evals"]:>11}{r["wall"]:>10.1f}  {r["note"]}')
    ty = [r for r in rows if r['name'].startswith('tyche') and math.isfinite(r['lv'])]
    best = max(ty, key=lambda r: r['lv'])
    print(f'\nbest tyche: {best["name"]} {best["lv"]:.1f} ± {best["se"]:.1f}')
    for r in rows:
        if not r['name'].startswith('palamedes') or not math.isfinite(r['lv']): continue
        d, err = r['lv'] - best['lv'], math.hypot(r['se'], best['se'])
        ok = r['lv'] >= best['lv'] - err
        if r['lv'] > err: print(f'{r["name"]}: log prior mass {r["lv"]:.1f} ± {err:.1f} is above 0 by more than its error bar: impossible')
        print(f'{r["name"]} - {best["name"]} = {d:+.1f} ± {err:.1f} nats ({d/LN10:+.1f} log10); '
              f'palamedes >= tyche_best - err: {"holds" if ok else "VIOLATED"}')


if __name__ == '__main__': main()
