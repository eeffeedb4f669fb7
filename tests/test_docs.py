"""The offline docs build (`tools/docs.py`): one page per notebook, no tracebacks, working sidebar links, local MathJax.

The site is built once into a temporary folder, ignoring nbdev's `_proc` cache so that every notebook's imports, exported
cells and `show_doc` cells run against the current code, as they do in a fresh clone.
"""
import html, re, subprocess, sys
from pathlib import Path
from urllib.parse import unquote, urlparse
import pytest

root = Path(__file__).resolve().parents[1]
notebooks = sorted(p for p in (root/'nbs').rglob('*.ipynb') if not any(part.startswith(('_', '.')) for part in p.relative_to(root).parts))


def page_of(nb:Path):
    "The page Quarto (and `tools/docs.py`) writes for notebook `nb`: numeric prefix dropped, `00_math.ipynb` -> `math.html`"
    rel = nb.relative_to(root/'nbs')
    return rel.with_name(re.sub(r'^\d+[a-zA-Z0-9]*_', '', rel.name.lower())).with_suffix('.html')


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp('docs')
    run = subprocess.run([sys.executable, str(root/'tools'/'docs.py'), '--out', str(out), '--force'], cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, f'tools/docs.py failed:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}'
    assert 'pages written' in run.stdout, run.stdout
    return out


def pages(site): return sorted(site.rglob('*.html'))


def test_page_per_notebook(site):
    assert notebooks, 'no notebooks in nbs/'
    expected = {page_of(nb) for nb in notebooks}
    built = {p.relative_to(site) for p in site.rglob('*.html') if 'mathjax' not in p.relative_to(site).parts}
    assert Path('index.html') in built
    assert expected == built, f'missing pages: {sorted(map(str, expected - built))}, unexpected: {sorted(map(str, built - expected))}'


_error_signs = [re.compile(re.escape('Traceback (most recent call last)')),  # a Python traceback
                re.compile(r'class="[^"]*\bnb-error\b'),  # an error output of a cell, as tools/docs.py renders it
                re.compile(r'<span class="ansi-[a-z-]+">\w*(Error|Exception)\b'),  # the red "XxxError" line nbconvert colours
                re.compile(r'\x1b\[[0-9;]*m')]  # raw ANSI escapes that were not rendered


@pytest.mark.parametrize('name', [str(page_of(nb)) for nb in notebooks])
def test_no_traceback(site, name):
    text = (site/name).read_text(encoding='utf-8')
    found = [r.pattern for r in _error_signs if r.search(text)]
    assert not found, f'{name} shows an error ({found})'


def test_sidebar_links_resolve(site):
    for page in pages(site):
        if 'mathjax' in page.relative_to(site).parts: continue
        text = page.read_text(encoding='utf-8')
        nav = re.search(r'<nav class="sidebar">(.*?)</nav>', text, re.DOTALL)
        assert nav, f'{page.name} has no sidebar'
        links = re.findall(r'href="([^"]+)"', nav.group(1))
        assert len(links) >= len(notebooks), f'{page.name}: sidebar lists {len(links)} links for {len(notebooks)} notebooks'
        for link in links:
            url = urlparse(html.unescape(link))
            assert not url.scheme and not url.netloc, f'{page.name}: sidebar link {link} is not relative'
            assert (page.parent/unquote(url.path)).resolve().is_file(), f'{page.name}: sidebar link {link} is broken'


def test_local_mathjax(site):
    maths = [p for p in pages(site) if re.search(r'\$[^$\n]+\$', p.read_text(encoding='utf-8').split('<main', 1)[-1])]
    if not maths: pytest.skip('no page has maths yet')
    for page in maths:
        text = page.read_text(encoding='utf-8')
        scripts = re.findall(r'<script[^>]*src="([^"]+)"', text)
        mathjax = [s for s in scripts if 'MathJax.js' in s]
        assert mathjax, f'{page.name} has maths but does not load MathJax'
        assert not any(urlparse(s).scheme for s in scripts), f'{page.name} loads a script from the network: {scripts}'
        src = page.parent/urlparse(mathjax[0]).path
        assert src.is_file(), f'{page.name}: {src} does not exist'
        config = re.search(r'config=([^,&"]+)', mathjax[0]).group(1)
        assert (src.parent/'config'/f'{config}.js').is_file()
        for part in ['jax/input/TeX/config.js', 'extensions/tex2jax.js', 'jax/output/HTML-CSS/fonts/STIX-Web/fontdata.js']:
            assert (src.parent/part).is_file(), f'MathJax file {part} is missing'
