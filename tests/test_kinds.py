"""Document kinds (generator/documents/kinds.py): one entry per kind, and nothing else asks which kind it is.

Every kind's names come from one table in both målformer; a kind made up here, from the table
alone, is rendered, written, fingerprinted in manifest.json and checked for a missing template
by the same code as the real ones; the public flag alone decides whether the privacy guard reads
a document; manifest.json keeps its keys and still loads as older versions wrote it.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from conftest import GOAL_TEXT, basic_sheets, write_xlsx
from generator.archive import fiks, record
from generator.commands.followup import follow_up
from generator.commands.generate import generate
from generator.documents.batch import Batch
from generator.documents.kinds import (AGREEMENT, APPENDIX, FOLLOW_UP, FOLLOW_UP_APPENDIX, FOLLOW_UPS, KINDS,
                                       STATUS_REPORT, Run, Words)
from generator.documents.naming import archive_stem, document_properties, file_stem
from generator.documents.templates import TemplateSet
from generator.documents.writing import run
from generator.exceptions import TemplateError
from generator.job import Job
from generator.mail.message import (AGREEMENT_MAIL, AGREEMENT_ONLY_MAIL, FOLLOW_UP_MAIL, FOLLOW_UP_ONLY_MAIL,
                                    WITHOUT_EXEMPT)
from generator.store.manifest import BASIS_KEYS, MANIFEST_NAME, Manifest
from generator.workbook import read_workbook

ROOT = Path(__file__).resolve().parent.parent
MALER = ROOT / "maler"
TODAY = date(2027, 1, 10)
HJEMMEL = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"


def workbook(tmp_path: Path, malform: str = "bokmål", sheets: dict | None = None) -> Path:
    sheets = sheets or basic_sheets()
    kommune = sheets["Kommune"]
    kommune[:] = [row for row in kommune if row[0] not in ("Målform", "Skjermingshjemmel")]
    kommune += [["Målform", malform], ["Skjermingshjemmel", HJEMMEL]]
    return write_xlsx(tmp_path / f"{malform}.xlsx", sheets)


# kind, målform: file stem, title, subject, keywords, language — for leader 210 «Øystein Sykehjem»
# of «Testvik sykehjem» in Testvik kommune, 2027.
TABLE = [
    (AGREEMENT, "bokmål", "Lederavtale 2027 - Øystein Sykehjem", "Lederavtale 2027 – Øystein Sykehjem",
     "Lederavtale 2027, Testvik sykehjem", "lederavtale", "nb-NO"),
    # Nynorsk in the names, and in the titles and subjects Word and the PDF show.
    (AGREEMENT, "nynorsk", "Leiaravtale 2027 - Øystein Sykehjem", "Leiaravtale 2027 – Øystein Sykehjem",
     "Leiaravtale 2027, Testvik sykehjem", "leiaravtale", "nn-NO"),
    (APPENDIX, "bokmål", "Utviklingsmål 2027 - Øystein Sykehjem (unntatt offentlighet)",
     "Personlige utviklingsmål 2027 – Øystein Sykehjem", f"Unntatt offentlighet, {HJEMMEL}",
     "unntatt offentlighet", "nb-NO"),
    (APPENDIX, "nynorsk", "Utviklingsmål 2027 - Øystein Sykehjem (unnateke offentlegheit)",
     "Personlege utviklingsmål 2027 – Øystein Sykehjem", f"Unnateke offentlegheit, {HJEMMEL}",
     "unnateke offentlegheit", "nn-NO"),
    (FOLLOW_UP, "bokmål", "Oppfølgingssamtale 2027 - Øystein Sykehjem", "Oppfølgingssamtale 2027 – Øystein Sykehjem",
     "Oppfølging av lederavtale 2027, Testvik sykehjem", "lederavtale, oppfølgingssamtale", "nb-NO"),
    (FOLLOW_UP, "nynorsk", "Oppfølgingssamtale 2027 - Øystein Sykehjem", "Oppfølgingssamtale 2027 – Øystein Sykehjem",
     "Oppfølging av leiaravtale 2027, Testvik sykehjem", "leiaravtale, oppfølgingssamtale", "nn-NO"),
    (FOLLOW_UP_APPENDIX, "bokmål", "Oppfølgingssamtale 2027 - Øystein Sykehjem - vedlegg (unntatt offentlighet)",
     "Vedlegg til oppfølgingssamtale 2027 – Øystein Sykehjem", f"Unntatt offentlighet, {HJEMMEL}",
     "unntatt offentlighet", "nb-NO"),
    (FOLLOW_UP_APPENDIX, "nynorsk", "Oppfølgingssamtale 2027 - Øystein Sykehjem - vedlegg (unnateke offentlegheit)",
     "Vedlegg til oppfølgingssamtale 2027 – Øystein Sykehjem", f"Unnateke offentlegheit, {HJEMMEL}",
     "unnateke offentlegheit", "nn-NO"),
]


@pytest.mark.parametrize("kind, malform, stem, title, subject, keywords, language", TABLE)
def test_every_kind_is_named_from_one_table(tmp_path, kind, malform, stem, title, subject, keywords, language):
    bok = read_workbook(workbook(tmp_path, malform))
    leder = bok.leder("210")
    assert file_stem(kind, bok, leder) == stem
    assert document_properties(kind, bok, leder) == {
        "language": language, "title": title, "subject": subject, "author": "Testvik kommune", "keywords": keywords}


@pytest.mark.parametrize("malform, language", [("bokmål", "nb-NO"), ("nynorsk", "nn-NO")])
def test_the_status_report_and_the_archive_names_come_from_the_same_entries(tmp_path, malform, language):
    bok = read_workbook(workbook(tmp_path, malform))
    leder, nynorsk = bok.leder("210"), malform == "nynorsk"
    assert file_stem(STATUS_REPORT, bok) == "statusrapport"
    properties = document_properties(STATUS_REPORT, bok)
    assert (properties["title"], properties["language"]) == ("Statusrapport 2027 – Testvik kommune", language)
    # The agreement's archived PDF keeps the document's name; the appendix's does not name the leader.
    assert archive_stem(AGREEMENT, leder, nynorsk, "Lederavtale x") == "Lederavtale x"
    exempt = "unnateke offentlegheit" if nynorsk else "unntatt offentlighet"
    assert archive_stem(APPENDIX, leder, nynorsk, "Utviklingsmål x") == f"210 Vedlegg {exempt}"
    # Both exports' codes by role, from the entries.
    assert [record.TILKNYTTET[k.rolle].kode for k in record.ARCHIVED] == ["H", "V"]
    assert [record.DOKUMENTNUMMER[k.rolle] for k in record.ARCHIVED] == [1, 2]
    assert fiks.DOKUMENTFIL == {"avtale": "lederavtale.pdf", "vedlegg": "vedlegg.pdf"}


@pytest.mark.slow
@pytest.mark.parametrize("malform", ["bokmål", "nynorsk"])
def test_generer_and_oppfolging_write_what_the_table_says(tmp_path, malform):
    """The files on disk, their Word properties and their manifest entries, from the entries."""
    book = workbook(tmp_path, malform)
    bok = read_workbook(book)
    leder = bok.leder("210")
    job = Job(book, tmp_path / "ut", maler=MALER, today=TODAY)
    generate(job, pdf=False)
    follow_up(Job(book, tmp_path / "ut", maler=MALER, today=TODAY), pdf=False)
    year_dir = tmp_path / "ut" / "2027"
    entry = Manifest.load(year_dir).ledere["210"]
    for kind in (AGREEMENT, APPENDIX, FOLLOW_UP, FOLLOW_UP_APPENDIX):
        recorded = entry.file(kind.rolle, "docx")
        assert recorded.sti == f"{entry.mappe}/{file_stem(kind, bok, leder)}.docx"
        assert recorded.offentlig is kind.public
        core = Document(str(year_dir / recorded.sti)).core_properties
        expected = document_properties(kind, bok, leder)
        assert (core.title, core.subject, core.keywords, core.language) == (
            expected["title"], expected["subject"], expected["keywords"], expected["language"])
    assert entry.basis("grunnlag") and entry.basis("grunnlag_oppfolging")
    assert entry.basis("grunnlag") != entry.basis("grunnlag_oppfolging")


def _made_up_kind() -> tuple:
    words = Words("Notat {ar} - {navn}", "Notat {ar} – {navn}", "Notat, {enhet}", "notat", "nb-NO")
    notat = replace(FOLLOW_UP, rolle="notat", navn=("notatet", "Notatet"), bokmal=words,
                    nynorsk=replace(words, stem="Notat {ar} for {navn}", language="nn-NO"),
                    template="notat.docx", basis_key="grunnlag_notat", missing_hint="")
    return notat, Run((notat,))


@pytest.mark.slow
def test_a_new_kind_is_one_entry_and_no_branch_elsewhere(tmp_path):
    """A kind that exists only in this test goes through the template check, the batch, the writer,
    naming and the manifest like the real ones."""
    notat, notater = _made_up_kind()
    maler = tmp_path / "maler"
    shutil.copytree(MALER, maler)
    book = workbook(tmp_path)

    with pytest.raises(TemplateError) as missing:
        run(Job(book, tmp_path / "ut", maler=maler, today=TODAY), notater, pdf=False)
    assert [p.message for p in missing.value.problems] == ["malen «notat.docx» mangler i malmappen"]

    shutil.copy(maler / "oppfolging.docx", maler / "notat.docx")
    written = run(Job(book, tmp_path / "ut", maler=maler, today=TODAY), notater, pdf=False)
    assert {r.status for r in written.leaders} == {"ny"}
    year_dir = tmp_path / "ut" / "2027"
    data = json.loads((year_dir / MANIFEST_NAME).read_text(encoding="utf-8"))["ledere"]["210"]
    assert [(f["sti"], f["rolle"], f["offentlig"]) for f in data["filer"]] == [
        (f"{data['mappe']}/Notat 2027 - Øystein Sykehjem.docx", "notat", True)]
    assert data["grunnlag_notat"] and data["grunnlag"] == "" and data["grunnlag_oppfolging"] == ""
    title = Document(str(year_dir / data["filer"][0]["sti"])).core_properties.title
    assert title == "Notat 2027 – Øystein Sykehjem"

    # Its own fingerprint, read back: the same data and template write nothing the next time.
    again = run(Job(book, tmp_path / "ut", maler=maler, today=TODAY), notater, pdf=False)
    assert {r.status for r in again.leaders} == {"uendret"}


def test_the_public_flag_decides_the_privacy_guard(tmp_path):
    """Berit's measure quotes Øystein's goal: the same template and context are refused as a public
    document and written as one that is not."""
    sheets = basic_sheets()
    sheets["Tiltak"].append([211, "2", GOAL_TEXT])
    bok = read_workbook(workbook(tmp_path, sheets=sheets))
    berit = bok.leder("211")
    public = replace(_made_up_kind()[0], template="oppfolging.docx")
    verdict, documents = Batch(bok, TemplateSet(bok, MALER), TODAY, (public,)).render(berit)
    assert documents == [] and "Personvernsperre: notatet inneholder tekst" in verdict.failures[0]
    assert "Notatet er ikke skrevet" in verdict.failures[0] and GOAL_TEXT not in verdict.failures[0]
    assert Run((public,)).written(bool(verdict.failures)) == []

    private = replace(public, public=False)
    verdict, documents = Batch(bok, TemplateSet(bok, MALER), TODAY, (private,)).render(berit)
    assert verdict.failures == [] and [d.rolle for d in documents] == ["notat"]


def test_a_run_writes_its_non_public_kinds_when_the_guard_refuses_a_public_one(tmp_path):
    sheets = basic_sheets()
    sheets["Tiltak"].append([211, "2", GOAL_TEXT])
    bok = read_workbook(workbook(tmp_path, sheets=sheets))
    verdict, documents = Batch(bok, TemplateSet(bok, MALER), TODAY).render(bok.leder("211"))
    assert verdict.failures and [d.kind for d in documents] == [APPENDIX]
    assert Run((AGREEMENT, APPENDIX)).written(True) == [APPENDIX]


def test_an_old_manifest_loads_and_the_keys_written_stay_the_same(tmp_path):
    """A leader entry from before the follow-up document (no `grunnlag_oppfolging`) loads as one
    `oppfolging` never wrote for, and every entry is written with every fingerprint key."""
    (tmp_path / MANIFEST_NAME).write_text(json.dumps({"versjon": 1, "ar": 2027, "ledere": {"210": {
        "ansattnr": "210", "navn": "Øystein Sykehjem", "mappe": "210 Øystein Sykehjem", "grunnlag": "abc",
        "filer": []}}}), encoding="utf-8")
    manifest = Manifest.load(tmp_path)
    entry = manifest.ledere["210"]
    assert (entry.basis("grunnlag"), entry.basis("grunnlag_oppfolging")) == ("abc", "")
    entry.set_basis(FOLLOW_UP.basis_key, "def")
    manifest.save()
    written = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))["ledere"]["210"]
    assert written == {"ansattnr": "210", "navn": "Øystein Sykehjem", "mappe": "210 Øystein Sykehjem",
                       "grunnlag": "abc", "grunnlag_oppfolging": "def", "filer": []}
    # The manifest's keys are the kinds' keys, no more and no fewer.
    assert set(BASIS_KEYS) == {k.basis_key for k in KINDS.values() if k.basis_key}


def test_the_follow_up_has_an_exempt_appendix_like_the_agreement():
    """`oppfolging` writes the public follow-up document and an exempt appendix beside it: the kommunedirektør's
    is the ordfører's evaluation (its own template), everyone else's the leader's own development. Exempt as
    the appendix is, so its template may use the goals; not (yet) signed through `signering` nor archived."""
    assert FOLLOW_UPS.kinds == (FOLLOW_UP, FOLLOW_UP_APPENDIX) and not FOLLOW_UPS.draft
    kind = FOLLOW_UP_APPENDIX
    assert (kind.public, kind.carries_id, kind.signed, kind.arkiv) == (False, True, False, None)
    assert (kind.context, kind.basis_key, kind.command) == (APPENDIX.context, FOLLOW_UP.basis_key, "oppfolging")
    assert (kind.template, kind.top_leader_template) == ("oppfolging_vedlegg.docx",
                                                         "oppfolging_vedlegg_kommunedirektor.docx")
    assert [k.rolle for k in record.ARCHIVED] == ["avtale", "vedlegg"]


def test_a_mailing_is_its_kinds():
    assert (AGREEMENT_MAIL.template, AGREEMENT_MAIL.roles, AGREEMENT_MAIL.private) == (
        "epost.txt", ("avtale", "vedlegg"), True)
    assert (AGREEMENT_ONLY_MAIL.roles, AGREEMENT_ONLY_MAIL.private) == (("avtale",), False)
    assert (FOLLOW_UP_MAIL.template, FOLLOW_UP_MAIL.roles, FOLLOW_UP_MAIL.private, FOLLOW_UP_MAIL.command) == (
        "epost_oppfolging.txt", ("oppfolging", "oppfolging_vedlegg"), True, "oppfolging")
    assert (FOLLOW_UP_ONLY_MAIL.roles, FOLLOW_UP_ONLY_MAIL.private) == (("oppfolging",), False)
    # --uten-vedlegg and the settings pick the same mailing without its exempt document.
    for full, public in ((AGREEMENT_MAIL, AGREEMENT_ONLY_MAIL), (FOLLOW_UP_MAIL, FOLLOW_UP_ONLY_MAIL)):
        assert WITHOUT_EXEMPT[full.template] is public
        assert public.left_out == tuple(kind for kind in full.kinds if not kind.public)
