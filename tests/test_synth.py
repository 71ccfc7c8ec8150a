"""benchmarks/synth.py: the synthetic corpus generator for scale benchmarks."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
N = 30
SHARD = 8
SOURCE_ISSUERS = ("半坡镇", "长冈乡", "黄水镇", "环市街", "岔河镇")


def _load():
    spec = importlib.util.spec_from_file_location("synth", ROOT / "benchmarks" / "synth.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["synth"] = mod  # dataclasses look the module up by name
    spec.loader.exec_module(mod)
    return mod


synth = _load()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("synth")
    return out, synth.generate(N, out, seed=7, shard=SHARD)


def _manifest(out: Path) -> list[dict[str, str]]:
    lines = (out / "manifest.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    assert header[:5] == ["path", "township", "county", "year", "bytes"]
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


def test_deterministic_per_seed(corpus, tmp_path):
    out, paths = corpus
    again = synth.generate(N, tmp_path / "same", seed=7, shard=SHARD)
    assert [p.relative_to(tmp_path / "same") for p in again] == [p.relative_to(out) for p in paths]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(paths, again))
    assert (out / "manifest.tsv").read_bytes() == (tmp_path / "same" / "manifest.tsv").read_bytes()
    other = synth.generate(N, tmp_path / "other", seed=8, shard=SHARD)
    assert sum(a.read_bytes() != b.read_bytes() for a, b in zip(paths, other)) > N // 2


def test_shard_layout(corpus):
    out, paths = corpus
    assert len(paths) == N
    folders = sorted(p for p in out.iterdir() if p.is_dir())
    assert [f.name for f in folders] == [f"{i:04d}" for i in range((N + SHARD - 1) // SHARD)]
    assert all(len(list(f.iterdir())) <= SHARD for f in folders)
    assert [p.name for p in paths] == [f"{i:07d}.txt" for i in range(1, N + 1)]
    assert paths[0].relative_to(out).as_posix() == "0000/0000001.txt"
    assert paths[SHARD].relative_to(out).as_posix() == f"0001/{SHARD + 1:07d}.txt"


def test_manifest_matches_files(corpus):
    out, paths = corpus
    rows = _manifest(out)
    assert [r["path"] for r in rows] == [p.relative_to(out).as_posix() for p in paths]
    assert len({r["township"] for r in rows}) == N  # a new township for every report
    for row, path in zip(rows, paths):
        data = path.read_bytes()
        assert int(row["bytes"]) == len(data)
        text = data.decode("utf-8")
        assert 2019 <= int(row["year"]) <= 2025 and row["year"] in text[:300]
        assert row["township"].endswith(("镇", "乡", "街道"))
        assert row["county"].endswith(("县", "区", "市"))


def test_report_content(corpus):
    _, paths = corpus
    for path in paths:
        data = path.read_bytes()
        assert synth.MIN_BYTES <= len(data) <= synth.MAX_BYTES, (path, len(data))
        text = data.decode("utf-8")
        assert not any(0xE000 <= ord(ch) <= 0xF8FF for ch in text), path  # no placeholder left
        assert not any(name in text for name in SOURCE_ISSUERS), path
        assert "一、" in text and "二、" in text


def test_issuer_named_early(corpus):
    out, _ = corpus
    for row in _manifest(out):
        text = (out / row["path"]).read_text(encoding="utf-8")
        assert row["township"] in text[:200], row


def test_check_cli(corpus, capsys):
    out, _ = corpus
    assert synth.check(out) == (N, sum(int(r["bytes"]) for r in _manifest(out)))
    assert synth.main(["--check", str(out)]) == 0
    assert f"check: {N} reports" in capsys.readouterr().out
