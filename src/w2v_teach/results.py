"""The benchmark tables: the one reader and writer of the CSV files that chapters plot.

The scripts in ``benchmarks/`` run what is too long for a notebook (many seeds, the Wikipedia
sample) and write one CSV table each into the package (:data:`w2v_teach.datasets.RESULTS`, so
that a hosted notebook finds them). A table may open with ``# `` comment lines (the command that
wrote it, when); then a header row and one row per run. :func:`read` returns the rows with typed
values, :func:`group` the values of each group, :func:`summarise` the mean, standard deviation and count per group, and :func:`write`
writes a table atomically.
"""
from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ._files import atomic_write
from .datasets import results_table

__all__ = ["comments", "group", "read", "summarise", "write"]


def _path(table) -> Path:
    """Return the path of `table`: a committed table's file name, or a path."""
    return results_table(table) if isinstance(table, str) and Path(table).name == table else Path(table)


def _value(text: str):
    """Return `text` as an int, a float or itself (an empty cell stays "")."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _lines(path: Path) -> list[str]:
    """Return the lines of the file, FileNotFoundError naming the path when it does not exist."""
    if not path.is_file():
        raise FileNotFoundError(f"no results table at {path}")
    return path.read_text(encoding="utf-8").splitlines()


def comments(table) -> list[str]:
    """Return the table's leading comment lines, without their ``# ``."""
    out = []
    for line in _lines(_path(table)):
        if not line.startswith("#"):
            break
        out.append(line[1:].strip())
    return out


def read(table, typed: bool = True, missing_ok: bool = False) -> list[dict]:
    """Return the rows of a table (a committed table's name, or a path) as dicts, comments skipped.

    typed: numbers become int or float (else every value stays a str). missing_ok: a path that
    does not exist gives no rows (a script about to write its first row) instead of FileNotFoundError.
    """
    path = _path(table)
    if missing_ok and not path.exists():
        return []
    rows = list(csv.DictReader([line for line in _lines(path) if not line.startswith("#")]))
    if typed:
        rows = [{k: _value(v) for k, v in row.items()} for row in rows]
    return rows


def write(path, rows: Iterable[dict], columns: Sequence[str], header: Sequence[str] = (),
          sort_key: Callable | None = None, float_format: str | None = None) -> Path:
    """Write `rows` (the `columns` of each) to `path` atomically, after the `header` comment lines.

    sort_key: the order of the rows (None: as given). float_format: a format for float values
    (".6g"; None writes each float as Python prints it).
    """
    rows = sorted(rows, key=sort_key) if sort_key is not None else list(rows)
    buf = io.StringIO()
    buf.write("".join(f"# {line}\n" for line in header))
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (format(v, float_format) if float_format and isinstance(v, float) else v)
                         for k, v in row.items()})
    return atomic_write(Path(path), buf.getvalue())


def group(rows: Iterable[dict], by: str | Sequence[str], value: str) -> dict:
    """Return {group: [`value` of each row of the group, as float]}, groups in order of first row.

    by: one column name (the group is the row's value there) or a sequence of names (the tuple of
    the row's values). A missing column is a KeyError naming it and the row's columns.
    """
    names = [by] if isinstance(by, str) else list(by)
    groups: dict = {}
    for row in rows:
        missing = [k for k in names + [value] if k not in row]
        if missing:
            raise KeyError(f"no column {missing[0]!r} in the row; it has {sorted(row)}")
        key = row[by] if isinstance(by, str) else tuple(row[k] for k in names)
        groups.setdefault(key, []).append(float(row[value]))
    return groups


def summarise(rows: Iterable[dict], by: Sequence[str], value: str) -> dict[tuple, tuple[float, float, int]]:
    """Return {group: (mean, sample standard deviation, n)} of `value` over the rows of each group.

    group: the tuple of the row's `by` values. The standard deviation of one value is 0.
    """
    out = {}
    for key, values in group(rows, tuple(by), value).items():
        mean = sum(values) / len(values)
        var = sum((v - mean) ** 2 for v in values) / (len(values) - 1) if len(values) > 1 else 0.0
        out[key] = (mean, math.sqrt(var), len(values))
    return out
