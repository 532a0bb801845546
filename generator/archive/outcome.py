"""What an `arkiv` run did for each leader (`Outcome`), and the Result that tells it.

One `Outcome` per leader carries the run from the decision (finality.py) through the work (the
leader's PDFs in place, its message folder, what failed on the way) to the Result's `Item`, which is
made in one place only: `Outcome.item`. A reply read back (`--kvitteringer`) is an Outcome too, with
the reply's status. The summary lines (the run's last lines) are made here from the outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..advice import advice
from ..model import Leder
from ..plural import antall
from ..result import Item, Result
from ..store.year import FIKS_DIR, YearFolder
from . import finality
from .arkivert import Arkivert, description
from .finality import Finality
from .noark5 import CSV_NAME, XML_NAME
from .pdfs import Plan
from .receipts import Noted
from .record import Journalpost

# What the package did with each leader (Item.status).
PAKKET = "pakket"
ARKIVERT = "arkivert"  # confirmed by the archive: not packaged again
IKKE_SIGNERT = "ikke signert"  # left out until signed (--alle takes them)
IKKE_FERDIG = "ikke ferdig"  # signed by some account, but not final (the notes say why; --alle takes them)
FEILET = "feilet"
# What a reply did (Item.status).
REGISTRERT = "registrert"
UENDRET = "uendret"
ENDRET = "endret"
MOTTATT = "mottatt"  # the archive has the message; its receipt is still to come
FEILSVAR = "feilsvar"  # the archive answered with an error: not archived

PACKAGE_FAILED = "Noen dokumenter kom ikke med i arkivpakken:"
RECEIPTS_FAILED = "Noen kvitteringer kunne ikke brukes (de andre er registrert):"
AGAIN = "arkivert før, pakket på nytt fordi du ba om det"

# The states no work follows, as the Item says them.
_LEFT = {finality.IKKE_SIGNERT: IKKE_SIGNERT, finality.ARKIVERT: ARKIVERT, finality.IKKE_FERDIG: IKKE_FERDIG}


@dataclass
class Outcome:
    """What the run did for one leader: the decision, then what the work made of it."""

    leder: Leder
    finality: Finality | None = None  # the package run's decision (None: a reply's outcome)
    plan: Plan | None = None  # the documents to put in the package, when it is to be packaged
    journalpost: Journalpost | None = None  # its PDFs, in place in arkiv/
    melding: Path | None = None  # its message folder under fiks/, when written
    failures: list[str] = field(default_factory=list)  # what could not be done (the Result's failures)
    status: str = ""  # a reply's outcome (REGISTRERT, …)
    notices: list[str] = field(default_factory=list)  # a reply's notes

    @classmethod
    def decided(cls, leder: Leder, decision: Finality, plan: Plan | str | None) -> "Outcome":
        refused = decision.state in (finality.FEILET, finality.NEKTET)
        return cls(leder, decision, plan if isinstance(plan, Plan) and decision.packaged else None,
                   failures=["; ".join(decision.hvorfor)] if refused else [])

    @property
    def navn(self) -> str:
        return f"{self.leder.ansattnr} {self.leder.navn}"

    def item(self, year: YearFolder) -> Item:
        """The Result's line for this leader: the one place an Item is made from an outcome."""
        nr, navn, decision = self.leder.ansattnr, self.leder.navn, self.finality
        if decision is None:
            return Item(nr, navn, self.status, notices=list(self.notices))
        if decision.state in _LEFT:
            notes = [*decision.hvorfor, *decision.placeholders] if decision.state == finality.IKKE_FERDIG else []
            return Item(nr, navn, _LEFT[decision.state], notices=notes)
        # Set out to package (or refused on the way): its files, what failed, what to know.
        jp = self.journalpost
        filer = [year.relative(year.arkiv / fil.sti) for fil in jp.dokumenter] if jp else []
        if self.melding is not None:
            filer.append(year.relative(self.melding))
        notes = list(self.failures)
        status = FEILET if notes else PAKKET
        if decision.igjen:
            notes.append(AGAIN)
        if jp is not None:
            if not decision.ferdig:
                notes.append(f"{'; '.join(decision.hvorfor)}: arkiveres som under redigering")
            notes += decision.notices
        notes += decision.placeholders
        return Item(nr, navn, status, filer, notes)


