"""Fetch one web page safely: http/https only, timeouts, a redirect limit, a size cap, and
(optionally, on by default) SSRF protection.

SSRF protection resolves every hop's host name itself, refuses the hop if *any* address is not
a public one (loopback, private, link-local, shared, multicast, reserved, unspecified, and
IPv6 forms that embed those), and then connects to the very address it checked — a second DNS
answer (rebinding) never gets a say. Redirects are followed by hand, so each hop is checked the
same way. Environment proxies are not used.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from .deadline import Deadline as _Deadline
from .deadline import watched_connection as _watched_connection
from .errors import BlockedAddressError, FetchError

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_CHUNK = 64 * 1024
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, well-known and local).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


@dataclass(frozen=True)
class FetchOptions:
    """How a URL is fetched.

    ``block_private`` refuses non-public addresses (SSRF protection): keep it on wherever the
    URL comes from someone else (the web page); the command line on one's own machine turns it
    off. ``connect_timeout``/``read_timeout`` bound each network wait, ``total_timeout`` the
    whole fetch; ``max_bytes`` caps the (decompressed) body.
    """

    block_private: bool = True
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5
    user_agent: str = "tarjama (+https://pypi.org/project/tarjama/; article translation)"
    accept: str = (
        "text/html,application/xhtml+xml;q=0.9,application/pdf;q=0.8,"
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document;q=0.8,"
        "text/vtt;q=0.7,application/x-subrip;q=0.7,*/*;q=0.1"
    )


@dataclass(frozen=True)
class FetchedResource:
    """What a fetch returned: the final URL, its media type and charset, and the body."""

    url: str
    final_url: str
    status: int
    content_type: str | None
    charset: str | None
    body: bytes
    redirects: tuple[str, ...] = field(default=())


Resolver = Callable[[str, int], list[str]]


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public_address(address: str) -> bool:
    """True if ``address`` is a globally routable unicast address (no SSRF risk)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4-mapped and NAT64 addresses reach the IPv4 address inside them: judge that one.
        if ip.ipv4_mapped is not None:
            return is_public_address(str(ip.ipv4_mapped))
        if any(ip in net for net in _NAT64):
            return is_public_address(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
        tunnelled = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if tunnelled is not None and not is_public_address(str(tunnelled)):
            return False
    return bool(ip.is_global) and not ip.is_multicast and not ip.is_reserved


def _check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, request target) of an http(s) URL, or a FetchError saying why not."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"{url} is not a valid URL ({exc}).", reason="bad-url", url=url) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"'{scheme}:'" if scheme else "no scheme"
        raise FetchError(
            f"{url} has {shown}; only http:// and https:// links are fetched.",
            reason="bad-url",
            url=url,
        )
    if not parts.hostname:
        raise FetchError(f"{url} has no host name.", reason="bad-url", url=url)
    if parts.username or parts.password:
        raise FetchError(
            f"{url} carries a user name or password; such links are not fetched.",
            reason="bad-url",
            url=url,
        )
    host = parts.hostname
    if not _is_ip(host):
        try:  # an Arabic domain name goes on the wire as punycode
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise FetchError(
                f"{url} has an invalid host name.", reason="bad-url", url=url
            ) from None
    # Spaces and other characters a browser would escape are escaped here too.
    target = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_QUERY_SAFE)
    return scheme, host, port or (443 if scheme == "https" else 80), target


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _vetted_address(
    url: str, host: str, port: int, options: FetchOptions, resolve: Resolver
) -> str:
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise FetchError(
            f"Cannot resolve the host {host} of {url} ({exc}).", reason="connection", url=url
        ) from None
    if not addresses:
        raise FetchError(f"The host {host} of {url} has no address.", reason="connection", url=url)
    if options.block_private:
        blocked = [a for a in addresses if not is_public_address(a)]
        if blocked:
            raise BlockedAddressError(
                f"Refused to fetch {url}: {host} resolves to {blocked[0]}, which is not a public "
                "address (loopback, private, link-local or reserved). Links to such addresses "
                "are blocked on this server.",
                url=url,
            )
    return addresses[0]


def _header_media_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.strip().partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return media.strip().lower() or None, charset


def fetch_url(
    url: str,
    options: FetchOptions | None = None,
    *,
    accept_type: Callable[[str | None], bool] | None = None,
    resolve: Resolver = _resolve,
) -> FetchedResource:
    """GET ``url`` following redirects by hand; raise a :class:`FetchError` on any problem.

    ``accept_type`` is asked about the response's media type before the body is read; a False
    answer raises ``FetchError(reason="not-html")`` without downloading it.
    """
    try:
        import urllib3
    except ImportError as exc:  # pragma: no cover - urllib3 comes with requests/datasets
        from ..errors import MissingDependencyError

        raise MissingDependencyError(
            "Fetching links needs urllib3: pip install 'tarjama[documents]'"
        ) from exc

    options = options or FetchOptions()
    watchdog = _Deadline(options.total_timeout)
    try:
        return _fetch(urllib3, url, options, accept_type, resolve, watchdog)
    except FetchError as exc:
        if watchdog.expired and exc.reason != "timeout":
            # A shut-down socket reads as a broken connection or a cut body: say why.
            raise _total_timeout(url, options) from None
        raise
    finally:
        watchdog.cancel()


def _total_timeout(url: str, options: FetchOptions) -> FetchError:
    return FetchError(
        f"{url} took longer than {options.total_timeout:g} s to download (timeout).",
        reason="timeout",
        url=url,
    )


