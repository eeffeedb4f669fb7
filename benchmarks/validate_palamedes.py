"""Validate palamedes against the exact-answer suite (`palamedes.validation.validation_cases`), with defaults, no metric given.

One row per case: the truth, palamedes' estimate and stderr, the error in stderrs, the error of thermodynamic
integration over the same samples (the cross-check the gates compare with), whether the gates passed, tyche's
estimate with random directions and with palamedes' learned metric as preconditioner (errors in nats), palamedes'
sweeps (n_sweeps, then more until its stderr reaches --target-stderr, palamedes' default 0.15), wall time, cost
evaluations and gradients. With `--box-metric identity` the boxes run with the identity metric (`learn_metric=False`);
by default they run with the defaults like every other case. Wherever a box's metric is the
identity in the end (given, or the descent found nothing to round), or an ellipsoid's learned metric is its own (under
the uniform prior: `metric_is_exact`), every rung's z-score of E_k[r] against its exact value (`box_spring_means`,
`ellipsoid_spring_means`) is printed: an equilibration check independent of the final number; and the error is split
into the top's (the fraction inside at k_max), the ladder's (MBAR over the rungs) and the tail's (below the lowest
rung), each against its exact value (`error_split` with `box_log_z` or `ellipsoid_log_z`).
Ends with the coverage.

    OMP_NUM_THREADS=2 python benchmarks/validate_palamedes.py --dims 100           # minutes
    OMP_NUM_THREADS=2 python benchmarks/validate_palamedes.py --dims 1000 --only box --box-metric identity
    OMP_NUM_THREADS=1 python benchmarks/validate_palamedes.py --dims 1000 --dense-max 100 --only "rotated box/gaussian"

A long case can keep its palamedes run in a checkpoint (`--checkpoint-dir DIR`, one file per dimension, case, prior and
seed): run the same command again after an interruption and it resumes where it stopped, with the same result; its
"wall s" then counts only what that invocation ran. `--progress` shows palamedes' progress bars.
"""
import argparse, re, time, warnings
from pathlib import Path
import tyche
from palamedes import estimate_volume
from palamedes.validation import (validation_cases, box_spring_means, box_log_z, ellipsoid_spring_means, ellipsoid_log_z,
                                  error_split, metric_is_exact)

