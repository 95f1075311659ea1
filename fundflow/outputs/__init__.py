"""The store or the records → what people and programs read: flow graph, trace, map, Sankey, catalog, sheets, reports."""
