"""Every kind of document the tool makes, each defined once: one entry says all that differs.

An entry knows its template and the context it is filled from, whether it is public (a public
document passes the privacy guard before it is written), its file name and Word/PDF properties
in both målformer, its role and fingerprint key in `manifest.json`, its e-mail template and
the command that makes it, and how the archive files it. Naming, the manifest, the batch, the
template check, the mail and the archive read the entry; none of them asks which kind it is.

A `Run` is the kinds one command writes for each leader (`generer`: the agreement and the
appendix; `oppfolging`: the follow-up document and its exempt appendix).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import PurePath
from typing import Callable

from ..model import Arbeidsbok, Leder
from ..store.year import STATUS_REPORT_DOCX
from .context import agreement_context, appendix_context
from ..advice import advice

# The appendix's name says what it is in every file name it has (the document, its archived PDF).
_EXEMPT = {False: "unntatt offentlighet", True: "unnateke offentlegheit"}


@dataclass(frozen=True)
class Words:
    """What a document is called in one målform. Each text is a `str.format` pattern over `ar`,
    `navn`, `enhet`, `ansattnr`, `kommune` and `skjermingshjemmel` (see `naming`)."""

    stem: str  # the file name without extension; `navn` is shortened to fit a file name
    title: str
    subject: str
    keywords: str
    language: str
    archive_stem: str = ""  # the archived PDF's name; "" keeps the document's own file name


@dataclass(frozen=True)
class Archiving:
    """How the archive files a kind (codes from KS' kodelister, see archive.record)."""

    tilknyttet: str  # tilknyttetRegistreringSom: H for the main document, V for an attachment
    dokumenttype: str
    dokumentnummer: int
    fiks_fil: str  # the plain ASCII name inside a Fiks message (referanseDokumentfil)

    @property
    def hoved(self) -> bool:
        return self.tilknyttet == "H"


@dataclass(frozen=True)
class Kind:
    rolle: str  # the role in manifest.json (FileEntry.rolle)
    public: bool  # a public document is checked by the privacy guard, and never gets the goals
    navn: tuple[str, str]  # the document named in messages: mid-sentence, at a sentence's start
    bokmal: Words
    nynorsk: Words
    command: str  # the command that makes it, for «kjør … på nytt»
    # Rendered documents: the template file in the template folder and what fills it in. A
    # document the tool receives rather than renders (a signed copy) has neither.
    template: str = ""
    context: Callable[[Arbeidsbok, Leder, date | None], dict] | None = None
    # The agreement alone: a leader's own template (column Mal).
    leader_template: bool = False
    # The kommunedirektør's own template (the leader whose superior is the ordfører), when the
    # template folder has it; without it the kind's ordinary template.
    top_leader_template: str = ""
    # What a template's branches turn on, so the template check renders leaders with and without it.
    samples: Callable[[Arbeidsbok, Leder], list] = Arbeidsbok.oppdrag_for
    missing_hint: str = ""  # added when the template is missing from a template folder
    basis_key: str = ""  # manifest.json's key for the fingerprint of what it was made from
    email: str = ""  # the e-mail template that sends it
    space: tuple[int, int] = (0, 0)  # bytes on disk per leader, without and with PDF/A
    arkiv: Archiving | None = None
    # A leader's document that comes back signed or is filed carries a document ID (documents.identity).
    carries_id: bool = False
    # Its PDF from `generer` is a draft for the conversation: the UTKAST mark on every page. A form to
    # fill in and sign as it is (the follow-up document) has none.
    draft: bool = False
    # Both parties sign it: `signering` makes a copy of it for signing, `signert` reads the signed copy
    # back (signert.json keys it by the role), and `arkiv` files the signed copy as final.
    signed: bool = False
    # Newer than the template folders HR already has (made by an older `init`): a folder without its
    # template takes the tool's own, and the run says so, rather than stopping the autumn's documents.
    added_later: bool = False

    @property
    def per_leader(self) -> bool:
        """Whether the template depends on the leader (TemplateSet.path)."""
        return self.leader_template or bool(self.top_leader_template)

    def words(self, nynorsk: bool) -> Words:
        return self.nynorsk if nynorsk else self.bokmal


# The reminder's e-mail text (mail.message.REMINDER_MAIL): a mailing of the agreement, not a kind of its own,
# named here so that the template check finds it beside the kinds' own texts.
REMINDER_TEXT = "epost_paminnelse.txt"

# Space: measured on the default templates with a logo at about 70 kB per .docx and 145 kB per
# PDF/A, with room to spare.
AGREEMENT = Kind(
    "avtale", True, ("lederavtalen", "Avtalen"),
    Words("Lederavtale {ar} - {navn}", "Lederavtale {ar} – {navn}", "Lederavtale {ar}, {enhet}", "lederavtale",
          "nb-NO"),
    Words("Leiaravtale {ar} - {navn}", "Leiaravtale {ar} – {navn}", "Leiaravtale {ar}, {enhet}", "leiaravtale",
          "nn-NO"),
    "generer", "lederavtale.docx", agreement_context, leader_template=True,
    top_leader_template="lederavtale_kommunedirektor.docx", basis_key="grunnlag",
    email="epost.txt", space=(100_000, 300_000),
    arkiv=Archiving("H", "AVTALE", 1, "lederavtale.pdf"), carries_id=True, draft=True, signed=True)


def _appendix_words(nynorsk: bool, language: str) -> Words:
    exempt = _EXEMPT[nynorsk]
    goals = "Personlege utviklingsmål" if nynorsk else "Personlige utviklingsmål"
    return Words(f"Utviklingsmål {{ar}} - {{navn}} ({exempt})", f"{goals} {{ar}} – {{navn}}",
                 f"{exempt[0].upper()}{exempt[1:]}, {{skjermingshjemmel}}", exempt, language,
                 # The archive folder is internal, but the appendix's name need not tell whose it is.
                 archive_stem=f"{{ansattnr}} Vedlegg {exempt}")


APPENDIX = Kind(
    "vedlegg", False, ("vedlegget", "Vedlegget"), _appendix_words(False, "nb-NO"), _appendix_words(True, "nn-NO"),
    "generer", "vedlegg.docx", appendix_context, samples=Arbeidsbok.utviklingsmal_for, basis_key="grunnlag",
    email="epost.txt", space=(100_000, 300_000),
    arkiv=Archiving("V", "VEDLEGG", 2, "vedlegg.pdf"), carries_id=True, draft=True, signed=True)

_FOLLOW_UP_WORDS = Words("Oppfølgingssamtale {ar} - {navn}", "Oppfølgingssamtale {ar} – {navn}",
                         "Oppfølging av lederavtale {ar}, {enhet}", "lederavtale, oppfølgingssamtale", "nb-NO")
# Public, from the agreement's context: no development goal can reach it.
FOLLOW_UP = Kind(
    "oppfolging", True, ("oppfølgingsdokumentet", "Dokumentet"), _FOLLOW_UP_WORDS,
    replace(_FOLLOW_UP_WORDS, subject="Oppfølging av leiaravtale {ar}, {enhet}",
            keywords="leiaravtale, oppfølgingssamtale", language="nn-NO"),
    "oppfolging", "oppfolging.docx", agreement_context,
    # The kommunedirektør's evaluation, with the ordfører for the kommunestyre.
    top_leader_template="oppfolging_kommunedirektor.docx",
    # A template folder from before the follow-up document existed lacks it.
    missing_hint=f"kopier den fra standardmalene ({advice('init_mal')})",
    basis_key="grunnlag_oppfolging", email="epost_oppfolging.txt", space=(100_000, 300_000), carries_id=True)



def _follow_up_appendix_words(nynorsk: bool, language: str) -> Words:
    exempt = _EXEMPT[nynorsk]
    return Words(f"Oppfølgingssamtale {{ar}} - {{navn}} - vedlegg ({exempt})",
                 "Vedlegg til oppfølgingssamtale {ar} – {navn}",
                 f"{exempt[0].upper()}{exempt[1:]}, {{skjermingshjemmel}}", exempt, language,
                 archive_stem=f"{{ansattnr}} Vedlegg oppfølgingssamtale {exempt}")


# The follow-up conversation's exempt appendix, written beside the follow-up document by `oppfolging`:
# for every leader the development goals followed up and the leader's own leadership so far in the year;
# for the kommunedirektør the ordfører's written evaluation and the self-evaluation, signed by both. An
# appraisal of a named employee: exempt like the appendix (Skjermingshjemmel), from the appendix's context,
# so it may show the goals. Named, kept in the manifest, given a document ID and e-mailed to the parties
# (`epost --oppfolging`, mail.message.FOLLOW_UP_MAIL) like the appendix. Not yet signed through `signering` or
# archived by `arkiv` (no `signed`, no `arkiv`): both take one record per leader of exactly the agreement and
# the appendix, made in the spring, and would ask every leader for an autumn document that does not exist yet.
FOLLOW_UP_APPENDIX = Kind(
    "oppfolging_vedlegg", False, ("vedlegget til oppfølgingssamtalen", "Vedlegget til oppfølgingssamtalen"),
    _follow_up_appendix_words(False, "nb-NO"), _follow_up_appendix_words(True, "nn-NO"),
    "oppfolging", "oppfolging_vedlegg.docx", appendix_context,
    top_leader_template="oppfolging_vedlegg_kommunedirektor.docx", samples=Arbeidsbok.utviklingsmal_for,
    missing_hint=f"kopier den fra standardmalene ({advice('init_mal')})",
    basis_key="grunnlag_oppfolging", email="epost_oppfolging.txt", space=(100_000, 300_000), carries_id=True,
    added_later=True)

# The year folder names its own files (store.year); the report is one of them.
_STATUS_REPORT_WORDS = Words(PurePath(STATUS_REPORT_DOCX).stem, "Statusrapport {ar} – {kommune}", "", "", "nb-NO")
# The year's one report, not a leader's; on the agreement template's letterhead (status.document).
STATUS_REPORT = Kind(
    "statusrapport", True, ("statusrapporten", "Statusrapporten"), _STATUS_REPORT_WORDS,
    replace(_STATUS_REPORT_WORDS, language="nn-NO"), "status", AGREEMENT.template)

# A document the tool receives instead of rendering (the signed agreement, when that comes) is
# one more entry: a role, public, its words and command, and no template, context or basis_key.

KINDS: dict[str, Kind] = {k.rolle: k for k in (AGREEMENT, APPENDIX, FOLLOW_UP, FOLLOW_UP_APPENDIX, STATUS_REPORT)}
# What both parties sign, in the order the copies are made and listed (the agreement first).
SIGNED_KINDS: tuple[Kind, ...] = tuple(k for k in KINDS.values() if k.signed)
# The kinds a template folder's file is checked as; any other .docx there is an agreement template.
BY_TEMPLATE: dict[str, Kind] = {name: k for k in (AGREEMENT, APPENDIX, FOLLOW_UP, FOLLOW_UP_APPENDIX)
                                 for name in (k.template, k.top_leader_template) if name}


def by_role(rolle: str) -> Kind:
    """The kind of a role as manifest.json records it."""
    return KINDS[rolle]


@dataclass(frozen=True)
class Run:
    """The kinds one command writes for each leader, in writing order; they share one fingerprint."""

    kinds: tuple[Kind, ...]

    @property
    def basis_key(self) -> str:
        return self.kinds[0].basis_key

    @property
    def draft(self) -> bool:
        """Whether the run's PDFs carry the UTKAST mark; one converter makes them all, so its kinds agree."""
        marks = {kind.draft for kind in self.kinds}
        assert len(marks) == 1, "a run's kinds agree on the draft mark"
        return marks.pop()

    def space_per_leader(self, pdf: bool) -> int:
        return sum(kind.space[pdf] for kind in self.kinds)

    def written(self, refused: bool) -> list[Kind]:
        """The kinds to write for a leader: no public one once the privacy guard refused the leader's
        public text (the appendix is still written: it is where the goals belong)."""
        return [kind for kind in self.kinds if not (kind.public and refused)]


AGREEMENTS = Run((AGREEMENT, APPENDIX))  # `generer`
FOLLOW_UPS = Run((FOLLOW_UP, FOLLOW_UP_APPENDIX))  # `oppfolging`
