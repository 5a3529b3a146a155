"""Write files atomically: into a temporary file beside the target, renamed into place at the end.

A reader of the target sees the old file or the complete new one, never half a file, and a
failed write (an error, a failed checksum, a full disk) leaves no temporary file behind. One
policy for folders: the target's folder must exist; a missing one raises FileNotFoundError
naming it (callers that own a folder, such as the data cache, create it first).
"""
from __future__ import annotations

import hashlib

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator


@contextmanager
def atomic_output(path) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces `path` when the block ends without an exception."""
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)  # gone already after a successful replace


def atomic_write(path, data: bytes | str) -> Path:
    """Write `data` (str as UTF-8) to `path` atomically; return the path."""
    with atomic_output(path) as out:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def sha256_file(path, chunk: int = 1 << 20) -> str:
    """Return the SHA-256 hex digest of the file at `path`, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()
