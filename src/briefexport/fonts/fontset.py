"""Find, check and register the faces a document needs.

Bundled faces (the repository's ``fonts/``, built by ``fonts/tools/build_fonts.py``) come first, then the
system's fonts, which are scanned only when a requested family is not bundled. Font files are
read with a small sfnt reader (``_sfnt``: table directory, ``name``, ``OS/2``, ``cmap``) so that
finding faces and checking coverage needs neither fontTools nor reportlab; reportlab is
imported only to register a face (``_tounicode`` patches its ToUnicode CMaps), fontTools only
to subset one (``_subset``).

Coverage is per code point, from the face's cmap: a character a face lacks is drawn by the next
face of the chain that has it (a face's missing character would be drawn as an empty box and
vanish from the extracted text).
"""

from __future__ import annotations

import bisect
import os
import stat
import struct
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import FontError

if TYPE_CHECKING:
    from ._metrics_cache import MetricsCache

# The font-file reader (``_sfnt``), the subsetter and the ToUnicode fix are imported where they are
# used: a build that measures no text (an EPUB without an embedded font) constructs a FontSet
# but never reads a font file.

__all__ = ["Face", "FaceChain", "FontSet", "bundled_dir", "system_dirs", "SERIF_FAMILY", "SANS_FAMILY", "KAI_FAMILY", "FANGSONG_FAMILY",
           "RARE_FAMILY"]

#: Family names of the bundled faces.
SERIF_FAMILY = "Noto Serif CJK SC"
SANS_FAMILY = "Noto Sans CJK SC"
KAI_FAMILY = "BriefKai"
FANGSONG_FAMILY = "FandolFang"
RARE_FAMILY = "Noto Serif CJK SC Rare"

_FONT_SUFFIXES = frozenset({".ttf", ".otf", ".ttc", ".otc"})
_BOLD_WEIGHT = 600


@dataclass(frozen=True, slots=True)
class Face:
    family: str  # family name as a user would write it in a theme, e.g. "Noto Serif CJK SC", "FandolFang"
    path: Path
    ps_name: str  # unique PostScript name, also used as the reportlab registration name
    bold: bool
    bundled: bool
    index: int = 0  # sub-font index in a .ttc (system fonts)


def bundled_dir() -> Path:
    """The folder of the bundled fonts: ``briefexport/fonts/files`` when installed.

    The repository keeps them in its top-level ``fonts/`` folder, which the wheel maps into the
    package; a source checkout on ``sys.path`` (an editable install, ``PYTHONPATH=src``) has
    no ``files`` folder and reads the repository's.
    """
    installed = Path(__file__).resolve().parent / "files"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[3] / "fonts"


