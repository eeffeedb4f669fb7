"""A gradient-free sampler of palamedes' ladder, written apart from palamedes on purpose: random-walk Metropolis.

The rung at spring constant k targets N(0, sigma^2 I) e^{-k r(theta)} on the basin, with r = |theta - anchor|^2 / 2, in
parameter coordinates. Nothing here shares code with palamedes' samplers, frames or free-energy analysis (only pymbar,
the field's library, and `Basin`, the membership test both use), so agreement between the two is evidence, not an echo.

- `stationarity`: start every rung from a finished palamedes run's chains and check that E_k[r] stays where it was.
- `cold_start`: an independent estimate of the log-mass from independent draws at the top rung, a descent and a
  production run with replica exchange, and MBAR; checked against exact answers in tests/test_metropolis.py. With a
  `symmetry` (a relabelling under which the basin and the prior are invariant, such as a network's hidden units) each
  round also proposes one: at small k the chains then reach the basin's relabelled copies, which no local move does.
"""
import math
import numpy as np
import torch


class MetropolisLadder:
    "The rungs' targets and the Metropolis machinery: proposals N(0, s_k^2 L_k L_k^T), neighbour swaps"
    def __init__(self, basin, center, ks, sigma, gen, symmetry=None):
        self.basin, self.c, self.sigma, self.gen, self.symmetry = basin, center.double(), sigma, gen, symmetry
        self.ks = torch.as_tensor(ks, dtype=torch.float64)

    def spring(self, t): return 0.5*(t - self.c).pow(2).sum(-1)
    def logp(self, t, r, ks): return -0.5*t.pow(2).sum(-1)/self.sigma**2 - ks[:, None]*r

    def round(self, x, r, lp, ks, L, s):
        "One Metropolis update of every chain x [K, C, D] on rungs ks [K], in place; chain c proposes with L[:, c % H]"
        (K, C, D), H, g = x.shape, L.shape[1], self.gen
        z, step = torch.randn(K, C, D, generator=g, dtype=torch.float64), torch.empty_like(x)
        for h in range(H): step[:, h::H] = z[:, h::H] @ L[:, h].transpose(1, 2)
        prop = x + s[:, None, None]*step
        rp = self.spring(prop); lpp = self.logp(prop, rp, ks)
        ok = torch.rand(K, C, generator=g, dtype=torch.float64).log() < lpp - lp
        if ok.any(): ok[ok.clone()] = self.basin.gap(prop[ok]) <= 0
        x[ok], r[ok], lp[ok] = prop[ok], rp[ok], lpp[ok]
        if self.symmetry is not None: self.symmetry_move(x, r, lp, ks)
        return ok.double().mean(1)

    def symmetry_move(self, x, r, lp, ks):
        """Metropolis on a random symmetry of the basin and the prior, in place. `self.symmetry(x, gen)` maps each row
        by an element of a group under which both are invariant, drawn so that an element and its inverse are equally
        likely (a symmetric proposal): only the spring decides. It reaches copies of the basin that no local move can"""
        (K, C, D), g = x.shape, self.gen
        prop = self.symmetry(x.reshape(-1, D), g).reshape(K, C, D)
        rp = self.spring(prop); lpp = self.logp(prop, rp, ks)
        ok = torch.rand(K, C, generator=g, dtype=torch.float64).log() < lpp - lp
        if ok.any(): ok[ok.clone()] = self.basin.gap(prop[ok]) <= 0
        x[ok], r[ok], lp[ok] = prop[ok], rp[ok], lpp[ok]

    def swap(self, x, r, parity):
        "Neighbour swaps between rungs j and j + 1 for j of the given parity, chain by chain; in place"
        j = torch.arange(parity, len(self.ks) - 1, 2)
        dk = (self.ks[j + 1] - self.ks[j])[:, None]
        ok = torch.rand(len(j), x.shape[1], generator=self.gen, dtype=torch.float64).log() < dk*(r[j + 1] - r[j])
        for a in (x, r):
            m, lo, hi = (ok if a.dim() == 2 else ok[..., None]), a[j].clone(), a[j + 1].clone()
            a[j], a[j + 1] = torch.where(m, hi, lo), torch.where(m, lo, hi)
        return ok.double().mean()


def shrunk_factor(pts):
    "[..., n, D] points -> [..., D, D] Cholesky factor of their covariance, shrunk a tenth toward its mean variance"
    dev = pts - pts.mean(-2, keepdim=True)
    cov = dev.transpose(-1, -2) @ dev/(pts.shape[-2] - 1)
    iso = cov.diagonal(dim1=-2, dim2=-1).mean(-1)[..., None, None]*torch.eye(pts.shape[-1], dtype=torch.float64)
    return torch.linalg.cholesky(0.9*cov + 0.1*iso)


def stationarity(basin, center, ks, x, sigma, n_rounds=6000, n_pilot=1000, seed=4):
    """Random-walk Metropolis at every rung from a finished run's chains x [K, C, D]: the springs r [T, K, C] of the second
    half of `n_rounds`, and each rung's acceptance. Each half of a rung's chains proposes with the covariance of the other
    half's starting positions (a kernel that does not depend on the chain it moves, so it leaves the target invariant)
    and a scale set in a pilot, then fixed."""
    lad = MetropolisLadder(basin, center, ks, sigma, torch.Generator().manual_seed(seed))
    (K, C, D), x = x.shape, x.clone()
    L = torch.stack([shrunk_factor(x[:, 1::2]), shrunk_factor(x[:, 0::2])], 1)   # chains 0::2 move with 1::2's covariance
    s = torch.full((K,), 0.3*2.38/math.sqrt(D), dtype=torch.float64)
    r = lad.spring(x); lp = lad.logp(x, r, lad.ks); rs, acc = [], torch.zeros(K, dtype=torch.float64)
    for i in range(n_pilot + n_rounds):
        acc += lad.round(x, r, lp, lad.ks, L, s)
        if i < n_pilot and (i + 1) % 100 == 0: s *= (acc/100 - 0.25).exp(); acc.zero_()
        if i >= n_pilot + n_rounds//2 and i % 10 == 0: rs.append(r.clone())
    return torch.stack(rs), acc/n_rounds


