"""The send confirmation carries one digest of the list HR saw, not one field per recipient (README,
«Nettsiden»): Starlette reads at most 1,000 fields, and a municipality may have 5,000 leaders."""

from __future__ import annotations

import asyncio
import re
from email.message import Message

import pytest
from starlette.requests import Request

from generator.mail.delivery import SendPlan
from generator.mail.message import Epost, recipients
from generator.web.site import environment as _environment
from generator.web.pages.epost import SENDINGS, Chosen
from generator.web.security import MAX_FIELDS, _replay
from generator.workbook import read_workbook
from conftest import ROOT
from synth import synthetic_workbook


def plan_of(bok, leaders) -> SendPlan:
    return SendPlan([Epost(l, Message(), "hr@synthvik.kommune.no", [a for a in recipients(bok, l) if a])
                     for l in leaders], [], [])


@pytest.mark.slow
def test_five_thousand_leaders_are_confirmed_in_one_field(tmp_path):
    bok = read_workbook(synthetic_workbook(tmp_path / "stor.xlsx", 5000, with_goals=False))
    leaders = bok.avtaleledere()
    assert len(leaders) >= 4999
    todo = plan_of(bok, leaders)
    html = _environment().get_template("epost_bekreft.html").render(
        todo=todo, chosen=Chosen(SENDINGS["avtale"]), csrf="t", csrf_field="csrf", path="/epost", page="/epost", job=None, workbook=None,
        message=None, in_excel=[], say=str)
    form = html[html.index('<form method="post" action="/epost/send"'):]
    form = form[:form.index("</form>")]
    fields = re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)
    assert [name for name, _ in fields] == ["csrf", "liste", "hva"]
    assert html.count("<li>") >= len(leaders)  # HR sees every recipient
    body = "&".join(f"{name}={value}" for name, value in fields).encode()

    async def read():
        scope = {"type": "http", "method": "POST", "headers": [(b"content-type", b"application/x-www-form-urlencoded")]}
        async with Request(scope, _replay(body)).form(max_fields=MAX_FIELDS) as parsed:
            return parsed.get("liste")

    assert asyncio.run(read()) == todo.digest


def test_the_digest_is_the_list_hr_saw():
    bok = read_workbook(ROOT / "input" / "eksempel.xlsx")
    leaders = [l for l in bok.avtaleledere() if l.epost.strip()]
    seen = plan_of(bok, leaders)
    assert plan_of(bok, list(reversed(leaders))).digest == seen.digest  # the order does not matter
    assert plan_of(bok, leaders[:-1]).digest != seen.digest  # a leader more or less does
    moved = plan_of(bok, leaders)
    moved.utkast[0].recipients = ["ny.adresse@fjordvik.kommune.no"]
    assert moved.digest != seen.digest  # and so does an address changed since
