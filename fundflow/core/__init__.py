"""Printed text and shipped data → what every stage shares: the record types, normalised amounts, codes and regions,
errors, the one reader of shipped data."""
