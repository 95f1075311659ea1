"""Records → what they mean together: funding levels, unit attribution, subject-code inference, the typed flow graph."""
