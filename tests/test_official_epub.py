"""The official document in the EPUB: its documents in order, EPUBCheck's verdict, and the look in a real browser."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from briefexport import load, number
from briefexport.builder.api import render
from browser import chromium
from readback import epub_blocks
from test_render_epub import _epubcheck_jar

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "notice.yaml"
XHTML = {"x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture(scope="module")
def notice_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(number(load(EXAMPLE)), "epub", tmp_path_factory.mktemp("official-epub") / "notice.epub", theme="gongwen")


def test_documents_in_the_order_of_the_standard(notice_epub: Path) -> None:
    blocks = epub_blocks(notice_epub)
    order = ["000123", "秘密★1年", "特急", "江城市人民政府办公室文件", "江政办发〔2024〕3号", "关于做好2024年度机关安全生产检查工作的通知",
             "各区人民政府，市政府各部门，各直属机构：", "一、提高思想认识", "附件：1.2024年度机关安全生产检查重点事项清单",
             "江城市人民政府办公室", "2024年1月14日", "（联系人：王明，电话：12345678）", "附件1",
             "抄送：市委办公室，市人大常委会办公室，市政协办公室，市纪委监委，市法院，市检察院。", "江城市人民政府办公室2024年1月15日印发"]
    positions = [blocks.index(block) for block in order]
    assert positions == sorted(positions)
    with zipfile.ZipFile(notice_epub) as book:
        names = book.namelist()
        css = book.read(next(name for name in names if name.endswith("style.css"))).decode()
    assert {"closing.xhtml", "attachment-1.xhtml", "imprint.xhtml"} <= {name.rsplit("/", 1)[-1] for name in names}
    assert not any(name.endswith("attachment-2.xhtml") for name in names)  # listed only, no pages of its own
    assert ".official-mark { font-family:" in css and "color: #FF0000" in css


@pytest.mark.slow
def test_recipients_in_record_read_in_the_imprint(tmp_path: Path) -> None:
    record = Path(__file__).resolve().parent / "data" / "official-record.yaml"
    blocks = epub_blocks(render(number(load(record)), "epub", tmp_path / "record.epub", theme="gongwen"))
    listed = next(block for block in blocks if block.startswith("主送："))
    assert listed.endswith("市检察院。") and blocks.index(listed) + 1 == blocks.index("抄送：乙部。")
    assert not any(block.startswith("各区人民政府") for block in blocks)


def test_epubcheck_finds_nothing(notice_epub: Path, tmp_path: Path) -> None:
    jar = _epubcheck_jar()
    report_path = tmp_path / "report.json"
    subprocess.run(["java", "-XX:TieredStopAtLevel=1", "-jar", str(jar), str(notice_epub), "--json", str(report_path), "-q"],
                   capture_output=True, timeout=300)
    checker = json.loads(report_path.read_text(encoding="utf-8"))["checker"]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0)


@pytest.mark.slow
def test_a_browser_shows_the_mark_red_and_the_date_right(notice_epub: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(notice_epub) as book:
        book.extractall(tmp_path)
    title_page = next(tmp_path.rglob("title.xhtml"))
    closing = next(tmp_path.rglob("closing.xhtml"))
    with chromium(800, 1000) as driver:
        driver.get(title_page.as_uri())
        mark = driver.find_element("css selector", ".official-mark")
        assert mark.value_of_css_property("color") in ("rgba(255, 0, 0, 1)", "rgb(255, 0, 0)")
        assert mark.value_of_css_property("text-align") == "center"
        rule = driver.find_element("css selector", "hr.official-rule")
        assert rule.rect["width"] == pytest.approx(driver.find_element("css selector", "body").rect["width"], abs=1)
        driver.get(closing.as_uri())
        date = driver.find_element("css selector", ".official-date")
        body_right = driver.execute_script("return document.body.getBoundingClientRect().right")
        text_right = driver.execute_script(
            "const r = document.createRange(); r.selectNodeContents(arguments[0]); return r.getBoundingClientRect().right", date)
        em = float(date.value_of_css_property("font-size").removesuffix("px"))
        assert body_right - text_right == pytest.approx(4 * em, abs=2)  # four characters in, with the seal
    doc = etree.parse(str(title_page))
    assert doc.find(".//x:header", XHTML) is not None


def test_an_embedded_font_covers_the_official_elements(tmp_path: Path) -> None:
    from fontTools.ttLib import TTFont

    out = render(number(load(EXAMPLE)), "epub", tmp_path / "notice.epub", theme="ebook")
    with zipfile.ZipFile(out) as book:
        fonts = [TTFont(book.open(name)) for name in book.namelist() if name.endswith(".ttf")]
    covered = set().union(*(font.getBestCmap() for font in fonts))
    for text in ("秘密★", "抄送：", "印发", "签", "（联系人", "清单"):
        assert {ord(char) for char in text} <= covered, text
