"""The GB/T 9704-2012 elements of an official document (公文) in the EPUB, as reflowable XHTML.

An e-reader has no fixed page, so the elements keep their order and their look, not their
positions: the 版头 (份号, 密级, 紧急程度, the red mark, the 文号 or 签发人, a red rule) and the
title open the title page, with the 主送 under it; a closing document holds the 附件说明,
署名 and 成文日期 (right-aligned, two or four characters in by the seal rule), and the 附注;
each attachment with a body is a document of its own; the 版记 between its rules ends the book.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _xhtml

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ...model import Official
    from ...theme.loader import Theme

__all__ = ["attachment_documents", "closing", "head", "imprint", "stylesheet", "texts"]

RED = "#FF0000"


def _p(css_class: str, value: str) -> str:
    return f'<p class="{css_class}">{_xhtml.text(value)}</p>'


def head(official: Official, title: Sequence[str]) -> list[str]:
    """The title page: 版头, the title (a line break where the outline breaks it), the 主送."""
    lines = ['<header class="official-head">']
    lines.extend(_p("official-corner", value) for value in (official.copy_number, official.secrecy, official.urgency) if value)
    mark = list(official.mark_lines)
    if mark:
        mark[-1 if len(mark) == 1 else 0] += official.mark_suffix
        lines.extend(_p("official-mark", line) for line in mark)
    if official.signers:
        lines.append(f'<p class="official-signers">签发人：{_xhtml.text("　".join(official.signers))}</p>')
    if official.number:
        lines.append(_p("official-number", official.number))
    if mark or official.number:
        lines.append('<hr class="official-rule"/>')
    lines.append("</header>")
    lines.append(_xhtml.title_heading(title))
    if official.heading_recipients:
        lines.append(_p("official-recipients", official.heading_recipients))
    return lines


def closing(official: Official) -> list[str]:
    """附件说明, 署名, 成文日期 and 附注 (empty when the outline has none of them)."""
    lines: list[str] = []
    several = len(official.attachments) > 1
    for index, attachment in enumerate(official.attachments, start=1):
        label = ("附件：" if index == 1 else "") + (f"{index}." if several else "")
        css = "official-attachments" + ("" if index == 1 else " official-attachments-next")
        lines.append(f'<p class="{css}">{_xhtml.text(label + attachment.name)}</p>')
    seal = "official-sealed" if official.seal else "official-unsealed"
    lines.extend(_p(f"official-signature {seal}", name) for name in official.signed_by)
    if official.date:
        lines.append(_p(f"official-date {seal}", official.date))
    if official.note:
        lines.append(_p("official-note", official.note if official.note.startswith("（") else f"（{official.note}）"))
    return lines


def attachment_documents(official: Official) -> list[tuple[str, list[str]]]:
    """Each attachment with a body: (title, blocks) with 附件N, the title and the text."""
    several = len(official.attachments) > 1
    out = []
    for index, attachment in enumerate(official.attachments, start=1):
        if attachment.body:
            title = attachment.title or attachment.name
            blocks = [_p("official-attachment-label", f"附件{index}" if several else "附件"),
                      f'<h1 class="title">{_xhtml.text(title)}</h1>', *(_xhtml.paragraph(para) for para in attachment.body)]
            out.append((title, blocks))
    return out


def imprint(official: Official) -> list[str]:
    """The 版记: 主送 (when moved there) and 抄送 (ending with 。), and 印发机关 / 印发日期印发 between rules."""
    if not official.has_record:
        return []
    lines = ['<footer class="official-imprint">']
    for label, text in official.record_lists:
        lines.append(_p("official-copy-to", label + text))
    if official.printer or official.print_date:
        date = f'<span class="official-print-date">{_xhtml.text(official.print_date)}印发</span>' if official.print_date else ""
        lines.append(f'<p class="official-printed">{_xhtml.text(official.printer or "")}{date}</p>')
    lines.append("</footer>")
    return lines


def texts(official: Official) -> str:
    """Every character the elements print (for an embedded font subset)."""
    parts = [official.copy_number, official.secrecy, official.urgency, *official.mark_lines, official.mark_suffix,
             official.number, "签发人：", *official.signers, official.recipients, "附件：0123456789.", *official.signed_by,
             official.date, official.note, "（）主送抄送：。印发", official.copy_to, official.printer, official.print_date]
    parts.extend(attachment.name + (attachment.title or "") + "".join(p.text for p in attachment.body) for attachment in official.attachments)
    return "".join(part for part in parts if part)


def stylesheet(theme: Theme) -> str:
    """Rules for the elements: faces from the theme's roles (title: 小标宋, h1: 黑体, h2: 楷体)."""
    title, heading, kai = (_xhtml.font_stack(theme.style(role).fonts) for role in ("title", "h1", "h2"))
    return f"""\
.official-corner, .official-attachment-label {{ font-family: {heading}; text-indent: 0; margin: 0; }}
.official-mark {{ font-family: {title}; color: {RED}; font-size: 2.2em; font-weight: bold; text-align: center; text-indent: 0; margin: 0.8em 0 0 0; letter-spacing: 0.05em; }}
.official-number, .official-signers {{ text-align: center; text-indent: 0; margin: 1.5em 0 0 0; }}
.official-signers {{ text-align: right; font-family: {kai}; }}
.official-rule {{ border: none; border-top: 1pt solid {RED}; margin: 0.25em 0 1.5em 0; }}
.official-recipients {{ text-indent: 0; margin-top: 1em; }}
.official-attachments {{ margin-top: 1em; padding-left: 5em; text-indent: -3em; }}
.official-attachments-next {{ margin-top: 0; text-indent: 0; }}
.official-signature, .official-date {{ text-align: right; text-indent: 0; margin: 0; }}
.official-sealed.official-signature {{ margin-top: 2em; padding-right: 4em; }}
.official-sealed.official-date {{ padding-right: 4em; }}
.official-unsealed.official-signature {{ margin-top: 1em; padding-right: 2em; }}
.official-unsealed.official-date {{ padding-right: 2em; }}
.official-note {{ text-indent: 2em; }}
.official-imprint {{ margin-top: 3em; border-top: 0.35mm solid #000000; border-bottom: 0.35mm solid #000000; font-size: 0.875em; }}
.official-copy-to {{ text-indent: -3em; padding: 0 1em 0 4em; margin: 0; border-bottom: 0.25mm solid #000000; }}
.official-printed {{ text-indent: 0; padding: 0 1em; margin: 0; }}
.official-print-date {{ float: right; }}
"""
