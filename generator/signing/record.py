"""`signert.json`: the signed copies that came back, per Ansattnr and document (README, «Signering»).

`signert` writes it; `arkiv`, the run report and the web page read it. Each recorded copy is a file
in the leader's folder that the tool never changes (`… (signert).pdf`), so the record names it by
path and sha256: a copy that no longer matches its record is not the one that was verified.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from ..documents.kinds import SIGNED_KINDS
from ..exceptions import LederavtaleError
from ..model import Arbeidsbok, Leder
from ..store.files import atomic_write_bytes, read_json_object, sha256_file
from ..store.manifest import AS_MADE, MISSING, Manifest, document_state
from ..store.year import YearFolder
from ..advice import run

E_SIGNATURE = "e-signatur"
SCAN = "skann"
SIGNED = "signert"
PARTLY_SIGNED = "delvis signert"
REPORT_COLUMN = "Signert"  # the column of rapport.xlsx that shows the record


@dataclass
class Signature:
    navn: str  # the signer's name from the certificate
    gyldig: bool  # intact, and covering the document up to its revision
    klarert: bool  # the issuer chain is trusted against --tillit (always False without it)
    tidspunkt: str  # ISO date and time the signature claims, "" when it claims none


@dataclass
class SignedDocument:
    fil: str  # the kept copy, relative to the year folder
    sha256: str
    type: str  # E_SIGNATURE or SCAN
    dato: str  # ISO date it was signed
    # The full ID (LA1) of the document the copy is, however the copy carried it (a short ID is looked up in
    # the manifest); "" for a scan matched by its file name only.
    dokument_id: str
    status: str  # SIGNED or PARTLY_SIGNED
    signaturer: list[Signature] = field(default_factory=list)
    kilde: str = ""  # where it was read from (the path under MAPPE, as given)
    versjon: str = ""  # the version in its document ID
    advarsler: list[str] = field(default_factory=list)  # e.g. an older version than the copy for signing
    andre: list[str] = field(default_factory=list)  # other copies of the document that were not kept, and why
    # A portal's seal (a certification signature by an organisation): recorded apart, never a party.
    forsegling: Signature | None = None
    # HR confirmed the parties of a sealed copy whose signers could not be read from it: when, and the text.
    bekreftet: str = ""

    @property
    def venter_bekreftelse(self) -> bool:
        """A portal's sealed copy whose signers could not be read: signed once HR confirms the parties."""
        return (self.forsegling is not None and self.status == PARTLY_SIGNED
                and not any(s.gyldig for s in self.signaturer))


ROLES = tuple(kind.rolle for kind in SIGNED_KINDS)


@dataclass
class LeaderSigned:
    """One leader's signed copies, a field per signed kind's role (documents.kinds.SIGNED_KINDS)."""

    avtale: SignedDocument | None = None
    vedlegg: SignedDocument | None = None

    def document(self, rolle: str) -> SignedDocument | None:
        return getattr(self, rolle, None) if rolle in ROLES else None

    def documents(self) -> list[tuple[str, SignedDocument]]:
        """(role, copy) for each signed kind that has a copy, in the kinds' order."""
        return [(rolle, doc) for rolle in ROLES if (doc := self.document(rolle)) is not None]

    def to_dict(self) -> dict:
        return {rolle: asdict(doc) for rolle, doc in self.documents()}


def _document(data: dict) -> SignedDocument:
    signatures = [Signature(**s) for s in data.get("signaturer", [])]
    seal = Signature(**data["forsegling"]) if data.get("forsegling") else None
    return SignedDocument(**{**data, "signaturer": signatures, "forsegling": seal})


def load_signed(path: Path) -> dict[str, LeaderSigned]:
    """signert.json by Ansattnr; empty when there is none yet."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        data = read_json_object(path)
        return {nr: LeaderSigned(**{rolle: _document(doc) for rolle, doc in value.items()
                                    if rolle in ROLES})
                for nr, value in data.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LederavtaleError(
            f"{path}: oversikten over signerte dokumenter kan ikke leses ({exc}). Flytt filen bort og kjør "
            f"{run('signert')} på nytt med de signerte kopiene.") from exc


def save_signed(path: Path, record: dict[str, LeaderSigned]) -> None:
    data = {nr: record[nr].to_dict() for nr in sorted(record) if record[nr].to_dict()}
    atomic_write_bytes(Path(path), json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"), durable=True)


def agreement_signed(leder: Leder, leader_signed: LeaderSigned | None) -> bool:
    """Whether the leader's agreement counts as signed: a signed copy of it recorded in signert.json, with no
    recorded copy only partly signed; or, with no copy of the agreement recorded, a date in the workbook's
    column Signert. A recorded copy decides over the workbook's date: a partly signed one is not signed."""
    if leader_signed is not None and leader_signed.avtale is not None:
        return not any(doc.status == PARTLY_SIGNED for _, doc in leader_signed.documents())
    return leder.signert is not None


def unsigned(bok: Arbeidsbok, year: YearFolder) -> list[Leder]:
    """The leaders with Avtale=ja whose agreement is not signed (`agreement_signed`), in the workbook's order.

    The overview's «Signert» cell uses the same rule, so that «Signert: nei» there lists exactly these
    leaders; a reminder (`epost --paminnelse`) goes to those of them whose agreement is made. A signert.json
    that cannot be read raises LederavtaleError: guessing would remind leaders who have signed.
    """
    signed = load_signed(year.signert)
    return [leder for leder in bok.avtaleledere() if not agreement_signed(leder, signed.get(leder.ansattnr))]


def report_column(record: dict[str, LeaderSigned]) -> dict[str, str]:
    """Ansattnr → rapport.xlsx's «Signert» text."""
    column = {}
    for ansattnr, leader in record.items():
        parts = []
        for kind in SIGNED_KINDS:
            document, name = leader.document(kind.rolle), kind.navn[1]
            if document is None:
                continue
            how = "e-signatur" if document.type == E_SIGNATURE else "skann"
            line = f"{name}: {document.status} ({how}) {date.fromisoformat(document.dato):%d.%m.%Y}"
            if document.status == PARTLY_SIGNED:
                line += " – " + "; ".join(document.advarsler)
            parts.append(line)
        column[ansattnr] = "\n".join(parts)
    return column


@dataclass
class AtStake:
    """What replacing the drafts (`generer --overskriv`) would put aside: each is kept as a copy, but the
    person has to know before saying yes."""

    edited: int  # Word or PDF files edited by hand or handed in after the conversation
    signed: int  # leaders with a signed copy recorded
    leaders: int  # leaders with either


def overwrite_at_stake(year: YearFolder, sha_of=sha256_file) -> AtStake:
    manifest = Manifest.load(year.path) if year.manifest.exists() else None
    signed = load_signed(year.signert)
    edited, who = 0, set(signed)
    for nr, entry in (manifest.ledere.items() if manifest is not None else ()):
        for f in entry.filer:
            if not f.fase and document_state(manifest, f, sha_of) not in (AS_MADE, MISSING):
                edited += 1
                who.add(nr)
    return AtStake(edited, sum(1 for leader in signed.values() if leader.documents()), len(who))
