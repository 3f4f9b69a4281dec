"""Relations between numbered documents, one test per wording family of issue 17 (Part B of DOCNUMBERS.md):
implementation chains, enumerations, passive and appositive English, guidance named in a preamble,
legal-database histories, and statements that are not (yet) relations. Every sentence here is our own,
written for the family it tests; the labelled real passages are the yardstick in test_docrefs.py."""
from __future__ import annotations

import time

import pytest

from govmon.crawler.extract.docrefs import extract, find_refs, find_relations
from govmon.crawler.extract.histories import history_links
from govmon.crawler.extract.relation_text import gap_view, own_number, soft_newline
from govmon.crawler.extract.relations import relations_between
from govmon.crawler.extract.types import Relation

I, A, R, P, G, C = "implements", "amends", "replaces", "repeals", "guides", "consolidates"
Triple = tuple[str, str, str]


def _found(text: str) -> set[Triple]:
    return {(r.from_id, r.rel, r.to_id) for r in find_relations(text)}


def _check(text: str, expected: set[Triple]) -> None:
    assert _found(text) == expected, text


IMPLEMENTATION = [
    ("UBND tỉnh ban hành Kế hoạch số 87/KH-UBND ngày 3/4/2025 cụ thể hóa Nghị quyết số 12-NQ/TU của Tỉnh ủy.",
     {("87/KH-UBND", I, "12-NQ/TU")}),
    ("Nhằm cụ thể hóa Chỉ thị số 20/CT-TTg, Sở Y tế đã ban hành Kế hoạch số 311/KH-SYT.", {("311/KH-SYT", I, "20/CT-TTg")}),
    ("Quyết định số 902/QĐ-BNV về kế hoạch chi tiết triển khai Nghị quyết số 76/NQ-CP.", {("902/QĐ-BNV", I, "76/NQ-CP")}),
    ("Bộ đã ban hành Quyết định số 15/QĐ-BXD và Quyết định số 16/QĐ-BXD để triển khai Chỉ thị số 08/CT-TTg.",
     {("15/QĐ-BXD", I, "08/CT-TTg"), ("16/QĐ-BXD", I, "08/CT-TTg")}),
    ("Triển khai Kết luận số 83-KL/TW, Ban Thường vụ Tỉnh ủy đã có Kế hoạch số 150-KH/TU ngày 9/8/2024.",
     {("150-KH/TU", I, "83-KL/TW")}),
    ("Thực hiện Nghị quyết số 18-NQ/TW và Kết luận số 121-KL/TW, Tỉnh ủy đã ban hành Kế hoạch số 305-KH/TU.",
     {("305-KH/TU", I, "18-NQ/TW"), ("305-KH/TU", I, "121-KL/TW")}),
    ("Nhằm triển khai hiệu quả Quyết định số 06/QĐ-TTg, Bộ Công an đã ban hành Kế hoạch số 38/KH-BCA ngày 2/3/2022 và "
     "Kế hoạch số 39/KH-BCA ngày 3/3/2022.", {("38/KH-BCA", I, "06/QĐ-TTg"), ("39/KH-BCA", I, "06/QĐ-TTg")}),
    ("Kế hoạch số 245/KH-UBND ngày 10/10/2024 của UBND tỉnh thực hiện Quyết định số 1017/QĐ-TTg ngày 21/9/2024 của "
     "Thủ tướng Chính phủ và Kế hoạch số 1500/KH-BNNPTNT của Bộ Nông nghiệp.",
     {("245/KH-UBND", I, "1017/QĐ-TTg"), ("245/KH-UBND", I, "1500/KH-BNNPTNT")}),
    ("Plan No. 21/KH-BTC was issued in realisation of Resolution No. 98/NQ-CP on public investment.",
     {("21/KH-BTC", I, "98/NQ-CP")}),
    ("In realization of Resolution No. 29-NQ/TW, the Ministry of Industry and Trade issued Decision No. 2780/QD-BCT.",
     {("2780/QĐ-BCT", I, "29-NQ/TW")}),
    ("The ministry issued Plan No. 33/KH-BYT to implement Resolution No. 20-NQ/TW.", {("33/KH-BYT", I, "20-NQ/TW")}),
    ("Decision No. 400/QD-BKHCN implementing Directive No. 07/CT-TTg and Resolution No. 52/NQ-CP of the Government",
     {("400/QĐ-BKHCN", I, "07/CT-TTg"), ("400/QĐ-BKHCN", I, "52/NQ-CP")}),
    ("Resolution No. 68-NQ/TW is being institutionalized by the National Assembly through Resolution No. 198/2025/QH15.",
     {("198/2025/QH15", I, "68-NQ/TW")}),
    ("Ngày 9/1/2025, Chính phủ ban hành Nghị quyết 03/NQ-CP. Nghị quyết này là bước cụ thể hóa Nghị quyết 57-NQ/TW.",
     {("03/NQ-CP", I, "57-NQ/TW")}),
    ("Kế hoạch số 20/KH-UBND nhằm sớm đưa Nghị quyết số 57-NQ/TW của Bộ Chính trị vào cuộc sống.",
     {("20/KH-UBND", I, "57-NQ/TW")}),
    ("Để đưa Nghị quyết số 68-NQ/TW vào cuộc sống, Tỉnh ủy ban hành Kế hoạch số 33-KH/TU.", {("33-KH/TU", I, "68-NQ/TW")}),
    ("Để đưa Nghị quyết số 68-NQ/TW ra Quốc hội, Bộ ban hành Kế hoạch số 33/KH-BTP.", set()),
]


