"""Land output files whole: readers see the old files or all of the new ones, never half, never a mix.

Each file is written to a hidden temporary ``.<name>.<build pid>-<writer pid>.<random>.part``
beside its target, so that a later build (or the build itself, when its render child was
killed) can tell leftovers from the files of a running build. :func:`commit_all` first checks that every target can be
replaced, then keeps each old file aside (a hard link, else a copy) while it renames the new
ones into place, and puts the old ones back if a rename fails. A new file gets the mode the
umask gives; a replaced file keeps its mode.

A build killed outright (SIGKILL, power loss) during the renames cannot roll back itself: before
the first rename it writes a journal, ``.briefexport.<build pid>.journal`` in the output folder,
naming each target, its old file kept aside and its new file, and deletes it after the last
rename (the commit point). The next build writing into that folder finds the journal of a build
no longer running and puts every old file back (a target that had none is removed): the folder
holds the old files again, all of them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ..errors import LocatedError

__all__ = ["commit", "commit_all", "fill", "made_folders", "remove_stale", "reserve", "write_atomically"]

_PART, _OLD = ".part", ".old"
_JOURNAL_PREFIX, _JOURNAL = ".briefexport.", ".journal"
#: Test-only: a file this names is created after the first rename, then the commit waits for it
#: to vanish (up to a minute), so that a test can kill the build between two renames.
_PAUSE_ENV = "_BRIEFEXPORT_TEST_PAUSE_IN_COMMIT"


def write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``target``, then move it into place.

    On any exception the temporary file is removed, ``target`` is untouched and a folder made for it is removed.
    """
    with made_folders(target.parent):
        tmp = reserve(target)
        fill(tmp, target, write)
        commit_all([(tmp, target)])


def fill(tmp: Path, target: Path, write: Callable[[Path], object]) -> None:
    """``write(tmp)``; on an error remove ``tmp``, and report an OSError (disk full, …) as one line about ``target``."""
    try:
        write(tmp)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _write_error(target, exc) from None
        raise


def _write_error(target: Path, exc: OSError) -> LocatedError:
    """An OSError while writing (disk full, quota, I/O error) as one line naming the output."""
    other = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(target) and not str(exc.filename).endswith(_PART) else ""
    return LocatedError(target, f"cannot write: {exc.strerror or exc}{other}")


@contextlib.contextmanager
def made_folders(folder: Path) -> Iterator[None]:
    """Around a build: if it fails, remove the folders it created for its output (when still empty)."""
    missing = [path for path in (folder, *folder.parents) if not os.path.lexists(path)]
    try:
        yield
    except BaseException:
        for path in missing:  # deepest first
            with contextlib.suppress(OSError):
                path.rmdir()
        raise


def reserve(target: Path, owner: int | None = None) -> Path:
    """Create the output folder if needed and an empty temporary file beside ``target``.

    ``owner`` is the process id of the build (this process by default); temporary files of
    the same name that a build no longer running left behind are removed first.
    """
    if target.is_dir():
        raise LocatedError(target, "is a folder; remove it or choose another output folder")
    pid = os.getpid()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(target)
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.{pid if owner is None else owner}-{pid}.", suffix=_PART, dir=target.parent)
    except OSError as exc:
        raise _write_error(target, exc) from None
    os.close(handle)
    return Path(name)


def remove_stale(target: Path, *, ours: bool = False) -> None:
    """Delete ``.<target name>.<build pid>-<writer pid>.*.part`` files that no running build will land.

    A file is stale when the process that wrote it is gone and so is its build (killed, or the
    machine went down). With ``ours`` (a build of this process failed and its render child has
    ended), every file of this process's builds goes too: what a killed child left, and what a
    signal between two statements kept from the clean-up lists.
    """
    recover(target.parent)  # first: the .old files a killed commit left are what it rolls back to
    prefix = f".{target.name}."
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if not (entry.name.startswith(prefix) and entry.name.endswith((_PART, _OLD))):
                continue
            owner, _, writer = entry.name[len(prefix) :].split(".", 1)[0].partition("-")
            if not (owner.isdigit() and (writer or owner).isdigit()):
                continue
            build, pid = int(owner), int(writer or owner)
            mine = build == os.getpid() and (ours or not _running(pid))
            if (mine or not (_running(pid) or _running(build))) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process of that id
    except OSError:
        return True
    return True


