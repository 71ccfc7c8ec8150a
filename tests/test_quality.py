"""Extraction quality against the annotated reports in ../shared (skipped where absent)."""

from __future__ import annotations

import json
import subprocess
import sys


from kg.build import build


def score(shared, gold: str, graph) -> dict:
    out = subprocess.run([sys.executable, str(shared / "gold" / "score.py"), "--gold", str(shared / "gold" / gold),
                          "--graph", str(graph), "--json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_seed_reports_score(shared, tmp_path):
    build([shared / "seeds"], tmp_path, pages=False)
    s = score(shared, "seeds.jsonl", tmp_path / "graph.ttl")
    assert s["reports_missing"] == []
    assert s["micro"]["f1"] >= 0.85, s
    assert s["issuer_name_acc"] == 1.0 and s["year_acc"] == 1.0, s
    assert s["town_query"]["r"] >= 0.9, s


def test_dev_reports_score(shared, tmp_path):
    build([shared / "corpus" / "dev"], tmp_path, pages=False)
    s = score(shared, "dev.jsonl", tmp_path / "graph.ttl")
    assert s["issuer_name_acc"] >= 0.9 and s["year_acc"] >= 0.95, s
    assert s["micro"]["f1"] >= 0.6, s
