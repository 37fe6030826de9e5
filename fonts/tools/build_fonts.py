#!/usr/bin/env python3
"""Rebuild the fonts bundled in the repository's ``fonts/`` folder from Debian font packages.

Sources (Debian 12 packages; the script stops if one is missing):

=====================================  ==========================  ===================================================
bundled file                           Debian package              source file (face)
=====================================  ==========================  ===================================================
NotoSerifCJKsc-Regular.ttf             fonts-noto-cjk              /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc
                                                                   (sub-font NotoSerifCJKsc-Regular)
NotoSerifCJKsc-Bold.ttf                fonts-noto-cjk              /usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc
                                                                   (sub-font NotoSerifCJKsc-Bold)
NotoSansCJKsc-Regular.ttf              fonts-noto-cjk              /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
                                                                   (sub-font NotoSansCJKsc-Regular)
NotoSansCJKsc-Bold.ttf                 fonts-noto-cjk              /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc
                                                                   (sub-font NotoSansCJKsc-Bold)
BriefKai-Regular.ttf                   fonts-lxgw-wenkai           /usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf
                                                                   (renamed: OFL Reserved Font Names "LXGW", "霞鹜")
FandolFang-Regular.ttf                 texlive-lang-chinese        /usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/
                                                                   FandolFang-Regular.otf
NotoSerifCJKscRare-Regular.ttf         fonts-noto-cjk              NotoSerifCJK-Regular.ttc (NotoSerifCJKsc-Regular): the
                                                                   ideographs and CJK symbols outside the GBK set
=====================================  ==========================  ===================================================

What is done to each face:

* GBK-level faces (Noto Serif/Sans SC Regular/Bold, Kai) keep the characters of ``gbk_set()``:
  every character the GBK codec encodes, plus ASCII, Latin-1, Latin Extended-A, pinyin
  letters, general punctuation, currency, letterlike symbols, number forms, arrows, maths
  operators, enclosed alphanumerics, box drawing, geometric shapes, dingbats, CJK symbols and
  punctuation, kana, bopomofo, enclosed CJK letters, vertical and compatibility forms,
  half/fullwidth forms and U+FFFD -- those the source face has.
* FandolFang keeps every character it has.
* The rare face keeps the ideographs (CJK blocks, Ext A, Ext B..., compatibility ideographs,
  radicals, strokes, CJK compatibility squares) that Noto Serif CJK SC has and ``gbk_set()``
  lacks, plus the space.
* Layout tables (GSUB/GPOS/GDEF/BASE/JSTF) and hinting are dropped (reportlab uses neither);
  vertical metrics (vhea/vmtx) are kept.
* CFF faces are subset FIRST, then converted to TrueType outlines (the fontTools ``otf2ttf``
  recipe: cu2qu with max error 1 unit, new glyf/loca, maxp 1.0, post format 3, VORG dropped),
  because reportlab embeds only TrueType outlines.
* Name table: description (ID 10) says what was done; version (ID 5) and unique ID (ID 3) are
  marked; the Kai face and the rare face are renamed (IDs 1, 2, 3, 4, 6, 16, 17).
* Deterministic: ``head.created``/``head.modified`` are fixed, timestamps are not recalculated,
  nothing random; two runs give byte-identical files.

The licence texts are copied from the packages (OFL from the Debian copyright files, GPL-3 with
the font exception from the Fandol COPYING) and README.md is generated with the coverage counts.

Usage: ``python fonts/tools/build_fonts.py [--out DIR] [--jobs N]`` (a few minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from fontTools import subset
from fontTools.misc.timeTools import timestampFromString
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

from briefexport.fonts._subset import subset_options  # the same options as run-time subsetting

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "fonts"

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
WENKAI_DIR = Path("/usr/share/fonts/truetype/lxgw-wenkai")
FANDOL_CANDIDATES = (
    Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"),
    Path("/usr/share/texmf/fonts/opentype/public/fandol"),
)

# Fixed head.created / head.modified so that rebuilds are byte-identical.
FIXED_TIMESTAMP = timestampFromString("Mon Jan  1 00:00:00 2024")
MAX_ERR = 1.0  # cu2qu tolerance in font units (all sources have 1000 units per em)
TOOL = "briefexport tools/build_fonts.py"  # written into the fonts' name tables: kept as it was so rebuilds stay byte-identical

# Blocks kept in the GBK-level faces in addition to the GBK codec's repertoire.
EXTRA_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x0100, 0x017F),  # Latin Extended-A
    (0x01CD, 0x01DC),  # pinyin vowels with caron/diaeresis
    (0x01F8, 0x01F9),  # Ǹ ǹ
    (0x0251, 0x0251),  # ɑ
    (0x0261, 0x0261),  # ɡ
    (0x02C6, 0x02DD),  # spacing modifier letters (tone marks)
    (0x1E3E, 0x1E3F),  # Ḿ ḿ
    (0x2000, 0x206F),  # General Punctuation
    (0x20A0, 0x20CF),  # Currency Symbols
    (0x2100, 0x214F),  # Letterlike Symbols
    (0x2150, 0x218F),  # Number Forms (Ⅰ Ⅱ …)
    (0x2190, 0x21FF),  # Arrows
    (0x2200, 0x22FF),  # Mathematical Operators
    (0x2460, 0x24FF),  # Enclosed Alphanumerics (① …)
    (0x2500, 0x25FF),  # Box Drawing, Block Elements, Geometric Shapes
    (0x2600, 0x26FF),  # Miscellaneous Symbols (★ ☆ ☎ …)
    (0x2700, 0x27BF),  # Dingbats (✓ ✔ ❶ …)
    (0x2E3A, 0x2E3B),  # two-em and three-em dash
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x3200, 0x32FF),  # Enclosed CJK Letters and Months (㈠ ㊣ …)
    (0xFE10, 0xFE1F),  # Vertical Forms
    (0xFE30, 0xFE4F),  # CJK Compatibility Forms
    (0xFE50, 0xFE6F),  # Small Form Variants
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
    (0xFFFD, 0xFFFD),  # replacement character
)

# Blocks the rare fallback draws from (minus the GBK-level set).
RARE_RANGES: tuple[tuple[int, int], ...] = (
    (0x2E80, 0x2FDF),  # CJK Radicals Supplement, Kangxi Radicals
    (0x2FF0, 0x2FFF),  # Ideographic Description Characters
    (0x3190, 0x319F),  # Kanbun
    (0x31A0, 0x31BF),  # Bopomofo Extended
    (0x31C0, 0x31EF),  # CJK Strokes
    (0x3300, 0x33FF),  # CJK Compatibility
    (0x3400, 0x4DBF),  # CJK Ext A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs (the few outside GBK)
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x3FFFF),  # SIP/TIP: Ext B … and compatibility supplement
)

_OFL_STANZA = re.compile(r"^License: (SIL-1\.1|OFL-1\.1)\s*$")


def gbk_set() -> frozenset[int]:
    """Code points of the GBK-level faces (before intersecting with a face's cmap)."""
    chars: set[int] = set()
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp < 0xE000 or 0xE000 <= cp < 0xF900:  # surrogates, private use
            continue
        try:
            chr(cp).encode("gbk")
        except UnicodeEncodeError:
            continue
        chars.add(cp)
    for lo, hi in EXTRA_RANGES:
        chars.update(range(lo, hi + 1))
    return frozenset(chars)


def gbk_codec_set() -> frozenset[int]:
    """Non-ASCII characters the GBK codec encodes (for coverage counts)."""
    out = set()
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        try:
            chr(cp).encode("gbk")
        except UnicodeEncodeError:
            continue
        out.add(cp)
    return frozenset(out)


def gb2312_codec_set() -> frozenset[int]:
    """Non-ASCII characters the GB2312 codec encodes (for coverage counts)."""
    out = set()
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        out.add(cp)
    return frozenset(out)


def is_hanzi(cp: int) -> bool:
    return 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF


@dataclass(frozen=True)
class Job:
    out_name: str
    source: str  # path
    source_ps: str  # PostScript name of the sub-font to take
    package: str
    kind: str  # "gbk", "all", "rare"
    rename: tuple[str, str, str, str] | None = None  # family, subfamily, ps name, zh family (or "")
    description: str = ""
    licence_file: str = ""
    note: str = ""
    extras: dict = field(default_factory=dict)


def _find_fandol() -> Path:
    for d in FANDOL_CANDIDATES:
        p = d / "FandolFang-Regular.otf"
        if p.is_file():
            return p
    try:
        out = subprocess.run(["dpkg", "-L", "texlive-lang-chinese"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.endswith("/FandolFang-Regular.otf"):
                return Path(line)
    except (OSError, subprocess.CalledProcessError):
        pass
    raise SystemExit("FandolFang-Regular.otf not found: apt-get install texlive-lang-chinese")


def jobs() -> list[Job]:
    fandol = _find_fandol()
    serif_desc = (
        "GBK subset of {src} from the Debian package fonts-noto-cjk, outlines converted from CFF "
        "to TrueType, layout tables and hinting removed, by " + TOOL + "."
    )
    return [
        Job("NotoSerifCJKsc-Regular.ttf", str(NOTO_DIR / "NotoSerifCJK-Regular.ttc"), "NotoSerifCJKsc-Regular",
            "fonts-noto-cjk", "gbk", description=serif_desc.format(src="Noto Serif CJK SC Regular"),
            licence_file="OFL-NotoCJK.txt"),
        Job("NotoSerifCJKsc-Bold.ttf", str(NOTO_DIR / "NotoSerifCJK-Bold.ttc"), "NotoSerifCJKsc-Bold",
            "fonts-noto-cjk", "gbk", description=serif_desc.format(src="Noto Serif CJK SC Bold"),
            licence_file="OFL-NotoCJK.txt"),
        Job("NotoSansCJKsc-Regular.ttf", str(NOTO_DIR / "NotoSansCJK-Regular.ttc"), "NotoSansCJKsc-Regular",
            "fonts-noto-cjk", "gbk", description=serif_desc.format(src="Noto Sans CJK SC Regular"),
            licence_file="OFL-NotoCJK.txt"),
        Job("NotoSansCJKsc-Bold.ttf", str(NOTO_DIR / "NotoSansCJK-Bold.ttc"), "NotoSansCJKsc-Bold",
            "fonts-noto-cjk", "gbk", description=serif_desc.format(src="Noto Sans CJK SC Bold"),
            licence_file="OFL-NotoCJK.txt"),
        Job("BriefKai-Regular.ttf", str(WENKAI_DIR / "LXGWWenKai-Regular.ttf"), "LXGWWenKai-Regular",
            "fonts-lxgw-wenkai", "gbk", rename=("BriefKai", "Regular", "BriefKai-Regular", "简报楷体"),
            description=(
                "Modified version (GBK subset, layout tables removed) of LXGW WenKai Regular from the Debian "
                "package fonts-lxgw-wenkai, made by " + TOOL + ". Renamed BriefKai / 简报楷体 because the "
                "SIL Open Font License 1.1 of the original reserves the font names \"LXGW\" and \"霞鹜\"."
            ),
            licence_file="OFL-LXGWWenKai.txt",
            note="renamed from LXGW WenKai (OFL Reserved Font Names \"LXGW\", \"霞鹜\")"),
        Job("FandolFang-Regular.ttf", str(fandol), "FandolFang-Regular", "texlive-lang-chinese", "all",
            description=(
                "FandolFang Regular from the Debian package texlive-lang-chinese (CTAN fandol), outlines "
                "converted from CFF to TrueType, layout tables removed, all glyphs kept, by " + TOOL + ". "
                "GPL-3 with the GPL font exception, which is extended to this modified version."
            ),
            licence_file="LICENSE-Fandol.txt"),
        Job("NotoSerifCJKscRare-Regular.ttf", str(NOTO_DIR / "NotoSerifCJK-Regular.ttc"), "NotoSerifCJKsc-Regular",
            "fonts-noto-cjk", "rare",
            rename=("Noto Serif CJK SC Rare", "Regular", "NotoSerifCJKscRare-Regular", ""),
            description=(
                "The ideographs and CJK symbols of Noto Serif CJK SC Regular (Debian package fonts-noto-cjk) "
                "that are outside GBK (CJK Ext A, Ext B …), as a last-resort fallback; outlines converted from "
                "CFF to TrueType, by " + TOOL + "."
            ),
            licence_file="OFL-NotoCJK.txt"),
    ]


# --------------------------------------------------------------------------- loading


def load_face(path: str, ps_name: str) -> TTFont:
    if path.lower().endswith((".ttc", ".otc")):
        coll = TTCollection(path, lazy=True)
        for number, font in enumerate(coll.fonts):
            if font["name"].getDebugName(6) == ps_name:
                return TTFont(path, fontNumber=number, recalcTimestamp=False, recalcBBoxes=True)
        raise SystemExit(f"{path}: no sub-font {ps_name}")
    font = TTFont(path, recalcTimestamp=False, recalcBBoxes=True)
    if font["name"].getDebugName(6) != ps_name:
        raise SystemExit(f"{path}: PostScript name {font['name'].getDebugName(6)!r}, expected {ps_name!r}")
    return font


# --------------------------------------------------------------------------- conversion (otf2ttf)


def _glyphs_to_quadratic(glyph_set, glyph_order) -> dict:
    quad = {}
    for name in glyph_order:
        tt_pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(tt_pen, MAX_ERR, reverse_direction=True))
        quad[name] = tt_pen.glyph()
    return quad


def otf_to_ttf(font: TTFont) -> None:
    """Replace CFF outlines by TrueType ones in place (fontTools' otf2ttf snippet)."""
    assert font.sfntVersion == "OTTO" and "CFF " in font
    glyph_order = font.getGlyphOrder()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = _glyphs_to_quadratic(font.getGlyphSet(), glyph_order)
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    maxp.maxTwilightPoints = 0
    maxp.maxStorage = 0
    maxp.maxFunctionDefs = 0
    maxp.maxInstructionDefs = 0
    maxp.maxStackElements = 0
    maxp.maxSizeOfInstructions = 0
    maxp.maxComponentElements = max(
        (len(g.components) if hasattr(g, "components") else 0) for g in glyf.glyphs.values()
    )
    maxp.compile(font)
    post = font["post"]
    post.formatType = 3.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = None
    font.sfntVersion = "\000\001\000\000"


# --------------------------------------------------------------------------- names


def _append_note(font: TTFont, description: str, version_suffix: str, *, mark_unique: bool) -> None:
    name = font["name"]
    name.removeNames(nameID=10)
    name.setName(description, 10, 3, 1, 0x409)
    version = name.getDebugName(5) or ""
    name.removeNames(nameID=5)
    name.setName(f"{version}; {version_suffix}", 5, 3, 1, 0x409)
    if mark_unique:
        unique = name.getDebugName(3) or ""
        name.removeNames(nameID=3)
        name.setName(f"{unique};briefexport", 3, 3, 1, 0x409)


def rename(font: TTFont, family: str, subfamily: str, ps_name: str, zh_family: str) -> None:
    """Set name IDs 1, 2, 3, 4, 6, 16, 17 (all platforms' old records removed)."""
    name = font["name"]
    version = (name.getDebugName(5) or "").split(";")[0].replace("Version ", "").strip()
    name.names = [r for r in name.names if r.nameID not in (1, 2, 3, 4, 6, 16, 17, 18, 20, 21, 22, 25)]
    full = family if subfamily == "Regular" else f"{family} {subfamily}"
    for nid, value in ((1, family), (2, subfamily), (3, f"{version};briefexport;{ps_name}"),
                       (4, full), (6, ps_name), (16, family), (17, subfamily)):
        name.setName(value, nid, 3, 1, 0x409)
    if zh_family:
        for nid, value in ((1, zh_family), (2, subfamily), (4, zh_family), (16, zh_family), (17, subfamily)):
            name.setName(value, nid, 3, 1, 0x804)


# --------------------------------------------------------------------------- one face


def build_one(job: Job, out_dir: str) -> dict:
    start = time.perf_counter()
    font = load_face(job.source, job.source_ps)
    source_cmap = font.getBestCmap()
    is_cff = "CFF " in font
    base = gbk_set()
    if job.kind == "gbk":
        wanted = sorted(cp for cp in base if cp in source_cmap)
    elif job.kind == "rare":
        wanted = sorted(
            cp for cp in source_cmap
            if cp not in base and any(lo <= cp <= hi for lo, hi in RARE_RANGES)
        ) + [0x20]
    else:
        wanted = sorted(source_cmap)

    options = subset_options(drop=frozenset({"MATH"}), recalc_bounds=True)
    subsetter = subset.Subsetter(options)
    if job.kind == "all":
        subsetter.populate(glyphs=font.getGlyphOrder(), unicodes=wanted)
    else:
        subsetter.populate(unicodes=wanted)
    subsetter.subset(font)

    # Round-trip so the subset CFF is compact before drawing every glyph.
    buf = io.BytesIO()
    font.save(buf)
    buf.seek(0)
    font = TTFont(buf, recalcTimestamp=False, recalcBBoxes=True)
    if is_cff:
        otf_to_ttf(font)

    if job.rename:
        family, subfamily, ps_name, zh_family = job.rename
        rename(font, family, subfamily, ps_name, zh_family)
    suffix = "briefexport subset" if job.kind != "all" else "briefexport TrueType"
    _append_note(font, job.description, suffix + (", TrueType outlines" if is_cff and job.kind != "all" else ""),
                 mark_unique=job.rename is None)
    font["head"].created = FIXED_TIMESTAMP
    font["head"].modified = FIXED_TIMESTAMP

    out = Path(out_dir) / job.out_name
    tmp = out.with_suffix(".tmp")
    font.save(str(tmp))
    os.replace(tmp, out)

    # Report.
    check = TTFont(str(out), lazy=True)
    cmap = check.getBestCmap()
    gbk = gbk_codec_set()
    name = check["name"]
    zh = name.getName(16, 3, 1, 0x804) or name.getName(1, 3, 1, 0x804)
    return {
        "file": job.out_name,
        "family": name.getDebugName(16) or name.getDebugName(1),
        "zh_family": zh.toUnicode() if zh else "",
        "subfamily": name.getDebugName(17) or name.getDebugName(2),
        "ps_name": name.getDebugName(6),
        "source": job.source,
        "source_ps": job.source_ps,
        "package": job.package,
        "licence_file": job.licence_file,
        "note": job.note,
        "kind": job.kind,
        "glyphs": check["maxp"].numGlyphs,
        "chars": len(cmap),
        "hanzi": sum(1 for cp in cmap if is_hanzi(cp)),
        "gbk": sum(1 for cp in gbk if cp in cmap),
        "gbk_total": len(gbk),
        "gb2312": sum(1 for cp in gb2312_codec_set() if cp in cmap),
        "gb2312_total": len(gb2312_codec_set()),
        "gbk_missing": "".join(chr(cp) for cp in sorted(gbk) if cp not in cmap and is_hanzi(cp))[:40],
        "size": out.stat().st_size,
        "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
        "seconds": round(time.perf_counter() - start, 1),
    }


# --------------------------------------------------------------------------- licences and README


def _debian_ofl(copyright_file: Path) -> str:
    """The OFL text of a Debian machine-readable copyright file, de-indented."""
    lines = copyright_file.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        if _OFL_STANZA.match(line):
            inside = True
            continue
        if inside:
            if not line.startswith(" "):
                if out:
                    break
                inside = False  # the "License:" line of a Files stanza, not the licence text
                continue
            text = line[1:]
            out.append("" if text == "." else text)
    while out and not out[-1].strip():
        out.pop()
    if not out:
        raise SystemExit(f"{copyright_file}: no OFL stanza")
    return "\n".join(out) + "\n"


def _package_version(package: str) -> str:
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _copyright_notice(path: str, ps: str) -> str:
    return load_face(path, ps)["name"].getDebugName(0) or ""


def write_licences(out_dir: Path) -> None:
    noto_serif = _copyright_notice(str(NOTO_DIR / "NotoSerifCJK-Regular.ttc"), "NotoSerifCJKsc-Regular")
    noto_sans = _copyright_notice(str(NOTO_DIR / "NotoSansCJK-Regular.ttc"), "NotoSansCJKsc-Regular")
    wenkai = _copyright_notice(str(WENKAI_DIR / "LXGWWenKai-Regular.ttf"), "LXGWWenKai-Regular")
    noto_ofl = _debian_ofl(Path("/usr/share/doc/fonts-noto-cjk/copyright"))
    wenkai_ofl = _debian_ofl(Path("/usr/share/doc/fonts-lxgw-wenkai/copyright"))

    (out_dir / "OFL-NotoCJK.txt").write_text(
        "Noto Serif CJK SC and Noto Sans CJK SC (NotoSerifCJKsc-*.ttf, NotoSansCJKsc-*.ttf,\n"
        "NotoSerifCJKscRare-Regular.ttf in this folder: modified versions -- subsets with TrueType\n"
        f"outlines -- of the fonts of the Debian package fonts-noto-cjk {_package_version('fonts-noto-cjk')}).\n\n"
        f"Noto Serif CJK: {noto_serif}\n"
        f"Noto Sans CJK: {noto_sans}\n"
        "Noto is a trademark of Google Inc.\n"
        "Debian's copyright file for fonts-noto-cjk names no Reserved Font Name.\n\n"
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
        "This license is copied below, and is also available with a FAQ at:\n"
        "https://openfontlicense.org\n\n" + noto_ofl,
        encoding="utf-8",
    )
    (out_dir / "OFL-LXGWWenKai.txt").write_text(
        "BriefKai-Regular.ttf (family \"BriefKai\", Chinese name \"简报楷体\") in this folder is a\n"
        "Modified Version -- a GBK subset without layout tables -- of LXGW WenKai Regular (霞鹜文楷)\n"
        f"from the Debian package fonts-lxgw-wenkai {_package_version('fonts-lxgw-wenkai')}, made by {TOOL}.\n"
        "It is renamed because the original reserves the font names below (OFL condition 3).\n\n"
        + wenkai.replace("\r\n", "\n") + "\n"
        "With Reserved Font Names \"霞鹜\" and \"LXGW\".\n"
        "Klee is a trademark of Fontworks Inc.\n\n"
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
        "This license is copied below, and is also available with a FAQ at:\n"
        "https://openfontlicense.org\n\n" + wenkai_ofl,
        encoding="utf-8",
    )
    fandol_doc = Path("/usr/share/doc/texlive-doc/fonts/fandol")
    copying = fandol_doc / "COPYING.gz"
    if copying.is_file():
        gpl = gzip.decompress(copying.read_bytes()).decode("utf-8")
    elif (fandol_doc / "COPYING").is_file():
        gpl = (fandol_doc / "COPYING").read_text(encoding="utf-8")
    else:
        raise SystemExit("Fandol COPYING not found (texlive-lang-chinese)")
    if "As a special exception, if you create a document which uses this font" not in gpl:
        raise SystemExit("Fandol COPYING lacks the font exception")
    (out_dir / "LICENSE-Fandol.txt").write_text(
        "FandolFang-Regular.ttf in this folder is a modified version of FandolFang-Regular.otf\n"
        "(Fandol fonts by the Fandol team: Clerk Ma & Jie Su; CTAN fonts/fandol) from the Debian\n"
        f"package texlive-lang-chinese {_package_version('texlive-lang-chinese')}: its CFF outlines\n"
        "are converted to TrueType and its layout tables removed by\n"
        f"{TOOL}; that script together with the source file\n"
        "is the corresponding source of this file.\n\n"
        "Copyright © 2012-2013, the Fandol team.\n"
        "\"These fonts's licensing is GPL + GPL font exception.\" (Fandol README)\n"
        "The font exception at the end of the licence below is extended to this modified version.\n\n"
        + gpl.rstrip() + "\n",
        encoding="utf-8",
    )


def write_readme(out_dir: Path, reports: list[dict]) -> None:
    licences = {
        "OFL-NotoCJK.txt": "SIL OFL 1.1",
        "OFL-LXGWWenKai.txt": "SIL OFL 1.1",
        "LICENSE-Fandol.txt": "GPL-3 with font exception",
    }
    lines = [
        "# Bundled fonts",
        "",
        "Generated by `fonts/tools/build_fonts.py` from Debian font packages; do not edit by hand, rerun the",
        "script (deterministic: a rebuild is byte-identical). All files have TrueType (glyf) outlines",
        "so that reportlab can embed them, no layout tables and no hinting, and a unique PostScript name.",
        "",
        f"GBK and GB2312 below mean the {reports[0]['gbk_total']:,} and {reports[0]['gb2312_total']:,} non-ASCII "
        "characters Python's `gbk` and `gb2312` codecs encode.",
        "",
        "| file | family | PostScript name | source (package: file, face) | coverage | licence |",
        "|---|---|---|---|---|---|",
    ]
    for r in reports:
        fam = r["family"] + (f" / {r['zh_family']}" if r["zh_family"] and r["zh_family"] != r["family"] else "")
        fam += "" if r["subfamily"] == "Regular" else f" {r['subfamily']}"
        cover = (f"{r['chars']:,} chars, {r['hanzi']:,} hanzi; GBK {r['gbk']:,}/{r['gbk_total']:,}, "
                 f"GB2312 {r['gb2312']:,}/{r['gb2312_total']:,}")
        if r["kind"] == "rare":
            cover += " (only outside GBK: Ext A, Ext B …)"
        elif r["gbk_missing"] and r["gbk"] < r["gbk_total"] - 5:
            cover += " (lacks many GBK-only hanzi)"
        src = f"{r['package']}: `{r['source']}`, {r['source_ps']}"
        if r["note"]:
            src += f"; {r['note']}"
        lines.append(
            f"| `{r['file']}` | {fam} | `{r['ps_name']}` | {src} | {cover} | "
            f"{licences[r['licence_file']]}, [`{r['licence_file']}`]({r['licence_file']}) |"
        )
    lines += [
        "",
        "Sizes: " + ", ".join(f"`{r['file']}` {r['size'] / 1e6:.1f} MB" for r in reports) + ".",
        "",
        "BriefKai is LXGW WenKai renamed: the SIL OFL of LXGW WenKai reserves the names \"LXGW\" and",
        "\"霞鹜\", so this modified (subset) copy may not use them. FandolFang is GPL-3 with the font",
        "exception: documents embedding it are not covered by the GPL.",
        "",
    ]
    (out_dir / "README.md").write_text("\n".join(lines), encoding="utf-8")


def verify(out_dir: Path, reports: list[dict]) -> None:
    """Every file must load in reportlab's TTFont (TrueType outlines, embeddable)."""
    try:
        from reportlab.pdfbase.ttfonts import TTFont as ReportlabTTFont
    except ImportError:
        print("reportlab not installed: files not checked with it", file=sys.stderr)
        return
    for r in reports:
        font = ReportlabTTFont(f"check-{r['ps_name']}", str(out_dir / r["file"]))
        if font.face.name.decode("latin-1") != r["ps_name"]:
            raise SystemExit(f"{r['file']}: reportlab reads PostScript name {font.face.name!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    todo = jobs()
    # Longest first so that two workers finish together.
    order = sorted(range(len(todo)), key=lambda i: todo[i].kind != "gbk" or "Noto" not in todo[i].out_name)
    if args.jobs > 1:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = {i: pool.submit(build_one, todo[i], str(out_dir)) for i in order}
            reports = [futures[i].result() for i in range(len(todo))]
    else:
        reports = [build_one(job, str(out_dir)) for job in todo]
    write_licences(out_dir)
    write_readme(out_dir, reports)
    verify(out_dir, reports)
    names = [r["ps_name"] for r in reports]
    if len(set(names)) != len(names):
        raise SystemExit(f"PostScript names not unique: {names}")
    for r in reports:
        print(f"{r['file']:34} {r['size'] / 1e6:6.2f} MB  {r['ps_name']:28} glyphs {r['glyphs']:6} "
              f"chars {r['chars']:6} hanzi {r['hanzi']:6} GBK {r['gbk']}/{r['gbk_total']}  {r['seconds']} s  "
              f"{r['sha256'][:16]}")
    print(f"total {sum(r['size'] for r in reports) / 1e6:.1f} MB in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
