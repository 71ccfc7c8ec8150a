"""Bodies resolved against the national gazetteer: by what the text states, by uniqueness, by
the villages and divisions it names; namesakes never merged without evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLES
from kg.build import build
from kg.cli import main
from kg.gazetteer import Gazetteer, Town
from kg.model import Body, Division
from kg.query import GraphStore
from kg.resolve import Resolver

PLACE = "https://w3id.org/fzkg/id/place/"
OPENING = "一、主要工作\n全年开展法治宣传活动12场，调处矛盾纠纷36件。\n"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture(scope="module")
def resolver(gazetteer) -> Resolver:
    return Resolver(gazetteer)


def town(name: str, county: str | None = None, city: str | None = None, province: str | None = None) -> Body:
    d = (lambda n, level: Division(n, level) if n else None)
    return Body(Division(name, "subdistrict" if name.endswith(("街道", "街")) else "township"),
                d(county, "county"), d(city, "city"), d(province, "province"))


# ---------------------------------------------------------------- the resolver, one report at a time

def test_a_stated_county_picks_one_namesake(resolver):
    placed = resolver.place(town("城关镇", county="五河县"), "", "r1")
    assert placed.resolution == "stated"
    assert [p.name for p in placed.chain] == ["安徽省", "蚌埠市", "五河县", "城关镇"]
    assert placed.body.key == ("340322", "城关镇")
    assert placed.chain[2].code == "340322" and 28 < placed.chain[2].lat < 35 and 115 < placed.chain[2].lon < 120


def test_a_unique_name_resolves_alone_unless_the_text_says_otherwise(resolver):
    placed = resolver.place(town("岔河镇", county="如东县"), "", "r1")
    assert placed.resolution in ("stated", "unique") and placed.body.key == ("320623", "岔河镇")
    assert resolver.place(town("长冈乡"), "", "r1").chain[2].name == "兴国县"
    # the text places it where the gazetteer has no such town: kept as written, not forced
    wrong = resolver.place(town("长冈乡", county="如东县"), "", "r1")
    assert wrong.resolution == "not-found" and "如东县" in wrong.note
    assert [p.key for p in wrong.chain] == [("如东县",), ("如东县", "长冈乡")]


def test_the_form_the_report_writes_names_the_place(resolver):
    # 环市街 for 环市街道, 石柱县 for 石柱土家族自治县: the labels the reports use, the official
    # names beside them
    placed = resolver.place(town("环市街"), "", "r1")
    assert placed.body.name == "环市街" and placed.body.official == "环市街道"
    placed = resolver.place(town("黄水镇", county="石柱县"), "", "r1")
    county = placed.chain[-2]
    assert (county.name, county.official, county.written) == ("石柱县", "石柱土家族自治县", True)


def test_a_town_upgraded_since_the_gazetteer_was_made(resolver):
    placed = resolver.place(town("罗云镇"), "", "r1")  # listed as 罗云乡 (涪陵区)
    assert placed.body.key == ("500102", "罗云乡") and placed.body.name == "罗云镇"
    assert "罗云乡" in placed.note


def test_context_the_text_gives_decides_between_namesakes(resolver):
    text = "在五河县委、县政府的正确领导下，我镇坚持依法行政。"
    placed = resolver.place(town("城关镇"), text, "r1")
    assert placed.resolution == "context" and placed.body.key == ("340322", "城关镇")


def test_an_ambiguous_name_stays_apart(resolver):
    placed = resolver.place(town("城关镇"), "我镇坚持依法行政。", "r1-abc")
    assert placed.resolution == "ambiguous" and "城关镇" in placed.note
    assert placed.body.key == ("ambiguous", "城关镇", "r1-abc") and len(placed.chain) == 1


def test_a_phrase_is_no_body():
    from kg.extract import Extractor, Lexicon
    from kg.model import Document

    text = "2023年以来，我镇在县委、县政府的正确领导下扎实推进依法行政。现将我镇本年度法治政府建设情况报告如下：\n" + OPENING
    doc = Document("x.txt", "x.txt", text, "0" * 64)
    without = Extractor(Lexicon.load()).extract(doc).body  # without the gazetteer, a phrase passes for a county
    assert without.county is not None and without.county.name == "镇在县"
    body = Extractor(Lexicon.load(), Gazetteer.load()).extract(doc).body
    assert body.division is None and body.county is None and body.level == "township"
    assert "no name of a division" in body.note


# ---------------------------------------------------------------- three 城关镇, in a build

def _report(folder: Path, name: str, lines: str) -> None:
    (folder / name).write_text("城关镇人民政府关于2023年度法治政府建设情况的报告\n"
                               "2023年，城关镇坚持以习近平法治思想为指导，推进法治政府建设。\n" + lines + OPENING,
                               encoding="utf-8")


def test_three_chengguan_towns_two_placed_by_their_villages_one_apart(tmp_path, gazetteer):
    # villages picked from the gazetteer: each belongs to one 城关镇 only
    helinge = ["下喇嘛盖村", "九龙湾村", "二道沟村"]  # 和林格尔县 (150123)
    guzhen = ["三里社区", "东元社区", "五里井社区"]  # 固镇县 (340323)
    for village in helinge:
        assert village in gazetteer.villages(gazetteer.get("150123/城关镇"))
    for village in guzhen:
        assert village in gazetteer.villages(gazetteer.get("340323/城关镇"))
    inputs = tmp_path / "in"
    inputs.mkdir()
    _report(inputs, "a.txt", "深入" + "、".join(helinge) + "开展法治宣传。\n")
    _report(inputs, "b.txt", "在" + "、".join(guzhen) + "设立法律服务点。\n")
    _report(inputs, "c.txt", "全镇各村（社区）设立法律服务点。\n")
    out = tmp_path / "out"
    build([inputs], out, pages=False)
    rows = GraphStore.open(out).select("""
        SELECT ?src ?body ?how ?county WHERE { ?r dct:source ?src ; fz:issuedBy ?body .
          ?body fz:resolution ?how . OPTIONAL { ?body fz:partOf ?c . ?c rdfs:label ?county } }""")
    got = {r["src"]: (r["body"], r["how"], r.get("county")) for r in rows}
    assert got["a.txt"] == (PLACE + "150123/城关镇", "villages", "和林格尔县")
    assert got["b.txt"] == (PLACE + "340323/城关镇", "villages", "固镇县")
    body, how, county = got["c.txt"]
    assert how == "ambiguous" and county is None and body.startswith(PLACE + "ambiguous/城关镇/c-")
    assert len({b for b, _, _ in got.values()}) == 3  # three nodes
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    notes = {Path(f["path"]).name: (f["place"], f["note"]) for f in manifest["files"]}
    assert notes["c.txt"][0] == "ambiguous" and "entries named 城关镇" in notes["c.txt"][1]


# ---------------------------------------------------------------- chains up to the province

def _check_chains(out: Path, gazetteer: Gazetteer) -> int:
    """Every resolved body has fz:partOf+ up to a province, and each level is the gazetteer's."""
    store = GraphStore.open(out)
    bodies = store.select("""SELECT DISTINCT ?body ?how WHERE { ?r fz:issuedBy ?body . ?body fz:resolution ?how }""")
    resolved = [r["body"] for r in bodies if r["how"] in ("stated", "unique", "villages", "context")]
    for body in resolved:
        key = body.removeprefix(PLACE)
        entry = gazetteer.get(key)
        assert entry is not None, key
        ups = store.select(f"""SELECT ?up ?code ?label WHERE {{ <{body}> fz:partOf+ ?up .
            ?up fz:divisionCode ?code ; rdfs:label ?label }}""")
        codes = {r["code"] for r in ups}
        expected = [e.code for e in gazetteer.chain(entry) if e.code and e is not entry]
        assert codes == set(expected), (body, codes, expected)
        assert any(gazetteer.get(c).level == "province" for c in codes), body
    return len(resolved)