@pytest.mark.parametrize(("text", "expected"), IMPLEMENTATION, ids=lambda v: str(v)[:40])
def test_implementation_chains(text: str, expected: set[Triple]) -> None:
    _check(text, expected)


ENUMERATIONS = [
    ("Nghị định số 22/2019/NĐ-CP ngày 1/3/2019 của Chính phủ được sửa đổi, bổ sung bởi:\n1. Nghị định số 31/2021/NĐ-CP "
     "ngày 26/3/2021 của Chính phủ sửa đổi một số quy định về phí, có hiệu lực kể từ ngày 26 tháng 3 năm 2021;\n"
     "2. Nghị định số 50/2023/NĐ-CP ngày 7/7/2023 của Chính phủ, có hiệu lực kể từ ngày 7 tháng 7 năm 2023.",
     {("31/2021/NĐ-CP", A, "22/2019/NĐ-CP"), ("50/2023/NĐ-CP", A, "22/2019/NĐ-CP")}),
    ("Thông tư số 78/2021/TT-BTC đã được sửa đổi, bổ sung bởi các văn bản sau:\n- Thông tư số 32/2025/TT-BTC ngày "
     "31/5/2025 của Bộ Tài chính;\n- Thông tư số 88/2024/TT-BTC ngày 20/12/2024 của Bộ Tài chính.",
     {("32/2025/TT-BTC", A, "78/2021/TT-BTC"), ("88/2024/TT-BTC", A, "78/2021/TT-BTC")}),
    ("Circular No. 14/2018/TT-BCT, amended and supplemented by Circular No. 05/2020/TT-BCT and Circular No. "
     "11/2022/TT-BCT, remains in force.", {("05/2020/TT-BCT", A, "14/2018/TT-BCT"), ("11/2022/TT-BCT", A, "14/2018/TT-BCT")}),
    ("Nghị định số 61/2024/NĐ-CP sửa đổi, bổ sung một số điều của Nghị định số 19/2019/NĐ-CP ngày 10 tháng 2 năm 2019 "
     "của Chính phủ về quản lý đê điều và Nghị định số 44/2020/NĐ-CP ngày 8 tháng 4 năm 2020 về phòng chống thiên tai.",
     {("61/2024/NĐ-CP", A, "19/2019/NĐ-CP"), ("61/2024/NĐ-CP", A, "44/2020/NĐ-CP")}),
    ("Quyết định số 15/2025/QĐ-UBND bãi bỏ Quyết định số 12/2018/QĐ-UBND ngày 5/4/2018 về phí tham quan, Quyết định "
     "số 33/2019/QĐ-UBND ngày 9/9/2019 về lệ phí và Quyết định số 07/2020/QĐ-UBND.",
     {("15/2025/QĐ-UBND", P, "12/2018/QĐ-UBND"), ("15/2025/QĐ-UBND", P, "33/2019/QĐ-UBND"),
      ("15/2025/QĐ-UBND", P, "07/2020/QĐ-UBND")}),
    ("Luật số 03/2022/QH15 sửa đổi, bổ sung một số điều của Luật Đầu tư công, Luật Nhà ở, Luật Đấu thầu, Luật Điện "
     "lực, Luật Doanh nghiệp số 59/2020/QH14.", {("03/2022/QH15", A, "59/2020/QH14")}),
    ("Văn bản hợp nhất số 01/VBHN-BYT hợp nhất Nghị định số 15/2018/NĐ-CP và Nghị định số 155/2018/NĐ-CP.",
     {("01/VBHN-BYT", C, "15/2018/NĐ-CP"), ("01/VBHN-BYT", C, "155/2018/NĐ-CP")}),
    # a title's own cue acts on an unnumbered law; the next circular is the enumeration's next item
    ("Số: 55/2025/TT-BXD\nTHÔNG TƯ\nĐiều 30. Hiệu lực thi hành\nThông tư này thay thế Thông tư số 12/2016/TT-BGTVT ngày 9 "
     "tháng 6 năm 2016 quy định chi tiết thi hành một số điều của Luật Giao thông đường bộ và Thông tư số 40/2017/TT-BGTVT.",
     {("55/2025/TT-BXD", R, "12/2016/TT-BGTVT"), ("55/2025/TT-BXD", R, "40/2017/TT-BGTVT")}),
    # a new statement after ";" ends the enumeration
    ("Nghị định 13/2023/NĐ-CP thay thế Nghị định 52/2013/NĐ-CP; Nghị định 47/2020/NĐ-CP sửa đổi Nghị định 85/2016/NĐ-CP.",
     {("13/2023/NĐ-CP", R, "52/2013/NĐ-CP"), ("47/2020/NĐ-CP", A, "85/2016/NĐ-CP")}),
    # a verb of change governs the programme it names; the programme's own document is what it changes
    ("Chính phủ ban hành Nghị quyết số 88/NQ-CP ngày 2/5/2025 sửa đổi, cập nhật Chương trình hành động ban hành kèm "
     "theo Nghị quyết số 10/NQ-CP ngày 3/2/2025.", {("88/NQ-CP", A, "10/NQ-CP")}),
    ("Nghị quyết 88/NQ-CP sửa đổi Kế hoạch triển khai Nghị quyết 10/NQ-CP.", set()),
    # references nested in an item's title are passed over
    ("Thông tư 65/2014/TT-BTC sửa đổi Thông tư 06/2013/TT-BTC hướng dẫn thi hành Nghị định 12/2012/NĐ-CP và "
     "Nghị định 31/2012/NĐ-CP.", {("65/2014/TT-BTC", A, "06/2013/TT-BTC"), ("06/2013/TT-BTC", G, "12/2012/NĐ-CP"),
                                  ("06/2013/TT-BTC", G, "31/2012/NĐ-CP")}),
]


