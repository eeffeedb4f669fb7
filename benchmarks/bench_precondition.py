"""Preconditioners on the validation suite (and optionally the digits MLP): error of tyche's log-volume against truth.

    OMP_NUM_THREADS=1 python benchmarks/bench_precondition.py [--dims 1000 10000] [--n 100] [--digits] [--out FILE]

Validation suite: ellipsoids 0.5 (x-c)^T H (x-c) with log-uniform (6 decades) and power-law (1/i) spectra, axis-aligned
and rotated by a Haar-random rotation, a shifted anchor c (RMS 1), cutoff 1e-2, uniform and Gaussian priors
(sigma = anchor RMS), `--n` directions. Columns: estimate - truth (nats) for no preconditioner, the diagonal from the
exact Hessian diagonal, the Hutchinson diagonal (100 probes), the dense preconditioner H^(-1/2), and low-rank+diagonal
(Lanczos, k = 10 and 100, Hutchinson diagonal of the projected rest). The dense column runs `dense(H)` (an eigh of the
formed H) up to `--dense-max`; above it the eigendecomposition is the known one (Q, h), since one eigh at D = 1e4
takes ~15 min on a shared core; that is marked with `*`. Rotations: Haar-random dense Q up to `--haar-max`; above it
(a dense QR at D = 1e4 takes too long on this shared machine) Q = a random permutation followed by independent Haar
blocks of 1000 coordinates, the eigenvalues assigned in random order ('blocks' in the table): every coordinate still
mixes 1000 eigenvalues drawn from the whole spectrum, so diag H is nearly constant as with a Haar Q, and the truth is that of the axis-aligned ellipsoid with the
anchor Q^T c (the priors are rotation invariant).

`--digits`: the 64-64-10 GELU MLP of `tyche.digits` (Adam, lr 0.05, L2 5e-4, 1024 training images), KL cutoff 1e-2
on the held-out digits, Gaussian prior sigma = 1/sqrt(L2 N): log-volumes (nats and log10) with no preconditioner, Adam's
second moment (alpha 0.5, several eps), the Hutchinson diagonal, the dense exact Hessian (Fisher) and low-rank k = 100.
"""
import argparse, math, time
from pathlib import Path
import torch
from tyche.volume import estimate_volume
from tyche.basins import Ellipsoid, spectrum, random_rotation
from tyche.volume import Preconditioner
from tyche.precondition import (diagonal, hutchinson_diagonal, dense, lowrank, from_adam, hessian, EigenPreconditioner,
                                _power)

LN10 = math.log(10)


