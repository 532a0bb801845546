"""The wheel built from the project works outside the repository, with its own templates and schemas."""

from __future__ import annotations

import re
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow  # builds a wheel and installs it in a fresh virtualenv


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True)
    (found,) = out.glob("lederavtale-*.whl")
    return found


def test_wheel_holds_every_package_the_templates_and_the_schemas(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    on_disk = {p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "generator").rglob("__init__.py")}
    in_wheel = {Path(n).parent.as_posix() for n in names if n.endswith("/__init__.py")}
    assert on_disk <= in_wheel, "a package folder is missing from setup.cfg's packages"
    templates = {p.relative_to(ROOT / "maler").as_posix() for p in (ROOT / "maler").rglob("*") if p.is_file()}
    assert {f"generator/maler/{t}" for t in templates} <= names
    assert "generator/archive/schemas/noark5/arkivstruktur.xsd" in names
    assert "generator/archive/schemas/fiks-arkiv/no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd" in names
    assert "generator/archive/schemas/fiks-arkiv/LICENSE" in names


def test_installed_wheel_runs_init_and_generer_from_an_empty_folder(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    # The dependencies come from the test environment rather than the network; the project
    # itself is not among them (its editable install needs a .pth file these paths do not run).
    fresh_site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                check=True, capture_output=True, text=True).stdout.strip()
    Path(fresh_site, "test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    script = env_dir / ("Scripts/lederavtale.exe" if sys.platform == "win32" else "bin/lederavtale")
    empty = tmp_path / "tom"
    empty.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(script), *args], cwd=empty, capture_output=True, text=True, timeout=300)

    where = subprocess.run([str(python), "-c", "import generator; print(generator.__file__)"], cwd=empty,
                           check=True, capture_output=True, text=True).stdout
    assert str(env_dir) in where, where

    init = run("init", "ny")
    assert init.returncode == 0, init.stderr
    assert (empty / "ny" / "maler" / "lederavtale.docx").is_file()
    (empty / "ny" / "maler").rename(empty / "ny" / "egne-maler")  # generer must find the installed defaults

    generer = run("generer", "ny/lederavtale.xlsx", "--ut", "ut", "--ingen-pdf")
    assert generer.returncode == 0, generer.stderr
    agreements = list((empty / "ut").rglob("Lederavtale *.docx"))
    appendices = list((empty / "ut").rglob("Utviklingsmål *.docx"))
    assert len(agreements) == 1 and len(appendices) == 1


def _names(lines) -> set[str]:
    return {re.split(r"[<>=!~;\[ ]", line.strip(), maxsplit=1)[0].lower().replace("_", "-")
            for line in lines if line.strip() and not line.strip().startswith("#")}


def test_the_lock_pins_every_dependency_with_its_hash():
    """A fresh clone installs exactly what pylock.toml names (README, «For IT»): every package the tool,
    its tests and its build need, at one version, each file with the hash pip checks, pip itself first."""
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    wanted = _names(config["options"]["install_requires"].splitlines())
    wanted |= _names(config["options.extras_require"]["test"].splitlines())
    wanted |= _names((ROOT / "tools" / "lock.in").read_text(encoding="utf-8").splitlines())
    lock = (ROOT / "pylock.toml").read_text(encoding="utf-8")
    entries = lock.split("\n[[packages]]\n")[1:]
    pinned = [re.match(r'name = "([^"]+)"\nversion = "([^"]+)"', entry).groups() for entry in entries]
    assert pinned and 'lock-version = "1.0"' in lock
    assert wanted <= {name.lower().replace("_", "-") for name, _ in pinned}
    for entry in entries:
        files = re.findall(r"\{ url = [^\n]*", entry)
        assert files and all('hashes = { sha256 = "' in f for f in files), f"every file carries its hash: {entry[:60]}"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "LOCK    = pylock.toml" in makefile and "-r $(LOCK)" in makefile
    # The locked pip, hash-checked, reads the lock: the one a new virtualenv brings may be too old for it.
    assert subprocess.run([sys.executable, str(ROOT / "tools" / "pip_from_lock.py"), str(ROOT / "pylock.toml")],
                          capture_output=True, text=True, check=True).stdout.startswith("pip==")
