"""The shape of the package: no import cycles between subpackages, light imports, one place for word lists."""

from __future__ import annotations

import ast
import collections
import dataclasses
import subprocess
import sys

import grimp

import presslens
import presslens.model
from conftest import REPO


def _package_graph() -> dict[str, set[str]]:
    """presslens.X → the presslens.Y it imports at run time (imports only for type checking do not count)."""
    graph = grimp.build_graph("presslens", exclude_type_checking_imports=True)
    edges: dict[str, set[str]] = collections.defaultdict(set)
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = ".".join(module.split(".")[:2]), ".".join(imported.split(".")[:2])
            if a != b:
                edges[a].add(b)
    return edges


def test_no_import_cycles_between_subpackages():
    edges = _package_graph()

    def reaches(start: str, goal: str) -> bool:
        seen, todo = {start}, [start]
        while todo:
            for nxt in edges[todo.pop()]:
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    cycles = sorted(f"{a} -> {b} -> ... -> {a}" for a in list(edges) for b in edges[a] if reaches(b, a))
    assert not cycles, cycles


def test_leaf_modules_import_nothing_from_presslens():
    edges = _package_graph()
    for leaf in ("presslens.lexicon", "presslens.labels", "presslens.errors"):
        assert not edges.get(leaf), f"{leaf} imports {edges[leaf]}"


def test_the_knowledge_base_and_the_model_load_without_spacy():
    code = "import sys, presslens.factchecks, presslens.model, presslens.options; print('spacy' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "False", r.stdout + r.stderr


def test_every_result_type_is_exported():
    result_types = {
        name
        for name, obj in vars(presslens.model).items()
        if dataclasses.is_dataclass(obj) and getattr(obj, "__module__", "") == "presslens.model"
    }
    assert result_types <= set(presslens.__all__), result_types - set(presslens.__all__)
    for name in presslens.__all__:
        assert getattr(presslens, name) is not None


def test_word_lists_have_no_duplicates():
    """Duplicates in a set literal vanish silently at run time; in the source they hide a wrong edit."""
    tree = ast.parse((REPO / "src" / "presslens" / "lexicon.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.List, ast.Set, ast.Tuple)):
            words = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            repeated = [w for w, n in collections.Counter(words).items() if n > 1]
            assert not repeated, f"line {node.lineno}: {repeated}"
