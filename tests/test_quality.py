"""Extraction quality against the annotated reports in ../shared (skipped where absent).

The floors are the figures reached (benchmarks/quality.py prints them) less a
small margin: a change that costs quality fails here, on any machine that has
../shared beside the project.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kg.build import build

ROOT = Path(__file__).resolve().parent.parent
MARGIN = 0.01


def score(shared, gold, graph) -> dict:
    out = subprocess.run([sys.executable, str(shared / "gold" / "score.py"), "--gold", str(gold),
                          "--graph", str(graph), "--json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_seed_reports_score(shared, tmp_path):
    build([shared / "seeds"], tmp_path, pages=False)
    s = score(shared, shared / "gold" / "seeds.jsonl", tmp_path / "graph.ttl")
    assert s["reports_missing"] == []
    assert s["micro"]["f1"] >= 0.947 - MARGIN, s
    assert s["issuer_name_acc"] == 1.0 and s["year_acc"] == 1.0 and s["county_acc"] == 1.0, s
    assert s["town_query"]["r"] >= 0.9, s


def test_dev_reports_score(shared, tmp_path):
    build([shared / "corpus" / "dev"], tmp_path, pages=False)
    s = score(shared, shared / "gold" / "dev.jsonl", tmp_path / "graph.ttl")
    floors = {"micro": 0.935, "institution": 0.933, "mechanism": 0.892, "programme": 0.915}
    got = {"micro": s["micro"]["f1"], **{k: s["per_kind"][k]["f1"] for k in floors if k != "micro"}}
    assert all(got[k] >= floor - MARGIN for k, floor in floors.items()), (got, floors)
    assert s["town_query"]["p"] >= 0.873 - MARGIN and s["town_query"]["r"] >= 0.932 - MARGIN, s["town_query"]
    assert s["issuer_name_acc"] >= 0.976 - MARGIN and s["issuer_level_acc"] >= 1.0 - MARGIN, s
    assert s["county_acc"] >= 1.0 - MARGIN and s["year_acc"] >= 0.99, s


def test_held_out_parts_score(shared, tmp_path):
    # the reports no rule was tuned on, in the three rotations quality.py prints
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from quality import held_out

    dev = [json.loads(line) for line in (shared / "gold" / "dev.jsonl").read_text(encoding="utf-8").splitlines() if line]
    for rotation, floor in ((0, 0.931), (1, 0.943), (2, 0.941)):
        out = held_out([d["id"] for d in dev], rotation)
        part = [d for d in dev if d["id"] in out]
        gold = tmp_path / f"held-{rotation}.jsonl"
        gold.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in part), encoding="utf-8")
        build([shared / "corpus" / "dev" / d["file"] for d in part], tmp_path / f"out-{rotation}", pages=False)
        s = score(shared, gold, tmp_path / f"out-{rotation}" / "graph.ttl")
        assert s["micro"]["f1"] >= floor - MARGIN, (rotation, s["micro"])
