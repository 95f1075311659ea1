"""Layout loader 'stream' (being written)."""
from __future__ import annotations

from typing import ClassVar, Iterator

from fundflow.kg.model import RawTable, SourceDocument
from fundflow.loaders.registry import register


@register
class StreamLoader:
    name: ClassVar[str] = "stream"

    def detect(self, doc: SourceDocument) -> float:
        return 0.0

    def parse(self, doc: SourceDocument) -> Iterator[RawTable]:
        return iter(())
