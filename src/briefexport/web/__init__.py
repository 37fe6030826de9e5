"""The local web page (``briefexport serve``): paste a briefing, review the numbered outline, preview, download.

``app`` is the ASGI app (the page and its JSON API); ``engine`` the warm render workers it
shares between requests; ``_render`` what a worker does; ``tree`` the outline as the page
edits it; ``intake`` bringing text, HTML and outlines in; ``downloads`` file names and the
zip; ``server`` runs it all on uvicorn. ``static/`` holds the page's own HTML, CSS and JS
(no third-party code, no network).
"""

from __future__ import annotations

from .app import create_app
from .engine import Engine, EngineLimits

__all__ = ["Engine", "EngineLimits", "create_app"]
