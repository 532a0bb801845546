"""The places that describe the tree and the commands agree with them: the README code map names
every module in generator/, and the README, `lederavtale --help` and the Veiledning sheet name
every command.

These tests read the tree and the registered click commands, not a list kept beside them, so a
new module or command fails here until it is described.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from conftest import ROOT

from generator.cli import main

README = ROOT / "README.md"
PACKAGE = ROOT / "generator"
CODE_MAP_START = "- Kode (`generator/`)"

# Package markers and the `python -m generator` entry point are not named as files: a package
# is named by its folder (its __init__.py is what the folder means, e.g. `documents/check/`), and
# __main__.py only calls cli.main.
NOT_NAMED = {"__init__.py", "__main__.py"}

CODE_SPAN = re.compile(r"`([^`]+)`")
CELL_BORDER = re.compile(r"(?<!\\)\|")  # a table's cell border; `\|` is a | inside a cell
HOW_TO_FIX = (
    "README.md, section «For IT», bullet «Kode (`generator/`)» is the code map. Name each module "
    "there: a module of a folder in the table row of its deepest folder (first cell `workbook/`, "
    "`documents/check/` …), by its path below that folder in backquotes (`columns.py`), with a few "
    "Norwegian words on what it holds; a module directly in generator/ in the paragraph under the "
    "table. A new folder gets its own row, or is named (`sub/`) in its parent's row."
)


def section(text: str, heading: str) -> list[str]:
    """The lines of the README section `## heading`, up to the next `## `."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.strip() == f"## {heading}"), None)
    assert start is not None, f"README.md has no section «## {heading}»"
    end = next((n for n in range(start + 1, len(lines)) if lines[n].startswith("## ")), len(lines))
    return lines[start + 1:end]


def code_map() -> tuple[dict[str, str], list[str]]:
    """The README code map: {folder below generator/ (e.g. "documents/check"): the text of its table
    row}, and the lines outside the table (the top-level modules)."""
    lines = section(README.read_text(encoding="utf-8"), "For IT")
    start = next((n for n, line in enumerate(lines) if line.startswith(CODE_MAP_START)), None)
    assert start is not None, f"README.md, «For IT»: no bullet starting {CODE_MAP_START!r}. {HOW_TO_FIX}"
    end = next((n for n in range(start + 1, len(lines)) if lines[n].startswith("- ")), len(lines))
    rows: dict[str, str] = {}
    prose: list[str] = []
    for line in lines[start:end]:
        cells = table_cells(line)
        if cells is None:
            prose.append(line)
            continue
        first = CODE_SPAN.fullmatch(cells[0])
        if first and first.group(1).endswith("/"):
            rows[first.group(1).rstrip("/")] = " | ".join(cells[1:])
    assert rows, f"README.md: the code map has no table rows like «| `workbook/` | … |». {HOW_TO_FIX}"
    return rows, prose


def table_cells(line: str) -> list[str] | None:
    """The cells of a Markdown table row, or None for a line that is not one."""
    line = line.strip()
    if not line.startswith("|"):
        return None
    return [c.strip() for c in CELL_BORDER.split(line.strip("|"))]


def names_in(text: str) -> set[str]:
    return set(CODE_SPAN.findall(text))


def modules() -> list[Path]:
    """Every module below generator/, relative to it."""
    return sorted(p.relative_to(PACKAGE) for p in PACKAGE.rglob("*.py")
                  if "__pycache__" not in p.parts and p.name not in NOT_NAMED)


def packages() -> list[Path]:
    return sorted(p.parent.relative_to(PACKAGE) for p in PACKAGE.rglob("__init__.py")
                  if "__pycache__" not in p.parts and p.parent != PACKAGE)


def where_named(path: Path, rows: dict[str, str]) -> str | None:
    """The code-map row that should name `path` (a module or folder below generator/): the row of
    the deepest folder above it, or None for something directly in generator/."""
    for parent in path.parents:
        if parent.as_posix() in rows:
            return parent.as_posix()
    return None


