"""Catalogue upkeep with Babel's own command line, so nobody has to remember the keywords.

python -m content.i18n extract   # code -> locale/messages.pot
python -m content.i18n update    # messages.pot -> locale/es/LC_MESSAGES/messages.po
python -m content.i18n compile   # messages.po -> messages.mo (committed; a test checks it)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

from content.i18n import DOMAIN, KEYWORDS, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
POT = LOCALE_DIR / f"{DOMAIN}.pot"


def keyword_args() -> list[str]:
    args = ["--no-default-keywords"]
    for name, spec in KEYWORDS.items():
        args += ["-k", name + (":" + ",".join(map(str, spec)) if spec else "")]
    return args


def main(argv: list[str]) -> int:
    step = argv[0] if argv else ""
    if step == "extract":
        args = ["extract", "-F", "babel.cfg", *keyword_args(), "--sort-by-file"]
        args += ["--project", "iepbot", "-o", str(POT)]
        args += ["bots", "content", "scheduler"]  # relative, so the .pot names no machine's paths
    elif step == "update":
        args = ["update", "-i", str(POT), "-d", str(LOCALE_DIR), "-D", DOMAIN]
        args += ["--no-fuzzy-matching"]
    elif step == "compile":
        args = ["compile", "-d", str(LOCALE_DIR), "-D", DOMAIN, "--statistics"]
    else:
        print(__doc__)
        return 2
    os.chdir(ROOT)
    CommandLineInterface().run(["pybabel", *args])  # type: ignore[no-untyped-call]
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
