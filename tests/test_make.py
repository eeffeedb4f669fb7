"""The two set-up commands of the README: `make test` and `make digits` build the environment on first use and reuse it."""
import re, shutil, subprocess
from pathlib import Path
import pytest

root = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not shutil.which('make'), reason='make is not installed')


def dry_run(target, cwd):
    run = subprocess.run(['make', '-n', target], cwd=cwd, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


@pytest.mark.parametrize('target', ['test', 'digits'])
def test_fresh_clone_builds_the_environment_first(target, tmp_path):
    for name in ('Makefile', 'settings.ini', 'setup.py'): shutil.copy(root/name, tmp_path/name)
    lines = dry_run(target, tmp_path)
    installs = [i for i, l in enumerate(lines) if 'pip install' in l]
    assert len(installs) == 2, lines
    assert lines[installs[0]].endswith('pip install torch==2.13.0'), 'torch (pinned CPU build) must come first'
    assert lines[installs[1]].endswith('pip install -e ".[dev]"'), lines
    assert any(re.search(r'-m venv \.venv$', l) for l in lines[:installs[0]]), lines
    want = {'test': '.venv/bin/python -m pytest tests', 'digits': '.venv/bin/tyche digits'}[target]
    assert lines[-1].strip() == want, lines


def test_environment_is_reused(tmp_path):
    for name in ('Makefile', 'settings.ini', 'setup.py'): shutil.copy(root/name, tmp_path/name)
    (tmp_path/'.venv'/'bin').mkdir(parents=True)
    (tmp_path/'.venv'/'.installed').touch()
    lines = dry_run('test', tmp_path)
    assert not any('pip install' in l for l in lines), lines
