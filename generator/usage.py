"""The commands as users see them listed: in `lederavtale --help` and in the Veiledning sheet.

One list, so that neither names fewer commands than the other. Each command's own `--help` (its
docstring in cli.py) explains its options; tests/test_codemap.py checks that this list is exactly the
commands cli.py registers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str  # as typed after `lederavtale`
    synopsis: str  # the arguments and required options, as click names them ("" for none)
    description: str  # one sentence, Norwegian, for HR

    @property
    def usage(self) -> str:
        return f"lederavtale {self.name} {self.synopsis}".rstrip()


# In the order of the year (README, «Kommandoer»), and the help on templates last.
COMMANDS = (
    Command("init", "MAPPE",
            "Lager en ny arbeidsbok med veiledning, og en kopi av standardmalene i MAPPE/maler."),
    Command("sjekk", "ARBEIDSBOK",
            "Kontrollerer arbeidsboken og malene og viser alle feil og advarsler."),
    Command("generer", "ARBEIDSBOK",
            "Lager lederavtalen og vedlegget med utviklingsmål for hver leder, som Word og PDF/A, i output/<år>/."),
    Command("epost", "ARBEIDSBOK",
            "Lager e-postutkast (.eml) til hver leder med kopi til overordnet, eller sender dem over SMTP "
            "med --send; med --paminnelse en påminnelse til dem som ikke har signert avtalen."),
    Command("innlevert", "ARBEIDSBOK FILER",
            "Tar inn Word-filene som er redigert etter avtalesamtalen (.docx eller .zip), kobler hver til sin "
            "leder og tar vare på filen den erstatter."),
    Command("signering", "ARBEIDSBOK",
            "Lager kopiene som skal signeres (PDF/A uten UTKAST) fra avtalene slik de er etter samtalen, og "
            "signatarer.csv til signeringstjenesten."),
    Command("signert", "ARBEIDSBOK MAPPE",
            "Leser signerte kopier fra MAPPE: kontrollerer e-signaturene, kjenner igjen skann på QR-koden, "
            "og legger kopiene uendret i lederens mappe."),
    Command("arkiv", "ARBEIDSBOK",
            "Lager arkivpakken for de signerte avtalene: de signerte kopiene uendret (med --alle: alle, som "
            "utkast), Noark 5-metadata og én Fiks Arkiv-melding per leder."),
    Command("oppfolging", "ARBEIDSBOK",
            "Lager dokumentene til høstens oppfølgingssamtale for hver leder (det offentlige og vedlegget "
            "unntatt offentlighet), og status.xlsx der status for oppdragene føres."),
    Command("status", "ARBEIDSBOK STATUSBOK",
            "Kontrollerer en utfylt status.xlsx og lager statusrapporten (statusrapport.xlsx, .docx og PDF/A)."),
    Command("nytt-ar", "ARBEIDSBOK --til ÅR --ut NY.xlsx",
            "Lager neste års arbeidsbok: de samme lederne og oppdragene (med --status STATUSBOK bare "
            "oppdragene som ikke er avsluttet), og tomme Tiltak og Utviklingsmål."),
    Command("web", "ARBEIDSBOK",
            "Starter nettsiden for HR: hele året i nettleseren (oversikt, arbeidsbok, avtaler, e-post, signering, "
            "arkiv, oppfølging), på de samme jobbene som kommandoene."),
    Command("maler", "",
            "Viser alle feltene malene kan bruke, med en kort forklaring, klare til å kopiere inn i Word."),
)


def help_rows(registered) -> list[tuple[str, str]]:
    """(usage, description) for `lederavtale --help`, for the commands the front end registers."""
    return [(command.usage.removeprefix("lederavtale "), command.description)
            for command in COMMANDS if command.name in registered]
