"""Records → RDF: vocabulary, IRIs, triples in one pass, the on-disk store, ingest, SPARQL queries and export."""
