"""Load reportlab TrueType fonts with their parsed metrics kept in a per-user disk cache.

reportlab's ``TTFont`` parses the cmap, hmtx and loca tables of a face in Python each
time a process registers it: about 40–80 ms for a bundled 22,000-glyph face, a large part
of a cold PDF build. What it computes depends only on the font file, reportlab and Python,
so it is stored once per user, in ``$XDG_CACHE_HOME/briefexport`` (``~/.cache/briefexport``
by default), and restored by later processes in a few milliseconds.

Safety rules (the cache must be unable to change what a PDF shows):

* an entry is bound to the font file's content (its SHA-256), the face index, reportlab's
  version and Python's; the entry repeats this key and is compared on load (the hash is
  computed again unless the file still has the device, inode, size, mtime and ctime the entry
  recorded, and had them for a while before: a rewrite changes the ctime, which no user can set);
* the folder is used only if it is a real folder (not a symlink) owned by this user and
  writable by nobody else (as ssh and pip require), and an entry only if it is a regular file
  owned by this user, writable by nobody else and of bounded size; entries are opened
  relative to the checked folder, without following symlinks and without blocking (a FIFO);
* each file carries a SHA-256 of its payload, and the decoded metrics are checked for
  structure and ranges (types, glyph ids below the glyph count, offsets inside the file,
  ``unitsPerEm`` above zero) before reportlab sees them;
* entries are written atomically (temporary file, then rename), folder 0700, files 0600;
* an entry that fails any rule is dropped silently and the font parsed as reportlab does,
  which rewrites it; any cache folder that cannot be used is ignored.

Entries are ``marshal`` data of built-in types only, never pickles, so a cache file can hold no code.
"""

from __future__ import annotations

import array
import contextlib
import gc
import itertools
import marshal
import math
import os
import stat
import sys
import time
from dataclasses import dataclass
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

# hashlib is imported where it is used: loading OpenSSL costs builds that never touch reportlab.

if TYPE_CHECKING:
    from reportlab.pdfbase.ttfonts import TTFont

__all__ = ["CacheFolder", "MetricsCache", "default_folder"]

#: Bump when the entry layout changes: old entries then simply miss.
_FORMAT = 3
#: An entry file starts with this and the SHA-256 of the rest.
_MAGIC = b"BXMETRC3"
#: Largest entry read (a 65,535-glyph face takes about 6 MB).
_MAX_ENTRY = 64 * 2**20
_PREFIX, _SUFFIX, _TMP_PREFIX = "ttf-metrics-", ".marshal", ".tmp-ttf-metrics-"
#: Attributes rebuilt on load rather than stored (the file's bytes, a lambda, per-document state).
_FACE_REBUILT = frozenset({"_ttf_data", "_pdfScale"})
#: What reportlab's TTFont.__init__ sets; the cache is used only while that is all it sets.
_FONT_ATTRS = frozenset({"fontName", "face", "encoding", "state", "_asciiReadable", "_shapable"})
_SCALARS: frozenset[type] = frozenset({bool, int, float, str, bytes, type(None)})
_CONTAINERS: frozenset[type] = frozenset({list, tuple, dict})


