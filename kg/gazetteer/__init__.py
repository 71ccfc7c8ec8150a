"""China's divisions down to the townships, to resolve who issued a report.

A report names its issuer the way people write it: 环市街 for 环市街道, 石柱县
for 石柱土家族自治县, 岔河鎮 in traditional script, 平泉县 years after it became
平泉市. This module answers "which divisions could that be" from the national
division gazetteer in ``data/`` (derived from jionlp and cpca by
``tools/make_gazetteer.py``; see ``data/NOTICE``) without either package at run
time and without the network.

Shape of the data:

- ``Region``: a province, city or county-level unit, with its 6-digit code.
  Municipalities (北京, 天津, 上海, 重庆) have no city level: their districts
  and counties hang from the province. County-level cities administered by
  the province (仙桃, 济源, 石河子, 文昌 …) hang from the province too.
- ``Town``: a township (镇, 乡, 苏木), sub-district (街道) or a unit the
  statistics list beside them (farm, zone …: level 'other'). Its id is
  ``<code of the region above>/<name>``: the region is a county-level unit, or
  a city without counties (东莞, 中山, 儋州, 嘉峪关: ``441900/虎门镇``).
- villages are read per county block, only when asked for, so a build's
  workers do not each hold 650k village names.

Lookups fold the name first (simplified script, ASCII width) and accept the
usual short forms; they return every candidate, and the caller decides with
the rest of the text (城关镇 alone names 99 towns).
"""

from __future__ import annotations

import gc
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..textnorm import fold, to_simplified

DATA = Path(__file__).resolve().parent / "data"
LEVELS = ("province", "city", "county", "district", "zone", "township", "subdistrict", "other")
VILLAGES_MAGIC = b"fazhi-kg villages 1\n"

# the 56 nationalities, as they appear in the names of autonomous units and ethnic
# townships; a one-character name is always followed by 族 (else 白 in 长白 would match)
_ETHNIC_LONG = (
    "柯尔克孜|乌孜别克|维吾尔|哈萨克|达斡尔|鄂温克|鄂伦春|塔吉克|塔塔尔|俄罗斯|"
    "蒙古|布依|朝鲜|土家|哈尼|傈僳|高山|拉祜|东乡|纳西|景颇|仫佬|布朗|撒拉|毛南|"
    "仡佬|锡伯|阿昌|普米|德昂|保安|裕固|独龙|赫哲|门巴|珞巴|基诺"
)
_ETHNIC_ONE = "回藏苗彝壮满侗瑶白傣黎佤畲水土怒京羌汉各"  # 各族: 龙胜各族自治县
# 石柱土家族自治县 -> 石柱县, 大理白族自治州 -> 大理州, 莫力达瓦达斡尔族自治旗 -> 莫力达瓦旗
_AUTONOMOUS = re.compile(rf"^(.+?)(?:(?:{_ETHNIC_LONG})族?|[{_ETHNIC_ONE}]族)+自治([县旗州])$")
# 穆云畲族乡 -> 穆云乡, 萨马街鄂温克民族乡 -> 萨马街乡: reports drop the nationality
_ETHNIC_TOWN = re.compile(rf"^(.+?)(?:(?:{_ETHNIC_LONG}|[{_ETHNIC_ONE}])(?:族|民族))+(乡|镇|苏木)$")
_FULL_WIDTH = re.compile("[\uff01-\uff5e]")  # 八五一０农场 is an official name
# 环市街道, 环市街道办事处 and 环市街 are one key: a report may write any
_SUBDISTRICT = re.compile(r"街道(?:办事处|办)?$")


