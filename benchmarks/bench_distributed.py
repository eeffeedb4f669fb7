"""Directions across processes: the same estimate on 1 and on N gloo processes (one CPU thread each), directions per
second and their ratio, and a check that every rank's result is bit-identical to the one-process result.

    python benchmarks/bench_distributed.py                      # 1 vs 2 processes, the digits MLP KL cost
    python benchmarks/bench_distributed.py --procs 1 2 --n 1032 --batch-size 16 --repeats 3

The cost is the KL basin of `tyche.digits`' 64-64-10 GELU MLP (seeded initial weights, no training needed for a
timing) on the 773 held-out digits, float32, `model_batch_size` = batch size; Gaussian prior, cutoff 1e-2, 8 warm-up
directions then batches of `--batch-size`. Each run starts its processes with `tyche.distributed.run_local` (spawned,
joined in a gloo process group on this machine, `torch.set_num_threads(1)` each); the clock runs on each rank from a
barrier after the cost is built to the end of `estimate_volume` (the gather included), and a run's time is its slowest
rank's. With `--repeats` the fastest run of each count is kept. "ratio" is directions/s over the one-process figure;
"control" is the same ratio for k independent processes without a process group, each solving 1/k of the directions
(8 + (n - 8)/k with its own warm-up): the speed-up the machine gives at that moment, with no split, gather or waiting.
On a machine shared with other jobs both are lower than on an idle one: the processes compete for the cores.
"""
import argparse, math, time, warnings
import torch
import torch.distributed as dist


def digits_cost(batch_size):
    "The KL cost of the digits MLP on the held-out digits"
    from tyche.costs import KLCost
    from tyche.digits import digits_mlp, load_digits_split
    return KLCost(digits_mlp(seed=0), load_digits_split().x_test, model_batch_size=batch_size)


def timed_estimate(n, batch_size, seed, alone=False):
    "On each rank: build the cost, wait for every rank, time `estimate_volume`: (seconds, result)"
    from tyche.volume import estimate_volume, VolumeWarning
    cost = digits_cost(batch_size)
    if dist.is_initialized(): dist.barrier()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', VolumeWarning)     # unpreconditioned: a flagged lower bound; timing only
        res = estimate_volume(cost, cost.anchor, n_samples=n, batch_size=batch_size, seed=seed, progress=False,
                              distributed=not alone)
    return time.perf_counter() - t0, res


def best_run(k, *args, repeats=1):
    "The fastest of `repeats` runs on k processes: (slowest rank's seconds, every rank's result)"
    from tyche.distributed import run_local
    runs = [run_local(k, timed_estimate, *args, timeout=600, threads=1) for _ in range(repeats)]
    best = min(runs, key=lambda ranks: max(s for s, _ in ranks))
    return max(s for s, _ in best), [r for _, r in best]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--procs', type=int, nargs='+', default=[1, 2], help='process counts to run (the first is the reference)')
    p.add_argument('--n', type=int, default=1032, help='directions (8 warm-up + a multiple of procs x batch size balances)')
    p.add_argument('--batch-size', type=int, default=16, help='directions per batch (and per vmapped forward pass)')
    p.add_argument('--repeats', type=int, default=1, help='runs per process count; the fastest is kept')
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()
    from tyche.distributed import identical
    rows, ref = [], None
    for k in a.procs:
        seconds, results = best_run(k, a.n, a.batch_size, a.seed, repeats=a.repeats)
        ref = ref or (seconds, results[0])
        same = all(identical(r, ref[1]) for r in results)
        # control: k processes, no process group, each solving its share of the directions alone (the machine's bound now)
        alone = best_run(k, 8 + (a.n - 8) // k, a.batch_size, a.seed, True, repeats=a.repeats)[0] if k > 1 else ref[0]
        rows.append((k, seconds, a.n / seconds, ref[0] / seconds, ref[0] / alone, results[0].log_volume, same))
    from tyche.digits import digits_mlp
    D = sum(q.numel() for q in digits_mlp().parameters())
    print(f"digits MLP KL cost (D = {D}), {a.n} directions, batches of {a.batch_size}, 1 thread per process, best of {a.repeats}")
    print(f"{'processes':>9} {'seconds':>8} {'directions/s':>12} {'ratio':>6} {'control':>8} {'log_volume':>22} {'bit-identical':>13}")
    for k, s, rate, ratio, control, lv, same in rows:
        print(f"{k:>9} {s:>8.2f} {rate:>12.1f} {ratio:>6.2f} {control:>8.2f} {lv!r:>22} {str(same):>13}")


if __name__ == '__main__':
    main()
