"""Tests of briefexport.fonts.fontset against the real bundled fonts (and system fonts where present)."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTCollection, TTFont

import briefexport.fonts.fontset as fonts_mod
from briefexport.errors import FontError
from briefexport.fonts.fontset import Face, FontSet, bundled_dir

BUNDLED_FILES = {
    "NotoSerifCJKsc-Regular.ttf": ("Noto Serif CJK SC", "NotoSerifCJKsc-Regular", False),
    "NotoSerifCJKsc-Bold.ttf": ("Noto Serif CJK SC", "NotoSerifCJKsc-Bold", True),
    "NotoSansCJKsc-Regular.ttf": ("Noto Sans CJK SC", "NotoSansCJKsc-Regular", False),
    "NotoSansCJKsc-Bold.ttf": ("Noto Sans CJK SC", "NotoSansCJKsc-Bold", True),
    "BriefKai-Regular.ttf": ("BriefKai", "BriefKai-Regular", False),
    "FandolFang-Regular.ttf": ("FandolFang", "FandolFang-Regular", False),
    "NotoSerifCJKscRare-Regular.ttf": ("Noto Serif CJK SC Rare", "NotoSerifCJKscRare-Regular", False),
}
GBK_LEVEL = ("NotoSerifCJKsc-Regular", "NotoSerifCJKsc-Bold", "NotoSansCJKsc-Regular", "NotoSansCJKsc-Bold",
             "BriefKai-Regular")
GBK_NOT_GB2312 = "镕堃喆"  # in GBK, not in GB2312
EXT_B_IN_NOTO = "𠮷"  # U+20BB7: an Ext B ideograph Noto CJK has
EXT_B_NOT_IN_NOTO = "𠀀"  # U+20000: no Noto CJK face has it


def _gbk_hanzi() -> list[str]:
    out = []
    for cp in range(0x4E00, 0xA000):
        try:
            chr(cp).encode("gbk")
        except UnicodeEncodeError:
            continue
        out.append(chr(cp))
    return out


@pytest.fixture(scope="module")
def fs() -> FontSet:
    return FontSet(system=False)


@pytest.fixture(scope="module")
def system_fs() -> FontSet:
    return FontSet()


def _by_ps(fs: FontSet) -> dict[str, Face]:
    return {face.ps_name: face for face in fs.bundled_faces()}


# --------------------------------------------------------------------------- bundled files


def test_bundled_files_present_with_licences():
    folder = bundled_dir()
    assert sorted(p.name for p in folder.glob("*.ttf")) == sorted(BUNDLED_FILES)
    for licence in ("OFL-NotoCJK.txt", "OFL-LXGWWenKai.txt", "LICENSE-Fandol.txt", "README.md"):
        assert (folder / licence).is_file(), licence
    assert "SIL OPEN FONT LICENSE Version 1.1" in (folder / "OFL-NotoCJK.txt").read_text(encoding="utf-8")
    wenkai = (folder / "OFL-LXGWWenKai.txt").read_text(encoding="utf-8")
    assert "Reserved Font Names" in wenkai and "BriefKai" in wenkai
    assert "As a special exception, if you create a document which uses this font" in (
        folder / "LICENSE-Fandol.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("file_name", sorted(BUNDLED_FILES))
def test_bundled_file_loads_in_reportlab(file_name):
    from reportlab.pdfbase.ttfonts import TTFont as RLTTFont

    font = RLTTFont(f"test-load-{file_name}", str(bundled_dir() / file_name))
    assert font.face.name.decode() == BUNDLED_FILES[file_name][1]


@pytest.mark.parametrize("file_name", sorted(BUNDLED_FILES))
def test_bundled_file_names_and_outlines(file_name):
    family, ps_name, bold = BUNDLED_FILES[file_name]
    with TTFont(bundled_dir() / file_name, lazy=True) as font:
        _check_names_and_outlines(font, family, ps_name, bold)


def _check_names_and_outlines(font, family, ps_name, bold):
    assert "glyf" in font and "CFF " not in font and "VORG" not in font
    assert font["maxp"].tableVersion == 0x00010000
    assert font["post"].formatType == 3.0
    name = font["name"]
    assert name.getDebugName(6) == ps_name
    assert (name.getDebugName(16) or name.getDebugName(1)) == family
    assert (font["OS/2"].usWeightClass >= 600) is bold
    # Reserved names of LXGW WenKai's licence appear in no naming record of the renamed copy.
    if ps_name == "BriefKai-Regular":
        for record in name.names:
            if record.nameID in (1, 3, 4, 6, 16, 17, 18, 21):
                assert "LXGW" not in record.toUnicode() and "霞鹜" not in record.toUnicode()
        assert name.getName(1, 3, 1, 0x804).toUnicode() == "简报楷体"


def test_postscript_names_unique():
    names = []
    for path in sorted(bundled_dir().glob("*.ttf")):
        with TTFont(path, lazy=True) as font:
            names.append(font["name"].getDebugName(6))
    assert len(names) == len(set(names)) == len(BUNDLED_FILES)


def test_bundled_faces(fs):
    faces = fs.bundled_faces()
    assert {(f.family, f.ps_name, f.bold) for f in faces} == set(BUNDLED_FILES.values())
    assert all(f.bundled and f.index == 0 and fs.is_truetype(f) for f in faces)


@pytest.mark.parametrize("ps_name", GBK_LEVEL)
def test_gbk_coverage(fs, ps_name):
    face = _by_ps(fs)[ps_name]
    for ch in GBK_NOT_GB2312 + "中国，。、；：？！“”‘’——……《》【】（）·　abcABC123 ①Ⅱ×÷±℃％":
        assert fs.covers(face, ch), (ps_name, ch)
    missing = [ch for ch in _gbk_hanzi() if not fs.covers(face, ch)]
    assert missing == []
    assert not fs.covers(face, EXT_B_IN_NOTO)


def test_fandol_coverage(fs):
    face = _by_ps(fs)["FandolFang-Regular"]
    assert fs.coverage_count(face) > 10000
    assert all(fs.covers(face, ch) for ch in "中华人民共和国国务院办公厅朱基")
    assert not fs.covers(face, "镕")  # the pitfall: FandolFang lacks some GBK hanzi


def test_rare_coverage(fs):
    rare = fs.rare()
    assert rare.family == "Noto Serif CJK SC Rare"
    assert fs.covers(rare, EXT_B_IN_NOTO) and fs.covers(rare, "㐀")  # Ext B, Ext A
    assert not fs.covers(rare, "中")  # GBK is left to the GBK-level faces
    assert fs.coverage_count(rare) > 9000


# --------------------------------------------------------------------------- find / chain


def test_find_bundled(fs):
    fang = fs.find("FandolFang")
    assert fang is not None and fang.bundled and fang.ps_name == "FandolFang-Regular"
    sans_bold = fs.find("Noto Sans CJK SC", bold=True)
    assert sans_bold is not None and sans_bold.bundled and sans_bold.bold
    assert sans_bold.ps_name == "NotoSansCJKsc-Bold"
    assert fs.find("noto  sans cjk sc").ps_name == "NotoSansCJKsc-Regular"  # case and spaces
    assert fs.find("简报楷体") == fs.find("BriefKai") == fs.find("briefkai-regular")
    assert fs.find("FandolFang", bold=True) == fang  # no bold face: the regular one
    assert fs.find("No Such Family") is None
    assert fs.find("") is None


def test_bundled_families_never_scan(monkeypatch):
    def boom():
        raise AssertionError("system fonts scanned although every family is bundled")

    monkeypatch.setattr(fonts_mod, "system_dirs", boom)
    fs = FontSet()
    chain = fs.chain(["FandolFang", "Noto Sans CJK SC", "BriefKai"], bold=True)
    assert fs.face_for(chain, "中") is not None


def test_chain(fs):
    chain = fs.chain(["FandolFang", "Nonexistent Font", "FandolFang"])
    assert [f.ps_name for f in chain] == ["FandolFang-Regular", "NotoSerifCJKsc-Regular", "NotoSerifCJKscRare-Regular"]
    bold = fs.chain(["Noto Sans CJK SC"], bold=True)
    assert [f.ps_name for f in bold] == ["NotoSansCJKsc-Bold", "NotoSerifCJKsc-Bold", "NotoSerifCJKscRare-Regular"]
    assert [f.ps_name for f in fs.chain([])] == ["NotoSerifCJKsc-Regular", "NotoSerifCJKscRare-Regular"]
    serif = fs.chain(["Noto Serif CJK SC"])
    assert [f.ps_name for f in serif] == ["NotoSerifCJKsc-Regular", "NotoSerifCJKscRare-Regular"]
    assert chain[-1] == fs.rare()


def test_face_for_and_missing(fs):
    chain = fs.chain(["FandolFang"])
    fang, serif, rare = chain
    assert fs.face_for(chain, "朱") == fang
    assert fs.face_for(chain, "镕") == serif
    assert fs.face_for(chain, EXT_B_IN_NOTO) == rare
    assert fs.face_for(chain, "😀") is None
    assert fs.face_for(chain, EXT_B_NOT_IN_NOTO) is None
    assert fs.missing("😀", chain) == ["😀"]
    assert fs.missing("朱镕基😀说𠀀，😀\n\u200d\ufe0f", chain) == ["😀", EXT_B_NOT_IN_NOTO]
    assert fs.missing("朱镕基", chain) == []


def test_split_runs(fs):
    chain = fs.chain(["FandolFang"])
    fang, serif, rare = chain
    text = "朱镕基说 Hello\n𠮷 😀😀 end"
    runs = fs.split_runs(text, chain)
    assert "".join(s for _, s in runs) == text
    assert runs == [
        (fang, "朱"),
        (serif, "镕"),
        (fang, "基说 Hello\n"),
        (rare, "𠮷 "),
        (None, "😀😀"),
        (fang, " end"),
    ]
    # maximal runs: no two neighbours share a face
    assert all(a[0] != b[0] for a, b in zip(runs, runs[1:]))
    assert fs.split_runs("", chain) == []
    assert fs.split_runs("\n", chain) == [(fang, "\n")]
    assert fs.split_runs("\n中", chain) == [(fang, "\n中")]


def test_chain_coverage_speed(fs):
    text = ("国务院关于朱镕基同志的报告：第一、二、三项（2024年）“重要”——完成…𠮷 Latin text. " * 200)[:10000]
    start = time.perf_counter()
    local = FontSet(system=False)
    chain = local.chain(["FandolFang", "Noto Sans CJK SC"])
    runs = local.split_runs(text, chain)
    assert local.missing(text, chain) == []
    elapsed = time.perf_counter() - start
    assert "".join(s for _, s in runs) == text
    assert elapsed < 2.0, elapsed  # about 0.02 s on an idle machine


# --------------------------------------------------------------------------- system and extra folders


def _glyph(kind: str):
    if kind == "cff":
        pen = T2CharStringPen(600, None)
    else:
        pen = TTGlyphPen(None)
    pen.moveTo((100, 0))
    pen.lineTo((100, 700))
    pen.lineTo((500, 700))
    pen.lineTo((500, 0))
    pen.closePath()
    return pen.getCharString() if kind == "cff" else pen.glyph()


def _make_font(family: str, ps_name: str, chars: str, *, kind: str = "ttf", weight: int = 400,
               zh_family: str | None = None) -> TTFont:
    names = [".notdef", "space"] + [f"uni{ord(c):04X}" for c in chars]
    fb = FontBuilder(1000, isTTF=(kind == "ttf"))
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({0x20: "space", **{ord(c): f"uni{ord(c):04X}" for c in chars}})
    if kind == "ttf":
        fb.setupGlyf({n: _glyph("ttf") for n in names})
    else:
        fb.setupCFF(ps_name, {"FullName": family}, {n: _glyph("cff") for n in names}, {})
    fb.setupHorizontalMetrics({n: (600, 100) for n in names})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    name_strings = {"familyName": family, "styleName": "Bold" if weight >= 600 else "Regular", "psName": ps_name}
    fb.setupNameTable(name_strings)
    if zh_family:
        fb.font["name"].setName(zh_family, 1, 3, 1, 0x804)
    fb.setupOS2(usWeightClass=weight, fsSelection=0x20 if weight >= 600 else 0x40)
    fb.setupPost()
    return fb.font


@pytest.fixture()
def font_dir(tmp_path) -> Path:
    d = tmp_path / "fonts"
    (d / "sub").mkdir(parents=True)
    _make_font("TestFang", "TestFang-Regular", "仿宋体", zh_family="测试仿宋").save(d / "TestFang.ttf")
    _make_font("TestFang", "TestFang-Bold", "仿宋体", weight=700, zh_family="测试仿宋").save(d / "sub" / "TestFangB.ttf")
    _make_font("TestCff", "TestCff-Regular", "宋", kind="cff").save(d / "TestCff.otf")
    coll = TTCollection()
    coll.fonts = [_make_font("TestHei A", "TestHeiA-Regular", "黑"), _make_font("TestHei B", "TestHeiB-Regular", "体")]
    coll.save(d / "TestHei.ttc")
    (d / "broken.ttf").write_bytes(b"\x00\x01\x00\x00garbage")
    (d / "notes.txt").write_text("not a font")
    return d


def test_extra_dirs(font_dir):
    fs = FontSet(system=False, extra_dirs=[font_dir])
    regular = fs.find("测试仿宋")
    assert regular is not None and not regular.bundled and regular.ps_name == "TestFang-Regular"
    assert regular.family == "TestFang"
    bold = fs.find("testfang", bold=True)
    assert bold.ps_name == "TestFang-Bold" and bold.bold
    hei_b = fs.find("TestHei B")
    assert hei_b.index == 1 and hei_b.path.name == "TestHei.ttc"
    assert fs.covers(hei_b, "体") and not fs.covers(hei_b, "黑")
    chain = fs.chain(["测试仿宋", "TestHei B"])
    assert [f.ps_name for f in chain][:2] == ["TestFang-Regular", "TestHeiB-Regular"]
    assert fs.face_for(chain, "仿") == regular and fs.face_for(chain, "体") == regular
    assert fs.face_for(chain, "中").ps_name == "NotoSerifCJKsc-Regular"
    assert fs.find("TestFang").bundled is False
    assert FontSet(system=False).find("测试仿宋") is None


def test_reportlab_name_ttc_and_cff(font_dir):
    fs = FontSet(system=False, extra_dirs=[font_dir])
    cff = fs.find("TestCff")
    assert not fs.is_truetype(cff)
    with pytest.raises(FontError, match="PostScript \\(CFF\\) outlines"):
        fs.reportlab_name(cff)
    assert cff not in fs.chain(["TestCff"], truetype_only=True)
    assert cff in fs.chain(["TestCff"])
    hei_b = fs.find("TestHei B")
    assert fs.reportlab_name(hei_b) == "TestHeiB-Regular"
    from reportlab.pdfbase import pdfmetrics

    assert pdfmetrics.getFont("TestHeiB-Regular").face.name == b"TestHeiB-Regular"


def test_reportlab_name_idempotent(fs):
    from reportlab.pdfbase import pdfmetrics

    face = fs.find("FandolFang")
    name = fs.reportlab_name(face)
    font = pdfmetrics.getFont(name)
    assert name == "FandolFang-Regular"
    assert FontSet(system=False).reportlab_name(face) == name  # another FontSet, same process
    assert pdfmetrics.getFont(name) is font
    assert fs.reportlab_name(face) == name


def test_reportlab_name_collision(tmp_path):
    # Another file with a bundled face's PostScript name must not be silently merged into it.
    _make_font("Fake Fang", "FandolFang-Regular", "仿").save(tmp_path / "fake.ttf")
    fs = FontSet(system=False, extra_dirs=[tmp_path])
    FontSet(system=False).reportlab_name(FontSet(system=False).find("FandolFang"))
    fake = fs.find("Fake Fang")
    with pytest.raises(FontError, match="already registered"):
        fs.reportlab_name(fake)


def _cff_collection_from_bundled(out: Path, family: str, chars: str) -> Path:
    """A .ttc holding one CFF face with the bundled Noto Serif's real glyphs for ``chars``.

    It stands for the system Noto CJK collections, whose outlines are CFF, without needing any
    system font: the test runs the same on a bare machine.
    """
    from fontTools import subset
    from fontTools.pens.t2CharStringPen import T2CharStringPen

    source = TTFont(FontSet(system=False).find("Noto Serif CJK SC").path)
    options = subset.Options()
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars + " ")
    subsetter.subset(source)
    glyph_set = source.getGlyphSet()
    order = source.getGlyphOrder()
    charstrings = {}
    for name in order:
        pen = T2CharStringPen(glyph_set[name].width, glyph_set)
        glyph_set[name].draw(pen)
        charstrings[name] = pen.getCharString()
    fb = FontBuilder(source["head"].unitsPerEm, isTTF=False)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap(source.getBestCmap())
    ps_name = family.replace(" ", "") + "-Regular"
    fb.setupCFF(ps_name, {"FullName": family}, charstrings, {})
    fb.setupHorizontalMetrics({name: source["hmtx"][name] for name in order})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": family, "styleName": "Regular", "psName": ps_name})
    fb.setupOS2(usWeightClass=500)
    fb.setupPost()
    collection = TTCollection()
    collection.fonts = [fb.font]
    path = out / "NotoSerifCJK-Medium.ttc"
    collection.save(path)
    return path


def test_system_cff_face(tmp_path: Path) -> None:
    _cff_collection_from_bundled(tmp_path, "Noto Serif CJK SC Medium", "必须坚持")
    system_fs = FontSet(system=False, extra_dirs=[tmp_path])
    medium = system_fs.find("Noto Serif CJK SC Medium")
    assert medium is not None and not medium.bundled and not system_fs.is_truetype(medium)
    assert system_fs.covers(medium, "坚") and not system_fs.covers(medium, "国")
    with pytest.raises(FontError, match="CFF"):
        system_fs.reportlab_name(medium)
    # the bundled face still wins for the family name
    assert system_fs.find("Noto Serif CJK SC").bundled


# --------------------------------------------------------------------------- subsetting


def test_subset_bytes(fs):
    face = fs.find("Noto Serif CJK SC")
    chars = "国务院关于A"
    data = fs.subset_bytes(face, chars)
    assert data == fs.subset_bytes(face, chars)  # deterministic
    assert 1000 < len(data) < 30000
    font = TTFont(io.BytesIO(data))
    cmap = font.getBestCmap()
    assert set(cmap) == {ord(c) for c in chars} | {0x20}
    assert font["maxp"].numGlyphs == len(chars) + 2  # + .notdef + space
    assert font["name"].getDebugName(6) == "NotoSerifCJKsc-Regular"
    assert "glyf" in font
    from reportlab.pdfbase.ttfonts import TTFont as RLTTFont

    RLTTFont("subset-test", io.BytesIO(data))  # still embeddable


def test_subset_woff2_and_rename(fs):
    kai = fs.find("BriefKai")
    woff2 = fs.subset_bytes(kai, "楷体字", flavor="woff2")
    assert woff2[:4] == b"wOF2"
    assert woff2 == fs.subset_bytes(kai, "楷体字", flavor="woff2")
    font = TTFont(io.BytesIO(woff2))
    assert font["maxp"].numGlyphs == 5
    assert font["name"].getDebugName(6) == "BriefKai-Regular"
    with pytest.raises(ValueError):
        fs.subset_bytes(kai, "字", flavor="eot")


def test_subset_renames_reserved_names(tmp_path):
    _make_font("LXGW WenKai", "LXGWWenKai-Regular", "楷", zh_family="霞鹜文楷").save(tmp_path / "wk.ttf")
    fs = FontSet(system=False, extra_dirs=[tmp_path])
    face = fs.find("LXGW WenKai")
    font = TTFont(io.BytesIO(fs.subset_bytes(face, "楷")))
    names = [r.toUnicode() for r in font["name"].names if r.nameID in (1, 3, 4, 6, 16)]
    assert not any("LXGW" in n or "霞鹜" in n for n in names)
    assert font["name"].getDebugName(6) == "BriefKai-Regular"
    assert font["name"].getName(1, 3, 1, 0x804).toUnicode() == "简报楷体"


# --------------------------------------------------------------------------- a real PDF


@pytest.mark.skipif(not (shutil.which("pdffonts") and shutil.which("pdftotext")), reason="poppler-utils missing")
def test_pdf_embeds_subset_with_unicode(tmp_path, fs):
    from reportlab import rl_config
    from reportlab.pdfgen import canvas

    chain = fs.chain(["FandolFang"], truetype_only=True)
    text = "国务院办公厅：朱镕基同志“讲话”——𠮷"
    pdf = tmp_path / "t.pdf"
    old_base = rl_config.canvas_basefontname
    rl_config.canvas_basefontname = fs.reportlab_name(chain[0])
    try:
        c = canvas.Canvas(str(pdf), invariant=1)
        x = 72
        for face, run in fs.split_runs(text, chain):
            assert face is not None
            name = fs.reportlab_name(face)
            c.setFont(name, 14)
            c.drawString(x, 720, run)
            x += c.stringWidth(run, name, 14)
        c.showPage()
        c.save()
    finally:
        rl_config.canvas_basefontname = old_base
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    assert {row[0].split("+")[1] for row in rows} == {
        "FandolFang-Regular", "NotoSerifCJKsc-Regular", "NotoSerifCJKscRare-Regular"}
    for row in rows:
        assert row[-5:-2] == ["yes", "yes", "yes"], listing  # emb sub uni
        assert "Helvetica" not in row[0]
    extracted = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert extracted.strip() == text


def test_tounicode_outside_bmp(fs):
    from reportlab.pdfbase import ttfonts

    fs.reportlab_name(fs.rare())  # applies the fix if this reportlab needs it
    cmap = ttfonts.makeToUnicodeCMap("F", [0, 0x41, 0x4E2D, 0x20BB7])
    assert "<00> <0000>\n<01> <0041>\n<02> <4E2D>\n<03> <D842DFB7>" in cmap  # UTF-16BE, as PDF wants
    fs.reportlab_name(fs.rare())
    assert ttfonts.makeToUnicodeCMap("F", [0, 0x20BB7]).count("D842DFB7") == 1


def _fonttools_coverage(path: Path, index: int = 0) -> set[int]:
    number = index if path.suffix.lower() in (".ttc", ".otc") else -1
    with TTFont(path, fontNumber=number, lazy=True) as font:
        return {cp for cp, glyph in font.getBestCmap().items() if glyph != ".notdef"}


def test_cmap_reader_matches_fonttools(tmp_path, fs):
    # Bundled faces (format 4 and 12 subtables) …
    for face in fs.bundled_faces():
        expected = _fonttools_coverage(face.path)
        assert fs.coverage_count(face) == len(expected), face.ps_name
        assert all(fs.covers(face, chr(cp)) for cp in expected)
    # … and a format 4 subtable that needs idRangeOffset (code points mapped to scattered glyphs).
    chars = "ABCDEFGHIJ仿宋"
    font = _make_font("Shuffled", "Shuffled-Regular", chars)
    order = font.getGlyphOrder()
    scattered = {ord(c): order[2 + (i * 7) % len(chars)] for i, c in enumerate(chars)}
    for table in font["cmap"].tables:
        table.cmap = dict(scattered)
    font.save(tmp_path / "shuffled.ttf")
    with TTFont(tmp_path / "shuffled.ttf") as check:
        sub = check["cmap"].getcmap(3, 1)
        assert sub.format == 4
    local = FontSet(system=False, extra_dirs=[tmp_path])
    face = local.find("Shuffled")
    assert {cp for cp in range(0x10000) if local.covers(face, chr(cp))} == set(scattered)
