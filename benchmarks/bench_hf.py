"""Benchmark of `tyche.hf`: forward passes per direction, directions per second and peak memory of the KL-basin volume
estimate of a GPT-NeoX (Pythia architecture), batched over directions with vmap and with the anchor's outputs cached,
against a baseline of one direction at a time with the anchor's outputs recomputed at every cost evaluation (what the
upstream interface does by default), in the same run.

    python benchmarks/bench_hf.py                      # tiny model on CPU: 1, 8, 32 directions per batch vs baseline
    python benchmarks/bench_hf.py --pythia14m          # pythia-14m-shaped model, 10 x 256 tokens (CUDA when available)
    python benchmarks/bench_hf.py --pythia14m --reduced  # the same code path at a size a CPU runs in a minute
    python benchmarks/bench_hf.py --pythia160m --dtype bfloat16  # a pythia-160m-shaped model in bf16 (a GPU's figure)

Beside each configuration the same process times the raw forward of the model alone ("raw ms", per parameter vector,
vmapped over the same number of vectors per call as the cost, a plain forward at one per call) and prints the overhead
ratio = (s per direction) / (forwards per direction x raw ms): 1 means the estimate costs exactly its forward passes.
"vs vmap" is the same ratio against the vmapped forward also at one vector per call, as issue 14 defines the raw
forward (at one vector per call the cost runs the plain forward, which takes less time than vmap over one). On
a shared machine the raw timing and the estimate see different loads; "in-run" is the same ratio measured in one time
window: the estimate's wall time over the time spent inside the model's forward (forward hooks) during it. With the
output layer fused with the KL (the default for a body + linear head, `--no-fuse` turns it off) the estimate runs only
the model's body: "in-run" then scales the time spent inside the body by the raw forward of the whole model over the raw
forward of the body, timed in the same process. "cost" splits the overhead: the cost alone (body, head, KL and their
plumbing, no search) on as many points per call, over the raw forward; "floor" adds building the points and drawing the
directions, i.e. the overhead a search that cost nothing would leave; overhead - floor is the search's bookkeeping and
what partly filled calls lose. "MB/dir" is the peak memory divided by the directions per call. A second table splits the
estimate's own time per direction, in its own time window: its cost calls, drawing the directions, and the rest (the
root-finder's bookkeeping, the batches, building the points).

Each configuration runs in its own subprocess so that its peak memory is its own: on CUDA
`torch.cuda.max_memory_allocated`, on CPU the peak resident set size (`resource.getrusage`) minus the resident size
just before the estimate. "forward passes / direction" counts a model evaluation on the whole validation set per
parameter vector (a vmapped call over k directions counts k) plus the recomputations of the anchor's outputs; "calls /
direction" counts the (vmapped) model calls. Random weights and random token ids: timing only.
"""
import argparse, json, os, resource, subprocess, sys, time
from pathlib import Path

os.environ.setdefault('HF_HUB_OFFLINE', '1')
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = dict(
    tiny=dict(vocab_size=512, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
              n_seq=10, seq_len=64),
    pythia14m=dict(vocab_size=50304, hidden_size=128, num_hidden_layers=6, num_attention_heads=4, intermediate_size=512,
                   n_seq=10, seq_len=256),
    pythia160m=dict(vocab_size=50304, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                    intermediate_size=3072, n_seq=10, seq_len=256),
    reduced=dict(vocab_size=4096, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=256,
                 n_seq=4, seq_len=64),
)