@pytest.mark.parametrize(("text", "expected"), ENUMERATIONS, ids=lambda v: str(v)[:40])
def test_enumerations_give_one_relation_per_document_named(text: str, expected: set[Triple]) -> None:
    _check(text, expected)


PASSIVE = [
    ("Decree No. 15/2018/ND-CP, amended under Decree No. 155/2018/ND-CP, details the Law on Food Safety.",
     {("155/2018/NĐ-CP", A, "15/2018/NĐ-CP")}),
    ("Circular No. 219/2013/TT-BTC (amended in Circular No. 26/2015/TT-BTC) guides the VAT law.",
     {("26/2015/TT-BTC", A, "219/2013/TT-BTC")}),
    ("Decision No. 28/2018/QD-TTg was superseded by Decision No. 20/2023/QD-TTg.", {("20/2023/QĐ-TTg", R, "28/2018/QĐ-TTg")}),
    ("Law No. 59/2020/QH14 on Enterprises, which has been amended pursuant to Law No. 03/2022/QH15, applies.",
     {("03/2022/QH15", A, "59/2020/QH14")}),
    ("Decree No. 80/2024/ND-CP amended Decree No. 41/2020/ND-CP last year.", {("80/2024/NĐ-CP", A, "41/2020/NĐ-CP")}),
    ("Nghị định 15/2018/NĐ-CP được sửa đổi, bổ sung tại khoản 2 Điều 1 Nghị định 155/2018/NĐ-CP.",
     {("155/2018/NĐ-CP", A, "15/2018/NĐ-CP")}),
    ("Thông tư 12/2019/TT-BTC bị thay thế bởi Thông tư 45/2023/TT-BTC.", {("45/2023/TT-BTC", R, "12/2019/TT-BTC")}),
    # a decree cannot amend a law: the appositive belongs to the decree the phrase opened with
    ("Decree 47/2021/ND-CP detailing Law 59/2020/QH14, amended under Decree 02/2025/ND-CP",
     {("47/2021/NĐ-CP", G, "59/2020/QH14"), ("02/2025/NĐ-CP", A, "47/2021/NĐ-CP")}),
    # the agent is not the next document
    ("The Ministry of Justice proposed that Decree 82/2020/ND-CP be amended by a new decree, according to Report "
     "45/BC-BTP.", set()),
    # the cue describes the second document: "its amending Decree Y", "Nghị định sửa đổi số Y"
    ("Decree No. 15/2018/ND-CP and its amending Decree No. 155/2018/ND-CP apply.", {("155/2018/NĐ-CP", A, "15/2018/NĐ-CP")}),
    ("Nghị định 15/2018/NĐ-CP và Nghị định sửa đổi số 155/2018/NĐ-CP quy định điều kiện kinh doanh.",
     {("155/2018/NĐ-CP", A, "15/2018/NĐ-CP")}),
    # an unnumbered document between them is the one that acts
    ("Kế hoạch 5/KH-UBND và Thông tư hướng dẫn Nghị định 20/2021/NĐ-CP được phổ biến.", set()),
]


