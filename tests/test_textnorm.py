"""kg.textnorm: folding with offsets, and the characters names never keep."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from kg.textnorm import fold_text, fold_with_map, strip_invisible


def test_every_format_character_is_invisible():
    if unicodedata.unidata_version != "14.0.0":
        pytest.skip(f"the list is Unicode 14's; this Python has {unicodedata.unidata_version}")
    cf = "".join(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf")
    assert strip_invisible(cf + "岔河镇") == "岔河镇"
    assert strip_invisible("岔河镇（2023）“三所联动”") == "岔河镇（2023）“三所联动”"


def test_fold_maps_every_character_back():
    text = "岔河鎮　“三所聯動”調解 機制，ＡＢＣ"
    folded, index = fold_with_map(text)
    assert folded == '岔河镇"三所联动"调解机制,ABC'
    assert len(index) == len(folded) + 1 and index[-1] == len(text)
    assert text[index[folded.index("机制")]] == "機"


@pytest.mark.parametrize("text", ["岔河鎮　“三所聯動”調解 機制，ＡＢＣ", "领导 小组\u200b 行政  执法 a b", " 中 ",
                                  "\u200b", "", "ab  cd", "中\u200b\u200b 文\ufeff"])
def test_folding_a_whole_text_alone_folds_as_with_the_map(text):
    # a vocabulary edit checks every cached report with fold_text: it must fold exactly alike
    assert fold_text(text) == fold_with_map(text)[0]
