"""Validate tyche's fast estimator against exact answers and print the tables of issue 3.

    OMP_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python benchmarks/validate_tyche.py            # everything (~10 min on 1 core)
    PYTHONPATH=. .venv/bin/python benchmarks/validate_tyche.py --quick                      # D <= 1e4, 30 directions
    PYTHONPATH=. .venv/bin/python benchmarks/validate_tyche.py --tables ball,speed --max-dim 10000

Tables (all costs in float64, cutoff 1e-2, `estimate_volume` defaults: rtol = min(1e-6, 0.01/D), warm start after 8 directions):
  ball      isotropic ball, both priors, anchor at the origin (sigma = 1) and shifted (anchor ~ N(0, I), sigma = its RMS),
            D = 1e2, 1e4, 1e6: error must be within 0.05 nats.
  precond   anisotropic ellipsoids (log-uniform over 6 decades, power law 1/i) with the exact preconditioner H^(-1/2), D = 1e4.
  raw       the same ellipsoids and boxes (unit cube; log-uniform widths) without preconditioner, D = 1e2, 1e3, 1e4, both
            priors, shifted anchor: estimate, truth, error, stderr; "ok" checks estimate <= truth + 3 stderr. When one
            direction dominates (ess ~ 1) the delta-method stderr saturates near 1 nat and says nothing about the error.
  speed     cost evaluations per direction (mean, max) and directions per second on this CPU, D = 1e4 and 1e6.
Truths come from `tyche.basins` (`log_mass`).
"""
import argparse, os, time
import torch
from tyche.basins import Ellipsoid, Box, spectrum
from tyche.volume import estimate_volume

CUTOFF = 1e-2


def anchor(D, shifted, seed=0):
    "The origin, or a standard normal anchor (RMS about 1)"
    if not shifted: return torch.zeros(D, dtype=torch.float64)
    return torch.randn(D, generator=torch.Generator().manual_seed(seed + D), dtype=torch.float64)


def run(basin, prior, sigma, n, preconditioner=None, seed=0):
    t0 = time.perf_counter()
    res = estimate_volume(basin, basin.center, cutoff=CUTOFF, n_samples=n, prior=prior, sigma=sigma,
                          preconditioner=preconditioner, seed=seed, progress=False)
    seconds = time.perf_counter() - t0
    truth = basin.log_mass(CUTOFF, prior=prior, sigma=res.sigma if prior == "gaussian" else None)
    return res, truth, seconds


def fmt_row(cols, widths): return "  ".join(f"{c:>{w}}" if not isinstance(c, str) else f"{c:<{w}}" for c, w in zip(cols, widths))


def header(title, cols, widths):
    print(f"\n## {title}")
    print(fmt_row(cols, widths)); print("  ".join("-" * w for w in widths))


def result_cols(res, truth, seconds):
    err = res.log_volume - truth
    return [f"{res.log_volume:.4f}", f"{truth:.4f}", f"{err:+.4f}", f"{res.stderr:.4f}", f"{res.ess:.1f}",
            f"{res.evals.double().mean():.2f}", f"{int(res.evals.max())}", f"{seconds:.1f}"]


def table_ball(dims, n):
    cols = ["D", "anchor", "prior", "estimate", "truth", "error", "stderr", "ess", "evals/dir", "max", "seconds", "|err|<=0.05"]
    widths = [8, 8, 8, 16, 16, 9, 7, 6, 9, 4, 7, 11]
    header("Isotropic ball, float64 cost (exact radii: error = radius precision + ray integral)", cols, widths)
    for D in dims:
        for shifted in (False, True):
            basin = Ellipsoid(spectrum("isotropic", D), anchor(D, shifted))
            for prior in ("uniform", "gaussian"):
                res, truth, s = run(basin, prior, None if shifted else 1., n)
                ok = abs(res.log_volume - truth) <= 0.05
                print(fmt_row([D, "shifted" if shifted else "origin", prior] + result_cols(res, truth, s) + ["yes" if ok else "NO"], widths))


