"""Edit DOCX files in LibreOffice the way a user does, then export each to PDF (run with Debian's /usr/bin/python3).

Usage: ``/usr/bin/python3 tests/lo_edit.py PROFILE_DIR JOBS.json``. The venv's Python has no
``uno``; this script needs only the standard library and Debian's ``python3-uno``. It starts
one headless soffice with the private profile, and for each job opens ``docx``, applies
``edits`` in order and stores ``pdf``. Paragraphs are found by their text (without the list
label LibreOffice prints). Edit routes:

* ``style_box``: a new empty paragraph after ``after`` (Enter at its end), the text typed,
  then the style of the heading ``like`` picked from the style box (``.uno:StyleApply``);
* ``set_style``: the same, but the style set as a paragraph property (the Styles sidebar);
* ``paste``: the heading ``source`` and its body copied, and pasted after ``after``;
* ``move``: the same, cut instead of copied;
* ``delete``: the heading ``target`` and its body paragraphs deleted;
* ``update_toc``: every index (the TOC) updated, as Tools ▸ Update ▸ Update All does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.text.ControlCharacter import PARAGRAPH_BREAK  # type: ignore[import-not-found]


def prop(name: str, value: object) -> PropertyValue:
    item = PropertyValue()
    item.Name, item.Value = name, value
    return item


def connect(profile: Path) -> tuple[object, subprocess.Popen[bytes]]:
    # A name of this run's own: every run's profile folder is called "profile", and a shared name let
    # two test runs at once (other worktrees, xdist) reach each other's soffice and terminate it.
    pipe = f"briefexport_{os.getpid()}_{uuid.uuid4().hex}"
    process = subprocess.Popen(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--norestore",
         "--nologo", f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 300  # a first start with a new profile is slow on a loaded machine
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:  # noqa: BLE001 - NoConnectException until soffice listens
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise SystemExit("soffice did not start")
            time.sleep(0.5)
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    return (context, desktop), process


def paragraphs(document: object) -> list[object]:
    found = []
    enumeration = document.Text.createEnumeration()  # type: ignore[attr-defined]
    while enumeration.hasMoreElements():
        element = enumeration.nextElement()
        if element.supportsService("com.sun.star.text.Paragraph"):
            found.append(element)
    return found


def find(document: object, text: str, *, heading: bool | None = None) -> object:
    for paragraph in paragraphs(document):
        if paragraph.getString() == text and (heading is None or is_heading(paragraph) == heading):
            return paragraph
    raise SystemExit(f"no paragraph {text!r}")


def is_heading(paragraph: object) -> bool:
    return paragraph.OutlineLevel > 0  # type: ignore[attr-defined]


def section_of(document: object, heading_text: str) -> tuple[object, object]:
    """The heading paragraph and the last paragraph before the next heading of the same or a higher level."""
    items = paragraphs(document)
    start = next(i for i, p in enumerate(items) if p.getString() == heading_text and is_heading(p))
    level = items[start].OutlineLevel
    end = start
    for paragraph in items[start + 1:]:
        if is_heading(paragraph) and paragraph.OutlineLevel <= level:
            break
        if paragraph.ParaStyleName == "Kicker":
            break
        end += 1
    return items[start], items[end]


def new_paragraph_after(document: object, text: str) -> object:
    """Enter at the end of paragraph ``text`` and type: the new paragraph takes that paragraph's style."""
    anchor = find(document, text, heading=False)
    cursor = document.Text.createTextCursorByRange(anchor.getEnd())  # type: ignore[attr-defined]
    document.Text.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)  # type: ignore[attr-defined]
    return cursor


def apply_edit(desktop_context: tuple[object, object], document: object, edit: dict[str, str]) -> None:
    context, _ = desktop_context
    controller = document.getCurrentController()  # type: ignore[attr-defined]
    route = edit["route"]
    if route in ("style_box", "set_style"):
        style = find(document, edit["like"], heading=True).ParaStyleName
        cursor = new_paragraph_after(document, edit["after"])
        document.Text.insertString(cursor, edit["text"], False)  # type: ignore[attr-defined]
        if route == "set_style":
            cursor.ParaStyleName = style
            return
        controller.select(cursor)
        dispatcher = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)  # type: ignore[attr-defined]
        dispatcher.executeDispatch(controller.Frame, ".uno:StyleApply", "", 0, (prop("Style", style), prop("FamilyName", "ParagraphStyles")))
    elif route in ("paste", "move"):
        # As a user does: select the heading line (Home, Shift+End), copy; Enter at the end of a body paragraph, paste.
        heading = find(document, edit["source"], heading=True)
        selection = document.Text.createTextCursorByRange(heading.getStart())  # type: ignore[attr-defined]
        selection.gotoRange(heading.getEnd(), True)
        if edit.get("with_body"):
            _, last = section_of(document, edit["source"])
            selection.gotoRange(last.getEnd(), True)
        controller.select(selection)
        copied = controller.getTransferable()
        controller.select(new_paragraph_after(document, edit["after"]))
        controller.insertTransferable(copied)
        if route == "move":  # cut and paste: the original (the first of the two) goes
            delete_section(document, edit["source"])
    elif route == "delete":
        delete_section(document, edit["target"])
    elif route == "update_toc":  # Tools ▸ Update ▸ Update All
        indexes = document.getDocumentIndexes()  # type: ignore[attr-defined]
        for position in range(indexes.getCount()):
            indexes.getByIndex(position).update()
    else:
        raise SystemExit(f"unknown route {route}")


def delete_section(document: object, heading_text: str) -> None:
    """Select the heading and its body paragraphs (with the last paragraph break) and delete them."""
    first, last = section_of(document, heading_text)
    cursor = document.Text.createTextCursorByRange(first.getStart())  # type: ignore[attr-defined]
    cursor.gotoRange(last.getEnd(), True)
    cursor.goRight(1, True)  # the paragraph break after the last one
    cursor.setString("")


def run(jobs: list[dict[str, object]], profile: Path) -> None:
    desktop_context, process = connect(profile)
    _, desktop = desktop_context
    try:
        for job in jobs:
            url = Path(str(job["docx"])).resolve().as_uri()
            document = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))  # type: ignore[attr-defined]
            for edit in job.get("edits", []):  # type: ignore[union-attr]
                apply_edit(desktop_context, document, edit)
            if job.get("save_docx"):
                document.storeToURL(Path(str(job["save_docx"])).resolve().as_uri(), (prop("FilterName", "MS Word 2007 XML"),))
            document.storeToURL(Path(str(job["pdf"])).resolve().as_uri(), (prop("FilterName", "writer_pdf_Export"),))
            document.close(True)
    finally:
        try:
            desktop.terminate()  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - the bridge drops as soffice exits
            pass
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    run(json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")), Path(sys.argv[1]))
