"""Each notebook in `nbs/` is one test, run by nbdev's own test runner (`nbdev_test`) in a fresh process.

Cells flagged `#| slow` or `#| cuda` are skipped unless named in `pytest --flags "slow cuda"`.
"""
import subprocess, sys
from pathlib import Path
import pytest

root = Path(__file__).resolve().parents[1]
notebooks = sorted(p for p in (root/'nbs').rglob('*.ipynb') if not any(part.startswith(('_', '.')) for part in p.relative_to(root).parts))


def test_notebooks_found(): assert len(notebooks) >= 2, f'no notebooks found under {root/"nbs"}'


@pytest.mark.parametrize('notebook', notebooks, ids=[str(p.relative_to(root/'nbs')) for p in notebooks])
def test_notebook(notebook, request):
    nbdev_test = Path(sys.executable).parent/'nbdev_test'
    cmd = [str(nbdev_test), '--path', str(notebook), '--flags', request.config.getoption('--flags'), '--do_print']
    run = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    assert run.returncode == 0 and 'Success.' in run.stdout, f'{notebook.name} failed:\n{run.stdout}\n{run.stderr}'
