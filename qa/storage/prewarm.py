"""Read a generation's files into the page cache once, in the background, when a process opens it.

Why: a question reads ~100 candidate passages and their sentences from the record at random places
and scans the IVF partitions it probes. At a million passages the record is 4.3 GB: with its pages
not yet in the page cache, reading one question's candidates took 11.2 ms against 2.1 ms once they
were (qa/lab/README.md), so after every start or rebuild thousands of questions would each pay a
few disk reads. One sequential read of the files took 2.6 s there. Like PostgreSQL's pg_prewarm,
it only runs when the files fit in half the memory the system has available, so it never pushes
other work out of memory; a record in PostgreSQL is that server's to cache.

The files are read by a child process, never through a file descriptor of this one: closing any
descriptor of a SQLite database releases every POSIX lock the process holds on it, SQLite's own
included (a server that read its record this way stopped seeing another process's deletes).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

logger = logging.getLogger(__name__)

FILES = ("qa.sqlite", "dense-base-*.faiss", "dense-base-vectors.f16")


def available_memory() -> int | None:
    """MemAvailable from /proc/meminfo in bytes, or None where there is none."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def files_of(directory: Path) -> list[Path]:
    return sorted(path for pattern in FILES for path in directory.glob(pattern) if path.is_file())


# What the child runs: every file to its end in 16 MB reads, stopping when the process that started it
# has ended (`qa index` exits right after its build); prints the bytes read.
_READ = """
import os, sys
parent, buffer, done = int(sys.argv[1]), bytearray(16 << 20), 0
for name in sys.argv[2:]:
    try:
        with open(name, "rb", buffering=0) as handle:
            while os.getppid() == parent and (count := handle.readinto(buffer)):
                done += count
    except OSError:  # a rebuild may have removed the generation meanwhile
        pass
print(done)
"""


def start(directory: Path) -> threading.Thread | None:
    """Read the generation's files in a child process, waited for by a daemon thread; None when they
    do not fit or there is no way to tell."""
    paths = files_of(directory)
    total = sum(path.stat().st_size for path in paths)
    available = available_memory()
    if not paths or available is None or total > available // 2:
        logger.info("not reading %s into the page cache: %d bytes, %s available", directory.name, total, available)
        return None
    thread = threading.Thread(target=read_through, args=(paths,), name="qa-prewarm", daemon=True)
    thread.start()
    return thread


def read_through(paths: list[Path]) -> int:
    """Read every file to its end in a child process; returns the bytes it read (0 if it failed)."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _READ, str(os.getpid()), *map(str, paths)],
            capture_output=True,
            text=True,
            timeout=3600,
        )
        return int(done.stdout.strip() or 0)
    except (OSError, ValueError, subprocess.SubprocessError) as error:
        logger.debug("prewarm failed: %s", error)
        return 0
