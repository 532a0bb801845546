"""Sheet Kommune: the municipality, the period and the settings, one Felt per row."""

from __future__ import annotations

import re
import warnings
from datetime import date
from pathlib import Path, PurePosixPath, PureWindowsPath

from PIL import Image, UnidentifiedImageError

from ..model import (
    DEFAULT_SKJERMINGSHJEMMEL,
    DEFAULT_TILGANGSKODE,
    PLASSERING_PERSONALMAPPE,
    PLASSERING_SAK,
    Kommune,
    Periode,
)
from .cells import REPORTED, Cells, Table
from .columns import KOMMUNE, MALFORMER, kommune_field
from .values import clean_text, id_text, norm, parse_date, parse_yes_no, quoted

SHEET = KOMMUNE.name
_YEAR = re.compile(r"\d{4}")
# A logo needs a few hundred pixels. Above this it is not a logo but a burden, or a decompression
# bomb (a PNG of 68 bytes can claim 20000 × 20000 pixels): refused before it is decoded. Below
# it, a large logo is scaled down for the documents (documents.context.logo_image).
MAX_LOGO_PIXELS = 150_000_000


def read_kommune(c: Cells, sheet: Table | None, folder: Path, uploaded: bool = False) -> Kommune | None:
    """The Kommune sheet; `folder` is the workbook's, which a Logo path is relative to.

    `uploaded`: the workbook came over the web page, and its Logo may only be a file uploaded with it
    (`_uploaded_logo`)."""
    if sheet is None:
        return None
    fields: dict[str, tuple[object, str]] = {}  # key -> (raw value, place of Verdi)
    first_row: dict[str, int] = {}
    for row in sheet.rows:
        felt = c.text(sheet, row, "felt", required=True)
        if not felt:
            continue
        known = kommune_field(felt)
        key = known.key if known else None
        if key is None:
            c.warn(sheet.place(row, "felt"), f"ukjent felt {quoted(felt)} blir ikke brukt")
            continue
        if key in fields:
            c.error(sheet.place(row, "felt"), f"feltet {quoted(felt)} står også på rad {first_row[key]}")
            continue
        value = c.value(sheet, row, "verdi")
        fields[key] = (None if value is REPORTED else value, sheet.place(row, "verdi"))
        first_row[key] = row.number

    def text(key: str) -> str:
        return clean_text(fields[key][0]) if key in fields else ""

    navn = text("navn")
    if not navn:
        c.error(fields["navn"][1] if "navn" in fields else SHEET, "Kommunenavn mangler")
    periode = _periode(c, fields)
    avsender = text("avsender")
    if avsender:
        c.email(fields["avsender"][1], avsender)
    logo = _logo(c, fields["logo"][1], text("logo"), folder, uploaded) if text("logo") else None
    malform = _malform(c, fields)
    skjerm_navn = _no_unless_yes(c, fields, "skjerm_navn", "Skjerm navn")
    navn_i_statusrapport = _no_unless_yes(c, fields, "navn_i_statusrapport", "Navn i statusrapport")
    organisasjonsnummer = _organisasjonsnummer(c, fields)
    plassering = _plassering(c, fields, text)
    if not navn or periode is None:
        return None
    return Kommune(
        navn=navn,
        periode=periode,
        adresse=text("adresse"),
        telefon=text("telefon"),
        epost=text("epost"),
        nettside=text("nettside"),
        logo=logo,
        sted=text("sted"),
        avsender=avsender,
        arkivsak=text("arkivsak"),
        skjermingshjemmel=text("skjermingshjemmel") or DEFAULT_SKJERMINGSHJEMMEL,
        malform=malform,
        tilgangskode=text("tilgangskode") or DEFAULT_TILGANGSKODE,
        skjerm_navn=skjerm_navn,
        navn_i_statusrapport=navn_i_statusrapport,
        arkivdel=text("arkivdel"),
        organisasjonsnummer=organisasjonsnummer,
        dokumenttype_avtale=text("dokumenttype_avtale"),
        dokumenttype_vedlegg=text("dokumenttype_vedlegg"),
        formatkode=text("formatkode"),
        saksbehandler=text("saksbehandler"),
        administrativ_enhet=text("administrativ_enhet"),
        plassering=plassering,
        klassifikasjonssystem=text("klassifikasjonssystem"),
        klasse=text("klasse"),
        opposisjonsleder=text("opposisjonsleder"),
        celler={key: place for key, (_, place) in fields.items()},
    )

