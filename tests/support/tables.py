"""A ``Disclosure`` → its tables as printed grids (one string per cell, "" = empty cell).

``Table`` is layout-free: a title, a number, header rows and body rows of the
same width.  The renderers in ``render`` print it in each converter's way.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from support.docmodel import Disclosure, PerfBlock

ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Table:
    number: int
    title: str
    head: tuple[tuple[str, ...], ...]
    rows: tuple[tuple[str, ...], ...]
    coded: bool = False  # the first column is a classification code
    perf: bool = False  # a 绩效目标表: label/value rows, no header


def money(amount: Decimal, unit: str, ocr: bool = False) -> str:
    """Yuan → printed figure in ``unit`` (万元 or 元), two decimals, thousands commas; "" for zero.

    ``ocr`` prints the blanks an OCR converter leaves (``1, 681. 43``)."""
    if not amount:
        return ""
    value = amount / 10000 if unit == "万元" else amount
    text = f"{value:,.2f}"
    return text.replace(",", ", ").replace(".", ". ") if ocr else text


def disclosure_tables(doc: Disclosure, unit: str, ocr: bool = False) -> list[Table]:
    """The tables 1, 3, 5, 6, 7, 9, 17 of ``doc`` with amounts printed in ``unit``."""
    def m(a):
        return money(a, unit, ocr)
    fn_head = (("科目编码", "科目名称", "合计", "基本支出", "", "", "项目支出"),
               ("", "", "", "小计", "人员经费", "公用经费", ""))
    fn_rows = tuple((r.code, r.name, *map(m, r.amounts)) for r in doc.function_rows)
    econ_rows = tuple((r.code, r.name, *map(m, r.amounts)) for r in doc.econ_rows)
    return [
        Table(1, "收支预算总表", (("收 入", "", "支 出", ""), ("项 目", "预算数", "项 目", "预算数")),
              _summary_rows(doc, m)),
        Table(3, "支出预算总表", fn_head, fn_rows, coded=True),
        Table(5, "一般公共预算支出表", fn_head, fn_rows, coded=True),
        Table(6, "一般公共预算基本支出表", (("科目编码", "科目名称", "合计", "人员经费", "公用经费"),),
              econ_rows, coded=True),
        _three_costs(doc, m),
        Table(9, "项目支出预算表", (("项目名称", "合计", "一般公共预算"),), _project_rows(doc, m)),
        Table(17, "部门预算项目（政策）绩效目标表", (),
              tuple(row for b in doc.perf for row in _perf_rows(doc, b, m)), perf=True),
    ]


def _summary_rows(doc: Disclosure, m) -> tuple[tuple[str, ...], ...]:
    total = m(doc.total.amounts[0])
    income = [("一、一般公共预算拨款收入", total), ("二、政府性基金预算拨款收入", ""),
              ("三、国有资本经营预算拨款收入", ""), ("四、财政专户管理资金收入", ""), ("五、单位资金收入", "")]
    spend = [(f"{ORDINALS[i]}、{r.name}", m(r.amounts[0])) for i, r in enumerate(doc.lei_rows())]
    rows = []
    for i in range(max(len(income), len(spend))):
        left = income[i] if i < len(income) else ("", "")
        right = spend[i] if i < len(spend) else ("", "")
        rows.append((*left, *right))
    rows += [("本年收入合计", total, "本年支出合计", total), ("上年结转结余", "", "年终结转结余", ""),
             ("收 入 总 计", total, "支 出 总 计", total)]
    return tuple(rows)


def _project_rows(doc: Disclosure, m) -> tuple[tuple[str, ...], ...]:
    total = m(sum((a for _, a in doc.projects), Decimal(0)))
    return (("合计", total, total), *((n, m(a), m(a)) for n, a in doc.projects))


def _three_costs(doc: Disclosure, m) -> Table:
    abroad, purchase, operation, reception = doc.three_costs
    row = (m(abroad + purchase + operation + reception), m(abroad), m(purchase + operation), m(purchase),
           m(operation), m(reception))
    head = ((f"{doc.year}年预算数", "", "", "", "", ""),
            ("合计", "因公出国（境）费", "公务用车购置及运行费", "", "", "公务接待费"),
            ("", "", "小计", "公务用车购置费", "公务用车运行费", ""))
    return Table(7, "一般公共预算“三公”经费支出表", head, (row,))


def _perf_rows(doc: Disclosure, b: PerfBlock, m) -> list[tuple[str, ...]]:
    rows = [("项目(政策)名称", b.project, "", "", "", "", "", ""),
            ("主管部门", doc.department, "", "", "实施单位", doc.unit, "", ""),
            ("预算资金情况", m(b.amount), "", "", "", "", "", ""),
            ("总体目标", b.goal, "", "", "", "", "", ""),
            ("绩效指标", "一级指标", "二级指标", "三级指标", "运算符号", "指标值", "度量单位", "完成时限")]
    prev = ("", "")
    for i in b.indicators:
        l1 = i.level1 if i.level1 != prev[0] else ""
        l2 = i.level2 if (i.level1, i.level2) != prev else ""
        rows.append(("", l1, l2, i.name, i.operator, i.value, i.unit, i.deadline))
        prev = (i.level1, i.level2)
    return rows
