"""Build the documentation site from the notebooks in `nbs/` without Quarto or network access.

Run it from anywhere: `python tools/docs.py [--out DIR] [--force]` (default output: `_docs/`, open `_docs/index.html`).

The notebooks go through nbdev's own docs pipeline up to the point where nbdev hands them to Quarto:
`refresh_quarto_yml` (writes `nbs/nbdev.yml`; `_quarto.yml` is kept), `nbdev_sidebar` (writes `nbs/sidebar.yml`) and
`proc_nbs`, which writes the processed notebooks into `_proc/` (frontmatter from the H1 title and `>` summary, hidden
and exported cells dropped, `show_doc` cells added and executed, names linked to their docs). Where `nbdev_docs` would
now run `quarto render`, this script renders each processed notebook with nbconvert instead, honouring the Quarto cell
options nbdev writes (`echo`, `output`, `include`, `code-fold`), and wraps it in a page with a sidebar in the order of
`sidebar.yml`, the title and summary from the frontmatter, and MathJax 2.7 served from the site itself (copied from the
`jupyter_server_mathjax` package), so the site works from `file://` and from any static web server. Pages are named
as Quarto names them (`00_math.ipynb` -> `math.html`, `index.ipynb` -> `index.html`), so the doc links nbdev writes
into the notebooks resolve inside the site.

After the pages are written, links are checked against the ids of the pages they point to: nbdev writes anchors as
Quarto makes them (lowercase, `#klcost`) while the headings keep the name's case (`id="KLCost"`), so a fragment that
matches an id only up to case is rewritten to the id (and `#class.method`, when the method has no heading of its
own, to the class's heading). Links that nbdev writes into the comments of signatures
(`# a [`Checkpoint`](digits.html#checkpoint)`) become real links. A top bar names the site's parts and holds a search
box: Pagefind (the `pagefind[bin]` wheel) indexes the finished pages into `pagefind/`; search needs the site served
over HTTP (`python -m http.server -d _docs`), since browsers do not let a `file://` page fetch the index.
"""
import argparse, html, os, posixpath, re, shutil, sys, time
from pathlib import Path

root = Path(__file__).resolve().parents[1]
here = Path(__file__).resolve().parent

_re_directive = re.compile(r'^\s*#\|\s*([\w-]+)\s*:\s*(.*?)\s*$')
_re_fence = re.compile(r'^:::.*$', re.MULTILINE)  # Quarto fenced divs (`::: {.callout-note}`): keep the content only
_re_attr_link = re.compile(r'\[([^\]]*)\]\(([^)\s]+)\)\{([^}]*)\}')  # Pandoc link attributes: [source](url){target=..}
_link_title = 'nbdev-source-link'
_re_ansi = re.compile(r'\x1b\[[0-9;]*m')

