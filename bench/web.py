"""Web view speed: every page, feed and API route of `govmon serve` over a generated store of 100,000
announcements and 20,000 documents, next to the raw SQL time of the statements each request ran.

    .venv/bin/python bench/web.py                      # SQLite store (generated once, cached), table + JSON line
    .venv/bin/python bench/web.py --quick              # 10,000 / 2,000 and 20 requests per route
    .venv/bin/python bench/web.py --database postgresql+psycopg://postgres@127.0.0.1:5432/test   # fresh schema
    .venv/bin/python bench/web.py --only /documents --trace "FROM source"   # where that statement is run from
    .venv/bin/python bench/web.py --generate-only --json   # build (or find) the store, print its counts

The store is generated straight into a migrated database with bulk inserts (seeded, so the same arguments give
the same store): the enabled source definitions as sources (their provinces included), repost clusters of 1–4
copies, articles with 1–3 versions of Vietnamese text, documents whose signs the real recogniser reads
(13/2023/NĐ-CP, 71/NQ-CP, 1131/QĐ-TTg, 245/QĐ-UBND, …), subject and cited mentions, relation chains
(amends, replaces, implements, guides), the events the pipeline would have raised (payloads as `emit` writes
them), deliveries for two channels and six-hourly crawl runs. The search index is filled through the
repository's own functions (`index_article`, `index_document`), as the pipeline fills it on write.

Each route is requested `--requests` times with varied parameters through Starlette's TestClient. A
SQLAlchemy cursor listener counts and times the statements every request runs; after the request those same
statements are run again on a raw DBAPI connection (execute + fetch all rows): that is the route's raw SQL
time, the baseline its page time is read against. Statements per request that grow with the page size show an
N+1 (the probe at the end asks list routes for 10 and then 100 items). Exit status 1 when a route's p95 is over
`--target-ms` (200), 2 when a request failed.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import statistics
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.engine import Engine

from govmon.crawler.extract.docrefs import extract
from govmon.monitor.analysis.documents import RELATION_VI, issuer_of, registry_key
from govmon.monitor.analysis.keys import fold, words_key
from govmon.monitor.config import Channel, Config
from govmon.monitor.service.runner import enabled_sources
from govmon.monitor.web.app import create_app
from govmon.monitor.web.context import encode_cursor
from govmon.storage.db import make_engine
from govmon.storage.migrate import upgrade
from govmon.storage.models import (
    Article,
    CrawlRun,
    Delivery,
    DocRelation,
    Document,
    Event,
    Mention,
    RepostCluster,
    Source,
    Version,
    compress,
)
from govmon.storage.repository.documents import number_key
from govmon.storage.repository.search import index_article, index_document

GENERATOR = 2  # bump when the generated store changes, so cached stores are rebuilt
CACHE = Path(tempfile.gettempdir()) / "govmon-bench-web"
ROOT = Path(__file__).resolve().parents[1]
UTC = timezone.utc
START, END = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 11, 30, tzinfo=UTC)
CHANNELS = (Channel("telegram", "tgram://bot/chat"), Channel("phapche", "mailto://legal@example.com"))

# --- vocabulary --------------------------------------------------------------------------------------------

AGENCIES = (
    "Ủy ban nhân dân tỉnh", "Sở Tài chính", "Sở Khoa học và Công nghệ", "Bộ Tài chính", "Bộ Công an", "Bộ Nội vụ",
    "Văn phòng Chính phủ", "Thủ tướng Chính phủ", "Phó Thủ tướng", "Chủ tịch UBND tỉnh", "Sở Y tế", "Sở Xây dựng",
    "Sở Nông nghiệp và Môi trường", "Sở Giáo dục và Đào tạo", "Công an tỉnh", "Ban Quản lý dự án", "Bộ Y tế",
    "Hội đồng nhân dân tỉnh", "các sở, ban, ngành", "Ủy ban nhân dân các xã", "Ngân hàng Nhà nước", "Bộ Tư pháp",
    "Kiểm toán Nhà nước", "Thanh tra Chính phủ", "Bộ Giáo dục và Đào tạo", "Bộ Xây dựng", "Bộ Công Thương",
    "Bộ Ngoại giao", "Bộ Quốc phòng", "Bộ Văn hóa, Thể thao và Du lịch", "Bộ Nông nghiệp và Môi trường",
    "Bộ Khoa học và Công nghệ", "Liên đoàn Lao động tỉnh", "Tỉnh đoàn", "Ủy ban Mặt trận Tổ quốc", "Cục Thuế",
    "Kho bạc Nhà nước", "Bảo hiểm xã hội tỉnh", "Trung tâm Phục vụ hành chính công", "Sở Tư pháp", "Sở Nội vụ",
)
VERBS = (
    "triển khai", "ban hành", "chỉ đạo", "đề nghị", "yêu cầu", "tổ chức", "kiểm tra", "rà soát", "hướng dẫn",
    "phối hợp", "đẩy mạnh", "tăng cường", "hoàn thiện", "thực hiện", "giám sát", "đánh giá", "tổng kết", "phê duyệt",
    "bố trí", "huy động", "tuyên truyền", "xử lý", "khắc phục", "báo cáo", "tham mưu", "chuẩn bị", "công bố",
    "cắt giảm", "đơn giản hóa", "số hóa", "đầu tư", "hỗ trợ", "nâng cao", "bảo đảm", "ưu tiên", "thẩm định",
    "cấp phép", "thu hồi", "điều chỉnh", "bổ sung", "sắp xếp", "tinh gọn", "quán triệt", "sơ kết", "phát động",
)
TOPICS = (
    "thủ tục hành chính", "dịch vụ công trực tuyến", "chuyển đổi số", "bảo vệ dữ liệu cá nhân", "định danh điện tử",
    "cơ sở dữ liệu quốc gia về dân cư", "chữ ký điện tử và dịch vụ tin cậy", "giao dịch điện tử", "đầu tư công",
    "khoa học, công nghệ và đổi mới sáng tạo", "giải ngân vốn đầu tư công", "ngân sách nhà nước",
    "thuế giá trị gia tăng", "phòng cháy, chữa cháy rừng", "phòng, chống thiên tai", "an toàn thực phẩm",
    "bảo hiểm xã hội", "bảo hiểm y tế", "giáo dục phổ thông", "y tế cơ sở", "nhà ở xã hội", "giải phóng mặt bằng",
    "quy hoạch tỉnh", "quản lý đất đai", "khoáng sản", "tài nguyên nước", "bảo vệ môi trường", "rác thải nhựa",
    "năng lượng tái tạo", "điện mặt trời mái nhà", "hạ tầng giao thông", "đường cao tốc Bắc – Nam",
    "xây dựng nông thôn mới", "giảm nghèo bền vững", "du lịch", "đồng bào dân tộc thiểu số", "xuất khẩu nông sản",
    "dịch tả lợn châu Phi", "khai thác hải sản bất hợp pháp", "thanh toán không dùng tiền mặt",
    "phòng, chống tham nhũng", "cải cách hành chính", "sắp xếp đơn vị hành chính", "tinh gọn tổ chức bộ máy",
    "chính quyền địa phương hai cấp", "cán bộ, công chức, viên chức", "chính sách tiền lương", "lao động, việc làm",
    "đào tạo nghề", "an ninh mạng", "an toàn giao thông", "phòng, chống ma túy", "kinh tế tư nhân",
    "doanh nghiệp nhỏ và vừa", "khu công nghiệp", "thu hút đầu tư nước ngoài", "hội nhập quốc tế", "di sản văn hóa",
    "thể dục thể thao", "chăm sóc sức khỏe nhân dân", "phòng, chống dịch bệnh", "người có công với cách mạng",
    "an sinh xã hội", "bảo vệ trẻ em", "bình đẳng giới", "biến đổi khí hậu", "xâm nhập mặn", "kinh tế số",
    "thương mại điện tử", "trí tuệ nhân tạo", "công nghiệp bán dẫn", "nhân lực chất lượng cao", "đô thị thông minh",
    "quản lý thị trường", "chống hàng giả", "sở hữu trí tuệ", "công nghiệp hỗ trợ", "dịch vụ logistics", "cảng biển",
    "đường sắt tốc độ cao", "tín dụng chính sách xã hội", "xử lý nợ xấu", "phổ cập kỹ năng số", "học bạ số",
)
NOUNS = (
    "chương trình", "kế hoạch", "đề án", "dự án", "nhiệm vụ", "giải pháp", "chính sách", "cơ chế", "hồ sơ", "báo cáo",
    "kết quả", "tiến độ", "nguồn vốn", "kinh phí", "chỉ tiêu", "mục tiêu", "hệ thống", "nền tảng", "quy trình",
    "tiêu chuẩn", "quy chuẩn", "danh mục", "định mức", "phương án", "mô hình", "công trình", "hạng mục", "hoạt động",
    "phong trào", "chiến dịch", "hội nghị", "hội thảo", "đoàn kiểm tra", "tổ công tác", "ban chỉ đạo", "diễn đàn",
    "cổng thông tin", "ứng dụng", "phần mềm", "trung tâm dữ liệu", "khu tái định cư", "tuyến đường", "trường học",
    "trạm y tế", "bệnh viện", "hợp tác xã", "làng nghề", "vùng nguyên liệu", "cửa khẩu", "bến cảng", "kho bãi",
)
MODIFIERS = (
    "trọng điểm", "cấp bách", "dài hạn", "thí điểm", "liên ngành", "liên thông", "toàn trình", "số", "xanh",
    "bền vững", "đặc thù", "mới", "sửa đổi", "khẩn cấp", "thường xuyên", "định kỳ", "đột xuất", "chuyên đề",
    "tổng thể", "chi tiết", "hiện hành", "ưu đãi", "đặc biệt", "quốc gia", "cấp tỉnh", "cấp xã", "liên vùng",
    "dùng chung", "tập trung", "phân tán", "an toàn", "hiện đại", "thông minh", "khép kín", "công khai", "minh bạch",
)
ADVERBIALS = (
    "trên địa bàn tỉnh", "trong năm 2025", "trong thời gian tới", "theo đúng quy định", "một cách đồng bộ",
    "kịp thời, hiệu quả", "trước ngày 30/6", "trong quý IV", "giai đoạn 2021 – 2025",
    "đến năm 2030, tầm nhìn đến năm 2045", "bảo đảm công khai, minh bạch", "không để xảy ra tiêu cực, lãng phí",
    "theo chức năng, nhiệm vụ được giao", "trên phạm vi cả nước", "tại các địa phương", "ngay từ đầu năm",
    "quyết liệt hơn nữa", "với tinh thần trách nhiệm cao", "trong tháng tới", "từ nay đến cuối năm", "theo lộ trình",
    "ở cả ba cấp", "cho người dân và doanh nghiệp",
)
PLACE_HEADS = ("Tân", "Phú", "An", "Hòa", "Thanh", "Đức", "Bình", "Long", "Vĩnh", "Quảng", "Mỹ", "Hưng", "Thạnh",
               "Phước", "Lộc", "Thuận", "Hiệp", "Trung", "Hải", "Sơn", "Đông", "Tây", "Ia", "Krông", "Chư", "Cam")
PLACE_TAILS = ("Phú", "Lợi", "Hòa", "Bình", "Thành", "Lộc", "Sơn", "Hưng", "Thịnh", "Phong", "Điền", "Xuân", "Nghĩa",
               "Hải", "Lâm", "Định", "Pa", "Sê", "Grai", "Búk", "Ranh", "Yên", "Khánh", "Minh")
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLES = ("Văn", "Thị", "Minh", "Quốc", "Thanh", "Hồng", "Đức", "Xuân", "Ngọc", "Hữu", "Anh", "Thu")
GIVEN = ("Hùng", "Lan", "Dũng", "Hà", "Tuấn", "Hương", "Sơn", "Mai", "Long", "Thảo", "Nam", "Linh", "Phúc", "Trang")
UNITS = ("tỷ đồng", "triệu đồng", "hồ sơ", "hộ dân", "doanh nghiệp", "km", "ha", "lượt người", "dự án", "thủ tục")

# Document kinds: weight, type word, sign ({n} number, {y} year, {m} ministry code), who issues it (phrase).
KINDS = (
    (15, "Nghị định", "{n}/{y}/NĐ-CP", "của Chính phủ", "nd"),
    (10, "Nghị quyết", "{n}/NQ-CP", "của Chính phủ", "nqcp"),
    (14, "Quyết định", "{n}/QĐ-TTg", "của Thủ tướng Chính phủ", "qdttg"),
    (3, "Chỉ thị", "{n}/CT-TTg", "của Thủ tướng Chính phủ", "ct"),
    (2, "Công điện", "{n}/CĐ-TTg", "của Thủ tướng Chính phủ", "cd"),
    (12, "Thông tư", "{n}/{y}/TT-{m}", "của Bộ trưởng", "tt"),
    (3, "Luật", "{n}/{y}/QH15", "của Quốc hội", "luat"),
    (2, "Nghị quyết", "{n}/{y}/QH15", "của Quốc hội", "nqqh"),
    (1, "Nghị quyết", "{n}-NQ/TW", "của Bộ Chính trị", "nqtw"),
    (21, "Quyết định", "{n}/QĐ-UBND", "của UBND tỉnh", "qdub"),
    (17, "Kế hoạch", "{n}/KH-UBND", "của UBND tỉnh", "khub"),
)
NUMBER_RANGE = {"nd": 380, "nqcp": 320, "qdttg": 2600, "ct": 40, "cd": 140, "tt": 90, "luat": 140, "nqqh": 260,
                "nqtw": 80, "qdub": 6000, "khub": 1500}
MINISTRIES = ("BTC", "BKHCN", "BNV", "BCA", "BYT", "BGDĐT", "BXD", "BCT", "BTP", "NHNN")
# What each kind may act on: (probability, relation, kinds of the target).
RELATES = {
    "tt": ((0.7, "guides", ("nd", "luat")),),
    "nd": ((0.4, "guides", ("luat", "nqqh")), (0.12, "amends", ("nd",)), (0.06, "replaces", ("nd",))),
    "nqcp": ((0.5, "implements", ("nqtw", "nqqh")), (0.04, "amends", ("nqcp",))),
    "qdttg": ((0.4, "implements", ("nqcp", "nqtw", "luat")), (0.08, "amends", ("qdttg",))),
    "ct": ((0.2, "implements", ("nqtw",)),),
    "khub": ((0.7, "implements", ("qdttg", "nqcp", "nqtw", "nd")),),
    "qdub": ((0.3, "implements", ("nd", "qdttg", "khub")), (0.08, "amends", ("qdub",)), (0.03, "repeals", ("qdub",))),
    "luat": ((0.1, "amends", ("luat",)),),
}
REL_PHRASES = {"guides": "quy định chi tiết", "amends": "sửa đổi, bổ sung một số điều của", "replaces": "thay thế",
               "implements": "triển khai thực hiện", "repeals": "bãi bỏ"}
# Documents every user knows (seeded first, most cited): text, topic, the relations they state.
FAMOUS = (
    ("Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị", "khoa học, công nghệ và đổi mới sáng tạo", "nqtw"),
    ("Nghị định số 13/2023/NĐ-CP ngày 17/4/2023 của Chính phủ", "bảo vệ dữ liệu cá nhân", "nd"),
    ("Nghị quyết số 03/NQ-CP ngày 9/1/2025 của Chính phủ", "khoa học, công nghệ và đổi mới sáng tạo", "nqcp"),
    ("Nghị quyết số 71/NQ-CP ngày 8/4/2025 của Chính phủ", "khoa học, công nghệ và đổi mới sáng tạo", "nqcp"),
    ("Nghị quyết số 193/2025/QH15 ngày 19/2/2025 của Quốc hội", "khoa học, công nghệ và đổi mới sáng tạo", "nqqh"),
    ("Luật Dữ liệu số 60/2024/QH15 ngày 30/11/2024 của Quốc hội", "chuyển đổi số", "luat"),
    ("Luật Giao dịch điện tử số 20/2023/QH15 ngày 22/6/2023 của Quốc hội", "giao dịch điện tử", "luat"),
    ("Nghị định số 23/2025/NĐ-CP ngày 21/2/2025 của Chính phủ", "chữ ký điện tử và dịch vụ tin cậy", "nd"),
    ("Nghị định số 52/2013/NĐ-CP ngày 16/5/2013 của Chính phủ", "thương mại điện tử", "nd"),
    ("Quyết định số 06/QĐ-TTg ngày 6/1/2022 của Thủ tướng Chính phủ", "cơ sở dữ liệu quốc gia về dân cư", "qdttg"),
)
FAMOUS_RELATIONS = ((3, "amends", 2), (2, "implements", 0), (4, "implements", 0), (7, "guides", 6))


# --- the plan: every row, table by table ---------------------------------------------------------------------

@dataclass
class Doc:
    """A generated registry document: its row and what articles say of it."""

    row: dict[str, Any]
    phrase: str  # "Nghị định số 13/2023/NĐ-CP ngày 17/4/2023 của Chính phủ"
    topic: str
    tag: str
    issued: datetime
    province: str = ""
    relations: list[tuple[str, int]] = field(default_factory=list)  # (rel, target index) it states


@dataclass
class Story:
    """One announcement: its copies (articles) share title, text and mentions."""

    when: datetime
    topic: str
    subject: int | None
    cited: list[int]
    copies: int
    province: str = ""
    first_of: bool = False  # the subject document's first announcement


@dataclass
class Plan:
    """The generated store: rows per table, in insertion order (foreign keys first)."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: str, row: dict[str, Any]) -> int:
        rows = self.tables[table]
        row["id"] = len(rows) + 1
        rows.append(row)
        return row["id"]

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables.items()}


