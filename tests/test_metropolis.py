"""The gradient-free reference sampler of the benchmarks (`benchmarks/metropolis.py`) against closed forms.

It is the second, independent reference for palamedes on the small MLP, so it is checked where the answer is known: a
shifted box under the Gaussian prior, whose log-mass and every rung's E_k[r] are exact.
"""
import math, sys
from pathlib import Path
import torch
from scipy.integrate import quad
from tyche.basins import Box
from palamedes.samplers import Basin
from palamedes.validation import box_spring_means

sys.path.insert(0, str(Path(__file__).resolve().parents[1]/'benchmarks'))
from metropolis import cold_start, stationarity


def test_cold_start_box():
    D = 6
    center = 0.3*torch.randn(D, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    box, ks = Box(torch.ones(D, dtype=torch.float64), center), torch.logspace(-3, 1, 24, dtype=torch.float64)
    out = cold_start(Basin(box, center, 1., distributed=False), center, ks, 1., n_burn=300, n_rounds=3000)
    truth = box.log_mass(1., 'gaussian', sigma=1.)
    assert 0.005 < out['stderr'] < 0.1, out['stderr']
    assert abs(out['log_volume'] - truth) < 3*out['stderr'], (out['log_volume'], truth, out['stderr'])
    per_chain = out['r'].mean(0)
    z = (per_chain.mean(1) - box_spring_means(box, 1., ks))/(per_chain.var(1)/per_chain.shape[1]).sqrt()
    assert z.abs().max() < 4 and z.std() < 1.6, z


def test_stationarity_keeps_exact_chains():
    "Started from exact draws of each rung (rejection from the rung's Gaussian), E_k[r] stays at its exact value"
    D, C = 4, 64
    g = torch.Generator().manual_seed(1)
    center = 0.3*torch.randn(D, generator=g, dtype=torch.float64)
    box, ks = Box(torch.ones(D, dtype=torch.float64), center), torch.tensor([0.1, 1., 5.], dtype=torch.float64)
    x = torch.empty(len(ks), C, D, dtype=torch.float64)
    for j, k in enumerate(ks):
        a = 1 + float(k)
        draws = k*center/a + torch.randn(100*C, D, generator=g, dtype=torch.float64)/a**0.5
        x[j] = draws[box(draws) <= 1][:C]
    r, acc = stationarity(Basin(box, center, 1., distributed=False), center, ks, x, 1., n_rounds=2000, n_pilot=200)
    per_chain = r.mean(0)
    z = (per_chain.mean(1) - box_spring_means(box, 1., ks))/(per_chain.var(1)/C).sqrt()
    assert (acc > 0.1).all() and z.abs().max() < 4, (acc, z)


def two_boxes(b, w):
    "The union of the boxes |theta - b| <= w and |theta + b| <= w (max norm), as a cost that is 1 on their walls"
    return lambda t: torch.minimum((t - b).abs().amax(-1), (t + b).abs().amax(-1))/w


def two_box_means(b, w, ks):
    "log Z_k and E_k[r] (r = |theta - b|^2/2) of N(0, I) e^{-k r} on the two boxes, by quadrature coordinate by coordinate"
    out = []
    for k in ks.tolist():
        zs, rs = [], []
        for s in (1, -1):
            mass = [quad(lambda t: math.exp(-t*t/2 - k*(t - bi)**2/2)/math.sqrt(2*math.pi), s*bi - w, s*bi + w)[0] for bi in b.tolist()]
            half = [quad(lambda t: (t - bi)**2/2*math.exp(-t*t/2 - k*(t - bi)**2/2)/math.sqrt(2*math.pi), s*bi - w, s*bi + w)[0]
                    for bi in b.tolist()]
            zs.append(math.prod(mass)); rs.append(sum(h/m for h, m in zip(half, mass)))
        out.append((math.log(sum(zs)), (zs[0]*rs[0] + zs[1]*rs[1])/sum(zs)))
    return torch.tensor(out, dtype=torch.float64).T


def test_cold_start_reaches_every_copy_by_symmetry_moves():
    """Two disjoint copies of a box, swapped by theta -> -theta: random-walk Metropolis from the anchor's copy never
    crosses the gap, and the log-mass is log 2 short; with the symmetry as a move, the estimate and every rung are exact"""
    D, w = 4, 0.5
    b = 0.8 + 0.1*torch.rand(D, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    ks = torch.logspace(-3, 1, 20, dtype=torch.float64)
    log_z, mean_r = two_box_means(b, w, torch.cat([torch.zeros(1, dtype=torch.float64), ks]))   # k = 0: the log-mass
    flip = lambda t, gen: -t
    res = {}
    for name, sym in (('plain', None), ('symmetry', flip)):
        res[name] = cold_start(Basin(two_boxes(b, w), b, 1., distributed=False), b, ks, 1., n_burn=300, n_rounds=3000,
                               symmetry=sym)
    truth = float(log_z[0])
    out = res['symmetry']
    assert abs(out['log_volume'] - truth) < 3*out['stderr'] and out['stderr'] < 0.1, (out['log_volume'], truth, out['stderr'])
    assert abs(res['plain']['log_volume'] - (truth - math.log(2))) < 0.15, (res['plain']['log_volume'], truth)
    per_chain = out['r'].mean(0)
    z = (per_chain.mean(1) - mean_r[1:])/(per_chain.var(1)/per_chain.shape[1]).sqrt()
    assert z.abs().max() < 4, z
