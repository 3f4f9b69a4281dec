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
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19 would open a control port in every crawl process: nothing of ours uses it
# Scrapy's own list without those two consoles: Scrapy imports every listed extension, even a disabled one or one
# mapped to None, and theirs (aiohttp, twisted.conch) cost every crawl process ~0.2 CPU-s at start
EXTENSIONS_BASE = {f"scrapy.extensions.{name}": 0 for name in (
    "corestats.CoreStats", "logcount.LogCount", "memusage.MemoryUsage", "memdebug.MemoryDebugger",
    "closespider.CloseSpider", "feedexport.FeedExporter", "logstats.LogStats", "spiderstate.SpiderState",
    "throttle.AutoThrottle")}
LOG_LEVEL = "INFO"

# Only the web, never govmon's own host or network (crawler/netguard.py): every DNS answer is checked by the
# resolver Twisted connects through; IP literals, schemes and every hop are checked by NetGuardMiddleware;
# certificates are verified (a source may opt out with tls_verify = false); no handlers for other schemes.
# crawler.run pins these above the user's [crawl] table, so none of them is a global switch.
TWISTED_DNS_RESOLVER = "govmon.crawler.netguard.GuardedResolver"
DOWNLOAD_VERIFY_CERTIFICATES = True
DOWNLOAD_HANDLERS: dict[str, str | None] = {"file": None, "data": None, "s3": None, "ftp": None}

# Scrapy 2.19 order, engine side first: OffsiteMiddleware 50, RobotsTxt 100, ..., RetryMiddleware 550,
# RedirectMiddleware 600. process_request runs upwards, process_response/process_exception downwards: the
# guard (60) checks the URL the host map (50) chose; FetchFailure (552) and RetryAfter (555) see an exception
# or a 429/503 before RetryMiddleware (550) re-queues it.
DOWNLOADER_MIDDLEWARES = {
    "govmon.crawler.middlewares.WarcRecorderMiddleware": 40,  # after the host map has restored the site's URL
    "govmon.crawler.middlewares.HostMapMiddleware": 50,
    "govmon.crawler.middlewares.NetGuardMiddleware": 60,
    "govmon.crawler.middlewares.FetchFailureMiddleware": 552,
    "govmon.crawler.middlewares.RetryAfterMiddleware": 555,
    "govmon.crawler.middlewares.CookieChallengeMiddleware": 560,
}
ITEM_PIPELINES = {"govmon.crawler.pipelines.JsonLinesOutput": 900}

# Host mapping (replay or mirror): {"baochinhphu.vn": "http://127.0.0.1:8123"}; "*" maps every host. Its
# targets (exactly their host and port) may be reached although private.
GOVMON_HOST_MAP: dict[str, str] = {}
# Hosts or networks (CIDR) a crawl may reach although private: the configuration's allow_private.
GOVMON_ALLOW_PRIVATE: list[str] = []
# Static DNS answers, like /etc/hosts: {"portal.example": "203.0.113.7"} or a list; still checked like any.
GOVMON_RESOLVE: dict[str, str | list[str]] = {}
GOVMON_RETRY_AFTER_CAP = 120.0  # seconds: the longest Retry-After honoured
