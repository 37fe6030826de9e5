"""Render a numbered document to a PDF with embedded Chinese fonts (reportlab platypus).

The page, fonts, sizes and spacing come from the theme; the labels from numbering.py. Text is
broken into lines by the Chinese line breaker in ``_cjk_lines`` (clreq rules, justified by
character spacing) and drawn by the flowables in ``_flow``. Every face is an embedded
TrueType subset with a ToUnicode map, chosen per character from the role's fallback chain
(``_fonts``; a missing first-choice family is logged at info level). The table of contents
needs the headings' page numbers before they are known: each entry's leaders and number are a
form XObject defined when the document is saved, so one layout pass suffices. Output is
byte-identical for the same input: reportlab's invariant mode, every date from ``opts.created``.
"""

from __future__ import annotations

import contextlib
import io
import math
import unicodedata
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate
from reportlab.platypus.doctemplate import LayoutError

from ...errors import LocatedError, RenderError
from ...text import format_date
from ...theme.loader import PageNumber, Theme
from ._cjk_lines import InkOf, Line, Measure, Run, break_lines
from ._flow import (
    Anchor, Block, FlowCache, KeepRoom, TextBlock, TocEntry, define_page_number, draw_line, lays_out_only, plain_form, rl_color,
    width_of,
)
from ._fonts import Typesetter
from ._official import REPLACED_ROLES, BalancedTitle, official_flowables
from ._ink import InkReader, line_descent

if TYPE_CHECKING:
    from ...numbering import NumberedDocument, NumberedNode
    from ...errors import RenderError
    from ...fonts import FontSet
from .. import ImprintLayout, RenderOptions

__all__ = ["ImprintLayout", "heading_pages", "imprint_layout", "page_number_drop", "render", "title_lines"]


@dataclass(frozen=True, slots=True)
class _Para:
    """A block of the story: a role and its runs (text already assigned to faces)."""

    role: str
    runs: tuple[Run, ...]
    anchor: Anchor | None = None
    keep_with_next: bool = False
    toc_level: int = 0
    """For TOC entries (role ``toc``): the heading's level, which sets the indent."""
    page_break_after: bool = False
    blank_after: bool = False
    """A blank line follows (GB/T 9704: between the title block and the body)."""
    hang: float = 0.0
    """Indent of the lines after the first (a wrapped TOC entry hangs under its text, past the label)."""


@dataclass(frozen=True, slots=True)
class _Job:
    """One render: the document, its typeset story, and what drawing it finds out."""

    doc: NumberedDocument
    theme: Theme
    opts: RenderOptions
    setter: Typesetter
    story: list[_Para]
    blocks: dict[str, Block]
    pages: dict[str, int] = field(default_factory=dict)
    """Each heading's page, noted when it is drawn."""
    leaders: dict[str, float] = field(default_factory=dict)
    """Each TOC entry's leader length, noted when it is drawn; its page number is filled in at save."""
    cache: FlowCache = field(default_factory=FlowCache)
    """Widths, atoms and operators shared by all paragraphs (a long document repeats the same characters)."""
    unnumbered: set[int] = field(default_factory=set)
    """Pages that print no page number (an official document's 版记 page and the blank page before it)."""
    imprint_lines: list[int] = field(default_factory=list)
    """The lines of each list in an official document's 版记 (主送, 抄送), noted when it is laid out."""


def render(doc: NumberedDocument, theme: Theme, out: Path, *, opts: RenderOptions) -> None:
    """Write ``doc`` as a PDF at ``out``: title block, TOC, numbered headings, bookmarks, page numbers."""
    job = _job(doc, theme, opts, strict=opts.strict)
    try:
        _build(job, out)
    except LayoutError:
        # A valid theme can still ask for text taller than the type area (e.g. a 200 pt title).
        raise _too_tall(theme, job.blocks) from None
    finally:
        job.cache.release()
    _keep_pages(job)


class TooTall(RenderError, LocatedError):
    """Text taller than the type area: located at the theme key most likely responsible."""


