"""What reflective HMC spends on the basin's walls: evaluations per reflection and seconds per move, on exact-answer basins.

    OMP_NUM_THREADS=1 python benchmarks/hmc_walls.py

For each basin of `palamedes.validation.validation_cases` asked for (Gaussian prior, cutoff 1e-2, identity metric), the
chains start from inside draws of the reference at k_max (5% inside, as the ladder's top) and make --moves moves at
k_max and at k_max/100 (where the walls, not the spring, hold them), the travel time set as the ladder sets it. The case
"digits" is the KL basin (cutoff 1e-2, float32) of the paper's digits MLP (`tyche.digits.train_digits` with its
defaults, trained into a temporary folder) under its prior N(0, 1.3975^2 I), at k_max and k_max/1000. Per row:
reflections per move, evaluations per move and per reflection (all of a move's evaluations, its last marching steps
included), gradients per move, and seconds per move.
"""
import argparse, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def digits_case():
    "(name, anchor, basin, prior scale) of the digits MLP's KL basin, the network trained with the paper's settings"
    import tempfile, torch
    from torch import nn
    from tyche.costs import KLCost
    from tyche.digits import DigitsConfig, train_digits, load_checkpoint, load_digits_split
    from palamedes.samplers import Basin
    cfg = DigitsConfig()
    with tempfile.TemporaryDirectory() as folder:
        ck = load_checkpoint(train_digits(cfg, folder=folder).checkpoints[cfg.n_steps])
    center = nn.utils.parameters_to_vector(ck.model.parameters()).detach()
    cost = KLCost(ck.model, load_digits_split(cfg.train_size, cfg.seed).x_test)
    return 'digits MLP, KL', center, Basin(cost, center, 1e-2), cfg.sigma


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--cases', nargs='*', default=['box:300', 'rotated ellipsoid, log-uniform:100', 'rotated ellipsoid, power law:100'],
                   help='"name:D" pairs of validation cases, or "digits"')
    p.add_argument('--chains', type=int, default=32)
    p.add_argument('--moves', type=int, default=4)
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()
    import torch
    from palamedes.samplers import Basin, Metric, references, init_chains, hmc_step
    from palamedes.ladder import find_k_max, reference_draws, travel_time
    from palamedes.validation import validation_cases
    print(f'{"basin":<36} {"D":>5} {"k":>10} {"refl/move":>10} {"evals/move":>11} {"evals/refl":>11} {"grads/move":>11} {"s/move":>8}')
    for case in a.cases:
        if case == 'digits': (name, center, basin, sigma), low = digits_case(), 1000
        else:
            name, D = case.rsplit(':', 1)
            body = [b for n, b, prior in validation_cases(int(D)) if n == name and prior == 'gaussian'][0]
            center, basin, sigma, low = body.center, Basin(body, body.center, 1e-2), 1., 100
        D = len(center)
        metric = Metric(torch.ones(D, dtype=torch.float64))
        gen = torch.Generator().manual_seed(a.seed)
        k_max = find_k_max(basin, center, metric, 'gaussian', sigma, gen, p_target=0.05)
        x, inside = reference_draws(k_max, basin, center, metric, 'gaussian', sigma, 40 * a.chains, gen)
        x = x[inside][:a.chains]
        for label, k in [('k_max', k_max), (f'k_max/{low}', k_max / low)]:
            frame, _ = references([k], center, metric, 'gaussian', sigma)
            rung = torch.zeros(len(x), dtype=torch.long)
            st = init_chains(frame.w(x, rung), rung, basin, frame)
            st.step.fill_(travel_time(st.w))
            refl = evals = grads = 0
            t = time.perf_counter()
            for _ in range(a.moves):
                st, info = hmc_step(st, basin, frame, gen)
                st.step.fill_(travel_time(st.w))
                refl += int(info.n_events.sum()); evals += int(info.n_evals.sum()); grads += int(info.n_grads.sum())
            s = (time.perf_counter() - t) / a.moves
            per = lambda v: v / a.moves / len(x)
            print(f'{name:<36} {D:>5} {label:>10} {per(refl):>10.1f} {per(evals):>11.1f} {evals / max(refl, 1):>11.2f} '
                  f'{per(grads):>11.1f} {s:>8.2f}', flush=True)


if __name__ == '__main__':
    main()
