"""The command line, run in-process: exact outputs, exact error lines, exit codes."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from kg.cli import main

from conftest import ROOT


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def built(sample_build):
    _, out = sample_build
    return str(out)


def test_every_command_has_help_with_an_example(runner):
    for name, command in main.commands.items():
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output, name
        assert command.help, name


def test_build_without_arguments_builds_the_samples(runner, tmp_path):
    out = tmp_path / "out"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = runner.invoke(main, ["build", "--out", str(out), "--quiet"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    assert (out / "graph.ttl").is_file() and (out / "network.html").is_file()


def test_build_reports_a_bad_file_and_goes_on(runner, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text("岔河镇2023年度法治政府建设工作报告\n2023年，岔河镇落实“三所联动”调解机制。", encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    result = runner.invoke(main, ["build", str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{tmp_path / 'in' / 'empty.txt'}: empty file" in result.output
    assert (tmp_path / "out" / "graph.ttl").is_file()


def test_a_rerun_says_what_it_changed_in_the_store(runner, tmp_path):
    (tmp_path / "in").mkdir()
    report = tmp_path / "in" / "a.txt"
    report.write_text("岔河镇2023年度法治政府建设工作报告\n2023年，岔河镇落实“三所联动”调解机制。", encoding="utf-8")
    args = ["build", str(tmp_path / "in"), "--out", str(tmp_path / "out")]
    first = runner.invoke(main, args)
    assert first.exit_code == 0 and "store updated" not in first.output
    (tmp_path / "in" / "b.txt").write_text("长冈乡2023年度法治政府建设工作报告\n长冈乡推行“网格法律诊所”。", encoding="utf-8")
    report.unlink()
    again = runner.invoke(main, args)
    assert again.exit_code == 0
    assert "store updated, 1 reports loaded, 1 deleted" in again.output


def test_build_of_a_missing_path_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["build", str(tmp_path / "nope"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {tmp_path / 'nope'}: no such file or directory"


def test_towns_finds_the_town_that_runs_sansuo_liandong(runner, built):
    result = runner.invoke(main, ["towns", "三所联动", "--graph", built, "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines == ["town,county,kind,concept", "长冈乡,兴国县,mechanism,三所联动"]


def test_towns_with_evidence(runner, built):
    result = runner.invoke(main, ["towns", "网格法律诊所", "--evidence", "--graph", built, "--format", "json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert (row["town"], row["county"], row["reports"]) == ("岔河镇", "如东县", "1")
    assert "“网格法律诊所”" in row["example"]


def test_towns_binds_the_name_never_pastes_it(runner, built):
    result = runner.invoke(main, ["towns", '三所联动" } ; DROP ALL ; #', "--graph", built])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no town names '三所联动\" } ; DROP ALL ; #'"


def test_mechanisms_of_a_town(runner, built):
    result = runner.invoke(main, ["mechanisms", "岔河镇", "--graph", built, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["kind"] for r in rows} == {"mechanism"}
    assert "网格法律诊所" in {r["concept"] for r in rows}


def test_query_text_file_and_stdin_agree(runner, built, tmp_path):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?r a fz:Report }"
    (tmp_path / "q.rq").write_text(q, encoding="utf-8")
    outs = [
        runner.invoke(main, ["query", q, "--graph", built, "--format", "csv"]),
        runner.invoke(main, ["query", "-f", str(tmp_path / "q.rq"), "--graph", built, "--format", "csv"]),
        runner.invoke(main, ["query", "-", "--graph", built, "--format", "csv"], input=q),
    ]
    assert [o.output for o in outs] == ["n\n5\n"] * 3


def test_query_syntax_error_is_one_line_and_exit_2(runner, built):
    result = runner.invoke(main, ["query", "SELECT ?x WHERE { ?x", "--graph", built])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("Error: SPARQL syntax error")


def test_query_refuses_updates(runner, built):
    result = runner.invoke(main, ["query", "DROP ALL", "--graph", built])
    assert result.exit_code == 2
    assert "pass --update" in result.output


def test_query_table_aligns_chinese(runner, built):
    result = runner.invoke(main, ["query", "SELECT ?t WHERE { ?b fz:usesMechanism ?m ; rdfs:label ?t } GROUP BY ?t ORDER BY ?t",
                                  "--graph", built])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "t" and set(lines[1]) == {"-"}
    assert "岔河镇" in lines


def test_query_on_a_missing_graph(runner, tmp_path):
    result = runner.invoke(main, ["query", "ASK {}", "--graph", str(tmp_path)])
    assert result.exit_code == 2
    assert "no such graph" in result.output


def test_serve_without_a_store_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["serve", str(tmp_path)])
    assert result.exit_code == 2
    assert "no store" in result.output


def test_publish_to_a_closed_port_fails_in_one_line(runner, built):
    from kg.server import free_port

    url = f"http://127.0.0.1:{free_port()}/store"
    result = runner.invoke(main, ["publish", built, "--endpoint", url])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and url in result.output


def test_a_users_vocabulary_names_concepts_in_queries(runner, built, tmp_path):
    vocab = tmp_path / "mine.ttl"
    vocab.write_text("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
                     "<https://w3id.org/fzkg/id/concept/三所联动> skos:altLabel \"三所合一调解\"@zh .\n", encoding="utf-8")
    plain = runner.invoke(main, ["towns", "三所合一调解", "--graph", built])
    assert plain.exit_code == 1
    mine = runner.invoke(main, ["towns", "三所合一调解", "--graph", built, "--vocab", str(vocab), "--format", "csv"])
    assert mine.exit_code == 0, mine.output
    assert "长冈乡,兴国县,mechanism,三所联动" in mine.output.splitlines()


def test_candidates_lists_unknown_quoted_brands(runner, tmp_path):
    (tmp_path / "r.txt").write_text("青山镇2023年度法治政府建设工作报告\n2023年，青山镇创新推出“老杨说法”调解工作室，"
                                    "打造“板凳会”议事平台。“老杨说法”调解工作室全年调解纠纷30件。", encoding="utf-8")
    result = runner.invoke(main, ["candidates", str(tmp_path), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = result.output.strip().splitlines()
    assert rows[0] == "term,kind,count,reports,adopted,example,report"
    # 创新推出|“老杨说法”: not a verb of adoption the frame knows; 打造|“板凳会”: one
    assert any(r.startswith("老杨说法,mechanism,2,1,0,") for r in rows), rows
    assert any(r.startswith("板凳会,mechanism,1,1,1,") for r in rows), rows
    assert rows.index(next(r for r in rows if r.startswith("板凳会"))) == 1  # adopted first
    ttl = runner.invoke(main, ["candidates", str(tmp_path), "--format", "ttl", "--min-count", "2"])
    assert ttl.exit_code == 0, ttl.output
    vocab = tmp_path / "next.ttl"
    vocab.write_text(ttl.output, encoding="utf-8")
    assert "concept/老杨说法>" in ttl.output and "concept/板凳会>" not in ttl.output
    # the file it writes is a vocabulary the next run reads: the term is no longer a candidate
    again = runner.invoke(main, ["candidates", str(tmp_path), "--vocab", str(vocab), "--format", "csv"])
    assert again.exit_code == 0 and not any(r.startswith("老杨说法,") for r in again.output.splitlines())


def test_viz_draws_a_neighbourhood(runner, built, tmp_path):
    out = tmp_path / "v.html"
    result = runner.invoke(main, ["viz", "--graph", built, "--mechanism", "三所联动", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "长冈乡" in page and "岔河镇" not in page and "http://" not in page.split("<script")[0]
    county = runner.invoke(main, ["viz", "--graph", built, "--county", "如东县", "-o", str(out)])
    assert county.exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "岔河镇" in page and "长冈乡" not in page
    assert oct(out.stat().st_mode & 0o777) != "0o600"  # readable like any file the user writes
    none = runner.invoke(main, ["viz", "--graph", built, "--town", "不存在镇", "-o", str(out)])
    assert none.exit_code == 1 and none.output.strip() == "Error: no town matches these filters"


def test_ctrl_c_in_any_command_is_one_line_and_130(runner, built, monkeypatch):
    """Not click's "Aborted!" and exit 1: the same line and status as the build and the query."""
    from kg.pages import map as map_page

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(map_page, "map_html", interrupted)
    result = runner.invoke(main, ["map", "三所联动", "--graph", str(built), "-o", "never.html"])
    assert result.exit_code == 130
    assert result.output.strip().splitlines() == ["interrupted"]