class Words:
    """Seeded random Vietnamese-looking text, Zipf-weighted so some words are common and most are rare."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.places = [f"{a} {b}" for a in PLACE_HEADS for b in PLACE_TAILS if a != b]
        self.pool = [self._sentence() for _ in range(20_000)]

    def pick(self, items: Sequence[str]) -> str:
        return items[min(int(self.rng.paretovariate(1.2)) - 1, len(items) - 1)] if self.rng.random() < 0.5 \
            else self.rng.choice(items)

    def person(self) -> str:
        return f"{self.rng.choice(SURNAMES)} {self.rng.choice(MIDDLES)} {self.rng.choice(GIVEN)}"

    def figure(self) -> str:
        return f"{self.rng.randint(2, 9_999):,}".replace(",", ".") + " " + self.rng.choice(UNITS)

    def _phrase(self) -> str:
        return f"{self.rng.choice(NOUNS)} {self.pick(MODIFIERS)}"

    def _sentence(self) -> str:
        r = self.rng
        forms = (
            lambda: f"{self.pick(AGENCIES)} {self.pick(VERBS)} {self._phrase()} về {self.pick(TOPICS)} "
                    f"{self.pick(ADVERBIALS)}.",
            lambda: f"Đến nay, {self._phrase()} đã đạt {r.randint(40, 100)},{r.randint(0, 9)}% kế hoạch, "
                    f"với {self.figure()}.",
            lambda: f"Tại xã {r.choice(self.places)}, {self._phrase()} được {self.pick(VERBS)} "
                    f"{self.pick(ADVERBIALS)}.",
            lambda: f"Ông {self.person()}, {self.pick(AGENCIES).lower()}, cho biết sẽ {self.pick(VERBS)} "
                    f"{self._phrase()}.",
            lambda: f"{self.pick(AGENCIES)} giao {self.pick(AGENCIES).lower()} {self.pick(VERBS)} {self._phrase()}, "
                    f"{self.pick(VERBS)} {self.pick(TOPICS)}.",
            lambda: f"Tổng kinh phí thực hiện {self._phrase()} là {self.figure()} từ {self._phrase()}.",
        )
        return r.choice(forms)()

    def body(self, count: int) -> list[str]:
        return self.rng.sample(self.pool, count)


def _zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return list(_cumulative(1.0 / (rank + 1) ** s for rank in range(n)))


def _cumulative(weights: Any) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def _when_text(day: datetime) -> str:
    return f"ngày {day.day}/{day.month}/{day.year}"


def _doc_row(ref: Any, key: str, day: datetime, topic: str) -> dict[str, Any]:
    issuer = issuer_of(ref.code)
    return {"key": key, "canonical_id": ref.id, "type": ref.type or "", "number": ref.number,
            "year": ref.year or day.year, "code": ref.code, "issuer": issuer, "type_key": fold(ref.type or ""),
            "issuer_key": words_key(f"{issuer} {ref.code}"), "number_key": number_key(ref.number), "title": "",
            "issued_on": day.date().isoformat(), "effective_on": None, "resolved": True,
            "first_seen_at": None, "first_subject_at": None, "first_seen_article_id": None}


def _read(phrase: str, day: datetime, topic: str, tag: str, province: str, keys: set[str]) -> Doc | None:
    """The document `phrase` names, as the real recogniser and registry key it; None if its key is taken."""
    refs = extract(phrase)[0]
    if not refs:
        raise AssertionError(f"the recogniser reads no document in {phrase!r}")
    key, _ = registry_key(refs[0], [])
    if key in keys:
        return None
    keys.add(key)
    return Doc(_doc_row(refs[0], key, day, topic), phrase, topic, tag, day, province)


def _documents(rng: random.Random, count: int, provinces: list[str]) -> list[Doc]:
    """`count` documents: the famous ones first, then signs of every kind, some issued in the period (each
    gets an announcement), the rest in earlier years (only cited). Signs without a year take one number per
    year, so most documents of a small series (57-NQ/TW) end up in earlier years."""
    keys: set[str] = set()
    docs = []
    for phrase, topic, tag in FAMOUS:
        day = _date_in(phrase)
        doc = _read(phrase, day, topic, tag, "", keys)
        assert doc is not None
        docs.append(doc)
    for (a, rel, b) in FAMOUS_RELATIONS:
        docs[a].relations.append((rel, b))
    weights = list(_cumulative(k[0] for k in KINDS))
    while len(docs) < count:
        doc = _random_document(rng, rng.choices(KINDS, cum_weights=weights)[0], provinces, keys)
        if doc is not None:
            docs.append(doc)
    return docs


def _date_in(phrase: str) -> datetime:
    d, m, y = re.search(r"ngày (\d+)/(\d+)/(\d+)", phrase).groups()  # type: ignore[union-attr]
    return datetime(int(y), int(m), int(d), 2, tzinfo=UTC)


def _random_document(rng: random.Random, kind: tuple[Any, ...], provinces: list[str], keys: set[str]) -> Doc | None:
    _, word, sign, issuer, tag = kind
    recent = rng.random() < 0.55
    day = START + timedelta(seconds=rng.uniform(0, (END - START).total_seconds() - 86_400 * 4)) if recent \
        else datetime(rng.randint(2012, 2024), rng.randint(1, 12), rng.randint(1, 28), 2, tzinfo=UTC)
    day = day.replace(hour=2, minute=0, second=0, microsecond=0)
    number = rng.randint(1, NUMBER_RANGE[tag])
    number_text = f"{number:02d}" if tag in ("nd", "nqcp", "tt", "luat", "nqqh", "nqtw", "ct", "cd") else str(number)
    ministry = rng.choice(MINISTRIES)
    province = rng.choice(provinces) if tag in ("qdub", "khub") else ""
    who = f"{issuer} {province}" if province else (f"{issuer} Bộ {ministry}" if tag == "tt" else issuer)
    topic = rng.choice(TOPICS)
    name = f"{word} {topic[:1].upper()}{topic[1:]}" if tag == "luat" else word
    phrase = f"{name} số {sign.format(n=number_text, y=day.year, m=ministry)} {_when_text(day)} {who}"
    return _read(phrase, day, topic, tag, province, keys)


def _relations(rng: random.Random, docs: list[Doc]) -> None:
    """Relations each recent document states, to an earlier document of a kind it may act on; targets are
    Zipf-weighted by rank, so a few (57-NQ/TW, the big laws) gather hundreds."""
    by_tag: dict[str, list[int]] = defaultdict(list)
    for index, doc in enumerate(docs):
        by_tag[doc.tag].append(index)
    weights = {tag: _zipf_weights(len(items), 1.1) for tag, items in by_tag.items()}
    for index, doc in enumerate(docs[len(FAMOUS):], len(FAMOUS)):
        if doc.issued < START:
            continue
        for chance, rel, targets in RELATES.get(doc.tag, ()):
            if rng.random() < chance:
                target = _target(rng, docs, doc, [t for t in targets if by_tag[t]], by_tag, weights)
                if target is not None and target != index and all(t != target for _, t in doc.relations):
                    doc.relations.append((rel, target))


def _target(rng: random.Random, docs: list[Doc], doc: Doc, tags: list[str], by_tag: dict[str, list[int]],
            weights: dict[str, list[float]]) -> int | None:
    for _ in range(5):
        if not tags:
            return None
        tag = rng.choice(tags)
        target = rng.choices(by_tag[tag], cum_weights=weights[tag])[0]
        if docs[target].issued < doc.issued:
            return target
    return None


def _stories(rng: random.Random, articles: int, docs: list[Doc]) -> list[Story]:
    """Announcements in time order until their copies make `articles` articles: one about each recent
    document shortly after it is issued, more about a Zipf pick of documents, the rest about topics; each
    cites up to three documents (Zipf: the famous ones most), and every document is cited or announced."""
    cite_weights = _zipf_weights(len(docs), 0.9)
    recent = [i for i, d in enumerate(docs) if d.issued >= START]
    stories = [_story(rng, docs, cite_weights, d.issued + timedelta(hours=rng.uniform(2, 72)), i, True)
               for i, d in ((i, docs[i]) for i in recent)]
    copies = sum(s.copies for s in stories)
    recent_weights = _zipf_weights(len(recent), 0.8)
    while copies < articles:
        about = rng.choices(recent, cum_weights=recent_weights)[0] if rng.random() < 0.25 else None
        when = START + timedelta(seconds=rng.uniform(0, (END - START).total_seconds()))
        if about is not None:
            when = max(when, docs[about].issued + timedelta(days=1))
        stories.append(_story(rng, docs, cite_weights, min(when, END), about, False))
        copies += stories[-1].copies
    stories.sort(key=lambda s: s.when)
    _trim(stories, copies - articles)
    _cite_the_rest(rng, stories, docs)
    return stories


def _story(rng: random.Random, docs: list[Doc], weights: list[float], when: datetime, subject: int | None,
           first: bool) -> Story:
    drawn = rng.choices(range(len(docs)), cum_weights=weights, k=6)
    cited = sorted(list(dict.fromkeys(c for c in drawn if docs[c].issued < when))[: rng.choice((0, 1, 1, 2, 2, 3))])
    if subject is not None:
        cited = [c for c in cited if c != subject] + [t for _, t in docs[subject].relations if t not in cited]
    copies = rng.choices((1, 2, 3, 4), weights=(72, 18, 7, 3))[0]
    topic = docs[subject].topic if subject is not None else rng.choice(TOPICS)
    province = docs[subject].province if subject is not None else ""
    return Story(when, topic, subject, cited, copies, province, first)


def _trim(stories: list[Story], extra: int) -> None:
    """Drop copies from the last multi-copy stories so the article count is exact."""
    for story in reversed(stories):
        if extra <= 0:
            return
        cut = min(extra, story.copies - 1)
        story.copies -= cut
        extra -= cut


def _cite_the_rest(rng: random.Random, stories: list[Story], docs: list[Doc]) -> None:
    seen = {i for s in stories for i in s.cited} | {s.subject for s in stories if s.subject is not None}
    for index in range(len(docs)):
        if index not in seen:
            later = [s for s in rng.sample(stories, min(20, len(stories))) if s.when > docs[index].issued]
            (later[0] if later else stories[-1]).cited.append(index)


# --- rows from stories -----------------------------------------------------------------------------------------

@dataclass
class Builder:
    """Turns the stories into rows: sources, clusters, articles, versions, mentions, documents, relations,
    events, deliveries and crawl runs."""

    rng: random.Random
    words: Words
    docs: list[Doc]
    plan: Plan = field(default_factory=Plan)
    events: list[dict[str, Any]] = field(default_factory=list)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)

    def add_sources(self, definitions: Sequence[Any]) -> None:
        for definition in definitions:
            row = {"name": definition.name, "title": definition.title, "kind": definition.kind,
                   "official": definition.official, "baseline_at": START - timedelta(days=1), "broken_since": None,
                   "last_run_at": END, "last_status": "ok", "crawl_owner": "", "crawl_until": None,
                   "_host": definition.hosts[0] if definition.hosts else f"{definition.name}.gov.vn",
                   "_province": definition.province}
            self.plan.add("source", row)
            self.sources[definition.name] = row
        provincial = defaultdict(list)
        for row in self.sources.values():
            provincial[row["_province"]].append(row)
        self.by_province = provincial
        self.national = [s for s in self.sources.values() if not s["_province"] and s["official"]]
        self.reposters = [s for s in self.sources.values() if not s["official"]] or self.national

    def story(self, story: Story) -> None:
        title = self._title(story)
        text = self._text(story)
        cluster = self.plan.add("repostcluster", {"canonical_article_id": None, "signature": self._signature(),
                                                  "created_at": story.when + timedelta(minutes=15)})
        members = [self._article(story, cluster, source, title, text, n)
                   for n, source in enumerate(self._carriers(story))]
        self.plan.tables["repostcluster"][cluster - 1]["canonical_article_id"] = members[0]["id"]
        for article in members:
            self._mentions(story, article)
        self._events_of(story, cluster, members[0], title)

    def _carriers(self, story: Story) -> list[dict[str, Any]]:
        local = self.by_province.get(story.province) if story.province else None
        first = self.rng.choice(local) if local else self.rng.choice(self.national + list(self.sources.values()))
        candidates = self.reposters + self.national
        others = [s for s in self.rng.sample(candidates, min(6, len(candidates))) if s is not first]
        return [first, *others[: story.copies - 1]]

    def _signature(self) -> str:
        return json.dumps({"sig": self.rng.getrandbits(1024).to_bytes(128, "big").hex()})

    def _title(self, story: Story) -> str:
        r, w = self.rng, self.words
        if story.subject is not None:
            doc = self.docs[story.subject]
            sign = doc.row["canonical_id"]
            word = doc.phrase.split(" số ")[0]
            forms = (f"{word} số {sign}: {story.topic[:1].upper()}{story.topic[1:]}",
                     f"Ban hành {word.lower()} về {story.topic}", f"Triển khai {word} số {sign} {w.pick(ADVERBIALS)}",
                     f"Từ {story.when.day}/{story.when.month}, áp dụng quy định mới về {story.topic}")
            return r.choice(forms)
        forms = (f"{w.pick(AGENCIES)} {w.pick(VERBS)} {story.topic} {w.pick(ADVERBIALS)}",
                 f"Hội nghị {w.pick(VERBS)} {story.topic}", f"Thủ tướng chỉ đạo {w.pick(VERBS)} {story.topic}",
                 f"{w.pick(VERBS).capitalize()} {w.pick(NOUNS)} {w.pick(MODIFIERS)} về {story.topic}")
        return r.choice(forms)

    def _text(self, story: Story) -> tuple[str, str]:
        """(lead, text): the documents named where articles name them, then ordinary sentences."""
        r, w = self.rng, self.words
        lead = f"{_when_text(story.when).capitalize()}, {w.pick(AGENCIES)} {w.pick(VERBS)} {story.topic}."
        named = []
        if story.subject is not None:
            doc = self.docs[story.subject]
            lead = f"{doc.phrase} về {story.topic} đã được ban hành."
            named += [f"{doc.phrase.split(' ngày ')[0]} {REL_PHRASES[rel]} {self.docs[t].phrase.split(' ngày ')[0]}."
                      for rel, t in doc.relations]
        named += [f"Căn cứ {self.docs[c].phrase}." for c in story.cited if c not in
                  {t for _, t in (self.docs[story.subject].relations if story.subject is not None else ())}]
        body = named + w.body(r.randint(10, 17))
        return lead, " ".join(body[:3]) + "\n\n" + " ".join(body[3:])

    def _article(self, story: Story, cluster: int, source: dict[str, Any], title: str, text: tuple[str, str],
                 n: int) -> dict[str, Any]:
        published = story.when + timedelta(minutes=n * self.rng.uniform(20, 600))
        seen = published + timedelta(minutes=self.rng.uniform(3, 90))
        slug = re.sub(r"[^a-z0-9]+", "-", fold(title))[:80].strip("-")
        gone = seen + timedelta(days=self.rng.uniform(2, 60)) if self.rng.random() < 0.01 else None
        url = f"https://{source['_host']}/{slug}-{len(self.plan.tables['article']) + 1}.htm"
        row = {"source_id": source["id"], "url": url,
               "title": title, "lang": "vi", "published_at": published, "first_seen_at": seen,
               "last_seen_at": min(END, seen + timedelta(days=self.rng.uniform(0, 30))), "cluster_id": cluster,
               "etag": f'"{self.rng.getrandbits(64):016x}"', "last_modified": "", "extractor": "site",
               "missing_polls": 3 if gone else 0, "gone_at": gone}
        self.plan.add("article", row)
        self._versions(story, row, source, title, text)
        if gone:
            self._event("article_gone", f"gone:{row['id']}:{gone.isoformat()}", gone, source_id=source["id"],
                        article_id=row["id"], title=f"Bài không còn trên trang: {title}",
                        payload={"url": row["url"], "polls": 3, "documents": []})
        return row

    def _versions(self, story: Story, article: dict[str, Any], source: dict[str, Any], title: str,
                  text: tuple[str, str]) -> None:
        lead, body = text
        count = self.rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
        fetched = article["first_seen_at"]
        for seq in range(1, count + 1):
            if seq > 1:
                fetched += timedelta(hours=self.rng.uniform(1, 72))
                old, new, body = self._edit(body)
                row = self._version_row(article, seq, title, lead, body, fetched)
                self._event("article_changed", f"version:{row['id']}", fetched, source_id=source["id"],
                            article_id=article["id"], title=f"Bài đã bị sửa: {title}",
                            payload={"url": article["url"], "diff": f"… {old} {new} …", "seq": seq,
                                     "documents": self._ids(story)})
            else:
                self._version_row(article, seq, title, lead, body, fetched)

    def _edit(self, body: str) -> tuple[str, str, str]:
        """A figure changed or a sentence added: the word diff as the pipeline writes it."""
        numbers = re.findall(r"\d+(?:[.,]\d+)+|\d{2,}", body)
        if numbers and self.rng.random() < 0.7:
            old = self.rng.choice(numbers)
            new = str(int(re.sub(r"\D", "", old)) + self.rng.randint(1, 50))
            return f"[-{old}-]", f"{{+{new}+}}", body.replace(old, new, 1)
        added = self.rng.choice(self.words.pool)
        return "", f"{{+{added}+}}", f"{body} {added}"

    def _version_row(self, article: dict[str, Any], seq: int, title: str, lead: str, body: str,
                     fetched: datetime) -> dict[str, Any]:
        page = (f"<html><head><title>{title}</title></head><body><h1>{title}</h1><p>{lead}</p><p>{body}</p>"
                "</body></html>")
        row = {"article_id": article["id"], "seq": seq,
               "content_hash": hashlib.sha256(f"{title}\n{lead}\n{body}".encode()).hexdigest(), "title": title,
               "lead": lead, "text": body, "author": self.words.person(), "modified_at": None, "fetched_at": fetched,
               "raw_html": compress(page),
               "extra": {"canonical_url": article["url"], "category": ["Chính trị"], "attachments": [],
                         "extractor": "site", "published_at": article["published_at"].isoformat(),
                         "redirected_from": []}}
        self.plan.add("version", row)
        return row

    def _mentions(self, story: Story, article: dict[str, Any]) -> None:
        if story.subject is not None:
            self._mention(article, story.subject, "subject")
        for cited in story.cited:
            self._mention(article, cited, "cites")

    def _mention(self, article: dict[str, Any], index: int, role: str) -> None:
        doc = self.docs[index].row
        self.plan.add("mention", {"article_id": article["id"], "document_id": index + 1, "role": role,
                                  "raw": self.docs[index].phrase.split(" ngày ")[0]})
        if doc["first_seen_at"] is None or article["first_seen_at"] < doc["first_seen_at"]:
            doc["first_seen_at"], doc["first_seen_article_id"] = article["first_seen_at"], article["id"]
        if role == "subject" and doc["first_subject_at"] is None:
            doc["first_subject_at"], doc["title"] = article["first_seen_at"], article["title"]

    def _ids(self, story: Story) -> list[str]:
        ids = ([self.docs[story.subject].row["canonical_id"]] if story.subject is not None else [])
        return ids + [self.docs[c].row["canonical_id"] for c in story.cited]

    def _events_of(self, story: Story, cluster: int, first: dict[str, Any], title: str) -> None:
        when, source = first["first_seen_at"], first["source_id"]
        self._event("new_article", f"cluster:{cluster}", when, source_id=source, article_id=first["id"],
                    cluster_id=cluster, title=title, payload={"url": first["url"], "published_at":
                                                              first["published_at"].isoformat(),
                                                              "documents": self._ids(story)})
        if story.subject is None or not story.first_of:
            return
        doc = self.docs[story.subject]
        for rel, target in doc.relations:
            self._relation(doc, story.subject, rel, target, first)
        cid = doc.row["canonical_id"]
        self._event("new_document", f"document:{doc.row['key']}", when + timedelta(milliseconds=1), source_id=source,
                    article_id=first["id"], document_id=story.subject + 1, title=f"Văn bản mới {cid}: {title}",
                    payload={"url": first["url"], "documents": [cid]})

    def _relation(self, doc: Doc, index: int, rel: str, target: int, article: dict[str, Any]) -> None:
        other = self.docs[target].row["canonical_id"]
        evidence = f"{doc.phrase.split(' ngày ')[0]} {REL_PHRASES[rel]} {self.docs[target].phrase.split(' ngày ')[0]}."
        self.plan.add("docrelation", {"from_document_id": index + 1, "rel": rel, "to_document_id": target + 1,
                                      "evidence": evidence, "article_id": article["id"],
                                      "first_seen_at": article["first_seen_at"]})
        if rel in ("amends", "replaces", "repeals", "suspends"):
            cid = doc.row["canonical_id"]
            self._event("document_amended", f"relation:{cid}:{rel}:{other}",
                        article["first_seen_at"] + timedelta(milliseconds=2), source_id=article["source_id"],
                        article_id=article["id"], document_id=target + 1, title=f"{cid} {RELATION_VI[rel]} {other}",
                        payload={"relation": {"from": cid, "rel": rel, "to": other, "evidence": evidence},
                                 "url": article["url"], "documents": [cid, other]})

    def _event(self, kind: str, dedup: str, when: datetime, **fields: Any) -> None:
        self.events.append({"kind": kind, "dedup_key": dedup, "created_at": when, "source_id": None,
                            "article_id": None, "cluster_id": None, "document_id": None, **fields})

    def health(self) -> None:
        """Crawl runs every six hours for the last 120 days; a few sources break (and most recover), some
        items fail: their events as the pipeline raises them."""
        first = END - timedelta(days=120)
        for source in self.sources.values():
            broken = self.rng.random() < 0.1
            for n in range(480):
                self._run(source, first + timedelta(hours=6 * n, minutes=self.rng.uniform(0, 30)), broken and n >= 470)
            for _ in range(self.rng.choice((0, 0, 1, 2))):
                self._episode(source, START + timedelta(days=self.rng.uniform(0, 300)))
            if broken:
                since = first + timedelta(hours=6 * 472)
                source["broken_since"], source["last_status"] = since, "failed"
                self._broken(source, since, "3 lần thu thập liên tiếp thất bại (failed)")
        for row in sorted(self.runs, key=lambda r: r["started_at"]):  # ids in time order, sources interleaved
            self.plan.add("crawlrun", row)

    def _run(self, source: dict[str, Any], started: datetime, failing: bool) -> None:
        status = "failed" if failing or self.rng.random() < 0.03 else "ok"
        message = "" if status == "ok" else "1 item(s) not stored; first: https://example.invalid/x: TimeoutError"
        self.runs.append({"source_id": source["id"], "started_at": started,
                          "finished_at": started + timedelta(seconds=self.rng.uniform(20, 400)),
                          "status": status, "host": "bench", "pid": 4242, "pages": self.rng.randint(2, 40),
                          "articles_new": self.rng.randint(0, 12), "versions_new": self.rng.randint(0, 14),
                          "problems": 0 if status == "ok" else 1, "message": message})
        source["last_run_at"] = started

    def _episode(self, source: dict[str, Any], since: datetime) -> None:
        self._broken(source, since, "trang không còn đúng bố cục đã biết")
        self._event("source_recovered", f"recovered:{source['name']}:{since.isoformat()}", since + timedelta(hours=9),
                    source_id=source["id"], title=f"{source['title']}: đã hoạt động trở lại", payload={"documents": []})
        url = f"https://{source['_host']}/tin-tuc/{self.rng.getrandbits(40)}.htm"
        self._event("item_failed", f"failed:{self.rng.getrandbits(40)}:article:{url}", since + timedelta(hours=1),
                    source_id=source["id"], title=f"{source['name']}: không lưu được {url}",
                    payload={"url": url, "detail": "IntegrityError: duplicate key", "documents": []})

    def _broken(self, source: dict[str, Any], since: datetime, detail: str) -> None:
        self._event("source_broken", f"broken:{source['name']}:{since.isoformat()}", since, source_id=source["id"],
                    title=f"{source['title']}: {detail}", payload={"detail": detail, "documents": []})

    def finish(self) -> Plan:
        """Documents in the order they were first seen (ids as the pipeline gives them), with what their first
        articles told; events in time order with their deliveries."""
        order = sorted(range(len(self.docs)), key=lambda i: (self.docs[i].row["first_seen_at"], i))
        renumbered = {old + 1: new for new, old in enumerate(order, 1)}
        for old in order:
            doc = self.docs[old]
            doc.row["effective_on"] = (doc.issued + timedelta(days=45)).date().isoformat() if doc.tag == "nd" else None
            self.plan.add("document", doc.row)
        self._renumber(renumbered)
        self.events.sort(key=lambda e: e["created_at"])
        for row in self.events:
            self.plan.add("event", row)
            self._deliveries(row)
        return self.plan

    def _renumber(self, ids: dict[int, int]) -> None:
        """Point mentions, relations and events at the documents' final ids."""
        for table, columns in (("mention", ("document_id",)), ("docrelation", ("from_document_id", "to_document_id"))):
            for row in self.plan.tables[table]:
                for column in columns:
                    row[column] = ids[row[column]]
        for row in self.events:
            if row["document_id"] is not None:
                row["document_id"] = ids[row["document_id"]]

    def _deliveries(self, row: dict[str, Any]) -> None:
        channels = ["telegram"] if row["kind"] != "item_failed" else []
        if row["kind"] in ("new_document", "document_amended"):
            channels.append("phapche")
        pending = row["created_at"] > END - timedelta(hours=2)
        for channel in channels:
            dead = self.rng.random() < 0.002
            self.plan.add("delivery", {"event_id": row["id"], "channel": channel,
                                       "status": "pending" if pending else ("dead" if dead else "sent"),
                                       "attempts": 0 if pending else (8 if dead else 1),
                                       "next_attempt_at": row["created_at"],
                                       "sent_at": None if pending or dead else row["created_at"] + timedelta(seconds=3),
                                       "last_error": "HTTP 502" if dead else "", "claimed_by": "", "lease_until": None})


