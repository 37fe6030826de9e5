"""Themes as data: page geometry, fonts per role, sizes and spacing, loaded from YAML."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yaml.nodes import MappingNode, Node as YamlNode, ScalarNode, SequenceNode

from .. import _yaml
from ..errors import BriefexportError, Coded, SourcePos, ThemeError, coded
from ..numbering import chinese_numeral
from ..text import bad_character, meta_line, toc_title

if TYPE_CHECKING:
    from ..model import Meta

__all__ = [
    "PAGE_FIELDS", "PRESETS", "ROLES", "SEPARATORS", "Furniture", "Grid", "Page", "PageNumber", "TextStyle", "Theme", "TitleBlock",
    "Toc", "load_theme", "page_format_parts", "preset_names",
]

MM_PER_PT = 25.4 / 72

#: Text roles every theme styles; renderers map each to their own constructs.
ROLES = ("title", "subtitle", "meta", "kicker", "h1", "h2", "h3", "h4", "body", "toc", "page_number")

PAPER_SIZES_MM: Mapping[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "B5": (176.0, 250.0), "Letter": (215.9, 279.4)}
ALIGNMENTS = ("left", "center", "right", "justify")


@dataclass(frozen=True, slots=True)
class TextStyle:
    """How one role's text looks."""

    fonts: tuple[str, ...]
    """Font families in order of preference; the first installed or bundled one wins per character."""
    size: float
    """Font size in points."""
    bold: bool = False
    line_height: float = 1.5
    """Line pitch as a multiple of the size (overridden by the theme's grid for body text)."""
    align: str = "justify"
    indent: float = 0.0
    """First-line indent in characters (em)."""
    space_before: float = 0.0
    """Points above the paragraph."""
    space_after: float = 0.0
    """Points below the paragraph."""
    color: str = "#000000"


@dataclass(frozen=True, slots=True)
class Page:
    """Paper size and margins in millimetres."""

    width: float
    height: float
    margin_top: float
    margin_bottom: float
    margin_left: float
    margin_right: float

    @property
    def type_width(self) -> float:
        return self.width - self.margin_left - self.margin_right

    @property
    def type_height(self) -> float:
        return self.height - self.margin_top - self.margin_bottom


@dataclass(frozen=True, slots=True)
class Grid:
    """A fixed lines × characters grid for body text (GB/T 9704: 22 × 28)."""

    lines: int
    chars: int


@dataclass(frozen=True, slots=True)
class PageNumber:
    """Where and how page numbers are printed."""

    format: str = "{page}"
    """Text around the number, e.g. ``— {page} —``."""
    align: str = "center"
    """``center``, ``left``, ``right``, or ``outside`` (odd pages right, even pages left)."""
    edge_indent: float = 0.0
    """Characters in from the type area's edge when not centred."""
    below_type_area: float = 10.0
    """Millimetres from the bottom of the type area to the top of the number's em box (``to: em``)
    or of the ink of the text around it, e.g. the dash of ``— 1 —`` (``to: ink``, GB/T 9704)."""
    first_page: bool = True
    to: str = "em"

    def parts(self) -> tuple[tuple[str, str], ...]:
        """The format as ``("text", …)`` and ``("field", "page" | "page_cn" | "pages")`` parts (see :func:`page_format_parts`)."""
        try:
            return page_format_parts(self.format)
        except ValueError as exc:
            raise ThemeError("theme page_number.format", str(exc)) from None

    @property
    def needs_total(self) -> bool:
        """True when the format prints the page count, which is known only at the end."""
        return ("field", "pages") in self.parts()

    def text(self, page: int, pages: int = 0) -> str:
        """The format filled in for page ``page`` of ``pages``."""
        values = {"page": str(page), "pages": str(pages), "page_cn": chinese_numeral(page) if page > 0 else str(page)}
        return "".join(values[value] if kind == "field" else value for kind, value in self.parts())