@pytest.mark.parametrize(("text", "expected"), PASSIVE, ids=lambda v: str(v)[:40])
def test_passive_and_appositive_statements_read_backwards(text: str, expected: set[Triple]) -> None:
    _check(text, expected)


PREAMBLES = [
    ("Căn cứ Nghị định số 178/2024/NĐ-CP ngày 31 tháng 12 năm 2024 của Chính phủ về chính sách, chế độ đối với cán bộ;\n"
     "Căn cứ Thông tư số 01/2025/TT-BNV ngày 17 tháng 01 năm 2025 của Bộ trưởng Bộ Nội vụ hướng dẫn thực hiện chính sách, "
     "chế độ đối với cán bộ, công chức theo Nghị định số 178/2024/NĐ-CP;", {("01/2025/TT-BNV", G, "178/2024/NĐ-CP")}),
    ("Số: 35/QĐ-UBND\nQUYẾT ĐỊNH\nCăn cứ Thông tư số 06/2021/TT-BXD ngày 30/6/2021 của Bộ trưởng Bộ Xây dựng quy định "
     "chi tiết một số nội dung của Nghị định số 15/2021/NĐ-CP;\nCăn cứ Nghị định số 10/2021/NĐ-CP;",
     {("06/2021/TT-BXD", G, "15/2021/NĐ-CP")}),
    ("Pursuant to Circular No. 80/2021/TT-BTC dated September 29, 2021 of the Minister of Finance guiding the "
     "implementation of Decree No. 126/2020/ND-CP;", {("80/2021/TT-BTC", G, "126/2020/NĐ-CP")}),
    ("Căn cứ Thông tư liên tịch số 50/2015/TTLT-BYT-BNV hướng dẫn thực hiện một số điều của Nghị định số "
     "37/2014/NĐ-CP và Nghị định số 24/2014/NĐ-CP;",
     {("50/2015/TTLT-BYT-BNV", G, "37/2014/NĐ-CP"), ("50/2015/TTLT-BYT-BNV", G, "24/2014/NĐ-CP")}),
    # the bases themselves are not related to each other
    ("Căn cứ Nghị định số 15/2018/NĐ-CP; Căn cứ Quyết định số 123/QĐ-BYT về việc thực hiện chế độ báo cáo;", set()),
]