def commit(tmp: Path, target: Path) -> None:
    """Move one finished temporary file into place (see :func:`commit_all`)."""
    commit_all([(tmp, target)])


def commit_all(pairs: Sequence[tuple[Path, Path]]) -> None:
    """Move every finished temporary file onto its target: all of them, or (on an error) none.

    The temporary files are gone afterwards either way.
    """
    journal: Path | None = None
    try:
        for _tmp, target in pairs:
            _check_replaceable(target)
        kept: list[tuple[Path, Path | None]] = []  # (target, its old file kept aside, or None if it had none)
        try:
            for _tmp, target in pairs:
                kept.append((target, _keep_aside(target)))
            journal = _write_journal(pairs, kept)
            for number, ((tmp, target), _kept) in enumerate(zip(pairs, kept)):
                _set_mode(tmp, target)
                try:
                    os.replace(tmp, target)
                except OSError as exc:
                    raise _write_error(target, exc) from None
                if number == 0 and len(pairs) > 1:
                    _test_pause()
        except BaseException:
            _roll_back(kept)
            raise
        finally:
            if journal is not None:
                with contextlib.suppress(OSError):
                    journal.unlink()  # the commit point (or the roll-back is done)
        for _target, old in kept:
            if old is not None:
                with contextlib.suppress(OSError):
                    old.unlink()
    finally:
        for tmp, _target in pairs:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _check_replaceable(target: Path) -> None:
    """A LocatedError if renaming onto ``target`` would fail for a reason known in advance."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _write_error(target, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise LocatedError(target, "is a folder; remove it or choose another output folder")
    folder = os.stat(target.parent)
    euid = os.geteuid() if hasattr(os, "geteuid") else 0
    if folder.st_mode & stat.S_ISVTX and euid not in (0, info.st_uid, folder.st_uid):
        raise LocatedError(target, "belongs to another user in a shared (sticky) folder; remove it or choose another output folder")
    if _immutable(target, info):
        raise LocatedError(target, "is marked immutable or append-only (chattr); clear the flag or choose another output folder")


#: Linux FS_IOC_GETFLAGS and its immutable and append-only bits.
_GETFLAGS, _IMMUTABLE_FLAGS = 0x80086601, 0x00000010 | 0x00000020


def _immutable(target: Path, info: os.stat_result) -> bool:
    flags = getattr(info, "st_flags", 0)  # BSD and macOS report them in stat
    if flags & (getattr(stat, "UF_IMMUTABLE", 0) | getattr(stat, "SF_IMMUTABLE", 0) | getattr(stat, "UF_APPEND", 0)):
        return True
    if not sys.platform.startswith("linux") or not stat.S_ISREG(info.st_mode):
        return False
    import fcntl
    import struct

    try:
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return False  # unreadable: the rename itself will tell
    try:
        # A bytes argument: ioctl fills a copy of it and returns that (no array module to import).
        (flags,) = struct.unpack("l", fcntl.ioctl(fd, _GETFLAGS, struct.pack("l", 0)))
        return bool(flags & _IMMUTABLE_FLAGS)
    except OSError:
        return False  # a file system without flags
    finally:
        os.close(fd)


def _keep_aside(target: Path) -> Path | None:
    """A hard link (else a copy) of the old ``target`` under a hidden name, or None if there is no old file."""
    if not os.path.lexists(target):
        return None
    old = Path(tempfile.mktemp(prefix=f".{target.name}.{os.getpid()}.", suffix=_OLD, dir=target.parent))
    try:
        try:
            os.link(target, old, follow_symlinks=False)
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EACCES):
                raise
            shutil.copy2(target, old, follow_symlinks=False)
    except OSError as exc:
        raise _write_error(target, exc) from None
    return old


def _write_journal(pairs: Sequence[tuple[Path, Path]], kept: Sequence[tuple[Path, Path | None]]) -> Path | None:
    """Record what the renames will do, for :func:`recover` after a kill; None for a single file
    (one rename is atomic by itself). Written whole (temporary file, then rename) before the first rename."""
    if len(pairs) < 2:
        return None
    folders = {target.parent for _tmp, target in pairs}
    if len(folders) != 1:
        return None  # a build writes one folder; a journal there could not name the others
    (folder,) = folders
    entries = [{"target": target.name, "new": tmp.name, "old": old.name if old else None}
               for (tmp, target), (_target, old) in zip(pairs, kept)]
    journal = folder / f"{_JOURNAL_PREFIX}{os.getpid()}{_JOURNAL}"
    part = journal.with_name(journal.name + _PART)
    import json  # here: a build of one format never writes a journal

    try:
        with open(part, "w", encoding="utf-8") as out:
            json.dump(entries, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, journal)
    except OSError as exc:
        with contextlib.suppress(OSError):
            part.unlink()
        raise _write_error(pairs[0][1], exc) from None
    return journal


def _test_pause() -> None:
    """Only when a test sets the variable: announce the half-done commit and wait to be killed."""
    marker = os.environ.get(_PAUSE_ENV)
    if not marker:
        return
    import time

    Path(marker).touch()
    deadline = time.monotonic() + 60
    while os.path.exists(marker) and time.monotonic() < deadline:
        time.sleep(0.05)


def recover(folder: Path) -> None:
    """Undo the half-done commits of killed builds in ``folder``: every old file back, new ones gone."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            name = entry.name
            if not (name.startswith(_JOURNAL_PREFIX) and name.endswith((_JOURNAL, _JOURNAL + _PART))):
                continue
            if name.endswith(_JOURNAL + _PART):  # a journal being written when its build was killed: nothing renamed yet
                pid = name[len(_JOURNAL_PREFIX) : -len(_JOURNAL + _PART)]
                if pid.isdigit() and not _running(int(pid)):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                continue
            pid = name[len(_JOURNAL_PREFIX) : -len(_JOURNAL)]
            if not pid.isdigit() or _running(int(pid)) or not entry.is_file(follow_symlinks=False):
                continue
            _replay(folder, Path(entry.path))


