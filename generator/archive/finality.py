"""When a leader's agreement is ready for the archive, and as what: the rules, as one pure function.

`decide` takes a leader, their record in signert.json, the plan of their documents (pdfs.plan: each a
signed copy found unchanged, or a .docx to render, with the placeholders it still has) and what HR
asked for (`Choices`), and gives back a state and its reasons. It reads no file and writes none, so
that every rule can be shown in a table (tests/test_finality.py) and the command only sequences.

The rules, in the order they apply:

1. Nobody claims it is signed (no copy in signert.json, no date in the workbook's Signert): left out
   until signed (IKKE_SIGNERT), unless `--alle` takes everyone.
2. The archive has confirmed the leader (arkivert.json): never packaged again (ARKIVERT), unless
   asked for by name (`--arkiver-igjen --leder`).
3. The documents cannot be archived at all (not generated, a signed copy changed or gone): FEILET.
4. Final (FERDIG: journalstatus F, dokumentstatus F) only when every document is final: a copy
   signed by both parties, or, with `--godta-usignert` and the workbook's Signert, a rendering of the
   .docx without placeholders. A copy signed by one party only is never final.
5. Not final: packaged as under editing with `--alle` (UTKAST); refused when HR asked for a rendering
   as final and it still has placeholders (NEKTET, a failure); else left out, with why (IKKE_FERDIG).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..advice import advice, run
from ..model import Leder
from ..signing.record import PARTLY_SIGNED, ROLES, SIGNED, LeaderSigned, SignedDocument
from .pdfs import Plan, rolle_navn

# The states (Finality.state).
IKKE_SIGNERT = "ikke signert"  # nobody claims it is signed; --alle takes it
ARKIVERT = "arkivert"  # confirmed by the archive: not packaged again
FEILET = "feilet"  # its documents cannot be archived (the reason says why)
FERDIG = "ferdig"  # packaged as final
UTKAST = "utkast"  # packaged as under editing (--alle)
IKKE_FERDIG = "ikke ferdig"  # signed by some account, but not final: left out (--alle takes it)
NEKTET = "nektet"  # asked for as final (--godta-usignert), and it cannot be: a failure
PACKAGED = (FERDIG, UTKAST)

UTEN_KOPI = (f"signert etter arbeidsboken, men ingen signert kopi er lest inn ({run('signert')}), "
             f"eller {advice('godta_usignert')}")


@dataclass(frozen=True)
class Choices:
    """What HR asked of this package run."""

    alle: bool = False  # --alle: every other leader too, as under editing
    godta_usignert: bool = False  # a rendering is final when the workbook's Signert says so
    igjen: frozenset[str] = frozenset()  # Ansattnr to package although the archive confirmed them


@dataclass(frozen=True)
class Finality:
    """A leader's state, and what the user must know about it."""

    state: str
    hvorfor: tuple[str, ...] = ()  # why it is not final, or why it cannot be archived
    notices: tuple[str, ...] = ()  # about the files archived (the run's notices)
    placeholders: tuple[str, ...] = ()  # «Ansattnr Navn: X.docx har n «[Fylles ut …]» igjen», to warn of
    dato: date | None = None  # the day it was signed, when final
    claimed: bool = False  # signed by some account: a copy, or the workbook's Signert
    igjen: bool = False  # confirmed before, packaged again because HR asked for it

    @property
    def packaged(self) -> bool:
        return self.state in PACKAGED

    @property
    def ferdig(self) -> bool:
        return self.state == FERDIG


def claimed(leder: Leder, signed: LeaderSigned) -> bool:
    """Signed by some account: a copy in signert.json (of any status), or a date in Signert."""
    return leder.signert is not None or bool(signed.documents())


def signed_copies(signed: LeaderSigned) -> dict[str, SignedDocument]:
    """The copies archived byte for byte, by role: signed by both parties. A partly signed copy is not
    what the agreement is; its document is rendered from the .docx instead (and is not final)."""
    return {rolle: doc for rolle in ROLES if (doc := signed.document(rolle)) and doc.status == SIGNED}