def default_folder() -> Path | None:
    """``$XDG_CACHE_HOME/briefexport``, else ``~/.cache/briefexport``; None when there is no home."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if base and os.path.isabs(base):  # the XDG spec says to ignore a relative path
        return Path(base) / "briefexport"
    try:
        return Path.home() / ".cache" / "briefexport"
    except RuntimeError:  # no home directory can be determined
        return None


@dataclass(frozen=True, slots=True)
class MetricsCache:
    """Where parsed reportlab metrics are kept; ``folder=None`` turns the cache off.

    The folder holds at most one entry per font face (a changed file or a new reportlab
    replaces it) and at most ``max_entries`` entries: the least recently used go first.
    """

    folder: Path | None
    max_entries: int = 64

    @classmethod
    def default(cls) -> MetricsCache:
        """The per-user cache folder, as the environment says now."""
        return cls(default_folder())

    def load_ttfont(self, name: str, path: Path, index: int = 0) -> TTFont:
        """A reportlab ``TTFont`` named ``name`` for face ``index`` of ``path``, from the cache when it can be.

        reportlab's own errors (TTFError, OSError, ...) propagate as from ``TTFont(...)``.
        """
        from reportlab.pdfbase.ttfonts import TTFont

        data, identity = _font_bytes(path) if self.folder is not None else (None, None)
        folder = CacheFolder.open(self.folder) if data is not None else None
        if folder is None or data is None:
            return TTFont(name, str(path), subfontIndex=index)
        content, entry_name = _Content(data, identity), _entry_name(path, index)
        try:
            entry = folder.read(entry_name, content, index)
            font = _restore(entry["value"] if entry is not None else None, name, path, data)
            if font is not None and entry is not None:
                if entry.get("file") is None and content.stable_identity() is not None:
                    folder.write(entry_name, content, index, font)  # now it can vouch for the file: no more hashing
                else:
                    folder.touch(entry_name)  # recently used: kept when the folder is pruned
                return font
            font = TTFont(name, str(path), subfontIndex=index)
            if folder.write(entry_name, content, index, font):
                folder.prune(self.max_entries)
            return font
        finally:
            folder.close()


def _entry_name(path: Path, index: int) -> str:
    """One file per face and Python: the content hash and versions inside it are checked, so a
    changed font or a new reportlab overwrites its stale entry."""
    resolved = os.path.realpath(path)
    import hashlib

    digest = hashlib.sha256(repr((resolved, index, sys.implementation.cache_tag)).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{_PREFIX}{digest}{_SUFFIX}"


def _font_bytes(path: Path) -> tuple[bytes | None, tuple[int, ...] | None]:
    """The font file's bytes (None: then no caching, reportlab reports what is wrong) and the
    file's identity while it was read (None if it changed meanwhile), see :class:`_Content`."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None, None
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            return None, None
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read()
        identity = _identity(before)
        return data, identity if identity == _identity(os.fstat(fd)) else None
    except OSError:
        return None, None
    finally:
        os.close(fd)


def _identity(info: os.stat_result) -> tuple[int, ...]:
    """What changes whenever a file's content does: ``st_ctime_ns`` cannot be set back by its owner."""
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


#: A file changed within this long (ns) before its entry is written may change again within the same
#: timestamp tick (as git's "racy" index entries): its identity is then not stored, so it is hashed.
_RACY_NS = 2 * 10**9


class _Content:
    """The font file's bytes, hashed (SHA-256) only when an entry cannot vouch for them.

    An entry stores the identity (device, inode, size, mtime, ctime) of the file it was made
    from, unless the file had changed just before; while the file keeps that identity, its
    content is the one hashed then, and hashing it again (7 ms for a 10 MB face) is skipped.
    """

    def __init__(self, data: bytes, identity: tuple[int, ...] | None) -> None:
        self.data, self.identity = data, identity
        self._digest: str | None = None

    def digest(self) -> str:
        if self._digest is None:
            import hashlib

            self._digest = hashlib.sha256(self.data).hexdigest()
        return self._digest

    def key(self, index: int, digest: str | None = None) -> tuple[Any, ...]:
        """What the parsed metrics depend on: the font's content, the face, reportlab and Python."""
        import reportlab

        return (_FORMAT, digest or self.digest(), len(self.data), index, reportlab.Version, sys.version, sys.implementation.cache_tag)

    def matches(self, stored_key: object, stored_identity: object, index: int) -> bool:
        """Was the entry made from this content? Its identity vouches for the hash, else the hash is compared."""
        if self.identity is not None and stored_identity == list(self.identity) and type(stored_key) is tuple and len(stored_key) > 1:
            return stored_key == self.key(index, stored_key[1]) and type(stored_key[1]) is str
        return stored_key == self.key(index)

    def stable_identity(self) -> list[int] | None:
        """The identity to store with a new entry: none if the file changed too recently to tell."""
        if self.identity is None or time.time_ns() - max(self.identity[3], self.identity[4]) < _RACY_NS:
            return None
        return list(self.identity)


# -- encoding: a TTFont as marshal-able built-in values ----------------------------


def _encode(font: TTFont) -> dict[str, Any] | None:
    """The face's attributes as built-in values; None if the font or face has anything we do not know."""
    from reportlab.pdfbase.ttfonts import TTFNameBytes

    if set(vars(font)) != _FONT_ATTRS:
        return None  # this reportlab's TTFont is not the one _new_ttfont rebuilds
    plain: dict[str, Any] = {}
    names: dict[str, tuple[bytes, str]] = {}
    for attr, value in vars(font.face).items():
        if attr in _FACE_REBUILT:
            continue
        if isinstance(value, TTFNameBytes):
            names[attr] = (bytes(value), value.ustr)
        elif _is_plain(value):
            plain[attr] = value
        else:
            return None  # an attribute this reportlab version added: do not guess how to store it
    return {"face": plain, "names": names}


