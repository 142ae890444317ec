"""The package imports and is a namespace member (no aioweb/__init__.py)."""

import importlib


def test_imports() -> None:
    mod = importlib.import_module("aioweb.server")
    assert isinstance(mod.__all__, list)
    aioweb = importlib.import_module("aioweb")
    assert getattr(aioweb, "__file__", None) is None
