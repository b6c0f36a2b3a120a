"""Atomic, backed-up writes of a workbook (or any file) the tool changes.

``atomic_write(path, write_fn, backups_kept=5)``:

1. ``check``      refuse (``WriteRefused``) when Excel has the file open (its ``~$`` lock file sits beside it)
                  or the file / its folder is read-only;
2. ``write_temp`` ``write_fn(tmp)`` writes the new content to a temporary file in the same folder;
3. ``fsync``      the temporary file is flushed to disk;
4. ``backup``     the current file is copied to ``<stem>.backup-YYYYmmdd-HHMMSS<suffix>`` (skipped when
                  ``backups_kept`` is 0 or the file is new);
5. ``replace``    ``os.replace(tmp, path)``: the one step that changes ``path``, atomic on the same volume;
6. ``prune``      backups beyond ``backups_kept`` are deleted, oldest first (a failure here is reported, but
                  the write has happened).

A failure at any step before ``replace`` leaves ``path`` byte-identical and removes the temporary file and the
backup made by this call. Tests inject a failure at each step with ``_fail_at`` (see ``STEPS``) or by
monkeypatching the ``_step_*`` functions.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import SavingsTrackerError, WriteRefused

STEPS = ("check", "write_temp", "fsync", "backup", "replace", "prune")
TEMP_PREFIX = ".savings-tracker-tmp-"


class InjectedFailure(OSError):
    """Raised by the ``_fail_at`` test hook."""


@dataclass
class WriteResult:
    path: Path
    backup: Path | None = None
    pruned: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def lock_files(path: Path) -> list[Path]:
    """Lock files Excel (and LibreOffice) create beside an open workbook."""
    name = path.name
    candidates = [path.with_name("~$" + name), path.with_name(".~lock." + name + "#")]
    if len(name) > 2:   # Office shortens long names: "~$" replaces the first two characters
        candidates.append(path.with_name("~$" + name[2:]))
    return [c for c in candidates if c.exists()]


def backup_name(path: Path, when: dt.datetime) -> Path:
    return path.with_name(f"{path.stem}.backup-{when:%Y%m%d-%H%M%S}{path.suffix}")


def backups_of(path: Path) -> list[Path]:
    """Existing backups of ``path``, oldest first (the timestamp in the name sorts them)."""
    pattern = re.compile(re.escape(path.stem) + r"\.backup-(\d{8}-\d{6})(?:-(\d+))?" + re.escape(path.suffix))
    found = []
    for p in path.parent.iterdir():
        m = pattern.fullmatch(p.name)
        if m:
            found.append(((m.group(1), int(m.group(2) or 0)), p))
    return [p for _, p in sorted(found)]


def _writable_mode(mode: int) -> bool:
    return bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


# ---- the steps (monkeypatchable) ----------------------------------------------------------------
def _step_check(path: Path) -> None:
    folder = path.parent
    locks = lock_files(path)
    if locks:
        raise WriteRefused(f"{path.name}: the workbook is open in Excel (lock file {locks[0].name} is present); "
                           "save and close it in Excel, then run the command again. The file was not changed")
    if not folder.is_dir():
        raise WriteRefused(f"{path.name}: the folder {folder} does not exist")
    if path.exists():
        if path.is_dir():
            raise WriteRefused(f"{path}: is a folder, not a workbook")
        if not _writable_mode(path.stat().st_mode) or not os.access(path, os.W_OK):
            raise WriteRefused(f"{path.name}: the file is read-only; clear 'Read-only' (file Properties) or save a "
                               "copy you can change, then run the command again. The file was not changed")
    if not _writable_mode(folder.stat().st_mode) or not os.access(folder, os.W_OK | os.X_OK):
        raise WriteRefused(f"{path.name}: the folder {folder} is read-only, so the tool cannot write the file safely "
                           "(it writes a new copy beside it, then swaps); move the workbook to a folder you can "
                           "change. The file was not changed")


def _new_temp(path: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
    os.close(fd)
    return Path(name)


def _step_write_temp(path: Path, tmp: Path, write_fn: Callable[[Path], None]) -> None:
    write_fn(tmp)
    if path.exists():
        shutil.copymode(path, tmp)
    else:
        os.chmod(tmp, 0o666 & ~_umask())


def _step_fsync(tmp: Path) -> None:
    with open(tmp, "rb+") as fh:
        fh.flush()
        os.fsync(fh.fileno())


def _step_backup(path: Path, backups_kept: int, now: dt.datetime) -> Path | None:
    if backups_kept <= 0 or not path.exists():
        return None
    target = backup_name(path, now)
    n = 1
    while target.exists():
        target = target.with_name(f"{path.stem}.backup-{now:%Y%m%d-%H%M%S}-{n}{path.suffix}")
        n += 1
    try:
        shutil.copy2(path, target)
        with open(target, "rb+") as fh:
            os.fsync(fh.fileno())
    except BaseException:
        _remove(target)
        raise
    return target


def _step_replace(tmp: Path, path: Path) -> None:
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _step_prune(path: Path, backups_kept: int) -> list[Path]:
    old = backups_of(path)
    extra = old[: max(0, len(old) - max(backups_kept, 0))]
    for p in extra:
        p.unlink()
    return extra


# ---- helpers ----------------------------------------------------------------------------------
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(p: Path | None) -> None:
    if p is None:
        return
    try:
        p.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass


def _os_message(path: Path, exc: OSError) -> str:
    what = exc.strerror or str(exc) or type(exc).__name__
    return f"{path.name}: could not be written ({what}); the file was not changed"


def atomic_write(path, write_fn: Callable[[Path], None], *, backups_kept: int = 5,
                 now: dt.datetime | None = None, _fail_at: str | None = None,
                 _fail_with: BaseException | None = None) -> WriteResult:
    """Write ``path`` atomically through ``write_fn(temp_path)``; see the module docstring."""
    path = Path(path).absolute()
    now = now or dt.datetime.now()
    if _fail_at is not None and _fail_at not in STEPS:
        raise ValueError(f"_fail_at must be one of {STEPS}")

    def gate(step: str) -> None:
        if step == _fail_at:
            raise _fail_with if _fail_with is not None else InjectedFailure(f"injected failure at step {step}")

    result = WriteResult(path)
    tmp = None
    try:
        gate("check")
        _step_check(path)
        gate("write_temp")
        tmp = _new_temp(path)
        _step_write_temp(path, tmp, write_fn)
        gate("fsync")
        _step_fsync(tmp)
        gate("backup")
        result.backup = _step_backup(path, backups_kept, now)
        gate("replace")
        _step_replace(tmp, path)
        tmp = None
    except SavingsTrackerError:
        _remove(tmp)
        _remove(result.backup)
        raise
    except OSError as exc:
        _remove(tmp)
        _remove(result.backup)
        raise WriteRefused(_os_message(path, exc)) from None
    except BaseException:
        _remove(tmp)
        _remove(result.backup)
        raise
    try:
        gate("prune")
        result.pruned = _step_prune(path, backups_kept)
    except Exception as exc:  # the write itself succeeded; an old backup left behind is not worth failing for
        result.warnings.append(f"{path.name}: written, but old backups could not be pruned ({exc})")
    return result
