"""Cell values as the workbook holds them, turned into the text, dates and yes/no the model uses."""

from __future__ import annotations

import re
from datetime import date, datetime, time

YES = {"ja", "j", "yes", "y", "x", "sann", "true", "1"}
NO = {"nei", "n", "no", "usann", "false", "0", "-"}

EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}

# Excel stores characters XML cannot hold as `_xHHHH_`; openpyxl leaves them escaped.
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Control characters that would corrupt the XML of a .docx (tab and newline are fine).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_DATE_TEXT = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})")
_ISO_DATE_TEXT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def norm(text) -> str:
    """A header, sheet name or selector as compared: trimmed, case-folded, single spaces."""
    return " ".join(str(text).split()).casefold().rstrip("*:").strip()


def clean_text(value) -> str:
    """A cell as text: line breaks kept as \\n, XML-breaking characters removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return f"{value:%d.%m.%Y}"
        return f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # Norwegian readers expect a decimal comma.
        return f"{value:.15g}".replace(".", ",")
    text = _unescape(str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    return _CONTROL.sub("", text).strip()


def _unescape(text: str) -> str:
    text = _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    # An escape can name half of a UTF-16 surrogate pair (`_xD800_`), which no file can hold:
    # a pair becomes its one character, and a lone half is dropped, as control characters are.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")


def id_text(value) -> str:
    """An identifier (Ansattnr, Nr): a number typed in Excel must match the same text."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return clean_text(value)


def parse_date(value) -> date | None:
    """An Excel date or `dd.mm.yyyy` text; None when empty. ValueError when unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = clean_text(value)
        if not text:
            return None
        match = _DATE_TEXT.fullmatch(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        match = _ISO_DATE_TEXT.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)
    raise ValueError(value)


def parse_yes_no(value) -> bool | None:
    """Avtale: True/False, or None when the value means neither. Empty means yes."""
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = norm(clean_text(value))
    if not text:
        return True
    if text in YES:
        return True
    if text in NO:
        return False
    return None


# The weights of a fødselsnummer's two control digits (Skatteetaten): the first over the nine digits
# before it, the second over the ten.
_FNR_WEIGHTS = ((3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2))


def fodselsnummer_ok(digits: str) -> bool:
    """Whether eleven digits make a fødselsnummer (or D-nummer) whose two mod-11 control digits match.
    The date in the first six is not checked: D- and H-numbers and test numbers move it."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    for position, weights in zip((9, 10), _FNR_WEIGHTS):
        control = 11 - sum(int(d) * w for d, w in zip(digits, weights)) % 11
        control = 0 if control == 11 else control
        if control == 10 or control != int(digits[position]):
            return False
    return True


def quoted(value) -> str:
    return f"«{value}»"