_page_template = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title_attr} – {site}</title>
<meta name="description" content="{description_attr}">
<link rel="stylesheet" href="{rel}docs.css">
<script type="text/x-mathjax-config">
MathJax.Hub.Config({{
  tex2jax: {{inlineMath: [['$','$'], ['\\\\(','\\\\)']], displayMath: [['$$','$$'], ['\\\\[','\\\\]']],
             processEscapes: true, processEnvironments: true}},
  TeX: {{equationNumbers: {{autoNumber: "AMS"}}}},
  displayAlign: 'center', messageStyle: 'none',
  "HTML-CSS": {{availableFonts: [], imageFont: null, preferredFont: null, webFont: "STIX-Web",
               linebreaks: {{automatic: true}}}}
}});
</script>
<script src="{rel}mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"></script>
<link rel="stylesheet" href="{rel}pagefind/pagefind-ui.css">
<script src="{rel}pagefind/pagefind-ui.js"></script>
<script>
window.addEventListener('DOMContentLoaded', () => {{
  if (typeof PagefindUI === 'undefined') return;  // the index is built after the pages (tools/docs.py)
  const base = new URL('{rel}', location.href).pathname;  // the site's root, wherever it is served from
  const ui = new PagefindUI({{element: '#search', baseUrl: base, showSubResults: true, showImages: false, resetStyles: false}});
  const q = new URLSearchParams(location.search).get('q');  // index.html?q=term opens with that search
  if (q) ui.triggerSearch(q);
}});
</script>
</head>
<body>
<header class="topbar">
<a class="site-title" href="{rel}index.html">{site}</a>
<nav class="topnav">{topnav}</nav>
<div id="search" class="search" role="search"></div>
</header>
<nav class="sidebar">
{sidebar}
</nav>
<main class="content" data-pagefind-body>
<header class="page-header">
<h1 class="title">{title}</h1>
{description}
</header>
{body}
</main>
</body>
</html>
"""

_cells_template = """{%- extends 'lab/base.html.j2' -%}
{% block input_group -%}
{%- if cell.metadata.get('code_fold') -%}
<details class="code-fold"{{ ' open' if cell.metadata.code_fold == 'show' }}><summary>{{ cell.metadata.get('code_summary', 'Code') | e }}</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock input_group %}
{% block error -%}
<div class="jp-RenderedText jp-OutputArea-output nb-error" data-mime-type="application/vnd.jupyter.stderr">
<pre>
{%- for line in output.traceback %}
{{ line | ansi2html }}
{%- endfor -%}
</pre>
</div>
{%- endblock error %}
"""


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', default=None, help='output folder (default: the `doc_path` of settings.ini, `_docs`)')
    p.add_argument('--force', action='store_true', help="reprocess every notebook, ignoring nbdev's `_proc` cache")
    p.add_argument('--workers', type=int, default=None, help='processes for nbdev to run show_doc cells in')
    return p.parse_args(argv)


def sidebar_entries(contents):
    "Flatten the `contents` of nbdev's `sidebar.yml` into (kind, value, children) items in order"
    res = []
    for o in contents or []:
        if isinstance(o, str): res.append(('page', o, None))
        elif isinstance(o, dict) and 'section' in o:
            res.append(('section', o, sidebar_entries(o.get('contents'))))
        elif isinstance(o, dict) and 'href' in o: res.append(('page', o['href'], None))
    return res


def pages_in(entries):
    "Notebook paths (relative to `nbs/`) named by sidebar `entries`, in order"
    res = []
    for kind, value, children in entries:
        if kind == 'page': res.append(value)
        else:
            if value.get('href'): res.append(value['href'])
            res += pages_in(children)
    return [o for o in res if o.endswith('.ipynb')]


def split_directives(source):
    "Quarto cell options (`#| key: value` lines at the top of a code cell) and the source without them"
    lines, opts = source.splitlines(), {}
    while lines and (m := _re_directive.match(lines[0])):
        opts[m.group(1)] = m.group(2).strip('"\'')
        lines.pop(0)
    return opts, '\n'.join(lines)


def fix_markdown(md, page, site_url):
    "Turn Quarto/Pandoc-only markdown into plain markdown and links to the published site into relative links"
    md = _re_fence.sub('', md)
    def _attr_link(m):
        text, url, attrs = m.groups()
        return f'[{text}]({url} "{_link_title}")'  # given its class and target once rendered (in `build`)
    md = _re_attr_link.sub(_attr_link, md)
    if site_url:
        page_dir = posixpath.dirname(page)
        def _local(m):
            path, anchor = m.group(1) or 'index.html', m.group(2) or ''
            return posixpath.relpath(path, page_dir or '.') + anchor
        md = re.sub(re.escape(site_url.rstrip('/')) + r'/([^)#\s"\']*)(#[^)\s"\']*)?', _local, md)
    return md


def prepare_nb(nb, page, site_url):
    "Apply the Quarto cell options of processed notebook `nb` for nbconvert; return its frontmatter"
    import yaml
    fm, cells = {}, []
    for cell in nb.cells:
        src = cell.source
        if cell.cell_type == 'raw' and not fm and src.strip().startswith('---'):
            fm = yaml.safe_load(src.strip().strip('-')) or {}
            continue
        if cell.cell_type == 'markdown':
            cell.source = fix_markdown(src, page, site_url)
            if src.strip().startswith('<!-- WARNING') and src.strip().endswith('-->'): continue
        if cell.cell_type == 'code':
            opts, cell.source = split_directives(src)
            if opts.get('include') == 'false': continue
            if opts.get('echo') == 'false' or not cell.source.strip(): cell.metadata['transient'] = {'remove_source': True}
            if opts.get('output') == 'false': cell.outputs = []
            if opts.get('code-fold') in ('show', 'true'):
                cell.metadata['code_fold'] = opts['code-fold']
                cell.metadata['code_summary'] = opts.get('code-summary', 'Code')
            for o in cell.get('outputs', []):
                if 'text/markdown' in o.get('data', {}):
                    o.data['text/markdown'] = fix_markdown(o.data['text/markdown'], page, site_url)
        cells.append(cell)
    nb.cells = cells
    return fm


def nav_html(entries, current, titles, rel):
    "The sidebar as nested lists; `current` is the page being written, links are relative to it"
    items = []
    for kind, value, children in entries:
        if kind == 'page':
            if value not in titles: continue
            out, title = titles[value]
            cls = ' class="active"' if value == current else ''
            items.append(f'<li><a{cls} href="{rel}{out}">{inline_md(str(title))}</a></li>')
        else:
            head = html.escape(str(value['section']))
            if value.get('href') in titles: head = f'<a href="{rel}{titles[value["href"]][0]}">{head}</a>'
            items.append(f'<li class="section"><span>{head}</span>{nav_html(children, current, titles, rel)}</li>')
    return '<ul>\n' + '\n'.join(items) + '\n</ul>'


def top_nav(pages, titles, current, rel, repo_url=None):
    "Links to the overview, the first page of each package, the command line, and the repository"
    import json
    items, seen = [], set()
    def pkg(page):
        cells = json.loads((Path('nbs')/page).read_text(encoding='utf-8'))['cells']
        m = next((re.search(r'^#\|\s*default_exp\s+(\S+)', ''.join(c['source']), re.MULTILINE) for c in cells
                  if c['cell_type'] == 'code' and 'default_exp' in ''.join(c['source'])), None)
        return m.group(1) if m else None
    for page in pages:
        mod = pkg(page)
        label = 'Overview' if page == 'index.ipynb' else 'Command line' if mod and mod.endswith('.cli') else mod.split('.')[0] if mod else None
        if not label or label in seen: continue
        seen.add(label)
        cls = ' class="active"' if page == current else ''
        items.append((label, f'<a{cls} href="{rel}{titles[page][0]}">{html.escape(label)}</a>'))
    order = {'Overview': 0, 'Command line': 99}
    links = [a for _, a in sorted(items, key=lambda o: order.get(o[0], 1))]
    if repo_url: links.append(f'<a href="{html.escape(repo_url)}">Source</a>')
    return '\n'.join(links)


_re_id = re.compile(r'\s(?:id|name)="([^"]+)"')
_re_href = re.compile(r'(\s(?:href|src)=")([^"#]*)#([^"]*)"')
_re_comment = re.compile(r'<span class="c1">(.*?)</span>', re.DOTALL)
_re_md_link = re.compile(r'\[`?([^\]`]+)`?\]\(([^)\s]+)\)')


def fix_links(out, written):
    "Point fragments at the ids they match up to case; turn markdown links in signature comments into links"
    ids = {page: set(_re_id.findall((out/page).read_text(encoding='utf-8'))) for page in written}
    broken = []
    for page in written:
        text = (out/page).read_text(encoding='utf-8')
        def _link(m):
            return f'<span class="c1">' + _re_md_link.sub(lambda l: f'<a href="{l.group(2)}"><code>{l.group(1)}</code></a>', m.group(1)) + '</span>'
        text = _re_comment.sub(_link, text)
        def _frag(m):
            attr, path, frag = m.groups()
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
            if target not in ids or frag in ids[target]: return m.group(0)
            match, want = None, frag
            while match is None and want:  # `Class.method` without a heading of its own: the class's heading
                match = next((i for i in sorted(ids[target]) if i.lower() == want.lower()), None)
                want = want.rpartition('.')[0]
            if match is None: broken.append(f'{page}: #{frag} not in {target}'); return m.group(0)
            return f'{attr}{path}#{match}"'
        text = _re_href.sub(_frag, text)
        (out/page).write_text(text, encoding='utf-8')
    return broken


def build_search_index(out, quiet=False):
    "Index the finished pages with Pagefind into `out/pagefind` (the `pagefind[bin]` wheel); False if it is missing"
    import subprocess
    try: import pagefind  # noqa: F401  (the wheel brings its binary)
    except ImportError:
        if not quiet: print('WARNING: pagefind is not installed (pip install "pagefind[bin]"): the site has no search')
        return False
    run = subprocess.run([sys.executable, '-m', 'pagefind', '--site', str(out)], capture_output=True, text=True)
    if run.returncode != 0: raise SystemExit(f'tools/docs.py: pagefind failed:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}')
    return True


def inline_md(text):
    "One line of markdown (a title, a summary: code, maths, emphasis) as inline HTML"
    from nbconvert.filters.markdown import markdown2html
    return re.sub(r'^<p>(.*)</p>$', r'\1', markdown2html(text).strip(), flags=re.DOTALL)


def copy_mathjax(dest):
    "Copy MathJax 2.7 from the `jupyter_server_mathjax` package into `dest` (once)"
    import jupyter_server_mathjax
    src = Path(jupyter_server_mathjax.__file__).parent/'static'
    if (dest/'MathJax.js').exists() and (dest/'MathJax.js').stat().st_size == (src/'MathJax.js').stat().st_size: return
    shutil.copytree(src, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns('localization'))


def build(out=None, force=False, workers=None, quiet=False):
    "Build the site into `out` and return the list of pages written"
    start = time.time()
    out = Path(out).resolve() if out else None  # relative to the caller's folder, before moving to the repository root
    os.chdir(root)
    if str(root) not in sys.path: sys.path.insert(0, str(root))  # the spawned nbdev workers inherit sys.path
    os.environ['PYTHONPATH'] = os.pathsep.join([str(root)] + [p for p in [os.environ.get('PYTHONPATH')] if p])
    import nbformat, yaml
    from nbconvert import HTMLExporter
    from jinja2 import DictLoader
    from pygments.formatters import HtmlFormatter
    from fastcore.parallel import defaults
    from nbdev.config import get_config
    from nbdev.quarto import refresh_quarto_yml, nbdev_sidebar
    from nbdev.serve import proc_nbs

    cfg = get_config()
    out = out or cfg.doc_path
    nbs = cfg.nbs_path
    refresh_quarto_yml()
    nbdev_sidebar.__wrapped__(path=nbs)
    try: cache = proc_nbs(nbs, n_workers=workers if workers is not None else defaults.cpus, force=force)
    except Exception as e:  # nbdev names the notebook and cell; the cause is in the worker's traceback
        cause = re.findall(r'^(\w+(?:Error|Exception|Warning): .*)$', str(e.__cause__ or ''), re.MULTILINE)
        raise SystemExit(f"tools/docs.py: nbdev's docs processing failed.\n{e}\n" + (f'Cause: {cause[0]}\n' if cause else '')
                         + 'To render the API docs nbdev runs the imports, the exported cells and the show_doc cells of '
                         'each notebook (not the other cells); a cell that mixes imports with other code is run too, '
                         'so keep imports in cells of their own.') from None

    side = yaml.safe_load((nbs/'sidebar.yml').read_text())
    entries = sidebar_entries(side['website']['sidebar']['contents'])
    pages = pages_in(entries)
    site_url = (cfg.get('doc_host', '').rstrip('/') + '/' + cfg.get('doc_baseurl', '').strip('/')).rstrip('/')
    notebooks, titles = {}, {}
    for page in pages:
        nb = nbformat.read(cache/page, as_version=4)
        fm = prepare_nb(nb, page, site_url)
        out_file = posixpath.join(posixpath.dirname(page), fm.get('output-file', Path(page).stem + '.html'))
        notebooks[page] = nb, fm
        titles[page] = out_file, fm.get('title', Path(page).stem)

    exporter = HTMLExporter(template_name='lab', extra_loaders=[DictLoader({'tyche_cells.html.j2': _cells_template})],
                            template_file='tyche_cells.html.j2', exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=True)
    out.mkdir(parents=True, exist_ok=True)
    copy_mathjax(out/'mathjax')
    css = (here/'docs.css').read_text() + '\n/* code highlighting (pygments) */\n'
    (out/'docs.css').write_text(css + HtmlFormatter(style='default').get_style_defs('.highlight'))
    for src in cache.rglob('*'):  # images and other files the notebooks refer to (nbdev copies them into _proc)
        if src.is_file() and src.suffix not in ('.ipynb', '.yml') and src.name != 'styles.css':
            (out/src.relative_to(cache)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, out/src.relative_to(cache))
    errors = []
    for page, (nb, fm) in notebooks.items():
        out_file = titles[page][0]
        rel = '../' * out_file.count('/')
        body, _ = exporter.from_notebook_node(nb, resources={'metadata': {'path': str((cache/page).parent),
                                                                        'name': Path(page).stem}})
        body = body.replace(f'title="{_link_title}"', 'class="source-link" target="_blank" rel="noopener"')
        body = body.replace('class="anchor-link"', 'class="anchor-link" data-pagefind-ignore')  # no pilcrow in search titles
        if 'nb-error' in body or 'Traceback (most recent call last)' in _re_ansi.sub('', body): errors.append(page)
        title, desc = str(fm.get('title', Path(page).stem)), str(fm.get('description', ''))
        text = _page_template.format(
            title=inline_md(title), title_attr=html.escape(title.replace('`', '')), rel=rel, body=body,
            site=html.escape(cfg.get('title', cfg.lib_name)), description_attr=html.escape(desc.replace('`', '')),
            description=f'<p class="description">{inline_md(desc)}</p>' if desc else '',
            sidebar=nav_html(entries, page, titles, rel), topnav=top_nav(pages, titles, page, rel, cfg.get('git_url')))
        (out/out_file).parent.mkdir(parents=True, exist_ok=True)
        (out/out_file).write_text(text, encoding='utf-8')
    written = [titles[p][0] for p in pages]
    listing = out/'.docs-pages'  # the pages of the last build: remove those whose notebook has gone or been renamed
    if listing.exists():
        for old in set(listing.read_text().split()) - set(written): (out/old).unlink(missing_ok=True)
    listing.write_text('\n'.join(written) + '\n')
    broken = fix_links(out, written)
    build_search_index(out, quiet)
    if not quiet:
        print(f'{len(written)} pages written to {out} in {time.time() - start:.1f} s')
        for page in errors: print(f'WARNING: {page} shows an error output (a Python traceback)')
        for link in broken: print(f'WARNING: broken link {link}')
    return written


if __name__ == '__main__':
    args = parse_args()
    build(args.out, force=args.force, workers=args.workers)
