"""Print the uv that uv.lock pins, as a pip requirement with every hash the lock gives for it.

A new virtualenv has only pip. The Makefile installs uv from this line with `pip install --require-hashes`,
and uv then installs everything else from uv.lock (`uv sync --locked`). So uv.lock is the one lock, and
even the tool that reads it is the version it names, checked against its hashes.
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: uv.lock is read with the same line rules it is written in
    tomllib = None


def uv_requirement(lock_text: str) -> str:
    if tomllib is not None:
        (uv,) = [p for p in tomllib.loads(lock_text)["package"] if p["name"] == "uv"]
        files = [uv["sdist"], *uv.get("wheels", [])]
        hashes = [f["hash"] for f in files]
        version = uv["version"]
    else:
        block = lock_text.split('\n[[package]]\nname = "uv"\n', 1)[1].split("\n[[package]]", 1)[0]
        version = block.split('version = "', 1)[1].split('"', 1)[0]
        hashes = [part.split('"', 1)[0] for part in block.split('hash = "')[1:]]
    return f"uv=={version} " + " ".join(f"--hash={h}" for h in hashes)


if __name__ == "__main__":
    lock = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "uv.lock")
    print(uv_requirement(lock.read_text(encoding="utf-8")))