@pytest.mark.parametrize(("text", "expected"), PREAMBLES, ids=lambda v: str(v)[:40])
def test_guidance_named_in_a_preamble(text: str, expected: set[Triple]) -> None:
    _check(text, expected)


def test_a_header_cites_its_bases_only_when_asked() -> None:
    text = ("Số: 120/QĐ-UBND\nQUYẾT ĐỊNH\nCăn cứ Nghị định số 20/2021/NĐ-CP ngày 15/3/2021 của Chính phủ;\nCăn cứ Thông tư "
            "số 02/2021/TT-BLĐTBXH hướng dẫn thực hiện Nghị định số 20/2021/NĐ-CP;")
    guides = ("02/2021/TT-BLĐTBXH", G, "20/2021/NĐ-CP")
    assert _found(text) == {guides}
    bases = {(r.from_id, r.rel, r.to_id) for r in relations_between(text, find_refs(text), bases=True)}
    assert bases == {guides, ("120/QĐ-UBND", "cites", "20/2021/NĐ-CP"), ("120/QĐ-UBND", "cites", "02/2021/TT-BLĐTBXH")}


HISTORIES = [
    ("Lịch sử hiệu lực: Nghị định 38/2012/NĐ-CP\nNgày | Trạng thái | Văn bản nguồn | Phần hết hiệu lực\n"
     "25/04/2012 | Văn bản được ban hành | 38/2012/NĐ-CP |\n02/02/2018 | Văn bản hết hiệu lực | 38/2012/NĐ-CP |\n"
     "02/02/2018 | Bị thay thế | 15/2018/NĐ-CP |", {("15/2018/NĐ-CP", R, "38/2012/NĐ-CP")}),
    ("Lịch sử hiệu lực: Luật 12/2008/QH12\nNgày\nTrạng thái\nVăn bản nguồn\n10/06/2008\nVăn bản được ban hành\n"
     "12/2008/QH12\n01/01/2010\nĐược bổ sung\n45/2009/QH12\n01/07/2015\nBị sửa đổi\n71/2014/QH13",
     {("45/2009/QH12", A, "12/2008/QH12"), ("71/2014/QH13", A, "12/2008/QH12")}),
    ("Thông tư 99/2016/TT-BTC hướng dẫn quản lý hoàn thuế giá trị gia tăng\nSố hiệu: 99/2016/TT-BTC | Loại văn bản: "
     "Thông tư\nTình trạng: Hết hiệu lực một phần\nVăn bản sửa đổi, bổ sung (2)\nThông tư 31/2017/TT-BTC sửa đổi "
     "Thông tư 99/2016/TT-BTC hướng dẫn quản lý hoàn thuế\nThông tư 25/2018/TT-BTC hướng dẫn Nghị định 146/2017/NĐ-CP\n"
     "Văn bản được hướng dẫn (1)\nNghị định 100/2016/NĐ-CP hướng dẫn Luật thuế giá trị gia tăng\nVăn bản dẫn chiếu "
     "(1)\nLuật 106/2016/QH13 sửa đổi Luật thuế",
     {("31/2017/TT-BTC", A, "99/2016/TT-BTC"), ("25/2018/TT-BTC", A, "99/2016/TT-BTC"),
      ("99/2016/TT-BTC", G, "100/2016/NĐ-CP"), ("25/2018/TT-BTC", G, "146/2017/NĐ-CP")}),
    ("Nghị định 67/2016/NĐ-CP điều kiện sản xuất kinh doanh thực phẩm\nVăn bản thay thế: Nghị định 15/2018/NĐ-CP\n"
     "Văn bản bị thay thế: Nghị định 38/2012/NĐ-CP, Nghị định 67/2013/NĐ-CP",
     {("15/2018/NĐ-CP", R, "67/2016/NĐ-CP"), ("67/2016/NĐ-CP", R, "38/2012/NĐ-CP"), ("67/2016/NĐ-CP", R, "67/2013/NĐ-CP")}),
    ("Decree No. 15/2018/ND-CP\nEffective status: Partially amended\nAmended by: Decree No. 155/2018/ND-CP\n"
     "Guiding documents\nCircular No. 10/2019/TT-BYT",
     {("155/2018/NĐ-CP", A, "15/2018/NĐ-CP"), ("10/2019/TT-BYT", G, "15/2018/NĐ-CP")}),
    ("Văn bản hiện thời\nNghị định 132/2020/NĐ-CP quản lý thuế đối với doanh nghiệp có giao dịch liên kết\n"
     "Văn bản HD, QĐ chi tiết (1)\nThông tư 45/2021/TT-BTC áp dụng cơ chế thỏa thuận trước\nVăn bản căn cứ (1)\n"
     "Luật 38/2019/QH14 Quản lý thuế", {("45/2021/TT-BTC", G, "132/2020/NĐ-CP")}),
    ("Quyết định 22/2014/QĐ-UBND\nTình trạng hiệu lực: Đã bị thay thế bởi Quyết định 10/2021/QĐ-UBND",
     {("10/2021/QĐ-UBND", R, "22/2014/QĐ-UBND")}),
    # prose that starts like a label is not a table
    ("Văn bản hướng dẫn thi hành Luật Đất đai gồm Nghị định 102/2024/NĐ-CP và Nghị định 101/2024/NĐ-CP.", set()),
]


