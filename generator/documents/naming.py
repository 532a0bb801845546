"""What each document is called: its file name and the title and subject inside it."""

from __future__ import annotations

from ..model import Arbeidsbok, Leder
from ..store.files import NAME_BYTES, safe_filename, shortened

AVTALE = "avtale"
VEDLEGG = "vedlegg"
OPPFOLGING = "oppfolging"  # the public follow-up document (`oppfolging`)


def file_stem(rolle: str, bok: Arbeidsbok, leder: Leder) -> str:
    ar = bok.kommune.periode.ar
    nynorsk = bok.kommune.malform == "nynorsk"
    navn = shortened(leder.navn, NAME_BYTES)
    if rolle == "avtale":
        return safe_filename(f"{'Leiaravtale' if nynorsk else 'Lederavtale'} {ar} - {navn}")
    if rolle == OPPFOLGING:
        return safe_filename(f"Oppfølgingssamtale {ar} - {navn}")
    exempt = "unnateke offentlegheit" if nynorsk else "unntatt offentlighet"
    return safe_filename(f"Utviklingsmål {ar} - {navn} ({exempt})")


def document_properties(rolle: str, bok: Arbeidsbok, leder: Leder) -> dict:
    """Title, subject and author of the .docx, which LibreOffice carries into the PDF."""
    ar = bok.kommune.periode.ar
    language = "nn-NO" if bok.kommune.malform == "nynorsk" else "nb-NO"
    if rolle == "avtale":
        return {"language": language, "title": f"Lederavtale {ar} – {leder.navn}", "subject": f"Lederavtale {ar}, {leder.enhet}",
                "author": bok.kommune.navn, "keywords": "lederavtale"}
    if rolle == OPPFOLGING:
        return {"language": language, "title": f"Oppfølgingssamtale {ar} – {leder.navn}",
                "subject": f"Oppfølging av lederavtale {ar}, {leder.enhet}", "author": bok.kommune.navn,
                "keywords": "lederavtale, oppfølgingssamtale"}
    return {"language": language, "title": f"Personlige utviklingsmål {ar} – {leder.navn}",
            "subject": f"Unntatt offentlighet, {bok.kommune.skjermingshjemmel}",
            "author": bok.kommune.navn, "keywords": "unntatt offentlighet"}
