"""Web pages: fetching (redirects, errors, timeouts, size caps, SSRF protection) from a local
server on 127.0.0.1, and article extraction from saved Arabic news pages with boilerplate."""

from __future__ import annotations

import pytest

from tests.documents_fixtures import PAGES, TRUTH, make_docx, make_legacy_arabic_pdf, serve
from translate.documents import (
    BlockedAddressError,
    DocumentError,
    FetchError,
    FetchOptions,
    fetch_url,
    is_public_address,
    read_document,
)
from translate.errors import ConfigError, InputError

LOCAL = FetchOptions(block_private=False, connect_timeout=2, read_timeout=2, total_timeout=10)


@pytest.fixture(scope="module")
def server():
    with serve(
        {
            "/statement.pdf": lambda h: h._send(
                200, "application/pdf", make_legacy_arabic_pdf(["قال الوزير إن العمل سيستمر."])
            ),
            "/report.docx": lambda h: h._send(
                200,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                make_docx(),
            ),
        }
    ) as (base, handler):
        yield base, handler


# -- extraction from the saved pages -------------------------------------------------------------
@pytest.mark.parametrize("page", TRUTH, ids=lambda p: p["file"])
def test_saved_page_keeps_article_and_metadata(page: dict) -> None:
    document = read_document(PAGES / page["file"])
    meta = document.meta
    assert meta.source_format == "html"
    assert (meta.title, meta.author, meta.date, meta.site) == (
        page["title"],
        page["author"],
        page["date"],
        page["site"],
    )
    texts = [b.text for b in document.blocks]
    assert texts[0] == page["title"] and document.blocks[0].kind == "heading"
    for paragraph in page["article"]:
        assert paragraph in texts, paragraph[:40]
    for heading in page["headings"]:
        assert any(b.kind == "heading" and b.text == heading for b in document.blocks)


@pytest.mark.parametrize(
    "page", [p for p in TRUTH if p["file"] != "culture.html"], ids=lambda p: p["file"]
)
def test_saved_page_drops_boilerplate(page: dict) -> None:
    """Menus, share buttons, comments, related stories and footers stay out (the hardest page,
    culture.html, is measured in bench/extraction.py instead)."""
    document = read_document(PAGES / page["file"])
    text = document.text
    article = set(page["article"]) | {page["title"]}
    leaked = [b for b in page["boilerplate"] if b in text and not any(b in a for a in article)]
    assert leaked == []


def test_table_cells_stay_cells() -> None:
    page = next(p for p in TRUTH if p["file"] == "economy.html")
    document = read_document(PAGES / "economy.html")
    cells = document.tables()[0]
    grid = {(c.row, c.col): c.text for c in cells}
    for r, row in enumerate(page["table"]):
        for c, text in enumerate(row):
            assert grid[(r, c)] == text


def test_extraction_modes() -> None:
    html = (PAGES / "culture.html").read_bytes()
    from translate.documents.html_reader import read_html

    recall = read_html(html)
    precise = read_html(html, mode="precision")
    assert len(recall.text) >= len(precise.text)
    with pytest.raises(ConfigError):
        read_html(html, mode="everything")


def test_page_without_article(server) -> None:
    base, _ = server
    with pytest.raises(DocumentError, match="No article text"):
        read_document(f"{base}/empty.html", fetch_options=LOCAL)


# -- fetching ------------------------------------------------------------------------------------
def test_fetch_a_page(server) -> None:
    base, _ = server
    document = read_document(f"{base}/aleppo.html", fetch_options=LOCAL)
    assert document.meta.url == f"{base}/aleppo.html"
    assert document.meta.title == "مجلس الأمن يعقد جلسة طارئة حول حلب"
    assert len(document.blocks) > 10


def test_fetch_follows_redirects(server) -> None:
    base, _ = server
    resource = fetch_url(f"{base}/chain", LOCAL)
    assert resource.final_url == f"{base}/aleppo.html"
    assert resource.redirects == (f"{base}/moved", f"{base}/aleppo.html")
    document = read_document(f"{base}/absolute", fetch_options=LOCAL)
    assert document.meta.url == f"{base}/economy.html"


def test_redirect_loop(server) -> None:
    base, _ = server
    with pytest.raises(FetchError, match="loop") as caught:
        read_document(f"{base}/loop-a", fetch_options=LOCAL)
    assert caught.value.reason == "redirect-loop"
    assert isinstance(caught.value, InputError)


def test_too_many_redirects(server) -> None:
    base, _ = server
    with pytest.raises(FetchError, match="more than 5 times") as caught:
        read_document(f"{base}/hop0", fetch_options=LOCAL)
    assert caught.value.reason == "too-many-redirects"


@pytest.mark.parametrize(
    ("path", "reason", "message"),
    [
        ("/missing", "http-status", "HTTP 404"),
        ("/server-error", "http-status", "HTTP 500"),
        ("/image.png", "not-html", "image/png, not a web page"),
        ("/data.json", "not-html", "application/json"),
        ("/to-ftp", "bad-url", "only http:// and https://"),
    ],
)
def test_fetch_errors(server, path: str, reason: str, message: str) -> None:
    base, _ = server
    with pytest.raises(FetchError, match=message) as caught:
        read_document(f"{base}{path}", fetch_options=LOCAL)
    assert caught.value.reason == reason