def needs_plan(leder: Leder, signed: LeaderSigned, choices: Choices, arkivert: bool) -> bool:
    """Whether `decide` needs the leader's documents looked at: not for a leader rules 1 and 2 settle."""
    if not (choices.alle or claimed(leder, signed)):
        return False
    return not arkivert or leder.ansattnr in choices.igjen


def decide(leder: Leder, signed: LeaderSigned, plan: Plan | str | None, choices: Choices,
           arkivert: bool = False) -> Finality:
    """The leader's state. `plan`: pdfs.plan's plan of the documents, or why there is none (a
    failure); None only when `needs_plan` says it is not needed. `arkivert`: the archive has confirmed
    the leader (arkivert.json)."""
    is_claimed = claimed(leder, signed)
    if not (choices.alle or is_claimed):
        return Finality(IKKE_SIGNERT)
    if arkivert and leder.ansattnr not in choices.igjen:
        return Finality(ARKIVERT, claimed=is_claimed)
    igjen = arkivert
    if plan is None:
        raise ValueError(f"decide trenger planen for {leder.ansattnr} (needs_plan)")
    if isinstance(plan, str):
        return Finality(FEILET, (plan,), claimed=is_claimed, igjen=igjen)
    left = plan.placeholders
    placeholders = tuple(f"{leder.ansattnr} {leder.navn}: {plan.kilder[rolle].name} har {n} «[Fylles ut …]» igjen"
                         for rolle, n in left.items())
    hvorfor, godtatt, uten_kopi, ikke_utfylt, notices = [], [], [], [], []
    for rolle in ROLES:
        navn = rolle_navn(rolle)
        copy = plan.signerte.get(rolle)
        doc = signed.document(rolle)
        if copy is not None:
            if not copy.format.pdfa:
                notices.append(f"den signerte kopien av {navn} er ikke PDF/A-2b, men {copy.format.beskrivelse} (slik "
                                 "filen selv oppgir); den arkiveres uendret i det formatet (variantformat "
                                 "Produksjonsformat)")
        elif doc is not None and doc.status == PARTLY_SIGNED:
            hvorfor.append(f"{navn} er bare delvis signert ({_signers(doc)}), og er derfor ikke ferdig: "
                           "begge parter må signere")
        elif leder.signert is None:
            if signed.documents():  # the other document has a copy
                hvorfor.append(f"{navn} har ingen signert kopi ({run('signert')})")
        elif not choices.godta_usignert:
            uten_kopi.append(navn)
        elif rolle in left:
            ikke_utfylt.append(f"{plan.kilder[rolle].name} har {left[rolle]} «[Fylles ut …]» igjen")
        else:
            godtatt.append(navn)
    if uten_kopi:
        hvorfor.insert(0, UTEN_KOPI if len(uten_kopi) == len(ROLES) else f"{' og '.join(uten_kopi)}: {UTEN_KOPI}")
    if ikke_utfylt:
        hvorfor.append(f"{'; '.join(ikke_utfylt)}: et dokument med felt som ikke er fylt ut, arkiveres aldri som "
                       f"ferdig, heller ikke {advice('godta_usignert_valg')}")
    if not plan.signerte and leder.signert is None and not hvorfor:
        hvorfor.append("ikke signert ennå")
    if not hvorfor:
        if godtatt:
            notices.append(f"arkiverer en usignert gjengivelse av Word-filen ({' og '.join(godtatt)}) som ferdig, "
                             f"fordi arbeidsboken sier signert {advice('godta_usignert_brukt')}")
        # The record is complete on the day its last document was signed.
        dates = [d for rolle in plan.signerte if (d := _iso_date(signed.document(rolle).dato))]
        return Finality(FERDIG, (), tuple(notices), placeholders, max(dates, default=leder.signert), is_claimed,
                        igjen)
    if choices.alle:
        state = UTKAST
    elif ikke_utfylt:
        state = NEKTET
    else:
        state = IKKE_FERDIG
    return Finality(state, tuple(hvorfor), tuple(notices), placeholders, None, is_claimed, igjen)


def _signers(doc: SignedDocument) -> str:
    names = [s.navn for s in doc.signaturer if s.gyldig]
    return f"signert av {' og '.join(names)}" if names else "ingen gyldige signaturer"


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None