def test_sample_bodies_have_their_chains(sample_build, gazetteer):
    _, out = sample_build
    assert _check_chains(out, gazetteer) == 5


def test_dev_bodies_have_their_chains(shared, tmp_path, gazetteer):
    build([shared / "corpus" / "dev"], tmp_path / "dev", pages=False)
    assert _check_chains(tmp_path / "dev", gazetteer) >= 70


# ---------------------------------------------------------------- commands

def test_places_and_towns_by_province(sample_build):
    _, out = sample_build
    runner = CliRunner()
    result = runner.invoke(main, ["places", "--graph", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {"body": "岔河镇", "level": "township", "county": "如东县", "city": "南通市", "province": "江苏省",
            "code": "320623"}.items() <= next(r for r in rows if r["body"] == "岔河镇").items()
    assert all(r["resolution"] in ("stated", "unique", "villages", "context") for r in rows)
    result = runner.invoke(main, ["places", "--graph", str(out), "--province", "江苏", "--format", "csv"])
    assert [line.split(",")[0] for line in result.output.strip().splitlines()] == ["body", "岔河镇"]
    result = runner.invoke(main, ["places", "--graph", str(out), "--unresolved"])
    assert result.exit_code == 1 and "no body matches" in result.output
    result = runner.invoke(main, ["towns", "法律明白人", "--graph", str(out), "--province", "江苏省", "--format", "csv"])
    assert result.output.strip().splitlines() == ["town,county,kind,concept", "岔河镇,如东县,role,法律明白人"]
    result = runner.invoke(main, ["towns", "法律明白人", "--graph", str(out), "--county", "如东"])
    assert "岔河镇" in result.output and "长冈乡" not in result.output


def test_a_town_that_never_gives_its_name(tmp_path):
    # 我镇 and 本镇 throughout, its county named only as the one that leads it: a township node of
    # its own under 云安区 (the gazetteer's), with no label and the reason beside it
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.txt").write_text(
        "2023年以来，我镇在云安区委、区政府的坚强领导下，扎实推进依法行政。本镇建立健全法律顾问制度。\n"
        "现将本镇2023年度法治政府建设情况报告如下：\n" + OPENING, encoding="utf-8")
    build([tmp_path / "in"], tmp_path / "out", pages=False)
    rows = GraphStore.open(tmp_path / "out").select("""SELECT ?body ?how ?label ?county WHERE {
        ?r fz:issuedBy ?body . ?body a fz:Township ; fz:resolution ?how ; fz:partOf/rdfs:label ?county .
        OPTIONAL { ?body rdfs:label ?label } }""")
    assert [(r["how"], r.get("label"), r["county"]) for r in rows] == [("unnamed", None, "云安区")]
    assert rows[0]["body"].startswith(PLACE + "unnamed/x-")
