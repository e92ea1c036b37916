"""Reading data files for the ``fastlasso`` command line.

Formats, chosen by file extension (a trailing ``.gz`` is decompressed first):

- ``.csv`` (comma), ``.tsv`` / ``.tab`` (tab), any other text file (delimiter
  guessed from the header line: tab, comma, semicolon, ``|``, else runs of
  whitespace). A header row of column names is expected; ``target`` names the
  column to predict, by name or by 0-based index (negative counts from the end).
- ``.npz``: arrays ``X`` (2-D), ``y`` (1-D) and optionally ``feature_names``.
  Without ``y``, ``target`` picks a column of ``X``.
- ``.svm``, ``.svmlight``, ``.libsvm``: read with
  :func:`sklearn.datasets.load_svmlight_file`; ``X`` stays sparse (CSC). Feature
  names are the feature indices of the file.

Every problem with the file is reported as a :class:`DataError` whose message is
meant for the user (which rows, which columns), never as a traceback.
"""

from __future__ import annotations

import csv
import gzip
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "DataError",
    "Dataset",
    "format_list",
    "read_dataset",
    "read_penalty_factor",
]

#: Cells read as missing values (besides anything ``float`` parses to NaN).
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-", "."})

TEXT_DELIMITERS = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
SVMLIGHT_EXTENSIONS = (".svm", ".svmlight", ".libsvm")


class DataError(ValueError):
    """A problem with an input file, with a message meant for the user."""

    user_facing = True


@dataclass
class Dataset:
    """Design matrix, target and names read from a file.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features) or scipy.sparse CSC matrix
        float64 design (dense Fortran-ordered for text and ``.npz`` files).
    y : ndarray of shape (n_samples,)
        float64 target.
    feature_names : list of str
        One name per column of ``X``.
    target_name : str
        Name of the target (``"y"`` when the file does not name it).
    source : str
        Short description of where the data came from.
    notes : list of str
        Remarks for the user about how the file was read.
    """

    X: Any
    y: np.ndarray
    feature_names: list[str]
    target_name: str = "y"
    source: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.X.shape)


# --------------------------------------------------------------------------------------
# Helpers


def format_list(items, limit: int = 8) -> str:
    """``"a, b, c, ... (12 more)"``: at most ``limit`` items of a sequence."""
    items = [str(i) for i in items]
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f", ... ({len(items) - limit} more)"


def _quoted(names, limit: int = 8) -> str:
    return format_list([repr(str(n)) for n in names], limit)


def _split_ext(path: str) -> tuple[str, bool]:
    """Lower-case extension of ``path`` (ignoring ``.gz``) and whether it is gzipped."""
    name = os.path.basename(path).lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    return os.path.splitext(name)[1], gz


def _check_file(path: str, what: str = "") -> None:
    if not os.path.exists(path):
        raise DataError(f"{what}{path}: no such file")
    if os.path.isdir(path):
        raise DataError(f"{what}{path}: is a directory, not a data file")
    if os.path.getsize(path) == 0:
        raise DataError(f"{what}{path}: the file is empty")


def _open_text(path: str, gz: bool):
    if gz:
        return gzip.open(path, "rt", newline="", encoding="utf-8-sig")
    return open(path, newline="", encoding="utf-8-sig")


def _guess_delimiter(first_line: str) -> str | None:
    """Delimiter of a header line: tab, comma, semicolon or ``|``; None: whitespace."""
    for delim in ("\t", ",", ";", "|"):
        if delim in first_line:
            return delim
    return None


def _read_rows(path: str, delimiter: str | None) -> tuple[list[list[str]], list[int]]:
    """Non-blank rows of a delimited text file and their 1-based line numbers."""
    ext, gz = _split_ext(path)
    rows, lines = [], []
    try:
        with _open_text(path, gz) as f:
            if delimiter is None:
                first = ""
                for first in f:
                    if first.strip():
                        break
                delimiter = _guess_delimiter(first)
                f.seek(0)
            if delimiter is None:  # runs of whitespace
                for lineno, line in enumerate(f, start=1):
                    fields = line.split()
                    if fields:
                        rows.append(fields)
                        lines.append(lineno)
            else:
                reader = csv.reader(f, delimiter=delimiter, skipinitialspace=True)
                for fields in reader:
                    if not fields or all(not c.strip() for c in fields):
                        continue
                    rows.append([c.strip() for c in fields])
                    lines.append(reader.line_num)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: not a UTF-8 text file ({exc.reason} at byte {exc.start}); "
            "expected CSV/TSV text, .npz or svmlight"
        ) from None
    except (OSError, EOFError, csv.Error) as exc:
        raise DataError(f"{path}: cannot read: {exc}") from None
    return rows, lines


