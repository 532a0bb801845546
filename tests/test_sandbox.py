"""Templates are data: a template from another municipality or a vendor cannot run code.

The payloads are the review's: a paragraph that runs a shell command through `cycler`, one
that prints the environment (with the SMTP password) through `lipsum`, one through `self`, and
one through `epost.txt`. The CLI runs in a real process with a real password in its
environment; a marker file shows whether a command ran.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, basic_sheets, write_xlsx
from docx import Document

from generator.commands.generate import generate
from generator.job import Job
from generator.documents.check import check_email_template, check_template
from generator.documents.context import agreement_context
from generator.documents.jinja import make_jinja_env
from generator.documents.render import DocxRenderer
from generator.documents.template import PreparedTemplate
from generator.exceptions import TemplateError
from generator.mail.message import load_template, render_text
from generator.workbook import read_workbook

PASSWORD = "hemmelig-SMTP-passord-4711"
TODAY = date(2027, 1, 10)


def payloads(marker: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (template code, names the check must refuse)."""
    return {
        "cycler": (f'{{{{ cycler.__init__.__globals__.os.popen("touch {marker}").read() }}}}', ["cycler", "__init__"]),
        "lipsum": ("{{ lipsum.__globals__['os'].environ }}", ["lipsum", "__globals__"]),
        "self": (f'{{{{ self.__init__.__globals__.__builtins__.__import__("os").system("touch {marker}") }}}}'
                 "{{ self.__init__.__globals__.__builtins__.__import__('os').environ }}", ["self", "__init__"]),
    }


def cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, LEDERAVTALE_SMTP_PASSORD=PASSWORD, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def hostile_maler(tmp_path: Path, code: str) -> tuple[Path, int]:
    """A copy of the default templates whose agreement has `code` as its last paragraph."""
    maler = tmp_path / "maler"
    shutil.copytree(ROOT / "maler", maler)
    doc = Document(str(maler / "lederavtale.docx"))
    doc.add_paragraph(code)
    doc.save(str(maler / "lederavtale.docx"))
    return maler, len(doc.paragraphs)


