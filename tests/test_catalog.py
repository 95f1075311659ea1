"""DCAT catalog of the samples: conforms to the DCAT-AP 3.0.0 shapes, lists every document and its files."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import DCAT, DCTERMS, FOAF

from fundflow.kg.ingest import ingest_paths
from fundflow.outputs.catalog import build_catalog, conformance, write_catalog

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "data" / "samples").glob("*.txt"))


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> ox.Store:
    s = ox.Store(str(tmp_path_factory.mktemp("store")))
    ingest_paths(s, SAMPLES, report=lambda _m: None)
    return s


@pytest.fixture(scope="module")
def catalog(store) -> rdflib.Graph:
    return build_catalog(store, "https://data.example.org/budget/", when=dt.date(2025, 3, 1))


def test_catalog_conforms_to_dcat_ap(catalog):
    conforms, report = conformance(catalog)
    assert conforms, report


def test_shapes_catch_a_missing_title(catalog):
    broken = rdflib.Graph() + catalog
    for ds in broken.subjects(rdflib.RDF.type, DCAT.Dataset):
        broken.remove((ds, DCTERMS.title, None))
        break
    conforms, report = conformance(broken)
    assert not conforms and "title" in report


def test_one_dataset_per_document_plus_the_whole(catalog):
    datasets = set(catalog.subjects(rdflib.RDF.type, DCAT.Dataset))
    assert len(datasets) == len(SAMPLES) + 1
    cat = next(catalog.subjects(rdflib.RDF.type, DCAT.Catalog))
    assert set(catalog.objects(cat, DCAT.dataset)) == datasets


def test_document_dataset_properties(catalog):
    ds = rdflib.URIRef("https://w3id.org/fundflow/id/dataset/document/shenyang-center-2024-budget.txt")
    title = str(catalog.value(ds, DCTERMS.title))
    assert "沈阳市医疗保障局" in title and "2024" in title
    publisher = catalog.value(ds, DCTERMS.publisher)
    assert (publisher, rdflib.RDF.type, FOAF.Agent) in catalog
    assert str(catalog.value(publisher, FOAF.name)) == "沈阳市医疗保障局"
    assert str(catalog.value(ds, DCTERMS.spatial)).endswith("region/210100")
    period = catalog.value(ds, DCTERMS.temporal)
    assert str(catalog.value(period, DCAT.startDate)) == "2024-01-01"
    assert str(catalog.value(ds, DCTERMS.language)).endswith("language/ZHO")
    urls = {str(catalog.value(d, DCAT.downloadURL)) for d in catalog.objects(ds, DCAT.distribution)}
    assert urls == {f"https://data.example.org/budget/exports/documents/shenyang-center-2024-budget{s}"
                    for s in (".ttl", ".trig", ".csv")}


def test_written_files_are_the_ones_listed(store, tmp_path):
    out = tmp_path / "exports" / "catalog.ttl"
    write_catalog(store, out, "https://data.example.org/budget/", files=True)
    g = rdflib.Graph().parse(out, format="turtle")
    listed = {str(u).removeprefix("https://data.example.org/budget/") for u in g.objects(None, DCAT.downloadURL)}
    assert len(listed) == 3 * (len(SAMPLES) + 1)
    for rel in listed:
        assert (tmp_path / rel).stat().st_size > 0, rel
    doc = rdflib.Graph().parse(tmp_path / "exports" / "documents" / "fushun-center-2023-budget.ttl", format="turtle")
    graph = ox.NamedNode("https://w3id.org/fundflow/id/graph/fushun-center-2023-budget.txt")
    assert len(doc) == len(list(store.quads_for_pattern(None, None, None, graph)))