def rss_bytes():
    with open('/proc/self/statm') as f: return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def median_time(fn, repeats=7):
    "Median seconds of `fn()` over `repeats` calls after one warm-up call (synchronised on CUDA)"
    import torch
    times = []
    for _ in range(repeats + 1):
        if torch.cuda.is_available(): torch.cuda.synchronize()
        t0 = time.perf_counter(); fn()
        if torch.cuda.is_available(): torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return sorted(times[1:])[repeats // 2]


def raw_forward(model, inputs, k, repeats=7, body=False, vmapped=False):
    "Median seconds of one forward of `k` parameter vectors through the model (or its body) alone, as the cost runs it (`vmapped`: vmapped also at one)"
    import torch
    from torch.func import functional_call, vmap
    module, prefix = (model.base_model, model.base_model_prefix + '.') if body else (model, '')
    params = {n[len(prefix):]: p.detach()[None].expand(k, *p.shape).clone() for n, p in model.named_parameters() if n.startswith(prefix)}
    if k == 1 and not vmapped: fwd = lambda: functional_call(module, {n: p[0] for n, p in params.items()}, (), inputs)[0]  # one: plain
    else: fwd = lambda: vmap(lambda p: functional_call(module, p, (), inputs)[0])(params)
    with torch.no_grad(): return median_time(fwd, repeats)


def cost_budget(cost, rays, k, radius, repeats=7):
    "Median seconds of the cost alone on `k` points (per point), of drawing one direction, and of building one point"
    import torch
    c = cost.anchor.detach()
    v = torch.empty(k, len(c), dtype=c.dtype, device=c.device)
    for i in range(k): rays.draw(i, v[i])
    r = torch.full((k, 1), radius, dtype=c.dtype, device=c.device)
    pts = torch.addcmul(c, r, v)
    with torch.no_grad():
        t_cost = median_time(lambda: cost(pts), repeats) / k
    t_draw = median_time(lambda: rays.draw(0, v[0]), repeats)
    t_build = median_time(lambda: torch.addcmul(c, r, v, out=pts), repeats) / k
    return t_cost, t_draw, t_build


def worker(args):
    "Run one configuration and print its measurements as one JSON line"
    import torch, warnings
    warnings.filterwarnings('ignore')
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM
    from tyche.costs import KLCost
    from tyche.hf import DeviceRays
    from tyche.volume import estimate_volume_rays
    size = dict(SIZES[args.size])
    n_seq, seq_len = size.pop('n_seq'), size.pop('seq_len')
    device = torch.device('cuda' if torch.cuda.is_available() and not args.cpu else 'cpu')
    torch.manual_seed(0)
    model = GPTNeoXForCausalLM(GPTNeoXConfig(**size, max_position_embeddings=max(2048, seq_len),
                                             attn_implementation=args.attn)).to(device, getattr(torch, args.dtype)).eval()
    ids = torch.randint(0, size['vocab_size'], (n_seq, seq_len), generator=torch.Generator().manual_seed(1))
    inputs = dict(input_ids=ids, attention_mask=torch.ones_like(ids))
    cache = None if args.baseline else 'device'
    k = 1 if args.baseline else args.k
    compile_s = 0.
    if args.compile_kl:   # the KL's passes compiled once per process, outside the timed estimate (reported apart)
        t0 = time.perf_counter(); KLCost(model, inputs, cache=cache, model_batch_size=k, compile_kl=True); compile_s = time.perf_counter() - t0
    calls, in_forward, t_call, depth = [0], [0.], [0.], [0]
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    def pre(*a):
        if depth[0] == 0: calls[0] += 1; sync(); t_call[0] = time.perf_counter()
        depth[0] += 1
    def post(*a):
        depth[0] -= 1
        if depth[0] == 0: sync(); in_forward[0] += time.perf_counter() - t_call[0]
    for m in (model, model.base_model):  # time inside the model, or its body alone (the fused head), during the estimate
        m.register_forward_pre_hook(pre); m.register_forward_hook(post)
    if device.type == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
    rss0 = rss_bytes()
    t0 = time.perf_counter()
    cost = KLCost(model, inputs, cache=cache, model_batch_size=k, fuse_head=not args.no_fuse, compile_kl=args.compile_kl)
    rays = DeviceRays(cost, seed=0, directions=args.directions)   # what `ray_estimate` runs on
    rays.streams = not args.no_stream
    # the estimate's time split in its own time window: its cost calls, its draws of directions, and the rest
    spent = dict(cost=0., draw=0.)
    def timed(fn, key):
        def run(*a):
            sync(); t = time.perf_counter(); out = fn(*a); sync(); spent[key] += time.perf_counter() - t
            return out
        return run
    cost_call, draw = type(cost).__call__, DeviceRays.draw
    type(cost).__call__, DeviceRays.draw = timed(cost_call, 'cost'), timed(draw, 'draw')
    t_split = time.perf_counter()   # the split leaves out building the cost and its anchor's outputs, in `wall`
    try:
        res = estimate_volume_rays(rays, cutoff=args.cutoff, n_samples=args.n, batch_size=k, progress=False, rtol=args.rtol,
                                   warmup=1 if args.baseline else 8, close_by_model=not args.bracket)
    finally: type(cost).__call__, DeviceRays.draw = cost_call, draw
    if device.type == 'cuda': torch.cuda.synchronize()
    wall, in_model, n_calls = time.perf_counter() - t0, in_forward[0], calls[0]  # before the raw timing below, which runs the hooks too
    rest = time.perf_counter() - t_split - spent['cost'] - spent['draw']
    peak = (torch.cuda.max_memory_allocated() if device.type == 'cuda'
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss0)
    forwards = cost.n_evals + cost.n_anchor_evals + (0 if args.baseline else 1)  # + the one cached anchor pass
    inputs = {k_: v.to(device) for k_, v in inputs.items()}
    raw = raw_forward(model, inputs, k) / k  # seconds per parameter vector
    raw_vmap = raw_forward(model, inputs, k, vmapped=True) / k if k == 1 else raw   # the definition: vmapped at one too
    # the fused head runs the body only: its time inside the body, scaled to the whole model's raw forward
    scale = raw / (raw_forward(model, inputs, k, body=True) / k) if cost.fused else 1.
    # the overhead's parts: the cost alone (body, head, KL and their plumbing), the directions and the points; the rest
    # (overhead - floor) is the search's bookkeeping and the calls' plumbing
    t_cost, t_draw, t_build = cost_budget(cost, rays, k, float(res.radii[res.radii.isfinite()].median()))
    floor = (t_cost + t_build + t_draw * args.n / forwards) / raw
    print(json.dumps(dict(device=str(device), name=torch.cuda.get_device_name() if device.type == 'cuda' else 'cpu',
                          dim=cost.dim, n=args.n, k=k, baseline=args.baseline, wall=wall, dirs_per_s=args.n / wall,
                          s_per_dir=wall / args.n, fwd_per_dir=forwards / args.n, calls_per_dir=n_calls / args.n,
                          evals_per_dir=float(res.evals.float().mean()), peak_mb=peak / 2**20, peak_mb_per_dir=peak / 2**20 / k,
                          raw_ms=raw * 1e3, overhead=wall / forwards / raw, vs_vmap=wall / forwards / raw_vmap, in_run=wall / (in_model * scale), fused=cost.fused,
                          cost_ratio=t_cost / raw, draw_ms=t_draw * 1e3, floor=floor, compile_s=compile_s,
                          split_cost_ms=spent['cost'] / args.n * 1e3, split_draws_ms=spent['draw'] / args.n * 1e3, split_rest_ms=rest / args.n * 1e3,
                          log_volume=res.log_volume, stderr=res.stderr, n_unconverged=res.n_unconverged)), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    model = p.add_mutually_exclusive_group()
    model.add_argument('--pythia14m', action='store_true', help='pythia-14m-shaped GPT-NeoX, 10 x 256 tokens')
    model.add_argument('--pythia160m', action='store_true', help='pythia-160m-shaped GPT-NeoX, 162 M parameters, 10 x 256 tokens')
    p.add_argument('--dtype', default='float32', choices=['float32', 'bfloat16', 'float16'],
                   help="the model's dtype (tyche's costs keep a float32 master copy of a half-precision model)")
    p.add_argument('--reduced', action='store_true', help='with --pythia14m: a smaller model for a CPU test of the same path')
    p.add_argument('--cpu', action='store_true', help='stay on the CPU even when CUDA is available')
    p.add_argument('--n', type=int, default=None, help='directions per configuration')
    p.add_argument('--n-baseline', type=int, default=None, help='directions for the (slow) baseline')
    p.add_argument('--ks', default=None, help='directions per batch, comma-separated')
    p.add_argument('--cutoff', type=float, default=1e-2)
    p.add_argument('--rtol', type=float, default=1e-6)
    p.add_argument('--attn', default='eager', help="attention implementation ('eager' vmaps everywhere; 'sdpa')")
    p.add_argument('--directions', default='device', help="'device' (float32 draws on the model's device) or 'cpu' "
                   "(float64 draws, the directions of tyche.volume.estimate_volume: log-volumes comparable with older runs)")
    p.add_argument('--no-fuse', action='store_true', help="the KL from the model's logits (no fused output layer)")
    p.add_argument('--bracket', action='store_true', help="close every radius with an evaluated outside point within rtol "
                   "(close_by_model=False: the root-finder before issue 14's fourth round)")
    p.add_argument('--no-stream', action='store_true', help="solve each call's rays to the end before the next ones start "
                   "(the batches before streaming rays: partly filled calls as the rays of a batch finish)")
    p.add_argument('--compile-kl', action='store_true', help="the KL's passes over the vocabulary fused by torch.compile "
                   "(KLCost(compile_kl=True)); the compilation is timed apart, once per configuration")
    p.add_argument('--worker', action='store_true', help=argparse.SUPPRESS)
    p.add_argument('--size', default='tiny', help=argparse.SUPPRESS)
    p.add_argument('--k', type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument('--baseline', action='store_true', help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker: return worker(args)
    size = ('reduced' if args.reduced else 'pythia14m') if args.pythia14m else 'pythia160m' if args.pythia160m else 'tiny'
    large = size in ('pythia14m', 'pythia160m')
    ks = [int(k) for k in (args.ks or ('1,8,16' if large else '1,8,32')).split(',')]
    n = args.n or (64 if large else 32)
    n_base = args.n_baseline or (16 if large else n)
    runs = [('baseline: 1 dir/call, anchor recomputed', ['--baseline', '--n', str(n_base)])]
    runs += [(f'tyche: {k} dir/call, anchor cached', ['--k', str(k), '--n', str(max(n, k))]) for k in ks]
    rows = []
    for label, extra in runs:
        cmd = [sys.executable, __file__, '--worker', '--size', size, '--cutoff', str(args.cutoff), '--rtol', str(args.rtol),
               '--attn', args.attn, '--directions', args.directions, '--dtype', args.dtype] + \
              (['--cpu'] if args.cpu else []) + \
              (['--no-fuse'] if args.no_fuse else []) + (['--bracket'] if args.bracket else []) + \
              (['--no-stream'] if args.no_stream else []) + (['--compile-kl'] if args.compile_kl and '--k' in extra else []) + extra
        out = subprocess.run(cmd, capture_output=True, text=True)
        line = [l for l in out.stdout.splitlines() if l.startswith('{')]
        if out.returncode or not line: sys.exit(f'{label} failed:\n{out.stdout}\n{out.stderr}')
        rows.append((label, json.loads(line[-1])))
    r0 = rows[0][1]
    print(f"model: GPT-NeoX {size} ({r0['dim']:,} parameters, {args.dtype}), device: {r0['name']}, attention: {args.attn}, "
          f"cutoff {args.cutoff}, rtol {args.rtol}, directions {args.directions}, "
          f"output layer {'fused with the KL' if rows[-1][1]['fused'] else 'in the model'}, "
          f"radii closed {'by an evaluated outside point' if args.bracket else 'by the model where it can'}, "
          f"{'one call of rays per batch' if args.no_stream else 'rays streamed through full calls'}"
          + (f", KL compiled but in the baseline ({max(r['compile_s'] for _, r in rows):.1f} s at most, not in the timings)"
             if args.compile_kl else ''))
    head = (f"{'configuration':<40} {'dirs':>5} {'s/dir':>8} {'dirs/s':>8} {'speedup':>8} {'fwd/dir':>8} {'calls/dir':>9} "
            f"{'evals/dir':>9} {'raw ms':>7} {'overhead':>8} {'vs vmap':>7} {'in-run':>6} {'cost':>5} {'floor':>5} {'peak MB':>8} {'MB/dir':>7} {'log_volume':>12} {'stderr':>7}")
    print(head); print('-' * len(head))
    for label, r in rows:
        print(f"{label:<40} {r['n']:>5} {r['s_per_dir']:>8.4f} {r['dirs_per_s']:>8.2f} {r['dirs_per_s'] / r0['dirs_per_s']:>7.1f}x "
              f"{r['fwd_per_dir']:>8.2f} {r['calls_per_dir']:>9.2f} {r['evals_per_dir']:>9.2f} {r['raw_ms']:>7.2f} "
              f"{r['overhead']:>8.2f} {r['vs_vmap']:>7.2f} {r['in_run']:>6.2f} {r['cost_ratio']:>5.2f} {r['floor']:>5.2f} {r['peak_mb']:>8.1f} {r['peak_mb_per_dir']:>7.1f} {r['log_volume']:>12.1f} {r['stderr']:>7.3f}")
    print("raw ms: one model forward per parameter vector, vmapped over the same number of vectors per call (plain at one), "
          "in the same process; overhead = (s/dir) / (fwd/dir x raw ms); vs vmap = the same against the vmapped forward also at one "
          "vector per call (the issue's definition of the raw forward; at one the cost runs the plain forward, which is faster); in-run = wall time / time inside the model's forward "
          "during the estimate (the same ratio, measured in the same time window; with the fused output layer, the time inside the body "
          "scaled by the raw forward of the whole model over that of its body); cost = the cost alone on as many points per call "
          "(body, head, KL, no search) over the raw forward; floor = the overhead with a search that cost nothing: (the cost "
          "+ building the points + drawing the directions) / (fwd/dir x raw ms); MB/dir = peak MB / directions per call")
    print(f"\nwhere the estimate's time went, ms per direction, in its own time window (its cost calls; drawing the directions; "
          f"the rest: the root-finder, batches, building the points):")
    for label, r in rows:
        parts = r['split_cost_ms'], r['split_draws_ms'], r['split_rest_ms']
        print(f"{label:<40} cost {parts[0]:9.2f}  draws {parts[1]:8.2f}  rest {parts[2]:8.2f}  "
              f"(of {sum(parts):.2f}: " + ', '.join(f'{x / sum(parts):.0%}' for x in parts) + ')')
    if size == 'pythia14m' and not args.reduced:
        print("upstream on one H100, same setup (from the issue): 0.147 s/dir and 13.1 fwd/dir cached; "
              "0.188 s/dir and 26 fwd/dir uncached (1e-2 cost precision); target >= 20x the cached directions/s")


if __name__ == '__main__': main()