def _too_tall(theme: Theme, blocks: Mapping[str, Block]) -> RenderError:
    """The error for a layout that cannot place some text on any page, at the style whose lines are
    tallest (its size, else its line height) or else the page's size and margins, where the theme set them."""
    tallest = max(blocks, key=lambda name: blocks[name].leading)
    role = _style_role(tallest)
    where = theme.position(f"styles.{role}.size", f"styles.{role}.line_height", f"styles.{role}", "page", "grid")
    message = (
        f"theme '{theme.name}': a heading or paragraph does not fit on one page (the tallest lines are {role}'s, "
        f"{blocks[tallest].leading:.0f} pt, in a type area {theme.page.type_height * mm:.0f} pt high); "
        "reduce the sizes, line heights or margins"
    )
    return TooTall(where, message) if where is not None else RenderError(message)


def heading_pages(doc: NumberedDocument, theme: Theme, *, opts: RenderOptions) -> dict[tuple[int, ...], int]:
    """The page each heading (by node path) starts on in this theme's PDF layout, laid out in memory.

    The DOCX's pre-filled TOC caches these numbers, so a reader sees page numbers before Word
    or LibreOffice updates the field. When ``opts.layout`` holds this job's PDF layout, its
    pages are taken from there; otherwise the story is laid out without drawing it (the pages
    are those of the PDF: drawing never moves a flowable).
    """
    if opts.layout is not None and (known := opts.layout.pages(doc, theme)) is not None:
        return dict(known)
    remembered = opts.warm.get(_pages_key(doc, theme)) if opts.warm is not None else None
    if isinstance(remembered, tuple) and remembered[0] == theme:
        return dict(remembered[1])
    job = _measured(doc, theme, opts, by_shape=opts.warm is not None)
    if job is None:
        return {}  # the PDF itself refuses this theme with the reason; the DOCX TOC then has no cached numbers
    return _keep_pages(job)


def imprint_layout(doc: NumberedDocument, theme: Theme, *, opts: RenderOptions) -> ImprintLayout:
    """The PDF layout's 版记, for the DOCX to follow page for page and line for line."""
    job = _measured(doc, theme, opts)
    if job is None:
        return ImprintLayout(alone=True)
    return ImprintLayout(alone=bool(job.unnumbered), list_lines=tuple(job.imprint_lines))


def title_lines(title: Sequence[str], theme: Theme, fonts: FontSet) -> list[str]:
    """An official title's lines (``title``: the outline's lines) as the PDF breaks them on the type
    area, each as the outline spells it, for the DOCX to break there too."""
    setter = Typesetter(fonts, theme)
    drawn = BalancedTitle(setter.lines_runs("title", title), _block(theme, setter, "title")).lines(theme.page.type_width * mm)
    return _spelt(title, [line.text for line in drawn])


def _spelt(given: Sequence[str], drawn: Sequence[str]) -> list[str]:
    """The ``drawn`` lines cut from the ``given`` ones: the same visible characters, but ASCII marks
    may be drawn full-width and invisible ones not at all (``Typesetter.runs``)."""
    places = [(number, at) for number, text in enumerate(given) for at, ch in enumerate(text) if _visible(ch)]
    out, taken = [], 0
    for line in drawn:
        count = sum(map(_visible, line))
        if count:
            (number, first), (_, last) = places[taken], places[taken + count - 1]
            out.append(given[number][first : last + 1])
            taken += count
    return out


def _visible(ch: str) -> bool:
    return not ch.isspace() and unicodedata.category(ch) != "Cf"


