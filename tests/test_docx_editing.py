"""The DOCX as people keep working on it: edited in LibreOffice through UNO, numbering and TOC read back from its PDF.

Each route a user takes to add, copy or remove a heading is applied to the bundled outline's
DOCX by tests/lo_edit.py (Debian's /usr/bin/python3 with python3-uno, one headless soffice
with a private profile); the labels LibreOffice prints in its PDF export must be the ones
numbering.py gives the outline edited the same way.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import zipfile

import pytest
from lxml import etree

from briefexport import loads, number
from briefexport.builder.api import render
from briefexport.model import Document, Node, Para, Span
from briefexport.numbering import NumberedDocument
from briefexport.theme.loader import load_theme
from conftest import DATA, ROOT, require_tool
from readback import NS, W, docx_headings, outline_styles, squash

SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, where python3-uno installs the uno module
PRESETS = ("handout", "gongwen")
TOC_PRESETS = ("handout", "gongwen", "ebook")
WITH_TOC = ("handout", "ebook")  # untouched files: gongwen has no TOC, ebook is handout on A5
TOC_LINE = re.compile(r"\.{3,}\s*(\d+)$")
_CN = "一二三四五六七八九十百千零"
LABEL_LINE = re.compile(rf"^([{_CN}]+[、是]|（[{_CN}\d]+）|重点任务[{_CN}]+：|第[{_CN}]+条|\d+\.)")

#: Outlines whose labels counting through styles alone would get wrong, and a list past 1,000.
RESTARTS = (DATA / "docx" / "restarts.yaml").read_text(encoding="utf-8")
LONG = "title: 长\nsections:\n  - title: 甲\n    numbering: \"第{cn}条\"\n    items:\n" + "".join(f"      - {{title: 条{i}}}\n" for i in range(1, 1012))
SPECIAL = {"restarts": (RESTARTS, "handout"), "long": (LONG, "gongwen")}


def _require_uno() -> str:
    require_tool("soffice")
    require_tool("pdftotext")
    if shutil.which(SYSTEM_PYTHON) is None:
        pytest.skip(f"{SYSTEM_PYTHON} is missing (python3-uno needs Debian's Python)")
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("python3-uno is not installed (bash .ci/run installs it)")
    return SYSTEM_PYTHON


# -- the same edits, on the outline ----------------------------------------------


def _node(title: str, level: int) -> Node:
    return Node(title=Para((Span(title),)), level=level)


def _with_children(node: Node, children: tuple[Node, ...]) -> Node:
    return dataclasses.replace(node, children=children)


def _replace_section(doc: Document, index: int, section: Node) -> Document:
    sections = list(doc.sections)
    sections[index] = section
    return dataclasses.replace(doc, sections=tuple(sections))


def _last_body(node: Node) -> str:
    return node.body[-1].text


Route = Callable[[Document], tuple[list[dict[str, object]], Document]]


def style_box(doc: Document) -> tuple[list[dict[str, object]], Document]:
    """A new paragraph after task 3's body, then the task headings' style from the style box."""
    tasks = doc.sections[2]
    edits: list[dict[str, object]] = [{"route": "style_box", "after": _last_body(tasks.children[2]), "like": tasks.children[0].title.text, "text": "新增任务"}]
    children = (*tasks.children[:3], _node("新增任务", 2), *tasks.children[3:])
    return edits, _replace_section(doc, 2, _with_children(tasks, children))


def insert(doc: Document) -> tuple[list[dict[str, object]], Document]:
    """Enter after body text, type, set a heading style: a seventh 一是 item, and a new part after part 2."""
    principles = doc.sections[0]
    edits: list[dict[str, object]] = [
        {"route": "set_style", "after": _last_body(principles.children[-1]), "like": principles.children[0].title.text, "text": "必须坚持新增原则"},
        {"route": "set_style", "after": _last_body(doc.sections[1]), "like": principles.title.text, "text": "新增部分"},
    ]
    edited = _replace_section(doc, 0, _with_children(principles, (*principles.children, _node("必须坚持新增原则", 2))))
    sections = (*edited.sections[:2], _node("新增部分", 1), *edited.sections[2:])
    return edits, dataclasses.replace(edited, sections=sections)


def paste(doc: Document) -> tuple[list[dict[str, object]], Document]:
    """Task 2 (heading and body) copied and pasted after task 5's body."""
    tasks = doc.sections[2]
    edits: list[dict[str, object]] = [{"route": "paste", "source": tasks.children[1].title.text, "with_body": True, "after": _last_body(tasks.children[4])}]
    children = (*tasks.children[:5], tasks.children[1], *tasks.children[5:])
    return edits, _replace_section(doc, 2, _with_children(tasks, children))


