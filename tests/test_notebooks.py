"""Each notebook in `nbs/` is one test, run by nbdev's own test runner (`nbdev_test`) in a fresh process.

Cells flagged `#| slow` or `#| cuda` are skipped unless named in `pytest --flags "slow cuda"`.
"""
import re, subprocess, sys
from pathlib import Path
import pytest

root = Path(__file__).resolve().parents[1]
notebooks = sorted(p for p in (root/'nbs').rglob('*.ipynb') if not any(part.startswith(('_', '.')) for part in p.relative_to(root).parts))


def test_notebooks_found():
    "Every notebook a module is exported from, and the README's, is among the notebooks run below"
    sources = {root/'nbs'/m.group(1) for py in sorted([*(root/'tyche').glob('*.py'), *(root/'palamedes').glob('*.py')])
               if (m := re.search(r'File to edit: \.\./nbs/(\S+\.ipynb)', py.read_text(encoding='utf-8')))}
    assert len(sources) >= 10, f'only {len(sources)} generated modules name their notebook'
    missing = sorted(p.name for p in sources | {root/'nbs'/'index.ipynb'} if p not in notebooks)
    assert not missing, f'notebooks not collected as tests: {missing}'


@pytest.mark.parametrize('notebook', notebooks, ids=[str(p.relative_to(root/'nbs')) for p in notebooks])
def test_notebook(notebook, request):
    nbdev_test = Path(sys.executable).parent/'nbdev_test'
    cmd = [str(nbdev_test), '--path', str(notebook), '--flags', request.config.getoption('--flags'), '--do_print']
    run = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    assert run.returncode == 0 and 'Success.' in run.stdout, f'{notebook.name} failed:\n{run.stdout}\n{run.stderr}'