def _parse_cell(text: str) -> tuple[float, str]:
    """``(value, kind)`` with kind ``"ok"``, ``"missing"`` or ``"bad"``."""
    if text.strip().lower() in MISSING_TOKENS:
        return np.nan, "missing"
    try:
        value = float(text)
    except ValueError:
        return np.nan, "bad"
    return value, ("missing" if value != value else "ok")


def _resolve_column(spec: str, names: list[str], what: str, path: str) -> int:
    """Index of the column named ``spec`` (a name, or a 0-based / negative index)."""
    matches = [j for j, n in enumerate(names) if n == spec]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise DataError(
            f"{path}: {what} {spec!r} is ambiguous: columns "
            f"{format_list(matches)} all have that name"
        )
    try:
        index = int(spec)
    except ValueError:
        index = None
    if index is not None and -len(names) <= index < len(names):
        return index % len(names)
    hint = "" if index is None else f" (and {index} is not a column index)"
    raise DataError(
        f"{path}: {what} {spec!r} not found{hint}; the {len(names)} columns are: "
        f"{_quoted(names, 12)}"
    )


def _check_finite(X, y, names, target_name, path, line_numbers=None) -> None:
    """Report NaN / infinite values in X or y, by row and column.

    Rows are named by their line in the file when ``line_numbers`` is given,
    else by their 0-based index.
    """
    if hasattr(X, "tocoo"):  # sparse: only the stored values can be non-finite
        coo = X.tocoo()
        bad = ~np.isfinite(coo.data)
        rows, cols = coo.row[bad], coo.col[bad]
    else:
        rows, cols = np.nonzero(~np.isfinite(X))
    y_rows = np.flatnonzero(~np.isfinite(y))
    if rows.size == 0 and y_rows.size == 0:
        return
    p = len(names)
    cells = sorted(
        list(zip(rows.tolist(), cols.tolist(), strict=True))
        + [(i, p) for i in y_rows.tolist()]
    )
    all_names = list(names) + [f"{target_name} (target)"]
    if line_numbers is not None:
        where, label = "line", (lambda i: str(line_numbers[i]))
    else:
        where, label = "row (0-based)", str
    bad_rows = sorted({i for i, _ in cells})
    bad_cols = sorted({j for _, j in cells})
    raise DataError(
        f"{path}: {len(cells)} missing or non-finite values (empty cell, NA, NaN, "
        f"inf) in {len(bad_rows)} rows ({where}s "
        f"{format_list(label(i) for i in bad_rows)}) and {len(bad_cols)} columns "
        f"({_quoted(all_names[j] for j in bad_cols)}); first cells ({where}, "
        "column): "
        + format_list((f"({label(i)}, {all_names[j]!r})" for i, j in cells), 4)
        + ". Remove or impute them first."
    )


def _check_target(y: np.ndarray, target_name: str, path: str) -> None:
    if y.size and np.all(y == y[0]):
        raise DataError(
            f"{path}: the target {target_name!r} is constant ({y[0]:g} in all "
            f"{y.size} rows); there is nothing to predict"
        )


# --------------------------------------------------------------------------------------
# Readers


def _read_text(
    path: str,
    target: str | None,
    drop: list[str],
    delimiter: str | None,
) -> Dataset:
    rows, lines = _read_rows(path, delimiter)
    if not rows:
        raise DataError(f"{path}: the file is empty (no header, no data)")
    names = [n if n else f"column_{j}" for j, n in enumerate(rows[0])]
    unnamed = [j for j, n in enumerate(rows[0]) if not n]
    data, data_lines = rows[1:], lines[1:]
    if not data:
        raise DataError(f"{path}: only a header line, no data rows")
    p = len(names)
    ragged = [
        (ln, len(r)) for r, ln in zip(data, data_lines, strict=True) if len(r) != p
    ]
    if ragged:
        raise DataError(
            f"{path}: the header has {p} columns but {len(ragged)} rows do not: "
            + format_list((f"line {ln} has {k}" for ln, k in ragged), 5)
        )
    if target is None:
        raise DataError(
            f"{path}: --target is required for a text file; the columns are: "
            f"{_quoted(names, 12)}"
        )
    j_target = _resolve_column(target, names, "target column", path)
    dropped = {_resolve_column(d, names, "column to drop", path) for d in drop}
    if j_target in dropped:
        raise DataError(f"{path}: the target column {names[j_target]!r} is dropped")
    keep = [j for j in range(p) if j != j_target and j not in dropped]
    if not keep:
        raise DataError(f"{path}: no feature columns left besides the target")

    cells = np.array(data, dtype=np.str_)
    try:
        values = cells.astype(np.float64)
    except ValueError:
        values = np.empty(cells.shape, dtype=np.float64)
        non_numeric = {}
        for j in range(p):
            try:
                values[:, j] = cells[:, j].astype(np.float64)
                continue
            except ValueError:
                pass
            for i, text in enumerate(cells[:, j].tolist()):
                value, kind = _parse_cell(text)
                values[i, j] = value
                if kind == "bad" and j not in dropped:
                    non_numeric.setdefault(j, (data_lines[i], text))
        if non_numeric:
            described = [
                f"{names[j]!r} (line {ln}: {text[:20]!r})"
                for j, (ln, text) in sorted(non_numeric.items())
            ]
            raise DataError(
                f"{path}: {len(non_numeric)} non-numeric columns: "
                + format_list(described, 6)
                + ". Every column must be a number; remove them or pass "
                "--drop NAME[,NAME...]"
            ) from None
    X = np.asfortranarray(values[:, keep])
    y = np.ascontiguousarray(values[:, j_target])
    feature_names = [names[j] for j in keep]
    _check_finite(X, y, feature_names, names[j_target], path, line_numbers=data_lines)
    _check_target(y, names[j_target], path)
    return Dataset(
        X=X,
        y=y,
        feature_names=feature_names,
        target_name=names[j_target],
        source=path,
        notes=[
            f"column {j} has no name in the header (row labels?); it is used as "
            f"feature {names[j]!r}: pass --drop {j} to leave it out"
            for j in unnamed
            if j in keep
        ],
    )


