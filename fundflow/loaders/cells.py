"""Layout loader 'cells' (being written)."""
from __future__ import annotations

from typing import ClassVar, Iterator

from fundflow.kg.model import RawTable, SourceDocument
from fundflow.loaders.registry import register


@register
class CellsLoader:
    name: ClassVar[str] = "cells"

    def detect(self, doc: SourceDocument) -> float:
        return 0.0

    def parse(self, doc: SourceDocument) -> Iterator[RawTable]:
        return iter(())
