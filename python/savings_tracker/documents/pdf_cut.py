"""A part's last pages dropped before the merge (``pdf_merge``), with everything of them in the structure tree.

A part of a long appendix (``pdf_parts``) is laid out once, past the page where it is cut: the rows of that page
start the next part. So its pages from there on go, and with them the structure elements whose content was on
them (a row's cells, their text), every element left empty by that (the row), and those elements' places in
their parents' ``/K``, in the ``ParentTree`` and in the ``IDTree``. Works on the part's objects as text, as
``pdf_merge`` reads them (``dict_of``: an object's dictionary; ``parent``: each structure element's parent).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

_KID = re.compile(rb"<<[^<>]*>>|(\d+) 0 R|\d+")   # a marked-content reference, an element, an MCID


@dataclass
class Cut:
    pages: list[int]                                    # the pages kept
    nums: list[tuple[int, int]]                         # the ParentTree without the dropped pages' keys
    dropped: set[int] = field(default_factory=set)      # objects not written
    rewrite: dict[int, bytes] = field(default_factory=dict)   # elements whose /K lost kids: their new dictionary


def _kids(text: bytes) -> list[re.Match]:
    m = re.search(rb"/K\[([^\]]*)\]", text)
    return list(_KID.finditer(m.group(1))) if m else []


def cut(pages: list[int], keep: int, nums: list[tuple[int, int]], dict_of: Callable[[int], bytes],
        parent: dict[int, int], problem: Callable[[str], Exception]) -> Cut:
    """Keep the first ``keep`` of ``pages``; drop the rest and their structure elements."""
    if keep >= len(pages):
        return Cut(pages, nums)
    gone = set(pages[keep:])
    keys = {}
    for page in gone:
        text = dict_of(page)
        if b"/Annots" in text:
            raise problem("a page to drop where a part was cut has annotations")
        key = re.search(rb"/StructParents (\d+)", text)
        if key:
            keys[int(key.group(1))] = page
    owners, arrays = set(), set()
    for key, n in nums:
        if key in keys:
            arrays.add(n)
            owners |= {int(m.group(1)) for m in _KID.finditer(dict_of(n)) if m.group(1)}
    for elem in owners:
        pg = re.search(rb"/Pg (\d+) 0 R", dict_of(elem))
        if pg and int(pg.group(1)) not in gone:
            raise problem("an element has content on both sides of the page where a part was cut")
    removed = _emptied(owners, dict_of, parent)
    contents = {int(m.group(1)) for p in gone for m in re.finditer(rb"/Contents (\d+) 0 R", dict_of(p))}
    result = Cut(pages[:keep], [(k, n) for k, n in nums if k not in keys], gone | removed | arrays | contents)
    for p in {parent[e] for e in removed if e in parent} - removed:
        text = dict_of(p)
        m = re.search(rb"/K\[([^\]]*)\]", text)
        left = b" ".join(k.group(0) for k in _KID.finditer(m.group(1)) if not (k.group(1) and int(k.group(1)) in removed))
        result.rewrite[p] = text[:m.start()] + b"/K[" + left + b"]" + text[m.end():]
    return result


def _emptied(owners: set[int], dict_of: Callable[[int], bytes], parent: dict[int, int]) -> set[int]:
    """The owners of the dropped content, every element all of whose content was theirs (upwards), and every
    element under one of those (an empty cell of a dropped row)."""
    removed, frontier = set(owners), set(owners)
    while frontier:
        frontier = {parent[e] for e in frontier if e in parent} - removed
        for p in list(frontier):
            kids = _kids(dict_of(p))
            if not kids or any(not k.group(1) or int(k.group(1)) not in removed and _has_content(int(k.group(1)), dict_of)
                               for k in kids):
                frontier.discard(p)
        removed |= frontier
    children: dict[int, list[int]] = {}
    for e, p in parent.items():
        children.setdefault(p, []).append(e)
    todo = list(removed)
    while todo:
        for kid in children.get(todo.pop(), []):
            if kid not in removed:
                removed.add(kid)
                todo.append(kid)
    return removed


def _has_content(elem: int, dict_of: Callable[[int], bytes]) -> bool:
    """Whether an element (or one under it) has marked content: an empty cell has none."""
    kids = _kids(dict_of(elem))
    return any(not k.group(1) or _has_content(int(k.group(1)), dict_of) for k in kids)
