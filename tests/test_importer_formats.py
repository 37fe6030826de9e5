"""Import from saved web pages, clipboard HTML, Word files and text with other junk; the CLI never loses a review."""

from __future__ import annotations

import random
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from docx import Document as WordDocument
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from briefexport import loads, number
from briefexport.builder.api import render
from briefexport.importer import import_html, import_path, import_text
from briefexport.importer.docx import format_counter
from briefexport.numbering import NumberedDocument
from conftest import require_tool
from test_importer import headings, outline_text, units, without, without_comments

DATA = Path(__file__).resolve().parent / "data" / "import"
CASES = sorted(DATA.glob("*.case.yaml"))


def _numbered(yaml_text: str) -> NumberedDocument:
    return number(loads(yaml_text, "imported.yaml"))


def _bold_spans(numbered: NumberedDocument) -> list[str]:
    paras = [*numbered.doc.lead, *(p for item in numbered.walk() for p in item.node.body)]
    return [span.text for para in paras for span in para.spans if span.bold]


# -- the corpus: each file imports to its clean text with the structure a person marks up ----


@pytest.mark.parametrize("case_path", CASES, ids=lambda path: path.name.split(".")[0])
def test_corpus_text_equals_the_clean_source(case_path: Path) -> None:
    case = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    result = import_path(DATA / case["file"])
    numbered = _numbered(result.yaml)
    clean = without((DATA / case["clean"]).read_text(encoding="utf-8"), [], case.get("meta_lines", []))
    assert units(outline_text(numbered)) == units(clean)
    assert headings(numbered) == case["headings"]
    meta = numbered.doc.meta
    assert (meta.title, meta.subtitle, meta.source) == (case["title"], case.get("subtitle"), case.get("source"))
    assert (str(meta.date) if meta.date else None) == case.get("date")
    assert _bold_spans(numbered) == case.get("bold", [])


def test_there_are_pages_and_junk_texts_in_the_corpus() -> None:
    files = {yaml.safe_load(path.read_text(encoding="utf-8"))["file"] for path in CASES}
    assert {"discuz_thread.html", "news_article.html", "other_junk.txt"} <= files
    assert b'class="jammer"' in (DATA / "discuz_thread.html").read_bytes()
    assert b"charset=gbk" in (DATA / "discuz_thread.html").read_bytes()


def test_discuz_chrome_and_replies_are_left_out() -> None:
    text = outline_text(_numbered(import_path(DATA / "discuz_thread.html").yaml))
    for chrome in ("本帖最后由", "编辑", "发表于", "签名", "支持，学习了", "楼主", "Discuz", "查看", "首页"):
        assert chrome not in text