def _measured(doc: NumberedDocument, theme: Theme, opts: RenderOptions, *, by_shape: bool = False) -> _Job | None:
    """The document laid out in memory without drawing it (its job holds the headings' pages and the
    unnumbered pages); None if it does not fit.

    ``by_shape`` (a warm process): the pages of an earlier layout whose flowables had the same
    shape are taken instead of laying out again (an edit that keeps every paragraph's line count).
    """
    job = _job(doc, theme, opts, strict=False)
    flowables = _official_or_not(job, _flowables(job))
    shape = _shape(flowables, theme.page.type_width * mm) if by_shape and opts.warm is not None else None
    key = ("pdf-pages-by-shape", theme.name, shape)
    kept = opts.warm.get(key) if opts.warm is not None and shape is not None else None
    if isinstance(kept, tuple) and kept[0] == theme:
        job.pages.update(kept[1])
        job.unnumbered.update(kept[2])
        return job
    try:
        _build(job, io.BytesIO(), canvasmaker=_layout_only_canvas(job), flowables=flowables)
    except LayoutError:
        return None
    if opts.warm is not None and shape is not None and job.setter.logged_nothing:
        opts.warm.put(key, (theme, dict(job.pages), frozenset(job.unnumbered)))
    return job


def _shape(flowables: Sequence[Flowable], width: float) -> tuple[Hashable, ...] | None:
    """What the page breaks of ``flowables`` in a frame ``width`` wide depend on, or None for a kind not known here.

    A text block's height and splits depend only on its line count, its block (leading, spacing,
    orphans) and where it is cut; a KeepRoom's on the blocks it groups; a page break on nothing.
    Two stories of equal shape therefore break into the same pages, whatever their text.
    """
    position = {id(flowable): index for index, flowable in enumerate(flowables)}
    shape: list[Hashable] = []
    for flowable in flowables:
        if type(flowable) in (TextBlock, TocEntry):
            anchor = flowable.anchor.key if flowable.anchor is not None else None
            shape.append((type(flowable).__name__, flowable.block, len(flowable.lines(width)), anchor))
        elif type(flowable) is KeepRoom:
            shape.append(("KeepRoom", flowable.lines_after, tuple(position[id(block)] for block in flowable.group)))
        elif type(flowable) is PageBreak:
            shape.append(("PageBreak",))
        else:
            return None
    return tuple(shape)


def _pages_key(doc: NumberedDocument, theme: Theme) -> tuple[str, NumberedDocument, str]:
    return ("pdf-heading-pages", doc, theme.name)


def _keep_pages(job: _Job) -> dict[tuple[int, ...], int]:
    """The layout's heading pages, kept for the build's DOCX and, in a warm process, for later builds.

    A later build takes them only for an equal document and theme, and only when laying out
    logged nothing (no missing face or character), so that its warnings stay its own.
    """
    pages = _by_path(job)
    opts = job.opts
    if opts.layout is not None:
        opts.layout.keep(job.doc, job.theme, pages, logged_nothing=job.setter.logged_nothing)
    if opts.warm is not None and job.setter.logged_nothing:
        opts.warm.put(_pages_key(job.doc, job.theme), (job.theme, pages))
    return pages


def _job(doc: NumberedDocument, theme: Theme, opts: RenderOptions, *, strict: bool) -> _Job:
    """The typeset story of one render, ready to lay out: what both the PDF and its layout-only pass lay out."""
    setter = Typesetter(opts.fonts, theme, strict=strict, memo=opts.warm)
    story = _content(doc, theme, setter)
    if doc.doc.official is not None:
        # The official layout signs and dates the document itself (署名, 成文日期).
        story = [para for para in story if para.role not in REPLACED_ROLES | {"signature", "date"}]
    blocks = {role: _block(theme, setter, role) for role in {para.role for para in story}}
    blocks.update(_signature_blocks(story, blocks, theme))
    return _Job(doc, theme, opts, setter, story, blocks, cache=FlowCache(setter.notdef, lines=opts.warm))


def _by_path(job: _Job) -> dict[tuple[int, ...], int]:
    """The pages the layout noted (by anchor key) as node path -> page."""
    keys = {_anchor(item, job.theme).key: item.path for item in job.doc.walk()}
    return {keys[key]: page for key, page in job.pages.items() if key in keys}


def _layout_only_canvas(job: _Job) -> type[Canvas]:
    """A canvas for :func:`heading_pages`: the flowables note their pages and draw nothing; nothing is saved."""

    class LayingOut(_canvas_class(job)):  # type: ignore[misc]
        lays_out_only = True

        def save(self) -> None:
            pass  # the pages are laid out; nothing is written (no font subsetting, no streams)

    return LayingOut


