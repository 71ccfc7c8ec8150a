"""Derive the national division gazetteer in kg/gazetteer/data/ from two wheels.

    python tools/make_gazetteer.py                       # pip-downloads both wheels
    python tools/make_gazetteer.py --jionlp J.whl --cpca C.whl [--out DIR]

The project must not depend on jionlp or cpca at run time (jionlp alone is
16 MB and pulls numpy), so this script reads their data once and writes small
derived files that are committed:

    divisions.tsv  province, city and county-level units: code, parent, level,
                   name, short names, longitude, latitude, where the
                   coordinates come from
    towns.tsv      every township/sub-district: county code, name, level
    villages.bin   village/community names, one zlib block per county, with
                   an index in front, so one town's villages are read with a
                   seek instead of loading 650k names
    changes.tsv    dated renames and merges of cities and counties, each with
                   the code of the unit it is today
    NOTICE, LICENSE.jionlp, LICENSE.cpca   where the data comes from and the
                   licences it is under

Same wheels in, byte-identical files out: every list is sorted, no dates or
paths are written, and the compressed blocks use fixed zlib settings (the
bytes could still differ with another zlib implementation, e.g. zlib-ng).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import re
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

JIONLP = ("jionlp", "1.5.31")
CPCA = ("cpca", "0.5.5")
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "kg" / "gazetteer" / "data"
VILLAGES_MAGIC = b"fazhi-kg villages 1\n"

# jionlp lists Taiwan, Hong Kong and Macau with home-made or shared codes (every Hong
# Kong district is 810000) and no townships: keep the three as provinces only
PROVINCE_ONLY = ("71", "81", "82")
# placeholders jionlp uses where a level is skipped; they are not divisions
PROVINCE_DIRECT = "省直辖行政区划"  # county-level cities under the province (仙桃, 济源, 石河子)
CITY_DIRECT = "市直辖行政区划"  # towns directly under a city (东莞, 中山, 儋州, 嘉峪关)
DIRECT_SUFFIX = "直辖行政区划"  # 县直辖行政区划 etc. among the towns
# misspelt new names in china_location_change.txt, as the tree spells them
CHANGE_TYPOS = {"云岗区": "云冈区", "大菁山县": "大箐山县"}


@dataclass
class Region:
    """A province, city or county-level unit while the tree is read."""

    code: str
    parent: str
    level: str
    name: str
    short: str
    lon: str = ""
    lat: str = ""
    coord: str = ""


@dataclass
class Tree:
    """What the jionlp tree yields, plus counts of what was dropped and why."""

    regions: dict[str, Region] = field(default_factory=dict)
    towns: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    dropped: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)


def county_level(code: str, name: str) -> str:
    """'zone' for a development zone (the 5th digit of its code is 7 in the statistical
    codes), 'district' for a 市辖区, 'county' for 县, 自治县, 县级市, 旗, 林区, 特区."""
    if code[4] == "7":
        return "zone"
    if name.endswith("区") and not name.endswith(("林区", "特区")):
        return "district"
    return "county"


def town_level(name: str) -> str:
    """'subdistrict' (街道), 'township' (镇, 乡, 苏木 and their ethnic forms) or 'other'
    (farms, zones, prisons … that the statistics list beside the towns)."""
    if name.endswith(("街道", "街道办事处", "街道办")):
        return "subdistrict"
    if name.endswith(("镇", "乡", "苏木")):
        return "township"
    return "other"


def read_tree(text: str) -> Tree:
    """Walk jionlp's tab-indented tree: depth 0 province, 1 city, 2 county, 3 town, 4 village.

    Municipalities repeat themselves as a city (北京市 under 北京市) and
    provinces hold their directly administered counties under a 省直辖行政区划
    city: neither is a division, so their counties hang from the province.
    Cities without counties hold their towns under a 市直辖行政区划 county:
    those towns hang from the city.
    """
    tree = Tree()
    province = city = county = ""  # codes; "" when the node is skipped
    parent_of_county = ""
    town: set[str] | None = None
    for line in text.splitlines():
        if line.startswith("\t\t\t\t"):  # a village: nine lines in ten
            if town is not None and line.strip():
                town.add(line.strip())
            continue
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip().split("\t")
        name = parts[0]
        if depth == 0:
            province, parent_of_county, county, town = parts[1], "", "", None
            tree.regions[province] = Region(province, "", "province", name, parts[2])
        elif depth == 1:
            county, town = "", None
            if province[:2] in PROVINCE_ONLY:
                parent_of_county = ""
                tree.dropped["city or county outside the mainland"] += 1
            elif name == tree.regions[province].name or name == PROVINCE_DIRECT:
                parent_of_county = province
            else:
                city = parts[1]
                _add(tree, Region(city, province, "city", name, parts[2]))
                parent_of_county = city
        elif depth == 2:
            town = None
            if not parent_of_county or len(parts) < 3:
                county = ""
                tree.dropped["city or county outside the mainland"] += 1
            elif name == CITY_DIRECT:
                county = parent_of_county
            else:
                region = Region(parts[1], parent_of_county, county_level(parts[1], name), name, parts[2])
                county = parts[1] if _add(tree, region) else ""
        elif depth == 3:
            if not county:
                town = None
                tree.dropped["town under a dropped county"] += 1
            elif name.endswith(DIRECT_SUFFIX):
                town = None
                tree.dropped[f"town named *{DIRECT_SUFFIX}"] += 1
            else:
                key = (county, name)
                if key in tree.towns:
                    tree.notes.append(f"town listed twice in its county, villages merged: {county}/{name}")
                town = tree.towns.setdefault(key, set())
    return tree


def _add(tree: Tree, region: Region) -> bool:
    """Add a region; False (and a note) when its code is taken by another name."""
    old = tree.regions.get(region.code)
    if old is None:
        tree.regions[region.code] = region
        return True
    if old.name == region.name and old.parent == region.parent:
        return True  # listed twice (乌拉盖管委会): one unit, its towns merged
    tree.notes.append(f"code {region.code} is {old.name} and {region.name}: kept the first, dropped the second")
    tree.dropped["county whose code another county has"] += 1
    return False


def add_coordinates(tree: Tree, adcodes: str) -> tuple[Counter, Counter]:
    """Longitude/latitude from cpca by 6-digit code, else the parent's (marked 'parent').

    Returns how many units of each level have their own coordinates, and how many there are.
    """
    coords: dict[str, tuple[str, str, str]] = {}
    for row in csv.DictReader(io.StringIO(adcodes)):
        code = row["adcode"][:6]
        if row["adcode"][6:].strip("0") == "" and row["longitude"]:
            coords[code] = (row["longitude"], row["latitude"], row["name"])
    own: Counter = Counter()
    total: Counter = Counter()
    renamed = []
    for code in sorted(tree.regions, key=lambda c: (len(_ancestors(tree, c)), c)):
        region = tree.regions[code]
        if code in coords:
            region.lon, region.lat, cpca_name = coords[code]
            region.coord = "cpca"
            if cpca_name != region.name:
                renamed.append(f"{code} {cpca_name}->{region.name}")
        elif region.parent and tree.regions[region.parent].lon:
            parent = tree.regions[region.parent]
            region.lon, region.lat, region.coord = parent.lon, parent.lat, "parent"
        total[region.level] += 1
        own[region.level] += region.coord == "cpca"
    if renamed:
        tree.notes.append(
            f"{len(renamed)} codes named otherwise in cpca (coordinates kept): " + ", ".join(renamed[:12])
        )
    return own, total


def read_changes(text: str, tree: Tree) -> list[list[str]]:
    """Rows of date, approval, old province/city/county, new province/city/county, current code.

    The current code follows later changes (襄樊市 -> 襄阳市) and is empty where
    the new name is not in the tree.
    """
    rows = set()
    for line in text.splitlines():
        if "=>" not in line:
            continue
        old, new = line.strip().split("=>")
        o, n = old.split("\t"), new.split("\t")
        date, approval, names = o[0], o[1], o[2::2]  # drop the short names
        n = [CHANGE_TYPOS.get(x, x) for x in n]
        rows.add((date, approval, *(names + [""] * (3 - len(names))), *(n + [""] * (3 - len(n)))))
    later = {(r[2], r[3], r[4]): r for r in sorted(rows)}
    above = {code: _ancestors(tree, code) for code in tree.regions}
    out = []
    for row in sorted(rows):
        new, seen = row[5:8], set()
        code = _find(tree, above, *new)
        while not code and new in later and new not in seen:
            seen.add(new)
            new = later[new][5:8]
            code = _find(tree, above, *new)
        out.append([*row, code])
    return out


def _find(tree: Tree, above: dict[str, list[str]], province: str, city: str, county: str) -> str:
    """The code of the unit with this chain of names, or "".

    Where the exact name is missing, the one unit of that city whose name starts
    with the new name less its suffix: the change list writes 融水县 for
    融水苗族自治县, and the tree still has 湟中县 where the list has 湟中区.
    """
    name = county or city
    exact, similar = [], []
    for code, region in tree.regions.items():
        if province not in above[code] or (county and city not in above[code] and city != province):
            continue
        if region.name == name:
            exact.append(code)
        elif county and len(name) > 2 and region.name.startswith(name[:-1]):
            similar.append(code)
    hits = exact or similar
    return hits[0] if len(hits) == 1 else ""


def _ancestors(tree: Tree, code: str) -> list[str]:
    names = []
    while tree.regions[code].parent:
        code = tree.regions[code].parent
        names.append(tree.regions[code].name)
    return names


def write_villages(tree: Tree, path: Path) -> None:
    """One zlib block per county; a block's line i lists (tab-separated) the villages of
    the county's i-th town in towns.tsv. An index of code, offset, length comes first."""
    by_county: dict[str, list[str]] = defaultdict(list)
    for county, name in sorted(tree.towns):
        by_county[county].append("\t".join(sorted(tree.towns[county, name])))
    blocks, index, offset = [], [], 0
    for county in sorted(by_county):
        block = zlib.compress("\n".join(by_county[county]).encode("utf-8"), 9)
        blocks.append(block)
        index.append(f"{county}\t{offset}\t{len(block)}\n")
        offset += len(block)
    head = "".join(index).encode("utf-8")
    path.write_bytes(VILLAGES_MAGIC + f"{len(head)}\n".encode() + head + b"".join(blocks))


