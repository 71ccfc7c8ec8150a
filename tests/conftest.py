"""Shared fixtures: the expensive objects are built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import build
from kg.extract import Extractor
from kg.extract import Lexicon

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "examples" / "reports"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    return Lexicon.load()


@pytest.fixture(scope="session")
def extractor(lexicon: Lexicon) -> Extractor:
    return Extractor(lexicon)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """The bundled sample reports built once, with the network page."""
    out = tmp_path_factory.mktemp("samples")
    result = build([SAMPLES], out)
    return result, out


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared, or a skip where the project was cloned alone."""
    if not (SHARED / "gold" / "score.py").is_file():
        pytest.skip("../shared is not beside the project")
    return SHARED