def test_slow_answer_times_out(server) -> None:
    base, _ = server
    options = FetchOptions(block_private=False, connect_timeout=1, read_timeout=0.3)
    with pytest.raises(FetchError, match="timeout") as caught:
        read_document(f"{base}/slow", fetch_options=options)
    assert caught.value.reason == "timeout"


def test_dripping_answer_hits_the_total_timeout(server) -> None:
    base, _ = server
    options = FetchOptions(block_private=False, read_timeout=2, total_timeout=1)
    with pytest.raises(FetchError, match="timeout"):
        read_document(f"{base}/drip", fetch_options=options)


@pytest.mark.parametrize("path", ["/big", "/big-unsized", "/gzip-bomb"])
def test_oversized_page(server, path: str) -> None:
    base, _ = server
    options = FetchOptions(block_private=False, max_bytes=100_000)
    with pytest.raises(FetchError, match="limit") as caught:
        read_document(f"{base}{path}", fetch_options=options)
    assert caught.value.reason == "too-large"


def test_charset_from_the_header(server) -> None:
    base, _ = server
    document = read_document(f"{base}/windows-1256.html", fetch_options=LOCAL)
    assert "مجلس الأمن" in document.text


def test_documents_behind_links(server) -> None:
    base, _ = server
    pdf = read_document(f"{base}/statement.pdf", fetch_options=LOCAL)
    assert pdf.meta.source_format == "pdf" and pdf.blocks[0].text == "قال الوزير إن العمل سيستمر."
    assert pdf.meta.url == f"{base}/statement.pdf"
    docx = read_document(f"{base}/report.docx", fetch_options=LOCAL)
    assert docx.meta.source_format == "docx"


@pytest.mark.parametrize(
    "url", ["ftp://example.org/a.html", "file:///etc/passwd", "javascript:alert(1)", "http://"]
)
def test_bad_urls(url: str) -> None:
    with pytest.raises(FetchError) as caught:
        fetch_url(url)
    assert caught.value.reason == "bad-url"


def test_credentials_in_url_are_refused() -> None:
    with pytest.raises(FetchError, match="user name or password"):
        fetch_url("http://user:secret@127.0.0.1:9/")


def test_unreachable_host_is_a_connection_error() -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on: bind, then close
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="Cannot connect") as caught:
        fetch_url(f"http://127.0.0.1:{port}/", FetchOptions(block_private=False, connect_timeout=1))
    assert caught.value.reason == "connection"


# -- SSRF protection -----------------------------------------------------------------------------
def test_ssrf_protection_is_on_by_default(server) -> None:
    base, handler = server
    before = len(handler.seen_hosts)
    with pytest.raises(BlockedAddressError, match="127.0.0.1, which is not a public address"):
        read_document(f"{base}/aleppo.html")
    port = base.rsplit(":", 1)[1]
    with pytest.raises(BlockedAddressError):
        read_document(f"http://localhost:{port}/aleppo.html")
    assert len(handler.seen_hosts) == before  # refused before any connection


def test_ssrf_checks_every_redirect(server, monkeypatch: pytest.MonkeyPatch) -> None:
    """With protection on, a public-looking first hop that redirects to a private address is
    refused at the redirect (here 127.0.0.1 plays the public server)."""
    import translate.documents.fetch as fetch

    base, _ = server
    monkeypatch.setattr(fetch, "is_public_address", lambda address: address == "127.0.0.1")
    with pytest.raises(BlockedAddressError, match="10.20.30.40"):
        read_document(f"{base}/to-private")
    document = read_document(f"{base}/moved")  # redirects that stay public are followed
    assert document.meta.url == f"{base}/aleppo.html"


def test_ssrf_connects_to_the_vetted_address(server, monkeypatch: pytest.MonkeyPatch) -> None:
    """The host name is resolved once and checked; the connection goes to that very address
    (a second DNS answer cannot swap in another), with the original Host header."""
    import translate.documents.fetch as fetch

    base, handler = server
    port = int(base.rsplit(":", 1)[1])
    answers = {"news.example": ["127.0.0.1"], "rebind.example": ["127.0.0.1", "10.0.0.7"]}
    resolver = lambda host, _port: answers[host]  # noqa: E731
    monkeypatch.setattr(fetch, "is_public_address", lambda address: address == "127.0.0.1")
    resource = fetch_url(f"http://news.example:{port}/aleppo.html", resolve=resolver)
    assert resource.status == 200 and handler.seen_hosts[-1] == f"news.example:{port}"
    with pytest.raises(BlockedAddressError, match="10.0.0.7"):
        fetch_url(f"http://rebind.example:{port}/aleppo.html", resolve=resolver)


def test_dns_name_of_a_private_address_is_refused() -> None:
    resolver = lambda host, _port: ["192.168.1.10"]  # noqa: E731
    with pytest.raises(BlockedAddressError, match="192.168.1.10"):
        fetch_url("http://intranet.example/", resolve=resolver)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", False),
        ("127.8.9.10", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("not-an-ip", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public
