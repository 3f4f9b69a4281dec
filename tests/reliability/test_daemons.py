"""Daemons sharing a PostgreSQL store, as real `govmon daemon` processes over a replay of 30 sites that keep
publishing: each source is crawled once per scheduled run whichever worker runs it (the replay server's
request log against the runs in the store), no event or alert twice, a SIGKILLed worker's sources crawled by
the others within its lease and one interval, a SIGTERMed worker's leases handed back at once.

Each crawl is a Scrapy child process (about 0.8 s of CPU, most of it imports), so three runs of 30 sources
are about 90 s of CPU: the first test needs some 50 s on an idle 2-core machine (much more when other work
shares it: 90-240 s was measured while other test suites ran), the second about 10 s."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from govmon.monitor.alerts.dispatch import dispatch
from govmon.monitor.config import Channel
from govmon.monitor.demo.replay import ReplayServer
from govmon.monitor.present.health import worker_health
from govmon.monitor.service.claims import lease_for
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.models import CrawlRun, Delivery, Event, Source, utcnow

pytestmark = pytest.mark.services

SITES = 30
INTERVAL = timedelta(minutes=0.1)  # 6 s: a scheduled run every few seconds
CRAWL_TIMEOUT = 15.0  # a lease of 30 s
GOVMON = Path(sys.executable).with_name("govmon")


def _names() -> list[str]:
    return [f"s{n:02d}" for n in range(SITES)]


def _definitions(folder: Path) -> None:
    """Thirty sources, each its own host with a list page and articles (selectors of their own)."""
    lines = ["[defaults]", 'kind = "provincial"', "official = true",
             f"interval_minutes = {INTERVAL.total_seconds() / 60}", "download_delay = 0.0", ""]
    for name in _names():
        lines += ["[[source]]", f'name = "{name}"', f'title = "Cổng thông tin thử {name}"',
                  f'hosts = ["{name}.govmon.test"]', f'start_urls = ["https://{name}.govmon.test/tin-tuc/"]',
                  "[source.list]", 'links = "h3 a[href]"', "allow = '/bai-\\d+\\.html$'",
                  "[source.article]", 'title = "h1"', 'body = "div.noi-dung"', ""]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sites.toml").write_text("\n".join(lines), encoding="utf-8")


PHRASES = ("lịch tiếp công dân", "thủ tục hành chính", "kế hoạch đầu tư công", "phòng chống thiên tai",
           "chuyển đổi số", "cải cách hành chính", "giải phóng mặt bằng", "bảo hiểm xã hội", "giáo dục nghề nghiệp",
           "an toàn thực phẩm", "quy hoạch đô thị", "nông thôn mới", "y tế cơ sở", "thu ngân sách", "giao thông nông thôn",
           "xúc tiến thương mại", "bảo vệ môi trường", "đất đai", "khoa học công nghệ", "văn hóa du lịch")


def _text(name: str, number: int) -> str:
    """A body of its own (copies of one text would be one announcement, alerted once)."""
    pick = random.Random(f"{name}/{number}")
    return " ".join(f"Về {pick.choice(PHRASES)}, {pick.choice(PHRASES)} và {pick.choice(PHRASES)} năm "
                    f"{pick.randint(2020, 2030)}: {pick.randint(1, 999)} hồ sơ." for _ in range(12))


def _publish(root: Path, name: str, number: int) -> None:
    """Article `number` of site `name`, then its list page showing the five newest (atomically replaced)."""
    site = root / f"{name}.govmon.test"
    (site / "tin-tuc").mkdir(parents=True, exist_ok=True)
    (site / f"bai-{number}.html").write_text(
        f"<html><body><h1>Thông báo lần {number} của cổng {name}</h1><div class='noi-dung'><p>{_text(name, number)}"
        f"</p></div></body></html>", encoding="utf-8")
    links = "".join(f'<h3><a href="/bai-{k}.html">Thông báo {k}</a></h3>' for k in range(number, max(0, number - 5), -1))
    page = site / "tin-tuc" / "index.html"
    (site / "tin-tuc" / "next.html").write_text(f"<html><body>{links}</body></html>", encoding="utf-8")
    os.replace(site / "tin-tuc" / "next.html", page)


@dataclass
class Fleet:
    """The replay, the store, the receiver and the daemon processes of one test."""

    engine: object
    replay: ReplayServer
    site: Path
    receiver: object
    env: dict[str, str]
    logs: Path
    workers: list[subprocess.Popen[str]] = field(default_factory=list)
    published: dict[str, int] = field(default_factory=dict)

    def configure(self, crawl_timeout: float, hosts: dict[str, str] | None = None) -> None:
        """The workers' configuration: the sites through the replay (some `hosts` elsewhere), alerts to the
        receiver, one crawl at a time per worker (three workers on this 2-core machine), `crawl_timeout` (the
        lease is twice that, up to 2 minutes more)."""
        host_map = {**(hosts or {}), "*": self.replay.base_url}
        Path(self.env["GOVMON_CONFIG"]).write_text(
            f"crawl_timeout = {crawl_timeout}\nparallel = 1\nsources = {json.dumps(_names())}\n"
            f"[crawl]\nDOWNLOAD_DELAY = 0\nAUTOTHROTTLE_ENABLED = false\nROBOTSTXT_OBEY = false\n"
            f"GOVMON_HOST_MAP = {{ {', '.join(f'{json.dumps(h)} = {json.dumps(u)}' for h, u in host_map.items())} }}\n"
            f'[channels.hook]\nurl = "{self.receiver.url()}"\n', encoding="utf-8")

    def start(self, count: int, *names: str) -> None:
        """`count` more `govmon daemon` processes (of the configured sources, or of `names`)."""
        for _ in range(count):
            log = (self.logs / f"worker{len(self.workers)}.log").open("w", encoding="utf-8")
            self.workers.append(subprocess.Popen(
                [str(GOVMON), "--database", self.env["GOVMON_DATABASE_URL"], "daemon", *names, "--poll", "0.5",
                 "--grace", "3"], env=self.env, stdout=log, stderr=subprocess.STDOUT, text=True))
            log.close()

    def publish_all(self) -> None:
        for name in _names():
            self.published[name] = self.published.get(name, 0) + 1
            _publish(self.site, name, self.published[name])

    def stop(self, workers: list[subprocess.Popen[str]] | None = None) -> list[int | None]:
        chosen = self.workers if workers is None else workers
        for worker in chosen:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        return [worker.wait(timeout=60) for worker in chosen]

    def kill_all(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()

    def log_tail(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8")[-1500:] for p in sorted(self.logs.glob("worker*.log")))


@pytest.fixture()
def fleet(postgres_engine, tmp_path, http_receiver):
    _definitions(Path(os.environ["GOVMON_USER_SOURCES"]))
    site = tmp_path / "site"
    site.mkdir()
    with ReplayServer([site]) as replay:
        env = {**os.environ, "GOVMON_CONFIG": str(tmp_path / "govmon.toml"),
               "GOVMON_DATABASE_URL": postgres_engine.url.render_as_string(hide_password=False)}
        (tmp_path / "logs").mkdir()
        crew = Fleet(postgres_engine, replay, site, http_receiver, env, tmp_path / "logs")
        crew.publish_all()
        try:
            yield crew
        finally:
            crew.kill_all()


class Publisher(threading.Thread):
    """Every site publishes a new article every `every` seconds until stopped."""

    def __init__(self, crew: Fleet, every: float = 12.0) -> None:
        super().__init__(daemon=True)
        self.crew, self.every, self.done = crew, every, threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every):
            self.crew.publish_all()

    def stop(self) -> None:
        self.done.set()
        self.join()


def _runs(engine) -> dict[str, list[CrawlRun]]:
    with session_scope(engine) as s:
        names = {row.id: row.name for row in s.exec(select(Source)).all()}
        runs = s.exec(select(CrawlRun).order_by(CrawlRun.started_at)).all()
    found: dict[str, list[CrawlRun]] = {name: [] for name in _names()}
    for run in runs:
        found[names[run.source_id]].append(run)
    return found


def _wait_for(predicate, seconds: float, crew: Fleet, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"{what} within {seconds} s\n{crew.log_tail()}"
        time.sleep(0.5)


def _list_requests(replay: ReplayServer) -> Counter[str]:
    return Counter(path.split("/")[1].split(".")[0] for path in list(replay.served) if path.endswith("/tin-tuc/"))


def _assert_each_run_once(runs: list[CrawlRun], name: str) -> None:
    """One run of a source at a time, each scheduled an interval after the previous one ended."""
    finished = [r for r in runs if r.status != "killed"]
    for before, after in zip(finished, finished[1:]):
        assert after.started_at >= before.finished_at + INTERVAL, (name, before.id, after.id)


def _drain_and_count_alerts(crew: Fleet) -> tuple[int, int, Counter[str]]:
    """Send what the stopped workers left due (one more sender), then (events, alerts received, keys)."""
    dispatch(crew.engine, (Channel("hook", crew.receiver.url()),))
    keys = Counter(r.headers.get("X-Govmon-Key") for r in crew.receiver.requests)
    alerts = 0
    for request in crew.receiver.requests:
        title = json.loads(request.body)["title"]
        alerts += int(title.split()[1]) if title.startswith("govmon: ") else 1  # a digest says how many
    with session_scope(crew.engine) as s:
        events = s.exec(select(Event)).all()
        assert {d.status for d in s.exec(select(Delivery)).all()} <= {"sent"}
        assert len(s.exec(select(Delivery)).all()) == len(events)
    return len(events), alerts, keys


def _assert_no_duplicate_events(engine) -> None:
    with session_scope(engine) as s:
        events = s.exec(select(Event)).all()
    by_article = Counter((e.kind, e.article_id) for e in events if e.article_id is not None)
    assert events and max(by_article.values()) == 1


def _crawl_children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat[1]) == parent and b"govmon.crawler.run" in command and stat[0] != "Z":
                found.append(int(entry.name))
    return found


def _held_by(engine, owner_pid: int) -> list[str]:
    with session_scope(engine) as s:
        return sorted(row.name for row in repo.sources(s) if row.crawl_owner.endswith(f":{owner_pid}"))


def test_three_daemons_crawl_each_source_once_per_run_and_a_sigkilled_one_s_sources_are_taken_over(fleet):
    """Three workers over 30 sites for three scheduled runs of each; once every site has its baseline, one
    worker is SIGKILLed mid-crawl and the two others carry on."""
    rounds, started = 3, time.monotonic()
    fleet.configure(crawl_timeout=CRAWL_TIMEOUT)
    publisher = Publisher(fleet)
    publisher.start()
    fleet.start(3)
    victim = fleet.workers[0]
    try:
        _wait_for(lambda: _rounds_done(fleet.engine, 1), 120, fleet, "a baseline of every source")
        _wait_for(lambda: _crawl_children(victim.pid) and _held_by(fleet.engine, victim.pid), 30, fleet,
                  "the victim crawling")
        held = _held_by(fleet.engine, victim.pid)
        victim.kill()  # SIGKILL mid-crawl: no handler runs, its leases stay in the store
        killed_at = datetime.now().astimezone()
        victim.wait()
        recovered = _recovery(fleet, held, victim.pid, killed_at)
        _wait_for(lambda: _rounds_done(fleet.engine, rounds), 180, fleet, f"{rounds} runs of every source")
    finally:
        publisher.stop()
        codes = fleet.stop(fleet.workers[1:])
    assert codes == [0, 0], fleet.log_tail()
    bound = lease_for(CRAWL_TIMEOUT) + INTERVAL
    assert max(recovered.values()) <= bound.total_seconds(), (recovered, bound)
    runs, requests = _runs(fleet.engine), _list_requests(fleet.replay)
    for name in _names():
        _assert_each_run_once(runs[name], name)
        statuses = [r.status for r in runs[name]]
        assert set(statuses[:-1]) <= {"ok", "killed"} and statuses[-1] in ("ok", "interrupted"), (name, statuses)
        # a crawl killed with its worker, or stopped by the final SIGTERM, before it asked for the list page
        cut = statuses.count("killed") + (statuses[-1] == "interrupted")
        assert len(runs[name]) - cut <= requests[name] <= len(runs[name]), (name, requests[name], statuses)
    assert any(r.status == "killed" and r.pid == victim.pid for name in held for r in runs[name])
    assert len({r.pid for source in runs.values() for r in source}) == 3  # the work was shared
    _assert_no_duplicate_events(fleet.engine)
    events, alerts, keys = _drain_and_count_alerts(fleet)
    assert alerts == events and max(keys.values()) == 1
    with session_scope(fleet.engine) as s:
        assert {row.crawl_owner for row in repo.sources(s) if row.name not in held} == {""}  # handed back
        states = {w["pid"]: w["state"] for w in worker_health(s)}
    assert states[victim.pid] == "lost" and sorted(states.values()) == ["lost", "stopped", "stopped"]
    counts = [len([r for r in runs[name] if r.status != "killed"]) for name in _names()]
    print(f"\n{SITES} sources, {min(counts)}-{max(counts)} runs each, list requests per run 1; SIGKILL of a worker "
          f"holding {held}: crawled again by another after {', '.join(f'{t:.1f} s' for t in recovered.values())} "
          f"(bound {bound.total_seconds():.0f} s); {events} events, {alerts} alerts, duplicates 0, "
          f"{time.monotonic() - started:.0f} s")


def _rounds_done(engine, rounds: int) -> bool:
    """Every source has `rounds` runs that ended (a run killed with its worker does not count)."""
    return all(len([r for r in runs if r.status not in ("running", "killed")]) >= rounds
               for runs in _runs(engine).values())


def test_a_sigtermed_daemon_hands_its_leases_back_at_once(fleet, silent_server):
    """A worker crawling a hung portal (a lease of 12 minutes) is stopped: the source is free and due at
    once, and another worker takes it within seconds, not when the lease would have run out."""
    fleet.configure(crawl_timeout=600, hosts={"s00.govmon.test": silent_server})
    fleet.start(1, "s00")
    first = fleet.workers[0]
    _wait_for(lambda: _crawl_children(first.pid) and _held_by(fleet.engine, first.pid), 30, fleet, "a crawl")
    stopped_at = time.monotonic()
    assert fleet.stop([first]) == [0], fleet.log_tail()
    handed_back = time.monotonic() - stopped_at
    with session_scope(fleet.engine) as s:
        row = repo.source_by_name(s, "s00")
        assert (row.crawl_owner, row.crawl_until) == ("", None) and row.next_due_at <= utcnow()
        assert [w["state"] for w in worker_health(s)] == ["stopped"]
    fleet.start(1, "s00")
    second = fleet.workers[1]
    _wait_for(lambda: _held_by(fleet.engine, second.pid) == ["s00"], 20, fleet, "the other worker taking it")
    taken = time.monotonic() - stopped_at
    assert fleet.stop([second]) == [0]
    print(f"\nSIGTERM: leases handed back {handed_back:.1f} s after the signal (grace 3 s), the source crawled "
          f"again {taken:.1f} s after it (its lease had {lease_for(600).total_seconds() / 60:.0f} minutes left)")


def _recovery(crew: Fleet, held: list[str], victim: int, killed_at: datetime) -> dict[str, float]:
    """Seconds from the kill to the start of each held source's next run by another worker (waited for)."""
    bound = (lease_for(CRAWL_TIMEOUT) + INTERVAL).total_seconds() + 10

    def next_runs() -> dict[str, CrawlRun]:
        runs, found = _runs(crew.engine), {}
        for name in held:
            later = [r for r in runs[name] if r.pid != victim and r.started_at > killed_at and r.status != "running"]
            if later:
                found[name] = later[0]
        return found

    _wait_for(lambda: len(next_runs()) == len(held), bound, crew, f"another worker crawling {held}")
    return {name: (run.started_at - killed_at).total_seconds() for name, run in next_runs().items()}
