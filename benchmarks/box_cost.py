"""What a palamedes run on the validation box costs at a dimension too large to run here, projected from measurements.

    OMP_NUM_THREADS=1 python benchmarks/box_cost.py --dim 10000

The axis-aligned "box" case of `palamedes.validation.validation_cases` (half-width 0.01 on every axis, shifted anchor,
prior N(0, I), identity metric) has every rung's E_k[r] and Var_k[r] in closed form, so its rungs are laid out as
`palamedes.ladder.descend` lays them (`next_spring`, `tail_reached`; without its retries), from k_max found as a run
finds it, with no sampling. At every rung, chains drawn exactly from the rung's target (`box_rung_draws`) at the
smaller --measure-dim make two reflective HMC moves with the ladder's travel time: reflections per move per dimension,
which do not depend on D (the axes are independent). The seconds per reflection are timed at --dim on one rung where
the walls hold the chains (--time-k): with --chains chains for the descent (it moves one rung's chains at a time), and
with --time-chains chains in one batch for the production run (it moves every rung's chains at once; at D = 1000 a
reflection costs three times less with 128 chains than with 32, at D = 1e4 about as much). Projected: the descent
(--moves moves of --chains chains per rung) and the production run (--sweeps sweeps of one move per rung: a lower
bound, cheap rungs move more), counting the reflections' time alone (the flights between walls are not counted).
"""
import argparse, math, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def reflections_per_move(box, k, n_chains, seed=0, moves=2):
    "Mean reflections per move of chains drawn exactly from the rung at k, and the seconds the moves took"
    import torch
    from palamedes.samplers import Basin, Metric, references, init_chains, hmc_step
    from palamedes.ladder import travel_time
    from palamedes.validation import box_rung_draws
    D = len(box.widths)
    frame, _ = references([k], box.center, Metric(torch.ones(D, dtype=torch.float64)), 'gaussian', 1.)
    rung, basin = torch.zeros(n_chains, dtype=torch.long), Basin(box, box.center, 1e-2)
    st = init_chains(frame.w(box_rung_draws(box, 1e-2, k, n_chains, seed=seed), rung), rung, basin, frame)
    st.step.fill_(travel_time(st.w))
    gen, reflections, t = torch.Generator().manual_seed(seed), 0, time.perf_counter()
    for _ in range(moves):
        st, info = hmc_step(st, basin, frame, gen)
        reflections += int(info.n_events.sum()); st.step.fill_(travel_time(st.w))
    return reflections/(moves*n_chains), time.perf_counter() - t


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--dim', type=int, default=10_000, help='the dimension projected to')
    p.add_argument('--measure-dim', type=int, default=1000, help='the dimension the reflections per move are measured at')
    p.add_argument('--time-k', type=float, default=1e3, help='the rung whose seconds per reflection are timed at --dim')
    p.add_argument('--chains', type=int, default=32, help="the run's chains per rung (palamedes' default)")
    p.add_argument('--moves', type=int, default=8, help="the descent's moves per rung (palamedes' default)")
    p.add_argument('--sweeps', type=int, default=32, help="the production run's sweeps (palamedes' default)")
    p.add_argument('--measure-chains', type=int, default=16, help='chains per rung measured at --measure-dim')
    p.add_argument('--time-chains', type=int, default=128, help='chains in the batch timed at --dim')
    a = p.parse_args()
    import torch
    from palamedes.samplers import Basin, Metric
    from palamedes.ladder import find_k_max, next_spring, tail_reached
    from palamedes.validation import validation_cases, box_spring_means, box_spring_vars
    box_at = lambda D: next(b for n, b, prior in validation_cases(D) if n == 'box' and prior == 'gaussian')
    box = box_at(a.dim)
    k = find_k_max(Basin(box, box.center, 1e-2), box.center, Metric(torch.ones(a.dim, dtype=torch.float64)), 'gaussian', 1.,
                   torch.Generator().manual_seed(0), p_target=0.05)
    rungs = []
    while True:
        mean, sd = float(box_spring_means(box, 1e-2, [k])[0]), math.sqrt(float(box_spring_vars(box, 1e-2, [k])[0]))
        rungs.append((k, mean))
        if len(rungs) > 1 and tail_reached(k, mean, sd): break
        k = next_spring(k, mean, sd)
    small = box_at(a.measure_dim)
    per_dim = [reflections_per_move(small, k, a.measure_chains)[0]/a.measure_dim for k, _ in rungs]
    per_reflection = {}   # seconds per chain and reflection, by the number of chains moved at once
    for n in dict.fromkeys((a.chains, a.time_chains)):
        refl, secs = reflections_per_move(box, a.time_k, n, moves=1)
        per_reflection[n] = secs/(n*refl)
    print(f'D = {a.dim}: {len(rungs)} rungs from k_max = {rungs[0][0]:.4g} to {rungs[-1][0]:.4g}; at k = {a.time_k:g} '
          f'{refl:.0f} reflections per move ({refl/a.dim:.3f} D), ms per chain and reflection: '
          + ', '.join(f'{t*1e3:.2f} with {n} chains' for n, t in per_reflection.items()))
    reflections = [a.chains*f*a.dim for f in per_dim]   # in one move of a rung's chains
    descent = [a.moves*n*per_reflection[a.chains]/60 for n in reflections]
    print(f'{"rung":>5} {"k":>10} {"k E_k[r]":>9} {"refl/move":>10} {"descent min":>12}')
    for i, ((k, mean), f) in enumerate(zip(rungs, per_dim)):
        if i % max(1, len(rungs)//20) == 0 or i == len(rungs) - 1:
            print(f'{i:>5} {k:>10.4g} {k*mean:>9.3g} {f*a.dim:>10.0f} {sum(descent[:i + 1]):>12.1f}')
    over = [k for (k, _), f in zip(rungs, per_dim) if f*a.dim > 1000]
    if over: print(f'the mean reflections per move pass 1000 (a fixed cap of 1000) below k = {over[0]:.4g}')
    production = a.sweeps*sum(reflections)*per_reflection[a.time_chains]/60
    print(f'projected on one thread: descent {sum(descent):.1f} min, production >= {production:.1f} min, '
          f'in all >= {(sum(descent) + production)/60:.2f} h')


if __name__ == '__main__':
    main()
