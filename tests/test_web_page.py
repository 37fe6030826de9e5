"""The page in a real browser (Debian's chromium through selenium) against a real `briefexport serve`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import chromium
from conftest import DATA, WebServer

WEB = DATA / "web"
TITLE = "今年公安工作怎么干？"

#: Paste as a person does: the clipboard offers text (and HTML when copied from a web page).
PASTE = """
const [text, html] = arguments;
const data = new DataTransfer();
data.setData('text/plain', text);
if (html) data.setData('text/html', html);
const box = document.getElementById('paste');
box.focus();
box.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
"""


def wait_for(check: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    """Poll until ``check`` returns something true; fail naming ``what``."""
    from selenium.common.exceptions import StaleElementReferenceException

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            value = check()
        except StaleElementReferenceException:  # the page re-drew the tree while we read it
            value = None
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture()
def page(web_server: WebServer, tmp_path: Path) -> Iterator[Any]:
    """The page in Chinese (the users' language), with downloads going to tmp_path/downloads."""
    with chromium(1366, 900) as driver:
        user_agent = driver.execute_script("return navigator.userAgent")
        driver.execute_cdp_cmd("Network.setUserAgentOverride", {"userAgent": user_agent, "acceptLanguage": "zh-CN,zh"})
        (tmp_path / "downloads").mkdir()
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path / "downloads")})
        driver.get(web_server.url + "/")
        wait_for(lambda: driver.find_elements("css selector", "#theme option"), "the presets")
        yield driver


def by_css(driver: Any, selector: str) -> list[Any]:
    return list(driver.find_elements("css selector", selector))


def preview_version(driver: Any) -> int:
    return int(driver.find_element("id", "pages").get_attribute("data-version"))


def wait_preview_after(driver: Any, version: int) -> int:
    return int(wait_for(lambda: preview_version(driver) > version and preview_version(driver), "a new preview"))


#: The SHA-256 of the image the first page shows, as the browser holds it (after it has loaded).
SHOWN_IMAGE = """
const done = arguments[arguments.length - 1];
const img = document.querySelector('#pages img');
img.decode().then(() => fetch(img.currentSrc)).then((r) => r.arrayBuffer()).then((b) => crypto.subtle.digest('SHA-256', b))
  .then((d) => done(Array.from(new Uint8Array(d), (x) => x.toString(16).padStart(2, '0')).join('')), (e) => done('error: ' + e));
"""


def first_page(driver: Any) -> str:
    """What the first page image shows (a hash of its pixels' file)."""
    shown = str(driver.execute_async_script(SHOWN_IMAGE))
    assert not shown.startswith("error"), shown
    return shown


