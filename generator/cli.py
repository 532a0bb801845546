"""The `lederavtale` command: a thin layer over functions tests call directly.

This is the one place where errors become messages and exit codes.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from .documents.pdf import PdfSettings
from .exceptions import EXIT_INTERRUPTED, EXIT_INVALID, LederavtaleError, OptionError
from .job import Job
from .result import Result
from .terminal import confirm_sending, echo, progress_bar, show, show_error
from .usage import help_rows


class _Path(click.Path):
    """A path option or argument that may not be empty: `--ut ""` would silently mean the
    current folder."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not value.strip():
            self.fail("kan ikke være tom; oppgi en mappe eller fil", param, ctx)
        return super().convert(value, param, ctx)


PathArg = _Path(path_type=Path)
DirOption = _Path(file_okay=False, path_type=Path)

# The command line's defaults, relative to the folder it runs in; the library has none of its own.
OUTPUT = Path("output")
TEMPLATES = Path("maler")


def templates_default(maler: Path | None) -> Path | None:
    """--maler, else a `maler/` in the working folder (what `init` made), else the tool's own (None)."""
    return maler if maler is not None else (TEMPLATES if TEMPLATES.is_dir() else None)


class _Commands(click.Group):
    def format_commands(self, ctx, formatter):
        # From the list the Veiledning sheet shows too (usage.py): in the order of the year, and
        # whole, where click's own list is alphabetical and cuts each docstring off at 45 characters.
        with formatter.section("Commands"):
            formatter.write_dl(help_rows(self.commands))

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except LederavtaleError as exc:
            ctx.exit(show_error(exc))
        except KeyboardInterrupt:
            echo("Avbrutt.", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except OSError as exc:
            # The last net: a file the tool could not read or write (full disk, no access,
            # a name the file system refuses) is a message, never a traceback.
            where = f"«{exc.filename}»" if exc.filename else "en fil"
            echo(f"Kunne ikke lese eller skrive {where}: {exc.strerror or exc}. "
                       "Rett feilen (ledig plass, skrivetilgang) og kjør samme kommando igjen.", err=True)
            ctx.exit(EXIT_INVALID)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lederavtale", message="lederavtale %(version)s")
def main():
    """Lederavtaler for kommunen: fra én Excel-arbeidsbok til Word, PDF/A, e-post og arkiv.

    Kommandoene står i den rekkefølgen året går. `lederavtale KOMMANDO --help` forklarer alle valg.
    """


def libreoffice_options(command):
    """--jobber and --soffice, for the commands that make PDF/A."""
    command = click.option("--soffice", help="Sti til LibreOffice (soffice), hvis den ikke finnes automatisk.")(command)
    return click.option("--jobber", type=click.IntRange(1, 64),
                        help="Antall LibreOffice-prosesser (standard: antall kjerner).")(command)


@main.command("init")
@click.argument("mappe", type=DirOption)
def init_command(mappe: Path):
    """Lag en ny arbeidsbok med veiledning, og en kopi av standardmalene, i MAPPE."""
    from .commands.init import init

    sys.exit(show(init(mappe)))


@main.command("sjekk")
@click.argument("arbeidsbok", type=PathArg)
@click.option("--maler", type=DirOption, help="Malmappe (standard: maler/).")
@click.option("--ut", type=DirOption, default=OUTPUT, show_default=True,
              help="Mappen generer skrev til: tiltak i avtaler endret i Word sammenlignes med arbeidsboken.")
def sjekk_command(arbeidsbok: Path, maler: Path | None, ut: Path):
    """Kontroller arbeidsboken og malene, og vis alle feil og advarsler."""
    from .commands.check import check

    sys.exit(show(check(Job(arbeidsbok, ut, templates_default(maler), progress=progress_bar()))))


def document_options(command):
    """The options `generer` and `oppfolging` share: which leaders, where, PDF/A, overwriting."""
    # Applied from the bottom up, so --help lists them top down: --maler first, --jobber/--soffice
    # (the least used) last.
    command = libreoffice_options(command)
    command = click.option("--overskriv", is_flag=True,
                           help="Erstatt dokumenter som er endret for hånd (en kopi tas vare på).")(command)
    command = click.option("--pdf/--ingen-pdf", default=True, show_default=True,
                           help="Lag PDF/A i tillegg til Word.")(command)
    command = click.option("--enhet", help="Bare ledere i denne enheten.")(command)
    command = click.option("--leder", "ledere", multiple=True, metavar="ANSATTNR",
                           help="Bare denne lederen (kan gjentas).")(command)
    command = click.option("--ut", type=DirOption, default=OUTPUT, show_default=True,
                           help="Mappe for dokumentene.")(command)
    return click.option("--maler", type=DirOption, help="Malmappe (standard: maler/).")(command)


@main.command("generer")
@click.argument("arbeidsbok", type=PathArg)
@document_options
def generer_command(arbeidsbok, maler, ut, ledere, enhet, pdf, overskriv, jobber, soffice):
    """Lag lederavtale og vedlegg (Word og PDF/A) for hver leder."""
    from .commands.generate import generate

    job = Job(arbeidsbok, ut, templates_default(maler), PdfSettings(jobber, soffice), progress_bar())
    sys.exit(show(generate(job, ledere, enhet, pdf, overskriv)))


@main.command("oppfolging")
@click.argument("arbeidsbok", type=PathArg)
@document_options
def oppfolging_command(arbeidsbok, maler, ut, ledere, enhet, pdf, overskriv, jobber, soffice):
    """Lag dokumentene til oppfølgingssamtalen (Word og PDF/A) for hver leder, og status.xlsx.

    Det offentlige dokumentet har lederens oppdrag og tiltak fra lederavtalen med plass til status,
    resultat og kommentar, og spørsmålene til samtalen; vedlegget (unntatt offentlighet) har lederens
    egen utvikling og utviklingsmålene.
    status.xlsx (én rad per leder og oppdrag) lages på nytt bare så lenge ingen har endret den.
    """
    from .commands.followup import follow_up

    job = Job(arbeidsbok, ut, templates_default(maler), PdfSettings(jobber, soffice), progress_bar())
    sys.exit(show(follow_up(job, ledere, enhet, pdf, overskriv)))


@main.command("signering")
@click.argument("arbeidsbok", type=PathArg)
@click.option("--ut", type=DirOption, default=OUTPUT, show_default=True,
              help="Mappen dokumentene ble generert i.")
@click.option("--leder", "ledere", multiple=True, metavar="ANSATTNR",
              help="Bare denne lederen (kan gjentas).")
@libreoffice_options
def signering_command(arbeidsbok, ut, ledere, jobber, soffice):
    """Lag kopiene som skal signeres: PDF/A uten UTKAST i <ut>/<år>/signering/, og signatarer.csv.

    Kopiene lages fra Word-filene slik de er nå (etter samtalen). En leder med felt som ikke er fylt
    ut («[Fylles ut …]») eller uten utviklingsmål får ingen kopi; de andre lages. En ny kjøring lager
    bare kopiene der Word-filen er endret.
    """
    from .commands.signing import signering

    sys.exit(show(signering(Job(arbeidsbok, ut, pdf=PdfSettings(jobber, soffice), progress=progress_bar()), ledere)))


def _date(value: str | None):
    """--dato: dd.mm.åååå or åååå-mm-dd."""
    if value is None:
        return None
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    raise OptionError(f"--dato «{value}» er ikke en dato; skriv dd.mm.åååå eller åååå-mm-dd.")


@main.command("signert")
@click.argument("arbeidsbok", type=PathArg)
@click.argument("mappe", type=PathArg, required=False)
@click.option("--ut", type=DirOption, default=OUTPUT, show_default=True,
              help="Mappen dokumentene ble generert i.")
@click.option("--tillit", type=DirOption, metavar="MAPPE",
              help="CA-sertifikater (PEM eller DER) for utstederne signaturene skal kontrolleres mot. "
                   "Uten valget: sertifikatene i «tillit» i utmappen, hvis det ligger noen der.")
@click.option("--dato", metavar="DATO", help="Signeringsdato for skannede kopier (dd.mm.åååå eller åååå-mm-dd).")
@click.option("--bekreft", "bekreft", multiple=True, metavar="ANSATTNR",
              help="Bekreft at begge parter har signert lederens kopi fra en signeringstjeneste som bare er "
                   "forseglet (undertegnerne kunne ikke leses fra filen). Kan gjentas.")
def signert_command(arbeidsbok, mappe, ut, tillit, dato, bekreft):
    """Les signerte kopier (e-signerte PDF-er og skann) fra MAPPE inn i signert.json.

    E-signerte PDF-er kontrolleres (signaturene er intakte, hvem som signerte og når; med --tillit om
    utstederen er klarert). Skannede kopier kjennes igjen på QR-koden. Hver godtatt kopi legges uendret
    i lederens mappe som «… (signert).pdf». Med --bekreft (også uten MAPPE) bekrefter HR undertegnerne av
    en kopi som bare er forseglet av signeringstjenesten.
    """
    from .commands.signed import bekreft as confirm
    from .commands.signed import signert

    job = Job(arbeidsbok, ut, progress=progress_bar())
    if mappe is None:
        if not bekreft:
            raise OptionError("Oppgi MAPPE med de signerte kopiene (eller --bekreft ANSATTNR).")
        sys.exit(show(confirm(job, bekreft)))
    sys.exit(show(signert(job, mappe, tillit, _date(dato), bekreft)))


@main.command("innlevert")
@click.argument("arbeidsbok", type=PathArg)
@click.argument("filer", type=PathArg, nargs=-1, required=True)
@click.option("--ut", type=DirOption, default=OUTPUT, show_default=True,
              help="Mappen dokumentene ble generert i.")
@click.option("--pdf/--ingen-pdf", default=True, show_default=True, help="Lag PDF/A av de innleverte Word-filene.")
def innlevert_command(arbeidsbok, filer, ut, pdf):
    """Ta inn Word-filer som er redigert etter avtalesamtalen (FILER: .docx, .zip eller mapper).

    Hver fil kobles til sin leder og sitt dokument med dokument-ID-en i filens egenskaper, ellers med
    filnavnet; en fil som ikke passer, listes og tas ikke inn. Filen på serveren tas vare på som kopi, og
    PDF-en lages på nytt. Kopiene til signering lages deretter fra de innleverte filene.
    """
    from .commands.returned import innlevert

    sys.exit(show(innlevert(Job(arbeidsbok, ut, progress=progress_bar()), list(filer), pdf)))


@main.command("arkiv")
@click.argument("arbeidsbok", type=PathArg)
@click.option("--ut", type=DirOption, default=OUTPUT, show_default=True,
              help="Mappen dokumentene ble generert i.")
@click.option("--alle", is_flag=True, help="Ta med alle avtaler, også de som ikke er signert ennå.")
@click.option("--godta-usignert", is_flag=True,
              help="Arkiver Word-filen som ferdig når Signert er fylt ut, men ingen signert kopi er lest inn.")
@click.option("--kvitteringer", type=DirOption, metavar="MAPPE",
              help="Les arkivets svar i MAPPE: kvitteringer inn i arkivert.json; mottatt og feilmeldinger "
                   "(ugyldigforespoersel, serverfeil, ikkefunnet) med råd om hva som må gjøres.")
@click.option("--arkiver-igjen", is_flag=True,
              help="Pakk lederne valgt med --leder på nytt, selv om arkivet har kvittert for dem.")
@click.option("--leder", "ledere", multiple=True, metavar="ANSATTNR",
              help="Lederen som skal arkiveres på nytt (sammen med --arkiver-igjen; kan gjentas).")
@click.option("--kodelister", type=PathArg, metavar="FIL",
              help="Arkivets kodelister (lagrede svar på innsyn.kodeliste.hent, én fil eller en mappe): "
                   "pakken lages bare når arkivet kjenner alle kodene.")
@libreoffice_options
def arkiv_command(arbeidsbok, ut, alle, godta_usignert, kvitteringer, arkiver_igjen, ledere, kodelister, jobber,
                  soffice):
    """Lag arkivpakke til sak/arkiv: PDF/A, Noark 5-metadata og én Fiks Arkiv-melding per leder.

    Tar med avtalene som er signert: en signert kopi lest inn med `lederavtale signert` arkiveres
    byte for byte, slik den ble signert, og bare den arkiveres som ferdig. Har en avtale bare dato i
    kolonnen Signert, arkiveres Word-filen som ferdig bare med --godta-usignert, og aldri med felt
    som ikke er fylt ut. --alle tar med alle, de usignerte som under redigering.

    Pakken skrives til <ut>/<år>/arkiv/: arkivstruktur.xml og import.csv (Noark 5), og
    fiks/<Ansattnr>/ med arkivmelding.xml og PDF-ene, som kommunens Fiks IO-integrasjon sender.

    Med --kvitteringer MAPPE leses arkivets svar inn i arkivert.json og rapport.xlsx; ledere
    arkivet har kvittert for, pakkes aldri på nytt (unntatt med --arkiver-igjen --leder ANSATTNR).
    --kvitteringer alene lager ingen ny pakke; sammen med --alle eller --arkiver-igjen lages
    pakken etter at kvitteringene er lest.

    Med --kodelister FIL kontrolleres kodene (dokumenttype, tilgangskode, format, statuser …) mot
    arkivets egne kodelister før noe skrives; FIL er et lagret svar på innsyn.kodeliste.hent med
    kodelistens navn som filnavn (dokumenttype.xml), eller en mappe med slike svar.
    """
    from .commands.archive import arkiv

    job = Job(arbeidsbok, ut, pdf=PdfSettings(jobber, soffice), progress=progress_bar())
    sys.exit(show(arkiv(job, alle=alle, kvitteringer=kvitteringer, arkiver_igjen=arkiver_igjen, ledere=ledere,
                        godta_usignert=godta_usignert, kodelister=kodelister)))


@main.command("epost")
@click.argument("arbeidsbok", type=PathArg)
@click.option("--maler", type=DirOption, help="Malmappe med epost.txt (standard: maler/).")
@click.option("--ut", type=DirOption, default=OUTPUT, show_default=True, help="Mappen generer skrev til.")
@click.option("--send", "send_now", is_flag=True, help="Send e-postene over SMTP i stedet for å lage utkast (.eml).")
@click.option("--leder", "ledere", multiple=True, metavar="ANSATTNR", help="Bare denne lederen (kan gjentas).")
@click.option("--send-igjen", is_flag=True, help="Send på nytt til lederne valgt med --leder, selv om de har fått e-posten før.")
@click.option("--ja", is_flag=True, help="Send uten å spørre først (påkrevd når kommandoen ikke kjøres i en terminal).")
@click.option("--smtp-vert", metavar="VERT",
              help="SMTP-server (ellers miljøvariabelen LEDERAVTALE_SMTP_VERT, så innstillinger.json i UT).")
@click.option("--smtp-port", type=click.IntRange(1, 65535), metavar="PORT",
              help="SMTP-port (ellers LEDERAVTALE_SMTP_PORT, så innstillinger.json; standard 587).")
@click.option("--ingen-tls", is_flag=True, help="Send uten STARTTLS-kryptering (bare for en relay-server på egen maskin).")
@click.option("--uten-vedlegg", is_flag=True,
              help="Legg bare ved selve avtalen (med --oppfolging: oppfølgingsdokumentet); vedlegget (unntatt "
                   "offentlighet) leverer HR på annen måte.")
@click.option("--oppfolging", is_flag=True,
              help="Send dokumentet til oppfølgingssamtalen og vedlegget til den (fra lederavtale oppfolging) i "
                   "stedet for avtalene, med teksten i epost_oppfolging.txt.")
@click.option("--paminnelse", is_flag=True,
              help="Send en påminnelse til lederne som ikke har signert avtalen, med avtalen (uten vedlegget) og "
                   "teksten i epost_paminnelse.txt; kan sendes igjen en senere dag.")
def epost_command(arbeidsbok, maler, ut, send_now, ledere, send_igjen, ja, smtp_vert, smtp_port, ingen_tls,
                  uten_vedlegg, oppfolging, paminnelse):
    """Lag e-postutkast (.eml) til hver leder med avtalen og vedlegget, eller send dem med --send.

    Kjøres etter generer. Utkastene havner i UT/<år>/epost/ og åpnes i Outlook som
    uferdige e-poster. Med --send brukes SMTP-serveren fra --smtp-vert/--smtp-port eller
    LEDERAVTALE_SMTP_VERT/LEDERAVTALE_SMTP_PORT, og innlogging fra LEDERAVTALE_SMTP_BRUKER og
    LEDERAVTALE_SMTP_PASSORD; det som ikke er gitt slik, hentes fra UT/innstillinger.json (siden
    Innstillinger på nettsiden), som også kan gi avsender, e-posttekst og valget om vedlegg. Det som er sendt, står i
    sendt.json og sendes ikke to ganger. E-post med vedlegget merkes som privat; med
    --uten-vedlegg får lederen bare avtalen, og HR leverer vedlegget på annen måte.

    Med --oppfolging får lederen dokumentet til oppfølgingssamtalen (offentlig) og vedlegget til den
    (unntatt offentlighet) i stedet; utkastene og sendt.json for den utsendingen ligger i
    UT/<år>/epost/oppfolging/.

    Med --paminnelse får lederne som har fått avtalen laget, men ikke har signert den (ingen signert
    kopi i signert.json og ingen dato i kolonnen Signert), en påminnelse med avtalen (aldri vedlegget) og
    overordnet på kopi; med --leder bare de valgte av dem. Utkastene og sendt.json ligger i
    UT/<år>/epost/paminnelse/. Hver påminnelse føres med tid; en ny kjøring samme dag sender bare dem som
    mangler, en kjøring en senere dag sender til alle som fortsatt ikke har signert.
    """
    from .commands.email import EpostOptions, epost

    options = EpostOptions(send=send_now, ledere=ledere, send_igjen=send_igjen, ja=ja, smtp_vert=smtp_vert,
                           smtp_port=smtp_port, ingen_tls=ingen_tls, uten_vedlegg=uten_vedlegg, oppfolging=oppfolging,
                           paminnelse=paminnelse)
    job = Job(arbeidsbok, ut, templates_default(maler), progress=progress_bar())
    sys.exit(show(epost(job, options, interactive=sys.stdin.isatty(), confirm=confirm_sending)))


@main.command("maler")
def maler_command():
    """Vis alle feltene malene kan bruke, med en kort forklaring, klare til å kopiere inn i Word."""
    from .documents.fields import field_lines

    sys.exit(show(Result(summary=field_lines())))


@main.command("status")
@click.argument("arbeidsbok", type=PathArg)
@click.argument("statusbok", type=PathArg)
@click.option("--ut", type=DirOption, default=OUTPUT, show_default=True, help="Mappe for rapporten.")
@click.option("--pdf/--ingen-pdf", default=True, show_default=True, help="Lag PDF/A i tillegg til Word.")
@libreoffice_options
def status_command(arbeidsbok, statusbok, ut, pdf, jobber, soffice):
    """Kontroller en utfylt statusbok (status.xlsx) og lag statusrapporten.

    Skriver UT/<år>/statusrapport.xlsx (arkene Oppdrag, Resultater, Utgår, Avvik, Ikke rapportert
    og Enheter) og statusrapport.docx
    (og PDF/A) med en figur per område. Har statusboken feil, vises alle, og ingenting skrives.
    """
    from .commands.status import make_status_report

    # The report's letterhead is the agreement template's: maler/ where HR stands, as for generer.
    job = Job(arbeidsbok, ut, templates_default(None), PdfSettings(jobber, soffice))
    sys.exit(show(make_status_report(job, statusbok, pdf)))


@main.command("nytt-ar")
@click.argument("arbeidsbok", type=PathArg)
@click.option("--til", "til", type=click.IntRange(2000, 2100), required=True, metavar="ÅR",
              help="Året den nye arbeidsboken gjelder for.")
@click.option("--status", "statusbok", type=PathArg, metavar="STATUSBOK",
              help="Utfylt statusbok: oppdrag som alle har rapportert Fullført eller Utgår, tas ikke med.")
@click.option("--ut", type=PathArg, required=True, metavar="NY.xlsx", help="Den nye arbeidsboken (overskrives aldri).")
def nytt_ar_command(arbeidsbok, til, statusbok, ut):
    """Lag neste års arbeidsbok: ny periode, de samme lederne og oppdragene, tomme Tiltak og Utviklingsmål."""
    from .commands.next_year import next_year

    # --ut is the new workbook's file: nytt-ar writes nothing under an output folder's <år>/.
    sys.exit(show(next_year(Job(arbeidsbok, OUTPUT), til, ut, statusbok)))


@main.command("web")
@click.argument("arbeidsbok", type=PathArg, required=False)
@click.option("--ut", type=DirOption, default=OUTPUT, show_default=True, help="Mappe for dokumentene.")
@click.option("--maler", type=DirOption, help="Malmappe (standard: maler/).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Porten siden svarer på (0: en ledig port; er den opptatt, velges en ledig).")
@click.option("--vert", default="127.0.0.1", show_default=True, metavar="ADR",
              help="Adressen serveren lytter på. Bare for drift på server (0.0.0.0 bak en omvendt proxy).")
@click.option("--vertsnavn", "vertsnavn", multiple=True, metavar="NAVN",
              help="Navn siden nås på gjennom proxyen (Host-headeren), i tillegg til 127.0.0.1 og localhost.")
@click.option("--brukerhode", metavar="HEADER",
              help="Servermodus: headeren proxyen setter med den innloggede brukeren (f.eks. X-Forwarded-User). "
                   "Headeren er da innloggingen: forespørsler uten den får 403, og lenken trenger ingen nøkkel. "
                   "Bare proxyen må nå porten, og den må fjerne headeren fra forespørsler utenfra og sette den selv.")
@click.option("--ingen-nettleser", is_flag=True, help="Ikke åpne nettleseren.")
def web_command(arbeidsbok, ut, maler, port, vert, vertsnavn, brukerhode, ingen_nettleser):
    """Start nettsiden for HR: hele året i nettleseren, på de samme jobbene som kommandoene.

    Første linje som skrives ut, er adressen med en nøkkel som virker de første fem minuttene; den
    åpnes i nettleseren, og siden holder seg åpen en arbeidsdag. Kjører siden allerede for samme --ut,
    åpnes den med en ny lenke i stedet. Siden svarer bare på 127.0.0.1 (med mindre --vert er gitt).
    Stopp med Ctrl-C.
    """
    import secrets
    import webbrowser

    from .web import instance
    from .web.app import bind, create_app, serve, url
    from .web.security import TOKEN_MINUTES
    from .web.workspace import Settings

    def first_line(settings: Settings) -> str:
        # Behind the proxy its login is the only one: a token would grant nothing, so none is shown.
        link = url(settings).partition("?")[0] if settings.user_header else url(settings)
        click.echo(link)
        sys.stdout.flush()
        return link

    running = instance.find(ut)
    if running is not None:
        token = "" if running.user_header else instance.hand_link(ut, TOKEN_MINUTES * 60)
        link = first_line(Settings(ut=ut, host=running.host, port=running.port, user_header=running.user_header,
                                   token=token))
        echo("Siden kjører allerede; åpner den med en ny lenke." if token else "Siden kjører allerede.", err=True)
        if not ingen_nettleser:
            webbrowser.open(link)
        return

    sock = bind(vert, port)
    settings = Settings(ut=ut, workbook=arbeidsbok, maler=templates_default(maler), host=vert,
                        port=sock.getsockname()[1], user_header=brukerhode, hostnames=tuple(vertsnavn),
                        token=secrets.token_urlsafe(32), server_id=instance.new_id())
    app = create_app(settings)
    with instance.announced(ut, vert, settings.port, settings.server_id, brukerhode, TOKEN_MINUTES * 60):
        link = first_line(settings)
        echo("Siden kjører. Stopp med Ctrl-C.", err=True)
        if not ingen_nettleser:
            webbrowser.open(link)
        serve(app, sock)
