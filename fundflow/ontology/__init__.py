"""The vocabulary as data files (no code) → the package: the ontology, SHACL shapes, JSON-LD context and code lists."""
