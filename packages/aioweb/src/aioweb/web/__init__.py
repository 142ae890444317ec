"""aioweb.web: the aiohttp.web surface, re-exported from the aioweb packages."""

__all__: list[str] = []
