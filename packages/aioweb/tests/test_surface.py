"""Which names of ``aiohttp.web`` (3.14) ``aioweb.web`` still lacks.

The list is hard-coded (generated once from the installed aiohttp 3.14.5 with
``sorted(aiohttp.web.__all__)``) so this test does not depend on aiohttp. It fails
for every missing name except those in :data:`PENDING`, which are scheduled for a
later issue; a PENDING name that has arrived must be removed from the dict.
"""

from __future__ import annotations

import importlib

AIOHTTP_WEB_ALL: tuple[str, ...] = (
    "AbstractResource",
    "AbstractRoute",
    "AbstractRouteDef",
    "AppKey",
    "AppRunner",
    "Application",
    "BaseRequest",
    "BaseRunner",
    "BaseSite",
    "CleanupError",
    "ContentCoding",
    "DynamicResource",
    "FileField",
    "FileResponse",
    "GracefulExit",
    "HTTPAccepted",
    "HTTPBadGateway",
    "HTTPBadRequest",
    "HTTPClientError",
    "HTTPConflict",
    "HTTPCreated",
    "HTTPError",
    "HTTPException",
    "HTTPExpectationFailed",
    "HTTPFailedDependency",
    "HTTPForbidden",
    "HTTPFound",
    "HTTPGatewayTimeout",
    "HTTPGone",
    "HTTPInsufficientStorage",
    "HTTPInternalServerError",
    "HTTPLengthRequired",
    "HTTPMethodNotAllowed",
    "HTTPMisdirectedRequest",
    "HTTPMove",
    "HTTPMovedPermanently",
    "HTTPMultipleChoices",
    "HTTPNetworkAuthenticationRequired",
    "HTTPNoContent",
    "HTTPNonAuthoritativeInformation",
    "HTTPNotAcceptable",
    "HTTPNotExtended",
    "HTTPNotFound",
    "HTTPNotImplemented",
    "HTTPNotModified",
    "HTTPOk",
    "HTTPPartialContent",
    "HTTPPaymentRequired",
    "HTTPPermanentRedirect",
    "HTTPPreconditionFailed",
    "HTTPPreconditionRequired",
    "HTTPProxyAuthenticationRequired",
    "HTTPRedirection",
    "HTTPRequestEntityTooLarge",
    "HTTPRequestHeaderFieldsTooLarge",
    "HTTPRequestRangeNotSatisfiable",
    "HTTPRequestTimeout",
    "HTTPRequestURITooLong",
    "HTTPResetContent",
    "HTTPSeeOther",
    "HTTPServerError",
    "HTTPServiceUnavailable",
    "HTTPSuccessful",
    "HTTPTemporaryRedirect",
    "HTTPTooManyRequests",
    "HTTPUnauthorized",
    "HTTPUnavailableForLegalReasons",
    "HTTPUnprocessableEntity",
    "HTTPUnsupportedMediaType",
    "HTTPUpgradeRequired",
    "HTTPUseProxy",
    "HTTPVariantAlsoNegotiates",
    "HTTPVersionNotSupported",
    "NamedPipeSite",
    "NotAppKeyWarning",
    "PayloadAccessError",
    "PlainResource",
    "PrefixedSubAppResource",
    "Request",
    "RequestHandler",
    "RequestKey",
    "RequestPayloadError",
    "Resource",
    "ResourceRoute",
    "Response",
    "ResponseKey",
    "RouteDef",
    "RouteTableDef",
    "Server",
    "ServerRunner",
    "SockSite",
    "StaticDef",
    "StaticResource",
    "StreamResponse",
    "TCPSite",
    "UnixSite",
    "UrlDispatcher",
    "UrlMappingMatchInfo",
    "View",
    "WSMsgType",
    "WebSocketReady",
    "WebSocketResponse",
    "delete",
    "get",
    "head",
    "json_bytes_response",
    "json_response",
    "middleware",
    "normalize_path_middleware",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "run_app",
    "static",
    "view",
)

#: Names allowed to be missing for now, with the issue (or helper) that brings them.
PENDING: dict[str, str] = {
    "FileResponse": "files issue (FileResponse; the app layer serves static files meanwhile)",
    "WebSocketResponse": "WebSockets issue",
    "WebSocketReady": "WebSockets issue",
    "WSMsgType": "WebSockets issue",
}


def _missing() -> set[str]:
    web = importlib.import_module("aioweb.web")
    return {name for name in AIOHTTP_WEB_ALL if not hasattr(web, name)}


def test_no_unexpected_gap() -> None:
    unexpected = sorted(_missing() - set(PENDING))
    assert not unexpected, f"aioweb.web lacks aiohttp.web names: {unexpected}"


def test_pending_list_is_current() -> None:
    arrived = sorted(set(PENDING) - _missing())
    assert not arrived, f"remove from PENDING, they exist now: {arrived}"
    assert set(PENDING) <= set(AIOHTTP_WEB_ALL)


def test_exported_names_are_in_all() -> None:
    web = importlib.import_module("aioweb.web")
    exported = set(web.__all__)
    present = set(AIOHTTP_WEB_ALL) - _missing()
    assert present <= exported, sorted(present - exported)
    assert all(hasattr(web, name) for name in exported)


def test_names_outside_all() -> None:
    """Names aiohttp.web has outside its ``__all__`` that applications use."""
    web = importlib.import_module("aioweb.web")
    server = importlib.import_module("aioweb.server")
    cli = importlib.import_module("aioweb.app._cli")
    assert web.AbstractAccessLogger is server.AbstractAccessLogger
    assert web.AccessLogger is server.AccessLogger
    assert web.access_logger.name == "aioweb.access"
    assert web.main is cli.main
    assert list(web.HostSequence.__args__) == [str]
