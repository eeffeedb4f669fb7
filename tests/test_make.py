"""The two set-up commands of the README: `make test` and `make digits` build the environment on first use and reuse it."""
import os, re, shutil, subprocess
from pathlib import Path
import pytest

root = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not shutil.which('make'), reason='make is not installed')


def dry_run(target, cwd):
    env = {'PATH': os.environ.get('PATH', '')}  # nothing of a calling `make test` (MAKEFLAGS, TESTS, ARGS) leaks in
    run = subprocess.run(['make', '-n', '--no-print-directory', target], cwd=cwd, capture_output=True, text=True, env=env)
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


def test_readme_starts_with_the_two_commands():
    "The README's quick start, right after the introduction, names the two commands; the measured tables come last"
    readme = (root/'README.md').read_text(encoding='utf-8')
    sections = re.findall(r'^## (.+)$', readme, re.MULTILINE)
    assert sections[0] == 'Quick start' and sections[-1] == 'Measured', sections
    quick = readme.split('## Quick start', 1)[1].split('\n## ', 1)[0]
    assert re.search(r'^make digits\b', quick, re.MULTILINE) and re.search(r'^make test\b', quick, re.MULTILINE), quick
    for cited in ('arxiv.org/abs/2501.18812', 'github.com/EleutherAI/tyche'): assert cited in readme, cited


def test_ci_runs_the_readme_commands():
    ci = (root/'.ci'/'run').read_text()
    assert re.search(r'^make test$', ci, re.MULTILINE) and re.search(r'^make digits\b', ci, re.MULTILINE), ci
