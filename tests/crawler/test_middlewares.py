"""Our downloader middlewares on Scrapy request/response objects: host mapping, the cookie challenge, the
network guard (where it sits in Scrapy's order, what it refuses, that no configuration turns it off) and
Retry-After (read, capped, waited for on a timer)."""
from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import CannotResolveHostError
from scrapy.http import HtmlResponse, Response
from scrapy.settings.default_settings import DOWNLOADER_MIDDLEWARES_BASE
from service_identity.exceptions import DNSMismatch, VerificationError
from service_identity.hazmat import DNS_ID
from twisted.internet import defer, task
from twisted.python.failure import Failure
from twisted.web.client import ResponseNeverReceived

from govmon.crawler import middlewares, netguard, settings
from govmon.crawler.middlewares import (
    CookieChallengeMiddleware,
    FetchFailureMiddleware,
    HostMapMiddleware,
    NetGuardMiddleware,
    RetryAfterMiddleware,
    retry_after,
)
from govmon.crawler.netguard import Blocked, CertificateRejected, Policy
from govmon.crawler.run import build_settings

CHALLENGE = b'<script>document.cookie="D0N=5f2a9c"+"; path=/";window.location.reload(true);</script>'


def test_cookie_challenge_is_answered_once_with_the_cookie():
    middleware, request = CookieChallengeMiddleware(), Request("https://chinhphu.vn/")
    again = middleware.process_response(request, HtmlResponse(request.url, body=CHALLENGE, request=request))
    assert isinstance(again, Request) and again.cookies == {"D0N": "5f2a9c"} and again.dont_filter
    second = HtmlResponse(again.url, body=CHALLENGE, request=again)
    assert middleware.process_response(again, second) is second  # still a challenge: the spider reports it


def test_ordinary_pages_pass_through():
    middleware, request = CookieChallengeMiddleware(), Request("https://chinhphu.vn/a.htm")
    page = HtmlResponse(request.url, body="<p>Nghị quyết về document.cookie</p>".encode(), request=request)
    assert middleware.process_response(request, page) is page


def test_host_map_fetches_from_the_mirror_and_reports_the_original_url():
    middleware = HostMapMiddleware({"*": "http://127.0.0.1:8123/"})
    request = Request("https://baochinhphu.vn/a-102.htm?x=1")
    mapped = middleware.process_request(request)
    assert mapped.url == "http://127.0.0.1:8123/baochinhphu.vn/a-102.htm?x=1"
    response = middleware.process_response(mapped, HtmlResponse(mapped.url, body=b"<p>x</p>", request=mapped))
    assert response.url == "https://baochinhphu.vn/a-102.htm?x=1"


# --- the network guard, Retry-After ---------------------------------------------------------------------

REPLAY = {"*": "http://127.0.0.1:8123"}


def _guard() -> NetGuardMiddleware:
    return NetGuardMiddleware(Policy.from_settings(REPLAY, []))


def test_the_guard_passes_the_host_maps_target_and_blocks_the_rest():
    guard, request = _guard(), Request("https://baochinhphu.vn/a.htm")
    mapped = HostMapMiddleware(REPLAY).process_request(request)
    assert guard.process_request(mapped) is None
    with pytest.raises(Blocked, match=r"^blocked: private address 127\.0\.0\.1 \(loopback\)$"):
        guard.process_request(Request("http://127.0.0.1:9/"))  # the target's host, another port
    with pytest.raises(Blocked, match="scheme file"):
        guard.process_request(Request("file:///etc/passwd"))


def test_the_guard_checks_the_sites_own_url_behind_a_host_map():
    """A link to http://10.0.0.1/x.pdf mapped to the replay still names a private address: refused."""
    mapped = HostMapMiddleware(REPLAY).process_request(Request("http://10.0.0.1/x.pdf"))
    with pytest.raises(Blocked, match=r"10\.0\.0\.1"):
        _guard().process_request(mapped)


def test_a_redirect_to_another_scheme_is_refused_by_name():
    request = Request("https://portal.gov.vn/a")
    moved = Response(request.url, status=302, headers={"Location": "file:///etc/passwd"}, request=request)
    with pytest.raises(Blocked, match="redirect: scheme file"):
        _guard().process_response(request, moved)
    fine = Response(request.url, status=302, headers={"Location": "/b"}, request=request)
    assert _guard().process_response(request, fine) is fine


def test_refusals_and_certificate_failures_are_named_and_not_retried(monkeypatch):
    middleware, request = FetchFailureMiddleware(), Request("https://inside.example/a")
    blocked = Blocked("blocked: private address 10.0.0.1 (private)")
    with pytest.raises(Blocked):
        middleware.process_exception(request, blocked)
    monkeypatch.setitem(netguard._REFUSED, "inside.example", "blocked: private address 10.0.0.1 (private) for inside.example")
    with pytest.raises(Blocked, match="for inside.example"):
        middleware.process_exception(request, CannotResolveHostError("no results for hostname lookup: inside.example"))
    assert middleware.process_exception(Request("https://other.example/"), TimeoutError("slow")) is None  # Scrapy retries


