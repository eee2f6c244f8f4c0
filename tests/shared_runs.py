"""Program runs shared by the processes of one pytest session (the xdist workers and the controller).

A run costs seconds and many test files need the same (stack, config), so the first process to need one
builds it and leaves it pickled in the session's directory, under a per-run file lock the others wait on.
The directory is made by the controller for this session only (tests/conftest.py) and removed at its end:
no result outlives the session. Every caller, in the building process too, gets its own object unpickled
from those bytes: all workers see the same thing, and a test that changes its result changes no other's.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infra.offline.runner import cyclic_gc_paused

try:
    import fcntl
except ImportError:  # no flock (Windows): each process builds its own runs
    fcntl = None  # type: ignore[assignment]

_directory: Path | None = None


def share_in(directory: str | Path | None) -> None:
    """Share runs through `directory` (None: build every run in this process)."""
    global _directory
    _directory = Path(directory) if directory is not None and fcntl is not None else None


def _pickled(label: str, result: Any) -> bytes:
    try:
        return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # a run must be plain data to be shared
        raise TypeError(f"the program run {label} cannot be pickled for the other test workers: {error}") from error


def pickled_run(key: Any, label: str, build: Callable[[], Any]) -> bytes:
    """The pickled result of `build()` for `key` (JSON-serializable: everything that decides the run), built
    once per session. A failed build raises and leaves nothing behind, so the next caller builds again."""
    if _directory is None:
        return _pickled(label, build())
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:32]
    path = _directory / f"{digest}.pickle"
    if path.exists():  # written whole (os.replace below), so no lock needed to read it
        return path.read_bytes()
    with open(_directory / f"{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if path.exists():  # another process built it while this one waited
            return path.read_bytes()
        data = _pickled(label, build())
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)
        return data


def unpickled(data: bytes) -> Any:
    """A fresh copy (a few ms; the collector paused, as in a run, since unpickling only allocates)."""
    with cyclic_gc_paused():
        return pickle.loads(data)