def plan_store(articles: int, documents: int, seed: int = 15) -> Plan:
    """Every row of a generated store of `articles` announcements and `documents` documents."""
    rng = random.Random(seed)
    definitions = enabled_sources(Config())
    provinces = sorted({d.province for d in definitions if d.province})
    docs = _documents(rng, documents, provinces)
    _relations(rng, docs)
    builder = Builder(rng, Words(rng), docs)
    builder.add_sources(definitions)
    for story in _stories(rng, articles, docs):
        builder.story(story)
    builder.health()
    return builder.finish()


# --- writing the store ---------------------------------------------------------------------------------------

MODELS = {"source": Source, "repostcluster": RepostCluster, "article": Article, "version": Version,
          "document": Document, "mention": Mention, "docrelation": DocRelation, "event": Event,
          "delivery": Delivery, "crawlrun": CrawlRun}
ORDER = ("source", "repostcluster", "article", "version", "document", "mention", "docrelation", "event", "delivery",
         "crawlrun")


def write_store(engine: Engine, plan: Plan, batch: int = 5_000) -> None:
    """Bulk inserts, table by table in one transaction (explicit ids: sequences are moved past them)."""
    with engine.begin() as conn:
        for name in ORDER:
            rows = [{k: v for k, v in row.items() if not k.startswith("_")} for row in plan.tables.get(name, [])]
            table = MODELS[name].__table__  # type: ignore[attr-defined]
            for start in range(0, len(rows), batch):
                conn.execute(insert(table), rows[start:start + batch])
            if engine.dialect.name == "postgresql" and rows:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), {len(rows)})"))
    fill_search_index(engine, plan)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def fill_search_index(engine: Engine, plan: Plan) -> None:
    """Index every article (its newest version) and document through the repository's own functions, as the
    pipeline does on write (one statement each)."""
    newest: dict[int, dict[str, Any]] = {}
    for version in plan.tables["version"]:
        newest[version["article_id"]] = version  # versions are planned oldest first
    with engine.begin() as conn:
        for article_id, v in newest.items():
            index_article(conn, article_id, v["title"], f"{v['lead']}\n{v['text']}", v["fetched_at"])
        for row in plan.tables["document"]:
            index_document(conn, Document(**row))