# --- the package's Result ----------------------------------------------------------------------


def package_result(outcomes: list[Outcome], year: YearFolder, alle: bool, meldinger: list[Path],
                   advarsler: list[str]) -> Result:
    """What the package run did, from its outcomes (the workbook's order); `advarsler` end the summary."""
    journalposter = [o.journalpost for o in outcomes if o.journalpost is not None]
    return Result(
        items=[o.item(year) for o in outcomes],
        notices=[f"{o.navn}: {line}" for o in outcomes if o.journalpost is not None for line in o.finality.notices],
        summary=_package_lines(year.arkiv, alle, journalposter, meldinger, outcomes)
        + [f"Advarsel: {line}" for line in advarsler],
        failures=[f"{o.navn}: {why}" for o in outcomes for why in o.failures],
        failure_heading=PACKAGE_FAILED,
        files=[year.arkivstruktur, year.import_csv, *meldinger],
    )


def _package_lines(arkiv_dir: Path, alle: bool, journalposter: list[Journalpost], meldinger: list[Path],
                   outcomes: list[Outcome]) -> list[str]:
    decided = [o for o in outcomes if o.finality is not None]
    skipped = [o for o in decided if o.finality.state == finality.ARKIVERT]
    igjen = [o for o in decided if o.finality.igjen]
    # Signed by some account but not final; a refusal is among the failures unless --alle took it.
    ikke_ferdig = [o for o in decided if o.finality.claimed and o.finality.state in (finality.UTKAST, finality.IKKE_FERDIG)]
    ikke_signert = [o for o in decided if not o.finality.claimed and o.finality.state != finality.ARKIVERT]
    placeholders = [line for o in decided for line in o.finality.placeholders]
    lines = [
        f"Arkivpakke: {antall(len(journalposter), 'lederavtale', 'lederavtaler')} med vedlegg i {arkiv_dir}",
        f"  Noark 5: {XML_NAME} og {CSV_NAME} (regneark)",
        (f"  Fiks Arkiv: {antall(len(meldinger), 'melding', 'meldinger')} i {arkiv_dir / FIKS_DIR}, "
         "én mappe per leder, klare for kommunens Fiks IO-integrasjon"),
    ]
    signerte = sum(1 for jp in journalposter for fil in jp.dokumenter if not fil.konvertert)
    if signerte:
        lines.append(f"  Signerte kopier: {antall(signerte, 'dokument', 'dokumenter')} arkivert byte for byte, "
                     "slik de ble signert")
    if skipped:
        lines.append(f"Allerede arkivert ({len(skipped)}), ifølge kvitteringene i arkivert.json; "
                     f"ikke pakket på nytt ({advice('arkiver_igjen')}):")
        lines += _names(skipped)
    if igjen:
        lines.append(f"Arkivert før, men pakket på nytt fordi du ba om det ({len(igjen)}):")
        lines += _names(igjen)
    if ikke_ferdig:
        if alle:
            lines.append(f"Ikke ferdige ({len(ikke_ferdig)}), men tatt med som under redigering {advice('alle_brukt')}:")
        else:
            lines.append(f"Ikke ferdige ({len(ikke_ferdig)}), og derfor ikke med ({advice('alle')} som under "
                         "redigering):")
        lines += [f"  {o.navn}: {'; '.join(o.finality.hvorfor)}" for o in ikke_ferdig]
    if ikke_signert:
        if alle:
            lines.append(f"Ikke signert ennå ({len(ikke_signert)}), men tatt med {advice('alle_brukt')} "
                         "(arkiveres som under redigering, ikke som ferdige):")
        else:
            lines.append(f"Ikke signert ennå ({len(ikke_signert)}), og derfor ikke med ({advice('alle')}):")
        lines += _names(ikke_signert)
    if placeholders:
        lines.append("Advarsel – avtaler som fortsatt har felt som skal fylles ut i avtalesamtalen:")
        lines += [f"  {line}" for line in placeholders]
    return lines


