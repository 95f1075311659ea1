"""RawTables and the document's text → typed records (``core.model.Record``): ``records.pipeline.parse_document``."""
