"""Sheet Ledere's columns Avdeling, Avtalesamtale and Fødselsnummer.

The fødselsnummer is secret like the development goals: it is checked when read, and never reaches a
template, a message, a warning or a printed model.
"""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from conftest import basic_sheets, write_xlsx

from generator.cli import main
from generator.documents.context import agreement_context, appendix_context
from generator.documents.fields import FIELDS
from generator.exceptions import WorkbookError
from generator.workbook import read_workbook


def fodselsnummer(first_nine: str) -> str:
    """The eleven digits for nine, with both control digits by Skatteetaten's rule; written here on its own
    so that the test does not check the reader against itself."""
    digits = [int(d) for d in first_nine]
    for weights in ((3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)):
        k = 11 - sum(d * w for d, w in zip(digits, weights)) % 11
        k = 0 if k == 11 else k
        assert k != 10, f"{first_nine} has no valid control digit; choose other digits"
        digits.append(k)
    return "".join(map(str, digits))


VALID = fodselsnummer("010190125")  # born on the 1st: a leading zero Excel drops from a number
OTHER = fodselsnummer("150675432")
assert VALID.startswith("0") and len(VALID) == len(OTHER) == 11


def sheets_with(column: str, values: dict[int, object]) -> dict:
    """The basic workbook with one column more in Ledere, filled in by Ansattnr."""
    sheets = basic_sheets()
    sheets["Ledere"][0].append(column)
    for row in sheets["Ledere"][1:]:
        row.append(values.get(row[0]))
    return sheets


def read(tmp_path, sheets):
    return read_workbook(write_xlsx(tmp_path / "bok.xlsx", sheets))


def problems(tmp_path, sheets) -> list[str]:
    with pytest.raises(WorkbookError) as info:
        read(tmp_path, sheets)
    return [str(p) for p in info.value.problems]


# --------------------------------------------------------------------------- Avdeling and Avtalesamtale


def test_avdeling_and_avtalesamtale_are_read_and_in_the_context(tmp_path):
    sheets = sheets_with("Avdeling", {211: "skjermet enhet"})
    sheets["Ledere"][0].append("Avtalesamtale")
    for row in sheets["Ledere"][1:]:
        row.append({211: "12.01.2027", 210: date(2027, 1, 14)}.get(row[0]))
    bok = read(tmp_path, sheets)
    berit = bok.leder("211")
    assert (berit.avdeling, berit.avtalesamtale) == ("skjermet enhet", date(2027, 1, 12))
    assert (bok.leder("300").avdeling, bok.leder("300").avtalesamtale) == ("", None)
    context = agreement_context(bok, berit)
    assert (context["leder"]["avdeling"], context["leder"]["avtalesamtale"]) == ("skjermet enhet", date(2027, 1, 12))
    assert context["overordnet"]["avtalesamtale"] == date(2027, 1, 14)
    catalogue = {f.name: f.forklaring for f in FIELDS}
    assert catalogue["leder.avdeling"] == "lederens avdeling i enheten, f.eks. «skjermet enhet» (tom hvis ingen)"
    assert catalogue["overordnet.avtalesamtale"].startswith("datoen for avtalesamtalen med overordnet leder")


def test_avtalesamtale_must_be_a_date_and_before_the_signing(tmp_path):
    sheets = sheets_with("Avtalesamtale", {210: "i januar"})
    assert problems(tmp_path, sheets) == ["Ledere!K6: ugyldig dato «i januar»; skriv datoen som dd.mm.åååå"]
    bok = read(tmp_path, sheets_with("Avtalesamtale", {100: date(2027, 1, 25)}))  # Signert 20.01.2027
    assert ("Ledere!J3: Signert 20.01.2027 er før avtalesamtalen (25.01.2027); avtalen inngås i samtalen og "
            "signeres etter den") in [str(w) for w in bok.warnings]


# --------------------------------------------------------------------------- Fødselsnummer