def move(doc: Document) -> tuple[list[dict[str, object]], Document]:
    """Task 2 (heading and body) cut and pasted after task 5's body."""
    tasks = doc.sections[2]
    edits: list[dict[str, object]] = [{"route": "move", "source": tasks.children[1].title.text, "with_body": True, "after": _last_body(tasks.children[4])}]
    children = (tasks.children[0], *tasks.children[2:5], tasks.children[1], *tasks.children[5:])
    return edits, _replace_section(doc, 2, _with_children(tasks, children))


def delete(doc: Document) -> tuple[list[dict[str, object]], Document]:
    """Task 2 deleted with its body, then part 2 (一个“总体要求”)."""
    tasks = doc.sections[2]
    edits: list[dict[str, object]] = [{"route": "delete", "target": tasks.children[1].title.text}, {"route": "delete", "target": doc.sections[1].title.text}]
    edited = _replace_section(doc, 2, _with_children(tasks, (tasks.children[0], *tasks.children[2:])))
    return edits, dataclasses.replace(edited, sections=(edited.sections[0], *edited.sections[2:]))


ROUTES: dict[str, Route] = {"style_box": style_box, "insert": insert, "paste": paste, "move": move, "delete": delete}


# -- the same edits on the WordprocessingML, counted by Word's rules (readback) --------


class _Body:
    """document.xml's body paragraphs, edited the way Word edits them (the style box sets w:pStyle only)."""

    def __init__(self, docx: Path) -> None:
        with zipfile.ZipFile(docx) as archive:
            self.parts = {name: archive.read(name) for name in archive.namelist()}
        self.document = etree.fromstring(self.parts["word/document.xml"])
        self.outline = outline_styles(etree.fromstring(self.parts["word/styles.xml"]))

    def paragraphs(self) -> list[etree._Element]:
        return self.document.findall("w:body/w:p", NS)

    def level(self, p: etree._Element) -> int | None:
        style = p.find("w:pPr/w:pStyle", NS)
        return None if style is None else self.outline.get(style.get(f"{{{W}}}val", ""))

    def find(self, text: str, *, heading: bool) -> etree._Element:
        return next(p for p in self.paragraphs() if _text(p) == text and (self.level(p) is not None) == heading)

    def section(self, heading_text: str) -> list[etree._Element]:
        """The heading and its body paragraphs, up to the next heading of its level or higher (or a kicker)."""
        items = self.paragraphs()
        start = items.index(self.find(heading_text, heading=True))
        level = self.level(items[start])
        out = [items[start]]
        for p in items[start + 1:]:
            deeper = self.level(p)
            style = p.find("w:pPr/w:pStyle", NS)
            if (deeper is not None and deeper <= level) or (style is not None and style.get(f"{{{W}}}val") == "Kicker"):
                break
            out.append(p)
        return out

    def apply(self, edit: dict[str, object]) -> None:
        route = edit["route"]
        if route in ("style_box", "set_style"):
            style = self.find(str(edit["like"]), heading=True).find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val")
            new = etree.fromstring(f'<w:p xmlns:w="{W}"><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t>{edit["text"]}</w:t></w:r></w:p>')
            self.find(str(edit["after"]), heading=False).addnext(new)
        elif route in ("paste", "move"):
            originals = self.section(str(edit["source"]))
            anchor = self.find(str(edit["after"]), heading=False)
            for p in reversed(originals):
                anchor.addnext(copy.deepcopy(p))
            if route == "move":
                for p in originals:
                    p.getparent().remove(p)
        else:
            for p in self.section(str(edit["target"])):
                p.getparent().remove(p)

    def save(self, out: Path) -> Path:
        parts = {**self.parts, "word/document.xml": etree.tostring(self.document, xml_declaration=True, encoding="UTF-8", standalone=True)}
        with zipfile.ZipFile(out, "w") as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
        return out


def _text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("route", ROUTES)
def test_word_numbering_rules_renumber_every_edit_route(render_seed: Callable[..., Path], seed_doc: NumberedDocument, tmp_path: Path, preset: str, route: str) -> None:
    # What rests on the spec: Word's counting (readback's model of ECMA-376 §17.9) over the file edited as Word edits it.
    edits, edited = ROUTES[route](seed_doc.doc)
    body = _Body(render_seed("docx", preset))
    for edit in edits:
        body.apply(edit)
    labels = docx_headings(body.save(tmp_path / "edited.docx"))
    theme = load_theme(preset)
    assert labels == [(item.label + theme.label_separator(item.level) if item.label else "", item.node.title.text) for item in number(edited).walk()]


