"""Where each evaluation of the root-finder lands, step by step, on the models of `bench_hf.py`: the distribution behind
its forwards per direction.

    OMP_NUM_THREADS=1 python benchmarks/radius_steps.py --size reduced   # the model of bench_hf.py --pythia14m --reduced
    OMP_NUM_THREADS=1 python benchmarks/radius_steps.py --size tiny      # the tiny GPT-NeoX of bench_hf.py

The directions are solved as `tyche.hf.ray_estimate` solves them (direction 0 from a cold start, directions 1 to
warmup-1 from it, the others from the warm-up's median radius, exponent and curvature, in batches of --k), through the
public `find_radii_along` with `record=True`; the script checks that the evaluations per direction are those of
`ray_estimate` itself. Per step it prints how far the evaluated radius is from the edge, |log r - log r_edge| with
r_edge the middle of the final bracket (median, 90th percentile, largest), for the directions after the warm-up, and
how many evaluations the directions took. A step whose distance is below rtol can be one end of the final bracket;
a direction closes in two evaluations after the first one that lands within rtol of its edge.
"""
import argparse, math, os, sys
from pathlib import Path

os.environ.setdefault('HF_HUB_OFFLINE', '1')
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--size', default='reduced', choices=['tiny', 'reduced', 'pythia14m'])
    p.add_argument('--n', type=int, default=32, help='directions')
    p.add_argument('--k', type=int, default=8, help='directions per batch (and per model call)')
    p.add_argument('--warmup', type=int, default=8)
    p.add_argument('--cutoff', type=float, default=1e-2)
    p.add_argument('--rtol', type=float, default=1e-6)
    args = p.parse_args()
    import torch, warnings
    warnings.filterwarnings('ignore')
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM
    from tyche.costs import KLCost
    from tyche.hf import DeviceRays, ray_estimate
    from tyche.radius import find_radii_along
    from bench_hf import SIZES
    size = dict(SIZES[args.size])
    n_seq, seq_len = size.pop('n_seq'), size.pop('seq_len')
    torch.manual_seed(0)   # the model and data of bench_hf.py
    model = GPTNeoXForCausalLM(GPTNeoXConfig(**size, max_position_embeddings=max(2048, seq_len), attn_implementation='eager')).eval()
    ids = torch.randint(0, size['vocab_size'], (n_seq, seq_len), generator=torch.Generator().manual_seed(1))
    cost = KLCost(model, dict(input_ids=ids, attention_mask=torch.ones_like(ids)), cache='device', model_batch_size=args.k)
    rays = DeviceRays(cost, seed=0, directions='device')
    f0 = float(rays.cost_center())

    def solve(a, b, init, power, curvature):
        along, _, _ = rays.batch(a, b)
        return find_radii_along(along, b - a, args.cutoff, f0, rays.dtype, rtol=args.rtol, init_radius=init, power=power,
                                curvature=curvature, record=True)
    n, w = args.n, min(args.warmup, args.n)
    pieces = [(0, solve(0, 1, 1., 2., 0.))]                       # the warm-up of tyche.volume, stage by stage
    r0 = pieces[0][1]
    if w > 1: pieces.append((1, solve(1, w, float(r0.radius[0]), r0.power, r0.curvature)))
    radii = torch.cat([r.radius for _, r in pieces])
    start = (float(radii[radii.isfinite()].median()), pieces[-1][1].power, pieces[-1][1].curvature)
    pieces += [(a, solve(a, min(a + args.k, n), *start)) for a in range(w, n, args.k)]
    evals = torch.cat([r.evals for _, r in pieces])
    ref = ray_estimate(cost, cutoff=args.cutoff, n_samples=n, batch_size=args.k, seed=0, progress=False, directions='device',
                       rtol=args.rtol, warmup=args.warmup)
    if not torch.equal(evals, ref.evals): sys.exit(f"not the evaluations of ray_estimate: {evals.tolist()} vs {ref.evals.tolist()}")
    dist = {}   # step -> distances from the edge, directions after the warm-up
    for a, res in pieces:
        if a < w: continue
        edge = (res.radius.log() + res.r_out.log()) / 2
        for j, (idx, r, _) in enumerate(res.history):
            dist.setdefault(j + 1, []).append((r.log() - edge[idx]).abs())
    print(f"GPT-NeoX {args.size} ({cost.dim:,} parameters), {n} directions, {args.k} per batch, warm-up {w}, "
          f"cutoff {args.cutoff}, rtol {args.rtol}; warm start: radius {start[0]:.4g}, exponent {start[1]:.3f}, "
          f"curvature {start[2]:.3f}")
    print(f"evaluations per direction: mean {evals.double().mean():.3f}; cold direction {int(evals[0])}; warm-up "
          f"{evals[1:w].tolist()}; after the warm-up "
          + ", ".join(f"{int(c)} x {e}" for e, c in enumerate(torch.bincount(evals[w:])) if c))
    print(f"{'step':>4} {'directions':>10} {'median':>9} {'90%':>9} {'max':>9} {'within rtol':>11}   |log r - log r_edge|")
    for j, d in sorted(dist.items()):
        d = torch.cat(d)
        print(f"{j:>4} {len(d):>10} {float(d.median()):>9.2e} {float(d.quantile(0.9)):>9.2e} {float(d.max()):>9.2e} "
              f"{int((d <= math.log1p(args.rtol)).sum()):>11}")


if __name__ == '__main__': main()