def test_readme_code_map_names_every_module_in_generator():
    rows, prose = code_map()
    top_level = names_in("\n".join(prose))
    missing = []
    for module in modules():
        row = where_named(module, rows)
        if row is None:
            named = len(module.parts) == 1 and module.name in top_level
        else:
            named = module.relative_to(row).as_posix() in names_in(rows[row])
        if not named:
            missing.append(f"generator/{module.as_posix()}" + (f" (row `{row}/`)" if row else ""))
    for package in packages():
        row = where_named(package, rows)
        if package.as_posix() not in rows and (row is None or f"{package.relative_to(row).as_posix()}/"
                                               not in names_in(rows[row])):
            missing.append(f"generator/{package.as_posix()}/ (folder)")
    assert not missing, ("The README code map does not name: " + ", ".join(missing) + f".\n{HOW_TO_FIX}")


def test_readme_code_map_names_nothing_that_is_gone():
    rows, prose = code_map()
    gone = [f"row `{folder}/`" for folder in rows if not (PACKAGE / folder).is_dir()]
    for folder, text in rows.items():
        gone += [f"`{name}` (row `{folder}/`)" for name in names_in(text)
                 if name.endswith((".py", "/")) and not (PACKAGE / folder / name).exists()]
    # Under the table, a bare file name is a module directly in generator/ (a path, such as a test's,
    # is something else).
    gone += [f"`{name}`" for name in names_in("\n".join(prose))
             if re.fullmatch(r"\w+\.py", name) and not (PACKAGE / name).exists()]
    assert not gone, ("The README code map names what is not in generator/: " + ", ".join(gone)
                      + f".\nRemove or rename it. {HOW_TO_FIX}")


# The commands: one list (generator/usage.py) for `--help` and the Veiledning sheet.

def registered() -> set[str]:
    return set(main.commands)


def test_command_list_is_the_registered_commands():
    from generator.usage import COMMANDS

    listed = [c.name for c in COMMANDS]
    assert len(listed) == len(set(listed)), listed
    assert set(listed) == registered(), (
        "generator/usage.py COMMANDS must list exactly the commands registered in generator/cli.py: "
        f"not listed {sorted(registered() - set(listed))}, listed but not registered "
        f"{sorted(set(listed) - registered())}")


def test_command_synopsis_is_what_click_requires():
    """The synopsis shown in --help and the Veiledning sheet is the command's arguments and required
    options, as click parses them."""
    from generator.usage import COMMANDS

    for command in COMMANDS:
        params = main.commands[command.name].params
        words = [p.human_readable_name for p in params if p.param_type_name == "argument"]
        words += [f"{p.opts[0]} {p.metavar}" for p in params if p.param_type_name == "option" and p.required]
        assert command.synopsis == " ".join(words), command.name


def test_help_lists_every_command_with_its_whole_description():
    from generator.usage import COMMANDS

    result = CliRunner().invoke(main, ["--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    commands = result.output.split("Commands:")[1]
    assert "..." not in commands  # click's short help cuts a docstring off
    flat = " " + " ".join(commands.split())
    for command in COMMANDS:
        assert f" {command.usage.removeprefix('lederavtale ')} " in flat
        assert " ".join(command.description.split()) in flat, command.name
    assert set(re.findall(r"^  ([a-z-]+)\b", commands, re.M)) == registered()


def test_veiledning_of_init_names_every_command(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "ny")])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "ny" / "lederavtale.xlsx")
    rows = [r[:2] for r in wb["Veiledning"].iter_rows(values_only=True)]
    start = next(n for n, (label, _) in enumerate(rows) if label == "Kommandoer")
    listed = {}
    for label, text in rows[start + 1:]:
        if not label:
            break
        listed[label] = text
    named = {label.split()[1] for label in listed if label.startswith("lederavtale ")}
    assert named == registered(), f"missing {sorted(registered() - named)}, extra {sorted(named - registered())}"

    from generator.usage import COMMANDS

    for command in COMMANDS:
        assert listed[command.usage] == command.description


def test_readme_commands_table_names_every_command():
    lines = section(README.read_text(encoding="utf-8"), "Kommandoer")
    named = set()
    for line in lines:
        cells = table_cells(line)
        span = CODE_SPAN.fullmatch(cells[0]) if cells else None
        if span and span.group(1).startswith("lederavtale "):
            named.add(span.group(1).split()[1])
    assert named == registered(), f"missing {sorted(registered() - named)}, extra {sorted(named - registered())}"