def _is_plain(value: object) -> bool:
    """Built-in values that marshal stores exactly: scalars, and lists, tuples and dicts of them."""
    if type(value) in _SCALARS:
        return True
    return _all_plain((value,), depth=0)


def _all_plain(items: Iterable[object], depth: int) -> bool:
    """True if every item is plain; containers are checked level by level, a level at a time.

    Checking the set of types of a whole level keeps this fast for the 22,000-entry tables.
    """
    items = list(items)
    types = set(map(type, items))
    if types <= _SCALARS:
        return True
    if depth >= 3 or not types <= _SCALARS | _CONTAINERS:
        return False  # a subclass or another type: marshal would store it as something else, or fail
    inner: list[object] = []
    for item in items:
        if type(item) is dict:
            inner.extend(item.keys())
            inner.extend(item.values())
        elif type(item) in (list, tuple):
            inner.extend(cast("list[object] | tuple[object, ...]", item))
    return _all_plain(inner, depth + 1)


def _restore(entry: dict[str, Any] | None, name: str, path: Path, data: bytes) -> TTFont | None:
    """A TTFont rebuilt from a checked cache entry, as ``TTFont(name, str(path), subfontIndex=index)`` builds it."""
    if entry is None or not _valid(entry, len(data)):
        return None
    from reportlab.pdfbase.ttfonts import TTFNameBytes, TTFontFace

    face = TTFontFace.__new__(TTFontFace)
    face.__dict__.update(entry["face"])
    for attr, (raw, text) in entry["names"].items():
        value = bytes.__new__(TTFNameBytes, raw)
        value.ustr = text
        setattr(face, attr, value)
    face.filename = str(path)  # as TTFont(name, str(path)) sets it, whatever path was cached
    face._ttf_data = data
    face._pdfScale = _scale(face.unitsPerEm)
    return _new_ttfont(name, face)


# -- checking an entry before reportlab sees it --------------------------------------------

_INT, _NUM, _TEXT = (int,), (int, float), (str,)
#: Every face attribute an entry may hold, with its type; tables are checked by _valid_tables.
_FACE_TYPES: dict[str, tuple[type, ...]] = {
    "_full_font": (bool, int), "_pos": _INT, "ascent": _NUM, "bold": (bool, int), "builtIn": (bool, int),
    "capHeight": _NUM, "defaultWidth": _NUM, "descent": _NUM, "entrySelector": _INT, "filename": _TEXT,
    "flags": _INT, "italic": (bool, int), "italicAngle": _NUM, "numGlyphs": _INT, "numTables": _INT,
    "rangeShift": _INT, "requiredEncoding": (type(None), str, int), "searchRange": _INT, "stemV": _NUM,
    "subfontNameX": (bytes,), "underlinePosition": _NUM, "underlineThickness": _NUM, "unitsPerEm": _INT,
    "validate": (bool, int), "version": _INT, "bbox": (list, tuple), "fontRevision": (list, tuple),
    "table": (dict,), "tables": (list,), "glyphNames": (list,), "glyphWidths": (dict,), "charToGlyph": (dict,),
    "charWidths": (dict,), "glyphToChar": (dict,), "glyphPos": (list,), "hmetrics": (list,),
}
_REQUIRED = frozenset({"unitsPerEm", "numGlyphs", "charToGlyph", "charWidths", "glyphToChar", "glyphPos", "hmetrics", "table", "ascent", "descent", "bbox"})
_NAME_ATTRS = frozenset({"name", "familyName", "styleName", "fullName", "uniqueFontID"})
#: Font units reach at most ±32,768; widths in thousandths of an em stay far below this.
_LIMIT = 1 << 20