class BlockRotated:
    "Ellipsoid 0.5 (x-c)^T Q diag(h) Q^T (x-c), Q^T x = blockdiag(Q_b)^T (x[perm]): Haar blocks after a random permutation"
    def __init__(self, h, center, block=1000, seed=1):
        D = len(h)
        if D % block: raise ValueError(f'D={D} must be a multiple of block={block}')
        g = torch.Generator().manual_seed(seed)
        self.perm = torch.randperm(D, generator=g)
        # eigenvalues in random order, so that every block holds the whole spectrum (sorted h would put 0.6 decades per
        # block and leave a between-block scale that a diagonal preconditioner captures: not Haar-like)
        self.h, self.center, self.dim, self.block = h[torch.randperm(D, generator=g)], center, D, block
        self.Qs = torch.stack([random_rotation(block, seed=seed + 1 + i) for i in range(D // block)])  # [nb, bs, bs]

    def rot_t(self, x):  # Q^T x for rows x [B, D]
        return torch.einsum('nbi,bij->nbj', x[:, self.perm].reshape(len(x), -1, self.block), self.Qs.to(x.dtype)).reshape(len(x), -1)

    def rot(self, y):    # Q y for rows y [B, D]
        z = torch.einsum('nbj,bij->nbi', y.reshape(len(y), -1, self.block), self.Qs.to(y.dtype)).reshape(len(y), -1)
        return torch.empty_like(z).index_copy(1, self.perm, z)

    def __call__(self, x):
        y = self.rot_t(x - self.center.to(x.dtype))
        return 0.5 * (y * y) @ self.h.to(x.dtype)

    def hessian_diagonal(self):
        z = torch.einsum('bij,bj->bi', self.Qs ** 2, self.h.view(-1, self.block)).reshape(-1)
        return torch.empty_like(z).index_copy(0, self.perm, z)

    def log_mass(self, cutoff, prior='uniform', sigma=None):
        return Ellipsoid(self.h, self.rot_t(self.center[None])[0]).log_mass(cutoff, prior, sigma)


class KnownEigen(Preconditioner):
    "P = Q diag(d) Q^T for a BlockRotated Q, normalised to unit determinant"
    def __init__(self, basin, d):
        self.basin, self.dim, self.log_det = basin, len(d), float(d.log().sum())
        self.d = d * math.exp(-self.log_det / self.dim)
    def apply(self, u): return self.basin.rot(self.basin.rot_t(u) * self.d.to(u.dtype))


def _check_block_rotated():
    "BlockRotated agrees with its explicit matrix on a small case"
    b = BlockRotated(spectrum('loguniform', 40), torch.randn(40, dtype=torch.float64), block=10)
    Qt = b.rot_t(torch.eye(40, dtype=torch.float64))          # rows: Q^T e_i, i.e. Q^T = Qt.T
    Q = Qt
    assert torch.allclose(Q @ Q.T, torch.eye(40, dtype=torch.float64), atol=1e-12)
    H = Q @ torch.diag(b.h) @ Q.T
    x = torch.randn(3, 40, dtype=torch.float64)
    assert torch.allclose(b(x), 0.5 * (((x - b.center) @ H) * (x - b.center)).sum(1), atol=1e-10)
    assert torch.allclose(b.hessian_diagonal(), H.diagonal(), atol=1e-10)
    assert torch.allclose(b.rot(b.rot_t(x)), x, atol=1e-12)
    e = Ellipsoid(b.h, b.center, rotation=Q)
    for prior in ('uniform', 'gaussian'): assert abs(e.log_mass(1e-2, prior) - b.log_mass(1e-2, prior)) < 1e-8


def log(msg, out):
    print(msg, flush=True)
    with open(out, 'a') as f: f.write(msg + '\n')


def suite(dims, n, out, dense_max, haar_max, seed=0):
    cutoff = 1e-2
    cols = ['none', 'diag', 'hutch', 'dense', 'lr10', 'lr100']
    log(f"\n## Validation suite: estimate - truth (nats), {n} directions, cutoff {cutoff}; "
        f"'+-' the estimator's stderr\n", out)
    head = f"| {'D':>6} | {'spectrum':<10} | {'rotated':<7} | {'prior':<8} | {'truth':>12} | " + \
           ' | '.join(f'{c:>15}' for c in cols) + ' |'
    log(head, out); log('|' + '|'.join('-' * (len(s)) for s in head.split('|')[1:-1]) + '|', out)
    for D in dims:
        g = torch.Generator().manual_seed(seed)
        c = torch.randn(D, generator=g, dtype=torch.float64); c = c / c.pow(2).mean().sqrt()
        Q = random_rotation(D, seed=seed + 1) if D <= haar_max else None
        for kind in ('loguniform', 'powerlaw'):
            h = spectrum(kind, D)
            for rotated in (False, True):
                basin = Ellipsoid(h, c, rotation=Q if rotated else None) if (Q is not None or not rotated) else \
                        BlockRotated(h, c, seed=seed + 1)
                rot = ('Haar' if Q is not None else 'blocks') if rotated else 'no'
                t = time.time()
                pcs = {'none': None, 'diag': diagonal(basin.hessian_diagonal())}
                pcs['hutch'] = hutchinson_diagonal(basin, c, n_probes=100, seed=seed)
                star = ''
                if D <= dense_max:
                    H = (Q * h) @ Q.T if rotated else torch.diag(h)
                    pcs['dense'] = dense(H); del H
                else:   # the known eigendecomposition H = Q diag(h) Q^T, as dense() would return it
                    d, star = _power(basin.h, 0.5, None)[0], '*'   # basin.h: BlockRotated shuffles the spectrum
                    pcs['dense'] = KnownEigen(basin, d) if rot == 'blocks' else \
                                   EigenPreconditioner(Q if rotated else torch.eye(D, dtype=torch.float64), d)
                pcs['lr10'] = lowrank(basin, c, k=10, seed=seed)
                pcs['lr100'] = lowrank(basin, c, k=100, seed=seed)
                t_pc = time.time() - t
                for prior in ('uniform', 'gaussian'):
                    truth = basin.log_mass(cutoff, prior)
                    t = time.time()
                    cells = []
                    for name in cols:
                        r = estimate_volume(basin, c, cutoff=cutoff, n_samples=n, prior=prior, preconditioner=pcs[name],
                                            seed=seed, progress=False)
                        cells.append(f"{r.log_volume - truth:+8.2f} +-{r.stderr:5.2f}" + (star if name == 'dense' else ''))
                    log(f"| {D:>6} | {kind:<10} | {rot:<7} | {prior:<8} | {truth:>12.2f} | " +
                        ' | '.join(f'{s:>15}' for s in cells) + f" |  ({t_pc:.0f}s preconditioners, "
                        f"{time.time() - t:.0f}s estimates; lowrank kept {len(pcs['lr10'].eigenvalues)}, "
                        f"{len(pcs['lr100'].eigenvalues)} Ritz pairs)", out)
                del pcs
        del Q


def digits(n, out, eps_list=(1e-8, 1e-6, 1e-4, 1e-3, 1e-2), seed=0):
    from tyche.digits import train_digits, DigitsConfig
    from tyche.costs import KLCost
    t = time.time()
    cfg = DigitsConfig()
    run = train_digits(cfg)
    model = run.model
    cost = KLCost(model, run.data.x_test)
    c = cost.anchor
    log(f"\n## Digits MLP ({c.numel()} parameters, trained {time.time() - t:.0f}s, test accuracy "
        f"{run.test_accuracy():.3f}): KL cutoff 1e-2 on {len(run.data.x_test)} held-out digits, Gaussian prior "
        f"sigma = {cfg.sigma:.4f}, {n} directions\n", out)
    log(f"| {'preconditioner':<34} | {'log_volume (nats)':>18} | {'log10':>16} | {'build s':>7} | {'estimate s':>10} |", out)
    log(f"|{'-' * 36}|{'-' * 20}|{'-' * 18}|{'-' * 9}|{'-' * 12}|", out)
    def row(name, build):
        t = time.time(); pc = build(); tb = time.time() - t
        t = time.time()
        r = estimate_volume(cost, c, cutoff=1e-2, n_samples=n, prior='gaussian', sigma=cfg.sigma, preconditioner=pc,
                            seed=seed, progress=False)
        log(f"| {name:<34} | {r.log_volume:>10.1f} +-{r.stderr:>5.1f} | {r.log_volume / LN10:>8.1f} +-{r.stderr / LN10:>5.1f} | "
            f"{tb:>7.1f} | {time.time() - t:>10.1f} |", out)
    row('none', lambda: None)
    for eps in eps_list: row(f'Adam exp_avg_sq, alpha 0.5, eps {eps:g}', lambda: from_adam(run.optimizer, model, eps=eps))
    row('Hutchinson diagonal, 100 probes', lambda: hutchinson_diagonal(cost, c, n_probes=100, seed=seed))
    s = hutchinson_diagonal(cost, c, n_probes=100, seed=seed).scales
    for rel in (1e-3, 1e-2, 1e-1):
        eps = rel * float(s.abs().sqrt().max())
        row(f'Hutchinson, eps {rel:g} x max sqrt|s|', lambda: diagonal(s, eps=eps))
    t = time.time(); H = hessian(cost, c, batch_size=64); th = time.time() - t
    t = time.time(); pc = dense(H); te = time.time() - t
    lam = pc.eigenvalues
    log(f"(dense Hessian: {th:.0f}s for {c.numel()} Hessian-vector products, eigh {te:.0f}s; eigenvalues {lam.min():.3g} .. "
        f"{lam.max():.3g}, {int((lam.abs() > 1e-6 * lam.abs().max()).sum())} above 1e-6 of the largest)", out)
    row('dense exact Hessian (Fisher)', lambda: pc)
    for eps in (1e-3, 1e-2):
        row(f'dense exact Hessian, eps {eps:g}', lambda: EigenPreconditioner(pc.Q, _power(lam, 0.5, eps)[0]))
    row('low rank k=100 + Hutchinson diag', lambda: lowrank(cost, c, k=100, seed=seed))
    row('low rank k=100, eps 1e-2 x max', lambda: lowrank(cost, c, k=100, seed=seed, eps=1e-2 * float(lam.abs().max().sqrt())))


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--dims', type=int, nargs='+', default=[1000, 10000], help='dimensions of the validation suite')
    ap.add_argument('--n', type=int, default=100, help='directions per estimate')
    ap.add_argument('--dense-max', type=int, default=3000, help='largest D for which dense() runs its own eigh')
    ap.add_argument('--haar-max', type=int, default=3000, help='largest D rotated by a dense Haar Q (above: Haar blocks)')
    ap.add_argument('--digits', action='store_true', help='also run the digits MLP section')
    ap.add_argument('--no-suite', action='store_true', help='skip the validation suite')
    ap.add_argument('--out', default='/tmp/author/precond/bench.txt', help='file the tables are appended to')
    a = ap.parse_args()
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    log(f"# bench_precondition {time.strftime('%Y-%m-%d %H:%M')} torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads", a.out)
    if not a.no_suite: _check_block_rotated(); suite(a.dims, a.n, a.out, a.dense_max, a.haar_max)
    if a.digits: digits(a.n, a.out)
