"""Shared fixtures: the expensive objects are built once per session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from kg.build import build
from kg.extract import Extractor
from kg.extract import Lexicon

ROOT = Path(__file__).resolve().parent.parent
# kg build notes the folder it built last in the user's state directory: not the real one
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="fzkg-state-")
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