def _read_npz(path: str, target: str | None, drop: list[str]) -> Dataset:
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except Exception as exc:  # zipfile.BadZipFile, ValueError (pickled objects), ...
        raise DataError(f"{path}: cannot read as .npz: {exc}") from None
    if "X" not in arrays:
        raise DataError(
            f"{path}: no array 'X' in the .npz file (arrays: "
            f"{_quoted(arrays) or 'none'}); expected 'X', 'y' and optionally "
            "'feature_names'"
        )
    X = arrays["X"]
    if X.ndim != 2:
        raise DataError(f"{path}: 'X' must be 2-D, got shape {X.shape}")
    if not (np.issubdtype(X.dtype, np.number) or X.dtype == np.bool_):
        raise DataError(f"{path}: 'X' is not numeric (dtype {X.dtype})")
    n, p = X.shape
    if "feature_names" in arrays:
        names = [str(s) for s in np.asarray(arrays["feature_names"]).ravel()]
        if len(names) != p:
            raise DataError(
                f"{path}: 'feature_names' has {len(names)} entries but 'X' has "
                f"{p} columns"
            )
    else:
        names = [f"x{j}" for j in range(p)]
    X = np.asarray(X, dtype=np.float64)
    if "y" in arrays:
        if target is not None:
            raise DataError(
                f"{path}: --target is not used with an .npz file that has 'y' "
                "(it is for CSV/TSV files, or an .npz without 'y')"
            )
        y = np.asarray(arrays["y"])
        if y.ndim == 2 and 1 in y.shape:
            y = y.ravel()
        if y.ndim != 1 or y.shape[0] != n:
            raise DataError(
                f"{path}: 'y' must be 1-D with {n} entries (the rows of 'X'), got "
                f"shape {y.shape}"
            )
        if not (np.issubdtype(y.dtype, np.number) or y.dtype == np.bool_):
            raise DataError(f"{path}: 'y' is not numeric (dtype {y.dtype})")
        y = y.astype(np.float64)
        target_name = "y"
        keep = list(range(p))
    else:
        if target is None:
            raise DataError(
                f"{path}: no array 'y' in the .npz file; add one, or pass --target "
                "to predict a column of 'X'"
            )
        j_target = _resolve_column(target, names, "target column", path)
        y = X[:, j_target].copy()
        target_name = names[j_target]
        keep = [j for j in range(p) if j != j_target]
    dropped = {_resolve_column(d, names, "column to drop", path) for d in drop}
    keep = [j for j in keep if j not in dropped]
    if not keep:
        raise DataError(f"{path}: no feature columns left")
    if n == 0:
        raise DataError(f"{path}: 'X' has no rows")
    X = np.asfortranarray(X[:, keep])
    feature_names = [names[j] for j in keep]
    _check_finite(X, y, feature_names, target_name, path)
    _check_target(y, target_name, path)
    return Dataset(X, y, feature_names, target_name, source=path)