@dataclass
class Store:
    """A store to measure: its engine, how it was made, and a way to drop it afterwards."""

    engine: Engine
    url: str
    generated_s: float | None
    counts: dict[str, int]
    drop: Callable[[], None] = lambda: None


def open_store(database: str | None, store: Path | None, articles: int, documents: int, keep: bool = False,
               fresh: bool = False) -> Store:
    """The store to measure: PostgreSQL in a fresh schema, or a SQLite file generated once and cached (a
    `.done` file beside it holds its row counts; a newer migration is applied to it)."""
    if database and database.startswith("postgresql"):
        return _postgres_store(database, articles, documents, keep)
    path = store or CACHE / f"web-{articles}-{documents}-g{GENERATOR}.sqlite3"
    url = database or f"sqlite:///{path}"
    done = path.with_suffix(".done")
    if done.exists() and not fresh:
        engine = make_engine(url)
        upgrade(engine)  # a store cached before a new migration gets it (new indexes, a backfilled index)
        return Store(engine, url, None, json.loads(done.read_text())["counts"])
    path.unlink(missing_ok=True)
    engine = make_engine(url)
    seconds, counts = _generate(engine, articles, documents)
    done.write_text(json.dumps({"counts": counts, "generated_s": seconds}))
    return Store(engine, url, seconds, counts)


