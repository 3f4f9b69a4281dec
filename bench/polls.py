"""Unchanged polls: what a monitoring pass over sources where nothing changed costs, next to the first pass.

`--sources` generated sites (default 50), each its own host with a robots.txt, a list page showing its
`--articles` newest articles and the articles themselves (pages of real weight: a portal's menus, footer
and scripts around a few hundred words), are served by the replay server (`monitor/demo/replay.py`) and
crawled as `govmon run` crawls them — `monitor.service.runner.run_pass`, one child process per source, two
at a time, into a fresh SQLite store. Pass 1 is the baseline (every page new); pass 2 runs with nothing
changed. Two kinds of servers: ones that answer conditional requests (ETag, Last-Modified, 304) and ones
that send no validators, as many portals' dynamic pages do.

Per pass: requests, bytes sent by the server (headers and bodies), 304 answers, pages the crawl extracted
again (article items), and CPU seconds — the crawl children (RUSAGE_CHILDREN) and the monitoring process
(RUSAGE_SELF, less the replay server's own handler time) — and pass 2 / pass 1. The fixed cost of a crawl
child is measured apart: a child that only imports what a crawl imports, and a crawl of a site with nothing
listed, each `--starts` times.

    .venv/bin/python bench/polls.py [--sources 50] [--articles 10] [--starts 5] [--json]
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govmon.monitor.config import Channel, Config
from govmon.monitor.demo.replay import ReplayServer
from govmon.monitor.service.runner import CrawlReport, enabled_sources, run_pass
from govmon.storage.db import make_engine
from govmon.storage.migrate import upgrade

FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 4, "RETRY_TIMES": 0,
        "LOG_LEVEL": "WARNING"}
PHRASES = ("lịch tiếp công dân", "thủ tục hành chính", "kế hoạch đầu tư công", "phòng chống thiên tai",
           "chuyển đổi số", "cải cách hành chính", "giải phóng mặt bằng", "bảo hiểm xã hội", "giáo dục nghề nghiệp",
           "an toàn thực phẩm", "quy hoạch đô thị", "nông thôn mới", "y tế cơ sở", "thu ngân sách")


# --- the sites ------------------------------------------------------------------------------------------
def _names(count: int) -> list[str]:
    return [f"p{n:02d}" for n in range(count)]


def definitions(folder: Path, names: list[str]) -> None:
    """One source per site: its list page and its article selectors."""
    lines = ["[defaults]", 'kind = "provincial"', "official = true", "download_delay = 0.0", ""]
    for name in names:
        lines += ["[[source]]", f'name = "{name}"', f'title = "Cổng thông tin thử {name}"',
                  f'hosts = ["{name}.govmon.test"]', f'start_urls = ["https://{name}.govmon.test/tin-tuc/"]',
                  "[source.list]", 'links = "h3 a[href]"', "allow = '/bai-\\d+\\.html$'",
                  "[source.article]", 'title = "h1"', 'body = "div.noi-dung"', 'published = "span.ngay"', ""]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sites.toml").write_text("\n".join(lines), encoding="utf-8")


def chrome(name: str) -> tuple[str, str]:
    """A portal's head, menus and footer (about 90 KB, as real portal pages carry around their text)."""
    menu = "".join(f'<li><a href="/chuyen-muc/{k}.html">{PHRASES[k % len(PHRASES)].capitalize()} {k}</a></li>'
                   for k in range(600))
    script = "var cfg = {" + ",".join(f'"k{k}": "{"x" * 40}"' for k in range(600)) + "};"
    head = (f"<html><head><meta charset='utf-8'><title>Cổng {name}</title><script>{script}</script></head>"
            f"<body><nav><ul>{menu}</ul></nav>")
    return head, f"<footer><ul>{menu[:20000]}</ul><p>Cổng thông tin điện tử {name}</p></footer></body></html>"


def _text(name: str, number: int) -> str:
    pick = random.Random(f"{name}/{number}")
    return " ".join(f"Về {pick.choice(PHRASES)}, {pick.choice(PHRASES)} và {pick.choice(PHRASES)} năm "
                    f"{pick.randint(2020, 2030)}: {pick.randint(1, 999)} hồ sơ." for _ in range(20))


def publish(root: Path, name: str, articles: int) -> None:
    """Site `name`: robots.txt, a list page of `articles` articles, the articles."""
    site, (head, foot) = root / f"{name}.govmon.test", chrome(name)
    (site / "tin-tuc").mkdir(parents=True, exist_ok=True)
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n", encoding="utf-8")
    for number in range(1, articles + 1):
        (site / f"bai-{number}.html").write_text(
            f"{head}<h1>Thông báo số {number} của cổng {name}</h1><span class='ngay'>{number:02d}/03/2025 08:00</span>"
            f"<div class='noi-dung'><p>{_text(name, number)}</p></div>{foot}", encoding="utf-8")
    links = "".join(f'<h3><a href="/bai-{k}.html">Thông báo số {k}</a></h3>' for k in range(articles, 0, -1))
    (site / "tin-tuc" / "index.html").write_text(f"{head}<main>{links}</main>{foot}", encoding="utf-8")