def _valid(entry: dict[str, Any], size: int) -> bool:
    """True if the entry's scalar metrics and table directory have the types and ranges a real parse gives."""
    try:
        face, names = entry["face"], entry["names"]
        if type(face) is not dict or type(names) is not dict or not set(names) <= _NAME_ATTRS or not _REQUIRED <= set(face):
            return False
        if any(key not in _FACE_TYPES or type(value) not in _FACE_TYPES[key] for key, value in face.items()):
            return False
        if any(type(pair) is not tuple or len(pair) != 2 or type(pair[0]) is not bytes or type(pair[1]) is not str for pair in names.values()):
            return False
        glyphs = face["numGlyphs"]
        if not (16 <= face["unitsPerEm"] <= 16384 and 0 < glyphs <= 65536 and 0 <= face.get("_pos", 0) <= size):
            return False
        if not all(_number(face[key]) for key in ("ascent", "descent", "defaultWidth", "capHeight", "italicAngle", "stemV") if key in face):
            return False
        if len(face["bbox"]) != 4 or not all(_number(v) for v in face["bbox"]):
            return False
        if not set(map(type, face.get("glyphNames", []))) <= {str} or not all(map(_number, face.get("glyphWidths", {}).values())):
            return False
        for table in [*face["table"].values(), *face.get("tables", [])]:
            if type(table) is not dict or type(table.get("offset")) is not int or type(table.get("length")) is not int:
                return False
            if not (0 <= table["offset"] and 0 <= table["length"] and table["offset"] + table["length"] <= size):
                return False  # a table outside the file
        return _valid_maps(face, glyphs) and _valid_offsets(face, glyphs, size)
    except (KeyError, TypeError, ValueError, AttributeError):
        return False


def _ints(values: Collection[object], low: int, high: int) -> bool:
    """Every value is an int in ``[low, high]`` (checked by whole-table builtins: tables hold 22,000+ entries).

    Packing into an unsigned array checks type and sign in one C pass (anything but an int, or a
    negative one, is refused), so only the maximum is left to check. (The callers pass lists and
    dict views, never bytes, which an array would take as raw data: _FACE_TYPES checked that.)
    """
    if not values:
        return True
    try:
        packed = array.array("Q" if low >= 0 else "q", cast("Collection[int]", values))
    except (TypeError, OverflowError, ValueError):
        return False
    return (low == 0 or low <= min(packed)) and max(packed) <= high  # unsigned: 0 is the floor already


def _numbers(values: Collection[object], low: float, high: float) -> bool:
    """Every value is a finite int or float in ``[low, high]``."""
    if not values:
        return True
    types = set(map(type, values))
    if not types <= {int, float} or (float in types and not all(map(math.isfinite, values))):  # type: ignore[arg-type]
        return False
    return low <= min(values) and max(values) <= high  # type: ignore[type-var, operator]


def _valid_maps(face: dict[str, Any], glyphs: int) -> bool:
    """Characters map to glyphs that exist, and back; widths are finite and sane."""
    to_glyph, widths, to_char = face["charToGlyph"], face["charWidths"], face["glyphToChar"]
    if not (_ints(to_glyph.keys(), 0, 0x10FFFF) and _ints(to_glyph.values(), 0, glyphs - 1)):
        return False  # a character drawn with a glyph the font does not have
    if not (_ints(widths.keys(), 0, 0x10FFFF) and _numbers(widths.values(), 0, _LIMIT)):
        return False
    if not (_ints(to_char.keys(), 0, glyphs - 1) and set(map(type, to_char.values())) <= {list}):
        return False
    return _ints(list(itertools.chain.from_iterable(to_char.values())), 0, 0x10FFFF)


def _valid_offsets(face: dict[str, Any], glyphs: int, size: int) -> bool:
    """Glyph offsets rise inside the file; metrics are pairs of numbers, at most one per glyph."""
    pos, metrics = face["glyphPos"], face["hmetrics"]
    if len(pos) > glyphs + 1 or not _ints(pos, 0, size) or sorted(pos) != pos:  # sorted(): one C pass when rising
        return False
    if len(metrics) > glyphs or not set(map(type, metrics)) <= {tuple} or not set(map(len, metrics)) <= {2}:
        return False
    return _numbers(list(itertools.chain.from_iterable(metrics)), -_LIMIT, _LIMIT)  # both columns, one list


def _number(value: object) -> bool:
    return type(value) in (int, float) and isinstance(value, (int, float)) and math.isfinite(value) and -_LIMIT < value < _LIMIT


def _new_ttfont(name: str, face: Any) -> TTFont:
    """What ``TTFont.__init__`` does (reportlab 4.x–5.x) once it has parsed the face.

    ``_encode`` refuses to cache fonts of a reportlab whose TTFont sets other attributes, and
    tests compare a restored font with a parsed one attribute by attribute.
    """
    from fnmatch import fnmatch
    from weakref import WeakKeyDictionary

    from reportlab import rl_config
    from reportlab.pdfbase.ttfonts import TTEncoding, TTFont

    font = TTFont.__new__(TTFont)
    font.fontName = name
    font.face = face
    font.encoding = TTEncoding()
    font.state = WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = not any(fnmatch(name, pattern) for pattern in rl_config.unShapedFontGlob)
    return font