def test_a_certificate_failure_is_rejected_with_its_reason_worked_out_off_the_reactor(monkeypatch):
    threaded = []
    monkeypatch.setattr(middlewares.threads, "deferToThread",
                        lambda f, *args: threaded.append(f) or defer.maybeDeferred(f, *args))
    mismatch = VerificationError(errors=[DNSMismatch(mismatched_id=DNS_ID("portal.gov.vn"))])
    error = CannotResolveHostError("wrapped")  # any download error whose causes hold the verification failure
    error.__cause__ = ResponseNeverReceived([Failure(mismatch)])
    outcome = []
    FetchFailureMiddleware().process_exception(Request("https://portal.gov.vn/"), error).addErrback(outcome.append)
    assert threaded == [netguard.tls_reason] and outcome[0].check(CertificateRejected)
    assert str(outcome[0].value).startswith("tls: certificate of portal.gov.vn rejected: ")
    assert "(wrong name)" in str(outcome[0].value)


def test_the_guards_sit_where_they_must_in_scrapys_order():
    ours = settings.DOWNLOADER_MIDDLEWARES
    base = {k.rsplit(".", 1)[-1]: v for k, v in DOWNLOADER_MIDDLEWARES_BASE.items()}
    guard, failure, after = (ours[f"govmon.crawler.middlewares.{n}"] for n in
                             ("NetGuardMiddleware", "FetchFailureMiddleware", "RetryAfterMiddleware"))
    assert ours["govmon.crawler.middlewares.HostMapMiddleware"] < guard < base["RobotsTxtMiddleware"]
    # responses and exceptions travel from high numbers to low: ours see them before RetryMiddleware
    assert base["RetryMiddleware"] < failure < base["RedirectMiddleware"]
    assert base["RetryMiddleware"] < after < base["RedirectMiddleware"]


def test_no_crawl_configuration_turns_the_guard_off():
    chosen = build_settings({"DOWNLOAD_VERIFY_CERTIFICATES": False, "TWISTED_DNS_RESOLVER": "scrapy.resolver.CachingThreadedResolver",
                             "DOWNLOADER_MIDDLEWARES": {"govmon.crawler.middlewares.NetGuardMiddleware": None},
                             "DOWNLOAD_HANDLERS": {"file": "scrapy.core.downloader.handlers.file.FileDownloadHandler"}})
    assert chosen.getbool("DOWNLOAD_VERIFY_CERTIFICATES") is True
    assert chosen["TWISTED_DNS_RESOLVER"] == "govmon.crawler.netguard.GuardedResolver"
    assert chosen.getdict("DOWNLOADER_MIDDLEWARES")["govmon.crawler.middlewares.NetGuardMiddleware"] == 60
    assert chosen.getdict("DOWNLOAD_HANDLERS")["file"] is None
    assert build_settings({}, tls_verify=False).getbool("DOWNLOAD_VERIFY_CERTIFICATES") is False  # per source only


@pytest.mark.parametrize(("value", "seconds"), [(b"7", 7.0), (b" 30 ", 30.0), (b"120", 60.0), (b"1e12", 0.0),
                                                (b"inf", 0.0), (b"nan", 0.0), (b"-5", 0.0), (b"0x10", 0.0),
                                                (b"9" * 5000, 60.0), (b"soon", 0.0), (b"", 0.0), (None, 0.0),
                                                (b"Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
                                                (b"Fri, 31 Dec 9999 23:59:59 GMT", 60.0)])
def test_retry_after_values_are_read_capped_or_ignored(value, seconds):
    assert retry_after(value, 60) == seconds


def test_retry_after_holds_that_site_on_a_timer_and_lets_others_go():
    clock = task.Clock()
    middleware = RetryAfterMiddleware(cap=60, clock=clock)
    request = Request("https://slow.example/list")
    busy = Response(request.url, status=429, headers={"Retry-After": "5"}, request=request)
    assert middleware.process_response(request, busy) is busy  # RetryMiddleware, next, schedules the retry
    held = middleware.process_request(request.replace(dont_filter=True))
    assert middleware.process_request(Request("https://fast.example/a")) is None
    fired = []
    held.addCallback(fired.append)
    clock.advance(4.9)
    assert fired == []
    clock.advance(0.2)
    assert fired == [None]


def test_a_nonsense_cap_falls_back_to_the_default():
    assert RetryAfterMiddleware(float("inf")).cap == RetryAfterMiddleware(-1).cap == 120.0