EPS, SIGMA = 1e-2, 1.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--dims', type=int, nargs='+', default=[100])
    ap.add_argument('--only', nargs='*', help='run only cases whose "name/prior" matches one of these regular expressions anywhere '
                                                 '("^box/" picks the axis-aligned box, "box/" both boxes)')
    ap.add_argument('--n-chains', type=int, default=32)
    ap.add_argument('--n-sweeps', type=int, default=32)
    ap.add_argument('--target-stderr', type=float, default=0.15,
                    help='palamedes sweeps on until its stderr is at most this (0: stop at --n-sweeps)')
    ap.add_argument('--tyche-directions', type=int, default=200, help="tyche's directions (0: no tyche columns)")
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--sampler', default='auto', help='palamedes sampler: auto (reflective HMC here), hmc, ess or sgld')
    ap.add_argument('--dense-max', type=int, default=10_000,
                    help='largest D whose rotated basins get a dense Haar rotation; above it a Kronecker-structured one (D^1.5 per evaluation)')
    ap.add_argument('--box-metric', default='learned', choices=['learned', 'identity'],
                    help="boxes: palamedes' default learned metric, or the identity metric (learn_metric=False)")
    ap.add_argument('--checkpoint-dir',
                    help="keep each case's palamedes run in a checkpoint in this folder (resumed when run again)")
    ap.add_argument('--progress', action='store_true', help="show palamedes' progress bars")
    a = ap.parse_args()
    if a.checkpoint_dir: Path(a.checkpoint_dir).mkdir(parents=True, exist_ok=True)
    print(f'palamedes.estimate_volume defaults (sampler={a.sampler}, n_chains={a.n_chains}, n_sweeps={a.n_sweeps}, '
          f'target_stderr={a.target_stderr or None}), cutoff {EPS}, sigma {SIGMA}, '
          f'seed {a.seed}, boxes with the {a.box_metric} metric, rotations dense up to D = {a.dense_max} and Kronecker above; tyche with {a.tyche_directions} directions; errors in nats')
    hdr = (f'{"D":>6} {"basin":32} {"prior":8} {"truth":>11} {"palamedes":>11} {"stderr":>7} {"err":>8} {"err/se":>7} {"TI err":>7} {"eq":>3} '
           f'{"tyche err":>10} {"w/ metric":>10} {"sweeps":>6} {"wall s":>7} {"evals":>10} {"grads":>9}')
    print(hdr); print('-'*len(hdr))
    rows = []
    for D in a.dims:
        for name, basin, prior in validation_cases(D, dense_max=a.dense_max):
            if a.only and not any(re.search(o, f'{name}/{prior}') for o in a.only): continue
            truth = basin.log_mass(EPS, prior, SIGMA)
            identity = 'box' in name and a.box_metric == 'identity'
            case = re.sub(r'\W+', '_', f'{D}_{name}_{prior}_seed{a.seed}')
            ck = str(Path(a.checkpoint_dir) / f'{case}.pt') if a.checkpoint_dir else None
            t = time.time()
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                res = estimate_volume(basin, basin.center, EPS, prior=prior, sigma=SIGMA, seed=a.seed, learn_metric=not identity, sampler=a.sampler,
                                      n_chains=a.n_chains, n_sweeps=a.n_sweeps, target_stderr=a.target_stderr or None, checkpoint=ck, progress=a.progress)
                wall = time.time() - t
                kw = dict(cutoff=EPS, prior=prior, sigma=SIGMA, n_samples=a.tyche_directions, seed=a.seed, progress=False)
                tyche_err = lambda **more: (f'{tyche.estimate_volume(basin, basin.center, **kw, **more).log_volume - truth:+.2f}'
                                            if a.tyche_directions else '-')
                naive, rounded = tyche_err(), tyche_err(preconditioner=res.preconditioner())
            err = res.log_volume - truth
            if 'box' in name and res.metric.basis is None and bool((res.metric.lam == 1).all()):   # E_k[r] and Z(k) known
                exact_r, log_z = box_spring_means(basin, EPS, res.ks, prior, SIGMA), lambda ks: box_log_z(basin, EPS, ks, prior, SIGMA)
            elif 'ellipsoid' in name and prior == 'uniform' and metric_is_exact(res.metric, basin):
                exact_r, log_z = ellipsoid_spring_means(basin, EPS, res.ks), lambda ks: ellipsoid_log_z(basin, EPS, ks)
            else: exact_r = None
            rows.append((abs(err) <= 2*res.stderr, res.stderr <= 2))
            print(f'{D:>6} {name:32} {prior:8} {truth:>11.3f} {res.log_volume:>11.3f} {res.stderr:>7.3f} {err:>+8.3f} '
                  f'{err/res.stderr:>+7.2f} {res.log_volume_ti - truth:>+7.3f} {"yes" if res.equilibrated else "no":>3} {naive:>10} '
                  f'{rounded:>10} {res.n_sweeps:>6} {wall:>7.1f} {res.n_evals:>10} {res.n_grads:>9}', flush=True)
            if exact_r is not None:
                z = (res.mean_r - exact_r)/res.se_r
                print(f'{"":>6} rung z-scores of E_k[r] ({len(z)} rungs): mean {float(z.mean()):+.2f}, sd {float(z.std()):.2f}, '
                      f'max |z| {float(z.abs().max()):.2f}')
                top_err, top_se, ladder_err, tail_err, rest_se = error_split(res, log_z)
                print(f'{"":>6} error of the top (fraction inside at k_max) {top_err:+.3f} +- {top_se:.3f}, of the ladder '
                      f'{ladder_err:+.3f} and of the tail {tail_err:+.4f} (+- {rest_se:.3f} together; tail error bound {res.tail_err:.4f})')
            if res.rejected: print(f'{"":>6} HMC moves rejected: {res.rejected:.2e} of them')
            if not res.equilibrated: print(f'{"":>6} gates: {"; ".join(res.problems)}')
    covered = sum(c for c, _ in rows); tight = sum(c and s for c, s in rows)
    print(f'coverage |error| <= 2 stderr: {covered}/{len(rows)}; with stderr <= 2 nats as well: {tight}/{len(rows)}')


if __name__ == '__main__': main()
