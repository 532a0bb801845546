"""A job's advice as data (generator/advice.py), said by each front end in its own words, and the web
page's own words for paths (generator/web/words.py): README, «Nettsiden»."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.advice import ADVICE, NEXT, STEPS, TERMINAL, WEB, advice, next_step, run, words
from generator.terminal import lines
from generator.result import Result
from generator.web.app import PAGES as MENU
from generator.web.words import for_web

COMMAND_WORDS = re.compile(r"--[a-z]|lederavtale [a-z]")


def test_the_terminal_names_the_option_and_the_page_names_the_checkbox():
    text = f"De er ikke overskrevet ({advice('overskriv')} for å erstatte dem)."
    assert words(text, TERMINAL) == "De er ikke overskrevet (bruk --overskriv for å erstatte dem)."
    assert words(text, WEB) == ("De er ikke overskrevet (kryss av for «Erstatt dokumenter som er endret for hånd» "
                                "på siden Avtaler for å erstatte dem).")


def test_advice_at_a_sentence_start_gets_a_capital():
    text = f"Ingenting er skrevet. {run('generer')} først."
    assert words(text, TERMINAL) == "Ingenting er skrevet. Kjør «lederavtale generer» først."
    assert words(text, WEB) == "Ingenting er skrevet. Lag avtalene på siden Avtaler først."
    assert words(f"{advice('send_igjen', '1010')}", TERMINAL) == "Send med --leder 1010 --send-igjen"


def test_the_web_words_name_no_option_and_no_command():
    for key, said in ADVICE.items():
        assert not COMMAND_WORDS.search(said.web), key
        assert "⟦" not in words(advice(key, "x"), TERMINAL)
    for command, step in STEPS.items():
        assert not COMMAND_WORDS.search(step), command


def test_an_unknown_advice_is_a_mistake_in_the_code():
    with pytest.raises(KeyError):
        advice("overskrive")
    with pytest.raises(KeyError):
        run("generere")


def test_the_terminal_renders_the_result_in_its_words(capsys):
    result = Result(notices=[f"Merk: {advice('overskriv')}."], summary=["Ferdig."])
    from generator.terminal import show
    show(result)
    assert "Merk: bruk --overskriv." in capsys.readouterr().err
    assert lines(result)[0][0].startswith("Merk:")


def test_a_path_under_the_output_folder_becomes_a_link_and_any_other_path_a_name(tmp_path):
    year = tmp_path / "ut" / "2027"
    leader = year / "1010 Bjørn Kvamme"
    leader.mkdir(parents=True)
    (leader / "Lederavtale 2027 - Bjørn Kvamme.docx").write_bytes(b"x")

    def link(path: Path):
        rel = path.relative_to(year).as_posix() if year in path.parents else None
        return f"/fil/{rel}" if rel and rel.endswith(".docx") else None

    text = (f"Ferdig: 1 leder i {year}. Se {leader / 'Lederavtale 2027 - Bjørn Kvamme.docx'} og "
            f"«/etc/lederavtale/hemmelig.conf». Mal: /opt/maler/lederavtale.docx. <b>navn</b>")
    html = str(for_web(text, link, (tmp_path / "ut",)))
    assert '«<a href="/fil/1010 Bjørn Kvamme/Lederavtale 2027 - Bjørn Kvamme.docx">Lederavtale 2027 - Bjørn Kvamme.docx</a>»' in html
    assert "i «2027»." in html
    assert "«hemmelig.conf»" in html and "«lederavtale.docx»" in html
    assert str(tmp_path) not in html and "/etc/" not in html and "/opt/" not in html
    assert "&lt;b&gt;navn&lt;/b&gt;" in html  # a workbook's text stays text


def test_a_windows_path_is_a_name_too():
    html = str(for_web(r"Kan ikke skrive «C:\Users\hr\lederavtale\output\2027\rapport.xlsx».", lambda p: None))
    assert html == "Kan ikke skrive «rapport.xlsx»."


def test_a_run_that_went_well_says_the_next_step_in_each_front_ends_words():
    done = Result(summary=["Ferdig: 16 ledere."]).after("generer")
    text, to_stderr = lines(done)[-1]  # the terminal says it last, on standard output
    assert words(text, TERMINAL) == "Neste steg: kjør «lederavtale epost»." and not to_stderr
    page = for_web(done.next_step, lambda path: None, (), (("/epost", "E-post"), ("/avtaler", "Avtaler")))
    assert page == 'Neste steg: gå til siden <a href="/epost">E-post</a>.'
    # Every step of the year leads on, and the page says each as a link to a page of the menu.
    for command in NEXT:
        said = str(for_web(next_step(command), lambda path: None, (), MENU))
        assert re.search(r'siden <a href="/[a-z-]*">', said), (command, said)
        assert not COMMAND_WORDS.search(said), said
    # Something failed, or the user said no: no next step.
    failed = Result(failures=["1010 Bjørn Kvamme: PDF feilet"]).after("generer")
    assert failed.next_step == "" and all("Neste steg" not in text for text, _ in lines(failed))
    assert Result(cancelled=True).after("epost").next_step == ""
