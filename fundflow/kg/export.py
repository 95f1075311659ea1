"""Store → RDF files: Turtle / N-Triples / JSON-LD of the union of all graphs, TriG with named graphs.

JSON-LD is compact, against the ``@context`` shipped in ``ontology/context.jsonld`` (``kg.jsonld``).

``export_store(store, fmt, output)`` writes the serialisation to a path or
binary stream (or returns bytes when ``output`` is None).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from fundflow.core.errors import FundflowError
from fundflow.kg.jsonld import triples_to_jsonld
from fundflow.kg.vocab import DEFAULT_BASE, PREFIXES

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
}
SUFFIXES = {"turtle": ".ttl", "nt": ".nt", "jsonld": ".jsonld", "trig": ".trig"}


def _prefixes() -> dict[str, str]:
    return {**PREFIXES, "id": DEFAULT_BASE}


def union_triples(store: ox.Store) -> list[ox.Triple]:
    """Every distinct triple of every graph, in a stable order (sorted N-Triples form)."""
    return sorted(dict.fromkeys(q.triple for q in store), key=str)


def _write(data: bytes, output: str | IO[bytes] | None) -> bytes | None:
    if output is None:
        return data
    if isinstance(output, str):
        Path(output).write_bytes(data)
    else:
        output.write(data)
    return None


def export_store(store: ox.Store, fmt: str, output: str | Path | IO[bytes] | None = None) -> bytes | None:
    """Serialise the store as ``fmt`` (turtle | nt | jsonld | trig).

    The triple formats hold the union of all named graphs (each distinct triple
    once); TriG keeps one block per source document.  Raises ``FundflowError``
    for an unknown format or an unwritable output.
    """
    if fmt not in FORMATS:
        raise FundflowError(f"unknown export format {fmt!r}", hint=f"choose one of: {', '.join(FORMATS)}")
    if isinstance(output, (str, Path)):
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        output = str(output)
    try:
        if fmt == "trig":
            return store.dump(output, FORMATS[fmt], prefixes=_prefixes())
        if fmt == "jsonld":  # compact, against the shipped @context
            return _write(json.dumps(triples_to_jsonld(union_triples(store)), ensure_ascii=False, indent=1)
                          .encode("utf-8"), output)
        prefixes = _prefixes() if fmt != "nt" else None
        return ox.serialize(union_triples(store), output, FORMATS[fmt], prefixes=prefixes)
    except OSError as err:
        raise FundflowError(f"cannot write export: {str(err).splitlines()[0]}", file=str(output)) from None
