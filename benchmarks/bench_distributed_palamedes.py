"""palamedes across processes: the same estimate on 1 and on N gloo processes (one CPU thread each), its wall time, cost
evaluations per second and their ratio, and a check that every rank's estimate is bit-identical to the one-process one.

    python benchmarks/bench_distributed_palamedes.py                  # 1 vs 2 processes
    python benchmarks/bench_distributed_palamedes.py --procs 1 2 --hidden 8 --batch-size 16 --repeats 2

The cost is the KL basin (cutoff 1e-2, Gaussian prior with the training's sigma) of a `tyche.digits` GELU MLP with
`--hidden` units trained for `--epochs` epochs, on the 773 held-out digits, float32. palamedes runs with small fixed
settings (identity metric, 8 chains, 8 moves per rung, 8 sweeps) and `batch_size` rows per cost call, so that every
call of more than `batch_size` rows deals its chunks out to the ranks. Each run starts its processes with
`tyche.distributed.run_local` (spawned, gloo, `torch.set_num_threads(1)` each); the clock runs on each rank from a
barrier after the cost is built to the end of `estimate_volume`, and a run's time is its slowest rank's. On a machine
shared with other jobs the ratio is lower than on an idle one.
"""
import time, warnings
import torch.distributed as dist


def timed_estimate(hidden, epochs, batch_size, seed, folder):
    "On each rank: build the cost, wait for every rank, time palamedes' `estimate_volume`: (seconds, estimate)"
    from torch import nn
    from tyche.costs import KLCost
    from tyche.digits import DigitsConfig, train_digits, load_digits_split
    from palamedes import estimate_volume
    cfg = DigitsConfig(hidden=hidden, epochs=epochs, seed=seed)
    ck = train_digits(cfg, folder=folder).checkpoint()     # trained once, read by every rank
    center = nn.utils.parameters_to_vector(ck.model.parameters()).detach()
    cost = KLCost(ck.model, load_digits_split(cfg.train_size, cfg.seed).x_test)
    if dist.is_initialized(): dist.barrier()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')    # small settings: the gates may fail; this is a timing
        res = estimate_volume(cost, center, 1e-2, sigma=cfg.sigma, seed=seed, learn_metric=False, n_chains=8, n_moves=8,
                              n_sweeps=8, n_groups=2, batch_size=batch_size, progress=False)
    return time.perf_counter() - t0, res


def main():
    from bench_distributed import best_run, scaling_parser     # this folder is on sys.path when a benchmark runs as a script
    p = scaling_parser(__doc__, 'rows per cost call (the chunks dealt out to the ranks)')
    p.add_argument('--hidden', type=int, default=8, help='hidden units of the digits MLP')
    p.add_argument('--epochs', type=int, default=5, help='training epochs')
    p.add_argument('--out', default='bench_distributed_palamedes_out', help='folder for the trained network')
    a = p.parse_args()
    import dataclasses
    from tyche.distributed import identical
    from tyche.digits import DigitsConfig, train_digits
    train_digits(DigitsConfig(hidden=a.hidden, epochs=a.epochs, seed=a.seed), folder=a.out)   # before the clocks start
    same_as = lambda r, ref: identical(dataclasses.replace(r, wall=0.), dataclasses.replace(ref, wall=0.))
    rows, ref = [], None
    for k in a.procs:
        seconds, results = best_run(k, timed_estimate, a.hidden, a.epochs, a.batch_size, a.seed, a.out, repeats=a.repeats, timeout=3600)
        ref = ref or (seconds, results[0])
        rows.append((k, seconds, results[0].n_evals/seconds, ref[0]/seconds, results[0].log_volume, all(same_as(r, ref[1]) for r in results)))
    D = 64*a.hidden + a.hidden + 10*a.hidden + 10
    print(f"palamedes on the digits MLP KL cost (D = {D}), {ref[1].n_evals} evaluations, {len(ref[1].ks)} rungs, batches of "
          f"{a.batch_size} rows, 1 thread per process, best of {a.repeats}")
    print(f"{'processes':>9} {'seconds':>8} {'evaluations/s':>13} {'ratio':>6} {'log_volume':>22} {'bit-identical':>13}")
    for k, s, rate, ratio, lv, same in rows: print(f"{k:>9} {s:>8.1f} {rate:>13.0f} {ratio:>6.2f} {lv!r:>22} {str(same):>13}")


if __name__ == '__main__':
    main()