def table_precond(dims, n):
    cols = ["D", "spectrum", "anchor", "prior", "estimate", "truth", "error", "stderr", "ess", "evals/dir", "max", "seconds", "|err|<=0.1"]
    widths = [7, 10, 8, 8, 14, 14, 9, 7, 6, 9, 4, 7, 10]
    header("Anisotropic ellipsoids with the exact preconditioner H^(-1/2)", cols, widths)
    for D in dims:
        for kind in ("loguniform", "powerlaw"):
            h = spectrum(kind, D)
            for shifted in (False, True):
                basin = Ellipsoid(h, anchor(D, shifted))
                for prior in ("uniform", "gaussian"):
                    res, truth, s = run(basin, prior, None if shifted else 1., n, preconditioner=h**-0.5)
                    ok = abs(res.log_volume - truth) <= 0.1
                    print(fmt_row([D, kind, "shifted" if shifted else "origin", prior] + result_cols(res, truth, s)
                                  + ["yes" if ok else f"NO ({abs(res.log_volume - truth) / res.stderr:.1f} se)"], widths))


def table_raw(dims, n):
    cols = ["D", "basin", "prior", "estimate", "truth", "error", "stderr", "ess", "evals/dir", "max", "seconds", "<=truth+3se"]
    widths = [7, 20, 8, 14, 14, 12, 7, 6, 9, 4, 7, 11]
    header("Ellipsoids and boxes without preconditioner (shifted anchor; the known underestimate)", cols, widths)
    for D in dims:
        c = anchor(D, True)
        basins = [("ellipsoid loguniform", Ellipsoid(spectrum("loguniform", D), c)),
                  ("ellipsoid powerlaw", Ellipsoid(spectrum("powerlaw", D), c)),
                  ("box cube", Box(torch.ones(D, dtype=torch.float64), c)),
                  ("box loguniform", Box(spectrum("loguniform", D)**-0.5, c))]
        for name, basin in basins:
            for prior in ("uniform", "gaussian"):
                res, truth, s = run(basin, prior, None, n)
                ok = res.log_volume <= truth + 3 * res.stderr
                print(fmt_row([D, name, prior] + result_cols(res, truth, s) + ["yes" if ok else "NO"], widths))


def table_speed(dims, n):
    cols = ["D", "basin", "directions", "evals/dir mean", "max", "total evals", "seconds", "directions/s"]
    widths = [8, 28, 10, 14, 4, 11, 8, 12]
    header(f"Cost evaluations and speed (gaussian prior, float64 cost, {torch.get_num_threads()} torch thread(s), CPU; "
           "seconds include drawing directions and ray integrals)", cols, widths)
    for D in dims:
        for name, basin, sigma in [("ball, anchor at origin", Ellipsoid(spectrum("isotropic", D), anchor(D, False)), 1.),
                                   ("ellipsoid loguniform, shifted", Ellipsoid(spectrum("loguniform", D), anchor(D, True)), None)]:
            t0 = time.perf_counter()
            res = estimate_volume(basin, basin.center, cutoff=CUTOFF, n_samples=n, prior="gaussian", sigma=sigma, progress=False)
            s = time.perf_counter() - t0
            print(fmt_row([D, name, n, f"{res.evals.double().mean():.2f}", int(res.evals.max()), res.n_evals, f"{s:.2f}",
                           f"{n / s:.1f}"], widths))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="D <= 1e4 and 30 directions")
    ap.add_argument("--tables", default="ball,precond,raw,speed", help="comma-separated subset of ball,precond,raw,speed")
    ap.add_argument("--max-dim", type=int, default=None, help="skip dimensions above this")
    ap.add_argument("--n-samples", type=int, default=None, help="directions per estimate (default 100, 30 with --quick)")
    args = ap.parse_args()
    n = args.n_samples or (30 if args.quick else 100)
    max_dim = args.max_dim or (10_000 if args.quick else 10**6)
    tables = set(args.tables.split(","))
    keep = lambda dims: [D for D in dims if D <= max_dim]
    print(f"tyche validation: cutoff {CUTOFF}, {n} directions per estimate, seed 0, torch {torch.__version__}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    if "ball" in tables: table_ball(keep([100, 10_000, 1_000_000]), n)
    if "precond" in tables: table_precond(keep([10_000]), n)
    if "raw" in tables: table_raw(keep([100, 1_000, 10_000]), n)
    if "speed" in tables: table_speed(keep([10_000, 1_000_000]), n)


if __name__ == "__main__": main()