def _as_mhtml(page: bytes) -> bytes:
    """The page as Chrome's "single file" (.mhtml) saves it: MIME, quoted-printable, with an image part."""
    from email.message import EmailMessage

    message = EmailMessage()
    message["Subject"] = "page"
    message.set_content(page.decode("utf-8"), subtype="html", cte="quoted-printable")
    message.add_related(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", maintype="image", subtype="gif", cid="<logo>")
    return b"From: <Saved by Blink>\r\n" + message.as_bytes()


def test_single_file_and_xhtml_pages_import_like_the_html_page(tmp_path: Path) -> None:
    page = (DATA / "news_article.html").read_bytes()
    expected = without_comments(import_path(DATA / "news_article.html").yaml)
    (tmp_path / "news.mhtml").write_bytes(_as_mhtml(page))
    assert b"=E5" in (tmp_path / "news.mhtml").read_bytes(), "quoted-printable, as browsers write it"
    (tmp_path / "news.xhtml").write_bytes(b'<?xml version="1.0" encoding="utf-8"?>\n' + page)
    for name in ("news.mhtml", "news.xhtml"):
        assert without_comments(import_path(tmp_path / name).yaml) == expected


def test_clipboard_html_imports_like_the_saved_page() -> None:
    # What a browser puts on the clipboard: a fragment between StartFragment markers, inline styles.
    fragment = (
        "<html><body><!--StartFragment--><h1>标题</h1><p style='text-indent:2em'>会议要求，"
        "<span style='display:none'>! y1 { b% b4 U: e5 n3 L</span><strong>一是</strong>提高认识，二是狠抓落实。</p>"
        "<p>第二段<font class='jammer'>+ l* {6 l% e R& Q</font>正文<b>要点词</b>。</p>"
        # a class that the page's own style sheet hides, with a random name as some sites use
        "<style>.k3f, .x9 {display: none}</style><p>第三段<i class='k3f'>隐藏水印</i>结束。</p>"
        "<!--EndFragment--></body></html>"
    )
    numbered = _numbered(import_html(fragment).yaml)
    assert numbered.doc.meta.title == "标题"
    assert units(outline_text(numbered)) == units("标题 会议要求，一是提高认识，二是狠抓落实。第二段正文要点词。第三段结束。")
    assert _bold_spans(numbered) == ["要点词"]


def test_html_without_visible_text_is_one_clear_error(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text("<html><head><script>var a=1;</script></head><body><div style='display:none'>x</div></body></html>")
    with pytest.raises(Exception, match=r"empty\.html:1:1: error: no text to import"):
        import_path(page)


# -- Word files ---------------------------------------------------------------

_WORD_TEXT = [
    ("Title", "今年公安工作怎么干？"),
    ("Normal", "今年是新中国成立75周年。会议要求，奋力推进公安工作现代化。"),
    ("Heading 1", "一、六个“必须坚持”"),
    ("Normal", "在过去一年的公安工作实践中，深化了两个方面的认识："),
    ("Normal", "一是必须坚持党的绝对领导，确保公安工作始终保持坚定正确的政治方向。"),
    ("Normal", "二是必须坚持人民公安为人民，不断增强人民群众获得感。"),
    ("Heading 1", "二、八个“重点任务”"),
    ("Normal", "重点任务一：高站位落实党的绝对领导的制度机制。深化110与12345高效对接联动。"),
    ("Normal", "重点任务二：高标准捍卫国家政治安全。"),
]


def _word_file(path: Path, bold: str) -> None:
    """A colleague's Word file with typed labels; one phrase bold, split over two runs as Word does."""
    doc = WordDocument()
    for style, text in _WORD_TEXT:
        para = doc.add_paragraph(style=style)
        head, found, tail = text.partition(bold)
        para.add_run(head)
        if found:
            para.add_run(bold[:2]).bold = True
            para.add_run(bold[2:]).bold = True
        para.add_run(tail)
    doc.save(str(path))


def test_word_file_with_typed_labels_matches_its_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "colleague.docx"
    _word_file(path, "高效对接联动")
    from_word = import_path(path)
    from_text = import_text("\n".join(text for _, text in _WORD_TEXT))
    assert without_comments(from_word.yaml).replace("**", "") == without_comments(from_text.yaml)
    numbered = _numbered(from_word.yaml)
    assert _bold_spans(numbered) == ["高效对接联动"]
    assert headings(numbered)[:3] == ["一、六个“必须坚持”", "  一是必须坚持党的绝对领导", "  二是必须坚持人民公安为人民"]


@pytest.fixture(scope="module")
def numbered_docx(tmp_path_factory: pytest.TempPathFactory, seed_doc: NumberedDocument) -> Path:
    """The briefing as a DOCX with real Word numbering (numbering.xml: chineseCounting, %1、, %2是, 重点任务%2：)."""
    return render(seed_doc, "docx", tmp_path_factory.mktemp("word") / "briefing.docx")


def test_word_numbering_is_computed_from_numbering_xml(numbered_docx: Path, seed_doc: NumberedDocument) -> None:
    imported = _numbered(import_path(numbered_docx).yaml)
    assert headings(imported) == headings(seed_doc)
    assert outline_text(imported) == outline_text(seed_doc)


@pytest.mark.slow
def test_word_numbering_labels_are_what_libreoffice_shows(numbered_docx: Path, tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "txt:Text (encoded):UTF8",
         "--outdir", str(tmp_path), str(numbered_docx)],
        check=True, capture_output=True, timeout=180,
    )
    shown = (tmp_path / "briefing.txt").read_text(encoding="utf-8-sig").splitlines()
    # LibreOffice writes the table of contents' field result first (each entry ends in a tab and its page
    # number); the briefing starts after its last entry.
    start = max(i for i, line in enumerate(shown) if re.search(r"\t\d+$", line)) + 1
    text = "\n".join([shown[0], *shown[start:]])  # the title; the subtitle is Word-style evidence plain text lacks
    from_word, from_text = _numbered(import_path(numbered_docx).yaml), _numbered(import_text(text).yaml)
    assert headings(from_word) == headings(from_text)
    subtitle = from_word.doc.meta.subtitle or ""
    assert units(outline_text(from_word).replace(subtitle, "", 1)) == units(outline_text(from_text))


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
#: Word's own multilevel list for Chinese documents: 一、 （一） 1. and a legal-style 1.1 level.
_ABSTRACT = f"""<w:abstractNum {_W} w:abstractNumId="90"><w:multiLevelType w:val="multilevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:isLgl/><w:lvlText w:val="%2.%3"/><w:suff w:val="space"/></w:lvl>
</w:abstractNum>"""


def _numbered_word_file(path: Path) -> list[str]:
    """A Word file whose labels exist only in numbering.xml; returns the text as Word shows it."""
    from docx.oxml import parse_xml

    doc = WordDocument()
    numbering = doc.part.numbering_part.element
    numbering.insert(0, parse_xml(_ABSTRACT))
    numbering.append(parse_xml(f'<w:num {_W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    shown = ["关于做好安全生产工作的通知"]
    doc.add_paragraph(shown[0], style="Title")
    rows = [(0, "总体要求", "一、"), (1, "指导思想", "（一）"), (2, "坚持人民至上。", "1.1 "), (2, "坚持安全第一。", "1.2 "),
            (1, "工作目标", "（二）"), (0, "重点任务", "二、"), (1, "排查隐患", "（一）"), (2, "建立清单。", "1.1 ")]
    for level, text, label in rows:
        para = doc.add_paragraph(text, style="Heading 1" if level == 0 else None)
        para._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {_W}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>')
        )
        shown.append(label + text)
    doc.save(str(path))
    return shown


def test_word_lvltext_formats_and_restarts(tmp_path: Path) -> None:
    path = tmp_path / "tongzhi.docx"
    shown = _numbered_word_file(path)
    from_word = import_path(path)
    assert without_comments(from_word.yaml) == without_comments(import_text("\n".join(shown)).yaml)
    assert headings(_numbered(from_word.yaml))[:2] == ["一、总体要求", "  （一）指导思想"]


@pytest.mark.slow
def test_libreoffice_numbering_imports_as_libreoffice_shows_it(tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    page = tmp_path / "lists.html"
    page.write_text(
        "<html><head><meta charset='utf-8'></head><body><p>全市安全生产工作要点</p><p>今年要抓好以下工作。</p>"
        "<ol><li>压实安全责任，层层签订责任书。</li><li>开展隐患排查，建立问题清单。</li>"
        "<li>强化应急演练，提升处置能力。</li></ol></body></html>",
        encoding="utf-8",
    )
    profile = f"-env:UserInstallation=file://{tmp_path}/lo"
    for target, source in (("docx:MS Word 2007 XML", page), ("txt:Text (encoded):UTF8", tmp_path / "lists.docx")):
        subprocess.run([soffice, "--headless", profile, "--convert-to", target, "--outdir", str(tmp_path), str(source)],
                       check=True, capture_output=True, timeout=180)
    assert b"<w:numFmt" in __import__("zipfile").ZipFile(tmp_path / "lists.docx").read("word/numbering.xml")
    shown = (tmp_path / "lists.txt").read_text(encoding="utf-8-sig")
    from_word = _numbered(import_path(tmp_path / "lists.docx").yaml)
    assert headings(from_word) == headings(_numbered(import_text(shown).yaml))
    assert [item.heading for item in from_word.walk()] == ["1.压实安全责任，层层签订责任书", "2.开展隐患排查，建立问题清单", "3.强化应急演练，提升处置能力"]


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [(1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"), (21, "chineseCounting", "二十一"),
     (4, "upperRoman", "IV"), (3, "lowerLetter", "c"), (12, "decimal", "12"), (2, "decimalEnclosedCircle", "②"),
     (3, "ideographTraditional", "丙")],
)
def test_word_number_formats(value: int, fmt: str, shown: str) -> None:
    assert format_counter(value, fmt) == shown


# -- junk of both kinds, injected into clean briefings -------------------------

_BRIEFING_LINES = [
    "市委常委会传达学习全国两会精神",
    "会议指出，今年是新中国成立75周年，深化110与12345高效对接联动。",
    "一、基础设施",
    "新建5G基站1200个，占GDP比重达到10.3%，详见网站。",
    "二、产业发展",
    "引进A、B、C三类重点企业，苹果公司Tim Cook到访。",
    "三、疫情后复苏",
    "受COVID-19疫情影响的行业全面恢复。",
]
_JUNK_CHARS = string.ascii_letters + string.digits + "/._}{%&#!;:"


def _random_tokens(rng: random.Random) -> str:
    """Junk as the non-Discuz generators write it: 6-12 tokens of 1-2 random characters, some of two kinds."""
    while True:
        tokens = ["".join(rng.choice(_JUNK_CHARS) for _ in range(rng.choice((1, 2)))) for _ in range(rng.randint(6, 12))]
        kinds = [{c.isupper(), c.islower(), c.isdigit()} for t in tokens if len(t) == 2 for c in t[:1]]
        mixed = sum(len({_kind(c) for c in t}) == 2 for t in tokens if len(t) == 2)
        if mixed >= 2 and kinds:
            return " ".join(tokens)


def _kind(char: str) -> str:
    return "u" if char.isupper() else "l" if char.islower() else "d" if char.isdigit() else "s"


def _discuz(rng: random.Random) -> str:
    pairs = "".join(f"{chr(rng.randint(32, 59))} {chr(rng.randint(63, 126))}" for _ in range(rng.randint(5, 15)))
    return re.sub(" +", " ", pairs).strip()


_CLEAN_BRIEFINGS = [
    _BRIEFING_LINES,
    (DATA / "discuz_thread.clean.txt").read_text(encoding="utf-8").splitlines(),
    (DATA / "news_article.clean.txt").read_text(encoding="utf-8").splitlines(),
]


def _next_to_chinese(char: str) -> bool:
    return "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef" or char in "“”"


def _inject(lines: list[str], rng: random.Random, places: list[tuple[int, bool, bool]]) -> list[str]:
    """Junk at line starts and ends that touch Chinese text, as the generators put it; one run per place.

    Next to a digit or a Latin word no reader could tell junk from text (``…r2`` + ``3月`` reads ``r23月``),
    and two runs glued without a space would be one long token.
    """
    dirty = list(lines)
    for (line, at_end), discuz in {(line % len(lines), at_end): discuz for line, at_end, discuz in places}.items():
        edge = lines[line][-1:] if at_end else lines[line][:1]
        if not _next_to_chinese(edge):
            continue
        junk = _discuz(rng) if discuz else _random_tokens(rng)
        dirty[line] = dirty[line] + junk if at_end else junk + dirty[line]
    dirty.insert(rng.randint(1, len(dirty)), "\u200b")
    return dirty


@settings(max_examples=150, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate, Phase.shrink])
@given(
    st.integers(min_value=0, max_value=2**32),
    st.sampled_from(range(len(_CLEAN_BRIEFINGS))),
    st.lists(st.tuples(st.integers(0, 20), st.booleans(), st.booleans()), min_size=1, max_size=8),
)
def test_injected_junk_of_both_kinds_leaves_the_content_unchanged(seed: int, which: int, places: list[tuple[int, bool, bool]]) -> None:
    lines = _CLEAN_BRIEFINGS[which]
    dirty = _numbered(import_text("\n".join(_inject(lines, random.Random(seed), places))).yaml)
    clean = _numbered(import_text("\n".join(lines)).yaml)
    assert units(outline_text(dirty)) == units(outline_text(clean))
    assert headings(dirty) == headings(clean)


# -- never lose the user's review -----------------------------------------------


def _cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "briefexport", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_import_writes_beside_the_source_and_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "article.txt").write_text("\n".join(_BRIEFING_LINES), encoding="utf-8")
    first = _cli("import", "article.txt", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "" and "wrote article.yaml" in first.stderr
    reviewed = (tmp_path / "article.yaml").read_text(encoding="utf-8") + "# my review\n"
    (tmp_path / "article.yaml").write_text(reviewed, encoding="utf-8")
    again = _cli("import", "article.txt", cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.startswith("article.yaml:1:1: error: already exists") and "--force" in again.stderr
    assert again.stderr.count("\n") == 1
    assert (tmp_path / "article.yaml").read_text(encoding="utf-8") == reviewed
    forced = _cli("import", "article.txt", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert (tmp_path / "article.yaml~").read_text(encoding="utf-8") == reviewed
    assert "# my review" not in (tmp_path / "article.yaml").read_text(encoding="utf-8")


def test_import_to_an_existing_o_file_is_refused_and_dash_prints(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("\n".join(_BRIEFING_LINES), encoding="utf-8")
    (tmp_path / "mine.yaml").write_text("title: 我的\n", encoding="utf-8")
    refused = _cli("import", "a.txt", "-o", "mine.yaml", cwd=tmp_path)
    assert refused.returncode == 1 and (tmp_path / "mine.yaml").read_text(encoding="utf-8") == "title: 我的\n"
    printed = _cli("import", "a.txt", "-o", "-", cwd=tmp_path)
    assert printed.returncode == 0 and loads(printed.stdout).meta.title == _BRIEFING_LINES[0]
    assert not (tmp_path / "a.yaml").exists()


@pytest.mark.parametrize("command", ["build", "check"])
def test_build_on_a_briefing_says_to_import_it_first(tmp_path: Path, command: str) -> None:
    (tmp_path / "article.txt").write_text("\n".join(_BRIEFING_LINES), encoding="utf-8")
    done = _cli(command, "article.txt", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == (
        "article.txt:1:1: error: this is not an outline; run `briefexport import article.txt` first to make article.yaml, "
        "review it, then build that\n"
    )
    assert not (tmp_path / "build").exists()


# -- when in doubt, keep and say so ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("标题\n分为A + B + C + D类。\n", "A + B + C + D"),  # looks a little like random tokens
        ("标题\n详见某某网 www.mouzixun.com。\n另见某某网 www.mouzixun.com。\n", "www.mouzixun.com"),  # a site named twice
    ],
)
def test_doubtful_text_is_kept_and_named_in_the_review_note(text: str, kept: str) -> None:
    result = import_text(text)
    assert kept in outline_text(_numbered(result.yaml))
    notes = [line for line in result.yaml.splitlines() if line.startswith("# Kept, but it may be junk:")]
    assert len(notes) == 1 and kept in notes[0]


def test_a_watermark_repeated_through_the_text_is_removed() -> None:
    text = "标题\n" + "\n".join(f"第{n}段正文。某某网 www.mouzixun.com" for n in "一二三") + "\n"
    result = import_text(text)
    assert "mouzixun" not in without_comments(result.yaml)
    assert units(outline_text(_numbered(result.yaml))) == units("标题 第一段正文。第二段正文。第三段正文。")


def test_cli_imports_a_word_file_and_refuses_an_old_doc_or_its_own_source(tmp_path: Path, numbered_docx: Path) -> None:
    (tmp_path / "tongzhi.docx").write_bytes(numbered_docx.read_bytes())
    done = _cli("import", "tongzhi.docx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _cli("check", "tongzhi.yaml", cwd=tmp_path).stdout.endswith("ok (4 sections, 18 headings)\n")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    old = _cli("import", "old.doc", cwd=tmp_path)
    assert old.returncode == 1 and old.stderr.startswith("old.doc:1:1: error: this is an old-style Word or WPS file")
    assert not (tmp_path / "old.yaml").exists()
    (tmp_path / "outline.yaml").write_text("title: 已审阅\n", encoding="utf-8")
    same = _cli("import", "outline.yaml", "--force", cwd=tmp_path)
    assert same.returncode == 1 and "would replace the briefing it is made from" in same.stderr
    assert (tmp_path / "outline.yaml").read_text(encoding="utf-8") == "title: 已审阅\n"


def test_html_that_word_puts_on_the_clipboard() -> None:
    # Word and WPS copy lists with the label as text inside mso-list:Ignore spans, hidden text as mso-hide:all.
    fragment = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><body lang=ZH-CN>
<!--StartFragment--><p class=MsoTitle>关于做好安全生产工作的通知</p>
<p class=MsoListParagraph style='mso-list:l0 level1 lfo1'><![if !supportLists]><span style='mso-list:Ignore'>一、<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span><![endif]><b>总体要求</b><o:p></o:p></p>
<p class=MsoNormal>坚持安全第一<span style='mso-hide:all'>隐藏批注</span>、预防为主。<o:p></o:p></p>
<p class=MsoListParagraph style='mso-list:l0 level1 lfo1'><![if !supportLists]><span style='mso-list:Ignore'>二、<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span><![endif]>重点任务<o:p></o:p></p>
<p class=MsoNormal>开展隐患排查。<o:p></o:p></p><!--EndFragment--></body></html>"""
    numbered = _numbered(import_html(fragment).yaml)
    assert numbered.doc.meta.title == "关于做好安全生产工作的通知"
    assert headings(numbered) == ["一、总体要求", "二、重点任务"]
    assert units(outline_text(numbered)) == units("关于做好安全生产工作的通知 一、总体要求 坚持安全第一、预防为主。二、重点任务 开展隐患排查。")


def test_page_title_and_nested_page_headings() -> None:
    page = """<html><head><title>基层治理怎么抓 - 专题 | 某某网</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/a">专题</a></div>
<div class="box"><p>导语：基层治理是国家治理的基石。</p>
<h2>总体思路</h2><p>以党建引领基层治理。</p>
<h3>抓网格</h3><p>科学划分网格，配齐网格员。</p>
<h3>抓数据</h3><p>打通部门间数据壁垒。</p>
<h2>保障措施</h2><p>各级财政要将经费纳入预算。</p></div>
<div class="footer">版权所有 某某网</div></body></html>"""
    numbered = _numbered(import_html(page).yaml)
    assert numbered.doc.meta.title == "基层治理怎么抓"
    assert headings(numbered) == ["总体思路", "  抓网格", "  抓数据", "保障措施"]
    assert [p.text for p in numbered.doc.lead] == ["导语：基层治理是国家治理的基石。"]
    assert "版权所有" not in outline_text(numbered) and "首页" not in outline_text(numbered)


_BROKEN_HEADINGS = [("一、必须坚持党对公安工作的", "绝对领导"), ("二、推进 5G", "网络和数据中心建设")]


def test_a_heading_broken_by_hand_in_a_web_page_stays_one_heading() -> None:
    sections = "".join(f"<h2>{first}<br>{second}</h2><p>正文{n}。</p>" for n, (first, second) in enumerate(_BROKEN_HEADINGS))
    page = f"<html><body><h1>会议<br/>要点</h1><p>导语。</p>{sections}</body></html>"
    numbered = _numbered(import_html(page).yaml)
    assert numbered.doc.meta.title == "会议要点"
    assert headings(numbered) == ["一、必须坚持党对公安工作的绝对领导", "二、推进 5G 网络和数据中心建设"]
    assert [p.text for p in numbered.doc.lead] == ["导语。"]


def test_a_heading_broken_by_shift_enter_in_word_stays_one_heading(tmp_path: Path) -> None:
    doc = WordDocument()
    title = doc.add_paragraph(style="Title")
    title.add_run("会议").add_break()
    title.add_run("要点")
    doc.add_paragraph("导语。")
    for n, (first, second) in enumerate(_BROKEN_HEADINGS):
        heading = doc.add_paragraph(style="Heading 1")
        heading.add_run(first).add_break()
        heading.add_run(second)
        doc.add_paragraph(f"正文{n}。")
    path = tmp_path / "broken.docx"
    doc.save(str(path))
    numbered = _numbered(import_path(path).yaml)
    assert numbered.doc.meta.title == "会议要点"
    assert headings(numbered) == ["一、必须坚持党对公安工作的绝对领导", "二、推进 5G 网络和数据中心建设"]
    assert [p.text for p in numbered.doc.lead] == ["导语。"]
