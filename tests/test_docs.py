"""The offline docs build (`tools/docs.py`): one page per notebook, no tracebacks, every internal link and anchor resolves,
no machine path or stored warning, no raw markdown links, local MathJax, a top bar, and a search that finds pages.

The site is built once into a temporary folder, ignoring nbdev's `_proc` cache so that every notebook's imports, exported
cells and `show_doc` cells run against the current code, as they do in a fresh clone. The search is checked in headless
Chromium against the site served on localhost (`apt-get install chromium`; the test is skipped, saying so, without it).
"""
import functools, html, http.server, os, re, shutil, subprocess, sys, tempfile, threading
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


def site_pages(site):
    "The pages the build wrote (not MathJax's or Pagefind's files)"
    return [p for p in pages(site) if not {'mathjax', 'pagefind'} & set(p.relative_to(site).parts)]


_re_ids = re.compile(r'\s(?:id|name)="([^"]+)"')
_re_links = re.compile(r'\s(?:href|src)="([^"]+)"')


def test_internal_links_and_anchors_resolve(site):
    "Every relative link names a file of the site and any fragment an id on that page (exactly or percent-decoded, as browsers match)"
    ids = {p: {html.unescape(i) for i in _re_ids.findall(p.read_text(encoding="utf-8"))} for p in site_pages(site)}
    broken = []
    for page in ids:
        for link in _re_links.findall(page.read_text(encoding='utf-8')):
            url = urlparse(html.unescape(link))
            if url.scheme or url.netloc or link.startswith(('data:', 'mailto:')): continue
            target = (page.parent/unquote(url.path)).resolve() if url.path else page
            if not target.exists(): broken.append(f'{page.name}: {link} (no such file)'); continue
            if url.fragment and target.suffix == '.html' and not {url.fragment, unquote(url.fragment)} & ids.get(target, set()):
                broken.append(f'{page.name}: {link} (no id {url.fragment!r} in {target.name})')
    assert not broken, f'{len(broken)} broken links:\n' + '\n'.join(broken[:40])


_machine_path = re.compile(r'(?:^|[^\w.:/])(?:/home/|/root/|/tmp/|/work/|/Users/|/var/folders/|/private/var/)\S*|site-packages|[A-Za-z]:\\\\Users')
_warning = re.compile(r'\b\w*Warning: ')


def test_no_machine_paths_or_stored_warnings(site):
    "Stored outputs show what a reader should see: no absolute path of the machine that ran them, no warnings"
    found = []
    for page in site_pages(site):
        text = html.unescape(re.sub(r'<[^>]+>', '', page.read_text(encoding='utf-8')))
        found += [f'{page.name}: path {m.group(0).strip()[:80]}' for m in _machine_path.finditer(text)]
        found += [f'{page.name}: warning {text[m.start():m.start() + 80]!r}' for m in _warning.finditer(text)]
    assert not found, '\n'.join(found[:40])


def test_no_raw_markdown_links(site):
    "Markdown links (in prose, outputs and signature comments) are rendered as links, never shown as `[text](url)`"
    found = []
    for page in site_pages(site):
        text = html.unescape(re.sub(r'<[^>]+>', '', page.read_text(encoding='utf-8')))
        found += [f'{page.name}: {m.group(0)[:100]}' for m in re.finditer(r'\[[^\]\n]+\]\((?:[\w./-]+\.html|https?://)[^)\s]*\)', text)]
    assert not found, '\n'.join(found[:40])


def test_top_bar_and_search_box(site):
    for page in site_pages(site):
        text = page.read_text(encoding='utf-8')
        bar = re.search(r'<header class="topbar">(.*?)</header>', text, re.DOTALL)
        assert bar, f'{page.name} has no top bar'
        assert 'id="search"' in bar.group(1) and re.search(r'href="(\.\./)*index.html"', bar.group(1)), page.name
        assert 'data-pagefind-body' in text, f'{page.name} is not indexed for search'
    assert (site/'pagefind'/'pagefind-ui.js').is_file(), 'no Pagefind index: is pagefind[bin] installed?'


def chromium():
    for name in ('chromium', 'chromium-browser', 'google-chrome', 'chrome'):
        if path := shutil.which(name): return path


@pytest.fixture(scope='module')
def served(site):
    "The site on a local HTTP server (browsers do not let `file://` pages fetch the search index)"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()


@pytest.mark.parametrize('term, page', [('KLCost', 'costs.html'), ('thermodynamic integration', 'estimate.html')])
def test_search_finds_pages(served, term, page):
    "Typing a known term into the search box lists its page (headless Chromium, the site's own search UI)"
    browser = chromium()
    if browser is None: pytest.skip('chromium is not installed (apt-get install chromium); .ci/run installs it')
    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run([browser, '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                              '--disable-component-update', '--disable-sync', '--no-first-run', f'--user-data-dir={profile}',
                              '--virtual-time-budget=15000', '--dump-dom', f'{served}/index.html?q={term}'],
                             capture_output=True, text=True, timeout=120)
    results = re.findall(r'class="pagefind-ui__result-link[^"]*" href="([^"]+)"', run.stdout)
    assert results, f'no search results for {term!r}:\n{run.stderr[-1500:]}'
    assert any(urlparse(r).path.endswith('/' + page) for r in results), (term, results)