@pytest.mark.parametrize("written", [VALID, int(VALID), f"{VALID[:6]} {VALID[6:]}"])
def test_a_valid_fodselsnummer_is_read_as_eleven_digits(tmp_path, written):
    bok = read(tmp_path, sheets_with("Fødselsnummer", {210: written, 310: OTHER}))
    assert bok.leder("210").fodselsnummer == VALID  # the zero a number loses is put back
    assert bok.leder("310").fodselsnummer == OTHER
    assert bok.leder("300").fodselsnummer == ""


def wrong_check_digit(number: str) -> str:
    return number[:10] + str((int(number[10]) + 1) % 10)


@pytest.mark.parametrize("written, message", [
    (wrong_check_digit(OTHER), "Fødselsnummer er ikke gyldig: kontrollsifrene stemmer ikke med de ni første "
                               "sifrene; sjekk nummeret"),
    (OTHER[:9] + str((int(OTHER[9]) + 1) % 10) + OTHER[10], "Fødselsnummer er ikke gyldig: kontrollsifrene stemmer "
                                                             "ikke med de ni første sifrene; sjekk nummeret"),
    (OTHER[:10], "Fødselsnummer må være 11 siffer; sjekk nummeret i cellen"),
    (OTHER + "9", "Fødselsnummer må være 11 siffer; sjekk nummeret i cellen"),
    (f"{OTHER[:6]}-{OTHER[6:]}", "Fødselsnummer må være 11 siffer; sjekk nummeret i cellen"),
])
def test_a_wrong_fodselsnummer_is_refused_at_its_cell_without_the_number(tmp_path, written, message):
    found = problems(tmp_path, sheets_with("Fødselsnummer", {310: written}))
    assert found == [f"Ledere!K7: {message}"]
    assert not any(part in line for line in found for part in (written, OTHER[:6], OTHER[6:]))


SECRET_PARTS = (VALID, OTHER, VALID[1:], OTHER[:6], OTHER[6:])


def secret_sheets() -> dict:
    sheets = sheets_with("Fødselsnummer", {100: VALID, 210: OTHER, 310: wrong_check_digit(OTHER)})
    sheets["Oppdrag"][1][7] = "alle, nivå:virksomhetsledere"  # a warning too
    return sheets


def test_the_fodselsnummer_is_in_no_message_context_or_printed_model(tmp_path):
    sheets = secret_sheets()
    refused = problems(tmp_path, sheets)
    assert "Ledere!K7: Fødselsnummer er ikke gyldig" in refused[0]
    sheets["Ledere"][6][10] = None  # 310's wrong number removed: the workbook reads
    bok = read(tmp_path, sheets)
    assert bok.leder("210").fodselsnummer == OTHER and bok.warnings
    texts = [*refused, *map(str, bok.warnings), repr(bok.ledere), repr(bok),
             repr(agreement_context(bok, bok.leder("210"))), repr(appendix_context(bok, bok.leder("210"))),
             repr(agreement_context(bok, bok.leder("211")))]  # 210 is 211's superior
    for number in SECRET_PARTS:
        assert not any(number in text for text in texts), number
    assert not any("fodselsnummer" in f.name for f in FIELDS)


@pytest.mark.slow
def test_the_fodselsnummer_is_not_in_what_sjekk_prints(tmp_path):
    sheets = secret_sheets()
    refused = CliRunner().invoke(main, ["sjekk", str(write_xlsx(tmp_path / "feil.xlsx", sheets))])
    assert refused.exit_code == 1 and "Ledere!K7: Fødselsnummer er ikke gyldig" in refused.output
    sheets["Ledere"][6][10] = None
    checked = CliRunner().invoke(main, ["sjekk", str(write_xlsx(tmp_path / "bok.xlsx", sheets))])
    assert checked.exit_code == 0 and "nivå:virksomhetsledere" in checked.output, checked.output
    for number in SECRET_PARTS:
        assert number not in refused.output + checked.output, number


def test_a_new_workbook_keeps_the_fodselsnummer_as_text(tmp_path):
    from generator.workbook.write import build_workbook, starter_content

    wb = build_workbook(**starter_content())
    ws = wb["Ledere"]
    letter = next(c.column_letter for c in ws[1] if c.value == "Fødselsnummer")
    assert ws.column_dimensions[letter].number_format == "@"  # typed in, the leading zero stays
