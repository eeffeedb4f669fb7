"""The KL's exponentials by `exp2` against `exp`: time, accuracy and the end-to-end effect, in one process.

    OMP_NUM_THREADS=1 python benchmarks/kl_exp2.py            # the passes over one vector's logits, and their errors
    OMP_NUM_THREADS=1 python benchmarks/kl_exp2.py --rounds 6 # and ray_estimate on bench_hf.py's reduced pythia shape

`tyche.costs._kl_change` computes the sum over the vocabulary of p e^d as 2^(d log2 e) (`exp2`); the reference here is
the same function with `exp`. Part 1 times both on 256 positions x V = 4096 logit changes d (one vector of the
benchmark's model) and measures, over 4,096 positions per scale, the KL's error against float64 (spread and mean per
position) and the shift of exp2's KL from exp's on the same float32 passes (the part of the error that exp2 adds).
Part 2 alternates the two in `ray_estimate` (32 directions, 1 and 8 per call) and prints the paired differences in
milliseconds per cost evaluation.
"""
import argparse, math, os, statistics, sys, time
from pathlib import Path

os.environ.setdefault('HF_HUB_OFFLINE', '1')
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def median_ms(f, repeats=60):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); f(); times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--rounds', type=int, default=0, help='alternations of the end-to-end comparison (0: skip it)')
    args = p.parse_args()
    import torch, torch.nn.functional as F
    import tyche.costs as costs
    from tyche.costs import _sum64, _anchor_probs

    def kl_by_exp(d, p, P, work=None):
        "`_kl_change` with `exp`: the reference"
        work = torch.empty_like(d) if work is None else work
        mean = _sum64(torch.mul(d, p, out=work)) / P
        return (_sum64(torch.exp(d, out=work).mul_(p)) / P).log() - mean

    kl_by_exp2 = costs._kl_change
    g = torch.Generator().manual_seed(0)
    z0, d = torch.randn(256, 4096, generator=g) * 3, torch.randn(256, 4096, generator=g) * 0.14
    p0, P0 = _anchor_probs(z0)
    work = torch.empty_like(d)
    t_exp, t_exp2 = median_ms(lambda: kl_by_exp(d, p0, P0, work)), median_ms(lambda: kl_by_exp2(d, p0, P0, work))
    print(f'KL passes over 256 x 4096 logits: exp {t_exp:.2f} ms, exp2 {t_exp2:.2f} ms ({t_exp / t_exp2:.2f}x)\n')
    print(f"{'scale of d':>10} {'KL/position':>12} {'sd exp':>9} {'sd exp2':>9} {'mean exp':>10} {'mean exp2':>10} "
          f"{'exp2 - exp, of the KL':>22}")
    for scale in (0.3, 0.14, 0.05, 0.015):
        errs, shifts, kls = {'exp': [], 'exp2': []}, [], []
        for _ in range(8):
            z0, d = torch.randn(512, 4096, generator=g) * 3, torch.randn(512, 4096, generator=g) * scale
            lp0 = F.log_softmax(z0.double(), -1)
            exact = (lp0.exp() * (lp0 - F.log_softmax(z0.double() + d.double(), -1))).sum(-1)
            p, P = _anchor_probs(z0)
            a, b = kl_by_exp(d, p, P), kl_by_exp2(d, p, P)
            errs['exp'].append(a - exact); errs['exp2'].append(b - exact); shifts.append(b - a); kls.append(exact)
        e, e2, s, kl = (torch.cat(x) for x in (errs['exp'], errs['exp2'], shifts, kls))
        se = s.std() / math.sqrt(len(s))
        print(f'{scale:>10} {kl.mean():>12.2e} {e.std():>9.1e} {e2.std():>9.1e} {e.mean():>10.1e} {e2.mean():>10.1e} '
              f'{s.mean() / kl.mean():>13.2e} +- {se / kl.mean():.0e}')
    if args.rounds == 0: return

    import warnings
    warnings.filterwarnings('ignore')
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM
    from tyche.costs import KLCost
    from tyche.hf import ray_estimate
    from bench_hf import SIZES
    size = dict(SIZES['reduced'])
    n_seq, seq_len = size.pop('n_seq'), size.pop('seq_len')
    torch.manual_seed(0)
    model = GPTNeoXForCausalLM(GPTNeoXConfig(**size, max_position_embeddings=2048, attn_implementation='eager')).eval()
    ids = torch.randint(0, size['vocab_size'], (n_seq, seq_len), generator=torch.Generator().manual_seed(1))
    inputs = dict(input_ids=ids, attention_mask=torch.ones_like(ids))
    print(f'\nray_estimate, 32 directions, {args.rounds} alternations: ms per cost evaluation')
    try:
        for k in (1, 8):
            cost = KLCost(model, inputs, model_batch_size=k)
            ms, out = {'exp': [], 'exp2': []}, {}
            for _ in range(args.rounds):
                for name, f in (('exp', kl_by_exp), ('exp2', kl_by_exp2)):
                    costs._kl_change = f
                    n0, t0 = cost.n_evals, time.perf_counter()
                    res = ray_estimate(cost, n_samples=32, batch_size=k, seed=0, progress=False, directions='device')
                    ms[name].append((time.perf_counter() - t0) / (cost.n_evals - n0) * 1e3)
                    out[name] = f'{res.log_volume:.2f}, {float(res.evals.float().mean()):.2f} evaluations per direction'
            diff = [b - a for a, b in zip(ms['exp'], ms['exp2'])]
            print(f"{k} per call: exp {statistics.median(ms['exp']):.2f}, exp2 {statistics.median(ms['exp2']):.2f}; "
                  f"paired difference {statistics.mean(diff):+.2f} ({min(diff):+.2f} to {max(diff):+.2f}); "
                  f"log-volume exp {out['exp']}; exp2 {out['exp2']}")
    finally: costs._kl_change = kl_by_exp2


if __name__ == '__main__':
    main()
