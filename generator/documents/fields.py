"""The template field catalogue: every name a template may use, with its meaning for HR.

One table drives the template check (known names, suggestions for typos) and the
`lederavtale maler` listing. The workbook's own fields come from the workbook's table
(workbook/columns.py): sheet Kommune's fields, and the template columns of Ledere, Oppdrag and Tiltak.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Template

from ..workbook.columns import KOMMUNE, LEDERE, OPPDRAG, TILTAK, Sheet


@dataclass(frozen=True)
class Field:
    name: str
    forklaring: str
    bare_vedlegg: bool = False


def _person_fields(who: str, label: str) -> list[Field]:
    """Sheet Ledere's template columns, for the leader or the superior, then HR's own columns."""
    return [
        *(Field(f"{who}.{c.key}", Template(c.template).substitute(label=label, who=who))
          for c in LEDERE.columns if c.template),
        Field(f"{who}.ekstra", f"egne kolonner i arket Ledere for {label}, f.eks. "
              f"{{{{ {who}.ekstra[\"Telefon\"] }}}}"),
    ]


def _row_fields(prefix: str, sheet: Sheet) -> list[Field]:
    """A sheet's template columns as a loop variable sees them (`o.nr`, `t.tekst`)."""
    return [Field(f"{prefix}.{c.key}", c.template) for c in sheet.columns if c.template]


# Every name a template may use, in the order HR reads them. Loop variables (`omrade`, `o`,
# `t`, `u`, `p`) are the names the default templates give them; a template may choose others.
FIELDS: list[Field] = [
    # Sheet Kommune's fields with a template line, in the sheet's order.
    *(Field(f"kommune.{f.key}", f.template) for f in KOMMUNE.fields if f.template),
    Field("periode.tekst", "avtaleperioden som tekst: «1. januar 2027 – 31. desember 2027»"),
    Field("periode.fra", "periodens første dag (dato; skriv {{ periode.fra|dato }})"),
    Field("periode.til", "periodens siste dag (dato; skriv {{ periode.til|dato(\"lang\") }} for «31. desember 2027»)"),
    Field("periode.ar", "året, f.eks. 2027"),
    *_person_fields("leder", "lederen"),
    *_person_fields("overordnet", "overordnet leder"),
    Field("dato", "datoen dokumentet lages (skriv {{ dato|dato }})"),
    Field("omrader", "lederens oppdrag gruppert på område: {%p for omrade in omrader %} … {%p endfor %}"),
    Field("oppdrag", "alle lederens oppdrag i én liste: {%p for o in oppdrag %} … {%p endfor %}"),
    Field("omrade.navn", "områdets navn, f.eks. Økonomi (inne i løkken over omrader)"),
    Field("omrade.oppdrag", "områdets oppdrag: {%tr for o in omrade.oppdrag %} … {%tr endfor %}"),
    *_row_fields("o", OPPDRAG),
    Field("o.ekstra", "egne kolonner i arket Oppdrag, f.eks. {{ o.ekstra[\"Hensikt\"] }}"),
    Field("o.tiltak", "lederens egne tiltak for oppdraget: {%p for t in o.tiltak %}{{ t }}{%p endfor %}"),
    Field("t", "ett tiltak: {{ t }} skriver teksten, inne i løkken over o.tiltak"),
    *_row_fields("t", TILTAK),
    Field("t.ekstra", "egne kolonner i arket Tiltak, f.eks. {{ t.ekstra[\"Ansvarlig\"] }}"),
    Field("underordnede", "lederne som inngår lederavtale med denne lederen (tom liste hvis ingen): "
          "{%p if underordnede %} … {%p endif %}, {{ underordnede|length }}"),
    Field("lederprinsipper", "kommunens lederprinsipper (arket Lederprinsipper; tom liste uten arket): "
          "{%p for p in lederprinsipper %} … {%p endfor %}"),
    Field("p.prinsipp", "prinsippet, f.eks. «Vi er tydelige»"),
    Field("p.beskrivelse", "hva prinsippet betyr i praksis"),
    Field("utviklingsmal", "personlige utviklingsmål: {%tr for u in utviklingsmal %} … {%tr endfor %}", True),
    Field("u.mal", "utviklingsmålet", True),
    Field("u.tiltak", "tiltak for å nå utviklingsmålet", True),
    Field("u.oppfolging", "hvordan og når målet følges opp", True),
]