# -- one LibreOffice session for every job ------------------------------------------


@pytest.fixture(scope="module")
def libreoffice(render_seed: Callable[..., Path], seed_doc: NumberedDocument, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[Path, NumberedDocument]]:
    """(preset, route or "untouched") → LibreOffice's PDF of the edited DOCX, and the outline edited the same way."""
    python = _require_uno()
    work = tmp_path_factory.mktemp("lo-edit")
    jobs: list[dict[str, object]] = []
    out: dict[tuple[str, str], tuple[Path, NumberedDocument]] = {}
    for preset in TOC_PRESETS:
        docx = render_seed("docx", preset)
        out[(preset, "untouched")] = (work / f"{preset}-untouched.pdf", seed_doc)
        jobs.append({"docx": str(docx), "pdf": str(work / f"{preset}-untouched.pdf")})
        if preset in WITH_TOC:  # updated from a copy whose cached numbers are all 99, so an update that did nothing would show
            out[(preset, "updated")] = (work / f"{preset}-updated.pdf", seed_doc)
            wrong = _with_wrong_toc_numbers(docx, work / f"{preset}-wrong.docx")
            jobs.append({"docx": str(wrong), "pdf": str(work / f"{preset}-updated.pdf"), "edits": [{"route": "update_toc"}]})
    separators = (ROOT / "tests" / "data" / "docx" / "separators.yaml").read_text(encoding="utf-8")
    for name, (source, preset) in {**SPECIAL, "separators": (separators, str(ROOT / "tests" / "data" / "docx" / "separators-theme.yaml"))}.items():
        special = number(loads(source))
        docx = render(special, "docx", work / f"{name}.docx", theme=preset)
        jobs.append({"docx": str(docx), "pdf": str(work / f"{name}.pdf")})
        out[(preset, name)] = (work / f"{name}.pdf", special)
    for preset in PRESETS:
        docx = render_seed("docx", preset)
        for name, route in ROUTES.items():
            edits, edited = route(seed_doc.doc)
            pdf = work / f"{preset}-{name}.pdf"
            jobs.append({"docx": str(docx), "pdf": str(pdf), "edits": edits})
            out[(preset, name)] = (pdf, number(edited))
    (work / "jobs.json").write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([python, str(ROOT / "tests" / "lo_edit.py"), str(work / "profile"), str(work / "jobs.json")],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"lo_edit.py failed ({done.returncode}):\n{done.stderr[-3000:]}"
    return out


def _with_wrong_toc_numbers(docx: Path, out: Path) -> Path:
    """A copy of ``docx`` whose PAGEREF results all say 99."""
    with zipfile.ZipFile(docx) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["word/document.xml"].decode()
    parts["word/document.xml"] = re.sub(r'(PAGEREF _Toc\d+ \\h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>)\d+', r"\g<1>99", xml).encode()
    assert parts["word/document.xml"].count(b">99<") == 18
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out


def _pages(pdf: Path) -> list[list[str]]:
    """Each page's lines, whitespace removed, page-number lines (— 3 —) dropped."""
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [[re.sub(r"\s+", "", line) for line in page.splitlines()] for page in text.split("\f")]
    return [[line for line in page if line and not re.fullmatch(r"—\d+—", line)] for page in pages]


def _printed_headings(pdf: Path) -> list[str]:
    """Every body line that starts like a label (TOC entries, which end in leaders and a number, left out)."""
    return [line for page in _pages(pdf) for line in page if LABEL_LINE.match(line) and not TOC_LINE.search(line)]


def _expected(doc: NumberedDocument, preset: str) -> list[str]:
    theme = load_theme(preset)
    return [squash(item.heading_with(theme.label_gap(item.level))).replace(" ", "") for item in doc.walk()]


@pytest.mark.slow
@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("route", ["untouched", *ROUTES])
def test_libreoffice_renumbers_every_edit_route(libreoffice: dict[tuple[str, str], tuple[Path, NumberedDocument]], preset: str, route: str) -> None:
    pdf, edited = libreoffice[(preset, route)]
    assert _printed_headings(pdf) == _expected(edited, preset)


@pytest.mark.slow
@pytest.mark.parametrize(("preset", "name"), [(preset, name) for name, (_, preset) in SPECIAL.items()])
def test_libreoffice_prints_restarts_and_lists_past_1000(libreoffice: dict[tuple[str, str], tuple[Path, NumberedDocument]], preset: str, name: str) -> None:
    # restarts: 一是 under two parents, 1. under 一是 items; long: 第一条 … 第一千零一十一条 (chineseCountingThousand).
    pdf, doc = libreoffice[(preset, name)]
    assert _printed_headings(pdf) == _expected(doc, preset)


@pytest.mark.slow
def test_libreoffice_prints_the_label_separators(libreoffice: dict[tuple[str, str], tuple[Path, NumberedDocument]]) -> None:
    pdf = next(path for (_, name), (path, _) in libreoffice.items() if name == "separators")
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in text.splitlines()]
    # w:suff space after 1. and 2., the template's own space in "Step 1: ", nothing after 一是, a tab after the level-3 1.
    assert {"1. Executive summary", "Step 1: Hire", "2. 中文部分", "一是加强领导"} <= set(lines)
    assert any(re.fullmatch(r"1\.\s+Plan the budget", line) for line in lines)
    assert not {"1.Executive summary", "Step 1:Hire"} & set(lines)