def click(driver: Any, element: Any) -> None:
    """Scroll the element into view, as a person would, and click it."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def paste(driver: Any, text: str, html: str | None = None) -> None:
    driver.execute_script(PASTE, text, html)


def tree_labels(driver: Any) -> list[list[str]]:
    """Per section, the printed labels of its items, read from the page."""
    sections = by_css(driver, "#tree > .node.level-1")
    return [[label.text for label in section.find_elements("css selector", ":scope > .children > .node > .head .label")]
            for section in sections]


def downloaded(folder: Path, name: str) -> bytes:
    path = folder / name
    wait_for(lambda: path.exists() and not list(folder.glob("*.crdownload")), f"the download {name}")
    return path.read_bytes()


def test_paste_review_edit_preview_and_download_the_cli_bytes(page: Any, tmp_path: Path) -> None:
    assert page.execute_script("return document.documentElement.lang") == "zh-CN"
    assert page.find_element("id", "import-btn").text == "导入"
    paste(page, (DATA / "seed_briefing.txt").read_text(encoding="utf-8"))
    wait_for(lambda: len(by_css(page, "#tree > .node.level-1")) == 4, "the review tree")
    labels = tree_labels(page)
    assert [len(items) for items in labels] == [6, 0, 8, 0]
    assert labels[0] == ["一是", "二是", "三是", "四是", "五是", "六是"]
    assert labels[2] == [f"重点任务{n}：" for n in "一二三四五六七八"]
    assert by_css(page, "#tree > .node.level-1 .head .title")[0].get_attribute("value") == "六个“必须坚持”"
    notes = page.find_element("id", "notes").text  # the importer's review notes, in the page's Chinese
    assert "已去掉 6 处防复制杂字（共 142 个字符）。" in notes and "由 briefexport 从粘贴的文字导入" in notes
    assert "anti-copy" not in notes

    version = wait_preview_after(page, 0)
    before = first_page(page)
    title = page.find_element("css selector", "#meta input.doc-title")
    title.send_keys("（修订）")
    version = wait_preview_after(page, version)
    wait_for(lambda: first_page(page) != before, "the preview to show the new title")
    assert "（修订）" in page.find_element("id", "yaml").get_attribute("value")
    revised = first_page(page)
    title.send_keys("稿")  # a second burst of typing in the same box counts too
    version = wait_preview_after(page, version)
    wait_for(lambda: first_page(page) != revised, "the preview to show the second edit")
    assert "（修订）稿" in page.find_element("id", "yaml").get_attribute("value")

    handout = first_page(page)
    page.find_element("css selector", "#theme option[value=gongwen]").click()
    version = wait_preview_after(page, version)
    assert first_page(page) != handout
    substituted = page.find_element("id", "warnings").text  # the substituted font is named, in Chinese
    assert "版式 gongwen 的正文字体“仿宋_GB2312”本机未安装，改用随附的" in substituted, substituted

    folder = tmp_path / "downloads"
    stem = f"{TITLE}（修订）稿"
    for fmt in ("yaml", "docx", "pdf", "epub"):
        click(page, page.find_element("css selector", f"#step-download button[data-format={fmt}]"))
        downloaded(folder, f"{stem}.{fmt}")
    outline = folder / f"{stem}.yaml"
    subprocess.run([sys.executable, "-m", "briefexport", "build", str(outline), "-t", "gongwen", "-o", str(tmp_path / "cli")],
                   check=True, capture_output=True)
    for fmt in ("docx", "pdf", "epub"):
        assert (folder / f"{stem}.{fmt}").read_bytes() == (tmp_path / "cli" / f"{stem}.{fmt}").read_bytes(), fmt


def test_pages_are_drawn_as_they_come_into_view(page: Any) -> None:
    paste(page, (DATA / "seed_briefing.txt").read_text(encoding="utf-8"))
    wait_preview_after(page, 0)
    figures = by_css(page, "#pages figure")
    assert len(figures) >= 4
    loaded = "return arguments[0].querySelector('img').naturalWidth > 0"
    assert page.execute_script(loaded, figures[0])
    last = figures[-1]
    assert last.find_element("css selector", "img").get_attribute("src") is None  # not asked for yet
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", last)
    wait_for(lambda: page.execute_script(loaded, last), "the last page, once scrolled to")
    width, height = page.execute_script("const i = arguments[0].querySelector('img'); return [i.naturalWidth, i.naturalHeight]", last)
    assert abs(width - 496) <= 1 and abs(height - 702) <= 1  # A4 at the preview's 60 dpi


def test_tree_edits_move_add_delete_renumber_and_undo(page: Any) -> None:
    paste(page, (DATA / "seed_briefing.txt").read_text(encoding="utf-8"))
    wait_for(lambda: len(by_css(page, "#tree > .node.level-1")) == 4, "the review tree")
    first = by_css(page, "#tree > .node.level-1")[0]
    items = first.find_elements("css selector", ":scope > .children > .node")
    click(page, items[1].find_element("css selector", ".tools button[aria-label='上移']"))
    wait_for(lambda: by_css(page, "#tree > .node.level-1 > .children > .node .title")[0].get_attribute("value") == "必须坚持人民公安为人民",
             "the moved item")
    assert tree_labels(page)[0][:2] == ["一是", "二是"]  # labels follow the new order
    page.find_element("css selector", "#tree > .node.level-1 select.numbering option[value='第{cn}条']").click()
    wait_for(lambda: tree_labels(page)[0][0] == "第一条", "the new numbering")
    section = by_css(page, "#tree > .node.level-1")[1]
    click(page, section.find_element("css selector", ".tools button[aria-label='添加子项']"))
    wait_for(lambda: len(tree_labels(page)[1]) == 1, "the added item")
    page.execute_script("window.confirm = () => true")
    click(page, by_css(page, "#tree > .node.level-1")[3].find_element("css selector", ":scope > .head .tools button[aria-label='删除']"))
    wait_for(lambda: len(by_css(page, "#tree > .node.level-1")) == 3, "the deleted section")
    yaml_text = page.find_element("id", "yaml").get_attribute("value")
    assert "第{cn}条" in yaml_text and "一个“关键少数”" not in yaml_text
    for _ in range(3):
        click(page, page.find_element("id", "undo"))
        time.sleep(0.3)
    wait_for(lambda: tree_labels(page)[0][0] == "一是", "the numbering undone")
    assert len(by_css(page, "#tree > .node.level-1")) == 4


def _expected_errors() -> dict[str, str]:
    lines = (DATA / "bad" / "expected.tsv").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines if line and not line.startswith("#"))


def _code_of(server: WebServer, text: str) -> str | None:
    """The code the API gives the error of ``text`` (None when the error has none)."""
    request = urllib.request.Request(server.url + "/api/check", data=text.encode("utf-8"), method="POST")
    try:
        urllib.request.urlopen(request, timeout=60).close()
    except urllib.error.HTTPError as refused:
        code: str | None = json.loads(refused.read())["error"].get("code")
        return code
    raise AssertionError("the outline was accepted")


def test_yaml_source_shows_each_bad_outline_error_at_its_line(page: Any, web_server: WebServer) -> None:
    page.find_element("id", "tab-yaml").click()
    box = page.find_element("id", "yaml")
    coded = 0
    for name, expected in _expected_errors().items():
        data = (DATA / "bad" / name).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # not text a person can type into the box
        # The error before stays on screen until the new one comes: blank it, so the wait sees the new one.
        page.execute_script("document.getElementById('yaml-error').textContent = ''")
        page.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))", box, text)
        line, col, message = expected.split(":", 2)
        at = f"第 {line} 行，第 {col} 列："
        error = page.find_element("id", "yaml-error")
        if _code_of(web_server, text) is None:  # said in the CLI's words
            wanted = f"{at}outline.yaml:{expected}"
            wait_for(lambda: error.is_displayed() and error.text == wanted, f"the error of {name} ({wanted})", timeout=20)
        else:  # said in Chinese: no English line, no code name left in it
            coded += 1
            wait_for(lambda: error.is_displayed() and error.text.startswith(at) and "error:" not in error.text
                     and re.search(r"[\u4e00-\u9fff]", error.text[len(at):]) and not re.search(r"\{\w+\}", error.text),
                     f"the Chinese error of {name} at {line}:{col}", timeout=20)
        wait_for(lambda: [span.text for span in by_css(page, "#gutter .bad")] == [line], f"line {line} marked for {name}")
    assert coded >= 5, "the bad corpus no longer reaches the coded outline errors"
    page.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))", box,
                        "title: 标题\ntitel: 错字\n")
    error = page.find_element("id", "yaml-error")
    wanted = "第 2 行，第 1 列：提纲里没有“titel”这个键，是不是想写“title”？"
    wait_for(lambda: error.text == wanted, f"the misspelt key in Chinese ({wanted})", timeout=20)


def test_injection_corpus_prints_as_text(page: Any) -> None:
    page.find_element("id", "file").send_keys(str(WEB / "injection.yaml"))
    wait_for(lambda: by_css(page, "#tree > .node.level-1"), "the review tree")
    corpus = [line for line in (WEB / "injection.txt").read_text(encoding="utf-8").splitlines() if line]
    titles = [item.get_attribute("value") for item in by_css(page, "#tree .level-2 .title")]
    assert titles == corpus
    labels = [label.text for label in by_css(page, "#tree .level-2 .label")]
    assert labels[:2] == ["<b>一</b>、", "<b>二</b>、"]
    wait_preview_after(page, 0)
    page.execute_script("document.getElementById('import-status').textContent = ''")
    paste(page, "\n".join(corpus), "<p>" + "</p><p>".join(corpus) + "</p><img src=x onerror='window.__pwned = 1'>")
    wait_for(lambda: "已导入" in page.find_element("id", "import-status").text, "the HTML import")
    time.sleep(0.5)
    assert page.execute_script("return window.__pwned") is None
    assert not by_css(page, "#tree b, #tree script, #tree img, #tree svg, #notes b, #warnings img")


def test_oversized_input_is_refused_with_a_clear_line(page: Any, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (8 * 2**20 + 10))
    page.find_element("id", "file").send_keys(str(big))
    banner = page.find_element("id", "error")
    wait_for(lambda: banner.is_displayed() and "8 MiB" in banner.text, "the size error")
    page.execute_script("document.getElementById('error').hidden = true")
    paste(page, "字" * (3 * 2**20))  # 3 Mi characters, 9 MiB of UTF-8: the server refuses it
    wait_for(lambda: banner.is_displayed() and "8 MiB" in banner.text, "the server's size error")
    assert not by_css(page, "#tree .node")


def test_an_english_page_shows_the_servers_english(web_server: WebServer) -> None:
    with chromium(1366, 900) as driver:
        user_agent = driver.execute_script("return navigator.userAgent")
        driver.execute_cdp_cmd("Network.setUserAgentOverride", {"userAgent": user_agent, "acceptLanguage": "en-GB,en"})
        driver.get(web_server.url + "/")
        assert driver.execute_script("return document.documentElement.lang") == "en"
        driver.execute_script(PASTE, (DATA / "seed_briefing.txt").read_text(encoding="utf-8"), None)
        wait_for(lambda: "6 runs of anti-copy junk (142 characters) were removed" in driver.find_element("id", "notes").text,
                 "the review notes in English")


@pytest.mark.parametrize("width", [1366, 390])
def test_layout_fits_the_window(web_server: WebServer, tmp_path: Path, width: int) -> None:
    with chromium(width, 900) as driver:
        driver.get(web_server.url + "/")
        driver.execute_script(PASTE, (DATA / "seed_briefing.txt").read_text(encoding="utf-8"), None)
        wait_for(lambda: preview_version(driver) > 0, "the preview")
        assert driver.execute_script("return document.documentElement.scrollWidth") <= width
        driver.save_screenshot(str(tmp_path / f"page-{width}.png"))
        assert (tmp_path / f"page-{width}.png").stat().st_size > 10_000


def test_an_uncovered_character_is_warned_about_at_its_heading(page: Any, tmp_path: Path) -> None:
    outline = tmp_path / "missing.yaml"
    outline.write_text("title: 缺字\nsections:\n  - title: 第一部分\n    body: 正常的字。\n"
                       "  - title: 第二部分\n    body: 这个字\U000f0001没有字体。\n", encoding="utf-8")
    page.find_element("id", "file").send_keys(str(outline))
    wait_for(lambda: len(by_css(page, "#tree > .node.level-1")) == 2, "the review tree")
    warned = wait_for(lambda: by_css(page, "#tree .node.warned"), "the warned heading")
    assert [node.find_element("css selector", ".title").get_attribute("value") for node in warned] == ["第二部分"]
    warning = page.find_element("css selector", "#warnings li.warning").text
    assert warning.startswith("注意：第 6 行：没有字体含“\U000f0001”（U+F0001）：正文里的这个字"), warning
    assert "no font has" not in warning
