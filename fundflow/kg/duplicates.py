"""Parsed documents → each one stored once: a copy under another name, or its PDF beside its text, is recognised.

``keep_once(store, parsed, triples, base)`` → (triples to store, warning or None).

A document's fingerprint is its scope, its unit (code, else name) or department, its
fiscal year, its kind (budget / final accounts) and its headline total (the largest
支出 合计 or 收支总计 it prints).  When another named graph already holds a document of
the same fingerprint (or the same bytes, sha256), this one is not stored again: its
graph gets only a ``ff:Document`` node that is ``prov:alternateOf`` the stored one, and
the warning names both files.  Otherwise the fingerprint is stored with the document
(``ff:fingerprint``), for the next copy to be found.
"""
from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox

from fundflow.core.model import BudgetLine, ParsedDocument, TableTotal
from fundflow.core.normalize import normalize_name
from fundflow.kg import vocab as v
from fundflow.kg.iris import document_iri, graph_iri, key
from fundflow.kg.store import select
from fundflow.kg.vocab import FF, A

_HEADLINES = ("收入总计", "支出总计", "收支总计")


def headline_total(parsed: ParsedDocument) -> Decimal | None:
    """The largest 支出 合计 row or 收支总计 the document prints (yuan), None when it prints none."""
    amounts = [b.amount for b in parsed.records if isinstance(b, BudgetLine) and not b.code
               and b.table_kind == "expenditure" and b.amount_type == "Total" and not b.fund_type]
    amounts += [t.amount for t in parsed.records if isinstance(t, TableTotal) and t.label in _HEADLINES]
    return max(amounts, default=None)


def fingerprint(parsed: ParsedDocument) -> str | None:
    """``unit|578002|2024|budget|2434921100`` — what two copies of one document share; None when it says too little."""
    m = parsed.meta
    total = headline_total(parsed)
    if m.scope == "unit" and m.units:
        who = m.units[0].code or normalize_name(m.units[0].name)
    else:
        who = normalize_name(m.department or (m.units[0].name if m.units else ""))
    if not (who and m.fiscal_year and total):
        return None
    return f"{m.scope}|{who}|{m.fiscal_year}|{m.kind}|{format(total.normalize(), 'f')}"


def _stored(store: ox.Store, parsed: ParsedDocument, own: ox.NamedNode, mark: str | None) -> tuple[str, str] | None:
    """(document IRI, file name) of a stored copy in another graph, not itself a copy; None when there is none."""
    same = f'{{ ?d ff:sha256 {ox.Literal(parsed.source.sha256)} }}'
    if mark:
        same += f" UNION {{ ?d ff:fingerprint {ox.Literal(mark)} }}"
    query = f"""SELECT ?d ?file WHERE {{ GRAPH ?g {{ ?d a ff:Document . {same} OPTIONAL {{ ?d ff:fileName ?file }}
      FILTER NOT EXISTS {{ ?d prov:alternateOf ?other }} }} FILTER(?g != {own}) }} ORDER BY ?file LIMIT 1"""
    for row in select(store, query, prefixes=v.PREFIXES):
        return row["d"].value, row["file"].value if row["file"] is not None else row["d"].value
    return None


def _alternate(parsed: ParsedDocument, original: str, base: str) -> list[ox.Triple]:
    """The copy's only triples: a document node, named by its file, ``prov:alternateOf`` the stored one."""
    node = document_iri(parsed.source.sha256, base)
    if node.value == original:  # the same bytes under another name: the copy is a file of that document
        node = ox.NamedNode(f"{node.value}/copy/{key(parsed.source.name)}")
    m = parsed.meta
    facts: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal | None]] = [(A, FF("Document")), (FF("fileName"), v.text(parsed.source.name)),
             (FF("sha256"), v.text(parsed.source.sha256)), (v.PROV("alternateOf"), ox.NamedNode(original)),
             (FF("fiscalYear"), v.year(m.fiscal_year) if m.fiscal_year else None),
             (FF("documentKind"), FF("FinalAccounts" if m.kind == "final_accounts" else "Budget")),
             (v.DCT("title"), v.zh(m.title) if m.title else None)]
    return [ox.Triple(node, p, o) for p, o in facts if o is not None]


def fingerprint_triples(parsed: ParsedDocument, base: str = v.DEFAULT_BASE) -> list[ox.Triple]:
    """``ff:fingerprint`` of the document (none when it says too little): stored with it, for copies to be found."""
    mark = fingerprint(parsed)
    return [ox.Triple(document_iri(parsed.source.sha256, base), FF("fingerprint"), v.text(mark))] if mark else []


def keep_once(store: ox.Store, parsed: ParsedDocument, triples: list[ox.Triple],
              base: str = v.DEFAULT_BASE) -> tuple[list[ox.Triple], str | None]:
    """The triples to store for ``parsed`` and, when it is a copy of a stored document, a one-line warning.

    Not a copy: ``triples`` and the fingerprint (``fingerprint_triples``) when it is not among them.
    """
    mark = fingerprint(parsed)
    found = _stored(store, parsed, graph_iri(parsed.source.name, base), mark)
    if found is None:
        return list(dict.fromkeys(triples + fingerprint_triples(parsed, base))), None
    original, file = found
    m = parsed.meta
    what = f"{m.fiscal_year}年{'决算' if m.kind == 'final_accounts' else '预算'}"
    return _alternate(parsed, original, base), (
        f"warning: {parsed.source.name} is the same document as {file} (same unit, {what}, same totals): "
        "kept once, recorded as prov:alternateOf it")