@pytest.mark.parametrize(("text", "expected"), HISTORIES, ids=lambda v: str(v)[:40])
def test_legal_database_histories_relate_the_page_to_what_its_labels_list(text: str, expected: set[Triple]) -> None:
    _check(text, expected)


def test_a_history_row_is_its_own_evidence() -> None:
    text = "Số hiệu: 38/2012/NĐ-CP\nTình trạng: Hết hiệu lực\nVăn bản thay thế: Nghị định 15/2018/NĐ-CP"
    (link,) = history_links(text, find_refs(text))
    assert (link.src.id, link.rel, link.dst.id) == ("15/2018/NĐ-CP", R, "38/2012/NĐ-CP")
    (relation,) = find_relations(text)
    assert relation.evidence == "Văn bản thay thế: Nghị định 15/2018/NĐ-CP"


NOT_RELATIONS = [
    "Ban Tổ chức Trung ương có Công văn số 310-CV/BTCTW xin ý kiến dự thảo Quy định mới thay thế Quy định số 105-QĐ/TW.",
    "Nghị quyết số 72/2024/QH15 bổ sung dự án Luật sửa đổi, bổ sung một số điều của Luật Dược số 105/2016/QH13 vào "
    "Chương trình xây dựng luật.",
    "Tờ trình số 88/TTr-BTC đề xuất sửa đổi Nghị định số 126/2020/NĐ-CP.",
    "The ministry sent Official Letter No. 512/BTC-CST seeking comments on a draft decree to replace Decree No. "
    "65/2013/ND-CP.",
    "Bộ Công Thương có Tờ trình số 210/TTr-BCT đề nghị xây dựng Luật sửa đổi, bổ sung một số điều của Luật Điện lực số "
    "61/2024/QH15.",
    "Công văn 3520/BYT-PC gửi dự thảo Thông tư sửa đổi, bổ sung Thông tư số 30/2018/TT-BYT để xin ý kiến các đơn vị.",
    "Bộ Tư pháp có kế hoạch sửa đổi Thông tư số 01/2020/TT-BTP trong năm tới, theo Công văn 77/BTP-VP.",
    "The Ministry of Finance is drafting a decree to amend Decree 126/2020/ND-CP, according to Document 567/BTC-TCT.",
    "Báo cáo số 456/BC-UBND đánh giá kết quả thực hiện Kế hoạch số 123/KH-UBND năm 2024.",
    "Theo Quyết định 15/QĐ-UBND, các đơn vị thực hiện theo Hướng dẫn số 05/HD-SNV của Sở Nội vụ.",
    "Thực hiện Công văn số 123/UBND-VX, Sở Y tế đề nghị các đơn vị triển khai Kế hoạch số 45/KH-SYT.",
    "Nghị quyết 30/NQ-CP được thực hiện theo Kế hoạch 15/KH-UBND của tỉnh.",
    "Resolution No. 129/2024/QH15 adds the project to develop the Law amending Law No. 31/2024/QH15 to the programme.",
    "Quyết định này có hiệu lực từ ngày ký và thay thế Quyết định số 45/QĐ-UBND ngày 1/2/2020.",
]


