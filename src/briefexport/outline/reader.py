"""Read an outline file into a Document, refusing bad input with file:line:col errors."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from yaml.nodes import MappingNode, Node as YamlNode, ScalarNode, SequenceNode

from .. import _yaml
from ..errors import Coded, OutlineError, SourcePos, coded
from ..model import MAX_LEVEL, Attachment, Document, Official, LabelTemplate, Meta, Node, Para, Span
from ..numbering import DEFAULT_LEVEL_TEMPLATES, TemplateError, parse_template
from ..text import bad_character

__all__ = ["ATTACHMENT_KEYS", "DOCUMENT_KEYS", "NODE_KEYS", "OFFICIAL_KEYS", "OUTLINE_SUFFIXES", "load", "loads", "not_an_outline", "parse_inline"]

#: File names an outline has; anything else given to build or check may be a briefing still to import.
OUTLINE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class KeySpec:
    """One outline key: its JSON type for the schema and a description for editors."""

    kind: str
    description: str
    required: bool = False


DOCUMENT_KEYS: Mapping[str, KeySpec] = {
    "title": KeySpec("text", "标题 Document title; a literal block (title: |) breaks it where its lines break", required=True),
    "subtitle": KeySpec("text", "副标题 Subtitle"),
    "author": KeySpec("text", "作者或发文机关 Author or issuing office"),
    "date": KeySpec("date", "日期 Date, YYYY-MM-DD"),
    "lang": KeySpec("text", "语言 Language tag, default zh-CN"),
    "keywords": KeySpec("texts", "关键词 Keywords"),
    "source": KeySpec("text", "来源 Where the text comes from (a name or URL)"),
    "numbering": KeySpec("level_numbering", "各级编号 Label template per level 1–4, e.g. ['{cn}、', '（{cn}）', '{n}.', '（{n}）']"),
    "lead": KeySpec("paras", "导语 Paragraphs before the first section"),
    "sections": KeySpec("nodes", "各部分 Top-level sections"),
    "official": KeySpec("official", "公文要素 GB/T 9704-2012 elements of an official document (版头, 主送, 附件说明, 署名, 版记)"),
}

OFFICIAL_KEYS: Mapping[str, KeySpec] = {
    "copy_number": KeySpec("text", "份号 Copy number, 6 Arabic digits, e.g. '000001'"),
    "secrecy": KeySpec("text", "密级和保密期限 Secrecy level and period, e.g. 机密★1年"),
    "urgency": KeySpec("text", "紧急程度 Urgency: 特急 or 加急"),
    "organs": KeySpec("texts", "发文机关 Issuing organ; a list for a joint document, the lead organ first"),
    "mark": KeySpec("texts", "发文机关标志 The organ's mark; default: the organs followed by 文件"),
    "number": KeySpec("text", "发文字号 Document number, e.g. 国办发〔2024〕3号"),
    "signers": KeySpec("texts", "签发人 Signer(s) of an upward document (上行文)"),
    "recipients": KeySpec("text", "主送机关 Recipients, ending with a full-width colon, e.g. 各省、自治区、直辖市人民政府："),
    "recipients_in_record": KeySpec("bool", "主送移至版记 true: the 主送 is printed in the 版记 above the 抄送 (纪要-like documents, or too many recipients for the first page). Default false"),
    "attachments": KeySpec("attachments", "附件说明 Attachments: a name each, or {name, title, body} to print the attachment's own pages"),
    "signature": KeySpec("texts", "发文机关署名 Signature; default: the organs"),
    "date": KeySpec("date_text", "成文日期 Date of writing, YYYY-MM-DD or 2024年1月14日; default: the outline's date"),
    "seal": KeySpec("bool", "印章 true: room for the seal (date 4 characters from the right); false: no seal (署名 2 characters from the right). Default true"),
    "note": KeySpec("text", "附注 Note, printed in （）"),
    "copy_to": KeySpec("text", "抄送机关 Copy-to organs, e.g. 国务院各部委，各直属机构。"),
    "printer": KeySpec("text", "印发机关 Printing organ, e.g. 国务院办公厅"),
    "print_date": KeySpec("date_text", "印发日期 Printing date, YYYY-MM-DD or 2024年1月15日"),
}

ATTACHMENT_KEYS: Mapping[str, KeySpec] = {
    "name": KeySpec("text", "附件名称 The name listed in the 附件说明 (no final punctuation)", required=True),
    "title": KeySpec("text", "附件标题 Title on the attachment's own pages; default: the name"),
    "body": KeySpec("paras", "附件正文 The attachment's text; without it the attachment is only listed"),
}

_CHINESE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")

NODE_KEYS: Mapping[str, KeySpec] = {
    "title": KeySpec("text", "标题 Heading text, without its number, on one line", required=True),
    "kicker": KeySpec("text", "提示词 Small label shown with the heading, e.g. 关键点"),
    "body": KeySpec("paras", "正文 One paragraph, or a list of paragraphs"),
    "numbering": KeySpec("template", "子项编号 How this entry's items are numbered: '{cn}是', '重点任务{cn}：', '第{cn}条', '{n}.', or none"),
    "items": KeySpec("nodes", "子项 Items under this entry (at most 4 levels in all)"),
}

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)


def parse_inline(text: str) -> tuple[Span, ...]:
    """Split text into spans; ``**bold**`` is the only markup, all else is literal."""
    spans: list[Span] = []
    cursor = 0
    for match in _BOLD.finditer(text):
        if match.start() > cursor:
            spans.append(Span(text[cursor : match.start()]))
        spans.append(Span(match.group(1), bold=True))
        cursor = match.end()
    if cursor < len(text) or not spans:
        spans.append(Span(text[cursor:]))
    return tuple(spans)


class _Reader:
    """Walks the composed YAML graph of one outline file and builds the model."""

    def __init__(self, file: str) -> None:
        self.file = file

    def error(self, node: YamlNode, message: str, said: Coded | None = None) -> OutlineError:
        return OutlineError(_yaml.pos_of(node, self.file), message, said)

    def pos(self, node: YamlNode) -> SourcePos:
        return _yaml.pos_of(node, self.file)

    # -- structure -------------------------------------------------------

    def fields(self, node: YamlNode, keys: Mapping[str, KeySpec], what: str) -> dict[str, YamlNode]:
        if not isinstance(node, MappingNode):
            keys_shown = ", ".join(list(keys)[:3])
            raise self.error(node, f"{what} must be a mapping of keys such as {keys_shown}",
                             coded("must_be_mapping", what=what, keys=keys_shown))
        pairs = _yaml.mapping_pairs(node, self.file, OutlineError)
        for key, (key_node, _) in pairs.items():
            if key not in keys:
                raise self.error(key_node, *_unknown_key_message(key, keys, what))
        for key, spec in keys.items():
            if spec.required and (key not in pairs or _yaml.is_null(pairs[key][1])):
                where = pairs[key][1] if key in pairs else node
                raise self.error(where, f"{what} needs a '{key}'", coded("needs_key", what=what, key=key))
        return {key: value for key, (_, value) in pairs.items() if not _yaml.is_null(value)}

    def text(self, node: YamlNode, what: str, *, allow_newlines: bool = False) -> str:
        if not isinstance(node, ScalarNode):
            kind = "a list" if isinstance(node, SequenceNode) else "a mapping"
            raise self.error(node, f"{what} must be text, not {kind}", coded("must_be_text", what=what, kind=kind))
        if _yaml.escapes_nul(node):
            raise self.error(node, f"{what} contains a NUL character (\\0 escape); delete it", coded("nul_escape", what=what))
        value = _yaml.fold_text(node.value, literal=node.style == "|").strip()
        value = value.replace("\t", " ")
        self.check_characters(node, value, what)
        if not allow_newlines:
            value = " ".join(part.strip() for part in value.splitlines() if part.strip())
        return value

    def one_line(self, node: YamlNode, what: str) -> str:
        """Text that must stay one line (a heading, a kicker, an attachment's name and title).

        Only the document's title takes the outline's line breaks: a heading's lines are broken
        by each format at its own width (and balanced at phrase boundaries), numbered, listed in
        the TOC and bookmarks, so a break kept in one would print in some formats and not others.
        """
        value = self.text(node, what, allow_newlines=True)
        if "\n" in value:
            raise self.error(node, f"{what} has a line break; only the document's title can be broken into lines: "
                                   "write it on one line (it wraps where it must)", coded("heading_break", what=what))
        return value

    def check_characters(self, node: YamlNode, value: str, what: str) -> None:
        problem = bad_character(value)
        if problem:
            raise self.error(node, f"{what} {problem}", coded("bad_character", what=what, problem=problem))

    def para_list(self, node: YamlNode, what: str) -> tuple[Para, ...]:
        items = node.value if isinstance(node, SequenceNode) else [node]
        paras: list[Para] = []
        for item in items:
            value = self.text(item, what, allow_newlines=True)
            for line in value.split("\n"):
                if line.strip():
                    paras.append(Para(parse_inline(line.strip()), self.pos(item)))
        return tuple(paras)

    def template(self, node: YamlNode) -> LabelTemplate | Literal["none"]:
        value = self.text(node, "numbering")
        if isinstance(node, ScalarNode) and value:
            # A quoted template's own trailing space ("{n}. ") separates its label from the title: keep it.
            value += " " * (len(node.value) - len(node.value.rstrip(" ")))
        if value.lower() == "none":
            return "none"
        try:
            return parse_template(value)
        except TemplateError as exc:
            raise self.error(node, str(exc)) from None

    def level_numbering(self, node: YamlNode) -> tuple[LabelTemplate | None, ...]:
        defaults: list[LabelTemplate | None] = [parse_template(t) for t in DEFAULT_LEVEL_TEMPLATES]
        if isinstance(node, ScalarNode) and self.text(node, "numbering").lower() == "none":
            return (None,) * MAX_LEVEL
        if isinstance(node, SequenceNode):
            entries = list(enumerate(node.value, start=1))
        elif isinstance(node, MappingNode):
            pairs = _yaml.mapping_pairs(node, self.file, OutlineError).values()
            entries = [(self.level_key(key), value) for key, value in pairs]
        else:
            raise self.error(node, "numbering must be a list of up to 4 templates, one per level, or none", coded("numbering_shape"))
        for level, value in entries:
            if level > MAX_LEVEL:
                raise self.error(value, f"numbering has {level} levels; outlines have at most {MAX_LEVEL}",
                                 coded("numbering_levels", level=level, most=MAX_LEVEL))
            rule = self.template(value)
            defaults[level - 1] = None if rule == "none" else rule
        return tuple(defaults)

    def level_key(self, key: YamlNode) -> int:
        if isinstance(key, ScalarNode) and key.value.isdigit() and 1 <= int(key.value) <= MAX_LEVEL:
            return int(key.value)
        raise self.error(key, f"numbering levels are 1 to {MAX_LEVEL}", coded("numbering_level_key", most=MAX_LEVEL))

    # -- model -----------------------------------------------------------

    def nodes(self, node: YamlNode, level: int, what: str) -> tuple[Node, ...]:
        if not isinstance(node, SequenceNode):
            raise self.error(node, f"{what} must be a list (each entry starting with '- title:')", coded("must_be_list", what=what))
        if level > MAX_LEVEL:
            raise self.error(node, f"items nested {level} levels deep; outlines have at most {MAX_LEVEL} levels",
                             coded("too_deep", level=level, most=MAX_LEVEL))
        return tuple(self.node(child, level) for child in node.value)

    def node(self, yaml_node: YamlNode, level: int) -> Node:
        what = "a section" if level == 1 else "an item"
        if isinstance(yaml_node, ScalarNode) and not _yaml.is_null(yaml_node):
            raise self.error(yaml_node, f"{what} must be a mapping; write '- title: {yaml_node.value[:20]}'",
                             coded("entry_needs_title", what=what, text=yaml_node.value[:20]))
        found = self.fields(yaml_node, NODE_KEYS, what)
        title = self.one_line(found["title"], "title")
        if not title:
            raise self.error(found["title"], "title is empty; write the heading text", coded("heading_empty"))
        numbering = self.template(found["numbering"]) if "numbering" in found else "default"
        return Node(
            title=Para(parse_inline(title), self.pos(found["title"])),
            level=level,
            body=self.para_list(found["body"], "body") if "body" in found else (),
            children=self.nodes(found["items"], level + 1, "items") if "items" in found else (),
            kicker=self.one_line(found["kicker"], "kicker") if "kicker" in found else None,
            child_numbering=numbering,
            pos=self.pos(yaml_node),
        )

    def date(self, node: YamlNode) -> dt.date:
        value = self.text(node, "date")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.error(node, f"date '{value}' is not a date; write it as YYYY-MM-DD, e.g. 2024-01-14",
                             coded("bad_date", value=value)) from None

    def lang(self, node: YamlNode) -> str:
        value = self.text(node, "lang")
        if not re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*", value):
            hint = value.replace("_", "-") if re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*", value) else "zh-CN"
            raise self.error(node, f"lang '{value}' is not a language tag; write it like '{hint}'", coded("bad_lang", value=value, hint=hint))
        return value

    def keywords(self, node: YamlNode) -> tuple[str, ...]:
        if isinstance(node, SequenceNode):
            return tuple(self.text(item, "keyword") for item in node.value)
        return tuple(word.strip() for word in re.split(r"[,，;；、]", self.text(node, "keywords")) if word.strip())

    def texts(self, node: YamlNode, what: str) -> tuple[str, ...]:
        items = node.value if isinstance(node, SequenceNode) else [node]
        return tuple(value for value in (self.text(item, what) for item in items) if value)

    def date_text(self, node: YamlNode, what: str) -> str:
        """A date as printed in a 公文: ISO dates become 2024年1月14日, Chinese dates stay as written."""
        value = self.text(node, what)
        if _CHINESE_DATE.fullmatch(value):
            return value
        try:
            return chinese_date(dt.date.fromisoformat(value))
        except ValueError:
            raise self.error(node, f"{what} '{value}' is not a date; write it as YYYY-MM-DD or 2024年1月14日",
                             coded("bad_official_date", what=what, value=value)) from None

    def flag(self, node: YamlNode, what: str) -> bool:
        if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:bool":
            raise self.error(node, f"{what} must be true or false", coded("must_be_flag", what=what))
        return node.value.lower() in ("true", "yes", "on")

    def attachment(self, node: YamlNode) -> Attachment:
        if isinstance(node, ScalarNode):
            return Attachment(self.one_line(node, "attachment"), pos=self.pos(node))
        found = self.fields(node, ATTACHMENT_KEYS, "an attachment")
        return Attachment(
            name=self.one_line(found["name"], "name"),
            title=self.one_line(found["title"], "title") if "title" in found else None,
            body=self.para_list(found["body"], "body") if "body" in found else (),
            pos=self.pos(found["name"]),
        )

    def official(self, node: YamlNode, meta: Meta) -> Official:
        found = self.fields(node, OFFICIAL_KEYS, "official")
        text: Callable[[str], str | None] = lambda key: self.text(found[key], key) if key in found else None
        texts: Callable[[str], tuple[str, ...]] = lambda key: self.texts(found[key], key) if key in found else ()
        attachments = found.get("attachments")
        if attachments is not None and not isinstance(attachments, SequenceNode):
            raise self.error(attachments, "attachments must be a list, one entry per 附件", coded("attachments_list"))
        return Official(
            copy_number=text("copy_number"), secrecy=text("secrecy"), urgency=text("urgency"),
            organs=texts("organs"), mark=texts("mark"), number=text("number"), signers=texts("signers"),
            recipients=text("recipients"),
            recipients_in_record=self.flag(found["recipients_in_record"], "recipients_in_record") if "recipients_in_record" in found else False,
            attachments=tuple(self.attachment(item) for item in attachments.value) if attachments is not None else (),
            signature=texts("signature"),
            date=self.date_text(found["date"], "date") if "date" in found else (chinese_date(meta.date) if meta.date else None),
            seal=self.flag(found["seal"], "seal") if "seal" in found else True,
            note=text("note"), copy_to=text("copy_to"), printer=text("printer"),
            print_date=self.date_text(found["print_date"], "print_date") if "print_date" in found else None,
            places=tuple((key, self.pos(value)) for key, value in found.items()),
        )

    def document(self, root: YamlNode | None) -> Document:
        if root is None or _yaml.is_null(root):
            raise OutlineError(SourcePos(self.file, 1, 1), "the outline is empty; it needs at least a 'title'", coded("outline_empty"))
        found = self.fields(root, DOCUMENT_KEYS, "the outline")
        lines = tuple(line.strip() for line in self.text(found["title"], "title", allow_newlines=True).split("\n") if line.strip())
        if not lines:
            raise self.error(found["title"], "title is empty; write the document's title", coded("title_empty"))
        # A break kept in the title (a literal block, title: |) is where the title page breaks it;
        # everywhere else the title is one line, joined as folded YAML joins lines (no space in Chinese).
        title = _yaml.fold_text(_yaml.LINE_BREAK.join(lines), literal=False)
        optional: Callable[[str], str | None] = lambda key: self.text(found[key], key) if key in found else None
        meta = Meta(
            title=title,
            title_lines=lines if len(lines) > 1 else (),
            subtitle=optional("subtitle"),
            author=optional("author"),
            date=self.date(found["date"]) if "date" in found else None,
            lang=self.lang(found["lang"]) if "lang" in found else "zh-CN",
            keywords=self.keywords(found["keywords"]) if "keywords" in found else (),
            source=optional("source"),
        )
        return Document(
            meta=meta,
            lead=self.para_list(found["lead"], "lead") if "lead" in found else (),
            sections=self.nodes(found["sections"], 1, "sections") if "sections" in found else (),
            level_numbering=(
                self.level_numbering(found["numbering"])
                if "numbering" in found
                else tuple(parse_template(t) for t in DEFAULT_LEVEL_TEMPLATES)
            ),
            path=self.file,
            official=self.official(found["official"], meta) if "official" in found else None,
        )


def chinese_date(date: dt.date) -> str:
    """A date as GB/T 9704 prints it: the full year, no leading zeros (2024年1月5日)."""
    return f"{date.year}年{date.month}月{date.day}日"


def _unknown_key_message(key: str, keys: Mapping[str, KeySpec], what: str) -> tuple[str, Coded]:
    import difflib  # only for a misspelt key; not worth importing for every build

    close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
    if close:
        return f"unknown key '{key}' in {what}; did you mean '{close[0]}'?", coded("unknown_key_close", key=key, what=what,
                                                                                   close=close[0])
    known = ", ".join(keys)
    return f"unknown key '{key}' in {what}; known keys: {known}", coded("unknown_key", key=key, what=what, known=known)


def not_an_outline(path: Path, error: OutlineError) -> OutlineError:
    """``error`` as the next step when ``path`` is a briefing rather than an outline (``article.txt``):
    run ``briefexport import`` first. An outline's own errors (a .yaml file, or no file) stay as they are."""
    if path.suffix.lower() in OUTLINE_SUFFIXES or not path.is_file():
        return error
    return OutlineError(
        SourcePos(str(path), 1, 1),
        f"this is not an outline; run `briefexport import {path}` first to make {path.with_suffix('.yaml').name}, "
        "review it, then build that",
    )


def load(path: str | Path) -> Document:
    """Read and validate an outline file; raise OutlineError naming file:line:col."""
    file_path = Path(path)
    root = _yaml.compose_file(file_path, OutlineError)
    return _Reader(str(path)).document(root)


def loads(text: str, file: str = "<string>") -> Document:
    """Read and validate outline YAML given as a string."""
    root = _yaml.compose_text(text, file, OutlineError)
    return _Reader(file).document(root)