def system_dirs() -> tuple[Path, ...]:
    """The usual font folders of this platform (existing or not)."""
    try:
        home: Path | None = Path.home()
    except RuntimeError:  # HOME unset and no passwd entry for this user: no personal fonts
        home = None
    dirs = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts")]
    if home is not None:
        dirs += [home / ".fonts", home / ".local/share/fonts"]
    xdg = os.environ.get("XDG_DATA_HOME")
    if xdg:
        dirs.append(Path(xdg) / "fonts")
    if sys.platform == "darwin":
        dirs += [Path("/System/Library/Fonts"), Path("/Library/Fonts"), *([home / "Library/Fonts"] if home else [])]
    elif sys.platform == "win32":
        dirs.append(Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    seen: list[Path] = []
    for d in dirs:
        if d not in seen:
            seen.append(d)
    return tuple(seen)


# --------------------------------------------------------------------------- faces of a file, coverage


@dataclass(frozen=True, slots=True)
class _FaceInfo:
    face: Face
    keys: frozenset[str]  # normalised names: IDs 1, 4, 6, 16 in every language
    weight: int
    italic: bool
    outlines: str  # "truetype", "cff" or "none"
    cmap: tuple[int, int]  # absolute offset and length of the cmap table, (0, 0) if none
    collection: bool


def _read_faces(path: Path, *, bundled: bool) -> list[_FaceInfo]:
    """Every face of a font file (several for a collection); [] for what is no sfnt font."""
    from ._sfnt import read_faces

    return [
        _FaceInfo(
            Face(family=r.family, path=path, ps_name=r.ps_name, bold=r.weight >= _BOLD_WEIGHT, bundled=bundled, index=r.index),
            r.keys, r.weight, r.italic, r.outlines, r.cmap, r.collection,
        )
        for r in read_faces(path)
    ]


class _Coverage:
    """The code points a cmap maps to a real glyph, as sorted, merged ranges."""

    __slots__ = ("starts", "ends", "count")

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        starts: list[int] = []
        ends: list[int] = []
        for lo, hi in sorted(ranges):
            if starts and lo <= ends[-1] + 1:
                if hi > ends[-1]:
                    ends[-1] = hi
            else:
                starts.append(lo)
                ends.append(hi)
        self.starts, self.ends = starts, ends
        self.count = sum(e - s + 1 for s, e in zip(starts, ends))

    def __contains__(self, cp: int) -> bool:
        i = bisect.bisect_right(self.starts, cp) - 1
        return i >= 0 and cp <= self.ends[i]


def _invisible(ch: str) -> bool:
    """Characters that draw nothing and need no glyph: controls, format characters, separators, VS."""
    cp = ord(ch)
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        return True
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


# --------------------------------------------------------------------------- the font set


class FaceChain(Sequence[Face]):
    """A role's faces in order of preference, each found only when it is first needed.

    Behaves as the tuple of those faces, but a family is looked up (scanning the system's
    font folders if it is not bundled) only when a character is missing from every face
    before it, or when the chain is measured or fully iterated. A theme that lists
    "Noto Serif CJK SC, 宋体, SimSun" thus never scans the system for 宋体 while the bundled
    face has every character: on a desktop with thousands of fonts that scan takes seconds.
    """

    def __init__(self, faces: Iterator[Face]) -> None:
        self._pending: Iterator[Face] | None = faces
        self._found: list[Face] = []

    def _find_until(self, count: int | None) -> None:
        """Find faces until ``count`` are known (all of them for None)."""
        while self._pending is not None and (count is None or len(self._found) < count):
            face = next(self._pending, None)
            if face is None:
                self._pending = None
            else:
                self._found.append(face)

    def __iter__(self) -> Iterator[Face]:
        index = 0
        while True:
            self._find_until(index + 1)
            if index >= len(self._found):
                return
            yield self._found[index]
            index += 1

    def __len__(self) -> int:
        self._find_until(None)
        return len(self._found)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            self._find_until(None)
            return tuple(self._found[index])
        self._find_until(None if index < 0 else index + 1)
        return self._found[index]

    def __repr__(self) -> str:
        return f"FaceChain({self._found!r}{', …' if self._pending is not None else ''})"


class FontSet:
    """Faces available to one build: bundled first, then system fonts.

    Parses each face's cmap at most once (cached on the instance; no module-level mutable
    state). System folders (``system_dirs()`` when ``system`` is true, and ``extra_dirs``, which
    are searched before them) are scanned lazily, only when a requested family is not bundled.
    reportlab's parsed metrics of a face are kept on disk by ``metrics`` (default: the per-user
    cache folder, as the environment says when the set first needs it; ``MetricsCache(None)``
    turns that off).
    """

    def __init__(self, *, system: bool = True, extra_dirs: Sequence[Path] = (), metrics: MetricsCache | None = None) -> None:
        self._given_metrics = metrics
        self._system = system
        self._extra_dirs = tuple(Path(d) for d in extra_dirs)
        self._bundled: tuple[_FaceInfo, ...] | None = None
        self._scanned: tuple[_FaceInfo, ...] | None = None
        self._infos: dict[Face, _FaceInfo] = {}
        self._coverage: dict[Face, _Coverage] = {}
        self._chain_chars: dict[object, dict[str, tuple[bool, bool, Face | None]]] = {}
        self._chain_drawn: dict[object, dict[Face | None, set[str]]] = {}

    @property
    def _metrics(self) -> MetricsCache:
        """The metrics cache, made on first use: a build that registers no face (an EPUB) never imports it."""
        if self._given_metrics is None:
            from ._metrics_cache import MetricsCache

            self._given_metrics = MetricsCache.default()
        return self._given_metrics

    # ----------------------------------------------------------------- discovery

    def _bundled_infos(self) -> tuple[_FaceInfo, ...]:
        if self._bundled is None:
            infos: list[_FaceInfo] = []
            for path in _bundled_files():
                infos.extend(self._read(path, bundled=True))
            self._bundled = tuple(infos)
        return self._bundled

    def _read(self, path: Path, *, bundled: bool) -> list[_FaceInfo]:
        try:
            infos = _read_faces(path, bundled=bundled)
        except (OSError, ValueError, struct.error):
            if bundled:
                raise FontError(f"{path}: bundled font cannot be read") from None
            return []  # a broken system font is skipped
        for info in infos:
            self._infos.setdefault(info.face, info)
        return infos

    def _scan_dirs(self) -> tuple[Path, ...]:
        return self._extra_dirs + (system_dirs() if self._system else ())

    def search_dirs(self) -> tuple[Path, ...]:
        """The folders searched for a family that is not bundled, in order (``extra_dirs``, then the system's)."""
        return self._scan_dirs()

    def _system_infos(self) -> tuple[_FaceInfo, ...]:
        if self._scanned is None:
            infos: list[_FaceInfo] = []
            for path in self._system_files():
                infos.extend(self._read(path, bundled=False))
            self._scanned = tuple(infos)
        return self._scanned

    def _system_files(self) -> Iterator[Path]:
        """The font files of the scanned folders, in scan order (the bundled folder's skipped)."""
        seen: set[str] = set()
        try:
            bundled_real = os.path.realpath(bundled_dir())
        except OSError:  # pragma: no cover
            bundled_real = ""
        for root in self._scan_dirs():
            for path in self._font_files(root, seen):
                if os.path.dirname(os.path.realpath(path)) != bundled_real:
                    yield path

    @property
    def scanned_system(self) -> bool:
        """Whether a lookup has read the system's font folders (a family asked for is not bundled)."""
        return self._scanned is not None

    def font_files(self, *, system: bool) -> list[Path]:
        """The files lookups choose among, listed without being read: the bundled fonts and, with
        ``system``, every file a scan of the system's folders reads. A cache of results that
        depend on the faces found keys on these files' identities."""
        return [*_bundled_files(), *(self._system_files() if system else ())]

    @staticmethod
    def _font_files(root: Path, seen: set[str]) -> Iterator[Path]:
        if not root.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            real = os.path.realpath(dirpath)
            if real in seen:
                dirnames[:] = []
                continue
            seen.add(real)
            dirnames.sort()
            for name in sorted(filenames):
                if os.path.splitext(name)[1].lower() in _FONT_SUFFIXES:
                    path = os.path.join(dirpath, name)
                    real_file = os.path.realpath(path)
                    if real_file in seen or not _regular(path):
                        continue  # a FIFO or device named like a font would block the scan
                    seen.add(real_file)
                    yield Path(path)

    def bundled_faces(self) -> tuple[Face, ...]:
        """The bundled faces, in file-name order."""
        return tuple(info.face for info in self._bundled_infos())

    def system_faces(self) -> tuple[Face, ...]:
        """Every face found in the scanned folders (scans them if not done yet)."""
        return tuple(info.face for info in self._system_infos())

    @staticmethod
    def _pick(matches: Sequence[_FaceInfo], bold: bool) -> _FaceInfo:
        def regular_key(info: _FaceInfo) -> tuple[bool, tuple[int, int]]:
            w = info.weight
            rank = (0, 0) if w == 400 else (1, 0) if w == 500 else (2, 400 - w) if w < 400 else (3, w)
            return (info.italic, rank)

        if bold:
            bolds = [m for m in matches if m.weight >= _BOLD_WEIGHT]
            if bolds:
                return min(bolds, key=lambda m: (m.italic, abs(m.weight - 700), m.weight))
        return min(matches, key=regular_key)

    def find(self, family: str, *, bold: bool = False) -> Face | None:
        """The face of ``family`` (bold if asked and there is one), or None.

        ``family`` is matched case-insensitively against the names with IDs 1, 16 (family), 4
        (full name) and 6 (PostScript name) in every language of each face's name table, so
        "仿宋_GB2312", "FangSong" and "方正小标宋简体" match system fonts whose names are Chinese.
        Bundled faces win; system folders are scanned only if no bundled face matches. With
        ``bold`` and no bold face of the family, the regular face is returned (the caller may
        synthesize bold: check ``face.bold``).
        """
        from ._sfnt import norm_name

        key = norm_name(family)
        if not key:
            return None
        matches = [info for info in self._bundled_infos() if key in info.keys]
        if not matches:
            matches = [info for info in self._system_infos() if key in info.keys]
        if not matches:
            return None
        return self._pick(matches, bold).face

    def _bundled_family(self, family: str, bold: bool) -> Face:
        from ._sfnt import norm_name

        key = norm_name(family)
        matches = [info for info in self._bundled_infos() if key in info.keys]
        if not matches:
            raise FontError(f"bundled font {family!r} is missing from {bundled_dir()}: reinstall briefexport")
        return self._pick(matches, bold).face

    def serif(self, *, bold: bool = False) -> Face:
        """The bundled serif (Song) face."""
        return self._bundled_family(SERIF_FAMILY, bold)

    def rare(self) -> Face:
        """The bundled last-resort face for ideographs outside GBK."""
        return self._bundled_family(RARE_FAMILY, False)

    def chain(self, families: Sequence[str], *, bold: bool = False, truetype_only: bool = False) -> FaceChain:
        """Faces found for ``families`` in order (missing ones skipped), then the bundled serif
        of the same weight and the bundled rare fallback; de-duplicated, never empty.

        With ``truetype_only`` (for PDF), faces without TrueType outlines are skipped. The faces
        are found as they are first needed (see :class:`FaceChain`).
        """
        if isinstance(families, str):
            families = (families,)
        return FaceChain(self._chain_faces(tuple(families), bold, truetype_only))

    def _chain_faces(self, families: tuple[str, ...], bold: bool, truetype_only: bool) -> Iterator[Face]:
        out: list[Face] = []
        for family in families:
            face = self.find(family, bold=bold)
            if face is None or face in out:
                continue
            if truetype_only and not self.is_truetype(face):
                continue
            out.append(face)
            yield face
        for face in (self.serif(bold=bold), self.rare()):
            if face not in out:
                out.append(face)
                yield face

    # ----------------------------------------------------------------- faces

    def _info(self, face: Face) -> _FaceInfo:
        info = self._infos.get(face)
        if info is None:
            try:
                infos = _read_faces(Path(face.path), bundled=face.bundled)
            except (OSError, ValueError, struct.error) as exc:
                raise FontError(f"{face.path}: cannot read font: {exc}") from None
            for candidate in infos:
                self._infos.setdefault(candidate.face, candidate)
            info = self._infos.get(face)
            if info is None:
                found = [c for c in infos if c.face.index == face.index]
                if not found:
                    raise FontError(f"{face.path}: no font face #{face.index}")
                info = found[0]
                self._infos[face] = info
        return info

    def is_truetype(self, face: Face) -> bool:
        """True if the face has TrueType (glyf) outlines, as reportlab needs."""
        return self._info(face).outlines == "truetype"

    def weight(self, face: Face) -> int:
        """The face's OS/2 weight class (400 regular, 700 bold)."""
        return self._info(face).weight

    def _cov(self, face: Face) -> _Coverage:
        cov = self._coverage.get(face)
        if cov is None:
            info = self._info(face)
            offset, length = info.cmap
            ranges: list[tuple[int, int]] = []
            if length:
                from ._sfnt import check_cmap, cmap_ranges, read_at

                try:
                    with open(face.path, "rb") as f:
                        data = read_at(f, offset, length)
                    check_cmap(data)  # before reportlab or cmap_ranges walk its segments
                    ranges = list(cmap_ranges(data))
                except (OSError, ValueError, struct.error) as exc:
                    raise FontError(f"{face.path}: cannot read the character map: {exc}") from None
            cov = self._coverage[face] = _Coverage(ranges)
        return cov

    def coverage_count(self, face: Face) -> int:
        """How many code points the face maps to a glyph."""
        return self._cov(face).count

    def covers(self, face: Face, char: str) -> bool:
        """True if ``face`` has a glyph for the (single) character ``char``."""
        if len(char) != 1:
            raise ValueError(f"covers() takes one character, got {char!r}")
        return ord(char) in self._cov(face)

    def face_for(self, chain: Sequence[Face], char: str) -> Face | None:
        """The first face of ``chain`` that covers ``char``; None when none does."""
        cp = ord(char)
        for face in chain:
            if cp in self._cov(face):
                return face
        return None

    def split_runs(self, text: str, chain: Sequence[Face]) -> list[tuple[Face | None, str]]:
        """``text`` split into maximal runs drawn by one face (None: no face covers the run).

        Whitespace the preceding run's face covers, and characters that draw nothing (newline,
        tab and other controls, format characters like ZWJ/ZWSP, variation selectors) go with
        the preceding run (at the start of the text, with the following one). Other whitespace,
        e.g. U+3000 in a run of a face without it, gets the face that covers it.
        """
        chars, drawn = self._chars_of(chain)
        first = chars.get(text[:1])
        if first is not None and not first[0] and first[2] in drawn and drawn[first[2]].issuperset(text):
            return [(first[2], text)]  # most texts: every character drawn by the face of the first
        runs: list[tuple[Face | None, str]] = []
        unset = object()
        current: object = unset
        buf: list[str] = []
        for ch in text:
            known = chars.get(ch)
            if known is None:
                known = chars[ch] = (_invisible(ch), ch.isspace(), self.face_for(chain, ch))
                if not known[0]:
                    drawn.setdefault(known[2], set()).add(ch)
            invisible, space, face = known
            if invisible or (space and current is not unset and current is not None and self.covers(current, ch)):  # type: ignore[arg-type]
                buf.append(ch)
                continue
            if current is unset:
                current = face
                buf.append(ch)
            elif face is current or face == current:  # identity first: faces come from the chain
                buf.append(ch)
            else:
                runs.append((current, "".join(buf)))  # type: ignore[arg-type]
                current, buf = face, [ch]
        if buf:
            if current is unset:  # only invisible characters
                current = self.face_for(chain, buf[0]) or (chain[0] if chain else None)
            runs.append((current, "".join(buf)))  # type: ignore[arg-type]
        return runs

    def _chars_of(self, chain: Sequence[Face]) -> tuple[dict[str, tuple[bool, bool, Face | None]], dict[Face | None, set[str]]]:
        """Per character of text set in ``chain``: (draws nothing, is whitespace, first face covering it);
        and per face (None: no face), the characters looked up so far that it draws and that draw something.

        Kept per chain for the life of the font set: a document repeats a few thousand
        characters, and looking each up once keeps splitting linear in the text. A text whose
        characters are all drawn by one face is one run of it, whitespace included (that face
        covers it), which the second finds in one step.
        """
        # A FaceChain is its own key: turning it into a tuple would find all its faces.
        key: object = chain if isinstance(chain, FaceChain) else tuple(chain)
        chars = self._chain_chars.get(key)
        if chars is None:
            chars = self._chain_chars[key] = {}
            self._chain_drawn[key] = {}
        return chars, self._chain_drawn[key]

    def missing(self, text: str, chain: Sequence[Face]) -> list[str]:
        """Distinct characters no face of ``chain`` covers, in order of first occurrence.

        Characters that draw nothing (controls, format characters, variation selectors) are
        never reported.
        """
        out: dict[str, None] = {}
        checked: set[str] = set()
        for ch in text:
            if ch in checked:
                continue
            checked.add(ch)
            if _invisible(ch):
                continue
            if self.face_for(chain, ch) is None:
                out[ch] = None
        return list(out)

    # ----------------------------------------------------------------- reportlab

    def reportlab_name(self, face: Face) -> str:
        """Register ``face`` with reportlab once per process and return its font name.

        The registration name is the face's PostScript name. Idempotent: a name reportlab
        already has is not registered again (but it must be the same file, or FontError).
        Raises FontError for faces without TrueType outlines.
        """
        info = self._info(face)
        if info.outlines == "cff":
            raise FontError(f"{face.path}: has PostScript (CFF) outlines; reportlab embeds only TrueType")
        if info.outlines != "truetype":
            raise FontError(f"{face.path}: has no TrueType outlines; reportlab cannot embed it")
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFError

        from ._tounicode import fix_reportlab_tounicode

        fix_reportlab_tounicode()
        name = face.ps_name
        if name not in pdfmetrics.getRegisteredFontNames():
            try:
                font = self._metrics.load_ttfont(name, Path(face.path), face.index)
            except (TTFError, OSError, ValueError, struct.error, ArithmeticError, LookupError) as exc:
                # ArithmeticError: unitsPerEm 0 and the like; LookupError: tables pointing nowhere
                raise FontError(f"{face.path}: reportlab cannot load the font: {exc or type(exc).__name__}") from None
            pdfmetrics.registerFont(font)
        font = pdfmetrics.getFont(name)
        registered = getattr(getattr(font, "face", None), "filename", None)
        if not (isinstance(registered, str) and _same_file(registered, face.path)):
            raise FontError(
                f"{face.path}: the PostScript name {name} is already registered with reportlab for "
                f"{registered or 'another font'}; fonts sharing a PostScript name cannot be used together"
            )
        return name

    # ----------------------------------------------------------------- subsetting

    def subset_bytes(self, face: Face, chars: str, *, flavor: str | None = None) -> bytes:
        """A font with only the glyphs of ``chars`` (plus .notdef and the space), e.g. for EPUB.

        Returns TrueType (an OpenType/CFF file for a CFF system face), or WOFF/WOFF2 with
        ``flavor="woff"``/``"woff2"``. Layout tables and hinting are dropped, timestamps are
        kept: the same input gives the same bytes. A face whose licence reserves its name (SIL
        OFL Reserved Font Name) is renamed, as a modified version must be.
        """
        if flavor not in (None, "woff", "woff2"):
            raise ValueError(f"flavor must be None, 'woff' or 'woff2', not {flavor!r}")
        from ._subset import subset_font  # fontTools' subsetter, only when a face is subset

        info = self._info(face)
        return subset_font(Path(face.path), face.index if info.collection else -1, chars, flavor=flavor)


def _bundled_files() -> list[Path]:
    """The bundled font files, in file-name order."""
    folder = bundled_dir()
    if not folder.is_dir():
        return []
    return [path for path in sorted(folder.iterdir()) if path.suffix.lower() in _FONT_SUFFIXES]


def _regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)