#: The page-number format language: literal text, ``{page}`` or ``{page_cn}`` (this page's number,
#: in digits or in Chinese numerals 一, 十二, 一百零三: one of them, once), ``{pages}`` (the number of
#: pages), and ``{{`` / ``}}`` for literal braces. Nothing else: no format specs or conversions
#: (``{page:>99999999}`` would build a string of any size).
PAGE_FIELDS = ("page", "page_cn", "pages")
#: Longest page-number format: a footer holds one short line.
MAX_PAGE_FORMAT = 100
_PAGE_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def page_format_parts(text: str) -> tuple[tuple[str, str], ...]:
    """Parse a page-number format; ValueError with a message for the user if it is not one."""
    example = "e.g. '— {page} —' or '第 {page} 页 共 {pages} 页'"
    if len(text) > MAX_PAGE_FORMAT:
        raise ValueError(f"page_number format is {len(text)} characters long; at most {MAX_PAGE_FORMAT} fit a footer")
    parts: list[tuple[str, str]] = []
    literal, pos = "", 0
    for match in _PAGE_TOKEN.finditer(text):
        literal += text[pos : match.start()]
        pos = match.end()
        token, name = match.group(0), match.group(1)
        if token in ("{{", "}}"):
            literal += token[0]
            continue
        if name not in PAGE_FIELDS:
            what = f"a lone '{token}'" if name is None else f"'{token}'"
            raise ValueError(
                f"page_number format may hold only {{page}} and {{pages}} (or {{page_cn}} for 一, 二, 三; write {{{{ or }}}} for a brace), not {what}; {example}"
            )
        if literal:
            parts.append(("text", literal))
            literal = ""
        parts.append(("field", name))
    literal += text[pos:]
    if literal:
        parts.append(("text", literal))
    if parts.count(("field", "page")) + parts.count(("field", "page_cn")) != 1:
        raise ValueError(f"page_number format must hold {{page}} once (or {{page_cn}}: 第{{page_cn}}页); {example}")
    return tuple(parts)


@dataclass(frozen=True, slots=True)
class Toc:
    """The table of contents."""

    enabled: bool = True
    title: str | None = None
    """None: the document language's word (目录, Contents; see :func:`text.toc_title`)."""
    depth: int = 2


#: What the theme's ``label_separator`` words put between a heading's label and its title.
SEPARATORS: Mapping[str, str] = {"none": "", "space": " ", "tab": "\t"}
#: By level: nothing after 一、 and （一）, a space after 1., nothing after （1）.
DEFAULT_SEPARATORS = ("none", "none", "space", "none")


@dataclass(frozen=True, slots=True)
class Furniture:
    """Words around the content that follow the language unless the theme sets them (None = by ``lang``)."""

    date_format: str | None = None
    """E.g. ``{year}年{month}月{day}日`` or ``{day} {month_name} {year}``."""
    meta_separator: str | None = None
    """Between date and author on the line under the title."""


@dataclass(frozen=True, slots=True)
class TitleBlock:
    """Where the title block puts the date and author."""

    meta: str = "under_title"
    """``under_title`` (centred under the title) or ``signature``: author and date at the document's
    end as 署名 and 成文日期 (GB/T 9704), the date right-aligned ``date_indent`` characters from the right."""
    date_indent: float = 4.0
    blank_line: bool = False
    """A blank line between the title block and the body (GB/T 9704)."""


@dataclass(frozen=True, slots=True)
class Theme:
    """A complete look, shared by every renderer."""

    name: str
    page: Page
    styles: Mapping[str, TextStyle]
    page_number: PageNumber
    toc: Toc
    grid: Grid | None = None
    title_block: TitleBlock = TitleBlock()
    pdf: Mapping[str, Any] | None = None
    docx: Mapping[str, Any] | None = None
    epub: Mapping[str, Any] | None = None
    description: str = ""
    label_separators: tuple[str, ...] = DEFAULT_SEPARATORS
    """Per level (index 0 = level 1): ``none``, ``space`` or ``tab`` after the label."""
    furniture: Furniture = Furniture()
    where: Mapping[str, SourcePos] = field(default_factory=dict, compare=False)
    """Where each key was set (``styles.title.size``, ``page.margin.top``), in the file that set it
    last (a theme over the presets it extends): errors found while rendering point there."""

    def style(self, role: str) -> TextStyle:
        """The style of a role (``h1``…``h4``, ``body``, ``title`` …)."""
        return self.styles[role]

    def heading_role(self, level: int) -> str:
        return f"h{min(level, 4)}"

    def toc_title(self, lang: str) -> str:
        """The TOC's title: the theme's, or the document language's word."""
        return self.toc.title if self.toc.title is not None else toc_title(lang)

    def meta_line(self, meta: Meta) -> str:
        """The date-and-author line under the title, in the document's language unless the theme says otherwise."""
        return meta_line(meta, date_format=self.furniture.date_format, separator=self.furniture.meta_separator)

    def label_separator(self, level: int) -> str:
        """What follows a level's label: "", " " or a tab (the DOCX's ``w:suff``)."""
        return SEPARATORS[self.label_separators[min(level, len(self.label_separators)) - 1]]

    def label_gap(self, level: int) -> str:
        """The separator as PDF and EPUB print it: a tab, which they have no tab stops for, as one em (U+3000)."""
        separator = self.label_separator(level)
        return "\u3000" if separator == "\t" else separator

    def body_line_pitch(self) -> float:
        """Body baseline-to-baseline distance in points."""
        if self.grid:
            return self.page.type_height / MM_PER_PT / self.grid.lines
        body = self.styles["body"]
        return body.size * body.line_height

    def position(self, *keys: str) -> SourcePos | None:
        """Where the first of ``keys`` that a theme file set was set (a sub-key counts for its parent)."""
        for key in keys:
            found = self.where.get(key) or next((pos for name, pos in self.where.items() if name.startswith(key + ".")), None)
            if found is not None:
                return found
        return None

    def body_char_pitch(self) -> float | None:
        """Body character advance in points when a grid fixes it, else None."""
        if self.grid:
            return self.page.type_width / MM_PER_PT / self.grid.chars
        return None


