"""The theme stage: a preset name or theme file in, a validated :class:`Theme` out.

A theme is data: page geometry, font chains per role, sizes and spacing, and settings only
one format reads. The presets are YAML files in ``presets/``; a user theme extends them.
"""

from __future__ import annotations

from .loader import PRESETS, ROLES, Grid, Page, PageNumber, TextStyle, Theme, Toc, load_theme, preset_names

__all__ = ["PRESETS", "ROLES", "Grid", "Page", "PageNumber", "TextStyle", "Theme", "Toc", "load_theme", "preset_names"]
