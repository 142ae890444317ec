"""The full-stack bench application on aioweb (``from aioweb import web``); see app_common."""

from __future__ import annotations

from app_common import main

from aioweb import web

if __name__ == "__main__":
    main(web, __doc__ or "")