def page_number_drop(theme: Theme, *, opts: RenderOptions) -> float:
    """Points from the top of the page number's ink (``to: ink``: ``— 1 —``'s dash line) down to
    the bottom of its line box as Word and LibreOffice set an exact-height line: the text sits on
    the line's bottom, the face's descent (``hhea``) under the baseline.

    The DOCX footer is placed by that bottom (``w:footer`` distance), so this is what it adds to
    the 7 mm. It depends on the face: it is measured on the face this PDF prints the number in.
    """
    setter = Typesetter(opts.fonts, theme, strict=False)
    spec = theme.page_number
    style = theme.style("page_number")
    runs = setter.text_runs("page_number", spec.text(1), theme.name)
    line = break_lines(runs, Measure(width=1e6, align="left"), width_of)[0]
    primary = setter.primary("page_number")
    em_top = style.size + pdfmetrics.getFont(primary).face.descent / 1000 * style.size
    return _number_top(spec, style.size, line, InkReader(), em_top) + line_descent(primary) * style.size


# -- content -------------------------------------------------------------------


def _content(doc: NumberedDocument, theme: Theme, setter: Typesetter) -> list[_Para]:
    """The story in reading order: title block, TOC entries, lead, then each heading and its body."""
    meta = doc.doc.meta
    where = doc.doc.path
    story = [_Para("title", tuple(setter.lines_runs("title", meta.title_shown, where)))]
    if meta.subtitle:
        story.append(_Para("subtitle", tuple(setter.text_runs("subtitle", meta.subtitle, where))))
    line = theme.meta_line(meta)
    signed = theme.title_block.meta == "signature"
    if line and not signed:
        story.append(_Para("meta", tuple(setter.text_runs("meta", line, where))))
    if theme.title_block.blank_line:
        story[-1] = replace(story[-1], blank_after=True)
    entries = [item for item in doc.walk() if item.level <= theme.toc.depth] if theme.toc.enabled else []
    if entries:
        story.append(_Para("toc_title", tuple(setter.text_runs("h1", theme.toc_title(meta.lang), where)), keep_with_next=True))
        for item in entries:
            label = _label(item, theme)
            runs = setter.runs("toc", item.node.title.spans, item.node.title.pos, label=label)
            # The breaker sets a separator tab as a space: the text starts after the label and it.
            hang = sum(width_of(run.text, run.font, run.size) for run in setter.text_runs("toc", label.replace("\t", " "))) if label else 0.0
            story.append(_Para("toc", tuple(runs), anchor=_anchor(item, theme), toc_level=item.level, hang=hang))
        story[-1] = _with_break(story[-1])
    for para in doc.doc.lead:
        story.append(_Para("body", tuple(setter.runs("body", para.spans, para.pos))))
    for item in doc.walk():
        story.extend(_node(item, theme, setter))
    if signed:
        if meta.author:
            story.append(_Para("signature", tuple(setter.text_runs("meta", meta.author, where))))
        if meta.date:
            date = format_date(meta.date, meta.lang, theme.furniture.date_format)
            story.append(_Para("date", tuple(setter.text_runs("meta", date, where))))
    return story


def _signature_blocks(story: list[_Para], blocks: dict[str, Block], theme: Theme) -> dict[str, Block]:
    """署名 and 成文日期 (GB/T 9704 7.3.5): a blank line under the text, the date right-aligned
    ``date_indent`` characters from the right, the signature centred over the date."""
    runs = {para.role: para.runs for para in story if para.role in ("signature", "date")}
    if not runs:
        return {}
    size = theme.style("meta").size
    right = theme.title_block.date_indent * (theme.body_char_pitch() or size)
    widths = {role: sum(width_of(run.text, run.font, run.size) for run in texts) for role, texts in runs.items()}
    date_width = widths.get("date", 0.0)
    out = {}
    for role in runs:
        block = blocks[role]
        centred = right + (date_width - widths[role]) / 2 if role == "signature" and date_width else right
        first = role == "signature" or "signature" not in runs
        out[role] = replace(
            block, measure=replace(block.measure, align="right", indent=0.0), right=max(0.0, centred),
            space_before=block.leading if first else 0.0, space_after=0.0,
        )
    return out


