"""Scrapy settings for govmon crawls: polite by default (robots.txt, AutoThrottle, one or two
connections per government host, identifying User-Agent), bounded (timeouts, size caps, redirects).

`crawler.run` overlays per-crawl values (User-Agent contact, delays, host mapping) from the config.
"""
from __future__ import annotations

BOT_NAME = "govmon"
SPIDER_MODULES = ["govmon.crawler.spiders"]
USER_AGENT = "govmon/0.1 (+https://pypi.org/project/govmon; monitoring Vietnamese government announcements)"

ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 2.0
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
DNS_TIMEOUT = 10
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = True  # F5 BIG-IP and cookie challenges need a cookie jar (SITES.md §2, §3)
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

DOWNLOADER_MIDDLEWARES = {
    "govmon.crawler.middlewares.WarcRecorderMiddleware": 40,  # after the host map has restored the site's URL
    "govmon.crawler.middlewares.HostMapMiddleware": 50,
    "govmon.crawler.middlewares.RetryAfterMiddleware": 540,
    "govmon.crawler.middlewares.CookieChallengeMiddleware": 560,
}
ITEM_PIPELINES = {"govmon.crawler.pipelines.JsonLinesOutput": 900}

# Host mapping (replay or mirror): {"baochinhphu.vn": "http://127.0.0.1:8123"}; "*" maps every host.
GOVMON_HOST_MAP: dict[str, str] = {}
