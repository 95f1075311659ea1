"""Reference code lists (CSV under ``data/``) → SKOS concept schemes.

The CSVs are compiled reference lists; each row says how sure it is
(``status``).  They label and structure concepts (``skos:prefLabel`` @zh/@en,
``skos:broader``) in their own named graph; the names a document prints stay
in the document's graph (``skos:altLabel`` + ``ff:editionLabel``), so a list
never overrides a document.

Regenerate the shipped Turtle with ``python -m fundflow.kg.codes``.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from fundflow.core.resources import read_csv
from fundflow.kg import vocab as v
from fundflow.kg.iris import code_iri, edition_iri
from fundflow.kg.vocab import FF, A

# CSV file → (code scheme, output file).
CODE_LISTS: dict[str, tuple[str, str]] = {
    "func_class_lei.csv": ("function", "function.ttl"),
    "func_class_selected_kuan_xiang.csv": ("function", "function.ttl"),
    "econ_class_department_budget.csv": ("econ_dept", "econ-dept.ttl"),
    "econ_class_government_budget.csv": ("econ_gov", "econ-gov.ttl"),
}


def _rows(name: str) -> list[dict[str, str]]:
    return list(read_csv(name))


def row_to_triples(scheme: str, row: dict[str, str]) -> Iterator[ox.Triple]:
    """One CSV row → the triples of its concept (current name, English name, old name, parent)."""
    code = row["code"].strip()
    c = code_iri(scheme, code)
    yield ox.Triple(c, A, v.SKOS("Concept"))
    yield ox.Triple(c, v.SKOS("notation"), v.text(code))
    yield ox.Triple(c, v.SKOS("inScheme"), FF(v.CODE_SCHEMES[scheme][1]))
    name = row.get("name_zh") or row.get("name_zh_2019_plus")
    if name:
        yield ox.Triple(c, v.SKOS("prefLabel"), v.zh(name.strip()))
    if row.get("name_en"):
        yield ox.Triple(c, v.SKOS("prefLabel"), v.en(row["name_en"].strip()))
    if row.get("name_zh_until_2018"):
        old = edition_iri(c, "until-2018")
        yield ox.Triple(c, v.SKOS("altLabel"), v.zh(row["name_zh_until_2018"].strip()))
        yield ox.Triple(c, FF("editionLabel"), old)
        yield ox.Triple(old, A, FF("EditionLabel"))
        yield ox.Triple(old, v.RDFS("label"), v.zh(row["name_zh_until_2018"].strip()))
        yield ox.Triple(old, FF("lastYear"), v.year(2018))
    if row.get("cofog_approx"):
        yield ox.Triple(c, FF("cofog"), v.text(row["cofog_approx"].strip()))
    if row.get("status"):
        yield ox.Triple(c, FF("referenceStatus"), v.text(row["status"].strip()))
    parent = (row.get("parent_code") or row.get("kuan_code") or "").strip()
    if len(code) in (5, 7):
        parent = code[:-2]
    if parent and parent != code:
        yield ox.Triple(c, v.SKOS("broader"), code_iri(scheme, parent))
    else:
        yield ox.Triple(c, v.SKOS("topConceptOf"), FF(v.CODE_SCHEMES[scheme][1]))


def code_list_triples() -> dict[str, list[ox.Triple]]:
    """Output file name → triples of every code list (duplicates removed, order stable)."""
    out: dict[str, list[ox.Triple]] = {}
    for csv_name, (scheme, ttl) in CODE_LISTS.items():
        bucket = out.setdefault(ttl, [])
        for row in _rows(csv_name):
            if row.get("code", "").strip().isdigit():
                bucket.extend(row_to_triples(scheme, row))
    return {k: list(dict.fromkeys(ts)) for k, ts in out.items()}


def write_code_lists(folder: Path) -> dict[str, int]:
    """Write ``codes/*.ttl`` into ``folder`` → file name → triple count."""
    folder.mkdir(parents=True, exist_ok=True)
    prefixes = {k: v.PREFIXES[k] for k in ("ff", "skos", "rdfs", "xsd")} | {
        seg.replace("-", ""): f"{v.DEFAULT_BASE}code/{seg}/" for seg, _ in v.CODE_SCHEMES.values()}
    counts = {}
    for name, triples in code_list_triples().items():
        data = ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        assert data is not None  # no output file: the bytes are returned
        (folder / name).write_bytes(data)
        counts[name] = len(triples)
    return counts


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "ontology" / "codes"
    for file_name, n in write_code_lists(target).items():
        print(f"{file_name}: {n} triples")
