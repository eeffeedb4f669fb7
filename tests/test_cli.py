"""The `tyche` and `palamedes` commands as a user runs them: a separate process, its exit status, and what it prints on stderr.

Runs the installed console script when it is on PATH next to this Python, else `<package>.cli.main` through `python -c`
with the repository on PYTHONPATH (the same function the console script calls).
"""
import os, re, shutil, subprocess, sys
from pathlib import Path
import pytest

root = Path(__file__).resolve().parents[1]


def command(prog, *args, cwd=None):
    "Run the console script `prog` (tyche or palamedes) with `args`"
    env = dict(os.environ, PYTHONPATH=str(root), OMP_NUM_THREADS='1')
    env.pop(f'{prog.upper()}_DEBUG', None)
    script = Path(sys.executable).parent/prog
    cmd = [str(script), *args] if script.exists() else [sys.executable, '-c', f'import sys; from {prog}.cli import main; sys.exit(main())', *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)


def tyche(*args, cwd=None): return command('tyche', *args, cwd=cwd)


@pytest.mark.parametrize('prog, commands', [('tyche', ('digits', 'analyze', 'plot', 'estimate')), ('palamedes', ('digits',))])
def test_help_lists_commands(prog, commands):
    run = command(prog, '--help')
    assert run.returncode == 0 and run.stdout.startswith(f'usage: {prog} ') and all(c in run.stdout for c in commands), run.stdout


@pytest.mark.parametrize('prog', ['tyche', 'palamedes'])
def test_version(prog):
    run = command(prog, '--version')
    version = re.search(r'^__version__ = "(.+)"', (root/prog/'__init__.py').read_text(), re.MULTILINE).group(1)
    assert run.returncode == 0 and run.stdout == f'{prog} {version}\n', run


def test_dashed_options():
    run = tyche('digits', '--help')
    assert run.returncode == 0 and '--n-samples' in run.stdout and '--scan-samples' in run.stdout, run.stdout
    run = command('palamedes', 'digits', '--help')
    assert run.returncode == 0 and '--n-chains' in run.stdout and '--restart' in run.stdout, run.stdout


@pytest.mark.parametrize('prog, args', [('tyche', a) for a in [
    ('digits', '--no_such_option'), ('nope',), ('digits', '--n_samples', 'x'), ('digits', '--n-samples', 'x'), ('digits', '--poison', '1.5'),
    ('digits', '--n-samples', '0'), ('analyze', 'nope', 'x.pt'), ('estimate', 'lm', 'text.txt', '--cutoff', '-1')]] + [('palamedes', a) for a in [
    ('digits', '--no_such_option'), ('nope',), ('digits', '--n-chains', 'x'), ('digits', '--poison', '0'), ('digits', '--n-groups', '64')]])
def test_usage_errors_are_one_line_status_2_and_write_nothing(prog, args, tmp_path):
    run = command(prog, *args, '--out', 'out', cwd=tmp_path) if args[0] in ('digits',) else command(prog, *args, cwd=tmp_path)
    assert run.returncode == 2, run
    assert len(run.stderr.strip().splitlines()) == 1 and 'Traceback' not in run.stderr, run.stderr
    assert not list(tmp_path.iterdir()), 'a usage error must be caught before any work'


def test_bad_files_are_one_line(tmp_path):
    (tmp_path/'corrupt.pt').write_bytes(b'\x00garbage')
    (tmp_path/'file').write_text('x')
    for args in [('analyze', 'eps_scan', str(tmp_path/'corrupt.pt'), '--out', str(tmp_path/'r.json')),
                 ('analyze', 'eps_scan', str(tmp_path/'missing.pt')),
                 ('digits', '--out', str(tmp_path/'file'/'sub')),
                 ('plot', str(tmp_path/'corrupt.pt'))]:
        run = tyche(*args)
        assert run.returncode == 1, (args, run)
        assert len(run.stderr.strip().splitlines()) == 1 and 'Traceback' not in run.stderr, (args, run.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['corrupt.pt', 'file']  # nothing half-written


def test_main_job_output_is_ignored():
    "What `tyche digits` and `palamedes digits` write by default (`tyche-digits/`, `palamedes-digits/`) does not show in `git status`"
    if not (root/'.git').exists() or not shutil.which('git'): pytest.skip('not a git working copy')
    for path in ('tyche-digits/table.txt', 'tyche-digits/checkpoints/clean/step_00400.pt', 'tyche-estimate.json',
                 'palamedes-digits/clean.palamedes.pt', 'palamedes-digits/networks/clean/step_00016.pt'):
        run = subprocess.run(['git', 'check-ignore', '-q', path], cwd=root)
        assert run.returncode == 0, f'{path} is not ignored by git'
