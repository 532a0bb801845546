"""The one Jinja environment for documents and e-mail, and Jinja's errors in Norwegian.

The template check and the renderer both report through `explain`, so HR reads the same
message for the same mistake whichever finds it first.

Templates are data, not programs: HR gets them from other municipalities and from vendors.
They are rendered in Jinja's immutable sandbox (no attribute that starts with `_`, no method
that changes a value), and without Jinja's globals, so that no template can reach Python,
the shell or the environment (the SMTP password).
"""

from __future__ import annotations

import re
from datetime import date, datetime

import jinja2
from babel.dates import format_date
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from ..model import Problem
from ..advice import advice

# Jinja's block tags and the tags that end them.
BLOCKS = {"for": "endfor", "if": "endif", "with": "endwith", "macro": "endmacro", "call": "endcall",
          "filter": "endfilter", "block": "endblock", "autoescape": "endautoescape", "raw": "endraw"}
ENDS = {end: start for start, end in BLOCKS.items()} | {"endset": "set"}

# Jinja's own globals, none of which a template here needs: each is a Python object whose
# attributes lead to the interpreter (`cycler.__init__.__globals__.os`). `self` is Jinja's
# reference to the template itself, there in every template. The check refuses them by name.
REFUSED_NAMES = ("cycler", "joiner", "lipsum", "namespace", "range", "dict", "self")


def not_allowed(name: str) -> str:
    """Why a template may not use `name`: the same words from the check and from the sandbox."""
    if name.startswith("_"):
        why = "navn som begynner med «_» gir tilgang til programmet bak malen"
    elif name in REFUSED_NAMES:
        why = "det er et innebygd Jinja-navn som gir tilgang til programmet bak malen"
    else:
        why = "en mal kan bare lese feltene, ikke endre dem eller kalle programmet bak malen"
    return f"«{name}» er ikke tillatt i en mal: {why}; bruk bare feltene fra arbeidsboken ({advice('maler')})"


def long_date(value: date, locale: str = "nb") -> str:
    return format_date(value, "d. MMMM y", locale=locale)


def dato_filter(value, form: str = "kort", locale: str = "nb") -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        return str(value)
    if form == "lang":
        return long_date(value, locale)
    return value.strftime("%d.%m.%Y")


NBSP = "\u00a0"
# Only the space between a number and its %: a cell that shows template code as text
# («{% if x %}») must print as typed.
_BEFORE_PERCENT = re.compile(r"(?<=\d) (?=%)")
_AFTER_SECTION = re.compile(r"(?<=§) ")


def keep_together(text: str) -> str:
    """«6,7 %» and «§ 13» never broken over two lines: the space between a number and % and the
    space after § made non-breaking, as Norwegian typesetting wants (Språkrådet)."""
    return _AFTER_SECTION.sub(NBSP, _BEFORE_PERCENT.sub(NBSP, text))


def _finalize(value):
    """What `{{ … }}` prints: text with `keep_together`, everything else as it is.

    Only the printed result changes, so template code (`{% if o.mal == "…" %}`, filters) sees
    the values as the workbook holds them. Markup (what `join` and `replace` give under
    autoescape) stays Markup, or it would be escaped a second time.
    """
    if isinstance(value, Markup):
        return Markup(keep_together(str(value)))
    if isinstance(value, str):
        return keep_together(value)
    return value


def liten_filter(value) -> str:
    """The first letter in lower case, for a title in the middle of a sentence: «Kommunalsjef
    helse» → «kommunalsjef helse», «Offl. § 13» → «offl. § 13». An abbreviation in capitals
    («NAV-leder», «IKT-sjef») is left as it is."""
    text = "" if value is None else str(value)
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


# What one expression in a template may make. An agreement is some 20,000 characters; a
# template that asks for a billion (`"x" * 10**10`, `9**9**9`, `"%0999999999d"|format(1)`)
# would hang the run or exhaust memory, which Jinja's sandbox does not prevent by itself.
MAX_SIZE = 1_000_000
# Filters whose numeric arguments are sizes of what they make.
_SIZED_FILTERS = ("center", "indent", "wordwrap", "truncate", "batch", "slice", "format")


class TooLarge(SecurityError):
    """A template asked for more text or a larger number than any document holds."""

    def __init__(self):
        super().__init__("malen ber om en tekst eller et tall som er altfor stort for et dokument "
                         f"(mer enn {MAX_SIZE:,} tegn)".replace(",", " "))


def _check_numbers(*values) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE:
            raise TooLarge()


# A width or precision of millions in a %-format or a str.format field.
_HUGE_FORMAT = re.compile(r"%[-+ #0]*(?:\d{7,}|\*|\d*\.(?:\d{7,}|\*))|\{[^{}]*:[^{}]*\d{7,}[^{}]*\}")


