"""Sphinx configuration for the aioweb documentation (builds offline, with -W)."""

from __future__ import annotations

project = "aioweb"
author = "the aioweb developers"
copyright = "2026, the aioweb developers"
release = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
# Cross-references into other projects' docs would need the network; keep the build offline.
nitpicky = False
suppress_warnings = ["myst.header"]
html_theme = "alabaster"
html_title = "aioweb"
