"""The tool's record files: `manifest.json`, `sendt.json`, `usikker.json` and `arkivert.json`.

Only a missing path means "nothing recorded". A folder, a link (dangling or not) or a file that
cannot be read in its place stops the command with a message naming the file, before anything is
sent, packaged or written: guessing "nothing recorded" would send every message a second time, or
package again the leaders the archive has already confirmed.

Every case runs the real command: `epost --send` against a real SMTP server on 127.0.0.1,
`arkiv --alle`, `generer`. An unreadable file is a real one (mode 000); as root, whom modes do not
stop, the command runs in a process without root's capabilities (setpriv), so that the kernel
really refuses the read.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT
from test_mail import Mailbox, Setup, smtp_server  # noqa: F401  (smtp_server is a fixture)

from generator.cli import main

pytestmark = pytest.mark.slow  # real LibreOffice, subprocesses or SMTP servers throughout

KINDS = ("mappe", "brutt lenke", "lenke til fil", "ulesbar")
# Which command reads which record file, and where the file lies in the year folder.
CASES = [
    ("manifest.json", "generer"),
    ("manifest.json", "epost --send"),
    ("manifest.json", "arkiv --alle"),
    ("epost/sendt.json", "epost --send"),
    ("epost/usikker.json", "epost --send"),
    ("arkiv/arkivert.json", "arkiv --alle"),
]
# What each kind of bad record must be called in the message.
WORDS = {"mappe": "mappe", "brutt lenke": "lenke", "lenke til fil": "lenke", "ulesbar": "tilgang"}
SETPRIV = shutil.which("setpriv")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Setup:
    return Setup(tmp_path_factory.mktemp("poster") / "prosjekt").generate()


@pytest.fixture
def project(generated, tmp_path, monkeypatch) -> Setup:
    for name in ("VERT", "PORT", "BRUKER", "PASSORD"):
        monkeypatch.delenv(f"LEDERAVTALE_SMTP_{name}", raising=False)
    return generated.copy(tmp_path / "prosjekt")


def _valid_content(setup: Setup, relative: str) -> bytes:
    """What the file would hold in a real year folder: a record that is not empty."""
    if relative == "manifest.json":
        return (setup.year / relative).read_bytes()
    entry = {"message_id": "<1@testvik.kommune.no>", "tid": "2027-01-25T10:00:00+01:00",
             "mottakere": ["oystein@testvik.kommune.no", "per@testvik.kommune.no"]}
    if relative == "arkiv/arkivert.json":
        entry = {"navn": "Kari Direktør", "systemID": "0b0c6f4e-58a4-4a4e-9b89-2f1f5d0e3c11", "journalaar": 2027,
                 "journalsekvensnummer": 4567, "journalpostnummer": 5, "opprettetEllerEksisterende": "Opprettet",
                 "noekkel": "x", "kvittering": "a.xml", "lest": "2027-02-03T10:15:00+01:00"}
        return json.dumps({"100": entry}).encode()
    return json.dumps({"210": entry}).encode()


def _spoil(setup: Setup, relative: str, kind: str) -> Path:
    """Put a bad record of `kind` at the file's place; returns its path."""
    path = setup.year / relative
    content = _valid_content(setup, relative)
    path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "mappe":
        path.mkdir()
        (path / "les meg.txt").write_text("En mappe der posten skulle ligge", encoding="utf-8")
    elif kind == "brutt lenke":
        # As a link to a share that is not mounted.
        path.symlink_to(setup.root / "fellesområde som ikke er montert" / path.name)
    elif kind == "lenke til fil":
        target = setup.root / "fellesområde" / path.name
        target.parent.mkdir()
        target.write_bytes(content)
        path.symlink_to(target)
    else:
        path.write_bytes(content)
        path.chmod(0)
    return path


def _tree(folder: Path) -> dict[str, tuple]:
    """Everything under `folder` as it is on disk (links not followed), but the run lock."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if name.startswith(".lederavtale.lock"):
                continue
            if path.is_symlink():
                state[str(path)] = ("lenke", os.readlink(path))
            elif path.is_dir():
                state[str(path)] = ("mappe",)
            else:
                mode = path.stat().st_mode & 0o777
                try:
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                except PermissionError:  # mode 000, and the test does not run as root
                    digest = "ulesbar"
                state[str(path)] = ("fil", mode, digest)
    return state


def _command(setup: Setup, command: str, port: int) -> list[str]:
    if command == "generer":
        return ["generer", str(setup.workbook), "--maler", str(setup.maler), "--ut", str(setup.ut), "--ingen-pdf"]
    if command == "epost --send":
        return ["epost", str(setup.workbook), "--ut", str(setup.ut), "--maler", str(setup.maler), "--send", "--ja",
                "--ingen-tls", "--smtp-vert", "127.0.0.1", "--smtp-port", str(port)]
    return ["arkiv", str(setup.workbook), "--ut", str(setup.ut), "--alle"]


def _run(args: list[str], kind: str) -> tuple[int, str]:
    """Exit code and everything the command printed."""
    if kind != "ulesbar":
        outcome = CliRunner().invoke(main, args)
        assert outcome.exception is None or isinstance(outcome.exception, SystemExit), outcome.exception
        return outcome.exit_code, outcome.output
    prefix = []
    if os.geteuid() == 0:
        if SETPRIV is None:
            pytest.skip("kjører som root, og uten setpriv kan ikke root nektes å lese en fil")
        prefix = [SETPRIV, "--bounding-set=-all", "--inh-caps=-all"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([*prefix, sys.executable, "-m", "generator", *args], capture_output=True, text=True,
                          env=env, timeout=120)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("relative,command", CASES, ids=[f"{r}-{c}" for r, c in CASES])
@pytest.mark.slow
def test_a_record_that_is_not_a_plain_readable_file_stops_the_command(project, smtp_server, relative, command,
                                                                       kind):
    if command == "arkiv --alle" and shutil.which("soffice") is None:
        pytest.skip("arkiv krever LibreOffice")
    box = Mailbox()
    port = smtp_server(box)
    path = _spoil(project, relative, kind)
    before = _tree(project.root)

    code, output = _run(_command(project, command, port), kind)

    assert code == 1, output
    assert "Traceback" not in output
    assert str(path) in output, output
    assert WORDS[kind] in output, output
    assert box.received == []  # nothing sent
    arkiv = project.year / "arkiv"
    assert not (arkiv / "fiks").exists() and not (arkiv / "arkivstruktur.xml").exists()  # nothing packaged
    assert _tree(project.root) == before  # nothing written, and the bad record left as it was


def test_a_missing_record_means_nothing_recorded(project, smtp_server):
    """The one case that is not an error: without sendt.json and usikker.json every message goes."""
    box = Mailbox()
    port = smtp_server(box)
    assert not (project.epost / "sendt.json").exists() and not (project.epost / "usikker.json").exists()
    code, output = _run(_command(project, "epost --send", port), "")
    assert code == 0, output
    assert len(box.received) == 6 and set(project.sent_records()) == {"100", "200", "300", "210", "310", "211"}


def test_a_record_under_a_dangling_link_is_not_taken_for_missing(project, smtp_server):
    """`epost/` itself a link to a share that is not mounted: sendt.json is not "missing", it is unreachable."""
    box = Mailbox()
    port = smtp_server(box)
    project.epost.symlink_to(project.root / "fellesområde som ikke er montert")
    code, output = _run(_command(project, "epost --send", port), "")
    assert code == 1, output
    assert str(project.epost) in output and "lenke" in output
    assert box.received == []