def _generate(engine: Engine, articles: int, documents: int) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    upgrade(engine)
    plan = plan_store(articles, documents)
    planned = time.perf_counter()
    write_store(engine, plan)
    done = time.perf_counter()
    print(f"generated {articles:,} articles / {documents:,} documents: plan {planned - started:.1f} s, "
          f"write {done - planned:.1f} s", file=sys.stderr)
    return round(done - started, 1), plan.counts()


def _postgres_store(database: str, articles: int, documents: int, keep: bool = False) -> Store:
    """A fresh schema, dropped afterwards unless `keep`; a URL that names its schema (options=-csearch_path…)
    is used as it is: generated into when empty, measured as it stands otherwise."""
    if "options=" in database:
        return _named_schema(database, articles, documents)
    schema = f"bench_web_{uuid.uuid4().hex[:8]}"
    admin = make_engine(database)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = database + ("&" if "?" in database else "?") + f"options=-csearch_path%3D{schema}"
    engine = make_engine(url)

    def drop() -> None:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    try:
        seconds, counts = _generate(engine, articles, documents)
    except BaseException:
        drop()
        raise
    if keep:
        print(f"kept: --database '{url}'", file=sys.stderr)
    return Store(engine, url, seconds, counts, (lambda: engine.dispose()) if keep else drop)


