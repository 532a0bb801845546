"""Where `lederavtale` and `python -m generator` start.

Before any library is imported, the libraries' own warnings are silenced: a deprecation from
pyHanko or cryptography is meant for the developers who upgrade them, not for HR, and it would
otherwise reach the terminal, the web server's console and `logg.jsonl` in English. The tool itself
never speaks through Python's warnings; its advarsler are in each Result. This is done here and not
on importing the package, so that under pytest the same warnings still show in the summary.
"""

import warnings


def quiet_libraries() -> None:
    # Put first among the filters, before those `-W` and PYTHONWARNINGS added, so it wins over them.
    warnings.filterwarnings("ignore")


def main():
    quiet_libraries()
    from generator.cli import main as cli

    return cli()
