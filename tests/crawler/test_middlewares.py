"""Our downloader middlewares on Scrapy request/response objects: host mapping and the cookie challenge."""
from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse

from govmon.crawler.middlewares import CookieChallengeMiddleware, HostMapMiddleware

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
