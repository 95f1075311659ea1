"""A SourceDocument (and a name, if forced) → the loader to read it: by name, else by ``detect`` confidence."""
from __future__ import annotations

from fundflow.core.errors import LayoutError
from fundflow.core.model import SourceDocument
from fundflow.loaders.cells.loader import CellsLoader
from fundflow.loaders.document import Loader
from fundflow.loaders.grid.loader import GridLoader
from fundflow.loaders.layout.loader import LayoutLoader
from fundflow.loaders.stream.loader import StreamLoader
from fundflow.loaders.tabbed.loader import TabbedLoader

_LOADERS: dict[str, type[Loader]] = {}


def register(cls: type[Loader]) -> type[Loader]:
    """Make a loader (a class with ``name``, ``detect`` and ``parse``) available under ``cls.name``."""
    _LOADERS[cls.name] = cls
    return cls


def _ensure_builtin() -> None:
    for cls in (CellsLoader, GridLoader, LayoutLoader, StreamLoader, TabbedLoader):
        _LOADERS.setdefault(cls.name, cls)


def names() -> list[str]:
    _ensure_builtin()
    return sorted(_LOADERS)


def get(name: str) -> Loader:
    _ensure_builtin()
    if name not in _LOADERS:
        raise LayoutError(f"no loader named {name!r}", hint=f"choose one of: {', '.join(sorted(_LOADERS))}")
    return _LOADERS[name]()


def choose(doc: SourceDocument, forced: str | None = None) -> Loader:
    """The loader for ``doc``: the forced one, or the most confident one.

    Raises ``LayoutError`` listing what was tried when none recognises it.
    """
    if forced:
        return get(forced)
    _ensure_builtin()
    if doc.grids:
        return GridLoader()  # a format that marks out its tables' cells is read by those cells
    scored = sorted(((cls().detect(doc), name) for name, cls in _LOADERS.items()), reverse=True)
    best, name = scored[0] if scored else (0.0, "")
    if best <= 0 and doc.format in ("html", "xlsx"):
        return GridLoader()  # a page or workbook of text and no tables: its narrative is read, it has no tables
    if best <= 0:
        tried = ", ".join(f"{n} ({s:.2f})" for s, n in scored)
        raise LayoutError("no loader recognises this layout (no budget tables found)", file=doc.name,
                          hint=f"tried {tried}; is it a budget or final-accounts disclosure? force one with --loader")
    return _LOADERS[name]()