def _named_schema(url: str, articles: int, documents: int) -> Store:
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        counts = {name: conn.execute(select(func.count()).select_from(MODELS[name])).scalar_one() for name in ORDER}
    if counts["article"]:
        return Store(engine, url, None, counts, engine.dispose)
    seconds, counts = _generate(engine, articles, documents)
    return Store(engine, url, seconds, counts, engine.dispose)


# --- measuring ---------------------------------------------------------------------------------------------

Statement = tuple[str, Any, float]  # SQL as sent to the driver, its parameters, seconds in cursor.execute


class Recorder:
    """The statements `engine` runs while `active`: text, parameters and time in the driver's execute."""

    def __init__(self, engine: Engine, trace: str = "") -> None:
        self.active = False
        self.statements: list[Statement] = []
        self.trace, self.traced = trace, ""
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if self.active:
            self.statements.append((statement, parameters, time.perf_counter() - conn.info.pop("bench_started")))
            if self.trace and not self.traced and self.trace in statement:
                self.traced = _callers(statement)

    def take(self) -> list[Statement]:
        """The queries recorded since the last call (transaction control — BEGIN, COMMIT — left out)."""
        taken, self.statements = self.statements, []
        return [s for s in taken if not _CONTROL.match(s[0])]


def _callers(statement: str) -> str:
    """Where govmon ran `statement`: its own frames of the current stack, outermost first."""
    frames = [f for f in traceback.extract_stack() if f.filename.startswith(str(ROOT))
              and "site-packages" not in f.filename and f.filename != __file__]
    lines = [f"{Path(f.filename).relative_to(ROOT)}:{f.lineno} {f.name}: {(f.line or '').strip()}" for f in frames]
    return re.sub(r"\s+", " ", statement)[:200] + "\n" + "\n".join(lines)


_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)