def no_secret_in(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("name", ["cycler", "lipsum", "self"])
@pytest.mark.slow
def test_hostile_word_template_is_refused_by_sjekk_and_generer(tmp_path, name):
    marker = tmp_path / "MARKER"
    code, refused = payloads(marker)[name]
    maler, number = hostile_maler(tmp_path, code)
    workbook = write_xlsx(tmp_path / "arbeidsbok.xlsx", basic_sheets())

    result = cli("sjekk", workbook, "--maler", maler, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Arbeidsboken er i orden" not in output and "Traceback" not in output
    for refused_name in refused:
        assert f"lederavtale.docx, avsnitt {number} (" in output
        assert f"«{refused_name}» er ikke tillatt i en mal" in output, output
    assert PASSWORD not in output
    assert not marker.exists()

    result = cli("generer", workbook, "--maler", maler, "--ut", tmp_path / "ut", "--ingen-pdf", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"«{refused[0]}» er ikke tillatt i en mal" in output and "Traceback" not in output
    assert PASSWORD not in output
    assert not (tmp_path / "ut").exists()
    assert not marker.exists()
    no_secret_in(tmp_path)


@pytest.mark.slow
def test_hostile_email_template_is_refused_by_sjekk_and_epost(tmp_path):
    marker = tmp_path / "MARKER"
    maler = tmp_path / "maler"
    shutil.copytree(ROOT / "maler", maler)
    workbook = write_xlsx(tmp_path / "arbeidsbok.xlsx", basic_sheets())
    generate(Job(workbook, tmp_path / "ut", maler), pdf=False)  # what `epost` attaches
    (maler / "epost.txt").write_text(
        "Emne: Lederavtale {{ periode.ar }}\n\nHei {{ leder.fornavn }},\n\n"
        f'{{{{ lipsum.__globals__.os.popen("touch {marker}").read() }}}}\n'
        "{{ joiner.__init__.__globals__.os.environ }}\n", encoding="utf-8")

    result = cli("sjekk", workbook, "--maler", maler, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    for refused, line in (("lipsum", 5), ("__globals__", 5), ("joiner", 6), ("__init__", 6)):
        assert f"epost.txt, linje {line}: «{refused}» er ikke tillatt i en mal" in output, output
    assert PASSWORD not in output and "Traceback" not in output
    assert not marker.exists()

    # `epost` renders without the check: the sandbox alone stops the template.
    result = cli("epost", workbook, "--maler", maler, "--ut", tmp_path / "ut", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "ikke tillatt i en mal" in output and "Traceback" not in output
    assert PASSWORD not in output
    assert not (tmp_path / "ut" / "2027" / "epost").exists()
    assert not marker.exists()
    no_secret_in(tmp_path)


@pytest.fixture(scope="module")
def bok(tmp_path_factory):
    return read_workbook(write_xlsx(tmp_path_factory.mktemp("bok") / "arbeidsbok.xlsx", basic_sheets()))


@pytest.mark.parametrize("code, refused", [
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "__class__"),
    ("{{ leder['__class__'] }}", "__class__"),
    ("{{ leder.navn|attr('__class__') }}", "__class__"),
    ("{{ oppdrag|map(attribute='__class__')|join }}", "__class__"),
    ("{{ oppdrag|sum('__len__') }}", "__len__"),
    ("{{ leder._privat }}", "_privat"),
    ("{{ namespace(a=1) }}", "namespace"),
    ("{% for i in range(3) %}{{ i }}{% endfor %}", "range"),
    ("{{ dict(a=1) }}", "dict"),
])
def test_check_refuses_underscores_and_jinja_globals_by_name(tmp_path, bok, code, refused):
    maler, number = hostile_maler(tmp_path, code)
    contexts = [agreement_context(bok, bok.avtaleledere()[0], TODAY)]
    problems = [str(p) for p in check_template(maler / "lederavtale.docx", contexts, "avtale")]
    assert any(p.startswith(f"lederavtale.docx, avsnitt {number} (") and f"«{refused}» er ikke tillatt i en mal" in p
               for p in problems), problems


def test_loop_variable_is_still_allowed(tmp_path, bok):
    maler, _ = hostile_maler(tmp_path, "{% for o in oppdrag %}{{ loop.index }}. {{ o.tekst }}{% endfor %}")
    contexts = [agreement_context(bok, bok.avtaleledere()[0], TODAY)]
    assert check_template(maler / "lederavtale.docx", contexts, "avtale") == []


def test_email_check_names_line_and_name(tmp_path, bok):
    path = tmp_path / "epost.txt"
    path.write_text("Emne: Hei\n\n{{ cycler.__init__ }}\n", encoding="utf-8")
    problems = [str(p) for p in check_email_template(path, [agreement_context(bok, bok.avtaleledere()[0], TODAY)])]
    assert "epost.txt, linje 3: «cycler» er ikke tillatt i en mal" in "\n".join(problems), problems


def test_the_environment_has_no_globals_that_reach_python():
    for autoescape in (True, False):
        env = make_jinja_env(autoescape=autoescape)
        assert not {"cycler", "joiner", "lipsum", "namespace", "range", "dict"} & set(env.globals)
        assert env.sandboxed


def test_sandbox_refuses_at_render_time_without_the_check(tmp_path, bok, monkeypatch):
    """A template that never went through the check (the renderer's own backstop)."""
    monkeypatch.setenv("LEDERAVTALE_SMTP_PASSORD", PASSWORD)
    marker = tmp_path / "MARKER"
    context = agreement_context(bok, bok.avtaleledere()[0], TODAY)
    # Reached through the context, not a global: the sandbox itself must say no.
    for code in (f'{{{{ leder.ekstra.get.__globals__.__builtins__.__import__("os").popen("touch {marker}").read() }}}}',
                 "{{ kommune.__class__.__mro__[1].__subclasses__() }}",
                 "{{ ''.__class__.__mro__[1] }}",
                 "{{ oppdrag.append(1) }}"):
        maler, _ = hostile_maler(tmp_path / str(abs(hash(code))), code)
        with pytest.raises(TemplateError) as caught:
            DocxRenderer(PreparedTemplate(maler / "lederavtale.docx")).render(context)
        (problem,) = caught.value.problems
        assert "ikke tillatt i en mal" in problem.message, problem
        assert PASSWORD not in str(problem)
    assert not marker.exists()


def test_mail_sandbox_refuses_at_render_time(tmp_path, bok, monkeypatch):
    monkeypatch.setenv("LEDERAVTALE_SMTP_PASSORD", PASSWORD)
    marker = tmp_path / "MARKER"
    maler = tmp_path / "maler"
    maler.mkdir()
    (maler / "epost.txt").write_text(
        f'Emne: Hei\n\n{{{{ leder.ekstra.get.__globals__.__builtins__.__import__("os").popen("touch {marker}").read() }}}}\n',
        encoding="utf-8")
    template = load_template(bok, maler)
    with pytest.raises(TemplateError) as caught:
        render_text(template, agreement_context(bok, bok.avtaleledere()[0], TODAY))
    assert "ikke tillatt i en mal" in caught.value.problems[0].message
    assert not marker.exists()


@pytest.mark.slow
def test_status_report_letterhead_is_rendered_in_the_sandbox(tmp_path):
    """`status` takes its letterhead from the agreement template in maler/ where HR stands."""
    from generator.status.workbook import write_status_workbook

    marker = tmp_path / "MARKER"
    maler = tmp_path / "maler"
    shutil.copytree(ROOT / "maler", maler)
    doc = Document(str(maler / "lederavtale.docx"))
    doc.sections[0].header.add_paragraph(f'{{{{ cycler.__init__.__globals__.os.popen("touch {marker}").read() }}}}'
                                         "{{ lipsum.__globals__.os.environ }}")
    doc.save(str(maler / "lederavtale.docx"))
    workbook = write_xlsx(tmp_path / "arbeidsbok.xlsx", basic_sheets())
    bok = read_workbook(workbook)
    assert write_status_workbook(bok, bok.avtaleledere(), tmp_path / "status.xlsx")

    result = cli("status", workbook, tmp_path / "status.xlsx", "--ut", tmp_path / "ut", "--ingen-pdf", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "lederavtale.docx" in output and "ikke tillatt i en mal" in output and "Traceback" not in output
    assert PASSWORD not in output
    assert not marker.exists()
    assert not list((tmp_path / "ut").rglob("statusrapport.*"))
    no_secret_in(tmp_path)


HUGE = [
    "{{ 9**999999999 }}",
    '{{ "x" * 10**10 }}',
    "{{ [0] * 10**9 }}",
    '{{ "%0999999999d"|format(1) }}',
    '{{ "%0999999999d" % 1 }}',
    '{{ "%.9999999f" % 1.0 }}',
    '{{ "x"|center(999999999) }}',
    '{{ "x".ljust(999999999) }}',
    '{{ "{:>999999999}".format(1) }}',
]


@pytest.mark.parametrize("code", HUGE)
@pytest.mark.slow
def test_a_template_cannot_ask_for_a_billion_characters(tmp_path, code):
    """Nothing is executed by these, but each would hang the run or exhaust the memory; the
    sandbox refuses them at once, and the check says so in Norwegian."""
    maler, number = hostile_maler(tmp_path, code)
    workbook = write_xlsx(tmp_path / "arbeidsbok.xlsx", basic_sheets())
    result = cli("sjekk", workbook, "--maler", maler, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"lederavtale.docx, avsnitt {number} (" in output and "altfor stort" in output
    assert "Traceback" not in output


def test_ordinary_arithmetic_and_formats_still_work():
    env = make_jinja_env(autoescape=False)
    source = '{{ 2**10 }} {{ "ab" * 3 }} {{ "%05d"|format(42) }} {{ "x"|center(5) }} {{ 7 % 3 }} {{ "{:>4}".format(1) }}'
    assert env.from_string(source).render() == "1024 ababab 00042   x   1    1"
