"""Partner names as people type them: 'Hinckley & Bosworth', 'hinckley and  bosworth' and
'Hinckley and Bosworth Borough' are matched by a key without case, '&'/'and', punctuation or spacing."""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import UnreadableFile

# words an organisation's own file often adds to its name; ignored only when what is left still matches
_SUFFIXES = ("borough council", "district council", "city council", "county council", "council")


def name_key(name) -> str:
    """'Hinckley & Bosworth' and ' hinckley AND bosworth ' -> 'hinckleyandbosworth'."""
    text = str(name or "").replace("\u00a0", " ").casefold()
    text = text.replace("&", " and ").replace("+", " and ")
    return re.sub(r"[^0-9a-z]+", "", text)


def clean_name(name) -> str:
    """A name for display: surrounding and repeated spaces removed."""
    return re.sub(r"\s+", " ", str(name or "").replace("\u00a0", " ")).strip()


def match(name, partners: list[str]) -> str | None:
    """The partner ``name`` means, or None. Exact key first, then the key without a trailing council word
    ('Melton Borough Council' -> 'Melton'), but never one that would make 'City Council' and 'County
    Council' the same."""
    key = name_key(name)
    if not key:
        return None
    by_key = {name_key(p): p for p in partners}
    if key in by_key:
        return by_key[key]
    for suffix in _SUFFIXES:
        s = name_key(suffix)
        if key.endswith(s) and key != s and key[: -len(s)] in by_key:
            return by_key[key[: -len(s)]]
    return None


def read_partner_list(path: Path) -> list[str]:
    """A partner list: a text file, one name a line (blank lines and lines starting with '#' skipped)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_bytes().decode("cp1252", errors="replace")
    except OSError as exc:
        raise UnreadableFile(f"{path}: the partner list cannot be read ({exc.strerror or exc})") from None
    names = [clean_name(line) for line in text.splitlines()]
    names = [n for n in names if n and not n.startswith("#")]
    if not names:
        raise UnreadableFile(f"{path.name}: the partner list is empty; write one organisation a line")
    seen, out = set(), []
    for n in names:
        if name_key(n) not in seen:
            seen.add(name_key(n))
            out.append(n)
    return out