class Replayer:
    """The baseline: the same statements on a raw DBAPI connection, each executed and all its rows fetched."""

    def __init__(self, engine: Engine) -> None:
        self.raw = engine.raw_connection()
        self.postgres = engine.dialect.name == "postgresql"

    def seconds(self, statements: Sequence[Statement]) -> float:
        cursor = self.raw.cursor()
        started = time.perf_counter()
        for sql, parameters, _ in statements:
            cursor.execute(sql, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        spent = time.perf_counter() - started
        cursor.close()
        if self.postgres:
            self.raw.rollback()
        return spent

    def plan(self, sql: str, parameters: Any) -> list[str]:
        """The database's plan for one statement (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN)."""
        cursor = self.raw.cursor()
        cursor.execute(("EXPLAIN " if self.postgres else "EXPLAIN QUERY PLAN ") + sql, parameters)
        rows = cursor.fetchall()
        cursor.close()
        if self.postgres:
            self.raw.rollback()
            return [row[0].strip() for row in rows]
        return [row[-1] for row in rows]

    def close(self) -> None:
        self.raw.close()


_IN_LIST = re.compile(r"\((?:\?|%\(\w+\)s)(?:,\s*(?:\?|%\(\w+\)s))+\)")


def shape(sql: str) -> str:
    """A statement with its IN-lists folded, so the same query with other ids counts as the same."""
    return re.sub(r"\s+", " ", _IN_LIST.sub("(…)", sql)).strip()


@dataclass(frozen=True)
class Route:
    """A route kind and the URLs it is asked for (`urls(rng)` gives one)."""

    label: str
    urls: Callable[[random.Random], str]
    html: bool = True


@dataclass
class Result:
    """What one route's requests measured."""

    label: str
    ms: list[float] = field(default_factory=list)
    raw_sql_ms: list[float] = field(default_factory=list)
    in_request_sql_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    repeated: tuple[int, str] = (0, "")
    slowest: tuple[float, str, Any] = (0.0, "", None)
    failures: list[str] = field(default_factory=list)

    def add(self, ms: float, statements: Sequence[Statement], raw_s: float) -> None:
        self.ms.append(ms)
        self.statements.append(len(statements))
        self.raw_sql_ms.append(raw_s * 1000)
        self.in_request_sql_ms.append(sum(s for _, _, s in statements) * 1000)
        shapes = Counter(shape(sql) for sql, _, _ in statements)
        if shapes:
            top, count = shapes.most_common(1)[0]
            if count > self.repeated[0]:
                self.repeated = (count, top)
        for sql, parameters, seconds in statements:
            if seconds * 1000 > self.slowest[0]:
                self.slowest = (seconds * 1000, sql, parameters)

    def record(self) -> dict[str, Any]:
        p50, p95 = percentile(self.ms, 50), percentile(self.ms, 95)
        sql50 = percentile(self.raw_sql_ms, 50)
        return {"route": self.label, "requests": len(self.ms), "p50_ms": _r(p50), "p95_ms": _r(p95),
                "max_ms": _r(max(self.ms, default=0.0)), "statements_median": statistics.median(self.statements or [0]),
                "statements_max": max(self.statements, default=0), "raw_sql_p50_ms": _r(sql50),
                "raw_sql_p95_ms": _r(percentile(self.raw_sql_ms, 95)),
                "sql_in_request_p50_ms": _r(percentile(self.in_request_sql_ms, 50)),
                "page_over_sql": _r(p50 / sql50) if sql50 >= 0.01 else None,
                "most_repeated": {"times": self.repeated[0], "sql": self.repeated[1][:300]},
                "slowest_statement": {"ms": _r(self.slowest[0]), "sql": self.slowest[1][:600]},
                "failures": self.failures[:5]}


def _r(value: float) -> float:
    return round(value, 2)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p95 of 100 requests is the 95th slowest)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Bench:
    """One measuring session: the app over the store, the recorder on its engine, the replaying baseline."""

    client: Any
    recorder: Recorder
    replayer: Replayer

    def request(self, url: str, html: bool) -> tuple[float, int, list[Statement]]:
        headers = {"accept": "text/html"} if html else {"accept": "application/json"}
        self.recorder.take()
        self.recorder.active = True
        started = time.perf_counter()
        response = self.client.get(url, headers=headers)
        ms = (time.perf_counter() - started) * 1000
        self.recorder.active = False
        return ms, response.status_code, self.recorder.take()

    def run(self, route: Route, rng: random.Random, count: int, warmup: int = 3, budget_s: float = 60.0) -> Result:
        """`count` timed requests after `warmup` untimed ones; a slow route stops after `budget_s` seconds
        once it has 20 timed requests (its record says how many)."""
        result = Result(route.label)
        started = time.perf_counter()
        for n in range(warmup + count):
            if len(result.ms) >= 20 and time.perf_counter() - started > budget_s:
                break
            url = route.urls(rng)
            ms, status, statements = self.request(url, route.html)
            if status not in (200, 304):
                result.failures.append(f"{status} {url}")
                continue
            if n >= warmup:
                result.add(ms, statements, self.replayer.seconds(statements))
        return result


# --- what is asked -------------------------------------------------------------------------------------------

@dataclass
class Picks:
    """Real ids and values of the store that requests are made with."""

    articles: list[int]
    edited: list[int]
    reposted: list[int]
    documents: list[str]
    cited: list[str]
    hubs: list[str]
    sources: list[str]
    provinces: list[str]
    events: tuple[int, int]
    documents_range: tuple[int, int]
    words: list[str]

    @classmethod
    def of(cls, engine: Engine, rng: random.Random) -> Picks:
        with engine.connect() as conn:
            def ids(query: Any) -> list[Any]:
                return list(conn.execute(query).scalars())
            docs = ids(select(Document.canonical_id).order_by(func.random()).limit(500))
            cited = ids(select(Document.canonical_id).join(Mention, Mention.document_id == Document.id)
                        .group_by(Document.id, Document.canonical_id).order_by(func.count().desc()).limit(10))
            hubs = ids(select(Document.canonical_id).join(DocRelation, DocRelation.to_document_id == Document.id)
                       .where(Document.canonical_id.not_in(cited))  # type: ignore[attr-defined]
                       .group_by(Document.id, Document.canonical_id).order_by(func.count().desc()).limit(10))
            edited = ids(select(Version.article_id).where(Version.seq >= 2).order_by(func.random()).limit(500))
            reposted = ids(select(func.max(Article.id)).group_by(Article.cluster_id)
                           .having(func.count() >= 3).limit(500))
            articles = ids(select(Article.id).order_by(func.random()).limit(500))
            sources = ids(select(Source.name))
            events = conn.execute(select(func.min(Event.id), func.max(Event.id))).one()
            documents_range = conn.execute(select(func.min(Document.id), func.max(Document.id))).one()
        provinces = sorted({d.province for d in enabled_sources(Config()) if d.province})
        words = [fold(t).replace(",", "") for t in TOPICS] + ["nghi dinh du lieu ca nhan", "chuyen doi so tinh",
                                                               "ke hoach trien khai nghi quyet"]
        return cls(articles, edited, reposted, docs, cited, hubs, sources, provinces, tuple(events),
                   tuple(documents_range), words)


def _ascii_sign(canonical_id: str) -> str:
    """A sign as people type it without diacritics: 13/2023/NĐ-CP → 13/2023/ND-CP."""
    return canonical_id.replace("Đ", "D").replace("đ", "d")


def _day_window(rng: random.Random) -> str:
    since = (START + timedelta(days=rng.randint(0, 320))).date()
    return f"since={since.isoformat()}&until={(since + timedelta(days=7)).isoformat()}"


