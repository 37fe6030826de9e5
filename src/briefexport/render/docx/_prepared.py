"""The styled template of a theme, kept on disk beside the layout cache (``render._pdf_facts``).

A cold ``-f docx`` spends a third of its rendering on the theme's styles, which do not depend
on the outline's text: python-docx parses its template's 440 KB styles.xml, the theme's looks
are written into it, and saving serialises and deflates it again. The styled template (after
``writer._styled``: styles, numbering, defaults, font table) is a pure function of the theme,
the language, the numbering plan's lists and heading-style links, python-docx's template and
this code, so it is kept as a package under a key of all of those:

* the key is a SHA-256 of the ``repr`` of those inputs (the theme: every field), python-docx's
  and lxml's versions, Python's version and the files (path, size, mtime, ctime) of
  briefexport's modules; the entry repeats the key and is compared on load;
* a template whose styling logged anything (a warning about the theme) is not kept, nor one
  styled while briefexport's logger drops warnings (what it logged is then unknown);
* entries are ``marshal`` data of built-in types after a SHA-256 of that data, checked for type
  before use, in the layout cache's folder with its safety rules. The digest is checked because
  the deflated styles.xml goes into the DOCX as it is: a damaged byte there would otherwise make
  every later DOCX of the theme a file Word refuses, until the entry is pruned.

A kept template is loaded by python-docx's own package reader, except that styles.xml stays
the prepared bytes until something asks for its XML (an official document adds styles): the
body's paragraph styles are looked up in the index kept with it, and the save takes its
deflated bytes, kept too, instead of compressing them again.
"""

from __future__ import annotations

import hashlib
import io
import logging
import marshal
import sys
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from docx.opc.constants import CONTENT_TYPE as CT, RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.opc.package import Unmarshaller
from docx.opc.part import Part, PartFactory
from docx.opc.pkgreader import PackageReader
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.package import Package
from docx.parts.styles import StylesPart

from .. import WarmMemo
from .._zip import deflate, remember_deflated

if TYPE_CHECKING:
    from collections.abc import Hashable

    from docx.document import Document as WordDocument
    from docx.opc.packuri import PackURI
    from docx.oxml.xmlchemy import BaseOxmlElement
    from lxml import etree

    from .. import RenderOptions

__all__ = ["Styled", "keep", "kept", "template_ids"]

#: Bump when what an entry holds or means changes: old entries then miss.
_FORMAT = 2
_PREFIX, _SUFFIX = "docx-styled-", ".marshal"
#: Themes × languages × list plans in use; each entry is about 35 KB.
_MAX_ENTRIES = 64
_STYLES = "word/styles.xml"
#: The SHA-256 before an entry's data.
_CHECK = 32


@dataclass(frozen=True, slots=True)
class Styled:
    """A styled template ready for the body, with what a kept one brings besides the package."""

    document: WordDocument
    style_ids: Mapping[str, str | None]
    """Paragraph style (internal name, the first of a name) -> id, None for the default style,
    as python-docx's ``get_style_id`` answers; empty when the styles are to be asked."""
    deflated: WarmMemo | None = None
    """The styles.xml's deflated bytes, for the save (``_zip.write_entries``); None: none kept."""


@lru_cache(maxsize=1)
def template_ids() -> tuple[int, int]:
    """The first free abstractNumId and numId of python-docx's template (its numbering.xml, read once).

    The numbering plan needs them before the template is loaded: they are part of the key.
    """
    from docx.api import _default_docx_path  # python-docx's own template

    from ._oxml import next_ids

    with zipfile.ZipFile(_default_docx_path()) as template:  # type: ignore[no-untyped-call]
        return next_ids(parse_xml(template.read("word/numbering.xml")))


def kept(key: Hashable, opts: RenderOptions) -> Styled | None:
    """The template kept for ``key`` (see the module's notes), or None."""
    from .._pdf_facts import open_folder

    folder = open_folder(opts)
    if folder is None:
        return None
    try:
        digest, name = _name(key)
        raw = folder.read_bytes(name)
        entry = _entry(raw, digest) if raw is not None else None
        if entry is None:
            return None
        folder.touch(name)  # recently used: kept when the folder is pruned
    finally:
        folder.close()
    package = Package()
    reader = PackageReader.from_file(io.BytesIO(entry["package"]))  # type: ignore[no-untyped-call]  # inflated by _entry
    Unmarshaller.unmarshal(reader, package, _part_factory)  # type: ignore[no-untyped-call]
    document: WordDocument = package.main_document_part.document
    return Styled(document, entry["index"], _deflated(document.part.part_related_by(RT.STYLES).blob, entry["deflated"]))


