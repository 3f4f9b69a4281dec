"""A document's page and API say its status today: what made it so and from when, vbpl.vn's statement when there
is one, the announcements' reading beside it, a disagreement, the dates announced with their sentences — every
scraped string escaped."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from lxml import html as lxml_html
from sqlalchemy.engine import Engine
from tests_support import article_item, ingest

from govmon.monitor.config import Config
from govmon.monitor.web.app import create_app
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.repository import status as statuses

HOSTILE = "<script>alert(1)</script>"


def test_the_demo_resolution_is_partly_amended_by_71_nq_cp_issued_on_1_4_2025(client):
    page = lxml_html.fromstring(client.get("/documents/03/NQ-CP").text)
    status = page.cssselect("p.status")[0]
    assert "status-amended" in status.get("class")
    assert status.text_content().startswith("được sửa đổi một phần từ 2025-04-01: 71/NQ-CP")
    (cause,) = page.cssselect("ul.causes li")
    assert "71/NQ-CP sửa đổi, ban hành 2025-04-01" in " ".join(cause.text_content().split())
    assert not page.cssselect("p.status-stated") and not page.cssselect("p.status-disagreement")


@pytest.fixture
def stated_client(empty_store: Engine) -> Iterator[TestClient]:
    """A store where announcements say 130/2018/NĐ-CP was replaced, and vbpl.vn still says it is in force."""
    text = (f"Nghị định số 23/2025/NĐ-CP thay thế Nghị định số 130/2018/NĐ-CP. {HOSTILE} "
            "Nghị định số 23/2025/NĐ-CP có hiệu lực thi hành từ ngày 10/4/2025.")
    ingest(empty_store, article_item("https://baochinhphu.vn/nghi-dinh-102250225000000002.htm", text, "Nghị định"))
    with session_scope(empty_store) as s:
        old = repo.get_document(s, "130/2018/NĐ-CP")
        statuses.state_status(s, old, "vbpl.vn", state="in_force", stated=f"Còn hiệu lực {HOSTILE}",
                              effective_on="2018-11-15", evidence="Tình trạng hiệu lực: Còn hiệu lực",
                              url="https://vbpl.vn/TW/Pages/vbpq-thuoctinh.aspx?ItemID=131300")
    with TestClient(create_app(empty_store, Config())) as test_client:
        yield test_client


def test_vbpl_wins_and_the_disagreement_shows(stated_client):
    response = stated_client.get("/documents/130/2018/NĐ-CP")
    assert HOSTILE not in response.text and "&lt;script&gt;" in response.text
    page = lxml_html.fromstring(response.text)
    assert "status-in_force" in page.cssselect("p.status")[0].get("class")
    assert "theo vbpl.vn" in page.cssselect("p.status")[0].text_content()
    stated = page.cssselect("p.status-stated")[0]
    assert "Còn hiệu lực" in stated.text_content()
    assert stated.cssselect("a")[0].get("href") == "https://vbpl.vn/TW/Pages/vbpq-thuoctinh.aspx?ItemID=131300"
    assert "đã bị thay thế" in page.cssselect("p.status-inferred")[0].text_content()
    assert "announcements: replaced by 23/2025/NĐ-CP" in page.cssselect("p.status-disagreement")[0].text_content()


def test_the_announced_day_shows_with_its_sentence_and_the_api_says_the_same(stated_client):
    page = lxml_html.fromstring(stated_client.get("/documents/23/2025/NĐ-CP").text)
    (dated,) = page.cssselect("ul.statements li")
    assert dated.text_content().startswith("Có hiệu lực từ 2025-04-10")
    assert "có hiệu lực thi hành từ ngày 10/4/2025" in dated.cssselect("blockquote")[0].text_content()
    (shown,) = stated_client.get("/api/documents/130/2018/NĐ-CP").json()
    status = shown["document"]["status"]
    assert (status["state"], status["basis"], status["inferred"]["state"]) == ("in_force", "vbpl.vn", "replaced")
    assert status["disagreement"].startswith("announcements: replaced by 23/2025/NĐ-CP")
    assert [s["source"] for s in shown["statements"]] == ["vbpl.vn"]