def _replay(folder: Path, journal: Path) -> None:
    """Roll one journal back; a journal that is not one is left alone."""
    import json

    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))
        kept = [(folder / _plain(item["target"]), folder / _plain(item["old"]) if item["old"] else None, folder / _plain(item["new"]))
                for item in entries]
    except (OSError, ValueError, TypeError, KeyError):
        return
    for target, old, new in kept:
        with contextlib.suppress(OSError):
            if old is not None and old.exists():
                _put_back(old, target)
            elif old is None and not new.exists():
                target.unlink(missing_ok=True)  # it had no old file: the new one goes
            new.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        journal.unlink()


def _plain(name: object) -> str:
    """A journal's file name, refused unless it is a plain name in the folder (no path, no ..)."""
    if type(name) is not str or not name or "/" in name or os.sep in name or name in (".", ".."):
        raise ValueError(name)
    return name


def _roll_back(kept: Sequence[tuple[Path, Path | None]]) -> None:
    """Put the old files back (or remove a new file that had none) after a failed commit."""
    for target, old in reversed(kept):
        with contextlib.suppress(OSError):
            if old is None:
                target.unlink(missing_ok=True)
            else:
                _put_back(old, target)


def _put_back(old: Path, target: Path) -> None:
    """The kept-aside file back as ``target``. A target not yet replaced is the kept file itself
    (a hard link): renaming one link onto another does nothing, so the spare link is removed."""
    if os.path.lexists(target) and os.path.samefile(old, target):
        old.unlink()
    else:
        os.replace(old, target)


def _set_mode(tmp: Path, target: Path) -> None:
    """The replaced file's mode, or what the umask gives a new file (mkstemp made it 0600)."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        os.chmod(tmp, mode)
    except OSError as exc:
        raise _write_error(target, exc) from None


def _umask() -> int:
    """The process umask, read without changing it where the system says it (Linux 4.7+)."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere: the only portable way; set back at once
    os.umask(mask)
    return mask
