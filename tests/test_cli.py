"""The `tyche` command as a user runs it: a separate process, its exit status, and what it prints on stderr.

Runs the installed `tyche` console script when it is on PATH next to this Python, else `tyche.cli.main` through
`python -c` with the repository on PYTHONPATH (the same function the console script calls).
"""
import os, re, shutil, subprocess, sys
from pathlib import Path
import pytest

root = Path(__file__).resolve().parents[1]
script = Path(sys.executable).parent/'tyche'


def tyche(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(root), OMP_NUM_THREADS='1')
    env.pop('TYCHE_DEBUG', None)
    cmd = [str(script), *args] if script.exists() else [sys.executable, '-c', 'import sys; from tyche.cli import main; sys.exit(main())', *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)


def test_help_lists_commands():
    run = tyche('--help')
    assert run.returncode == 0 and all(c in run.stdout for c in ('digits', 'analyze', 'plot', 'estimate')), run.stdout


def test_version():
    run = tyche('--version')
    version = re.search(r'^__version__ = "(.+)"', (root/'tyche'/'__init__.py').read_text(), re.MULTILINE).group(1)
    assert run.returncode == 0 and run.stdout == f'tyche {version}\n', run


def test_dashed_options():
    run = tyche('digits', '--help')
    assert run.returncode == 0 and '--n-samples' in run.stdout and '--scan-samples' in run.stdout, run.stdout


@pytest.mark.parametrize('args', [('digits', '--no_such_option'), ('nope',), ('digits', '--n_samples', 'x'), ('digits', '--n-samples', 'x'),
                                  ('digits', '--poison', '1.5'), ('digits', '--n-samples', '0'), ('analyze', 'nope', 'x.pt'),
                                  ('estimate', 'lm', 'text.txt', '--cutoff', '-1')])
def test_usage_errors_are_one_line_status_2_and_write_nothing(args, tmp_path):
    run = tyche(*args, '--out', 'out', cwd=tmp_path) if args[0] in ('digits',) else tyche(*args, cwd=tmp_path)
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
    "What `tyche digits` writes by default (`tyche-digits/`) does not show in `git status`"
    if not (root/'.git').exists() or not shutil.which('git'): pytest.skip('not a git working copy')
    for path in ('tyche-digits/table.txt', 'tyche-digits/checkpoints/clean/step_00400.pt', 'tyche-estimate.json'):
        run = subprocess.run(['git', 'check-ignore', '-q', path], cwd=root)
        assert run.returncode == 0, f'{path} is not ignored by git'
