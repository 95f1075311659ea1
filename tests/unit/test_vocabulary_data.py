"""Every amount and fund type the header wording can produce is a term of the ontology."""
from importlib import resources

import rdflib

from fundflow.core.resources import read_csv

FF = rdflib.Namespace("https://w3id.org/fundflow#")


def _ontology() -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(data=resources.files("fundflow.ontology").joinpath("fundflow.ttl").read_text(encoding="utf-8"), format="turtle")
    return g


def test_header_map_columns_are_declared_terms():
    g = _ontology()
    for row in read_csv("header_maps.csv"):
        for column in row["columns"].split("|"):
            if column == "-":
                continue
            amount_type, _, fund = column.partition("/")
            assert (FF[amount_type], rdflib.RDF.type, FF.AmountType) in g, amount_type
            if fund:
                assert (FF[fund], rdflib.RDF.type, FF.FundType) in g, fund


def test_fund_label_tokens_name_columns():
    names = {part for row in read_csv("header_maps.csv") for col in row["columns"].split("|") for part in col.split("/")}
    for row in read_csv("fund_labels.csv"):
        assert row["column_token"] in names, row["column_token"]