def write_tsv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Tab-separated, "\\n" line ends, UTF-8: the same bytes on every platform."""
    text = "".join("\t".join(row) + "\n" for row in [header, *rows])
    path.write_bytes(text.encode("utf-8"))


def shared_names(tree: Tree) -> tuple[int, int, int, list[tuple[str, int]]]:
    """Towns, town names, towns whose name another town has, and the most shared names."""
    counts = Counter(name for _, name in tree.towns)
    shared = [(name, n) for name, n in counts.items() if n >= 2]
    return len(tree.towns), len(shared), sum(n for _, n in shared), sorted(shared, key=lambda x: (-x[1], x[0]))[:8]


def notice(inputs: dict[str, str]) -> str:
    """The NOTICE text: sources, versions, licences, changes made, input hashes."""
    hashes = "\n".join(f"  {digest}  {name}" for name, digest in inputs.items())
    return f"""\
fazhi-kg: derived division gazetteer (kg/gazetteer/data/)

The files divisions.tsv, towns.tsv, villages.bin and changes.tsv in this folder
are derived by tools/make_gazetteer.py from the data files of two Python
packages. They are re-formatted, filtered and merged copies of that data, not
the original files:

1. {JIONLP[0]} {JIONLP[1]} (JioNLP, by dongrixinyu), Apache License 2.0.
   Files used: jionlp/dictionary/china_location.zip (china_location.txt: the
   tree of provinces, cities, counties, towns and villages) and
   jionlp/dictionary/china_location_change.txt (dated changes of divisions).
   Changes made: the tree was split into the tab-separated tables and the
   compressed village blocks of this folder; placeholder levels (省直辖行政区划,
   市直辖行政区划, *直辖行政区划 towns) were removed and their children attached
   to the level above; municipalities' repeated city level was removed;
   Taiwan, Hong Kong and Macau were kept as provinces only; duplicate entries
   were merged; in the change list the short names were dropped, two misspelt
   new names were corrected (云岗区 -> 云冈区, 大菁山县 -> 大箐山县) and each
   change gained the code of the unit it leads to in the tree.
   The wheel ships no NOTICE file and its LICENSE carries no copyright line;
   the full licence text is in LICENSE.jionlp beside this file, as section 4
   of the Apache License 2.0 requires.

