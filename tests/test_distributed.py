"""Two-process gloo runs on the CPU: the directions split across ranks give the one-process result bit for bit, and a
rank that raises or dies ends the job with a clear error, not a hang.

The ranks are spawned by `tyche.distributed.run_local` (torch.multiprocessing) or by `torchrun`; what they run is a
function of this module, which the spawned processes import.
"""
import inspect, json, os, shutil, subprocess, sys, time, warnings
from pathlib import Path
import pytest
import torch
from torch import nn
from tyche.costs import KLCost
from tyche.distributed import RankError, identical, run_local, world
from tyche.volume import VolumeWarning, estimate_volume
from tyche.hf import ray_estimate

root = Path(__file__).resolve().parents[1]


def mlp_cost(**kwargs):
    "A KL cost of a small float32 MLP (8-32-4, tanh) on 64 random inputs, the same in every process"
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 4))
    return KLCost(model, torch.randn(64, 8, generator=torch.Generator().manual_seed(1)), **kwargs)


def mlp_volumes():
    "The MLP's volume in several settings, each split across the ranks (and once computed alone with distributed=False)"
    cost, kw = mlp_cost(), dict(n_samples=30, batch_size=4, seed=5, progress=False, star_fraction=0.2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always', UserWarning)
        warnings.simplefilter('ignore', VolumeWarning)     # no preconditioner: a lower bound, flagged; not what is tested
        out = dict(split=estimate_volume(cost, cost.anchor, **kw), alone=estimate_volume(cost, cost.anchor, distributed=False, **kw),
                   cold=estimate_volume(cost, cost.anchor, **kw | dict(warmup=0)),      # the first batch warms up the rest
                   light=ray_estimate(mlp_cost(in_place=True), memory_light=True, block=64, n_samples=30, batch_size=4, seed=5,
                                      progress=False),                 # directions from seeds, written in place
                   one_batch=estimate_volume(cost, cost.anchor, **kw | dict(batch_size=22)))   # one batch after the warm-up
    return out, [str(w.message) for w in caught]


def test_model_cost_bit_identical():
    one, caught = mlp_volumes()
    assert one['split'].n_evals > 30 and one['split'].star_checked.sum() == 6 and not identical(one['split'], one['cold'])
    assert not caught
    for rank, (split, messages) in enumerate(run_local(2, mlp_volumes)):
        for k in one: assert identical(split[k], one['split' if k == 'alone' else k]), k
        # the one batch after the warm-up leaves rank 1 idle: rank 0 says so
        assert messages == (["1 batches of directions after the warm-up for 2 ranks: some ranks have nothing to do; "
                             "pass batch_size=11 or less"] if rank == 0 else [])


class FailingCost:
    "The MLP cost, failing on rank `rank` after `calls` calls: raising ValueError, or dying with exit code 3"
    def __init__(self, rank, calls, die=False): self.cost, self.rank, self.calls, self.die = mlp_cost(), rank, calls, die
    def __call__(self, thetas):
        self.calls -= 1
        if world()[0] == self.rank and self.calls < 0:
            if self.die: os._exit(3)
            raise ValueError("cost exploded on purpose")
        return self.cost(thetas)


def failing_volume(rank, calls, die=False):
    cost = FailingCost(rank, calls, die)     # 12 calls in the warm-up (the anchor's included), about 20 more per rank
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', VolumeWarning)
        return estimate_volume(cost, cost.cost.anchor, n_samples=30, batch_size=4, progress=False)


@pytest.mark.parametrize('rank,calls', [(1, 5), (0, 3)], ids=['rank1-solving', 'rank0-warmup'])
def test_rank_that_raises_ends_the_job(rank, calls):
    t = time.monotonic()
    with pytest.raises(RankError, match=f"rank {rank} of 2 failed: ValueError: cost exploded on purpose"):
        run_local(2, failing_volume, rank, calls, timeout=120)
    assert time.monotonic() - t < 100      # the other rank learned of it at the next gather, not at the timeout


def test_rank_that_dies_ends_the_job():
    t = time.monotonic()
    with pytest.raises(RankError, match="rank 1 of 2 failed: died with exit code 3"):
        run_local(2, failing_volume, 1, 5, True, timeout=120)
    assert time.monotonic() - t < 100      # the survivor's gather failed when the connection closed


def test_hf_estimate_under_torchrun(tmp_path):
    "`tyche estimate` under torchrun with 2 CPU processes writes (once) the result of one process, bit for bit"
    from transformers.utils import logging as hf_logging
    from tyche.hf import tiny_pythia
    from tyche.cli import main
    hf_logging.set_verbosity_error()
    docs = [inspect.getdoc(f) for f in (json.dumps, json.loads, Path.glob, Path.rglob, shutil.copy, subprocess.run)]
    lm, tok = tiny_pythia(docs)
    lm.save_pretrained(tmp_path/'lm'); tok.save_pretrained(tmp_path/'lm')
    (tmp_path/'text.txt').write_text('\n\n'.join(docs))
    args = ['estimate', str(tmp_path/'lm'), str(tmp_path/'text.txt'), '--n-samples', '20', '--val-size', '4',
            '--max-seq-len', '32', '--batch-size', '4', '--quiet']
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')     # a flagged lower bound (no preconditioner), and a note on vmap of attention
        assert main(args + ['--out', str(tmp_path/'one.json')]) == 0
    torchrun = Path(sys.executable).parent/'torchrun'
    env = os.environ | dict(OMP_NUM_THREADS='1', TYCHE_TIMEOUT_S='60')
    run = subprocess.run([str(torchrun), '--standalone', '--nproc_per_node=2', str(Path(sys.executable).parent/'tyche'), *args,
                          '--out', str(tmp_path/'two.json')], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.count('log-volume') == 1 and run.stdout.count('wrote') == 1     # rank 0 only
    one, two = (json.loads((tmp_path/f).read_text()) for f in ('one.json', 'two.json'))
    assert one['results'] == two['results'] and one['results'][0]['n_samples'] == 20
    assert sorted(p.name for p in tmp_path.iterdir()) == ['lm', 'one.json', 'text.txt', 'two.json']   # no temporary file left


def tiny_neox():
    "A GPT-NeoX with random weights (2 layers, width 16) and 3 sequences of 12 random tokens, one of them padded"
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM
    from transformers.utils import logging as hf_logging
    hf_logging.set_verbosity_error()
    torch.manual_seed(0)
    model = GPTNeoXForCausalLM(GPTNeoXConfig(vocab_size=96, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                                             intermediate_size=32, max_position_embeddings=32))
    ids = torch.randint(0, 96, (3, 12), generator=torch.Generator().manual_seed(1))
    mask = torch.ones_like(ids); mask[2, 8:] = 0
    return model, dict(input_ids=ids, attention_mask=mask)


SHARDED = dict(n_samples=10, batch_size=2, rtol=1e-6, cutoff=1e-2)


def sharded_run():
    "On each rank: the tiny GPT-NeoX sharded with FSDP2, its volume, whether every shard is restored, and its share of entries"
    from tyche.sharded import shard_model, sharded_volume
    model, inputs = tiny_neox()
    shard_model(model)
    before = [p.to_local().clone() for p in model.parameters()]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', VolumeWarning)
        res = sharded_volume(model, inputs, seed=3, progress=False, block=256, **SHARDED)
    restored = all(torch.equal(a, p.to_local()) for a, p in zip(before, model.parameters()))
    return res, restored, sum(p.to_local().numel() for p in model.parameters())


def test_sharded_model_equals_unsharded():
    "A tiny GPT-NeoX sharded over 2 ranks: the radii of the unsharded memory-light estimate bit for bit, log-volume to 1e-12"
    from tyche.hf import ray_estimate
    model, inputs = tiny_neox()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', VolumeWarning)
        one = ray_estimate(KLCost(model, inputs, in_place=True), memory_light=True, block=256, seed=3, progress=False, **SHARDED)
    D = sum(p.numel() for p in model.parameters())
    for res, restored, local in run_local(2, sharded_run):
        assert restored and local <= D // 2 + 64                     # each rank holds about half of the parameters
        assert torch.equal(res.radii, one.radii) and torch.equal(res.evals, one.evals) and res.n_evals == one.n_evals
        assert abs(res.log_volume - one.log_volume) <= 1e-12 * abs(one.log_volume)   # v . anchor: per-shard sums, all-reduced
