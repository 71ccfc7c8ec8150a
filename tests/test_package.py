"""A wheel built from the repo carries the ontology and works outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from conftest import ROOT, SAMPLES


def test_wheel_ships_data_and_builds_outside_the_checkout(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                    str(ROOT)], check=True, capture_output=True)
    (wheel,) = wheels.glob("fazhi_kg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in ("kg/ontology/fzkg.ttl", "kg/ontology/vocabulary.ttl", "kg/ontology/shapes.ttl",
                 "kg/queries/labelled.rq", "kg/queries/bodies_of_concept.rq", "kg/pages/templates/network.html.j2",
                 "kg/pages/templates/summary.html.j2", "kg/gazetteer/data/towns.tsv", "kg/gazetteer/data/villages.bin",
                 "kg/gazetteer/data/NOTICE"):
        assert data in names, data
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    sample = next(iter(sorted(SAMPLES.glob("*.txt"))))
    env = dict(os.environ, PYTHONPATH=str(target))
    run = subprocess.run([sys.executable, "-c", "import sys; from kg.cli import main; main()", "build", str(sample),
                          "--out", "out", "--quiet"], cwd=work, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (work / "out" / "graph.ttl").stat().st_size > 1000
    imported = subprocess.run([sys.executable, "-c", "import kg; print(kg.__file__)"], cwd=work, env=env,
                              capture_output=True, text=True, check=True).stdout
    assert imported.startswith(str(target))