def _fetch(
    urllib3: Any,
    url: str,
    options: FetchOptions,
    accept_type: Callable[[str | None], bool] | None,
    resolve: Resolver,
    watchdog: _Deadline,
) -> FetchedResource:
    deadline = time.monotonic() + options.total_timeout
    visited: list[str] = []
    current = url.strip()
    while True:
        if current in visited:
            chain = " → ".join([*visited[visited.index(current) :], current])
            raise FetchError(
                f"{url} redirects in a loop ({chain}).", reason="redirect-loop", url=url
            )
        if len(visited) > options.max_redirects:
            raise FetchError(
                f"{url} redirected more than {options.max_redirects} times; giving up.",
                reason="too-many-redirects",
                url=url,
            )
        visited.append(current)
        scheme, host, port, target = _check_url(current)
        address = _vetted_address(current, host, port, options, resolve)
        if watchdog.expired:
            raise _total_timeout(url, options)
        response, pool = _request(
            urllib3, scheme, host, port, address, target, options, deadline, watchdog
        )
        try:
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(
                        f"{current} answered HTTP {response.status} without a Location.",
                        reason="http-status",
                        url=url,
                    )
                current = urljoin(current, location.strip())
                continue
            if response.status >= 400 or response.status < 200:
                reason = getattr(response, "reason", "") or ""
                raise FetchError(
                    f"{current} answered HTTP {response.status} {reason}".rstrip() + ".",
                    reason="http-status",
                    url=url,
                )
            media_type, charset = _header_media_type(response.headers.get("Content-Type"))
            if accept_type is not None and not accept_type(media_type):
                raise FetchError(
                    f"{current} is {media_type}, not a web page or a document tarjama reads "
                    "(HTML, PDF, Word .docx, .srt/.vtt subtitles).",
                    reason="not-html",
                    url=url,
                )
            body = _read_body(urllib3, response, current, options, deadline)
            if watchdog.expired:  # the body may look complete but was cut by the shutdown
                raise _total_timeout(url, options)
            return FetchedResource(
                url=url,
                final_url=current,
                status=response.status,
                content_type=media_type,
                charset=charset,
                body=body,
                redirects=tuple(visited[1:]),
            )
        finally:
            response.release_conn()
            pool.close()


def _request(
    urllib3: Any,
    scheme: str,
    host: str,
    port: int,
    address: str,
    target: str,
    options: FetchOptions,
    deadline: float,
    watchdog: _Deadline,
) -> tuple[Any, Any]:
    remaining = max(0.1, deadline - time.monotonic())
    timeout = urllib3.Timeout(
        connect=min(options.connect_timeout, remaining), read=min(options.read_timeout, remaining)
    )
    host_header = f"[{host}]" if ":" in host else host
    if port != (443 if scheme == "https" else 80):
        host_header += f":{port}"
    headers = {
        "Host": host_header,
        "User-Agent": options.user_agent,
        "Accept": options.accept,
        "Accept-Encoding": "gzip, deflate",
    }
    if scheme == "https":
        kwargs: dict[str, Any] = {
            "server_hostname": host,
            "assert_hostname": host,
            "cert_reqs": "CERT_REQUIRED",
        }
        try:
            import certifi

            kwargs["ca_certs"] = certifi.where()
        except ImportError:  # the system's certificate store then
            pass
        pool = urllib3.HTTPSConnectionPool(address, port, timeout=timeout, retries=False, **kwargs)
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    pool.ConnectionCls = _watched_connection(pool.ConnectionCls, watchdog)
    where = f"{scheme}://{host_header}{target}"
    try:
        response = pool.urlopen(
            "GET",
            target,
            headers=headers,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
    except urllib3.exceptions.NewConnectionError as exc:  # (a subclass of the timeout error)
        pool.close()
        raise FetchError(
            f"Cannot connect to {host_header} for {where} ({_short(exc)}).",
            reason="connection",
            url=where,
        ) from None
    except urllib3.exceptions.TimeoutError:
        pool.close()
        raise FetchError(
            f"{where} did not answer in time (timeout).", reason="timeout", url=where
        ) from None
    except urllib3.exceptions.SSLError as exc:
        pool.close()
        raise FetchError(
            f"A secure connection to {host} failed ({exc}).", reason="connection", url=where
        ) from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        pool.close()
        raise FetchError(
            f"Cannot connect to {host_header} for {where} ({_short(exc)}).",
            reason="connection",
            url=where,
        ) from None
    return response, pool


def _read_body(
    urllib3: Any, response: Any, url: str, options: FetchOptions, deadline: float
) -> bytes:
    limit = options.max_bytes
    declared = response.headers.get("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > limit:
        raise FetchError(
            f"{url} is {int(declared):,} bytes; the limit is {limit:,}.",
            reason="too-large",
            url=url,
        )
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.stream(_CHUNK, decode_content=True):
            size += len(chunk)
            if size > limit:
                raise FetchError(
                    f"{url} is larger than the limit of {limit:,} bytes.",
                    reason="too-large",
                    url=url,
                )
            if time.monotonic() > deadline:
                raise FetchError(
                    f"{url} took longer than {options.total_timeout:g} s to download (timeout).",
                    reason="timeout",
                    url=url,
                )
            chunks.append(chunk)
    except urllib3.exceptions.TimeoutError:
        raise FetchError(
            f"{url} stopped sending data (timeout).", reason="timeout", url=url
        ) from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise FetchError(
            f"The download of {url} broke off ({_short(exc)}).", reason="connection", url=url
        ) from None
    return b"".join(chunks)


def _short(exc: BaseException) -> str:
    text = str(exc).strip()
    # urllib3 wraps the useful part after the last colon ("...: [Errno 111] Connection refused").
    if "]" in text and "[Errno" in text:
        text = text[text.rfind("[Errno") :]
    return text[:200] or type(exc).__name__
