"""Edited Word files come back through the Avtaler page, in Debian's chromium (README, «Nettsiden»):
the edit is in the copy for signing, the server's file is kept and can be put back from the leader's
page, overwriting asks first, and no page says an option, a command or a server path."""

from __future__ import annotations

import re

import pytest

from test_pdf import pdf_text
from test_returned import NEW_TEXT, edited_copy
from test_web_browser import Watched, browser, example_server  # noqa: F401 (the fixture)

LEADER, NAME = "1010", "Bjørn Kvamme"
OPTION_OR_COMMAND = re.compile(r"(?<![\w-])--[a-z]|lederavtale (?:init|sjekk|generer|epost|signering|signert|arkiv|"
                               r"oppfolging|status|nytt-ar|web|maler|innlevert)\b")


def assert_words_for_people(watched: Watched, root) -> None:
    text = watched.page.inner_text("body")
    assert not OPTION_OR_COMMAND.search(text), OPTION_OR_COMMAND.search(text)
    assert str(root) not in text and "/tmp/" not in text, text


@pytest.mark.slow
def test_an_edited_agreement_comes_back_and_is_signed(browser, tmp_path):  # noqa: F811
    server = example_server(tmp_path)
    try:
        watched = Watched(browser, server)
        page = watched.page
        watched.go("/avtaler")
        page.uncheck("#pdf")
        page.click("button:has-text('Lag avtaler')")
        watched.wait_for_job()
        # Signing before the conversation is refused, in the page's words.
        watched.go("/signering")
        page.click("button:has-text('Lag kopier til signering')")
        watched.wait_for_job(120_000)
        assert "lever inn filen på siden Avtaler" in page.inner_text("body")  # the page named is a link to it
        assert_words_for_people(watched, tmp_path)
        # HR downloads the agreement; the conversation fills it in; the browser saves it as «… (1).docx».
        edited = edited_copy(tmp_path, LEADER, "avtale", tmp_path / "Nedlastinger" / "Lederavtale (1).docx")
        watched.go("/avtaler")
        assert page.get_attribute("#word", "accept").startswith(".docx,.zip")
        page.set_input_files("#word", str(edited))
        page.click("button:has-text('Lever inn')")
        watched.wait_for_job(120_000)
        html = page.content()
        assert f"{NAME}</a></td><td>levert inn" in html.replace("\n", "")
        assert f"+ {NEW_TEXT}" in html
        assert "levert inn etter samtalen" in html
        watched.shot("avtaler-levert-inn")
        assert_words_for_people(watched, tmp_path)
        # The copy for signing is made from the handed-in file.
        watched.go("/signering")
        page.click("button:has-text('Lag kopier til signering')")
        watched.wait_for_job(120_000)
        copy = next((tmp_path / "ut" / "2027" / "signering").glob(f"{LEADER} */Lederavtale*.pdf"))
        assert NEW_TEXT in pdf_text(copy)
        assert_words_for_people(watched, tmp_path)
        # The leader's page keeps the server's earlier file, to download or put back.
        watched.go(f"/leder/{LEADER}")
        assert "Tidligere versjoner" in page.content()
        kept = page.locator("table a", has_text="(endret").first
        response = watched.context.request.get(server.base + kept.get_attribute("href"))
        assert response.status == 200 and response.body()[:2] == b"PK"
        watched.shot("leder-tidligere-versjoner")
        # Overwriting asks first, naming what is at stake, and «Nei» changes nothing.
        watched.go("/avtaler")
        page.check("#overskriv")
        page.click("button:has-text('Lag avtaler')")
        assert "1 dokument er endret for hånd eller levert inn etter samtalen" in page.content()
        watched.shot("avtaler-overskriv-bekreft")
        page.click("a:has-text('Nei, gå tilbake')")
        on_server = next((tmp_path / "ut" / "2027").glob(f"{LEADER} */Lederavtale*[!)].docx"))
        from generator.documents.returned import paragraphs
        assert NEW_TEXT in "\n".join(paragraphs(on_server.read_bytes()))
        for path in ("/", "/arbeidsbok", "/avtaler", "/epost", "/signering", "/arkiv", "/oppfolging", "/nytt-ar",
                     f"/leder/{LEADER}"):
            watched.go(path)
            assert_words_for_people(watched, tmp_path)
        assert watched.errors == []
        watched.context.close()
    finally:
        server.stop()
