"""Findings and their documents → the auditor's report as one offline HTML page: summary per rule, then every finding beside its lines.

``report_page(rows, rules, lines, shacl)`` → HTML text.  ``rows`` and ``rules``
are ``report``'s finding rows and per-rule summary; ``lines`` maps a document
name to its text lines (file mode), so each side of a finding is shown with the
lines it was printed on marked; without them (store mode) the page names the
lines only.  Every printed text is escaped; the page loads nothing (CSP).
"""
from __future__ import annotations

from html import escape
from typing import Any

CONTEXT = 2  # lines shown around a side
MOST = 14  # lines shown of one side at most

STYLE = """body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}td.n{text-align:right}
.finding{border-left:4px solid #c33;padding:.4em 1em;margin:1em 0;background:#fff8f8}
.finding.skipped{border-color:#999;background:#f6f6f6}.finding.warning{border-color:#d90;background:#fffbf0}
.sev{font-size:80%;padding:1px 6px;border-radius:3px;background:#eee}
.sides{display:flex;gap:1em;flex-wrap:wrap}figure{margin:0;flex:1;min-width:24em}
pre{background:#fff;border:1px solid #ddd;padding:4px;overflow-x:auto;font-size:85%}mark{background:#ffe066}
figcaption{font-weight:bold}"""


def _excerpt(lines: tuple[str, ...] | None, side: dict[str, Any]) -> str:
    first, last = side["first_line"], side["last_line"]
    if not lines or not first:
        return ""
    last = min(last or first, first + MOST - 1)
    start, end = max(1, first - CONTEXT), min(len(lines), last + CONTEXT)
    out = []
    for n in range(start, end + 1):
        text = f"{n:>5}  {escape(lines[n - 1])}"
        out.append(f"<mark>{text}</mark>" if first <= n <= last else text)
    return "<pre>" + "\n".join(out) + "</pre>"


def _side(title: str, sides: list[dict[str, Any]], lines: tuple[str, ...] | None) -> str:
    if not sides:
        return ""
    parts = []
    for s in sides:
        label = f"{s['table'] or ''} L{s['first_line']}" + (f"–L{s['last_line']}" if s["last_line"] != s["first_line"] else "")
        parts.append(f"<figure><figcaption>{escape(title)}: {escape(label.strip())}</figcaption>"
                     f"{_excerpt(lines, s)}</figure>")
    return "".join(parts)


def _finding(i: int, r: dict[str, Any], lines: tuple[str, ...] | None) -> str:
    amounts = ""
    if r["expected"] or r["actual"]:
        amounts = ("<table class=amounts><tr><th>expected</th><th>actual</th><th>difference</th></tr><tr>"
                   + "".join(f"<td class=n>{escape(r[k])} {escape(r['unit'])}</td>" for k in ("expected", "actual", "difference"))
                   + "</tr></table>")
    return (f'<section class="finding {escape(r["status"])} {escape(r["severity"])}" id="finding-{i}" '
            f'data-rule="{escape(r["rule"])}" data-document="{escape(r["document"])}" data-status="{escape(r["status"])}">'
            f"<h3>{escape(r['rule'])} {escape(r['rule_name'])} <span class=sev>{escape(r['severity'])}</span> "
            f"<span class=status>{escape(r['status'])}</span></h3>"
            f"<p class=message>{escape(r['message'])}</p>{amounts}"
            f"<div class=sides>{_side('expected', r['expected_at'], lines)}{_side('actual', r['actual_at'], lines)}</div>"
            "</section>")


def report_page(rows: list[dict[str, Any]], rules: list[dict[str, Any]], lines: dict[str, tuple[str, ...]],
                shacl: tuple[bool, str] | None = None) -> str:
    """Findings and per-rule summary → one HTML page (UTF-8, no external resources)."""
    total = {k: sum(s[k] for s in rules) for k in ("passed", "failed", "skipped")}
    head = ("<!doctype html><html lang=zh><head><meta charset=utf-8>"
            "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>fundflow 核对报告</title><style>{STYLE}</style></head><body>")
    out = [head, "<h1>fundflow 核对报告 (reconciliation report)</h1>",
           f"<p id=totals>{total['passed']} checks passed, {total['failed']} failed, {total['skipped']} skipped"
           + ("" if shacl is None else f"; SHACL {'conforms' if shacl[0] else 'does not conform'}") + "</p>",
           ("<table id=summary><tr><th>rule</th><th>name</th><th>severity</th><th>passed</th><th>failed</th>"
           "<th>skipped</th></tr>")]
    out.extend(f"<tr data-rule={escape(s['rule'])}><td>{escape(s['rule'])}</td><td>{escape(s['rule_name'])}</td>"
               f"<td>{escape(s['severity'])}</td>"
               + "".join(f"<td class=n>{s[k]}</td>" for k in ("passed", "failed", "skipped")) + "</tr>" for s in rules)
    out.append("</table>")
    order, n = {"failed": 0, "skipped": 1}, 0
    for doc in sorted({r["document"] for r in rows}):
        out.append(f"<h2>{escape(doc)}</h2>")
        for r in sorted((r for r in rows if r["document"] == doc), key=lambda r: (order.get(r["status"], 2), r["rule"])):
            n += 1
            out.append(_finding(n, r, lines.get(doc)))
    out.append("</body></html>")
    return "\n".join(out)