# --- a pass ---------------------------------------------------------------------------------------------
@dataclass
class Meter:
    """CPU seconds of this process and of its waited-for children, and the server's answers, at a moment."""

    self_cpu: float
    children_cpu: float
    answers: int

    @classmethod
    def now(cls, server: ReplayServer) -> Meter:
        mine, theirs = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        return cls(mine.ru_utime + mine.ru_stime, theirs.ru_utime + theirs.ru_stime, len(server.answers))


def measured_pass(engine: Any, config: Config, server: ReplayServer) -> dict[str, Any]:
    before = Meter.now(server)
    reports = run_pass(engine, config, enabled_sources(config), {"GOVMON_HOST_MAP": {"*": server.base_url}})
    after = Meter.now(server)
    answers = server.answers[before.answers:after.answers]
    served_cpu = sum(a.cpu for a in answers)
    return {"requests": len(answers), "bytes": sum(a.sent for a in answers),
            "answers_304": sum(a.status == 304 for a in answers),
            "articles_extracted": sum(r.tally.articles for r in reports), "unchanged": sum(r.tally.unchanged for r in reports),
            "failed": [r.source for r in reports if r.status not in ("ok", "baseline")] or _failed(reports),
            "cpu_children": round(after.children_cpu - before.children_cpu, 2),
            "cpu_monitor": round(after.self_cpu - before.self_cpu - served_cpu, 2),
            "cpu_server": round(served_cpu, 2)}


def _failed(reports: list[CrawlReport]) -> list[str]:
    return [f"{r.source}: {p['kind']}" for r in reports for p in r.tally.problems]


def scenario(folder: Path, names: list[str], articles: int, validators: bool) -> dict[str, Any]:
    """Two passes over fresh sites and a fresh store: the baseline, then nothing changed."""
    sites, store = folder / "sites", folder / "store.sqlite3"
    for name in names:
        publish(sites, name, articles)
    engine = make_engine(f"sqlite:///{store}")
    upgrade(engine)
    config = Config(sources=tuple(names), source_dirs=(folder / "sources",), parallel=2, crawl=dict(FAST),
                    channels=(Channel("console", "console"),))
    with ReplayServer([sites], validators=validators) as server:
        first, second = measured_pass(engine, config, server), measured_pass(engine, config, server)
    engine.dispose()
    ratios = {k: round(second[k] / first[k], 3) if first[k] else None
              for k in ("requests", "bytes", "articles_extracted", "cpu_children", "cpu_monitor")}
    return {"pass1": first, "pass2": second, "pass2_over_pass1": ratios}


# --- the fixed cost of a crawl child --------------------------------------------------------------------
def _child_cpu(command: list[str], stdin: str = "") -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, input=stdin, capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def child_start(folder: Path, starts: int) -> dict[str, Any]:
    """CPU seconds of a child that imports what a crawl imports, and of a whole crawl with nothing to fetch
    but robots.txt and an empty list page (best and median of `starts`)."""
    sites = folder / "sites"
    (sites / "p00.govmon.test" / "tin-tuc").mkdir(parents=True, exist_ok=True)
    (sites / "p00.govmon.test" / "tin-tuc" / "index.html").write_text("<html><body><p>Trống</p></body></html>")
    imports = [_child_cpu([sys.executable, "-c", "import govmon.crawler.run"]) for _ in range(starts)]
    with ReplayServer([sites]) as server:
        spec = json.dumps({"source": "p00", "source_dirs": [str(folder / "sources")],
                           "settings": {**FAST, "GOVMON_HOST_MAP": {"*": server.base_url}}})
        crawls = [_child_cpu([sys.executable, "-m", "govmon.crawler.run"], spec) for _ in range(starts)]
    python = [_child_cpu([sys.executable, "-c", "pass"]) for _ in range(starts)]
    return {"python_pass": _summary(python), "import_crawler_run": _summary(imports), "empty_crawl": _summary(crawls)}


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"best": round(ordered[0], 3), "median": round(ordered[len(ordered) // 2], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--articles", type=int, default=10, help="articles per site (all on its list page)")
    parser.add_argument("--starts", type=int, default=5, help="child starts measured for the fixed cost")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    names = _names(args.sources)
    result: dict[str, Any] = {"sources": args.sources, "articles_per_source": args.articles}
    with tempfile.TemporaryDirectory(prefix="govmon-polls-") as tmp:
        for validators in (True, False):
            folder = Path(tmp) / ("validators" if validators else "no_validators")
            definitions(folder / "sources", names)
            result["with_validators" if validators else "without_validators"] = scenario(folder, names, args.articles, validators)
        definitions(Path(tmp) / "start" / "sources", names[:1])
        result["child_start_cpu"] = child_start(Path(tmp) / "start", args.starts)
    per_start = result["child_start_cpu"]["empty_crawl"]["median"]
    result["pass2_children_cpu_beyond_starts"] = round(
        result["with_validators"]["pass2"]["cpu_children"] - per_start * args.sources, 2)
    print(json.dumps(result, indent=None if args.json else 2, ensure_ascii=False))


if __name__ == "__main__":
    main()
