"""crawler.run, the crawl child: what it loads at start. Every poll of every source starts one, so a module it
imports without using is paid on each (an unchanged pass over 50 sources is mostly these starts)."""
from __future__ import annotations

import subprocess
import sys

from govmon.crawler.run import _process_settings, build_settings

EMPTY_CRAWL = """
import sys
from scrapy import Spider
from scrapy.crawler import CrawlerProcess
from govmon.crawler.run import _process_settings

class Nothing(Spider):
    name = "nothing"
    async def start(self):
        return
        yield

process = CrawlerProcess(_process_settings({}), install_root_handler=False)
process.crawl(Nothing)
process.start()
print(" ".join(sorted(m for m in ("aiohttp", "redis", "scrapy_redis", "twisted.conch", "pypdf", "docx") if m in sys.modules)))
"""


def test_the_consoles_are_not_among_a_crawls_extensions():
    for settings in (_process_settings({}), build_settings({})):
        extensions = {str(key) for key, order in settings.getwithbase("EXTENSIONS").items() if order is not None}
        assert not any("remote_control" in key or "telnet" in key for key in extensions)
        assert {"scrapy.extensions.throttle.AutoThrottle", "scrapy.extensions.closespider.CloseSpider"} <= extensions


def test_a_plain_crawl_process_imports_neither_the_consoles_the_queue_nor_the_file_parsers():
    done = subprocess.run([sys.executable, "-c", EMPTY_CRAWL], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == ""
