"""Reading the YAML files people point the bot at (packs, pushes, rules, school calendars).

A path given on the command line can be anything: ``/dev/zero`` made ``--closures`` hang while
it read without end. One reader for all of them refuses what is not a regular file and stops
at a size no real pack, calendar or pushes file comes near.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 2 * 1024 * 1024


def read_text_capped(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The file's UTF-8 text; OSError (with a short ``strerror``) when it is a folder, not a
    regular file, or larger than ``limit``; UnicodeDecodeError when it is not UTF-8."""
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file")
    with path.open("rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit // (1024 * 1024)} MB")
    return data.decode("utf-8")
