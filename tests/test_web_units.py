"""The page's pure parts: the edit tree and its YAML, download names, the zip, HTML text, serve's addresses."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest

from briefexport import _yaml, load, loads, number
from briefexport.errors import OutlineError
from briefexport.web.downloads import content_disposition, file_stem, zip_files
from briefexport.web.intake import html_text, import_upload, review_notes
from briefexport.web.server import is_loopback, page_url
from briefexport.web.tree import TreeError, outline_yaml, tree_of


def test_the_tree_round_trips_to_the_same_document(seed_outline_path: Path) -> None:
    numbered = number(load(seed_outline_path))
    tree = tree_of(numbered)
    again = number(loads(outline_yaml(tree), "outline.yaml"))
    assert again.labels() == numbered.labels()
    assert [p.spans for p in again.doc.paragraphs()] == [p.spans for p in numbered.doc.paragraphs()]
    assert again.doc.meta == numbered.doc.meta
    assert tree_of(again) == {**tree, "sections": tree_of(again)["sections"]}  # lines move, content does not


def test_bold_and_markup_like_text_survive_the_tree() -> None:
    text = 'title: "<b>标题</b> & **重点**"\nsections:\n  - title: "a < b"\n    body: "**加粗** 与 <script>x</script>"\n'
    tree = tree_of(number(loads(text)))
    assert tree["meta"]["title"] == "<b>标题</b> & **重点**"
    assert tree["sections"][0]["body"] == ["**加粗** 与 <script>x</script>"]
    again = number(loads(outline_yaml(tree)))
    assert again.doc.sections[0].body[0].spans[0].bold


@pytest.mark.parametrize(("tree", "message"), [
    ([], "the outline must be an object"),
    ({"meta": {"title": 3}}, "title must be text"),
    ({"meta": {"title": "x"}, "sections": [{"title": "a", "body": "not a list"}]}, "a body must be a list of paragraphs"),
    ({"meta": {"title": "x"}, "sections": [{"title": "a", "items": [{"title": "b", "items": [{"title": "c", "items": [
        {"title": "d", "items": [{"title": "e"}]}]}]}]}]}, "items go at most 4 levels deep"),
])
def test_a_malformed_tree_is_refused_by_what_is_wrong(tree: object, message: str) -> None:
    with pytest.raises(TreeError, match=message):
        outline_yaml(tree)


def test_a_tree_edit_that_breaks_the_outline_fails_in_the_reader() -> None:
    with pytest.raises(OutlineError, match="date"):
        loads(outline_yaml({"meta": {"title": "x", "date": "明天"}}), "outline.yaml")


@pytest.mark.parametrize(("title", "stem"), [
    ("今年公安工作怎么干？", "今年公安工作怎么干？"),
    ('a/b\\c:d*e?f"g<h>i|j', "a b c d e f g h i j"),
    ("  标题。.. ", "标题。"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("\u202e\u200b\x00", "briefing"),
    ("字" * 100, "字" * 40),
])
def test_download_names_are_portable(title: str, stem: str) -> None:
    assert file_stem(title) == stem


def test_content_disposition_carries_utf8_and_an_ascii_fallback() -> None:
    header = content_disposition("今年 工作.pdf")
    assert header == "attachment; filename=\"briefing.pdf\"; filename*=UTF-8''%E4%BB%8A%E5%B9%B4%20%E5%B7%A5%E4%BD%9C.pdf"
    assert content_disposition('a"b.pdf').startswith('attachment; filename="a_b.pdf"')


def test_the_zip_is_reproducible_and_ordered() -> None:
    created = dt.datetime(2024, 1, 14, tzinfo=dt.timezone.utc)
    files = {"标题.docx": b"d", "标题.pdf": b"p"}
    first = zip_files(files, created)
    assert zip_files(files, created) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.namelist() == ["标题.docx", "标题.pdf"]
        assert {info.date_time for info in archive.infolist()} == {(2024, 1, 14, 0, 0, 0)}


def test_html_text_keeps_blocks_and_drops_scripts() -> None:
    markup = "<div><h1>标题</h1><script>alert(1)</script><p>一是&lt;学习&gt;。<br>二是实践。</p><style>p{}</style></div>"
    assert [line for line in html_text(markup).splitlines() if line] == ["标题", "一是<学习>。", "二是实践。"]


def test_uploads_by_kind(seed_outline_path: Path, data_dir: Path) -> None:
    outline = seed_outline_path.read_bytes()
    assert import_upload(outline, "mine.yaml", "").yaml == outline.decode("utf-8")
    text = import_upload((data_dir / "seed_briefing.txt").read_bytes(), "", "text/plain")
    assert "found 4 sections and 14 items" in text.summary
    assert review_notes(text.yaml)[0].startswith("Imported by `briefexport import` from pasted text")
    with pytest.raises(OutlineError, match=r"^outline\.yaml:2:1: error: invalid YAML"):
        import_upload(b"title: [\n", "bad.yaml", "")


@pytest.mark.parametrize(("host", "loopback", "url"), [
    ("127.0.0.1", True, "http://127.0.0.1:8765/"), ("localhost", True, "http://localhost:8765/"),
    ("::1", True, "http://[::1]:8765/"), ("127.0.0.2", True, "http://127.0.0.2:8765/"),
    ("0.0.0.0", False, "http://127.0.0.1:8765/"), ("192.168.1.5", False, "http://192.168.1.5:8765/"),
])
def test_serve_addresses(host: str, loopback: bool, url: str) -> None:
    assert is_loopback(host) is loopback
    assert page_url(host, 8765) == url


def test_the_engine_refuses_renders_beyond_its_bound(seed_outline_path: Path) -> None:
    import asyncio

    from briefexport.web._render import RenderJob
    from briefexport.web.engine import Busy, Engine, EngineLimits

    async def two_at_once() -> list[object]:
        engine = Engine(EngineLimits(workers=1, waiting=0))
        try:
            job = RenderJob(seed_outline_path.read_text(encoding="utf-8"), ("epub",))
            return await asyncio.gather(engine.run(job), engine.run(job), return_exceptions=True)
        finally:
            engine.close()

    first, second = asyncio.run(two_at_once())
    assert not isinstance(first, BaseException) and first.files["epub"].startswith(b"PK")  # type: ignore[union-attr]
    assert isinstance(second, Busy) and "busy (at most 1 renders at a time)" in str(second)


def test_a_word_file_goes_to_the_importers_dispatch_or_gets_a_clear_error(tmp_path: Path) -> None:
    import importlib.util

    data = b"PK\x03\x04 not really a Word file"
    if importlib.util.find_spec("briefexport.importer.dispatch") is None:
        with pytest.raises(OutlineError, match=r"^简报\.docx:1:1: error: this version cannot import Word files"):
            import_upload(data, "../../简报.docx", "")
    else:
        with pytest.raises(OutlineError) as raised:
            import_upload(data, "../../简报.docx", "")
        assert str(tmp_path) not in str(raised.value) and "/tmp" not in str(raised.value)


def test_a_render_past_the_time_limit_is_stopped_and_answered_504(seed_outline_path: Path) -> None:
    import asyncio

    from briefexport.builder.engine import BuildTimeout
    from briefexport.web._render import RenderJob
    from briefexport.web.app import _status
    from briefexport.web.engine import Engine, EngineLimits

    async def too_slow() -> object:
        engine = Engine(EngineLimits(workers=1, time_limit=0.001))
        try:
            job = RenderJob(seed_outline_path.read_text(encoding="utf-8"), ("pdf",))
            return (await asyncio.gather(engine.run(job), return_exceptions=True))[0]
        finally:
            engine.close()

    error = asyncio.run(too_slow())
    assert isinstance(error, BuildTimeout) and "took longer than 0.001 s" in str(error)
    assert _status(error) == 504


def test_entries_the_tree_does_not_edit_survive_a_tree_edit(root: Path) -> None:
    source = (root / "examples" / "notice.yaml").read_text(encoding="utf-8")
    assert "official:" in source
    tree = tree_of(number(loads(source, "outline.yaml")), source)
    assert [block.split(":", 1)[0] for block in tree["kept"]] == ["official"]
    tree["meta"]["title"] = "改过的标题"
    edited = loads(outline_yaml(tree), "outline.yaml")
    assert edited.meta.title == "改过的标题"
    import re

    def without_places(value: object) -> str:
        return re.sub(r"SourcePos\([^)]*\)", "", repr(value))

    assert edited.official is not None
    assert without_places(edited.official) == without_places(loads(source, "outline.yaml").official)


def test_every_message_code_has_its_chinese_words(root: Path) -> None:
    """A code raised anywhere in the library must have a Chinese text on the page, or the page shows English."""
    script = (root / "src" / "briefexport" / "web" / "static" / "app.js").read_text(encoding="utf-8")
    table = script[script.index("const SAID_ZH = {"):]
    said_zh = set(re.findall(r"^\s*(\w+):", table[: table.index("\n};")], re.M))
    raised = {code for path in (root / "src" / "briefexport").rglob("*.py")
              for code in re.findall(r"""\bcoded\(\s*["'](\w+)["']""", path.read_text(encoding="utf-8"))}
    raised |= set(_yaml._PLAIN_WORDS)  # raised as coded(plain) from this table
    assert {"unknown_key_close", "yaml_indent_less", "duplicate_key", "too_large"} <= raised
    assert raised - said_zh - {"font_substituted"} == set()


def test_a_title_broken_into_lines_keeps_its_breaks_through_the_tree() -> None:
    text = "title: |\n  数字经济\n  发展要点\nsections:\n  - title: 一\n"
    tree = tree_of(number(loads(text)), text)
    assert tree["meta"]["title"] == "数字经济\n发展要点"
    meta = loads(outline_yaml(tree)).meta
    assert (meta.title, meta.title_lines) == ("数字经济发展要点", ("数字经济", "发展要点"))