def _periode(c: Cells, fields: dict) -> Periode | None:
    value, place = fields.get("periode", (None, SHEET))
    has_range = bool(clean_text(fields.get("fra", (None,))[0]) or clean_text(fields.get("til", (None,))[0]))
    if value is not None and clean_text(value):
        year = _year(value)
        if year is None:
            c.error(place, f"Periode må være et årstall, for eksempel 2027, ikke {quoted(clean_text(value))}")
            return None
        if has_range:
            c.warn(place, "Fra og Til blir ikke brukt fordi Periode er fylt ut")
        return Periode(date(year, 1, 1), date(year, 12, 31))

    if not has_range:
        c.error(place, "Periode mangler; skriv et årstall, eller fyll ut Fra og Til")
        return None
    fra = _date(c, fields, "fra", "Fra")
    til = _date(c, fields, "til", "Til")
    if fra is None or til is None:
        return None
    if til < fra:
        c.error(fields["til"][1], f"Til ({til:%d.%m.%Y}) er før Fra ({fra:%d.%m.%Y})")
        return None
    return Periode(fra, til)

def _year(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer():
        year = int(value)
    elif isinstance(value, str) and _YEAR.fullmatch(clean_text(value)):
        year = int(clean_text(value))
    else:
        return None
    return year if 2000 <= year <= 2100 else None

def _date(c: Cells, fields: dict, key: str, label: str) -> date | None:
    if key not in fields or not clean_text(fields[key][0]):
        c.error(fields[key][1] if key in fields else SHEET, f"{label} mangler (når Periode er tom)")
        return None
    value, place = fields[key]
    try:
        return parse_date(value)
    except ValueError:
        c.error(place, f"ugyldig dato {quoted(clean_text(value))}; skriv datoen som dd.mm.åååå")
        return None

def _logo(c: Cells, place: str, written: str, folder: Path, uploaded: bool = False) -> Path | None:
    if uploaded:
        logo = _uploaded_logo(written, folder)
        if logo is None:
            c.error(place, f"logoen {quoted(written)} må lastes opp sammen med arbeidsboken på siden Arbeidsbok")
            return None
    else:
        # Workbooks are often made on Windows; a backslash path must work here too.
        relative = Path(written.replace("\\", "/"))
        logo = relative if relative.is_absolute() else (folder / relative)
        logo = logo.resolve()
        if not logo.is_file():
            c.error(place, f"finner ikke logofilen {quoted(written)} (stien er regnet fra arbeidsbokens mappe)")
            return None
    problem = _image_problem(logo)
    if problem:
        c.error(place, f"logoen {quoted(written)} {problem}")
        return None
    return logo

def _uploaded_logo(written: str, folder: Path) -> Path | None:
    """The logo of an uploaded workbook: a plain file name in the workbook's own folder, where the web
    page stores the pictures uploaded with it; None for anything else.

    An uploaded workbook is written by whoever uses the page, and its logo goes into documents the page
    hands out: a path out of the folder (absolute, `..`, a subfolder, a link pointing out) would put any
    picture on the server into them. The caller gives one message for every None, so that the answer
    never tells whether such a file exists elsewhere.
    """
    name = written.strip()
    if (not name or name in (".", "..") or any(mark in name for mark in ("/", "\\", ":", "\0"))
            or PureWindowsPath(name).is_absolute() or PurePosixPath(name).is_absolute()):
        return None
    try:
        inside = folder.resolve()
        logo = (inside / name).resolve()  # a link is followed to where it points, and checked there
        if logo.parent != inside or not logo.is_file():
            return None
    except (OSError, ValueError, RuntimeError):  # a loop of links, a name the system cannot take
        return None
    return logo


def _image_problem(path: Path) -> str | None:
    """What is wrong with the logo file, in words for HR, or None; it is decoded in full once,
    so that a damaged file is found here and not while the documents are made."""
    too_large = ("er for stor{size}; en logo trenger bare noen hundre piksler på den lengste siden, "
                 "så lagre den i mindre størrelse")
    try:
        # Pillow warns (DecompressionBombWarning) of any image above 89 megapixels; the limit
        # here is ours, and a warning must not reach HR's terminal as Python prints it.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                if image.format not in ("PNG", "JPEG"):
                    return "må være et PNG- eller JPEG-bilde"
                width, height = image.size
                if width * height > MAX_LOGO_PIXELS:
                    return too_large.format(size=f" ({width} × {height} piksler)")
                image.load()
    except Image.DecompressionBombError:  # Pillow's own limit, above ours
        return too_large.format(size=f" (over {MAX_LOGO_PIXELS // 1_000_000} megapiksler)")
    except UnidentifiedImageError:
        return "må være et PNG- eller JPEG-bilde"
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError …) for a damaged file
        return "er skadet og kan ikke leses som bilde; lagre den på nytt som PNG eller JPEG"
    return None

