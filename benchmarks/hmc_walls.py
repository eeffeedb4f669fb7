"""What reflective HMC spends on the basin's walls: evaluations per reflection and seconds per move, on exact-answer basins.

    OMP_NUM_THREADS=1 python benchmarks/hmc_walls.py

For each basin of `palamedes.validation.validation_cases` asked for (Gaussian prior, cutoff 1e-2, identity metric), the
chains start from inside draws of the reference at k_max (5% inside, as the ladder's top) and make --moves moves at
k_max and at k_max/100 (where the walls, not the spring, hold them), the travel time set as the ladder sets it. Per row:
reflections per move, evaluations per move and per reflection (all of a move's evaluations, its last marching steps
included), gradients per move, and seconds per move.
"""
import argparse, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--cases', nargs='*', default=['box:300', 'rotated ellipsoid, log-uniform:100', 'rotated ellipsoid, power law:100'],
                   help='"name:D" pairs of validation cases')
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
        name, D = case.rsplit(':', 1)
        D = int(D)
        body = [b for n, b, prior in validation_cases(D) if n == name and prior == 'gaussian'][0]
        basin, metric = Basin(body, body.center, 1e-2), Metric(torch.ones(D, dtype=torch.float64))
        gen = torch.Generator().manual_seed(a.seed)
        k_max = find_k_max(basin, body.center, metric, 'gaussian', 1., gen, p_target=0.05)
        x, inside = reference_draws(k_max, basin, body.center, metric, 'gaussian', 1., 40 * a.chains, gen)
        x = x[inside][:a.chains]
        for label, k in [('k_max', k_max), ('k_max/100', k_max / 100)]:
            frame, _ = references([k], body.center, metric, 'gaussian', 1.)
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