@pytest.mark.parametrize("text", NOT_RELATIONS, ids=lambda v: v[:40])
def test_drafts_projects_plans_and_reports_state_no_relation(text: str) -> None:
    _check(text, set())


def test_an_intended_relation_is_kept_apart_when_asked_for() -> None:
    text = "Tờ trình số 88/TTr-BTC đề xuất sửa đổi Nghị định số 126/2020/NĐ-CP."
    (relation,) = relations_between(text, find_refs(text), intended=True)
    assert (relation.from_id, relation.rel, relation.to_id, relation.intended) == ("88/TTr-BTC", A, "126/2020/NĐ-CP", True)
    assert relation.to_json()["intended"] is True
    assert "intended" not in Relation("71/NQ-CP", A, "03/NQ-CP").to_json()
    text = "Nghị định 168/2024/NĐ-CP sẽ thay thế Nghị định 100/2019/NĐ-CP từ ngày 1/1/2025."  # issued: a fact
    assert [r.intended for r in relations_between(text, find_refs(text), intended=True)] == [False]
    text = "Nghị định 15/2018/NĐ-CP sẽ được thay thế bởi Nghị định 46/2025/NĐ-CP từ ngày 1/7/2025."
    assert [(r.from_id, r.intended) for r in relations_between(text, find_refs(text), intended=True)] == [
        ("46/2025/NĐ-CP", False)]


OWN_DOCUMENT = [
    ("Số: 15/2018/NĐ-CP\nNGHỊ ĐỊNH\nĐiều 42. Hiệu lực thi hành\n1. Nghị định này có hiệu lực thi hành kể từ ngày ký.\n"
     "2. Kể từ ngày Nghị định này có hiệu lực, Nghị định số 38/2012/NĐ-CP hết hiệu lực thi hành.",
     {("15/2018/NĐ-CP", P, "38/2012/NĐ-CP")}),
    ("No. 15/2018/ND-CP\nDECREE\nArticle 42. Effect\nDecree No. 38/2012/ND-CP ceases to be effective from the effective "
     "date of this Decree.", {("15/2018/NĐ-CP", P, "38/2012/NĐ-CP")}),
    ("Số: 12/2025/TT-BTC\nTHÔNG TƯ\nĐiều 2. Bãi bỏ khoản 3 Điều 5 Thông tư số 10/2020/TT-BTC ngày 20/2/2020.",
     {("12/2025/TT-BTC", P, "10/2020/TT-BTC")}),
    ("Số: 88/QĐ-UBND\nQUYẾT ĐỊNH\nĐiều 3. Quyết định này có hiệu lực từ ngày ký và thay thế Quyết định số 45/QĐ-UBND.",
     {("88/QĐ-UBND", R, "45/QĐ-UBND")}),
    ("Số: 04/2025/TT-BNV\nTHÔNG TƯ\nSửa đổi, bổ sung một số điều của Thông tư số 01/2019/TT-BNV và Thông tư số "
     "02/2021/TT-BNV", {("04/2025/TT-BNV", A, "01/2019/TT-BNV"), ("04/2025/TT-BNV", A, "02/2021/TT-BNV")}),
]


