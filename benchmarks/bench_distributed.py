"""Directions across processes: the same estimate on 1 and on N gloo processes (one CPU thread each), directions per
second and their ratio, and a check that every rank's result is bit-identical to the one-process result. With
`--sharded`: the memory of a model sharded over 2 processes (`tyche.sharded`) against the unsharded memory-light
estimate, and their answers.

    python benchmarks/bench_distributed.py                      # 1 vs 2 processes, the digits MLP KL cost
    python benchmarks/bench_distributed.py --procs 1 2 --n 1032 --batch-size 16 --repeats 3
    python benchmarks/bench_distributed.py --sharded            # GPT-NeoX (12 x 384, 21M parameters): memory per process

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
import argparse, os, threading, time, warnings
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


def best_run(k, fn, *args, repeats=1, timeout=600):
    "The fastest of `repeats` runs of `fn` (returning (seconds, result)) on k processes: (slowest rank's seconds, every rank's result)"
    from tyche.distributed import run_local
    runs = [run_local(k, fn, *args, timeout=timeout, threads=1) for _ in range(repeats)]
    best = min(runs, key=lambda ranks: max(s for s, _ in ranks))
    return max(s for s, _ in best), [r for _, r in best]


def rss_mb():
    with open('/proc/self/statm') as f: return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20


def peak_during(fn):
    "fn() and the peak resident memory (MB) sampled every 2 ms while it ran"
    peak, done = [rss_mb()], threading.Event()
    def sample():
        while not done.is_set(): peak[0] = max(peak[0], rss_mb()); time.sleep(0.002)
    t = threading.Thread(target=sample); t.start()
    try: out = fn()
    finally: done.set(); t.join()
    return out, peak[0]


NEOX = dict(vocab_size=512, hidden_size=384, num_hidden_layers=12, num_attention_heads=4, intermediate_size=1536)


def neox_memory(sharded, n, block):
    "Build the GPT-NeoX (sharded or not) and estimate its volume: (result, MB above the imports at the end, peak MB during)"
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM
    from tyche.costs import KLCost
    from tyche.hf import ray_estimate
    from tyche.sharded import shard_model, sharded_volume
    base = rss_mb()
    torch.manual_seed(0)
    model = GPTNeoXForCausalLM(GPTNeoXConfig(**NEOX, max_position_embeddings=64)).eval()
    ids = torch.randint(0, NEOX['vocab_size'], (2, 32), generator=torch.Generator().manual_seed(1))
    inputs = dict(input_ids=ids, attention_mask=torch.ones_like(ids))
    kw = dict(n_samples=n, batch_size=n, rtol=1e-6, seed=0, progress=False, block=block)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        if sharded:
            shard_model(model)
            res, peak = peak_during(lambda: sharded_volume(model, inputs, **kw))
        else: res, peak = peak_during(lambda: ray_estimate(KLCost(model, inputs, in_place=True), memory_light=True, **kw))
    local = [p.to_local() if sharded else p for p in model.parameters()]
    held = 2 * sum(t.numel() * t.element_size() for t in local) / 2**20     # the parameters, and the anchor copy to restore them
    return res, peak - base, sum(p.numel() for p in model.parameters()), held


def sharded_table(n, block):
    from tyche.distributed import run_local
    # glibc raises its mmap threshold after the first large free, and then keeps freed weights (the unsharded model, the
    # gathered blocks) resident; a fixed threshold returns them to the system, so resident memory shows what is in use
    os.environ.setdefault('MALLOC_MMAP_THRESHOLD_', '65536')
    (one, one_mb, D, one_held), = run_local(1, neox_memory, False, n, block, timeout=600)
    two = run_local(2, neox_memory, True, n, block, timeout=600)
    print(f"GPT-NeoX {NEOX['num_hidden_layers']} x {NEOX['hidden_size']}, D = {D}, 2 x 32 tokens, {n} directions, memory-light; "
          "weights MB: parameters and the anchor copy held by the process; peak MB: resident memory during the estimate "
          "above the imports")
    print(f"{'':>22} {'weights MB':>10} {'peak MB':>8} {'log_volume':>22}")
    print(f"{'unsharded, 1 process':>22} {one_held:>10.0f} {one_mb:>8.0f} {one.log_volume!r:>22}")
    for r, (res, mb, _, held) in enumerate(two): print(f"{f'sharded, rank {r} of 2':>22} {held:>10.0f} {mb:>8.0f} {res.log_volume!r:>22}")
    print(f"same radii: {all(torch.equal(res.radii, one.radii) for res, *_ in two)}, "
          f"log-volume difference: {max(abs(res.log_volume - one.log_volume) for res, *_ in two):.2g} nats")


def scaling_parser(doc, batch_help):
    "The options of a benchmark over process counts: the counts, the batch size (`batch_help` says what it is), repeats, seed"
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument('--procs', type=int, nargs='+', default=[1, 2], help='process counts to run (the first is the reference)')
    p.add_argument('--batch-size', type=int, default=16, help=batch_help)
    p.add_argument('--repeats', type=int, default=1, help='runs per process count; the fastest is kept')
    p.add_argument('--seed', type=int, default=0)
    return p


def main():
    p = scaling_parser(__doc__, 'directions per batch (and per vmapped forward pass)')
    p.add_argument('--n', type=int, default=1032, help='directions (8 warm-up + a multiple of procs x batch size balances)')
    p.add_argument('--sharded', action='store_true', help='the sharded-model memory table instead (--n directions, 4 by default)')
    a = p.parse_args()
    if a.sharded: return sharded_table(a.n if a.n != 1032 else 4, 2**20)
    from tyche.distributed import identical
    rows, ref = [], None
    for k in a.procs:
        seconds, results = best_run(k, timed_estimate, a.n, a.batch_size, a.seed, repeats=a.repeats)
        ref = ref or (seconds, results[0])
        same = all(identical(r, ref[1]) for r in results)
        # control: k processes, no process group, each solving its share of the directions alone (the machine's bound now)
        alone = best_run(k, timed_estimate, 8 + (a.n - 8) // k, a.batch_size, a.seed, True, repeats=a.repeats)[0] if k > 1 else ref[0]
        rows.append((k, seconds, a.n / seconds, ref[0] / seconds, ref[0] / alone, results[0].log_volume, same))
    from tyche.digits import digits_mlp
    D = sum(q.numel() for q in digits_mlp().parameters())
    print(f"digits MLP KL cost (D = {D}), {a.n} directions, batches of {a.batch_size}, 1 thread per process, best of {a.repeats}")
    print(f"{'processes':>9} {'seconds':>8} {'directions/s':>12} {'ratio':>6} {'control':>8} {'log_volume':>22} {'bit-identical':>13}")
    for k, s, rate, ratio, control, lv, same in rows:
        print(f"{k:>9} {s:>8.2f} {rate:>12.1f} {ratio:>6.2f} {control:>8.2f} {lv!r:>22} {str(same):>13}")


if __name__ == '__main__':
    main()
