"""The store write of a document is inside its time budget (finding 5): a write that runs past it is undone
whole in its own transaction, the document is named and skipped, the batch goes on, the store keeps what it held.

The write budget here is zero seconds, so every write runs past it whatever the machine: what is checked
is what happens then, not how fast anything is.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from fundflow.kg.budget import DocumentBudget
from fundflow.kg.ingest import ingest_paths
from fundflow.kg.store import WriteTooLong, replace_document

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "data" / "samples").glob("*.txt"))
G = ox.NamedNode("https://w3id.org/fundflow/id/graph/doc.txt")
F = ox.NamedNode("https://w3id.org/fundflow/id/graph/doc.txt/findings")


def _quads(store: ox.Store) -> set[str]:
    return {str(q) for q in store}


def _triple(n: int) -> ox.Triple:
    return ox.Triple(ox.NamedNode(f"https://w3id.org/fundflow/id/line/doc.txt/{n}"),  # a node of one document
                     ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(f"项目{n}"))


def test_a_write_past_its_deadline_is_undone_whole(tmp_path):
    import time

    store = ox.Store(str(tmp_path / "store"))
    replace_document(store, G, [_triple(1), _triple(2)], companions={F: [_triple(3)]})
    before = _quads(store)
    with pytest.raises(WriteTooLong, match="ran past its deadline and was undone"):
        replace_document(store, G, [_triple(n) for n in range(10, 2000)], companions={F: []},
                         deadline=time.monotonic())
    assert _quads(store) == before  # old graph, old findings: nothing of the late write
    replace_document(store, G, [_triple(7)], companions={F: []}, deadline=time.monotonic() + 3600)
    assert {q.object.value for q in store.quads_for_pattern(None, None, None, G)} == {"项目7"}
    assert {g.value for g in store.named_graphs()} == {G.value}  # the write's marker graph never stays


def _changed(folder: Path, note: str) -> list[Path]:
    folder.mkdir()
    out = []
    for s in SAMPLES:
        (folder / s.name).write_text(s.read_text(encoding="utf-8") + f"\n附注 {note}\n", encoding="utf-8")
        out.append(folder / s.name)
    return out


def test_documents_whose_write_is_late_are_named_and_skipped(tmp_path):
    store = ox.Store(str(tmp_path / "store"))
    first = _changed(tmp_path / "v1", "一")
    assert not ingest_paths(store, first, report=lambda _m: None).failed
    before = _quads(store)
    second = _changed(tmp_path / "v2", "二")
    lines: list[str] = []
    batch = [second[0], first[1], second[2]]  # two changed documents around an unchanged one
    summary = ingest_paths(store, batch, report=lines.append, budget=DocumentBudget(write_seconds=0))
    assert summary.failed == [str(second[0]), str(second[2])] and summary.unchanged == [str(first[1])]
    assert len(lines) == 2
    for path, line in zip((second[0], second[2]), lines, strict=True):
        assert line.startswith(f"error: {path}: took longer than 0 s to be written and was skipped")
    assert _quads(store) == before  # every graph as it was: nothing half-written
    summary = ingest_paths(store, batch, report=lines.append, budget=DocumentBudget())
    assert summary.ok == [str(second[0]), str(second[2])] and _quads(store) != before