2. {CPCA[0]} {CPCA[1]} (chinese_province_city_area_mapper, by DQinYuan), MIT License,
   Copyright (c) 2018 QinYuan Du.
   File used: cpca/resources/adcodes.csv (longitude and latitude of
   provinces, cities and county-level units, by code). Changes made: only
   the coordinates were copied, by 6-digit code, into divisions.tsv.
   The copyright and permission notice is in LICENSE.cpca beside this file.

The code of fazhi-kg is MIT-licensed; these data files remain under the
licences above.

sha256 of the inputs:
{hashes}
"""


def build(jionlp: Path, cpca: Path, out: Path) -> list[str]:
    """Write every data file into ``out``; return the report lines."""
    jz, cz = zipfile.ZipFile(jionlp), zipfile.ZipFile(cpca)
    inner_zip = jz.read("jionlp/dictionary/china_location.zip")
    location = zipfile.ZipFile(io.BytesIO(inner_zip)).read("china_location.txt").decode("utf-8")
    change_bytes = jz.read("jionlp/dictionary/china_location_change.txt")
    change = change_bytes.decode("utf-8")
    adcodes_bytes = cz.read("cpca/resources/adcodes.csv")
    adcodes = adcodes_bytes.decode("utf-8")
    jlicence = next(n for n in jz.namelist() if re.search(r"dist-info/(licenses/)?LICENSE$", n))
    clicence = next(n for n in cz.namelist() if re.search(r"dist-info/(licenses/)?LICENSE$", n))

    tree = read_tree(location)
    own, counties = add_coordinates(tree, adcodes)
    changes = read_changes(change, tree)

    out.mkdir(parents=True, exist_ok=True)
    regions = [tree.regions[c] for c in sorted(tree.regions)]
    write_tsv(
        out / "divisions.tsv",
        ["code", "parent", "level", "name", "short", "lon", "lat", "coord"],
        [[r.code, r.parent, r.level, r.name, r.short, r.lon, r.lat, r.coord] for r in regions],
    )
    write_tsv(
        out / "towns.tsv",
        ["county", "name", "level"],
        [[county, name, town_level(name)] for county, name in sorted(tree.towns)],
    )
    write_villages(tree, out / "villages.bin")
    write_tsv(
        out / "changes.tsv",
        ["date", "approval", "old_province", "old_city", "old_county", "province", "city", "county", "current"],
        changes,
    )
    (out / "LICENSE.jionlp").write_bytes(jz.read(jlicence))
    (out / "LICENSE.cpca").write_bytes(cz.read(clicence))
    inputs = {
        jionlp.name: _sha(jionlp.read_bytes()),
        f"{jionlp.name}: jionlp/dictionary/china_location.zip": _sha(inner_zip),
        f"{jionlp.name}: jionlp/dictionary/china_location_change.txt": _sha(change_bytes),
        cpca.name: _sha(cpca.read_bytes()),
        f"{cpca.name}: cpca/resources/adcodes.csv": _sha(adcodes_bytes),
    }
    (out / "NOTICE").write_bytes(notice(inputs).encode("utf-8"))

    towns, shared, in_shared, top = shared_names(tree)
    levels = Counter(r.level for r in regions)
    tlevels = Counter(town_level(name) for _, name in tree.towns)
    villages = sum(len(v) for v in tree.towns.values())
    report = [
        "divisions: " + ", ".join(f"{n} {lvl}" for lvl, n in sorted(levels.items())),
        "own coordinates (the rest have their parent's): "
        + ", ".join(f"{lvl} {own[lvl]} of {n}" for lvl, n in sorted(counties.items())),
        f"towns: {towns} ("
        + ", ".join(f"{n} {lvl}" for lvl, n in sorted(tlevels.items()))
        + f"), villages: {villages}",
        f"town names shared by >= 2 towns: {shared} names, {in_shared} of {towns} towns; most: "
        + ", ".join(f"{name} x{n}" for name, n in top),
        f"changes: {len(changes)}, of which {sum(1 for c in changes if not c[-1])} lead to no unit in the tree",
        *(f"dropped: {n} {why}" for why, n in sorted(tree.dropped.items())),
        *(f"note: {note}" for note in tree.notes),
    ]
    for name in sorted(p.name for p in out.iterdir()):
        report.append(f"{name}: {(out / name).stat().st_size:,} bytes")
    return report


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download(name: str, version: str, into: Path) -> Path:
    """The wheel of ``name==version``, fetched with pip (the registry's ordinary client)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            f"{name}=={version}",
            "-d",
            str(into),
        ],
        check=True,
    )
    return next(into.glob(f"{name}-{version}-*.whl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jionlp", type=Path, help=f"the {JIONLP[0]}-{JIONLP[1]} wheel (else pip downloads it)")
    parser.add_argument("--cpca", type=Path, help=f"the {CPCA[0]}-{CPCA[1]} wheel (else pip downloads it)")
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write (default: kg/gazetteer/data)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        jionlp = args.jionlp or download(*JIONLP, Path(tmp))
        cpca = args.cpca or download(*CPCA, Path(tmp))
        for line in build(jionlp, cpca, args.out):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
