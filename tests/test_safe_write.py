"""safe_write.atomic_write: refusals, backups, pruning, and atomicity under a failure at every step."""
import datetime as dt
import os
import stat

import pytest

from savings_tracker.xlsx import atomic as safe_write
from savings_tracker.errors import WriteRefused
from savings_tracker.xlsx.atomic import STEPS, atomic_write, backups_of

ORIGINAL = b"PK original workbook bytes \x00\x01\x02" * 100


@pytest.fixture
def book(tmp_path):
    p = tmp_path / "Savings_Tracker.xlsm"
    p.write_bytes(ORIGINAL)
    return p


def writer(data=b"new content"):
    def write(tmp):
        tmp.write_bytes(data)
    return write


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(safe_write.TEMP_PREFIX))


def test_writes_and_keeps_a_timestamped_backup(book):
    r = atomic_write(book, writer(), backups_kept=3, now=dt.datetime(2017, 10, 31, 9, 5, 7))
    assert book.read_bytes() == b"new content"
    assert r.backup.name == "Savings_Tracker.backup-20171031-090507.xlsm"
    assert r.backup.read_bytes() == ORIGINAL
    assert leftovers(book.parent) == []


def test_keeps_mode_of_the_original(book):
    os.chmod(book, 0o640)
    atomic_write(book, writer(), backups_kept=1)
    assert stat.S_IMODE(book.stat().st_mode) == 0o640


def test_prunes_to_backups_kept(book):
    for i in range(6):
        atomic_write(book, writer(b"v%d" % i), backups_kept=2, now=dt.datetime(2017, 10, 1, 9, 0, i))
    names = [p.name for p in backups_of(book)]
    assert names == ["Savings_Tracker.backup-20171001-090004.xlsm", "Savings_Tracker.backup-20171001-090005.xlsm"]
    assert backups_of(book)[-1].read_bytes() == b"v4" and book.read_bytes() == b"v5"


def test_same_second_backups_do_not_overwrite_each_other(book):
    when = dt.datetime(2017, 10, 1, 9, 0, 0)
    for i in range(3):
        atomic_write(book, writer(b"v%d" % i), backups_kept=5, now=when)
    assert [p.read_bytes() for p in backups_of(book)] == [ORIGINAL, b"v0", b"v1"]


def test_zero_backups_kept_means_none(book):
    r = atomic_write(book, writer(), backups_kept=0)
    assert r.backup is None and backups_of(book) == []


def test_new_file(tmp_path):
    p = tmp_path / "new.xlsm"
    r = atomic_write(p, writer(), backups_kept=5)
    assert p.read_bytes() == b"new content" and r.backup is None


@pytest.mark.parametrize("lock", ["~$Savings_Tracker.xlsm", "~$vings_Tracker.xlsm", ".~lock.Savings_Tracker.xlsm#"])
def test_refuses_when_open_in_excel(book, lock):
    (book.parent / lock).write_bytes(b"owner")
    with pytest.raises(WriteRefused) as e:
        atomic_write(book, writer(), backups_kept=5)
    msg = str(e.value)
    assert "Savings_Tracker.xlsm" in msg and "open in Excel" in msg and "close it" in msg
    assert book.read_bytes() == ORIGINAL and backups_of(book) == [] and leftovers(book.parent) == []


def test_refuses_read_only_file(book):
    os.chmod(book, 0o444)
    try:
        with pytest.raises(WriteRefused, match=r"Savings_Tracker\.xlsm: the file is read-only"):
            atomic_write(book, writer(), backups_kept=5)
    finally:
        os.chmod(book, 0o644)
    assert book.read_bytes() == ORIGINAL and leftovers(book.parent) == []


def test_refuses_read_only_folder(book):
    folder = book.parent
    os.chmod(folder, 0o555)
    try:
        with pytest.raises(WriteRefused, match="folder .* is read-only"):
            atomic_write(book, writer(), backups_kept=5)
    finally:
        os.chmod(folder, 0o755)
    assert book.read_bytes() == ORIGINAL and leftovers(folder) == []


@pytest.mark.parametrize("step", [s for s in STEPS if s != "prune"])
def test_failure_at_each_step_leaves_the_original_byte_identical(book, step):
    before = list(backups_of(book))
    with pytest.raises(WriteRefused) as e:
        atomic_write(book, writer(), backups_kept=5, _fail_at=step)
    assert "was not changed" in str(e.value)
    assert book.read_bytes() == ORIGINAL
    assert leftovers(book.parent) == []
    assert backups_of(book) == before          # the backup this call made is removed again


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), RuntimeError("boom")])
@pytest.mark.parametrize("step", [s for s in STEPS if s != "prune"])
def test_interrupt_or_bug_at_each_step_leaves_the_original(book, step, exc):
    with pytest.raises(type(exc)):
        atomic_write(book, writer(), backups_kept=5, _fail_at=step, _fail_with=exc)
    assert book.read_bytes() == ORIGINAL and leftovers(book.parent) == [] and backups_of(book) == []


def test_failure_inside_write_fn(book):
    def bad(tmp):
        tmp.write_bytes(b"half")
        raise OSError(28, "No space left on device")
    with pytest.raises(WriteRefused, match="No space left on device"):
        atomic_write(book, bad, backups_kept=5)
    assert book.read_bytes() == ORIGINAL and leftovers(book.parent) == [] and backups_of(book) == []


@pytest.mark.parametrize("name", ["_step_write_temp", "_step_fsync", "_step_backup", "_step_replace"])
def test_monkeypatched_step_failure(book, monkeypatch, name):
    real = getattr(safe_write, name)

    def broken(*args, **kw):
        if name == "_step_replace":
            raise PermissionError(13, "Permission denied")
        real(*args, **kw)
        raise OSError(5, "Input/output error")
    monkeypatch.setattr(safe_write, name, broken)
    with pytest.raises(WriteRefused):
        atomic_write(book, writer(), backups_kept=5)
    assert book.read_bytes() == ORIGINAL and leftovers(book.parent) == []


def test_prune_failure_is_a_warning_after_a_good_write(book):
    r = atomic_write(book, writer(), backups_kept=5, _fail_at="prune")
    assert book.read_bytes() == b"new content" and r.warnings and leftovers(book.parent) == []
