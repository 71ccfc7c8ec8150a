"""Splitting official names into administrative levels."""

import pytest

from kg.extract.divisions import parse_chain

CASES = [
    ("重庆市江津区四屏镇人民政府", [("重庆市", "province"), ("江津区", "district"), ("四屏镇", "township")]),
    ("长沙市天心区坡子街街道办事处2022年", [("长沙市", "city"), ("天心区", "district"), ("坡子街街道", "subdistrict")]),
    ("如东县岔河镇人民政府", [("如东县", "county"), ("岔河镇", "township")]),
    ("石柱土家族自治县人民政府办公室", [("石柱土家族自治县", "county")]),
    ("湛江市廉江市良垌镇", [("湛江市", "city"), ("廉江市", "county"), ("良垌镇", "township")]),
    ("伊金霍洛旗伊金霍洛镇", [("伊金霍洛旗", "county"), ("伊金霍洛镇", "township")]),
    ("中共重庆市江津区四屏镇委员会", [("重庆市", "province"), ("江津区", "district"), ("四屏镇", "township")]),
    ("环市街2022年法治政府建设年度报告", [("环市街", "subdistrict")]),  # 市 inside a name
    ("市桥街道", [("市桥街道", "subdistrict")]),
    ("周溪乡在县委的领导下", [("周溪乡", "township")]),
    ("辰溪县小龙门乡", [("辰溪县", "county"), ("小龙门乡", "township")]),
    ("城关镇", [("城关镇", "township")]),
    # words, not places
    ("乡镇", []),
    ("依法治镇", []),
    ("美丽乡村", []),
    ("各乡镇", []),
    ("全县", []),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_parse_chain(text, expected):
    assert [(d.name, d.level) for d in parse_chain(text)] == expected
