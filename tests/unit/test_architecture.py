"""The package tree is the pipeline: imports run one way, down the stages, with no cycles.

Every import is counted, also those inside functions: a lazy import that goes back up
the pipeline is the same knot as one at the top of the module.
"""
import ast
from pathlib import Path

import networkx as nx

import fundflow

STAGES = ["core", "loaders", "records", "analysis", "checks", "kg", "outputs", "publish", "cli"]
ROOT = Path(fundflow.__file__).parent


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    modules = {_module(p): p for p in ROOT.rglob("*.py")}
    out: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = out.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fundflow"):
                for alias in node.names:  # `from fundflow.kg import vocab` imports the module fundflow.kg.vocab
                    full = f"{node.module}.{alias.name}"
                    deps.add(full if full in modules else node.module)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("fundflow"))
        deps.discard(name)
    return out


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def test_every_module_lives_in_a_stage():
    loose = [m for m in _imports() if m.count(".") >= 1 and _stage(m) is None and not m.startswith("fundflow.ontology")
             and m not in ("fundflow.__main__",)]
    assert loose == []


def test_imports_run_down_the_pipeline():
    upward = []
    for module, deps in _imports().items():
        mine = _stage(module)
        for dep in deps:
            theirs = _stage(dep)
            if mine and theirs and STAGES.index(theirs) > STAGES.index(mine):
                upward.append(f"{module} imports {dep}")
    assert upward == []


def test_no_import_cycles():
    g = nx.DiGraph([(m, d) for m, deps in _imports().items() for d in deps])
    assert list(nx.simple_cycles(g)) == []


def test_every_module_says_what_it_takes_and_gives():
    """Each module opens with a docstring whose first paragraph names its input → output."""
    silent = []
    for path in sorted(ROOT.rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if not any(arrow in doc.split("\n\n")[0] for arrow in ("→", " -> ")):
            silent.append(_module(path))
    assert silent == []
