"""Load reportlab TrueType fonts with their parsed metrics kept in a per-user disk cache.

reportlab's ``TTFont`` parses the cmap, hmtx and loca tables of a face in Python each
time a process registers it: about 40–80 ms for a bundled 22,000-glyph face, a large part
of a cold PDF build. What it computes depends only on the font file, reportlab and Python,
so it is stored once per user, in ``$XDG_CACHE_HOME/briefexport`` (``~/.cache/briefexport``
by default), and restored by later processes in a few milliseconds.

Safety rules: the key holds the file's absolute path, size and mtime, the face index,
reportlab's version and Python's; the entry repeats its key and is compared on load; it is
written atomically (temporary file, then rename); any entry that cannot be read, decoded or
matched, and any cache folder that cannot be written, silently falls back to parsing the
font as reportlab does. Entries are ``marshal`` data of built-in types only, never pickles,
so a cache file can hold no code.
"""

from __future__ import annotations

import marshal
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from reportlab.pdfbase.ttfonts import TTFont

__all__ = ["MetricsCache"]

#: Bump when the entry layout changes: old entries then simply miss.
_FORMAT = 2
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

        key = _key(path, index)
        entry_path = self._entry_path(key) if key is not None else None
        if key is not None and entry_path is not None:
            font = _restore(_read_entry(entry_path, key), name, path)
            if font is not None:
                _touch(entry_path)  # recently used: kept when the folder is pruned
                return font
        font = TTFont(name, str(path), subfontIndex=index)
        if key is not None and entry_path is not None and _write_entry(entry_path, key, font):
            _prune(entry_path.parent, self.max_entries)
        return font

    def _entry_path(self, key: tuple[Any, ...]) -> Path | None:
        """One file per face and Python: the file's size and mtime and reportlab's version are
        checked inside it, so a changed font or a new reportlab overwrites its stale entry."""
        if self.folder is None:
            return None
        _format, resolved, _size, _mtime, index, _reportlab, _python, cache_tag = key
        import hashlib  # here, not at the top: loading OpenSSL costs builds that never touch reportlab

        digest = hashlib.sha256(repr((resolved, index, cache_tag)).encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self.folder / f"{_PREFIX}{digest}{_SUFFIX}"


def _key(path: Path, index: int) -> tuple[Any, ...] | None:
    """What the parsed metrics depend on; None if the file cannot be examined (then no caching)."""
    import reportlab

    try:
        resolved = os.path.realpath(path)
        stat = os.stat(resolved)
    except OSError:
        return None
    return (_FORMAT, resolved, stat.st_size, stat.st_mtime_ns, index, reportlab.Version, sys.version, sys.implementation.cache_tag)


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


def _restore(entry: dict[str, Any] | None, name: str, path: Path) -> TTFont | None:
    """A TTFont rebuilt from a cache entry, as ``TTFont(name, str(path), subfontIndex=index)`` builds it."""
    if entry is None:
        return None
    from reportlab.pdfbase.ttfonts import TTFNameBytes, TTFontFace

    try:
        data = Path(path).read_bytes()
        face = TTFontFace.__new__(TTFontFace)
        face.__dict__.update(entry["face"])
        for attr, (raw, text) in entry["names"].items():
            value = bytes.__new__(TTFNameBytes, raw)
            value.ustr = text
            setattr(face, attr, value)
        face.filename = str(path)  # as TTFont(name, str(path)) sets it, whatever path was cached
        face._ttf_data = data
        face._pdfScale = _scale(face.unitsPerEm)
    except (OSError, KeyError, TypeError, ValueError, AttributeError):
        return None
    return _new_ttfont(name, face)


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


def _read_entry(entry_path: Path, key: tuple[Any, ...]) -> dict[str, Any] | None:
    """The entry stored for ``key``, or None (missing, unreadable, corrupt or another key's)."""
    import gc

    try:
        raw = entry_path.read_bytes()
    except OSError:
        return None
    # Decoding builds ~100,000 small objects; the cyclic collector has nothing to find among them.
    enabled = gc.isenabled()
    gc.disable()
    try:
        entry = marshal.loads(raw)
    except (EOFError, ValueError, TypeError):
        return None
    finally:
        if enabled:
            gc.enable()
    if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("value"), dict):
        return None
    return entry["value"]  # type: ignore[no-any-return]


def _write_entry(entry_path: Path, key: tuple[Any, ...], font: TTFont) -> bool:
    """Store the font's metrics atomically; give up silently (False) if they cannot be stored."""
    value = _encode(font)
    if value is None:
        return False
    try:
        data = marshal.dumps({"key": key, "value": value})
        entry_path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=".part", dir=entry_path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(tmp, entry_path)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, ValueError):
        return False  # read-only or full disk, a file where the folder should be, ...
    return True


def _touch(entry_path: Path) -> None:
    try:
        os.utime(entry_path)
    except OSError:
        pass  # a read-only cache still serves its entries


def _prune(folder: Path, max_entries: int) -> None:
    """Delete the least recently used entries beyond ``max_entries``, and temporary files a
    killed process left behind (an hour old: no write takes that long)."""
    try:
        entries = [(entry.stat().st_mtime_ns, entry) for entry in folder.glob(f"{_PREFIX}*{_SUFFIX}")]
        stale = [tmp for tmp in folder.glob(f"{_TMP_PREFIX}*.part") if time.time() - tmp.stat().st_mtime > 3600]
        for entry in [entry for _mtime, entry in sorted(entries, reverse=True)[max_entries:]] + stale:
            entry.unlink(missing_ok=True)
    except OSError:
        pass  # another process pruned the same files, or the folder went away
