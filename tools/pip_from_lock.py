"""Print the requirement line that installs the locked pip (its version and hashes from pylock.toml).

A new virtualenv carries the pip of its Python, which may be too old to read pylock.toml; the Makefile installs
the locked pip first, hash-checked like everything else, and then the lock with it. Plain text matching rather
than tomllib, which Python 3.10 lacks.

Usage: python tools/pip_from_lock.py pylock.toml > pip.txt; python -m pip install --require-hashes -r pip.txt
"""

import re
import sys

text = open(sys.argv[1], encoding="utf-8").read()
found = re.search(r'\[\[packages\]\]\nname = "pip"\nversion = "([^"]+)"\n(.*?)(?=\n\[\[packages\]\]|\Z)', text, re.S)
if found is None:
    sys.exit(f"{sys.argv[1]} har ingen pip")
hashes = re.findall(r'sha256 = "([0-9a-f]{64})"', found.group(2))
print(f"pip=={found.group(1)} " + " ".join(f"--hash=sha256:{h}" for h in hashes))