@dataclass(frozen=True, slots=True)
class Region:
    """A province, city or county-level unit; equal when code, name and level are."""

    code: str  # 6-digit division code, 500240
    name: str  # official name, 石柱土家族自治县
    level: str  # province | city | county | district | zone
    parent: Region | None = field(default=None, compare=False, repr=False)
    short: tuple[str, ...] = field(default=(), compare=False, repr=False)  # 石柱
    lon: float | None = field(default=None, compare=False, repr=False)
    lat: float | None = field(default=None, compare=False, repr=False)
    # True where the source has no coordinates for this code (new units, zones)
    # and these are the parent's
    approximate: bool = field(default=False, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Town:
    """A township, sub-district or like unit; it has no code of its own."""

    county: Region  # the region above: county-level, or a city without counties
    name: str  # official name, 鱼复街道
    level: str  # township | subdistrict | other

    @property
    def id(self) -> str:
        """Stable id, ``500236/鱼复街道``: town names repeat across counties, never within one."""
        return f"{self.county.code}/{self.name}"

    @property
    def code(self) -> None:
        """Towns have no code in the source; here so a chain's entries read alike."""
        return None


@dataclass(frozen=True, slots=True)
class Change:
    """One dated rename or merge: 平泉县 became 平泉市 on 2017-04-03."""

    date: str  # ISO date
    approval: str  # 国批 (State Council) or 民批 (Ministry of Civil Affairs)
    old: tuple[str, str, str]  # province, city, county ("" for a city's own change)
    new: tuple[str, str, str]
    current: Region | None  # the unit it leads to in this gazetteer, after later changes


class Gazetteer:
    """Every division with lookups by name; build one with ``Gazetteer.load()``."""

    def __init__(self, path: Path, regions: list[Region], towns: list[Town], changes: list[Change]) -> None:
        self.path = path
        self._regions = {r.code: r for r in regions}
        grouped: dict[str, list[Town]] = {}
        for town in towns:  # in towns.tsv order, which the village blocks follow
            grouped.setdefault(town.county.code, []).append(town)
        self._towns_in = {code: tuple(ts) for code, ts in grouped.items()}
        # the tree lags the change list in places (湟中县, 2019 湟中区): the new name
        # of a change answers for the unit it leads to
        later: dict[str, list[str]] = {}
        for change in changes:
            new = change.new[2] or change.new[1]
            if change.current is not None and new != change.current.name:
                later.setdefault(change.current.code, []).append(new)

        def keys(region: Region) -> list[str]:
            return _region_keys(region) + later.get(region.code, [])

        groups = {"province": ("province",), "city": ("city",), "county": ("county", "district", "zone")}
        self._by_level = {
            group: _index([r for r in regions if r.level in levels], keys) for group, levels in groups.items()
        }
        self._towns = _index(towns, _town_keys)
        self._changes = _index(changes, lambda c: [c.old[2] or c.old[1]])
        self._village_index: dict[str, tuple[int, int]] | None = None
        self._village_blocks: dict[str, list[str]] = {}

    @classmethod
    def load(cls, path: str | Path | None = None) -> Gazetteer:
        """The gazetteer in ``path`` (default: the packaged data), read once per process."""
        return _load(Path(path or DATA).resolve())

    # lookups by name ------------------------------------------------------

    def provinces(self, name: str) -> tuple[Region, ...]:
        """Provinces by full or short name: 河南 and 河南省, 广西 and 广西壮族自治区, 内蒙古."""
        return _lookup(self._by_level["province"], name, _plain_key)

    def cities(self, name: str) -> tuple[Region, ...]:
        """Prefecture-level units (市, 地区, 自治州, 盟) by full or short name: 赣州, 大理州."""
        return _lookup(self._by_level["city"], name, _plain_key)

    def counties(self, name: str) -> tuple[Region, ...]:
        """County-level units (县, 自治县, 县级市, 区, 旗, 林区, 特区, zones) by full or
        short name, with the nationality dropped (石柱县), or by a newer name the
        change list has and the tree not yet (湟中区 -> 湟中县). Old names: ``renamed``."""
        return _lookup(self._by_level["county"], name, _plain_key)

    def towns(self, name: str) -> tuple[Town, ...]:
        """Towns with this name, folded: 岔河鎮 = 岔河镇, 环市街 = 环市街道, 穆云乡 = 穆云畲族乡."""
        return _lookup(self._towns, name, _town_key)

    def named(self, name: str, level: str) -> tuple[Region | Town, ...]:
        """The entries a division the text names at ``level`` (a kg.kinds level) may be: towns
        for a township or sub-district; county-level units, found by a newer name too, for a
        county or district; cities or county-level cities for a 市; provinces."""
        if level in ("township", "subdistrict"):
            return self.towns(name) or self.upgraded(name)
        if level in ("county", "district"):
            found = self.counties(name)
            return found + tuple(c.current for c in self.renamed(name) if c.current and c.current not in found)
        if level == "city":
            return self.cities(name) + self.counties(name)
        if level == "province":
            return self.provinces(name)
        return ()

    def upgraded(self, name: str) -> tuple[Town, ...]:
        """The townships a 镇 was before 撤乡设镇 (罗云镇 -> 罗云乡), where the source still lists
        it under its old name; () for any other name."""
        if not name.endswith("镇") or len(name) < 3:
            return ()
        return tuple(t for t in self.towns(name[:-1] + "乡") if t.level == "township")

    def is_unique(self, name: str) -> bool:
        """True when exactly one town has this name: the name alone resolves it."""
        return len(self.towns(name)) == 1

    def renamed(self, name: str) -> tuple[Change, ...]:
        """The changes whose old county (or city) name this is: 平泉县 -> 平泉市, 襄樊市 -> 襄阳市."""
        return _lookup(self._changes, name, _plain_key)

    # structure --------------------------------------------------------------

    def get(self, key: str) -> Region | Town | None:
        """The region with this code or the town with this id (``500236/鱼复街道``)."""
        code, _, name = key.partition("/")
        if not name:
            return self._regions.get(code)
        return next((t for t in self._towns_in.get(code, ()) if t.name == name), None)

    def chain(self, item: Region | Town) -> tuple[Region | Town, ...]:
        """``item`` and the regions above it, from the province down.

        Three entries for a municipality's town (重庆市, 石柱土家族自治县, 黄水镇),
        four for most others (江苏省, 南通市, 如东县, 岔河镇).
        """
        entries: list[Region | Town] = [item]
        up = item.county if isinstance(item, Town) else item.parent
        while up is not None:
            entries.append(up)
            up = up.parent
        return tuple(reversed(entries))

    def regions(self) -> tuple[Region, ...]:
        """Every province, city and county-level unit, by code."""
        return tuple(self._regions.values())

    def towns_in(self, region: Region) -> tuple[Town, ...]:
        """The towns directly under a county-level unit (or a city without counties)."""
        return self._towns_in.get(region.code, ())

    def villages(self, town: Town) -> frozenset[str]:
        """The villages and communities of ``town``, read from disk on first use of its county."""
        towns = self._towns_in.get(town.county.code, ())
        if town not in towns:
            return frozenset()
        lines = self._village_block(town.county.code)
        row = towns.index(town)
        return frozenset(lines[row].split("\t")) if row < len(lines) and lines[row] else frozenset()

    def _village_block(self, code: str) -> list[str]:
        """One county's village lines, cached for the few counties a build looks at."""
        if code in self._village_blocks:
            return self._village_blocks[code]
        path = self.path / "villages.bin"
        with path.open("rb") as f:
            if self._village_index is None:
                if f.readline() != VILLAGES_MAGIC:
                    raise ValueError(f"{path}: not a villages file of this version")
                size = int(f.readline())
                head = f.read(size).decode("utf-8")
                start = f.tell()
                self._village_index = {}
                for row in head.splitlines():
                    county, offset, length = row.split("\t")
                    self._village_index[county] = (start + int(offset), int(length))
            if code not in self._village_index:
                return []
            offset, length = self._village_index[code]
            f.seek(offset)
            lines = zlib.decompress(f.read(length)).decode("utf-8").split("\n")
        if len(self._village_blocks) >= 64:
            self._village_blocks.pop(next(iter(self._village_blocks)))
        self._village_blocks[code] = lines
        return lines


def region_points(path: str | Path | None = None) -> list[tuple[str, str, str, float, float]]:
    """(code, parent code, level, lat, lon) of every province, city and county-level unit with
    coordinates, read from the divisions table alone (no index built): for drawing maps."""
    out = []
    for code, parent, level, _name, _short, lon, lat, _coord in _rows(Path(path or DATA) / "divisions.tsv"):
        if lon and lat:
            out.append((code, parent, level, float(lat), float(lon)))
    return out


@cache
def _load(path: Path) -> Gazetteer:
    """Read the three tables with the collector paused (it would walk the 100k new
    objects again and again, doubling the time); the village blocks wait for ``villages``."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(path)
    finally:
        if enabled:
            gc.enable()


def _read(path: Path) -> Gazetteer:
    """The Gazetteer in the tables of ``path``."""
    regions: dict[str, Region] = {}
    for row in _rows(path / "divisions.tsv"):  # sorted by code: a parent comes first
        code, parent, level, name, short, lon, lat, coord = row
        regions[code] = Region(
            code,
            name,
            level,
            regions[parent] if parent else None,
            tuple(short.split("/")) if short else (),
            float(lon) if lon else None,
            float(lat) if lat else None,
            coord == "parent",
        )
    towns = [Town(regions[county], name, level) for county, name, level in _rows(path / "towns.tsv")]
    changes = [
        Change(date, approval, (op, oc, ok), (np, nc, nk), regions.get(current))
        for date, approval, op, oc, ok, np, nc, nk, current in _rows(path / "changes.tsv")
    ]
    return Gazetteer(path, list(regions.values()), towns, changes)


def _rows(path: Path) -> list[list[str]]:
    """A data table's rows as lists of fields, without the header."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return [line.split("\t") for line in lines[1:] if line]


# folding ---------------------------------------------------------------------


def _plain_key(name: str) -> str:
    """The lookup key of a region name: the name without spaces."""
    return "".join(name.split())


def _town_key(name: str) -> str:
    """The lookup key of a town name: one form for 街道, 街道办事处 and 街."""
    name = "".join(name.split())
    return _SUBDISTRICT.sub("街", name) if "街道" in name else name


def full_names(region: Region) -> tuple[str, ...]:
    """The names a text can be trusted to mean a region by, wherever they stand: the official
    name, and an autonomous unit's without its nationality (石柱县). Short names alone (如东)
    are words too often to count."""
    autonomous = _AUTONOMOUS.match(region.name) if "自治" in region.name else None
    return (region.name, autonomous[1] + autonomous[2]) if autonomous else (region.name,)


def _region_keys(region: Region) -> list[str]:
    """The names a region answers to: official, short (not for zones: 高新区 is no
    place name) and without the nationality of an autonomous unit."""
    keys = [region.name]
    if region.level != "zone":
        keys.extend(region.short)
    autonomous = _AUTONOMOUS.match(region.name) if "自治" in region.name else None
    if autonomous:
        keys.append(autonomous[1] + autonomous[2])
    return keys


def _town_keys(town: Town) -> list[str]:
    """The names a town answers to: official, without its nationality, and without the
    county name that the source puts in front of some (化德县七号镇 -> 七号镇)."""
    name = town.name
    keys = [_SUBDISTRICT.sub("街", name) if "街道" in name else name]
    ethnic = _ETHNIC_TOWN.match(name) if "族" in name else None
    if ethnic:
        keys.append(ethnic[1] + ethnic[2])
    county = town.county.name
    # only for townships and sub-districts: 东丽区经济技术开发区 is no 经济技术开发区
    if town.level != "other" and name.startswith(county) and len(name) - len(county) >= 2:
        keys.append(_town_key(name[len(county) :]))
    return keys


def _index(items: list, keys_of: Callable[[Any], list[str]]) -> dict[str, tuple]:
    """key -> items answering to it, each key also folded (simplified script, ASCII width).

    The keys are simplified in one batch, which is fast; opencc simplifies by
    context (乾县 alone -> 干县, 乾安县 stays), so the official spelling is kept
    as a key beside the simplified one.
    """
    pairs = [(key, item) for item in items for key in keys_of(item)]
    simplified = to_simplified("\n".join(key for key, _ in pairs))
    for wide in set(_FULL_WIDTH.findall(simplified)):  # as textnorm.fold does to a query
        simplified = simplified.replace(wide, chr(ord(wide) - 0xFEE0))
    index: dict[str, list] = {}
    for (key, item), simple in zip(pairs, simplified.split("\n")):
        for k in (key, simple) if simple != key else (key,):
            hits = index.get(k)
            if hits is None:
                index[k] = [item]
            elif hits[-1] is not item:  # an item's keys come together
                hits.append(item)
    return {k: tuple(v) for k, v in index.items()}


def _lookup(index: dict[str, tuple], name: str, key: Callable[[str], str]) -> tuple:
    """Items under the key of ``name`` as written or folded, without repeats."""
    hits = index.get(key(name), ())
    folded = index.get(key(fold(name)), ())
    if not folded or folded == hits:
        return hits
    return hits + tuple(x for x in folded if x not in hits)