def _scale(units_per_em: int) -> Any:
    """Font units to thousandths of an em, the function reportlab's extractInfo makes."""
    if units_per_em == 1000:
        return lambda x: x
    factor = 1000 / units_per_em
    return lambda x: x * factor


# -- the entry files -------------------------------------------------------------


class CacheFolder:
    """The cache folder, checked once and then used through a file descriptor (no swap between check and use)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    @classmethod
    def open(cls, path: Path | None) -> CacheFolder | None:
        """The folder, created 0700 if missing; None unless it is this user's real folder, writable by nobody else."""
        if path is None or not hasattr(os, "O_DIRECTORY") or os.open not in os.supports_dir_fd:
            return None  # without descriptor-relative calls the checks could be raced: no cache
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with contextlib.suppress(FileExistsError):
                os.mkdir(path, 0o700)
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            return None
        if not _trusted(os.fstat(fd)):
            os.close(fd)
            return None
        return cls(fd)

    def close(self) -> None:
        os.close(self.fd)

    def read(self, name: str, content: _Content, index: int) -> dict[str, Any] | None:
        """The entry stored for this content and face (``value``: the metrics, ``file``: the identity
        it records), or None (missing, untrusted, unreadable, corrupt or another key's)."""
        raw = self.read_bytes(name)
        if raw is None or not raw.startswith(_MAGIC):
            return None
        digest, payload = raw[len(_MAGIC) : len(_MAGIC) + 32], raw[len(_MAGIC) + 32 :]
        import hashlib

        if hashlib.sha256(payload).digest() != digest:
            return None
        # Decoding builds ~100,000 small objects; the cyclic collector has nothing to find among them.
        enabled = gc.isenabled()
        gc.disable()
        try:
            entry = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return None
        finally:
            if enabled:
                gc.enable()
        if type(entry) is not dict or not content.matches(entry.get("key"), entry.get("file"), index) or type(entry.get("value")) is not dict:
            return None
        return entry

    def read_bytes(self, name: str) -> bytes | None:
        """The entry file's bytes, or None unless it is a regular file of this user's, writable by nobody else, of bounded size."""
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=self.fd)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not (stat.S_ISREG(info.st_mode) and _trusted(info) and info.st_size <= _MAX_ENTRY):
                return None
            with os.fdopen(os.dup(fd), "rb") as handle:
                return handle.read(_MAX_ENTRY + 1)
        except OSError:
            return None
        finally:
            os.close(fd)

    def write(self, name: str, content: _Content, index: int, font: TTFont) -> bool:
        """Store the font's metrics atomically; give up silently (False) if they cannot be stored."""
        value = _encode(font)
        if value is None:
            return False
        try:
            payload = marshal.dumps({"key": content.key(index), "file": content.stable_identity(), "value": value})
        except ValueError:
            return False
        import hashlib

        return self.write_bytes(name, _MAGIC + hashlib.sha256(payload).digest() + payload)

    def write_bytes(self, name: str, data: bytes) -> bool:
        """Write an entry file atomically (temporary file, then rename), 0600; False if it cannot be written."""
        tmp = f"{_TMP_PREFIX}{os.getpid()}-{os.urandom(8).hex()}.part"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=self.fd)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp, dir_fd=self.fd)
                raise
        except OSError:
            return False  # read-only or full disk, ...
        return True

    def touch(self, name: str) -> None:
        with contextlib.suppress(OSError, NotImplementedError):
            os.utime(name, dir_fd=self.fd, follow_symlinks=False)  # a read-only cache still serves its entries

    def prune(self, max_entries: int, prefix: str = _PREFIX, suffix: str = _SUFFIX) -> None:
        """Delete the least recently used entries (``prefix…suffix``) beyond ``max_entries``, and
        temporary files a killed process left behind (an hour old: no write takes that long)."""
        try:
            with os.scandir(self.fd) as scan:
                files = [(entry.name, entry.stat(follow_symlinks=False).st_mtime_ns) for entry in scan]
        except OSError:
            return  # another process pruned the same files
        entries = sorted(((mtime, name) for name, mtime in files if name.startswith(prefix) and name.endswith(suffix)), reverse=True)
        stale = [name for name, mtime in files if name.startswith(_TMP_PREFIX) and time.time_ns() - mtime > 3600 * 10**9]
        for name in [name for _mtime, name in entries[max_entries:]] + stale:
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=self.fd)


def _trusted(info: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else (root's folder and files count as trusted too)."""
    uid = os.geteuid()
    return info.st_uid in (uid, 0) and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
