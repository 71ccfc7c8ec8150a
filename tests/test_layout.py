"""The house's layout: imports run one way, modules stay small, kinds are listed once."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

KG = Path(__file__).resolve().parent.parent / "kg"
KIND_KEYS = ("institution", "mechanism", "programme", "law", "role")


def _module(path: Path) -> str:
    parts = path.relative_to(KG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Module -> the kg modules it imports, anywhere in its body (function-level imports too)."""
    modules = {_module(p): p for p in KG.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:  # kg.pages.source.X -> kg.pages.source
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.add(target)
        graph[name] = found
    return graph


def test_no_module_imports_one_that_imports_it_back():
    graph = _imports()
    assert "kg.pages.fold" in graph["kg.pages.corpus"]  # the walk does see imports
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_no_module_is_over_450_lines():
    long = {str(p.relative_to(KG)): n for p in KG.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450}
    assert long == {}


def test_stages_are_packages():
    for stage in ("readers", "extract", "build", "pages"):
        assert (KG / stage / "__init__.py").is_file(), stage


def test_the_five_kind_keys_are_written_together_in_one_module_only():
    holders = []
    for path in KG.rglob("*"):
        if path.suffix not in (".py", ".rq", ".j2"):
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            words = {n.value for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Constant)}
        else:
            words = set(text.replace('"', " ").split())
        if set(KIND_KEYS) <= words:
            holders.append(path.relative_to(KG).as_posix())
    assert holders == ["kinds.py"]


# A sixth kind added to the table alone must reach every list built from it.
_NEW_KIND = """
import dataclasses, kg.kinds as K
K.KINDS = K.KINDS + (dataclasses.replace(K.KINDS[0], key="practice", cls="Practice", link="hasPractice",
                                         zh="做法", en="Practice", precedence=5),)
K.KIND_KEYS = tuple(k.key for k in K.KINDS)
K.KIND = {k.key: k for k in K.KINDS}
from kg import vocab, queries
from kg.extract import lexicon
from kg.pages import network, summary
import kg.cli
assert vocab.KIND_OF_LINK[vocab.ONTOLOGY + "hasPractice"] == "practice"
assert vocab.KIND_OF_CLASS[vocab.ONTOLOGY + "Practice"] == "practice"
assert "practice" in lexicon.CLASS_KIND.values() and "practice" in lexicon.KIND_ORDER
assert "fz:hasPractice" in queries.text("towns_of_concept")
assert "fz:Practice" in queries.text("pages_concepts") and "fz:hasPractice" in queries.text("pages_links")
assert "practice" in network.CONCEPT_KEYS and any(c["key"] == "practice" for c in network.CLASSES)
assert any(link["key"] == "hasPractice" for link in network.LINKS)
assert "practice" in summary.KIND_BY_KEY
kinds_option = next(p for p in kg.cli.main.commands["mechanisms"].params if p.name == "kind")
assert "practice" in kinds_option.type.choices
print("ok")
"""


def test_every_list_of_kinds_derives_from_the_table():
    out = subprocess.run([sys.executable, "-c", _NEW_KIND], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
