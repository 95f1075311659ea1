"""pdftotext -layout tables: summary amounts go to the label of their own block; continuation pages at another scale stay aligned."""
from __future__ import annotations

from pathlib import Path

from fundflow.core.model import SourceDocument, TableTotal
from fundflow.loaders.layout.loader import LayoutLoader
from fundflow.records.pipeline import parse_document

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
JIANGSU = CORPUS / "jiangsu_procuratorate_2019_dept_budget.txt"


def doc_of(lines: list[str], name: str = "x.txt") -> SourceDocument:
    return SourceDocument(name, name, "0" * 64, "utf-8", tuple(lines))


# An amount alone on the line between the two halves of its wrapped label, next to
# another block's label; a label wrapped around the income block's amount.
WRAPPED = [
    "公开 01 表",
    "                     收支预算总表",
    "部门名称： 某某院                                                     单位:万元",
    "            收入                                        支出",
    "                                        功能分类                         支出用途",
    "     项目名称         金额",
    "                                功能科目名称              金额            项目名称       金额",
    "一、财政拨款           24,169.74   一、一般公共服务支出                       一、基本支出        15,844.04",
    "    1.一般公共预",
    "                 24,169.74   二、外交支出                           二、项目支出         4,335.30",
    "算",
    "    2.政府性基金预                                                  三、单位预留机动经",
    "                             三、国防支出                                          3,990.40",
    "算                                                             费",
    "三、其他资金                       四、公共安全支出             16,593.12",
    "    当年收入小计       24,169.74                     当年支出小计                       24,169.74",
    "    上年结转资金                                     结转下年资金",
    "     收入合计        24,169.74                     支出合计                         24,169.74",
]


def test_amount_between_halves_of_a_wrapped_label_goes_to_that_label():
    [t] = LayoutLoader().parse(doc_of(WRAPPED))
    rows = {r.cells[0]: r for r in t.rows}
    assert rows["2.政府性基金预算"].cells == ("2.政府性基金预算", "三、国防支出", "三、单位预留机动经费", "3,990.40")
    assert (rows["2.政府性基金预算"].first_line, rows["2.政府性基金预算"].last_line) == (12, 14)
    assert rows["1.一般公共预算"].cells == ("1.一般公共预算", "24,169.74", "二、外交支出", "二、项目支出", "4,335.30")


def test_unwrapped_labels_on_adjacent_lines_stay_apart():
    [t] = LayoutLoader().parse(doc_of(WRAPPED))
    cells = [r.cells for r in t.rows]
    assert ("当年收入小计", "24,169.74", "当年支出小计", "24,169.74") in cells
    assert ("上年结转资金", "结转下年资金") in cells
    assert ("三、其他资金", "四、公共安全支出", "16,593.12") in cells


def test_reserve_fund_is_an_expenditure_total(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("\n".join(WRAPPED) + "\n", encoding="utf-8")
    totals = {(t.side, t.label): t.amount for t in parse_document(path, "layout").of(TableTotal)}
    assert totals[("expenditure", "单位预留机动经费")] == 39904000
    assert ("expenditure", "国防支出") not in totals
    assert totals[("income", "一般公共预算")] == 241697400


def test_jiangsu_summary_reserve_fund():
    doc = parse_document(JIANGSU)
    totals = {(t.table_kind, t.side, t.label): t.amount for t in doc.of(TableTotal)}
    assert totals[("summary", "expenditure", "单位预留机动经费")] == 39904000
    assert totals[("appropriation_summary", "expenditure", "单位预留机动经费")] == 39904000
    assert ("summary", "expenditure", "国防支出") not in totals


# The next page continues without its header at a smaller column scale.
RESCALED = [
    "             一般公共预算基本支出预算表",
    "编制部门：某委员会                                                          单位：元",
    "                      项目                         一般公共预算基本支出",
    "    编码                     经济分类科目名称     合计            人员经费            公用经费",
    " 301         工资福利支出                   16,671,057.00   16,671,057.00",
    " 302         商品和服务支出                   1,632,062.00                   1,632,062.00",
    "\f302   11   差旅费               80,000.00                      80,000.00",
    "303        对个人和家庭的补助      1,449,536.00    1,449,536.00",
    "303   01   离休费              251,936.00      251,936.00",
    "                    合计   19,830,655.00   18,120,593.00   1,710,062.00",
]


def test_continuation_page_at_another_scale_stays_aligned():
    [t] = LayoutLoader().parse(doc_of(RESCALED))
    rows = {r.cells[0] or r.cells[1]: r for r in t.rows}
    assert all(r.aligned for r in t.rows)
    assert rows["30211"].cells == ("30211", "差旅费", "80,000.00", "", "80,000.00")
    assert rows["303"].cells == ("303", "对个人和家庭的补助", "1,449,536.00", "1,449,536.00", "")
    assert rows["合计"].cells == ("", "合计", "19,830,655.00", "18,120,593.00", "1,710,062.00")


def test_continuation_page_whose_numbers_do_not_cluster_like_the_header_is_not_rescaled():
    [t] = LayoutLoader().parse(doc_of(RESCALED[:7]))  # two clusters, three amount columns
    assert [r.aligned for r in t.rows] == [True, True, False]
