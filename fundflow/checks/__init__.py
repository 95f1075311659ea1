"""Records → a report of findings: the reconciliation rules (``data/rules.csv``) checked on one document or across documents."""
