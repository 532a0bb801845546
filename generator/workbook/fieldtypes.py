"""How a Kommune field's Verdi is read: text, an e-mail address, a date, ja/nei, one of a set …

Each type is a small object with a `read` that turns the cell's value into the model's value, or
raises `Invalid` with the message HR sees (the reader puts the cell in front). The field table
(`columns.KOMMUNE_FIELDS`) gives each field its type; the reader, the template context and the
writer of new workbooks ask the type, so a new field of a known type is one line in that table.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath, PureWindowsPath

from email_validator import EmailNotValidError, validate_email
from PIL import Image, UnidentifiedImageError

from .values import clean_text, id_text, norm, parse_date, parse_yes_no, quoted


class Invalid(ValueError):
    """A value the field cannot take; the message says why, in words for HR, without the cell."""


@dataclass(frozen=True)
class Where:
    """What a value is read against: the workbook's folder (a Logo path is relative to it), and whether
    the workbook came over the web page (its Logo may then only be a file uploaded with it)."""

    folder: Path
    uploaded: bool = False


class FieldType:
    """What every type answers; a type overrides what differs."""

    choices: tuple[str, ...] = ()  # a drop-down in a new workbook that refuses other values
    is_date = False  # a date cell in a new workbook

    def read(self, value, name: str, where: Where):
        raise NotImplementedError

    def template_value(self, value):
        """The value as templates see it (`kommune.<key>`)."""
        return value

    def cell(self, value):
        """The value written back into a new workbook's Verdi cell (`nytt-ar`); None for an empty cell."""
        return value if value not in ("", None) else None


@dataclass(frozen=True)
class Text(FieldType):
    """Free text; `default` when the cell is empty."""

    default: str = ""

    def read(self, value, name: str, where: Where) -> str:
        return clean_text(value) or self.default


@dataclass(frozen=True)
class Email(FieldType):
    """An e-mail address, or empty."""

    def read(self, value, name: str, where: Where) -> str:
        text = clean_text(value)
        if text:
            try:
                validate_email(text, check_deliverability=False)
            except EmailNotValidError:
                raise Invalid(f"ugyldig e-postadresse {quoted(text)}") from None
        return text


@dataclass(frozen=True)
class Date(FieldType):
    """An Excel date or dd.mm.åååå; None when empty."""

    is_date = True

    def read(self, value, name: str, where: Where) -> date | None:
        try:
            return parse_date(value)
        except ValueError:
            raise Invalid(f"ugyldig dato {quoted(clean_text(value))}; skriv datoen som dd.mm.åååå") from None


@dataclass(frozen=True)
class YesNo(FieldType):
    """ja or nei; `default` when empty (unlike Avtale in Ledere, where an empty cell means ja)."""

    default: bool = False
    choices = ("ja", "nei")

    def read(self, value, name: str, where: Where) -> bool:
        written = clean_text(value)
        if not written:
            return self.default
        answer = parse_yes_no(value)
        if answer is None:
            raise Invalid(f"{name} må være «ja» eller «nei», ikke {quoted(written)}")
        return answer

    def cell(self, value):
        return "ja" if value else "nei"


@dataclass(frozen=True)
class OneOf(FieldType):
    """One of `values`, whatever its case and spacing, or a synonym of one ((written, value) pairs,
    normalised); `default` when empty."""

    values: tuple[str, ...]
    default: str
    synonyms: tuple[tuple[str, str], ...] = ()

    @property
    def choices(self) -> tuple[str, ...]:
        return self.values

    def read(self, value, name: str, where: Where) -> str:
        written = clean_text(value)
        if not written:
            return self.default
        found = dict(self.synonyms).get(norm(written)) or next((v for v in self.values if norm(v) == norm(written)),
                                                                None)
        if found is None:
            raise Invalid(f"{name} må være {_either(self.values)}, ikke {quoted(written)}")
        return found


def _either(values: tuple[str, ...]) -> str:
    """«a» eller «b»; «a», «b» eller «c»."""
    quoted_values = [quoted(v) for v in values]
    return " eller ".join([", ".join(quoted_values[:-1]), quoted_values[-1]]) if len(values) > 1 else quoted_values[0]


