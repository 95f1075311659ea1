"""Test support: a small model of a disclosure and its renderings in each text layout."""
