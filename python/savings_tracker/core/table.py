"""The register's lines as a small column table: ordered columns of plain Python lists, one value per line.

Each line has a label (``index``): its position when read, kept by a subset (``where``, ``take``) so that a
committee's lines still find their figures in tables worked out for the whole register. A column is read by key
(``table[key]``: a read-only ``Column`` with ``tolist()`` and ``items()``), a value by label and key
(``table.at[i, key]``). Values are whatever the readers put there (``Decimal``, ``str``, ``None``): nothing is
converted, so money stays exact. The table does not import pandas; ``to_pandas`` makes a DataFrame for a user
who wants one.
"""
from __future__ import annotations

from typing import Iterable, Iterator, Sequence


class Column(Sequence):
    """One column of a table, by position (``col[0]``, iteration, ``len``); ``items()`` pairs labels and values.
    A view: it does not copy the values; ``tolist()`` does."""
    __slots__ = ("_values", "_index")

    def __init__(self, values: list, index: list):
        self._values, self._index = values, index

    def __getitem__(self, pos):
        return self._values[pos]

    def __iter__(self) -> Iterator:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Column({self._values!r})"

    def tolist(self) -> list:
        return list(self._values)

    def items(self) -> Iterator[tuple]:
        return zip(self._index, self._values)

    def to_dict(self) -> dict:
        """label -> value."""
        return dict(zip(self._index, self._values))


class _At:
    """``table.at[label, key]``: one value, read or written."""
    __slots__ = ("_table",)

    def __init__(self, table: "Table"):
        self._table = table

    def __getitem__(self, where):
        label, key = where
        return self._table._columns[key][self._table.position(label)]

    def __setitem__(self, where, value) -> None:
        label, key = where
        t = self._table
        if key not in t._columns:
            t[key] = None
        t._columns[key][t.position(label)] = value
        t.version += 1


class Table:
    """Ordered columns of equal length, and a label per line (by default its position)."""

    def __init__(self, columns: dict[str, Iterable] | None = None, index: Iterable | None = None):
        self._columns: dict[str, list] = {k: list(v) for k, v in (columns or {}).items()}
        n = len(next(iter(self._columns.values()))) if self._columns else 0
        self._index = list(index) if index is not None else list(range(n))
        if any(len(v) != len(self._index) for v in self._columns.values()):
            raise ValueError("every column needs one value per line")
        self._positions: dict | None = None
        self.version = 0         # counts the writes, so a figure worked out from the table knows it is current

    @classmethod
    def from_records(cls, records: list[dict], columns: list[str]) -> "Table":
        """A table of ``columns`` from one dict per line (a key a line lacks reads as None)."""
        out = cls()
        out._columns = {k: [r.get(k) for r in records] for k in columns}
        out._index = list(range(len(records)))
        return out

    # ---- shape ------------------------------------------------------------------------------------------------
    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    @property
    def index(self) -> list:
        return list(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key) -> bool:
        return key in self._columns

    def position(self, label) -> int:
        """Where the line labelled ``label`` is (its label, unless this table is a subset)."""
        if self._positions is None:
            ranged = self._index == list(range(len(self._index)))
            self._positions = {} if ranged else {label: j for j, label in enumerate(self._index)}
        if not self._positions and self._index:     # labelled by position: no lookup needed
            if type(label) is int and 0 <= label < len(self._index):
                return label
            raise KeyError(label)
        return self._positions[label]

    # ---- columns ------------------------------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Column:
        return Column(self._columns[key], self._index)

    def get(self, key: str, default=None):
        return self[key] if key in self._columns else default

    def __setitem__(self, key: str, values) -> None:
        """A whole column: a list (one value per line) or one value for every line."""
        if isinstance(values, (list, tuple, range, Column, Iterator)):   # a generator too: never one value
            values = list(values)
            if len(values) != len(self._index):
                raise ValueError(f"column {key!r}: {len(values)} values for {len(self._index)} lines")
        else:
            values = [values] * len(self._index)
        self._columns[key] = values
        self.version += 1

    def __delitem__(self, key: str) -> None:
        del self._columns[key]
        self.version += 1

    @property
    def at(self) -> _At:
        return _At(self)

    # ---- lines ------------------------------------------------------------------------------------------------
    def row(self, label) -> dict:
        """One line as a dict key -> value."""
        j = self.position(label)
        return {k: v[j] for k, v in self._columns.items()}

    def records(self) -> list[dict]:
        """Every line as a dict key -> value, in order."""
        keys = list(self._columns)
        return [dict(zip(keys, values)) for values in zip(*self._columns.values())] if keys else \
            [{} for _ in self._index]

    def take(self, positions: Sequence[int]) -> "Table":
        """The lines at ``positions`` (their labels kept)."""
        out = Table()
        out._columns = {k: [v[j] for j in positions] for k, v in self._columns.items()}
        out._index = [self._index[j] for j in positions]
        return out

    def where(self, keep: Iterable[bool]) -> "Table":
        """The lines for which ``keep`` is true, one flag per line in order (their labels kept)."""
        return self.take([j for j, k in enumerate(keep) if k])

    def copy(self) -> "Table":
        out = Table()
        out._columns = {k: list(v) for k, v in self._columns.items()}
        out._index = list(self._index)
        return out

    def __repr__(self) -> str:
        return f"Table({len(self)} lines: {', '.join(self._columns)})"

    def to_pandas(self):
        """The lines as a pandas DataFrame (object columns, the labels as its index), for a user's own analysis."""
        import pandas as pd
        return pd.DataFrame({k: pd.Series(v, index=self._index, dtype=object) for k, v in self._columns.items()},
                            index=pd.Index(self._index))