def top_draws(lad, n, k):
    "n draws of the unconstrained rung-k Gaussian N(0, sigma^2 I) e^{-k r}, and its log normaliser"
    a = 1/lad.sigma**2 + k
    mean = k*lad.c/a
    log_norm = float((-0.5*math.log(lad.sigma**2*a) - k*lad.c.pow(2)/(2*a*lad.sigma**2)).sum())
    return mean + torch.randn(n, len(lad.c), generator=lad.gen, dtype=torch.float64)/math.sqrt(a), log_norm


def descend_rung(lad, x, k, L, s, n_burn):
    "Burn in chains x [C, D] at spring constant k from the rung above: adapt the proposal, then return it frozen"
    ks, x, s = torch.tensor([k], dtype=torch.float64), x[None].clone(), torch.tensor([s], dtype=torch.float64)
    r = lad.spring(x); lp = lad.logp(x, r, ks); seen, acc = [], 0.
    for i in range(n_burn):
        acc += float(lad.round(x, r, lp, ks, L[None, None], s))
        seen.append(x[0].clone())
        if (i + 1) % 100 == 0:
            s *= math.exp(acc/100 - 0.25); acc = 0.
            L = shrunk_factor(torch.cat(seen[len(seen)//2:]))
    return x[0], L, float(s)


def log_ratio(ks, r):
    "log Z(k_0) - log Z(k_max) and its error, by MBAR (pymbar) on the springs r [T, K, C] sampled at the rungs ks [K]"
    import pymbar
    T, K, C = r.shape
    r_all = r.transpose(0, 1).reshape(-1).numpy()
    u = ks.numpy()[:, None]*r_all[None]
    res = pymbar.MBAR(u, np.full(K, T*C), initialize='BAR').compute_free_energy_differences()
    return -float(res['Delta_f'][K - 1, 0]), float(res['dDelta_f'][K - 1, 0])


def cold_start(basin, center, ks, sigma, n_chains=32, n_burn=1000, n_rounds=10000, n_top=8192, n_groups=4, every=10,
               seed=5, symmetry=None):
    """The log-mass from scratch: the fraction of `n_top` independent draws of the top rung's Gaussian inside the basin,
    a descent that burns in each rung from the one above (`n_burn` rounds, proposal adapted, then frozen), `n_rounds` of
    Metropolis and neighbour swaps at every rung, MBAR on the second half. The standard error is the larger of MBAR's and
    the spread of `n_groups` independent replica sets, combined with the top fraction's binomial error. With `symmetry`
    (see `MetropolisLadder.symmetry_move`) every Metropolis round is followed by a symmetry move."""
    lad = MetropolisLadder(basin, center, ks, sigma, torch.Generator().manual_seed(seed), symmetry)
    (K,), D, k_max = lad.ks.shape, len(center), float(lad.ks[-1])
    draws, log_norm = top_draws(lad, n_top, k_max)
    inside = basin.gap(draws) <= 0
    p = float(inside.double().mean())
    if int(inside.sum()) < n_chains: raise ValueError(f'only {int(inside.sum())} of {n_top} top draws are inside')
    x, L = torch.empty(K, n_chains, D, dtype=torch.float64), torch.empty(K, 1, D, D, dtype=torch.float64)
    s = torch.empty(K, dtype=torch.float64)
    cur, Lc, sc = draws[inside][:n_chains], torch.eye(D, dtype=torch.float64)/math.sqrt(1/sigma**2 + k_max), 2.38/math.sqrt(D)
    for j in reversed(range(K)):
        cur, Lc, sc = descend_rung(lad, cur, float(lad.ks[j]), Lc, sc, n_burn)
        x[j], L[j, 0], s[j] = cur, Lc, sc
    r = lad.spring(x); lp = lad.logp(x, r, lad.ks); rs, acc, swaps = [], torch.zeros(K, dtype=torch.float64), 0.
    for i in range(n_rounds):
        acc += lad.round(x, r, lp, lad.ks, L, s)
        swaps += float(lad.swap(x, r, i % 2)); lp = lad.logp(x, r, lad.ks)
        if i >= n_rounds//2 and i % every == 0: rs.append(r.clone())
    r = torch.stack(rs)
    ratio, mbar_err = log_ratio(lad.ks, r)
    groups = torch.tensor([log_ratio(lad.ks, r[:, :, g::n_groups])[0] for g in range(n_groups)])
    k0, r0 = float(lad.ks[0]), r[:, 0].reshape(-1)
    tail = k0*float(r0.mean()) + 0.5*k0**2*float(r0.var())
    err = math.sqrt(max(mbar_err, float(groups.std())/math.sqrt(n_groups))**2 + (1 - p)/(p*n_top))
    return dict(log_volume=log_norm + math.log(p) + ratio + tail, stderr=err, mbar_err=mbar_err, groups=groups + log_norm +
                math.log(p) + tail, r=r, acceptance=acc/n_rounds, swap_rate=swaps/n_rounds, n_evals=basin.n_evals)