@dataclass(frozen=True)
class Year(FieldType):
    """A year from 2000 to 2100, as a number or text; None when empty."""

    def read(self, value, name: str, where: Where) -> int | None:
        written = clean_text(value)
        if not written:
            return None
        year = None
        if isinstance(value, bool):
            year = None
        elif isinstance(value, (int, float)) and float(value).is_integer():
            year = int(value)
        elif isinstance(value, str) and re.fullmatch(r"\d{4}", written):
            year = int(written)
        if year is None or not 2000 <= year <= 2100:
            raise Invalid(f"{name} må være et årstall, for eksempel 2027, ikke {quoted(written)}")
        return year


_ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


@dataclass(frozen=True)
class Organisasjonsnummer(FieldType):
    """Nine digits (spaces allowed when typed), with Brønnøysund's mod-11 check digit; "" when empty."""

    def read(self, value, name: str, where: Where) -> str:
        written = id_text(value)
        if not written:
            return ""
        digits = "".join(written.split())
        if not re.fullmatch(r"\d{9}", digits):
            raise Invalid(f"{name} må være 9 siffer, for eksempel 974 760 673, ikke {quoted(written)}")
        remainder = sum(int(d) * w for d, w in zip(digits, _ORGNR_WEIGHTS)) % 11
        control = 0 if remainder == 0 else 11 - remainder
        if control == 10 or control != int(digits[8]):
            raise Invalid(f"{name} {quoted(written)} er ikke gyldig (kontrollsifferet stemmer ikke); "
                          "sjekk nummeret i Enhetsregisteret")
        return digits


@dataclass(frozen=True)
class SystemId(FieldType):
    """A systemID from the archive (a UUID, as Fiks Arkiv writes one); "" when empty."""

    def read(self, value, name: str, where: Where) -> str:
        # Imported here: the archive package reads the workbook's model, and the workbook must load first.
        from ..archive.record import is_system_id

        written = clean_text(value)
        if written and not is_system_id(written):
            raise Invalid(f"{name} {quoted(written)} er ikke en systemID fra arkivet (en UUID, f.eks. "
                          "22f05e04-37c4-4051-8b3a-853c8eac4b33); kopier den fra saken i sak/arkiv-systemet")
        return written.strip()


# --- the logo ---------------------------------------------------------------------------------------

# A logo needs a few hundred pixels. Above this it is not a logo but a burden, or a decompression
# bomb (a PNG of 68 bytes can claim 20000 × 20000 pixels): refused before it is decoded. Below
# it, a large logo is scaled down for the documents (documents.context.logo_image).
MAX_LOGO_PIXELS = 150_000_000


@dataclass(frozen=True)
class Picture(FieldType):
    """A PNG or JPEG file, by a path relative to the workbook's folder, checked to be there and to be a
    picture that can be decoded; None when empty. Templates see "" (the renderer puts the picture in
    its place), and test it with `{% if kommune.logo %}`."""

    def read(self, value, name: str, where: Where) -> Path | None:
        written = clean_text(value)
        if not written:
            return None
        if where.uploaded:
            logo = _uploaded_logo(written, where.folder)
            if logo is None:
                raise Invalid(f"logoen {quoted(written)} må lastes opp sammen med arbeidsboken på siden Arbeidsbok")
        else:
            # Workbooks are often made on Windows; a backslash path must work here too.
            relative = Path(written.replace("\\", "/"))
            logo = (relative if relative.is_absolute() else (where.folder / relative)).resolve()
            if not logo.is_file():
                raise Invalid(f"finner ikke logofilen {quoted(written)} (stien er regnet fra arbeidsbokens mappe)")
        problem = _image_problem(logo)
        if problem:
            raise Invalid(f"logoen {quoted(written)} {problem}")
        return logo

    def template_value(self, value):
        return ""

    def cell(self, value):
        return None  # where the logo is depends on where the new workbook goes: its writer decides


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
