"""Format-free GB/T 9704-2012 placement rules shared by the PDF and DOCX renderers of official documents."""

from __future__ import annotations

__all__ = ["SEAL_ROW_LINES", "seal_grid"]

SEAL_ROW_LINES = 5
"""Lines between rows of sealed signatures: a seal is about 42 mm across, four lines and a bit,
and the seals of two rows may neither overlap nor touch."""


def seal_grid(count: int) -> list[tuple[int, str]]:
    """(row, ``left``/``right``) of each of ``count`` sealed signatures of a joint document, in order.

    Two a row, so that the last organ's seal, which also presses on the date, is on the right
    of the last row, over the date; with an odd count the first row holds one, on the right.
    """
    rows = (count + 1) // 2
    places = []
    for index in range(count):
        from_end = count - 1 - index
        places.append((rows - 1 - from_end // 2, "right" if from_end % 2 == 0 else "left"))
    return places