def keep(key: Hashable, document: WordDocument, entries: Mapping[str, bytes], opts: RenderOptions) -> Styled:
    """Keep the styled template whose package files are ``entries`` (nothing written into its body yet)."""
    from .._pdf_facts import open_folder

    packed = deflate(entries[_STYLES], None)  # as the save deflates it
    styled = Styled(document, style_index(document.styles.element), _deflated(entries[_STYLES], packed))
    # A logger that drops warnings hides them from ``recorded()`` too: a theme warning would be lost
    # for every later build of the theme, however its logging is set.
    folder = open_folder(opts) if logging.getLogger("briefexport").isEnabledFor(logging.WARNING) else None
    if folder is None:
        return styled
    try:
        digest, name = _name(key)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as package:
            for member, blob in entries.items():
                package.writestr(member, blob)
        # Compressed, a tenth of the size: inflating it costs less than reading the rest from disk.
        payload = {"key": digest, "package": zlib.compress(buffer.getvalue()), "deflated": packed, "index": dict(styled.style_ids)}
        data = marshal.dumps(payload)
        if folder.write_bytes(name, hashlib.sha256(data).digest() + data):
            folder.prune(_MAX_ENTRIES, _PREFIX, _SUFFIX)
    finally:
        folder.close()
    return styled


def _deflated(styles: bytes, packed: bytes) -> WarmMemo:
    """A memo for the save (``_zip.write_entries``) that knows the styles.xml's deflated bytes."""
    memo = WarmMemo()
    remember_deflated(memo, styles, packed)
    return memo


def style_index(styles: BaseOxmlElement) -> dict[str, str | None]:
    """What python-docx's ``get_style_id(name, PARAGRAPH)`` answers for each paragraph style's internal
    name: the id of the first style of that name, None for the default paragraph style.

    Names whose first style is of another type are left out (python-docx's lookup then says why).
    """
    from docx.enum.style import WD_STYLE_TYPE

    default = cast(Any, styles).default_for(WD_STYLE_TYPE.PARAGRAPH)  # python-docx's: the last paragraph style marked default
    name_tag, val, type_attr, id_attr = qn("w:name"), qn("w:val"), qn("w:type"), qn("w:styleId")
    first: dict[str, etree._Element] = {}
    for style in styles.iterchildren(qn("w:style")):
        name = style.find(name_tag)
        if name is not None and (internal := name.get(val)) is not None:
            first.setdefault(internal, style)  # the first of a name, as python-docx's XPath finds
    return {name: None if style is default else style.get(id_attr)
            for name, style in first.items() if style.get(type_attr) == WD_STYLE_TYPE.to_xml(WD_STYLE_TYPE.PARAGRAPH)}


def _name(key: Hashable) -> tuple[str, str]:
    import docx
    from lxml import etree

    from .._pdf_facts import code_identity

    material = repr((_FORMAT, key, docx.__version__, etree.LXML_VERSION, sys.version, code_identity()))
    digest = hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()
    return digest, f"{_PREFIX}{digest[:32]}{_SUFFIX}"


def _entry(raw: bytes, digest: str) -> dict[str, Any] | None:
    check, data = raw[:_CHECK], memoryview(raw)[_CHECK:]
    if hashlib.sha256(data).digest() != check:
        return None  # damaged (or from another writer): styled again
    try:
        entry = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if type(entry) is not dict or entry.get("key") != digest:
        return None
    if not all(type(entry.get(field)) is bytes for field in ("package", "deflated")):
        return None
    try:
        entry["package"] = zlib.decompress(entry["package"])
    except zlib.error:
        return None
    index = entry.get("index")
    if type(index) is not dict or not all(type(name) is str and (value is None or type(value) is str) for name, value in index.items()):
        return None
    return entry


class _PreparedStyles(StylesPart):
    """styles.xml as the prepared bytes, parsed only when its XML is asked for (then saved from the XML)."""

    def __init__(self, partname: PackURI, content_type: str, blob: bytes, package: Package) -> None:
        Part.__init__(self, partname, content_type, blob=blob, package=package)
        self._parsed: BaseOxmlElement | None = None

    @property
    def _element(self) -> BaseOxmlElement:  # type: ignore[override]  # XmlPart keeps it as an attribute
        if self._parsed is None:
            self._parsed = parse_xml(cast(bytes, self._blob))
        return self._parsed

    @property
    def element(self) -> BaseOxmlElement:
        return self._element

    @property
    def blob(self) -> bytes:
        return cast(bytes, self._blob) if self._parsed is None else serialize_part_xml(self._parsed)


def _part_factory(partname: PackURI, content_type: str, reltype: str, blob: bytes, package: Package) -> Part:
    """python-docx's PartFactory, except for the styles part."""
    if content_type == CT.WML_STYLES:
        return _PreparedStyles(partname, content_type, blob, package)
    return cast(Part, PartFactory(partname, content_type, reltype, blob, package))
