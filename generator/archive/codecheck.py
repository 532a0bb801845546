"""The package's codes checked against the archive's own lists (`arkiv --kodelister`) before anything
is packaged: HR's codes from sheet Kommune with the cells they came from, and the built-in ones.

Above record.py and fiks.py, which read their codes from kodelister.py: the lists stay at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..advice import advice
from ..model import DEFAULT_DOKUMENTTYPE, DEFAULT_FORMATKODE, Kommune
from . import fiks, record
from .kodelister import Kode, Kodelister, UnknownCodes, dokumenttype, fiks_format

MAX_SHOWN = 25  # allowed values shown in a refusal before «… og N til»

# Said once by a package run without --kodelister: the defaults are KS' examples (kodelister.py), and only
# the archive knows its own codes. How to get its lists is part of the warning, since that is the fix.
UNCHECKED = ("kodene i Fiks-meldingene (dokumenttype, tilgangskode, format og statusene) er ikke kontrollert mot "
             "arkivets egne kodelister, og arkivet kan avvise en melding med en kode det ikke kjenner. Be kommunens "
             "Fiks IO-integrasjon hente kodelistene fra arkivet (meldingen no.ks.fiks.arkiv.v1.innsyn.kodeliste.hent, "
             "ett svar per kodeliste, lagret som dokumenttype.xml, tilgangsrestriksjon.xml, format.xml og så videre), "
             f"og {advice('kodelister')}")


@dataclass(frozen=True)
class Bruk:
    """A code the package uses: its list, the code, and where it came from (in Norwegian)."""

    liste: str
    kode: str
    kilde: str


FELTNAVN = {"tilgangskode": "Tilgangskode", "arkivdel": "Arkivdel", "dokumenttype_avtale": "Dokumenttype avtale",
            "dokumenttype_vedlegg": "Dokumenttype vedlegg", "formatkode": "Formatkode"}
INNEBYGD = "innebygd standardverdi"


def kilde(kommune: Kommune, key: str) -> str:
    """Where the code of the field `key` came from: its cell, or the built-in default (and the
    field that would replace it)."""
    cell = kommune.celler.get(key) if getattr(kommune, key, "") else None
    if cell:
        return f"{cell}, feltet {FELTNAVN[key]}"
    return f"{INNEBYGD}; sett feltet {FELTNAVN[key]} i arket Kommune"


def hr_codes(kommune: Kommune) -> list[Bruk]:
    """The codes HR sets in sheet Kommune (or their defaults), with their sources."""
    codes = [Bruk("dokumenttype", dokumenttype(kommune, rolle).kode, kilde(kommune, f"dokumenttype_{rolle}"))
             for rolle in DEFAULT_DOKUMENTTYPE]
    codes.append(Bruk("tilgangsrestriksjon", record.tilgangskode(kommune), kilde(kommune, "tilgangskode")))
    # The Fiks message's code for the PDF/A-2b files the tool makes (the lists are the Fiks archive's).
    codes.append(Bruk("format", fiks_format(kommune, Kode(DEFAULT_FORMATKODE, "")).kode, kilde(kommune, "formatkode")))
    if kommune.arkivdel.strip() and not kommune.arkivsak.strip():  # the message names the arkivdel only then
        codes.append(Bruk("arkivdel", kommune.arkivdel.strip(), kilde(kommune, "arkivdel")))
    return codes


def check_codes(kodelister: Kodelister, codes: list[Bruk]) -> None:
    """UnknownCodes naming every code whose list the archive sent and does not have it. A list the
    archive did not send is not checked."""
    problems = []
    for bruk in dict.fromkeys(codes):
        allowed = kodelister.lister.get(bruk.liste)
        if allowed is None or bruk.kode in allowed:
            continue
        shown = [f"{k} ({b})" if b else k for k, b in list(allowed.items())[:MAX_SHOWN]]
        if len(allowed) > MAX_SHOWN:
            shown.append(f"… og {len(allowed) - MAX_SHOWN} til")
        problems.append(f"{bruk.liste} «{bruk.kode}» ({bruk.kilde}) finnes ikke i arkivets kodeliste "
                        f"{kodelister.filer[bruk.liste].name}; arkivet kjenner: {', '.join(shown) or '(ingen koder)'}")
    if problems:
        raise UnknownCodes(problems)


FAST = "innebygd kode som arbeidsboken ikke kan endre; ta det opp med arkivet eller leverandøren av lederavtale"


def package_codes(kommune: Kommune, alle: bool) -> list[Bruk]:
    """Every code a package puts in its Fiks messages, before it is made: HR's, then the built-in
    ones (the statuses of a record under editing only with `alle`, which alone packages one)."""
    fixed = [("dokumentstatus", record.FERDIGSTILT), ("journalstatus", fiks.JOURNALSTATUS_SIGNERT),
             ("journalposttype", record.JOURNALPOSTTYPE), ("variantformat", record.ARKIVFORMAT),
             ("korrespondanseparttype", record.INTERN_AVSENDER), ("korrespondanseparttype", record.INTERN_MOTTAKER)]
    fixed += [("tilknyttetregistreringsom", code) for code in record.TILKNYTTET.values()]
    if alle:
        # A draft goes as it is, in production format (record.py).
        fixed += [("dokumentstatus", record.UNDER_REDIGERING), ("journalstatus", fiks.JOURNALSTATUS_IKKE_SIGNERT),
                  ("variantformat", record.PRODUKSJONSFORMAT)]
    return hr_codes(kommune) + [Bruk(liste, code.kode, FAST) for liste, code in fixed]


def signed_copy_codes(kommune: Kommune, copies: list[tuple[str, Kode, bool]]) -> list[Bruk]:
    """The codes of signed copies archived as they are: (file name, format, PDF/A-2b or not)."""
    codes = []
    for name, code, pdfa in copies:
        if not pdfa:
            codes.append(Bruk("format", fiks_format(kommune, code).kode, f"formatet til den signerte kopien {name}"))
            codes.append(Bruk("variantformat", record.PRODUKSJONSFORMAT.kode,
                              f"den signerte kopien {name} er ikke PDF/A-2b og arkiveres som produksjonsformat"))
    return codes
