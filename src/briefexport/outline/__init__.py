"""The outline stage: an ``outline.yaml`` file in, a validated :class:`~briefexport.model.Document` out.

``reader`` checks every key and value and refuses bad input with ``FILE:LINE:COL`` errors;
``schema`` derives the JSON Schema editors use from the reader's own key tables; ``dump``
writes a numbered document back as indented text, the format-free view the tests compare.
"""

from __future__ import annotations

from .reader import DOCUMENT_KEYS, NODE_KEYS, load, loads, parse_inline

__all__ = ["DOCUMENT_KEYS", "NODE_KEYS", "load", "loads", "parse_inline"]