def _malform(c: Cells, fields: dict) -> str:
    value, place = fields.get("malform", (None, SHEET))
    written = clean_text(value)
    if not written:
        return "bokmål"
    malform = MALFORMER.get(norm(written))
    if malform is None:
        c.error(place, f"Målform må være «bokmål» eller «nynorsk», ikke {quoted(written)}")
        return "bokmål"
    return malform

def _no_unless_yes(c: Cells, fields: dict, key: str, name: str) -> bool:
    value, place = fields.get(key, (None, SHEET))
    written = clean_text(value)
    if not written:
        return False  # unlike Avtale, an empty cell means no: names stay where they were
    answer = parse_yes_no(value)
    if answer is None:
        c.error(place, f"{name} må være «ja» eller «nei», ikke {quoted(written)}")
        return False
    return answer

def _plassering(c: Cells, fields: dict, text) -> str:
    """Where the journalposter go. Noark 5 puts every journalpost in a saksmappe, and an archive
    given only an Arkivdel has to invent one (or refuses): so an Arkivdel alone is an error here,
    for every command, and not first when the package is sent."""
    value, place = fields.get("plassering", (None, SHEET))
    written = clean_text(value)
    plassering = norm(written) if written else PLASSERING_SAK
    if plassering not in (PLASSERING_SAK, PLASSERING_PERSONALMAPPE):
        c.error(place, f"Plassering må være «{PLASSERING_SAK}» eller «{PLASSERING_PERSONALMAPPE}», ikke {quoted(written)}")
        return PLASSERING_SAK
    arkivdel = fields.get("arkivdel", (None, SHEET))[1]
    if plassering == PLASSERING_SAK:
        if text("arkivdel") and not text("arkivsak"):
            c.error(arkivdel, "Arkivdel alene er ikke nok: i Noark 5 ligger en journalpost alltid i en saksmappe, "
                    "og arkivet må ellers finne på en. Fyll ut Arkivsak (saken alle avtalene arkiveres i, "
                    f"f.eks. 2027/123), eller sett Plassering til «{PLASSERING_PERSONALMAPPE}» med "
                    "Klassifikasjonssystem og Klasse (én mappe per leder)")
        elif text("arkivdel"):
            c.warn(arkivdel, "Arkivdel blir ikke brukt med Plassering «sak»: journalpostene arkiveres i saken i Arkivsak")
        return plassering
    for key, name, example in (("klassifikasjonssystem", "Klassifikasjonssystem", "Ansattnummer"),
                               ("klasse", "Klasse", "Ansattnr")):
        if not text(key):
            c.error(fields.get(key, (None, SHEET))[1],
                    f"{name} mangler; Plassering «{PLASSERING_PERSONALMAPPE}» gir hver leder en saksmappe "
                    f"med klassifikasjon (f.eks. {name} = {example})")
    if text("arkivsak"):
        c.warn(fields["arkivsak"][1], f"Arkivsak blir ikke brukt med Plassering «{PLASSERING_PERSONALMAPPE}»: "
               "hver leders avtale arkiveres i lederens egen mappe")
    return plassering

_ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)

def _organisasjonsnummer(c: Cells, fields: dict) -> str:
    """Nine digits (spaces allowed when typed), with Brønnøysund's mod-11 check digit."""
    value, place = fields.get("organisasjonsnummer", (None, SHEET))
    written = id_text(value)
    if not written:
        return ""
    digits = "".join(written.split())
    if not re.fullmatch(r"\d{9}", digits):
        c.error(place, f"Organisasjonsnummer må være 9 siffer, for eksempel 974 760 673, ikke {quoted(written)}")
        return ""
    remainder = sum(int(d) * w for d, w in zip(digits, _ORGNR_WEIGHTS)) % 11
    control = 0 if remainder == 0 else 11 - remainder
    if control == 10 or control != int(digits[8]):
        c.error(place, f"Organisasjonsnummer {quoted(written)} er ikke gyldig (kontrollsifferet stemmer ikke); "
                "sjekk nummeret i Enhetsregisteret")
        return ""
    return digits