@pytest.mark.parametrize(("text", "expected"), OWN_DOCUMENT, ids=lambda v: str(v)[:40])
def test_a_document_named_again_by_its_type_is_the_one_its_header_numbers(text: str, expected: set[Triple]) -> None:
    _check(text, expected)


def test_text_without_diacritics_reads_alike() -> None:
    _check("Thong tu 31/2017/TT-BTC sua doi Thong tu 99/2016/TT-BTC ve hoan thue", {("31/2017/TT-BTC", A, "99/2016/TT-BTC")})
    _check("Ke hoach 45/KH-UBND trien khai thuc hien Nghi quyet 57-NQ/TW", {("45/KH-UBND", I, "57-NQ/TW")})


def test_lines_wrapped_by_a_page_join_but_lists_and_rows_do_not() -> None:
    wrapped = ("Sở Nội vụ có Kế hoạch số 45/KH-SNV ngày 2/3/2024 của\nSở Nội vụ tỉnh, triển khai Quyết định số 77/QĐ-UBND "
               "ngày 1/2/2024 của UBND tỉnh.")
    _check(wrapped, {("45/KH-SNV", I, "77/QĐ-UBND")})
    listed = "Thông tư 31/2017/TT-BTC sửa đổi Thông tư 99/2016/TT-BTC về hoàn thuế giá trị gia tăng\nThông tư 25/2018/TT-BTC"
    assert soft_newline(listed, listed.index("\n")) is False
    row = "Nghị định 67/2016/NĐ-CP về điều kiện sản xuất kinh doanh thực phẩm\nVăn bản thay thế: ..."
    assert soft_newline(row, row.index("\n")) is False
    assert gap_view("bởi:\n1. Nghị định", 0, 8) == "bởi: "


def test_a_passage_has_an_own_document_only_under_a_header() -> None:
    header = "BỘ TÀI CHÍNH\nSố: 08/2026/TT-BTC\nTHÔNG TƯ"
    assert own_number(header, find_refs(header)) is not None
    headline = "Thông tư 31/2017/TT-BTC sửa đổi Thông tư 99/2016/TT-BTC"
    assert own_number(headline, find_refs(headline)) is None


def test_extract_returns_the_same_relations_as_find_relations() -> None:
    text = "Nghị định 168/2024/NĐ-CP (thay thế Nghị định 100/2019/NĐ-CP và Nghị định 123/2021/NĐ-CP) có hiệu lực."
    assert extract(text)[2] == find_relations(text)
    assert _found(text) == {("168/2024/NĐ-CP", R, "100/2019/NĐ-CP"), ("168/2024/NĐ-CP", R, "123/2021/NĐ-CP")}


@pytest.mark.parametrize("joiner", [" sửa đổi ", " được sửa đổi bởi ", ", ", " và Nghị định 9/2019/NĐ-CP triển khai "])
def test_long_chains_and_lists_take_linear_time(joiner: str) -> None:
    text = joiner.join(f"Nghị định {i}/2020/NĐ-CP" for i in range(1, 4000))
    start = time.process_time()
    relations = find_relations(text)
    assert time.process_time() - start < 5.0 and len(relations) < 12000
