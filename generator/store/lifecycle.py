"""Where each leader is in the year, read from the year folder's own records: the overview.

utkast (manifest.json) → e-post sendt (epost/sendt.json) → signert (signert.json) → arkivert
(arkiv/arkivert.json) → oppfølging (the follow-up document in manifest.json) → status (the filled-in
status book the last status report was made from, `YearFolder.statusbok`). Each record is read with the
reader its command uses, so a run on the command line shows here as a run on the web page does; a
damaged record is a problem in the overview, and the others are still shown. Nothing here reads a
development goal: the appendix is only ever a link to the leader's own file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..archive.arkivert import Arkivert
from ..exceptions import LederavtaleError
from ..mail.message import FOLLOW_UP_MAIL, REMINDER_MAIL
from ..mail.records import read_records
from ..model import Arbeidsbok
from ..signing.record import agreement_signed, load_signed
from ..status.workbook import read_status
from .manifest import SIGNING, Manifest
from .year import JOURNAL_NAME, SENT_FILE, YearFolder


# The lifecycle, in order: (key, heading).
STAGES = (
    ("utkast", "Utkast"),
    ("epost", "E-post sendt"),
    ("signert", "Signert"),
    ("arkivert", "Arkivert"),
    ("oppfolging", "Oppfølging"),
    ("status", "Status"),
)
NONE = "ingen"  # a leader with nothing made yet
NOT = "uten-"  # a filter's prefix: the stage not reached
# The overview's filter: each stage reached, or not.
FILTERS = {NONE: "Ikke startet", **{key: f"{title}: ja" for key, title in STAGES},
           **{NOT + key: f"{title}: nei" for key, title in STAGES}}

_ROLES = {"avtale": "Avtale", "vedlegg": "Vedlegg (unntatt offentlighet)", "oppfolging": "Oppfølging",
          "oppfolging_vedlegg": "Oppfølging, vedlegg (unntatt offentlighet)"}
_FORMATS = {"pdf": "PDF", "docx": "Word"}


@dataclass
class Cell:
    done: bool = False
    text: str = ""  # a date, «delvis», «2 av 4 rapportert»
    partly: bool = False


@dataclass
class Link:
    label: str
    sti: str  # relative to the year folder, as the manifest writes it


@dataclass
class Row:
    ansattnr: str
    navn: str
    enhet: str
    overordnet: str
    cells: dict[str, Cell]
    links: list[Link] = field(default_factory=list)
    overordnet_nr: str = ""  # the superior's Ansattnr when the superior has a row here too (an agreement)

    @property
    def marks(self) -> list[tuple[str, str, str]]:
        """(css class, mark, text) per stage, in order: the overview's cells as plain tuples, since the
        sandboxed template pays for every attribute it looks up, 30,000 times for 5,000 leaders."""
        out = []
        for key, _ in STAGES:
            c = self.cells[key]
            css, mark = ("ja", "✓") if c.done else (("delvis", "◐") if c.partly else ("nei", "–"))
            out.append((css, mark, c.text))
        return out

    @property
    def state(self) -> str:
        """The furthest stage reached, or NONE."""
        reached = [key for key, _ in STAGES if self.cells[key].done]
        return reached[-1] if reached else NONE


@dataclass
class Overview:
    rows: list[Row]
    counts: dict[str, int]  # stage -> leaders who have reached it
    units: list[str]
    problems: list[str] = field(default_factory=list)  # records that could not be read

    @property
    def total(self) -> int:
        return len(self.rows)


def _day(text: str | None) -> str:
    if not text:
        return ""
    try:
        return f"{datetime.fromisoformat(str(text)):%d.%m.%Y}"
    except ValueError:
        try:
            return f"{date.fromisoformat(str(text)[:10]):%d.%m.%Y}"
        except ValueError:
            return ""


def _read(problems: list[str], reader, *args, default=None):
    try:
        return reader(*args)
    except (LederavtaleError, ValueError, OSError) as exc:
        problems.append(str(exc))
        return {} if default is None else default


def _manifest(year: YearFolder, problems: list[str]) -> Manifest | None:
    if not year.manifest.exists():
        return None
    return _read(problems, Manifest.load, year.path, default=Manifest(year.path))


def records(year: YearFolder) -> tuple[Path, ...]:
    """The files the overview reads: when none of them (nor the workbook) changed, neither did it."""
    return (year.manifest, year.path / JOURNAL_NAME, year.epost() / SENT_FILE,
            year.epost(FOLLOW_UP_MAIL.subfolder) / SENT_FILE, year.epost(REMINDER_MAIL.subfolder) / SENT_FILE,
            year.signert, year.arkivert, year.statusbok)


def status_rows(bok: Arbeidsbok, year: YearFolder):
    """The rows (status.workbook.StatusRow) of the status book the last report was made from; None without one,
    or when it no longer fits the workbook (a leader gone since)."""
    if not year.statusbok.is_file():
        return None
    try:
        return read_status(bok, year.statusbok).rows
    except LederavtaleError:
        return None


def overview(bok: Arbeidsbok, year: YearFolder, status=None) -> Overview:
    """Every leader with Avtale=ja, in the workbook's order. `status`: the rows `status_rows` reads (passed in,
    so that a caller that keeps them need not read the book again); None: no status yet."""
    problems: list[str] = []
    manifest = _manifest(year, problems)
    entries = manifest.ledere if manifest is not None else {}
    sent = _read(problems, read_records, year.epost() / SENT_FILE)
    sent_follow_up = _read(problems, read_records, year.epost(FOLLOW_UP_MAIL.subfolder) / SENT_FILE)
    reminded = _read(problems, read_records, year.epost(REMINDER_MAIL.subfolder) / SENT_FILE)
    signed = _read(problems, load_signed, year.signert)
    archived = _read(problems, lambda p: Arkivert(p).ledere, year.arkivert) if year.arkivert.exists() else {}
    reported: dict[str, list[int]] = {}
    for row in status or ():
        counts = reported.setdefault(row.ansattnr, [0, 0])
        counts[1] += 1
        counts[0] += bool(row.status)

    rows = []
    for leder in bok.avtaleledere():
        nr = leder.ansattnr
        over = bok.overordnet(leder)
        entry = entries.get(nr)
        cells = {key: Cell() for key, _ in STAGES}
        links = []
        if entry is not None:
            for f in entry.filer:
                if f.rolle in ("avtale", "vedlegg") and f.fase == "" and f.format == "docx":
                    cells["utkast"] = Cell(True)
                if f.rolle == "oppfolging" and f.format == "docx":
                    cells["oppfolging"] = Cell(True)
                label = f"{_ROLES.get(f.rolle, f.rolle)} ({_FORMATS.get(f.format, f.format)})"
                if f.fase == SIGNING:
                    label = f"Til signering: {label}"
                links.append(Link(label, f.sti))
        record = sent.get(nr)
        if record:
            cells["epost"] = Cell(True, _day(record.get("tid")))
        if sent_follow_up.get(nr) and cells["oppfolging"].done:
            cells["oppfolging"].text = "sendt " + _day(sent_follow_up[nr].get("tid"))
        # Signed or not by the one rule the reminder follows too (signing.record.agreement_signed).
        leader_signed = signed.get(nr)
        done = agreement_signed(leder, leader_signed)
        if leader_signed is not None and leader_signed.avtale is not None:
            cells["signert"] = Cell(done, _day(leader_signed.avtale.dato) if done else "delvis", not done)
            for rolle, doc in leader_signed.documents():
                links.append(Link(f"Signert: {_ROLES[rolle]} (PDF)", doc.fil))
        elif done:
            cells["signert"] = Cell(True, f"{leder.signert:%d.%m.%Y} (arbeidsboken)")
        if not done and reminded.get(nr):
            cells["signert"].text = " ".join(filter(None, (cells["signert"].text,
                                                           "påminnet " + _day(reminded[nr].get("tid")))))
        if nr in archived:
            cells["arkivert"] = Cell(True, _day(archived[nr].get("opprettetDato") or archived[nr].get("lest")))
        if nr in reported:
            done, total = reported[nr]
            cells["status"] = Cell(done == total, f"{done} av {total} rapportert", 0 < done < total)
        rows.append(Row(nr, leder.navn, leder.enhet, over.navn if over else "", cells, links,
                        over.ansattnr if over is not None and over.avtale else ""))
    counts = {key: sum(row.cells[key].done for row in rows) for key, _ in STAGES}
    units = sorted({row.enhet for row in rows if row.enhet})
    return Overview(rows, counts, units, problems)


def filtered(view: Overview, enhet: str = "", tilstand: str = "") -> list[Row]:
    """The rows of one unit and/or by one stage: reached (`signert`), not reached (`uten-signert`), or none
    reached at all (`ingen`). An unknown filter shows every row."""
    rows = view.rows
    if enhet:
        rows = [r for r in rows if r.enhet == enhet]
    stages = dict(STAGES)
    if tilstand == NONE:
        rows = [r for r in rows if r.state == NONE]
    elif tilstand in stages:
        rows = [r for r in rows if r.cells[tilstand].done]
    elif tilstand.startswith(NOT) and tilstand[len(NOT):] in stages:
        rows = [r for r in rows if not r.cells[tilstand[len(NOT):]].done]
    return rows

