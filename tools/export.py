"""Export the notebooks in `nbs/` to the two packages `tyche` and `palamedes`, and `nbs/index.ipynb` to `README.md`.

Run it from the repository root: `python tools/export.py`.

nbdev 2 writes every module under one `lib_path`. This project ships two top-level packages, so each notebook names
its module with the package first (`#| default_exp tyche.math`, `#| default_exp palamedes.estimate`) and is handed to
nbdev's own exporter with the repository root as destination. Then, per package, nbdev's version stamp in
`__init__.py` and its symbol index `_modidx.py` (used by `show_doc` links) are refreshed. Nothing is written outside
the package folders, so no stray `__init__.py` appears at the root or in `tests/`.

nbdev's import rewriting is turned off: a module's imports are exactly the notebook's (`from tyche.math import ...`).
nbdev rewrites `from <pkg>.x import` into a relative import computed from the path of the module relative to the
*parent* of `lib_path`; with `lib_path` the repository root, that path starts with the clone's folder name, so in a
clone named `tyche` (what `git clone` creates) `from tyche.math import` became `from ..math import`, an import beyond
the top-level package. Absolute imports do not depend on where the repository sits.

The README is the index notebook's markdown with its visible code cells as Python blocks (and what they print) (what `nbdev_readme` does
through Quarto, which cannot be installed everywhere).
"""
import json, re
from pathlib import Path
from unittest.mock import patch
import nbdev.maker
from nbdev.config import get_config, update_version
from nbdev.doclinks import _build_modidx, nbglob
from nbdev.export import nb_export

_re_default_exp = re.compile(r'^#\|\s*default_exp\s+(\S+)', re.MULTILINE)


def default_exp(nb:Path):
    "The module named by the `default_exp` directive of notebook `nb`, or None"
    cells = json.loads(nb.read_text(encoding='utf-8'))['cells']
    found = (_re_default_exp.search(''.join(c['source'])) for c in cells if c['cell_type'] == 'code')
    return next((m.group(1) for m in found if m), None)


def write_readme(nb:Path, readme:Path):
    "Write `readme` from the markdown and the unhidden code cells of notebook `nb`"
    blocks = []
    for cell in json.loads(nb.read_text(encoding='utf-8'))['cells']:
        source = ''.join(cell['source']).strip()
        if cell['cell_type'] == 'markdown': blocks.append(source)
        elif cell['cell_type'] == 'code' and source and not re.search(r'^#\|\s*(hide|export)', source, re.MULTILINE):
            blocks.append(f'```python\n{source}\n```')
            printed = ''.join(''.join(o['text']) for o in cell.get('outputs', []) if o.get('output_type') == 'stream')
            if printed.strip(): blocks.append(f'```\n{printed.strip()}\n```')
    readme.write_text('<!-- Generated from nbs/index.ipynb by tools/export.py: edit the notebook, not this file. -->\n\n'
                      + '\n\n'.join(blocks) + '\n', encoding='utf-8')


_summary_docstring = nbdev.maker._retr_mdoc


def module_docstring(cells):
    "nbdev's module docstring (the notebook's `> ` summary), as a raw string when it holds LaTeX backslashes"
    doc = _summary_docstring(cells)
    return 'r' + doc if '\\' in doc else doc


def export_all():
    "Export every notebook of the project into its package and refresh each package's `__init__` and `_modidx`"
    cfg = get_config()
    root, packages = cfg.config_path, cfg.get('packages', cfg.lib_name).split()
    for nb in nbglob(cfg.nbs_path, as_path=True).sorted('name'):
        module = default_exp(nb)
        if module is None: continue
        if module.split('.')[0] not in packages:
            raise SystemExit(f'{nb.name}: `default_exp {module}` must start with one of the packages {packages}')
        with patch.object(nbdev.maker, '_import2relative', lambda cells, lib_path=None: None), \
             patch.object(nbdev.maker, '_retr_mdoc', module_docstring): nb_export(nb, lib_path=root)
    for package in packages:
        update_version(root/package)
        _build_modidx(dest=root/package, nbs_path=cfg.nbs_path)
    write_readme(cfg.nbs_path/cfg.readme_nb, root/'README.md')


if __name__ == '__main__': export_all()