def routes(picks: Picks, cursor: Callable[[int], str]) -> list[Route]:
    """Every page kind, with the parameters people use; `cursor(id)` is the app's own cursor for a position."""
    c, p = random.Random.choice, picks
    low, high = picks.events
    first_doc, last_doc = picks.documents_range

    def q(value: str) -> str:
        return value.replace(" ", "+")

    return [
        Route("floor: /static/style.css", lambda r: "/static/style.css", html=False),
        Route("/", lambda r: "/"),
        Route("/?kind=", lambda r: f"/?kind={c(r, KINDS_ASKED)}"),
        Route("/?source=", lambda r: f"/?source={c(r, p.sources)}"),
        Route("/?province=", lambda r: f"/?province={q(c(r, p.provinces))}"),
        Route("/?document=", lambda r: f"/?document={c(r, p.documents)}"),
        Route("/?document= (most cited)", lambda r: f"/?document={c(r, p.cited)}"),
        Route("/?since=&until=", lambda r: f"/?{_day_window(r)}"),
        Route("/?cursor= (deep)", lambda r: f"/?cursor={cursor(r.randint(low, low + (high - low) // 10))}"),
        Route("/announcements/{id}", lambda r: f"/announcements/{c(r, p.articles)}"),
        Route("/announcements/{id} (3-4 copies)", lambda r: f"/announcements/{c(r, p.reposted)}"),
        Route("/announcements/{id}/diff", lambda r: f"/announcements/{c(r, p.edited)}/diff"),
        Route("/documents/{id}", lambda r: f"/documents/{c(r, p.documents)}"),
        Route("/documents/{id} (most cited)", lambda r: f"/documents/{c(r, p.cited)}"),
        Route("/documents/{id} (graph hub, not most cited)", lambda r: f"/documents/{c(r, p.hubs)}"),
        Route("/documents", lambda r: "/documents"),
        Route("/documents?cursor= (deep)",
              lambda r: f"/documents?cursor={cursor(r.randint(first_doc, last_doc // 10 + 2))}"),
        Route("/sources", lambda r: "/sources"),
        Route("/search?q= (words)", lambda r: f"/search?q={q(c(r, p.words))}"),
        Route("/search?q= (number)", lambda r: f"/search?q={_ascii_sign(c(r, p.documents))}"),
        Route("/feeds/alerts.atom", lambda r: "/feeds/alerts.atom", html=False),
        Route("/feeds/documents/{id}.atom", lambda r: f"/feeds/documents/{c(r, p.documents)}.atom", html=False),
        Route("/feeds/subscriptions/phapche.atom", lambda r: "/feeds/subscriptions/phapche.atom", html=False),
        Route("/api/events", lambda r: "/api/events", html=False),
        Route("/api/events?document=", lambda r: f"/api/events?document={c(r, p.documents)}", html=False),
        Route("/api/announcements/{id}", lambda r: f"/api/announcements/{c(r, p.reposted)}", html=False),
        Route("/api/documents/{id}", lambda r: f"/api/documents/{c(r, p.documents)}", html=False),
        Route("/api/search?q=", lambda r: f"/api/search?q={q(c(r, p.words))}", html=False),
        Route("/api/sources", lambda r: "/api/sources", html=False),
    ]


KINDS_ASKED = ("new_article", "new_document", "document_amended", "article_changed", "article_gone",
               "source_broken", "source_recovered", "item_failed")
PROBES = ("/api/events?limit={n}", "/api/announcements?limit={n}", "/api/documents?limit={n}",
          "/api/search?q=chuyen+doi+so&limit={n}")


def n_plus_one(bench: Bench) -> list[dict[str, Any]]:
    """Statements per request of list routes at 10 and at 100 items: a count that grows with the page is an
    N+1 (the growth per extra item is shown)."""
    found = []
    for probe in PROBES:
        small, large = probe.format(n=10), probe.format(n=100)
        counts = []
        for url in (small, large, small, large):
            _, status, statements = bench.request(url, html=False)
            counts.append(len(statements) if status == 200 else -status)
        found.append({"route": probe.format(n="N"), "statements_at_10": counts[2], "statements_at_100": counts[3],
                      "per_extra_item": _r((counts[3] - counts[2]) / 90)})
    return found


# --- the run -----------------------------------------------------------------------------------------------

def measure(store: Store, requests: int, seed: int = 15, only: str = "", trace: str = "") -> dict[str, Any]:
    """Every route `requests` times (after 3 warm-up requests), the N+1 probe, and the plans of the slowest
    statements."""
    config = Config(channels=CHANNELS)
    rng = random.Random(seed)
    recorder, replayer = Recorder(store.engine, trace), Replayer(store.engine)
    picks = Picks.of(store.engine, rng)
    with TestClient(create_app(store.engine, config)) as client:
        bench = Bench(client, recorder, replayer)
        results = [bench.run(route, rng, requests) for route in routes(picks, encode_cursor) if only in route.label]
        probe = n_plus_one(bench)
    records = [r.record() for r in results]
    for result, record in zip(results, records):
        if result.slowest[1]:
            record["slowest_statement"]["plan"] = replayer.plan(result.slowest[1], result.slowest[2])
    replayer.close()
    return {"routes": records, "n_plus_one": probe} | ({"trace": recorder.traced} if trace else {})


def table(report: dict[str, Any]) -> str:
    lines = [f"{'route':38} {'p50':>7} {'p95':>7} {'max':>7} {'stmts':>9} {'SQL p50':>8} {'SQL p95':>8} "
             f"{'page/SQL':>8}  most repeated statement"]
    for r in report["routes"]:
        stmts = f"{r['statements_median']:g}/{r['statements_max']}"
        ratio = f"{r['page_over_sql']:.1f}×" if r["page_over_sql"] else "–"
        top = r["most_repeated"]
        repeated = f"{top['times']}× {top['sql'][:60]}" if top["times"] > 2 else ""
        lines.append(f"{r['route'][:38]:38} {r['p50_ms']:7.1f} {r['p95_ms']:7.1f} {r['max_ms']:7.1f} {stmts:>9} "
                     f"{r['raw_sql_p50_ms']:8.2f} {r['raw_sql_p95_ms']:8.2f} {ratio:>8}  {repeated}")
    lines.append("")
    lines.append("N+1 probe: statements per request at 10 and 100 items")
    for p in report["n_plus_one"]:
        lines.append(f"  {p['route']:42} {p['statements_at_10']:5} → {p['statements_at_100']:5}"
                     f"  ({p['per_extra_item']:+.2f} per item)")
    lines.append("")
    lines.append("Slowest statement of each route over 20 ms, with its plan:")
    for r in report["routes"]:
        slow = r["slowest_statement"]
        if slow["ms"] > 20:
            sql = re.sub(r"\s+", " ", slow["sql"])[:220]
            lines.append(f"  {r['route']}: {slow['ms']:.1f} ms  {sql}")
            lines.extend(f"      {step}" for step in slow.get("plan", [])[:8])
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--announcements", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--database", help="a SQLAlchemy URL; PostgreSQL gets a fresh schema, dropped afterwards")
    parser.add_argument("--store", type=Path, help="the SQLite file (default: cached under the temp directory)")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per route")
    parser.add_argument("--target-ms", type=float, default=200.0, help="the p95 every route must stay under")
    parser.add_argument("--quick", action="store_true", help="10,000 / 2,000 and 20 requests per route")
    parser.add_argument("--only", default="", help="only routes whose label contains this")
    parser.add_argument("--trace", default="", help="print where the first statement containing this text ran")
    parser.add_argument("--fresh", action="store_true", help="generate the SQLite store again even if cached")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema (its URL is printed)")
    parser.add_argument("--generate-only", action="store_true", help="build (or find) the store and stop")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the tables")
    args = parser.parse_args(argv)
    if args.quick:
        args.announcements, args.documents, args.requests = 10_000, 2_000, 20
    store = open_store(args.database, args.store, args.announcements, args.documents, args.keep, args.fresh)
    try:
        report = {"database": store.engine.dialect.name, "store": {"url": _masked(store.url),
                  "generated_s": store.generated_s, "rows": store.counts}, "target_ms": args.target_ms}
        if not args.generate_only:
            report |= measure(store, args.requests, only=args.only, trace=args.trace)
    finally:
        store.drop()
    return _verdict(report, args)


def _masked(url: str) -> str:
    return re.sub(r"//[^@/]+@", "//…@", url)


def _verdict(report: dict[str, Any], args: argparse.Namespace) -> int:
    routes_ = report.get("routes", [])
    failed = [f for r in routes_ for f in r["failures"]]
    over = [r["route"] for r in routes_ if r["p95_ms"] > args.target_ms and not r["route"].startswith("floor")]
    report |= {"failed": failed, "over_target": over, "met": not failed and not over}
    if not args.json and routes_:
        print(table(report))
        if report.get("trace"):
            print("\nfirst statement matching --trace, and where it ran:\n" + report["trace"])
        print(f"\ntarget p95 ≤ {args.target_ms:g} ms: {'met' if report['met'] else 'NOT met'}"
              + (f"; over: {', '.join(over)}" if over else "") + (f"; failed: {failed[:5]}" if failed else ""))
    print(json.dumps(report, ensure_ascii=False))
    return 2 if failed else (1 if over else 0)


if __name__ == "__main__":
    sys.exit(main())