# The names an e-mail text has besides the agreement's (mail.message.mail_context fills them in), and the
# values the template check renders each e-mail text with, so that both branches of an {% if %} are tried.
MAIL_FIELDS = {
    "vedlegg_utelatt": "sann når vedlegget (unntatt offentlighet) ikke er lagt ved e-posten: utelatt for alle, "
                       "eller for kommunedirektøren fordi ordføreren får kopi og Vedlegg til ordfører er nei; "
                       "{% if vedlegg_utelatt %} … si hvordan vedlegget leveres … {% endif %}",
    "politisk_sekretariat": "adressen til det politiske sekretariatet når e-posten går i kopi dit og svar skal dit "
                            "(kommunedirektørens oppfølging), ellers tom",
}
MAIL_SAMPLES = ({"vedlegg_utelatt": False, "politisk_sekretariat": ""},
                {"vedlegg_utelatt": True, "politisk_sekretariat": "politisk.sekretariat@kommune.no"})

# A list field and the loop-variable prefix that describes one of its elements.
LISTS = {"omrader": "omrade", "oppdrag": "o", "omrade.oppdrag": "o", "o.tiltak": "t", "utviklingsmal": "u",
         "lederprinsipper": "p"}
LOOP_PREFIXES = {"omrade", "o", "t", "u", "p"}
# Dictionaries whose keys come from the workbook; checked only when rendering.
FREE = {"leder.ekstra", "overordnet.ekstra", "o.ekstra", "t.ekstra"}
KNOWN = {f.name for f in FIELDS}

FILTERS = [
    ("dato", "dato som 31.12.2027: {{ o.frist|dato }}"),
    ("dato(\"lang\")", "dato som 31. desember 2027: {{ periode.til|dato(\"lang\") }}"),
    ("liten", "liten forbokstav midt i en setning: {{ leder.stilling|liten }} gir «kommunalsjef helse»"),
]

ANY = "any"
LEAF = "leaf"


def field_type(path: str) -> str | None:
    """"list:<prefix>", "rec:<prefix>", LEAF or ANY for a canonical dotted name; None if unknown."""
    if path in LISTS:
        return "list:" + LISTS[path]
    if path in FREE:
        return ANY
    if any(name.startswith(path + ".") for name in KNOWN):
        return "rec:" + path
    if path in KNOWN:
        return LEAF
    return None


def root_names(goals: bool) -> dict[str, str]:
    """The names a template starts from; the development goals only where `goals` (the appendix)."""
    roots = {}
    for f in FIELDS:
        head = f.name.split(".")[0]
        if head in LOOP_PREFIXES or (f.bare_vedlegg and not goals):
            continue
        roots[head] = field_type(head)
    return roots


def record_fields(prefix: str) -> list[str]:
    return [f.name[len(prefix) + 1:] for f in FIELDS if f.name.startswith(prefix + ".") and "." not in f.name[len(prefix) + 1:]]


def field_lines() -> list[str]:
    """The `lederavtale maler` listing: every field, ready to copy into Word, with what it is."""
    def row(code: str, text: str) -> str:
        return f"  {code:<34} {text}"

    lines = ["Felt i lederavtale.docx, oppfolging.docx og vedlegg.docx (kopier koden som står til venstre):", ""]
    loops = {"omrade": "Inne i {%p for omrade in omrader %} … {%p endfor %}:",
             "o": "Inne i {%tr for o in omrade.oppdrag %} … {%tr endfor %} (eller {%p for o in oppdrag %}):",
             "t": "Inne i {%p for t in o.tiltak %} … {%p endfor %}:",
             "p": "Inne i {%p for p in lederprinsipper %} … {%p endfor %}:",
             "u": "Bare i vedlegg.docx (unntatt offentlighet), inne i {%tr for u in utviklingsmal %} … {%tr endfor %}:"}
    lists = {"lederprinsipper": "Kommunens lederprinsipper (arket Lederprinsipper, valgfritt):",
             "utviklingsmal": "Bare i vedlegg.docx (personlige utviklingsmål, unntatt offentlighet):"}
    shown_heading = set()
    for f in FIELDS:
        head = f.name.split(".")[0]
        if head in loops and head not in shown_heading:
            shown_heading.add(head)
            lines += ["", loops[head]]
        elif f.name in lists:
            lines += ["", lists[f.name]]
        if f.name in LISTS:
            code = f.name
        elif f.name in FREE:
            code = f"{{{{ {f.name}[\"Kolonne\"] }}}}"
        else:
            code = f"{{{{ {f.name} }}}}"
        lines.append(row(code, f.forklaring))
    lines += ["", "Filter:"]
    lines += [row(f"|{name}", text) for name, text in FILTERS]
    lines += ["", "Styrekoder: {%p … %} styrer et helt avsnitt, {%tr … %} en hel tabellrad; de må stå alene der.",
              "oppfolging.docx (dokumentet til oppfølgingssamtalen, offentlig) har de samme feltene som "
              "lederavtalen, men ikke utviklingsmålene.",
              "epost.txt, epost_oppfolging.txt og epost_paminnelse.txt har de samme feltene som lederavtalen, men "
              "ikke utviklingsmålene, og i tillegg:"]
    lines += [row(f"{{{{ {name} }}}}", text) for name, text in MAIL_FIELDS.items()]
    return lines