# -- the schema: every key a theme file may hold ---------------------------

_NUM, _INT, _BOOL, _TEXT, _FONTS = "number", "integer", "boolean", "text", "fonts"
_STYLE_SPEC: Mapping[str, Any] = {
    "fonts": _FONTS, "size": _NUM, "bold": _BOOL, "line_height": _NUM, "align": ALIGNMENTS,
    "indent": _NUM, "space_before": _NUM, "space_after": _NUM, "color": _TEXT,
}
THEME_SPEC: Mapping[str, Any] = {
    "name": _TEXT,
    "description": _TEXT,
    "extends": _TEXT,
    "page": {
        "size": tuple(PAPER_SIZES_MM),
        "width": _NUM, "height": _NUM,
        "margin": {"top": _NUM, "bottom": _NUM, "left": _NUM, "right": _NUM},
    },
    "grid": {"lines": _INT, "chars": _INT},
    "page_number": {
        "format": _TEXT, "align": ("center", "left", "right", "outside"), "edge_indent": _NUM,
        "below_type_area": _NUM, "first_page": _BOOL, "to": ("em", "ink"),
    },
    "title_block": {"meta": ("under_title", "signature"), "date_indent": _NUM, "blank_line": _BOOL},
    "toc": {"enabled": _BOOL, "title": _TEXT, "depth": _INT},
    "label_separator": {f"h{level}": tuple(SEPARATORS) for level in range(1, 5)},
    "furniture": {"date_format": _TEXT, "meta_separator": _TEXT},
    "styles": {role: _STYLE_SPEC for role in ROLES},
    "pdf": {
        "justify": _BOOL, "latin_gap": _NUM, "bookmark_levels_open": _INT,
        "emphasis": ("bold", "synthetic", "face"), "emphasis_fonts": _FONTS, "grid_squeeze": _BOOL, "balance": _BOOL,
        "balance_justified": _BOOL,
    },
    "docx": {"toc_field": _BOOL, "native_numbering": _BOOL, "char_grid": _BOOL},
    "epub": {
        "embed_font": _BOOL, "title_page": _BOOL, "toc_depth": _INT, "max_measure": _NUM, "min_line_height": _NUM,
    },
}


#: Bounds for numbers whose useful range is narrower than 0–10,000.
_RANGES: Mapping[str, tuple[float, float]] = {
    "size": (0, 1000), "line_height": (0, 10), "indent": (0, 10), "lines": (1, 200), "chars": (1, 200), "depth": (1, 4),
    "toc_depth": (1, 4), "date_indent": (0, 20), "min_line_height": (0, 10), "max_measure": (0, 200),
    "width": (0, 2000), "height": (0, 2000),
}
#: Text whose spaces are the point (a separator may be one space or U+3000).
_KEEP_SPACES = frozenset({"meta_separator"})
#: Numbers that must not be zero.
_NONZERO = frozenset({"size", "line_height", "width", "height"})
#: Smallest type area (mm) a page may leave between its margins.
MIN_TYPE_AREA = 20.0


