"""Are palamedes' error bars honest? Many seeds of one basin whose every part is known in closed form.

The basin is the ball (`tyche.basins.Ellipsoid` with unit curvatures) or the box of the validation suite (`--basin box`:
unit widths), anchor shifted as in that suite, under the uniform prior (`--prior gaussian` for the Gaussian), run with
palamedes' defaults but the identity metric (`learn_metric=False`: the metric is already the ball's own, and the one the
defaults end with on boxes) and a fixed number of sweeps (no `target_stderr`). The ball is what the rotated ellipsoids
of `validate_palamedes.py` become once their metric is learned, at a fraction of the cost (no dense rotation, no
learning descent). One row per seed: the error, the standard error and their ratio z, and the error split into the
top's (the fraction inside at k_max, binomial), the ladder's (replica exchange and MBAR over the rungs) and the tail's
(below the lowest rung), the top's and the other two's over their own standard errors
(`palamedes.validation.error_split`), and thermodynamic integration's error over the same samples beside its
quadrature error estimate (a cross-check: TI's error should be within about 2 standard errors plus the quadrature
error). Ends with the mean, spread and root mean square of the z-scores: for honest error bars the spread and the root
mean square are about 1, and |z| > 2 in about 1 row of 20.

    OMP_NUM_THREADS=1 python benchmarks/calibrate_palamedes.py --dims 1000 --seeds 0 1 2 3   # about 90 s per seed
    OMP_NUM_THREADS=1 python benchmarks/calibrate_palamedes.py --basin box --dims 100 --seeds 0 1 2 3
"""
import argparse, math, statistics, time, warnings
import torch
from palamedes import estimate_volume
from palamedes.validation import box_log_z, ellipsoid_log_z, error_split
from tyche.basins import Box, Ellipsoid

EPS = 1e-2


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--dims', type=int, default=1000)
    ap.add_argument('--seeds', type=int, nargs='+', default=list(range(8)))
    ap.add_argument('--n-sweeps', type=int, default=32)
    ap.add_argument('--basin', choices=['ball', 'box'], default='ball')
    ap.add_argument('--prior', choices=['uniform', 'gaussian'], default='uniform', help='gaussian: N(0, I)')
    a = ap.parse_args()
    if a.basin == 'ball' and a.prior == 'gaussian': ap.error('the ball is calibrated under the uniform prior only')
    print(f'{a.basin}, D = {a.dims}, {a.prior} prior, cutoff {EPS}, identity metric, {a.n_sweeps} sweeps; errors in nats')
    hdr = (f'{"seed":>4} {"rungs":>5} {"error":>8} {"stderr":>7} {"z":>6} {"top err":>8} {"top z":>6} {"ladder err":>10} '
           f'{"tail err":>8} {"rest z":>6} {"TI err":>7} {"quad":>5} {"wall s":>7}  gates')
    print(hdr); print('-'*len(hdr))
    zs = {'z': [], 'top z': [], 'rest z': []}
    ones = torch.ones(a.dims, dtype=torch.float64)
    for seed in a.seeds:
        center = 0.1*torch.randn(a.dims, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
        if a.basin == 'ball': basin, log_z = Ellipsoid(ones, center), lambda ks: ellipsoid_log_z(basin, EPS, ks)
        else: basin, log_z = Box(ones, center), lambda ks: box_log_z(basin, EPS, ks, a.prior, 1.)
        t = time.time()
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            res = estimate_volume(basin, center, EPS, prior=a.prior, sigma=1., seed=seed, learn_metric=False,
                                  n_sweeps=a.n_sweeps, target_stderr=None, progress=False)
        exact = basin.log_mass(EPS, a.prior, sigma=1.)
        err = res.log_volume - exact
        top_err, top_se, ladder_err, tail_err, rest_se = error_split(res, log_z)
        row = dict(zip(zs, (err/res.stderr, top_err/top_se, (ladder_err + tail_err)/rest_se)))
        for k, v in row.items(): zs[k].append(v)
        print(f'{seed:>4} {len(res.ks):>5} {err:>+8.4f} {res.stderr:>7.4f} {row["z"]:>+6.2f} {top_err:>+8.4f} {row["top z"]:>+6.2f} '
              f'{ladder_err:>+10.4f} {tail_err:>+8.4f} {row["rest z"]:>+6.2f} {res.log_volume_ti - exact:>+7.3f} {res.ti_quad_err:>5.3f} '
              f'{time.time() - t:>7.1f}  {"; ".join(res.problems) or "passed"}', flush=True)
    for k, v in zs.items():
        sd = statistics.stdev(v) if len(v) > 1 else float('nan')
        print(f'{k:>8} over {len(v)} seeds: mean {statistics.mean(v):+.2f}, sd {sd:.2f}, rms {math.sqrt(sum(x*x for x in v)/len(v)):.2f}, '
              f'|z| > 2 in {sum(abs(x) > 2 for x in v)}')


if __name__ == '__main__': main()
