"""A non-editable install ships both packages and nothing else; the repository has no stray `__init__.py`."""
import shutil, subprocess, sys, zipfile
from pathlib import Path
import pytest

root = Path(__file__).resolve().parents[1]


def test_no_stray_init_files():
    for stray in (root/'__init__.py', root/'tests'/'__init__.py'): assert not stray.exists(), f'{stray} should not exist'


@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp('wheel')
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q', '-w', str(out), str(root)],
                   check=True, capture_output=True)
    return next(out.glob('tyche-*.whl'))


def test_wheel_holds_both_packages(wheel):
    tops = {name.split('/')[0] for name in zipfile.ZipFile(wheel).namelist() if not name.split('/')[0].endswith('.dist-info')}
    assert tops == {'tyche', 'palamedes'}, tops


def test_installed_wheel_imports(wheel, tmp_path):
    target = tmp_path/'site'
    subprocess.run([sys.executable, '-m', 'pip', 'install', '--no-deps', '-q', '--target', str(target), str(wheel)], check=True)
    code = 'import tyche, palamedes; print(tyche.__file__, palamedes.__file__, tyche.__version__, palamedes.__version__)'
    run = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, env={'PYTHONPATH': str(target)}, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    tyche_file, palamedes_file, *versions = run.stdout.split()
    assert tyche_file.startswith(str(target)) and palamedes_file.startswith(str(target)), run.stdout
    assert versions[0] == versions[1] != ''


def test_plain_nbdev_export_leaves_packages_alone(tmp_path):
    "A habitual `nbdev_export` writes under nbdev's `lib_path`, a scratch folder, never into the two packages"
    for name in ('settings.ini', 'nbs', 'tyche', 'palamedes'):
        src, dst = root/name, tmp_path/name
        if src.is_dir(): shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns('__pycache__'))
        else: shutil.copy(src, dst)
    snapshot = lambda: {p.relative_to(tmp_path): p.read_bytes() for pkg in ('tyche', 'palamedes') for p in (tmp_path/pkg).rglob('*')
                        if p.is_file()}
    before = snapshot()
    subprocess.run([str(Path(sys.executable).parent/'nbdev_export')], cwd=tmp_path, check=True, capture_output=True)
    assert snapshot() == before
    assert not (tmp_path/'__init__.py').exists() and (tmp_path/'.nbdev_export_scratch').is_dir()
