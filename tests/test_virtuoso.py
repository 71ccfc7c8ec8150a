"""kg publish into a second engine: Virtuoso 7 from Debian's packages (``virtuoso-opensource``).

The test starts its own Virtuoso on 127.0.0.1 with a database in a temporary
folder and a virtuoso.ini it writes, publishes the sample build through the
authenticated Graph Store endpoint (HTTP Digest), then asks Virtuoso's /sparql
what ``kg`` answers on the same build. Skips where Virtuoso is not installed.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.server import free_port

VIRTUOSO = shutil.which("virtuoso-t")
GRAPH = "https://example.org/fazhi/test"
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# the README's "which towns use 三所联动" query, its prefixes spelled out for another engine
TOWNS = """PREFIX fz: <https://w3id.org/fzkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?town FROM <%s> WHERE {
  ?t fz:usesMechanism ?m ; rdfs:label ?town .
  ?m skos:prefLabel|skos:altLabel "三所联动"@zh .
}""" % GRAPH

pytestmark = pytest.mark.skipif(VIRTUOSO is None, reason="virtuoso-opensource is not installed")

INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
CaseMode = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerThreads = 4
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A Virtuoso of our own on free loopback ports; its HTTP base URL. Stopped afterwards."""
    home = tmp_path_factory.mktemp("virtuoso")
    (home / "db").mkdir()
    port = free_port()
    (home / "virtuoso.ini").write_text(INI.format(db=home / "db", sql=free_port(), http=port), encoding="utf-8")
    log = (home / "out.log").open("wb")
    proc = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(home / "virtuoso.ini")], cwd=home,
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"virtuoso exited with {proc.returncode}: {(home / 'out.log').read_text()[-500:]}")
            try:
                ask(base, "ASK {}")
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail("virtuoso did not answer within 90 s")
                time.sleep(0.3)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)  # Virtuoso checkpoints and exits
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def ask(base: str, query: str) -> dict:
    url = f"{base}/sparql?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with DIRECT.open(request, timeout=30) as response:
        return json.loads(response.read().decode("utf-8"))


def test_publish_to_virtuoso_with_digest_and_ask_it_the_readme_question(virtuoso, sample_build):
    _, out = sample_build
    runner = CliRunner()
    endpoint = virtuoso.replace("http://", "http://dba:dba@") + "/sparql-graph-crud-auth"
    sent = runner.invoke(main, ["publish", str(out), "--endpoint", endpoint, "--graph-iri", GRAPH])
    assert sent.exit_code == 0, sent.output
    triples = sum(1 for line in (out / "graph.nt").read_bytes().splitlines() if line.strip())
    assert sent.output == f"{triples} triples sent to {virtuoso.replace('http://', 'http://dba:***@')}" \
                          "/sparql-graph-crud-auth\n"

    counted = ask(virtuoso, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    assert int(counted["results"]["bindings"][0]["n"]["value"]) == triples

    towns = {row["town"]["value"] for row in ask(virtuoso, TOWNS)["results"]["bindings"]}
    ours = runner.invoke(main, ["towns", "三所联动", "--graph", str(out), "--format", "json"])
    assert ours.exit_code == 0, ours.output
    assert towns == {row["town"] for row in json.loads(ours.output)} == {"长冈乡"}

    # publishing again replaces the graph (PUT): the same count, not twice it
    again = runner.invoke(main, ["publish", str(out), "--endpoint", endpoint, "--graph-iri", GRAPH])
    assert again.exit_code == 0, again.output
    counted = ask(virtuoso, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    assert int(counted["results"]["bindings"][0]["n"]["value"]) == triples


def test_wrong_password_is_one_line(virtuoso, sample_build):
    _, out = sample_build
    endpoint = virtuoso.replace("http://", "http://dba:wrong@") + "/sparql-graph-crud-auth"
    result = CliRunner().invoke(main, ["publish", str(out), "--endpoint", endpoint, "--graph-iri", GRAPH])
    assert result.exit_code == 1
    assert result.output == (f"Error: {virtuoso}/sparql-graph-crud-auth: the server refused the user name or "
                             "password (HTTP 401)\n")
