"""The full-stack bench application on aiohttp (``from aiohttp import web``); see app_common."""

from __future__ import annotations

from aiohttp import web
from app_common import main

if __name__ == "__main__":
    main(web, __doc__ or "")
