"""When a leader's agreement is final, as a table: `archive.finality.decide` over every case the README's
«Arkiv» section names (signed, partly signed, not signed, only `Signert` in the workbook, `--alle`,
`--godta-usignert`, placeholders left, already archived, `--arkiver-igjen`, documents that cannot be
archived). The inputs are built in memory: `decide` reads no file, so no case needs LibreOffice or a disk.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from generator.advice import TERMINAL, words
from generator.archive import finality
from generator.archive.finality import Choices, decide, needs_plan
from generator.archive.formats import PDFA_2B, PdfFormat
from generator.archive.kodelister import Kode
from generator.archive.pdfs import Plan, SignedCopy
from generator.model import Leder
from generator.signing.record import PARTLY_SIGNED, ROLES, SIGNED, LeaderSigned, Signature, SignedDocument

LEDER, SJEF = "Øystein Sykehjem", "Per Helse"
SIGNERT = date(2027, 1, 20)  # the workbook's Signert, when given
PDF_17 = PdfFormat(Kode("fmt/276", "PDF 1.7"), False, "filen sier ikke at den er PDF/A")


def _doc(status: str, dato: str) -> SignedDocument:
    signers = [Signature(LEDER, True, True, f"{dato}T10:00:00+01:00")]
    if status == SIGNED:
        signers.append(Signature(SJEF, True, True, f"{dato}T11:00:00+01:00"))
    return SignedDocument(fil=f"210/{dato}.pdf", sha256="0" * 64, type="e-signatur", dato=dato, dokument_id="",
                          status=status, signaturer=signers)


def _inputs(signert: bool, copies: dict, left: dict, plan: str) -> tuple[Leder, LeaderSigned, Plan | str]:
    """copies: rolle -> (status, dato, PdfFormat) in signert.json; left: rolle -> placeholders in its .docx;
    plan: "ok", or the reason pdfs.plan gives when the documents cannot be archived."""
    leder = Leder("210", LEDER, "Virksomhetsleder", "Testvik sykehjem", overordnet="100",
                  signert=SIGNERT if signert else None)
    record = LeaderSigned(**{rolle: _doc(status, dato) for rolle, (status, dato, _) in copies.items()})
    if plan != "ok":
        return leder, record, plan
    # As pdfs.plan makes it: a copy signed by both is archived as it is; any other document is rendered.
    signerte = {rolle: SignedCopy(Path(f"/kopier/{rolle}.pdf"), "0" * 64, copies[rolle][2])
                for rolle in finality.signed_copies(record)}
    kilder = {rolle: Path(f"/ut/2027/210/{rolle}.docx") for rolle in ROLES if rolle not in signerte}
    return leder, record, Plan(leder, kilder, {}, {}, signerte, {r: n for r, n in left.items() if r in kilder})


PDFA = PdfFormat(PDFA_2B, True)
BOTH = {"avtale": (SIGNED, "2027-02-03", PDFA), "vedlegg": (SIGNED, "2027-02-05", PDFA)}
ALLE, GODTA = Choices(alle=True), Choices(godta_usignert=True)
IGJEN = Choices(igjen=frozenset({"210"}))

# id, Signert in the workbook, copies in signert.json, placeholders, plan, choices, archived before,
# -> state, the reasons (each the start of one), the notes (each a part of one), dokumentetsDato.
CASES = [
    ("not signed: left out until signed", False, {}, {}, "ok", Choices(), False,
     finality.IKKE_SIGNERT, [], [], None),
    ("not signed, --alle: under editing", False, {}, {}, "ok", ALLE, False,
     finality.UTKAST, ["ikke signert ennå"], [], None),
    ("signed by both: final on the later signing day", False, BOTH, {}, "ok", Choices(), False,
     finality.FERDIG, [], [], date(2027, 2, 5)),
    ("signed by both, one a plain PDF: final, kept in its own format", False,
     {**BOTH, "vedlegg": (SIGNED, "2027-02-05", PDF_17)}, {}, "ok", Choices(), False,
     finality.FERDIG, [], ["vedlegget er ikke PDF/A-2b, men PDF 1.7, fmt/276"], date(2027, 2, 5)),
    ("partly signed: not final, and who signed is said", False, {"avtale": (PARTLY_SIGNED, "2027-02-06", None)},
     {}, "ok", Choices(), False,
     finality.IKKE_FERDIG, [f"lederavtalen er bare delvis signert (signert av {LEDER})",
                            "vedlegget har ingen signert kopi"], [], None),
    ("partly signed, --alle: under editing", False, {"avtale": (PARTLY_SIGNED, "2027-02-06", None)}, {}, "ok", ALLE,
     False, finality.UTKAST, ["lederavtalen er bare delvis signert", "vedlegget har ingen signert kopi"], [], None),
    ("one copy signed, the other none: not final", False, {"avtale": BOTH["avtale"]}, {}, "ok", Choices(), False,
     finality.IKKE_FERDIG, ["vedlegget har ingen signert kopi"], [], None),
    ("only Signert in the workbook: left out, with how to get on", True, {}, {}, "ok", Choices(), False,
     finality.IKKE_FERDIG, [finality.UTEN_KOPI], [], None),
    ("Signert and one copy: the other document is named", True, {"avtale": BOTH["avtale"]}, {}, "ok", Choices(), False,
     finality.IKKE_FERDIG, [f"vedlegget: {finality.UTEN_KOPI}"], [], None),
    ("Signert, --godta-usignert: the rendering is final, and said to be", True, {}, {}, "ok", GODTA, False,
     finality.FERDIG, [], ["arkiverer en usignert gjengivelse av Word-filen (lederavtalen og vedlegget) som ferdig"],
     SIGNERT),
    ("Signert and one copy, --godta-usignert: final on the copy's day", True, {"avtale": BOTH["avtale"]}, {}, "ok",
     GODTA, False, finality.FERDIG, [], ["usignert gjengivelse av Word-filen (vedlegget)"], date(2027, 2, 3)),
    ("--godta-usignert with placeholders left: refused", True, {}, {"avtale": 2}, "ok", GODTA, False,
     finality.NEKTET, ["avtale.docx har 2 «[Fylles ut …]» igjen: et dokument med felt som ikke er fylt ut, arkiveres "
                       "aldri som ferdig"], [], None),
    ("--godta-usignert with placeholders, --alle: under editing", True, {}, {"avtale": 2}, "ok",
     Choices(alle=True, godta_usignert=True), False, finality.UTKAST, ["avtale.docx har 2"], [], None),
    ("a signed copy's .docx may keep placeholders: what was signed is archived", False, BOTH, {"avtale": 3}, "ok",
     Choices(), False, finality.FERDIG, [], [], date(2027, 2, 5)),
    ("confirmed by the archive: not packaged again", False, BOTH, {}, "ok", Choices(), True,
     finality.ARKIVERT, [], [], None),
    ("confirmed, --alle: still not packaged again", False, {}, {}, "ok", ALLE, True, finality.ARKIVERT, [], [], None),
    ("confirmed but not signed, without --alle: not signed comes first", False, {}, {}, "ok", Choices(), True,
     finality.IKKE_SIGNERT, [], [], None),
    ("confirmed, --arkiver-igjen: packaged again", False, BOTH, {}, "ok", IGJEN, True,
     finality.FERDIG, [], [], date(2027, 2, 5)),
    ("documents that cannot be archived: the plan's reason", False, BOTH, {},
     "den signerte kopien av lederavtalen, «210/x.pdf», finnes ikke lenger", Choices(), False,
     finality.FEILET, ["den signerte kopien av lederavtalen"], [], None),
]


@pytest.mark.parametrize("signert, copies, left, plan, choices, arkivert, state, reasons, notes, dato",
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_finality(signert, copies, left, plan, choices, arkivert, state, reasons, notes, dato):
    leder, record, made = _inputs(signert, copies, left, plan)
    needed = needs_plan(leder, record, choices, arkivert)
    found = decide(leder, record, made if needed else None, choices, arkivert)
    assert found.state == state
    assert len(found.hvorfor) == len(reasons), found.hvorfor
    for said, start in zip(found.hvorfor, reasons):
        assert said.startswith(start), (said, start)
    shown = [words(note, TERMINAL) for note in found.notices]
    assert len(shown) == len(notes) and all(part in note for note, part in zip(shown, notes)), shown
    assert found.dato == dato
    assert found.packaged == (state in (finality.FERDIG, finality.UTKAST))
    # What needs the documents looked at: everyone but those rules 1 and 2 leave out.
    assert needed == (state not in (finality.IKKE_SIGNERT, finality.ARKIVERT))
    assert found.igjen == (arkivert and needed)
    assert found.claimed == (signert or bool(copies))


def test_placeholders_are_warned_of_for_a_rendering_only():
    leder, record, plan = _inputs(True, {"avtale": BOTH["avtale"]}, {"avtale": 4, "vedlegg": 1}, "ok")
    found = decide(leder, record, plan, Choices())
    assert found.placeholders == (f"210 {LEDER}: vedlegg.docx har 1 «[Fylles ut …]» igjen",)


def test_a_decision_that_needs_the_documents_is_never_made_without_them():
    leder, record, _ = _inputs(True, {}, {}, "ok")
    with pytest.raises(ValueError):
        decide(leder, record, None, Choices())


def test_without_godta_usignert_the_message_says_how_to_go_on_in_each_front_ends_words():
    assert words(finality.UTEN_KOPI, TERMINAL) == ("signert etter arbeidsboken, men ingen signert kopi er lest inn "
                                                   "(kjør «lederavtale signert»), eller bruk --godta-usignert")