def _node(item: NumberedNode, theme: Theme, setter: Typesetter) -> list[_Para]:
    node = item.node
    role = theme.heading_role(node.level)
    out: list[_Para] = []
    if node.kicker:
        out.append(_Para("kicker", tuple(setter.text_runs("kicker", node.kicker, node.pos)), keep_with_next=True))
    runs = setter.runs(role, node.title.spans, node.title.pos or node.pos, label=_label(item, theme))
    out.append(_Para(role, tuple(runs), _anchor(item, theme), keep_with_next=True))
    out.extend(_Para("body", tuple(setter.runs("body", para.spans, para.pos))) for para in node.body)
    return out


def _label(item: NumberedNode, theme: Theme) -> str | None:
    """The label and the theme's separator after it, as the DOCX and EPUB print them."""
    return item.label + theme.label_gap(item.level) if item.label else None


def _anchor(item: NumberedNode, theme: Theme) -> Anchor:
    levels_open = int((theme.pdf or {}).get("bookmark_levels_open", 1))
    key = "h" + "-".join(str(i) for i in item.path)
    return Anchor(key, item.heading, item.level - 1, closed=item.level > levels_open)


def _with_break(para: _Para) -> _Para:
    return replace(para, page_break_after=True)


# -- styles --------------------------------------------------------------------


def _block(theme: Theme, setter: Typesetter, role: str) -> Block:
    """Line rules and vertical metrics of a role; on a grid, every line sits on the grid."""
    style = theme.style(_style_role(role))
    pdf = theme.pdf or {}
    pitch = theme.body_char_pitch() if theme.grid and style.size == theme.style("body").size else None
    measure = Measure(
        width=0.0,
        indent=style.indent * (pitch or style.size) if role != "toc" else 0.0,
        align=style.align if pdf.get("justify", True) or style.align != "justify" else "left",
        latin_gap=float(pdf.get("latin_gap", 0.0)),
        char_pitch=pitch,
        squeeze=pitch is None,
        grid_squeeze=pitch is not None and bool(pdf.get("grid_squeeze", True)),
        balance=role in _BALANCED and bool(pdf.get("balance", True)) and (style.align != "justify" or bool(pdf.get("balance_justified", False))),
    )
    descent = pdfmetrics.getFont(setter.primary(_style_role(role))).face.descent / 1000 * style.size
    if theme.grid:
        leading = theme.body_line_pitch()
        # GB/T 9704 measures the type area from the top of the first line's characters.
        half_leading = 0.0
        space_before = math.ceil(style.space_before / leading - 1e-6) * leading
        space_after = math.ceil(style.space_after / leading - 1e-6) * leading
    else:
        leading = style.size * style.line_height
        half_leading = (leading - style.size) / 2
        space_before, space_after = style.space_before, style.space_after
    return Block(
        measure=measure,
        leading=leading,
        baseline=half_leading + style.size + descent,
        color=style.color,
        space_before=space_before,
        space_after=space_after,
        orphans=theme.grid is None,
    )


#: Roles whose lines are balanced and broken at phrases (when not justified, or the theme's
#: ``pdf.balance_justified`` says: GB/T 9704 headings are justified on the grid).
_BALANCED = frozenset({"title", "subtitle", "kicker", "h1", "h2", "h3", "h4"})


def _style_role(role: str) -> str:
    """The theme role whose style a story role uses."""
    return {"toc_title": "h1", "signature": "meta", "date": "meta"}.get(role, role)


# -- layout --------------------------------------------------------------------