def test_the_edits_change_the_outline(seed_doc: NumberedDocument) -> None:
    # The comparison above is only worth something if each route moves labels.
    before = seed_doc.labels()
    for route in ROUTES.values():
        _, edited = route(seed_doc.doc)
        after = number(edited).labels()
        assert after != before and len(set(after) - set(before)) >= 1


def _cached_toc_pages(docx: Path) -> list[int]:
    """The page numbers briefexport wrote into the TOC entries (PAGEREF results), in order."""
    package = etree.fromstring(zipfile.ZipFile(docx).read("word/document.xml"))
    entries = [p for p in package.iter(f"{{{W}}}p") if (p.find("w:pPr/w:pStyle", NS) is not None and p.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val", "").startswith("TOC") and p.find(".//w:tab", NS) is not None)]
    return [int("".join(t.text or "" for t in entry.findall(".//w:hyperlink/w:r/w:t", NS)[-1:])) for entry in entries]


@pytest.mark.slow
@pytest.mark.parametrize("preset", WITH_TOC)
def test_libreoffice_prints_the_prefilled_toc_page_numbers(
    libreoffice: dict[tuple[str, str], tuple[Path, NumberedDocument]], render_seed: Callable[..., Path], seed_doc: NumberedDocument, preset: str
) -> None:
    pdf, _ = libreoffice[(preset, "untouched")]
    pages = _pages(pdf)
    toc = [(TOC_LINE.sub("", line), int(m.group(1))) for page in pages[:2] for line in page if (m := TOC_LINE.search(line))]
    headings = [re.sub(r"\s+", "", item.heading) for item in seed_doc.walk() if item.level <= 2]
    assert [entry for entry, _ in toc] == headings  # every entry has a number
    first_body_page = next(n for n, page in enumerate(pages, start=1) if any(line == headings[0] for line in page))
    printed_on = {line: n for n, page in enumerate(pages, start=1) if n >= first_body_page for line in page}
    assert [page for _, page in toc] == [printed_on[heading] for heading in headings]
    # The numbers briefexport pre-filled from its own layout are those pages (what Word shows before it updates, and WPS always).
    assert _cached_toc_pages(render_seed("docx", preset)) == [printed_on[heading] for heading in headings]


@pytest.mark.slow
@pytest.mark.parametrize("preset", WITH_TOC)
def test_libreoffice_updating_the_toc_keeps_every_entry_and_number(libreoffice: dict[tuple[str, str], tuple[Path, NumberedDocument]], preset: str) -> None:
    # The derived heading styles (一是, 重点任务一：) keep their outline level, so LibreOffice's own TOC still lists them.
    def entries(pdf: Path) -> list[tuple[str, int]]:
        return [(TOC_LINE.sub("", line), int(m.group(1))) for page in _pages(pdf)[:2] for line in page if (m := TOC_LINE.search(line))]

    assert entries(libreoffice[(preset, "updated")][0]) == entries(libreoffice[(preset, "untouched")][0])


def test_gongwen_docx_has_no_toc_to_number(render_seed: Callable[..., Path]) -> None:
    assert _cached_toc_pages(render_seed("docx", "gongwen")) == []