def _names(outcomes: list[Outcome]) -> list[str]:
    return [f"  {o.navn}" for o in outcomes]


# --- the replies' Result -----------------------------------------------------------------------


def reply_outcomes(noted: Noted, feilsvar_advice: list[str]) -> list[Outcome]:
    """One outcome per reply noted; `feilsvar_advice`: what each of noted.feilsvar means now, in order."""
    outcomes = [Outcome(leder, status=status, notices=[description(entry)])
                for status, found in ((REGISTRERT, noted.nye), (UENDRET, noted.uendret), (ENDRET, noted.endret))
                for leder, entry in found]
    outcomes += [Outcome(leder, status=MOTTATT, notices=[f"{svar.fil}: arkivet har mottatt meldingen"])
                 for leder, svar in noted.mottatt]
    outcomes += [Outcome(leder, status=FEILSVAR, notices=[said], failures=[f"{svar.fil}: {leder.ansattnr} {leder.navn}: {said}"])
                 for (leder, svar), said in zip(noted.feilsvar, feilsvar_advice, strict=True)]
    return outcomes


def reply_result(outcomes: list[Outcome], noted: Noted, arkivert: Arkivert, year: YearFolder, fjernet: list[str],
                 advarsler: list[str], files: list[Path]) -> Result:
    failures = [str(avvist) for avvist in noted.avvist] + [why for o in outcomes for why in o.failures]
    return Result(items=[o.item(year) for o in outcomes], summary=_reply_lines(noted, arkivert, fjernet, advarsler),
                  failures=sorted(failures), failure_heading=RECEIPTS_FAILED, files=files)


def _reply_lines(noted: Noted, arkivert: Arkivert, fjernet: list[str], advarsler: list[str]) -> list[str]:
    if not noted.lest:
        return ["Fant ingen kvitteringer å lese."]
    lines = [f"Kvitteringer: {antall(len(noted.nye), 'ny', 'nye')} registrert i {arkivert.path}"]
    lines += [f"  {leder.ansattnr} {leder.navn}: {description(entry)}" for leder, entry in noted.nye]
    if noted.uendret:
        lines.append(f"Allerede registrert fra før ({len(noted.uendret)}), ingenting endret:")
        lines += [f"  {leder.ansattnr} {leder.navn}" for leder, _ in noted.uendret]
    if noted.endret:
        lines.append(f"Advarsel – arkivet melder en annen registrering enn før ({len(noted.endret)}); "
                     "den nye er registrert, den gamle står under «tidligere» i arkivert.json. "
                     "Sjekk i arkivet at lederen ikke er arkivert to ganger:")
        lines += [f"  {leder.ansattnr} {leder.navn}: {description(entry)}" for leder, entry in noted.endret]
    venter = sorted({leder.ansattnr: leder for leder, _ in noted.mottatt if not arkivert.has(leder.ansattnr)}.values(),
                    key=lambda leder: leder.ansattnr)
    if venter:
        lines.append(f"Mottatt av arkivet, men ikke kvittert ennå ({len(venter)}); kvitteringen kommer når arkivet har "
                     "registrert meldingen – les den inn da:")
        lines += [f"  {leder.ansattnr} {leder.navn}" for leder in venter]
    if noted.feilsvar:
        lines.append(f"Feilsvar fra arkivet ({len(noted.feilsvar)}): meldingene er ikke arkivert; hva som må gjøres, "
                     "står under feilene nedenfor.")
    if fjernet:
        lines.append(f"Fjernet fra {FIKS_DIR}/ fordi arkivet har kvittert: {', '.join(fjernet)}")
    lines += [f"Advarsel: {line}" for line in advarsler]
    return lines
