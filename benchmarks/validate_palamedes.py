"""Validate palamedes' thermodynamic-integration estimator on the exact-answer suite of `tyche.basins`.

Prints one row per case: dimension, basin, prior, preconditioner (metric), estimate, truth, error, stderr, error/stderr,
wall time, cost evaluations and rungs, then the coverage (|error| <= 2 stderr).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/validate_palamedes.py --quick   # D = 1e3 (a few minutes)
    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/validate_palamedes.py           # adds D = 1e4 (long)
"""
import argparse, math, time
import torch
from tyche.basins import Ellipsoid, Box, spectrum, random_rotation
from palamedes.ti import estimate_volume

EPS = 1e-2


def cases(D, rotated=True, unpreconditioned=True):
    g = torch.Generator().manual_seed(D)
    c = 0.1*torch.randn(D, generator=g, dtype=torch.float64)                  # shifted anchor, RMS about 0.1
    iso, lu, pw = spectrum('isotropic', D), spectrum('loguniform', D), spectrum('powerlaw', D)
    yield 'ball', Ellipsoid(iso, c), 'uniform', None, 'none'
    yield 'ball (shifted anchor)', Ellipsoid(iso, c), 'gaussian', None, 'none'
    yield 'ellipsoid loguniform', Ellipsoid(lu, c), 'uniform', lu.rsqrt(), 'exact diag'
    yield 'ellipsoid loguniform', Ellipsoid(lu, c), 'gaussian', lu.rsqrt(), 'exact diag'
    yield 'ellipsoid powerlaw', Ellipsoid(pw, c), 'uniform', pw.rsqrt(), 'exact diag'
    if rotated:
        Q = random_rotation(D, seed=1)
        yield 'ellipsoid powerlaw rotated', Ellipsoid(pw, c, rotation=Q), 'gaussian', Q*pw.rsqrt(), 'exact dense'
    w = torch.ones(D, dtype=torch.float64)
    yield 'box (cube)', Box(w, c), 'uniform', None, 'none'
    yield 'box (cube)', Box(w, c), 'gaussian', None, 'none'
    if unpreconditioned:
        yield 'ellipsoid powerlaw', Ellipsoid(pw, c), 'uniform', None, 'none'
        yield 'ellipsoid loguniform', Ellipsoid(lu, c), 'uniform', None, 'none'


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quick', action='store_true', help='D = 1e3 only')
    ap.add_argument('--dims', type=int, nargs='*', help='dimensions to run (default 1000, and 10000 unless --quick)')
    ap.add_argument('--n_chains', type=int, default=32)
    ap.add_argument('--n_steps', type=int, default=32)
    ap.add_argument('--n_burn', type=int, default=16)
    ap.add_argument('--sampler', default='ess')
    ap.add_argument('--only', nargs='*', help='run only rows whose "basin/prior/metric" contains one of these strings')
    a = ap.parse_args()
    dims = a.dims or ([1000] if a.quick else [1000, 10000])
    hdr = f'{"D":>6} {"basin":28} {"prior":8} {"metric":11} {"estimate":>11} {"truth":>11} {"error":>8} {"stderr":>7} {"err/se":>7} {"wall s":>7} {"evals":>9} {"rungs":>5}'
    print(f'palamedes.estimate_volume, sampler={a.sampler}, n_chains={a.n_chains}, n_steps={a.n_steps}, n_burn={a.n_burn}, cutoff={EPS}, seed=0')
    print(hdr); print('-'*len(hdr))
    rows = []
    for D in dims:
        for name, basin, prior, pre, pname in cases(D, rotated=D <= 2000, unpreconditioned=D <= 2000):
            if a.only and not any(o in f'{name}/{prior}/{pname}' for o in a.only): continue
            truth = basin.log_mass(EPS, prior)
            t = time.time()
            try:
                res = estimate_volume(basin, basin.center, EPS, prior=prior, preconditioner=pre, sampler=a.sampler, seed=0,
                                      n_chains=a.n_chains, n_steps=a.n_steps, n_burn=a.n_burn, progress=False)
                err = res.log_volume - truth
                rows.append((pname != 'none' or name.startswith('ball'), abs(err) <= 2*res.stderr))
                print(f'{D:>6} {name:28} {prior:8} {pname:11} {res.log_volume:>11.3f} {truth:>11.3f} {err:>+8.3f} {res.stderr:>7.3f} '
                      f'{err/res.stderr:>+7.2f} {time.time() - t:>7.1f} {res.n_evals:>9} {len(res.ks):>5}', flush=True)
            except Exception as e:
                print(f'{D:>6} {name:28} {prior:8} {pname:11} failed: {type(e).__name__}: {e}', flush=True)
    ok = [c for main_, c in rows if main_]
    print(f'coverage |error| <= 2 stderr: {sum(ok)}/{len(ok)} (balls, and ellipsoids with their exact metric); '
          f'{sum(c for _, c in rows)}/{len(rows)} over all rows')


if __name__ == '__main__': main()