def _check_format(text) -> None:
    if isinstance(text, str) and _HUGE_FORMAT.search(text):
        raise TooLarge()


def _sized(function, is_format: bool = False):
    def bounded(*args, **kwargs):
        _check_numbers(*args, *kwargs.values())
        if is_format and args:
            _check_format(args[0])
        return function(*args, **kwargs)

    bounded.__dict__.update(function.__dict__)  # keeps Jinja's pass_context/pass_eval_context mark
    return bounded


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with a bound on what one expression may make."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0 and \
                    max(abs(left), 2).bit_length() * right > MAX_SIZE * 4:
                raise TooLarge()
        elif operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_SIZE:
                    raise TooLarge()
        elif operator == "%":
            _check_format(left)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        _check_numbers(*args, *kwargs.values())  # "x".ljust(10**9)
        method = getattr(__obj, "__wrapped__", __obj)  # Jinja wraps str.format in a function of its own
        _check_format(getattr(method, "__self__", None))  # "{:>999999999}".format(1)
        return super().call(__context, __obj, *args, **kwargs)


def make_jinja_env(autoescape: bool = True, locale: str = "nb", strict: bool = True) -> jinja2.Environment:
    """The one Jinja environment for documents (autoescape) and e-mail text (no autoescape).

    StrictUndefined turns a misspelt name into an error instead of a silent blank; without
    `strict` (the status report, which borrows only the agreement's letterhead) an agreement
    field prints empty. The e-mail gets `keep_together` too: mail programs wrap plain text at
    any space, just as Word does.
    """
    env = _Sandbox(autoescape=autoescape, undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
                   keep_trailing_newline=True, finalize=_finalize)
    env.globals.clear()  # see REFUSED_NAMES
    for name in _SIZED_FILTERS:
        env.filters[name] = _sized(env.filters[name], is_format=name == "format")
    env.filters["dato"] = lambda value, form="kort": dato_filter(value, form, locale)
    env.filters["liten"] = liten_filter
    return env


def jinja_message(exc: jinja2.TemplateSyntaxError) -> str:
    text = exc.message or str(exc)
    if m := re.search(r"unknown tag '([^']+)'", text):
        tag = m.group(1)
        if tag in ("p", "tr", "tc", "r"):
            return f"ukjent kode «{tag}»: skriv «{{%{tag}» uten mellomrom mellom «{{%» og «{tag}»"
        if tag in ENDS or tag in ("else", "elif"):
            return f"«{tag}» uten tilhørende start foran"
        return f"ukjent kode «{tag}»"
    if m := re.search(r"unexpected char '(.)'", text):
        return f"tegnet «{m.group(1)}» kan ikke stå i koden"
    if m := re.search(r"expected token '([^']+)', got '([^']+)'", text):
        return f"uventet «{m.group(2)}» i koden"
    if m := re.search(r"unexpected '([^']+)'", text):
        return f"uventet «{m.group(1)}» i koden"
    if m := re.search(r"No filter named '([^']+)'", text):
        return f"ukjent filter «{m.group(1)}» (kjente filter: dato, dato(\"lang\"), liten, upper, lower …)"
    if "unexpected end of template" in text.lower():
        return "koden slutter før den er ferdig"
    return f"feil i malkoden: {text}"


def render_message(exc: Exception) -> tuple[str, str]:
    """(message, name to look for) for an error while filling in the template."""
    text = str(exc)
    if isinstance(exc, TooLarge):
        return str(exc), ""
    if isinstance(exc, SecurityError):  # the sandbox said no: the check missed a way round it
        if m := re.search(r"attribute '([^']+)' of", text):
            return not_allowed(m.group(1)), m.group(1)
        return "malen prøver å kalle programmet bak malen, og det er ikke tillatt i en mal", ""
    if m := re.search(r"'([^']+)' is undefined", text):
        if m.group(1) in REFUSED_NAMES:
            return not_allowed(m.group(1)), m.group(1)
        return f"ukjent navn «{m.group(1)}»", m.group(1)
    if m := re.search(r"has no attribute '([^']+)'", text):
        return f"ukjent felt «{m.group(1)}» (finnes ikke for alle ledere i arbeidsboken)", m.group(1)
    if m := re.search(r"^'([^']+)'$", text):  # a missing dict key, e.g. leder.ekstra["Telefon"]
        return f"ukjent felt «{m.group(1)}» (finnes ikke i arbeidsboken)", m.group(1)
    return f"malen kan ikke fylles ut: {text}", ""


def explain(template_name: str, exc: Exception) -> Problem:
    """A Norwegian problem for any error Jinja raised while compiling or filling in a template."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return Problem(template_name, jinja_message(exc))
    return Problem(template_name, render_message(exc)[0])
