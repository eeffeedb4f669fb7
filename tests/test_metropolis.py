"""The gradient-free reference sampler of the benchmarks (`benchmarks/metropolis.py`) against closed forms.

It is the second, independent reference for palamedes on the small MLP, so it is checked where the answer is known: a
shifted box under the Gaussian prior, whose log-mass and every rung's E_k[r] are exact.
"""
import sys
from pathlib import Path
import torch
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