class _ThemeReader:
    """Validates a theme file's YAML graph against THEME_SPEC, producing plain dicts."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.where: dict[str, SourcePos] = {}
        """Each key's position, by dotted path (``styles.title.size``)."""

    def error(self, node: YamlNode, message: str, said: Coded | None = None) -> ThemeError:
        return ThemeError(_yaml.pos_of(node, self.file), message, said)

    def value(self, node: YamlNode, spec: Any, key: str, path: str = "") -> Any:
        if isinstance(spec, Mapping):
            return self.mapping(node, spec, key, path or key)
        if spec == _FONTS:
            items = node.value if isinstance(node, SequenceNode) else [node]
            if not items:
                raise self.error(node, "'fonts' needs at least one font family", coded("theme_no_fonts"))
            return tuple(self.scalar(item, _TEXT, key) for item in items)
        value = self.scalar(node, spec, key)
        if key == "format" and spec == _TEXT:
            self.check_page_format(node, value)
        if key == "color" and not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
            raise self.error(node, f"'color' must be #RRGGBB, e.g. '#B22222' (got '{value}')", coded("theme_color", value=value))
        return value

    def check_page_format(self, node: YamlNode, value: str) -> None:
        try:
            page_format_parts(value)
        except ValueError as exc:
            raise self.error(node, f"{exc} (got '{value}')", coded("theme_page_format", value=value)) from None

    def mapping(self, node: YamlNode, spec: Mapping[str, Any], where: str, path: str = "") -> dict[str, Any]:
        if not isinstance(node, MappingNode):
            keys_shown = ", ".join(list(spec)[:4])
            raise self.error(node, f"'{where}' must be a mapping with keys such as {keys_shown}",
                             coded("must_be_mapping", what=where, keys=keys_shown))
        out: dict[str, Any] = {}
        for key, (key_node, value_node) in _yaml.mapping_pairs(node, self.file, ThemeError).items():
            if key not in spec:
                import difflib  # only for a misspelt key; not worth importing for every build

                close = difflib.get_close_matches(key, list(spec), n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(spec)}"
                said = (coded("unknown_key_close", key=key, what=where, close=close[0]) if close
                        else coded("unknown_key", key=key, what=where, known=", ".join(spec)))
                raise self.error(key_node, f"unknown theme key '{key}' in '{where}'; {hint}", said)
            dotted = f"{path}.{key}" if path else key
            self.where[dotted] = _yaml.pos_of(key_node, self.file)
            out[key] = self.value(value_node, spec[key], key, dotted)
        return out

    def scalar(self, node: YamlNode, spec: Any, key: str) -> Any:
        if not isinstance(node, ScalarNode) or _yaml.is_null(node):
            raise self.error(node, f"'{key}' needs a single value", coded("theme_single_value", key=key))
        if _yaml.escapes_nul(node):
            raise self.error(node, f"'{key}' contains a NUL character (\\0 escape); delete it", coded("nul_escape", what=key))
        text = _yaml.fold_text(node.value, literal=False)
        if key not in _KEEP_SPACES:
            text = text.strip()
        problem = bad_character(text)
        if problem:
            raise self.error(node, f"'{key}' {problem}", coded("bad_character", what=key, problem=problem))
        if isinstance(spec, tuple):
            if text not in spec:
                raise self.error(node, f"'{key}' must be one of {', '.join(spec)} (got '{text}')",
                                 coded("theme_one_of", key=key, choices=", ".join(spec), value=text))
            return text
        if spec == _BOOL:
            if node.tag != "tag:yaml.org,2002:bool":
                raise self.error(node, f"'{key}' must be true or false (got '{text}')", coded("must_be_flag", what=key))
            return text.lower() in ("true", "yes", "on")
        if spec in (_NUM, _INT):
            try:
                number = int(text) if spec == _INT else float(text)
            except ValueError:
                kind = "a whole number" if spec == _INT else "a number"
                raise self.error(node, f"'{key}' must be {kind} (got '{text}')",
                                 coded("theme_whole_number" if spec == _INT else "theme_number", key=key, value=text)) from None
            low, high = _RANGES.get(key, (0.0, 10_000.0))
            if not (math.isfinite(number) and low <= number <= high) or (number == 0 and (spec == _INT or key in _NONZERO)):
                above = key in _NONZERO or spec == _INT
                raise self.error(node, f"'{key}' must be {'above' if above else 'at least'} {low:g} and at most {high:g} (got {text})",
                                 coded("theme_range_above" if above else "theme_range", key=key, low=f"{low:g}", high=f"{high:g}",
                                       value=text))
            return number
        return text


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


#: The presets' folder: the path ``importlib.resources`` gave for it (the package is installed as
#: files, as the bundled fonts are), without importing it, which cost a cold build more than
#: reading the preset does.
_PRESET_DIR = Path(__file__).parent / "presets"


def preset_names() -> list[str]:
    """Names of the built-in themes."""
    return sorted(entry.name.removesuffix(".yaml") for entry in _PRESET_DIR.iterdir() if entry.name.endswith(".yaml"))


PRESETS = ("handout", "gongwen", "ebook")