def _flowables(job: _Job) -> list[Flowable]:
    """The story as flowables; a heading group gets a KeepRoom, the TOC a page break after it."""
    toc_size = job.theme.style("toc").size
    number_box = 0.0
    if "toc" in job.blocks:  # measured only then: register only faces in use
        number_box = width_of("000", job.setter.primary("toc"), toc_size) + toc_size
    out: list[Flowable] = []
    group: list[TextBlock] = []
    for para in job.story:
        block = job.blocks[para.role]
        if para.role == "toc" and para.anchor is not None:
            left = (para.toc_level - 1) * 2 * toc_size
            key = para.anchor.key
            block = replace(block, measure=replace(block.measure, hang=para.hang))
            out.append(TocEntry(para.runs, block, key=key, left=left, number_box=number_box, leaders=job.leaders, cache=job.cache))
        else:
            if para.blank_after:
                block = replace(block, space_after=max(block.space_after, job.theme.body_line_pitch()))
            out.append(TextBlock(para.runs, block, anchor=para.anchor, pages=job.pages, cache=job.cache))
        if para.keep_with_next or group:
            group.append(out[-1])
        if group and not para.keep_with_next:
            out.insert(len(out) - len(group), KeepRoom(group))
            group = []
        if para.page_break_after:
            out.append(PageBreak())
    return out


def _build(job: _Job, target: Path | io.BytesIO, *, canvasmaker: type[Canvas] | None = None,
           flowables: list[Flowable] | None = None) -> None:
    """Lay out and write the document (its flowables, unless made already)."""
    theme, setter = job.theme, job.setter
    page = theme.page
    frame = Frame(
        page.margin_left * mm, page.margin_bottom * mm, page.type_width * mm, page.type_height * mm + 0.01,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="type-area",
    )
    meta = job.doc.doc.meta
    template = BaseDocTemplate(
        target if isinstance(target, io.BytesIO) else str(target),
        pagesize=(page.width * mm, page.height * mm),
        pageTemplates=[PageTemplate("page", [frame], onPage=lambda canv, _doc: _furniture(canv, theme, setter, job.cache, job.unnumbered))],
        title=meta.title, author=meta.author or "", subject=meta.subtitle or "", keywords=list(meta.keywords),
        creator="briefexport", invariant=1, lang=meta.lang, displayDocTitle=True,
        initialFontName=setter.primary("body"),  # else every page references an unembedded Helvetica
    )
    story = flowables if flowables is not None else _official_or_not(job, _flowables(job))
    try:
        template.build(story, canvasmaker=canvasmaker or _canvas_class(job))
    finally:
        # reportlab keeps the canvas, and with it the written document, on the template, which
        # its own reference cycles keep until the cyclic collector runs: in a build of all three
        # formats, after the DOCX written next in the same process has reached its peak memory.
        template.canv = None


def _official_or_not(job: _Job, flowables: list[Flowable]) -> list[Flowable]:
    """An official document's flowables around the body (``_official``); others as they are."""
    official = job.doc.doc.official
    if official is None:
        return flowables
    block = lambda role: job.blocks.get(role) or _block(job.theme, job.setter, role)  # noqa: E731
    return official_flowables(
        official, job.doc.doc.meta.title_shown, flowables, theme=job.theme, setter=job.setter, block=block, cache=job.cache,
        where=job.doc.doc.path, unnumbered=job.unnumbered, imprint_lines=job.imprint_lines,
    )


def _canvas_class(job: _Job) -> type[Canvas]:
    """A Canvas dated ``opts.created`` (reproducible builds) that fills in the TOC's page numbers on save."""
    created = job.opts.created
    offset = created.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    stamp = created.strftime("D:%Y%m%d%H%M%S") + f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"
    style = job.theme.style("toc")

    class BriefCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.setDateFormatter(lambda *_: stamp)
            self.showOutline()

        def save(self) -> None:
            # Every heading has been drawn by now, so every page number is known.
            numbers: dict[tuple[Run, ...], Line] = {}  # a page's number is laid out once, however many headings start on it
            for key, leader in job.leaders.items():
                runs = tuple(job.setter.text_runs("toc", str(job.pages.get(key, ""))))  # (each time: a missing digit warns each time)
                if runs not in numbers:
                    number = break_lines(runs, Measure(width=1e6, align="left"), width_of, cache=job.cache.layout)
                    numbers[runs] = number[0] if number else Line((), 0.0, style.size)
                define_page_number(self, key, numbers[runs], leader, style.color, job.cache)
            _define_page_numbers(self, job.theme, job.setter, job.cache, self.getPageNumber() - 1, job.unnumbered)
            with _flate_only():
                super().save()

    return BriefCanvas