def _read_svmlight(path: str, target: str | None, drop: list[str]) -> Dataset:
    from sklearn.datasets import load_svmlight_file

    if target is not None:
        raise DataError(
            f"{path}: --target is not used with svmlight files (the first field of "
            "every line is the target)"
        )
    try:
        X, y = load_svmlight_file(path, dtype=np.float64, zero_based=True)
    except (ValueError, OSError, RuntimeError) as exc:
        raise DataError(f"{path}: cannot read as svmlight: {exc}") from None
    # sklearn's zero_based="auto": a file that never uses index 0 is one-based;
    # keep the file's own indices as feature names either way.
    first = 0
    if X.indices.size == 0 or X.indices.min() > 0:
        first = 1
        X = X[:, 1:]
    X = X.tocsc()
    names = [str(j + first) for j in range(X.shape[1])]
    if X.shape[0] == 0:
        raise DataError(f"{path}: no data lines")
    if drop:
        dropped = {_resolve_column(d, names, "column to drop", path) for d in drop}
        keep = [j for j in range(X.shape[1]) if j not in dropped]
        X = X[:, keep]
        names = [names[j] for j in keep]
    if X.shape[1] == 0:
        raise DataError(f"{path}: no features")
    X.sort_indices()
    _check_finite(X, y, names, "target", path)
    _check_target(y, "target", path)
    return Dataset(X, np.asarray(y, dtype=np.float64), names, "target", source=path)


def read_dataset(
    path: str,
    target: str | None = None,
    *,
    drop: list[str] | tuple[str, ...] = (),
    delimiter: str | None = None,
) -> Dataset:
    """Read a design matrix and target from a CSV/TSV, ``.npz`` or svmlight file.

    Parameters
    ----------
    path : str
        The file; its format is chosen by extension (see the module docstring).
    target : str, default=None
        Target column of a text file (or of ``X`` in an ``.npz`` without ``y``),
        by name or by 0-based index; a name takes precedence over an index.
    drop : sequence of str, default=()
        Columns to leave out (names or indices), e.g. an identifier column.
    delimiter : str, default=None
        Field delimiter of a text file; by default from the extension, else
        guessed from the header line.

    Returns
    -------
    dataset : Dataset
        float64 ``X`` (dense Fortran-ordered, or CSC for svmlight) and ``y``.

    Raises
    ------
    DataError
        Missing or empty file, unknown target, non-numeric columns, missing or
        non-finite values, constant target, malformed file.
    """
    path = os.fspath(path)
    _check_file(path)
    ext, _ = _split_ext(path)
    drop = list(drop)
    if ext == ".npz":
        return _read_npz(path, target, drop)
    if ext in SVMLIGHT_EXTENSIONS:
        return _read_svmlight(path, target, drop)
    if delimiter is None:
        delimiter = TEXT_DELIMITERS.get(ext)
    return _read_text(path, target, drop, delimiter)


def read_penalty_factor(path: str, feature_names: list[str]) -> np.ndarray:
    """Per-feature penalty weights from a text file.

    Two layouts are accepted:

    - one column: one non-negative number per feature, in the order of the
      features (an optional header line is skipped);
    - two columns ``feature,weight`` (optional header line): weights by feature
      name; features not listed get weight 1, unknown names are an error.

    Parameters
    ----------
    path : str
        The file (comma, tab, semicolon or whitespace separated).
    feature_names : list of str
        Names of the features of the data, in order.

    Returns
    -------
    weights : ndarray of shape (n_features,)
        float64, finite and non-negative.
    """
    path = os.fspath(path)
    _check_file(path, "penalty factor file ")
    rows, lines = _read_rows(path, None)
    if not rows:
        raise DataError(f"penalty factor file {path}: the file is empty")
    widths = {len(r) for r in rows}
    if len(widths) > 1 or widths.pop() not in (1, 2):
        raise DataError(
            f"penalty factor file {path}: expected one column (a weight per feature) "
            "or two columns (feature,weight) on every line"
        )
    two = len(rows[0]) == 2
    if _parse_cell(rows[0][-1])[1] == "bad":  # a header line
        rows, lines = rows[1:], lines[1:]
    if not rows:
        raise DataError(f"penalty factor file {path}: only a header line, no weights")
    values = []
    for r, ln in zip(rows, lines, strict=True):
        value, kind = _parse_cell(r[-1])
        if kind != "ok" or not np.isfinite(value) or value < 0:
            raise DataError(
                f"penalty factor file {path}, line {ln}: {r[-1]!r} is not a finite "
                "non-negative number"
            )
        values.append(value)
    n_features = len(feature_names)
    if not two:
        if len(values) != n_features:
            raise DataError(
                f"penalty factor file {path} has {len(values)} weights but the data "
                f"have {n_features} features (one weight per feature, in order)"
            )
        return np.asarray(values, dtype=np.float64)
    index = {name: j for j, name in enumerate(feature_names)}
    weights = np.ones(n_features, dtype=np.float64)
    unknown, seen = [], set()
    for r, ln, value in zip(rows, lines, values, strict=True):
        name = r[0]
        if name not in index:
            unknown.append(name)
            continue
        if name in seen:
            raise DataError(f"penalty factor file {path}, line {ln}: {name!r} again")
        seen.add(name)
        weights[index[name]] = value
    if unknown:
        raise DataError(
            f"penalty factor file {path}: {len(unknown)} feature names are not "
            f"columns of the data: {_quoted(unknown)}"
        )
    return weights
