"""Atomic writes: the old file or the whole new one, never half a file, and no temporary left over."""
from __future__ import annotations

import os

import pytest

from w2v_teach._files import atomic_output, atomic_write


def test_atomic_write_writes_bytes_and_text(tmp_path):
    assert atomic_write(tmp_path / "a.bin", b"\x00\x01") == tmp_path / "a.bin"
    atomic_write(tmp_path / "b.txt", "héllo\n")
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "b.txt").read_text(encoding="utf-8") == "héllo\n"
    assert sorted(os.listdir(tmp_path)) == ["a.bin", "b.txt"]


def test_a_missing_folder_is_named_and_not_created(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"the folder {tmp_path / 'missing'} does not exist"):
        atomic_write(tmp_path / "missing" / "x.txt", "x")
    assert not (tmp_path / "missing").exists()


def test_an_error_inside_the_block_keeps_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "data.txt"
    path.write_text("old")
    with pytest.raises(ValueError, match="checksum"):
        with atomic_output(path) as out:
            out.write(b"half of the new")
            raise ValueError("checksum mismatch")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["data.txt"]


def test_sha256_file_is_hashlibs_digest_of_the_bytes(tmp_path):
    import hashlib

    from w2v_teach._files import sha256_file

    path = tmp_path / "blob"
    path.write_bytes(b"word2vec" * 1000)
    assert sha256_file(path, chunk=7) == hashlib.sha256(b"word2vec" * 1000).hexdigest()