@contextlib.contextmanager
def _flate_only() -> Iterator[None]:
    """Write content streams deflated only, without reportlab's default ASCII85 layer on top.

    ASCII85 keeps a PDF 7-bit clean, which no reader or transport needs any more; it makes
    page and form streams a quarter larger and costs a tenth of the render time. reportlab
    reads the setting when it writes the streams, so it is changed for the save alone.
    """
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def _number_top(spec: PageNumber, size: float, line: Line, ink: InkOf, em_top: float) -> float:
    """How far the top of the page number sits above its baseline: the em box's top, or the
    highest ink of the text around the number (``— 1 —``: the dash line), or of the number itself."""
    if spec.to == "em":
        return em_top
    around = "".join(value for kind, value in spec.parts() if kind == "text").strip()
    tops = [found.top for piece in line.pieces for ch in piece.text if (not around or ch in around)
            for found in [ink(ch, piece.font)] if found is not None]
    return max(tops, default=0.75) * size


#: Prefix of the form XObjects that hold page numbers of a format with ``{pages}``.
_PAGE_FORM = "page-number-"


def _numbered(number: int, theme: Theme, unnumbered: set[int] | None) -> bool:
    return not ((number == 1 and not theme.page_number.first_page) or number in (unnumbered or ()))


def _furniture(
    canv: Canvas, theme: Theme, setter: Typesetter, cache: FlowCache, unnumbered: set[int] | None = None
) -> None:
    """Draw the page number, or (a format with ``{pages}``) a form filled in on save, when the count is known."""
    number = canv.getPageNumber()
    if not _numbered(number, theme, unnumbered) or lays_out_only(canv):
        return
    if theme.page_number.needs_total:
        canv.doForm(f"{_PAGE_FORM}{number}")
        return
    _draw_page_number(canv, theme, setter, cache, number, 0)


def _define_page_numbers(
    canv: Canvas, theme: Theme, setter: Typesetter, cache: FlowCache, pages: int, unnumbered: set[int] | None = None
) -> None:
    """The forms :func:`_furniture` referred to, now that the number of pages is known."""
    if not theme.page_number.needs_total:
        return
    page = theme.page
    for number in range(1, pages + 1):
        if _numbered(number, theme, unnumbered):
            canv.beginForm(f"{_PAGE_FORM}{number}", lowerx=0, lowery=0, upperx=page.width * mm, uppery=page.height * mm)
            _draw_page_number(canv, theme, setter, cache, number, pages)
            canv.endForm()
            plain_form(canv, f"{_PAGE_FORM}{number}")


def _draw_page_number(canv: Canvas, theme: Theme, setter: Typesetter, cache: FlowCache, number: int, pages: int) -> None:
    """Draw the page number in the theme's format, alignment and distance below the type area."""
    spec = theme.page_number
    style = theme.style("page_number")
    runs = setter.text_runs("page_number", spec.text(number, pages), theme.name)
    layout = cache.layout
    line = break_lines(runs, Measure(width=1e6, align="left"), width_of, cache=layout)[0]
    page = theme.page
    left, right = page.margin_left * mm, (page.width - page.margin_right) * mm
    indent = spec.edge_indent * style.size
    align = spec.align
    if align == "outside":
        align = "right" if number % 2 else "left"
    x = {"left": left + indent, "right": right - indent - line.end}.get(align, (left + right - line.end) / 2)
    em_top = style.size + pdfmetrics.getFont(setter.primary("page_number")).face.descent / 1000 * style.size
    # The top of the number's em box (or of the ink around it) sits below_type_area mm under the type area.
    baseline = (page.margin_bottom - spec.below_type_area) * mm - _number_top(spec, style.size, line, layout.ink or InkReader(), em_top)
    canv.saveState()
    canv.setFillColor(rl_color(style.color))
    draw_line(canv, line, x, baseline, cache)
    canv.restoreState()
