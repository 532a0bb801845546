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
    assert on_disk <= in_wheel, "a package folder is missing from pyproject.toml's packages"
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


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_the_lock_pins_every_dependency_with_its_hash():
    """A fresh clone installs exactly what uv.lock names (README, «For IT»): every package the tool, its tests
    and its build need, at one version per Python and platform, with the hashes uv checks as it installs."""
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = {_name(r) for r in project["project"]["dependencies"]}
    wanted |= {_name(r) for r in project["project"]["optional-dependencies"]["test"]}
    wanted |= {_name(r) for r in project["dependency-groups"]["dev"]}
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    packages = [p for p in lock["package"] if p["name"] != "lederavtale"]
    assert wanted <= {p["name"] for p in packages}
    for package in packages:
        files = ([package["sdist"]] if "sdist" in package else []) + package.get("wheels", [])
        assert package["version"] and files, package["name"]
        assert all(f["hash"].startswith("sha256:") for f in files), f"{package['name']} carries its hashes"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    # Named as it is, so that anyone (or any tool) reading the Makefile sees what the virtualenv is made from:
    # uv from the lock with its hashes, then everything else with the lock checked against pyproject.toml.
    assert "tools/uv_from_lock.py uv.lock" in makefile and "pip install -q --require-hashes" in makefile
    assert "uv sync -q --locked --extra test" in makefile


def test_uv_itself_comes_from_the_lock_with_every_hash(monkeypatch):
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import uv_from_lock
    finally:
        sys.path.remove(str(ROOT / "tools"))
    text = (ROOT / "uv.lock").read_text(encoding="utf-8")
    line = uv_from_lock.uv_requirement(text)
    (block,) = [b for b in text.split("[[package]]") if b.startswith('\nname = "uv"\n')]
    version = re.search(r'^version = "([^"]+)"', block, re.M).group(1)
    assert line.startswith(f"uv=={version} ")
    assert sorted(line.split()[1:]) == sorted(f"--hash={h}" for h in re.findall(r'hash = "([^"]+)"', block))
    # Python 3.10 has no tomllib: the same line, read without it.
    monkeypatch.setattr(uv_from_lock, "tomllib", None)
    assert uv_from_lock.uv_requirement(text) == line