def _read_raw(path: Path, allowed: Sequence[Path], *, depth: int = 0) -> tuple[dict[str, Any], dict[str, SourcePos]]:
    """A theme file's settings merged over the chain of themes it extends, and where each key was set."""
    root = _yaml.compose_file(path, ThemeError)
    reader = _ThemeReader(str(path))
    if root is None:
        raise ThemeError(SourcePos(str(path), 1, 1), "the theme file is empty", coded("theme_empty"))
    raw = reader.mapping(root, THEME_SPEC, "theme")
    parent = raw.pop("extends", None)
    if parent is None:
        return raw, reader.where
    extends_node = next(value for key, value in root.value if key.value == "extends")
    if not parent:
        raise reader.error(extends_node, "'extends' is empty; name a preset or a theme file", coded("theme_extends_empty"))
    if depth > 8:
        raise reader.error(extends_node, "themes extend each other in a loop", coded("theme_extends_loop"))
    try:
        parent_path = _locate(parent, path.parent)
        if parent not in preset_names() and not _inside(parent_path, [path.parent, *allowed]):
            raise BriefexportError(
                f"'{parent}' is outside the theme's folder; move it beside the theme, or allow its folder with --allow-path"
            )
    except BriefexportError as exc:
        raise reader.error(extends_node, str(exc)) from None
    base, where = _read_raw(parent_path, allowed, depth=depth + 1)
    # A key set here replaces the parent's (and a mapping set here its parent's sub-keys' places).
    return _merge(base, raw), {**where, **reader.where}


def _inside(path: Path, folders: Sequence[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(folder.resolve()) for folder in folders)


def _locate(name_or_path: str, relative_to: Path | None = None) -> Path:
    if name_or_path in preset_names():
        return _PRESET_DIR / f"{name_or_path}.yaml"
    candidate = Path(name_or_path)
    if relative_to is not None and not candidate.is_absolute():
        candidate = relative_to / candidate
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    raise BriefexportError(f"no theme named '{name_or_path}'; presets: {', '.join(preset_names())}, or give a .yaml file")


def _build(raw: Mapping[str, Any], where: Mapping[str, SourcePos], name: str, file: str) -> Theme:
    page_raw = raw.get("page", {})
    width, height = PAPER_SIZES_MM[page_raw.get("size", "A4")]
    margin = page_raw.get("margin", {})
    missing = [role for role in ROLES if "fonts" not in raw.get("styles", {}).get(role, {}) or "size" not in raw["styles"][role]]
    if missing:
        raise ThemeError(SourcePos(file, 1, 1), f"styles {', '.join(missing)} need 'fonts' and 'size' (or extend a preset)",
                         coded("theme_styles_missing", roles=", ".join(missing)))
    grid_raw = raw.get("grid")
    return Theme(
        name=raw.get("name", name),
        description=raw.get("description", ""),
        page=Page(
            width=page_raw.get("width", width), height=page_raw.get("height", height),
            margin_top=margin.get("top", 25.0), margin_bottom=margin.get("bottom", 25.0),
            margin_left=margin.get("left", 25.0), margin_right=margin.get("right", 25.0),
        ),
        styles={role: TextStyle(**raw["styles"][role]) for role in ROLES},
        page_number=PageNumber(**raw.get("page_number", {})),
        toc=Toc(**raw.get("toc", {})),
        label_separators=tuple(raw.get("label_separator", {}).get(f"h{k}", default) for k, default in enumerate(DEFAULT_SEPARATORS, 1)),
        furniture=Furniture(**raw.get("furniture", {})),
        grid=Grid(**grid_raw) if grid_raw else None,
        title_block=TitleBlock(**raw.get("title_block", {})),
        pdf=dict(raw.get("pdf", {})),
        docx=dict(raw.get("docx", {})),
        epub=dict(raw.get("epub", {})),
        where=dict(where),
    )


def load_theme(name_or_path: str | Path = "handout", *, allow_paths: Sequence[Path] = ()) -> Theme:
    """Load a preset by name or a theme file (which may ``extends:`` a preset).

    A theme file may extend presets and files in its own folder or below; ``allow_paths``
    names further folders (the CLI's ``--allow-path``), so a theme cannot pull in arbitrary files.
    """
    path = _locate(str(name_or_path))
    theme = _build(*_read_raw(path, tuple(allow_paths)), path.stem, str(path))
    page = theme.page
    if min(page.type_width, page.type_height) < MIN_TYPE_AREA:
        raise ThemeError(
            SourcePos(str(path), 1, 1),
            f"the margins leave a type area of {page.type_width:g} × {page.type_height:g} mm; at least {MIN_TYPE_AREA:g} mm each way is needed",
        )
    return theme
