"""The command line: the only package that knows about click (``common`` prints results,
``map`` and ``analysis`` hold commands of their own).

Library errors become one ``Error: …`` line and an exit code:
0 done, 1 some inputs failed (the rest was built), 2 usage or query error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import GraphError, InputError, LimitError, QueryError, RunError, VocabularyError
from ..kinds import KIND_KEYS
from ..query import GraphStore, Result, is_update
from ..readers import DEFAULT_MAX_BYTES, ReadLimits
from ..readers.base import MB
from .common import (DEFAULT_OUT, UsageFail, format_option, format_result, graph_option, open_graph as _open,
                     vocab_option)

DEFAULT_INPUT = Path("examples") / "reports"


class _Commands(click.Group):
    """Ctrl-C anywhere in a command (even while it imports its stage) ends in one line and 130,
    where click would print "Aborted!" and exit 1; commands with more to say catch it first."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Build and query a knowledge graph of rule-of-law reports (法治政府建设年度报告).

    \b
    Example:
      kg build examples/reports --out outputs
      kg towns 三所联动
    """


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Build folder: graph.ttl, graph.nt, store/, manifest.json, texts/, network.html.")
@vocab_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes [default: all cores].")
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Files larger than this are refused.")
@click.option("--max-unpacked", type=click.IntRange(min=1), default=ReadLimits.max_unpacked // MB, show_default=True,
              help="A .docx whose XML unpacks to more MB than this is refused (before it is unpacked).")
@click.option("--max-pages", type=click.IntRange(min=1), default=ReadLimits.max_pages, show_default=True,
              help="A PDF with more pages than this is refused.")
@click.option("--max-chars", type=click.IntRange(min=1), default=ReadLimits.max_chars, show_default=True,
              help="A file whose text runs past this many characters is refused.")
@click.option("--rebuild", is_flag=True, help="Ignore the extraction cache and extract every report again.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary line; errors only.")
def build(inputs: tuple[Path, ...], out_dir: Path, vocab: tuple[Path, ...], jobs: int | None, max_bytes: int,
          max_unpacked: int, max_pages: int, max_chars: int, rebuild: bool, quiet: bool) -> None:
    """Read reports (files or folders) and write the graph, its store and the network page.

    With no INPUTS, builds the bundled sample reports in examples/reports.
    Each unreadable input gets one line on stderr (FILE: reason) and the
    rest goes on. Exit status: 0 every input read, 1 some failed, 2 usage
    error, 130 interrupted (the previous outputs are left as they were).

    \b
    Example:
      kg build reports/ more.txt --out out/
    """
    from ..build import build as run_build  # keep `kg query` start-up light
    from ..layout import FolderBusy, note_last_build

    if not inputs:
        if not DEFAULT_INPUT.is_dir():
            raise UsageFail(f"no inputs given and no {DEFAULT_INPUT}/ here")
        inputs = (DEFAULT_INPUT,)

    def report(record) -> None:
        if record.status == "failed":
            click.echo(f"{record.path}: {record.reason}", err=True)
        elif quiet:
            return
        elif record.status == "ok":  # built, with a warning
            click.echo(f"{record.path}: warning: {record.warning}", err=True)
        else:
            click.echo(f"{record.path}: {record.status} ({record.reason})", err=True)

    try:
        limits = ReadLimits(max_bytes, max_unpacked * MB, ReadLimits.max_parts, max_pages, max_chars)
        result = run_build(inputs, out_dir, vocab=vocab, jobs=jobs, limits=limits, rebuild=rebuild,
                           on_error=report, progress=None if quiet else _progress)
    except (VocabularyError, InputError, FolderBusy) as exc:  # a bad vocabulary, a missing input, a busy folder
        raise UsageFail(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("interrupted: previous outputs left as they were", err=True)
        sys.exit(130)
    note_last_build(out_dir)
    if not quiet:
        mb = result.bytes_read / 1e6
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
        if result.store_update:
            stages += "; store updated, {} reports loaded, {} deleted".format(*result.store_update)
            stages += ", compacted" if result.compacted else ""
        if result.pages_update and result.pages_update[0] < result.pages_update[1]:
            stages += "; pages: {} of {} bodies folded again".format(*result.pages_update)
        click.echo(f"{result.reports} reports, {result.mentions} mentions, {len(result.concepts)} concepts, "
                   f"{result.triples} triples in {result.seconds:.1f} s ({mb / max(result.seconds, 1e-9):.2f} MB/s;"
                   f" {stages}) -> {out_dir}", err=True)
    if result.failed:
        sys.exit(1)


def _progress(items, total: int):
    """A progress bar on stderr when it is a terminal."""
    if total < 2 or not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, unit="report", file=sys.stderr, leave=False)


def _limit_options(command):
    """--timeout, --max-memory: what one query may take (kg query, kg serve)."""
    from ..sandbox import DEFAULT_MAX_MEMORY, DEFAULT_TIMEOUT

    command = click.option("--max-memory", type=click.IntRange(min=0), default=DEFAULT_MAX_MEMORY,
                           show_default=True, metavar="MB",
                           help="Memory one query may take, in MB (its process's address space); 0: no limit.")(command)
    return click.option("--timeout", type=click.FloatRange(min=0), default=DEFAULT_TIMEOUT, show_default=True,
                        metavar="S", help="Stop a query after S seconds; 0: no limit.")(command)


@main.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "query_file", type=click.File("r", encoding="utf-8"), help="Read the query from a file.")
@graph_option
@format_option
@vocab_option
@click.option("--update", "allow_update", is_flag=True,
              help="Allow SPARQL Update (INSERT, DELETE, DROP …): changes the store or rewrites the file.")
@_limit_options
@click.option("--max-rows", type=click.IntRange(min=0), default=100_000, show_default=True, metavar="N",
              help="Print at most this many rows (or triples) and say so on stderr; 0: no limit.")
@click.option("--allow-service", is_flag=True,
              help="Allow SERVICE (and LOAD), which make the query engine connect to other hosts.")
def query(sparql: str | None, query_file, graph_path: str, fmt: str, vocab: tuple[Path, ...],
          allow_update: bool, timeout: float, max_memory: int, max_rows: int, allow_service: bool) -> None:
    """Run a SPARQL query (text, -f FILE, or - for stdin).

    Prefixes fz:, skos:, rdfs:, rdf:, dct:, xsd:, prov:, org:, owl: are predeclared.
    The query runs in a child process that is stopped after --timeout
    seconds, past --max-memory MB, or on Ctrl-C. Exit status: 0 answered,
    1 failed while running (a SERVICE call), 2 syntax error, missing graph
    or refused query, 3 stopped by --timeout or --max-memory, 130
    interrupted.

    \b
    Example:
      kg query 'SELECT ?t WHERE { ?t fz:usesMechanism ?m } LIMIT 5'
      kg query -f big.rq --timeout 600 --max-memory 8000 --max-rows 0 --format csv > all.csv
    """
    from ..sandbox import Limits, refusal, run_query

    if query_file is not None:
        text = query_file.read()
    elif sparql == "-":
        text = sys.stdin.read()
    elif sparql:
        text = sparql
    else:
        raise UsageFail("give a query, -f FILE, or - to read stdin")
    if allow_update and is_update(text):
        reason = refusal(text, allow_service=allow_service, allow_update=True)
        if reason is not None:
            raise UsageFail(reason)
        try:
            GraphStore.open(graph_path, vocab=vocab, writable=True).update(text)
        except (QueryError, GraphError) as exc:
            raise UsageFail(str(exc)) from None
        click.echo("updated", err=True)
        return
    limits = Limits(timeout=timeout or None, max_memory=max_memory or None, max_rows=max_rows or None)
    try:
        result, cut = run_query(graph_path, text, vocab=vocab, limits=limits, allow_service=allow_service)
    except LimitError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(3)
    except RunError as exc:
        raise click.ClickException(str(exc)) from None
    except (QueryError, GraphError) as exc:
        raise UsageFail(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("interrupted: query stopped", err=True)
        sys.exit(130)
    click.echo(format_result(result, fmt))
    if cut:
        click.echo(f"only the first {max_rows:,} rows are shown (--max-rows {max_rows})", err=True)


@main.command()
@click.argument("name")
@click.option("--evidence", is_flag=True, help="Add how many of each town's reports name it, and one sentence.")
@click.option("--province", default=None, help="Only the towns in this province (河南 or 河南省).")
@click.option("--county", default=None, help="Only the towns in this county, district or county-level city.")
@graph_option
@format_option
@vocab_option
def towns(name: str, evidence: bool, province: str | None, county: str | None, graph_path: str, fmt: str,
          vocab: tuple[Path, ...]) -> None:
    """Which towns name a concept (prefLabel or altLabel, else any label containing NAME).

    \b
    Example:
      kg towns 三所联动
      kg towns 网格法律诊所 --evidence --format csv
      kg towns 三所联动 --province 河南
    """
    result = _open(graph_path, vocab).towns(name, evidence=evidence, province=province, county=county)
    if not result.rows:
        where = " in ".join(x for x in (county, province) if x)
        raise click.ClickException(f"no town names {name!r}" + (f" in {where}" if where else ""))
    click.echo(format_result(result, fmt))


@main.command()
@click.option("--province", default=None, help="Only the bodies in this province (河南 or 河南省).")
@click.option("--county", default=None, help="Only the bodies in this county, district or county-level city.")
@click.option("--unresolved", is_flag=True, help="Only the bodies the gazetteer did not resolve (ambiguous, not found).")
@graph_option
@format_option
def places(province: str | None, county: str | None, unresolved: bool, graph_path: str, fmt: str) -> None:
    """The reporting bodies: where each sits (county, city, province, division code) and how it
    was placed in the national gazetteer (stated, unique, villages, context; ambiguous, not-found).

    \b
    Example:
      kg places --province 河南
      kg places --unresolved --format csv
    """
    result = _open(graph_path).places(province=province, county=county, unresolved=unresolved)
    if not result.rows:
        raise click.ClickException("no body matches these filters")
    click.echo(format_result(result, fmt))


@main.command()
@click.argument("town")
@click.option("--kind", type=click.Choice([*KIND_KEYS, "all"]),
              default="mechanism", show_default=True, help="Which kind of concept to list.")
@graph_option
@format_option
@vocab_option
def mechanisms(town: str, kind: str, graph_path: str, fmt: str, vocab: tuple[Path, ...]) -> None:
    """What a town's reports name: its mechanisms (or --kind ...).

    \b
    Example:
      kg mechanisms 岔河镇 --kind all
    """
    result = _open(graph_path, vocab).concepts_of(town)
    if kind != "all":
        k = result.variables.index("kind")
        result = Result(result.variables, tuple(r for r in result.rows if r[k] == kind))
    if not result.rows:
        raise click.ClickException(f"no {kind if kind != 'all' else 'concept'} found for {town!r}")
    click.echo(format_result(result, fmt))


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KIND_KEYS),
              help="Only these kinds; repeatable.")
@click.option("--min-count", default=1, show_default=True, help="Only terms seen at least this often.")
@click.option("--min-reports", default=1, show_default=True, help="Only terms this many reports use.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "ttl"]), default="table",
              show_default=True, help="Output format; ttl writes SKOS concepts to edit and pass with --vocab.")
@vocab_option
def candidates(inputs: tuple[Path, ...], kinds: tuple[str, ...], min_count: int, min_reports: int, fmt: str,
               vocab: tuple[Path, ...]) -> None:
    """List terms found by pattern that the vocabulary lacks, for a curator to promote.

    Each term comes with its kind, how often and in how many reports it was
    seen, in how many a verb of adoption leads it (推行/建立/实行/落实 … X:
    those come first) and one example sentence. Keep the ones you accept in
    a SKOS file (--format ttl writes one to edit) and pass it with --vocab.

    \b
    Example:
      kg candidates reports/ --kind mechanism --format csv > new-terms.csv
      kg candidates reports/ --min-reports 3 --format ttl > next.ttl
    """
    from ..build import read_and_extract
    from ..extract.candidates import as_turtle, candidates as find

    if not inputs:
        if not DEFAULT_INPUT.is_dir():
            raise UsageFail(f"no inputs given and no {DEFAULT_INPUT}/ here")
        inputs = (DEFAULT_INPUT,)
    try:
        lexicon, extractions, failed, _ = read_and_extract(
            inputs, vocab=vocab, on_error=lambda r: click.echo(f"{r.path}: {r.reason}", err=True))
    except (VocabularyError, InputError) as exc:
        raise UsageFail(str(exc)) from None
    found = find(extractions, lexicon, min_count=min_count, min_reports=min_reports, kinds=kinds or None)
    if fmt == "ttl":
        click.echo(as_turtle(found))
    else:
        rows = tuple((c.label, c.kind, str(c.count), str(c.reports), str(c.framed), c.example, c.source)
                     for c in found)
        columns = ("term", "kind", "count", "reports", "adopted", "example", "report")
        click.echo(format_result(Result(columns, rows), fmt))
    if failed:
        sys.exit(1)


@main.command()
@graph_option
@click.option("--mechanism", "concept", default=None, help="Only the towns linked to this concept (any kind), and theirs.")
@click.option("--county", default=None, help="Only the towns under this county (or any division above them).")
@click.option("--town", default=None, help="Only this town (label, else any label containing it).")
@click.option("--max-nodes", type=click.IntRange(min=1), default=1500, show_default=True,
              help="Draw at most this many nodes (the most connected).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("view.html"), show_default=True,
              help="Where to write the page.")
@vocab_option
def viz(graph_path: str, concept: str | None, county: str | None, town: str | None, max_nodes: int,
        output: Path, vocab: tuple[Path, ...]) -> None:
    """Draw the network, or one neighbourhood of it, as a self-contained page.

    Filters narrow the towns drawn; each town comes with everything its
    reports name. Without filters, the whole graph (up to --max-nodes).

    \b
    Example:
      kg viz --mechanism 三所联动 -o sansuo.html
      kg viz --county 如东县 --max-nodes 3000 -o rudong.html
    """
    from ..layout import write_atomic
    from ..pages.network import network_html

    store = _open(graph_path, vocab)
    title = "fazhi-kg network"
    source: object = store
    if concept or county or town:
        bodies = store.bodies(town=town, county=county, concept=concept)
        if not bodies:
            raise click.ClickException("no town matches these filters")
        source = store.neighbourhood(bodies)
        title += " — " + " · ".join(f"{k} {v}" for k, v in (("mechanism", concept), ("county", county),
                                                            ("town", town)) if v)
    write_atomic(output, network_html(source, max_nodes=max_nodes, title=title))
    click.echo(f"{output}", err=True)


@main.command()
@click.argument("build_dir", required=False, default=str(DEFAULT_OUT), type=click.Path(path_type=Path))
@click.option("--port", default=7878, show_default=True, help="TCP port.")
@click.option("--public", is_flag=True,
              help="Listen on every interface and answer any Host header (no authentication: trusted networks only).")
@_limit_options
def serve(build_dir: Path, port: int, public: bool, timeout: float, max_memory: int) -> None:
    """Serve a build's store read-only over SPARQL (the SPARQL 1.1 Protocol at /query).

    Listens on 127.0.0.1 and answers only requests addressed to localhost,
    127.0.0.1 or [::1] unless --public. Each query runs in its own process,
    stopped after --timeout seconds, past --max-memory MB, or when its
    client hangs up; SERVICE and /update are refused (403). Prints the
    endpoint URL; Ctrl-C stops it.

    \b
    Example:
      kg serve outputs --port 7878
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * { ?s ?p ?o } LIMIT 3' http://127.0.0.1:7878/query
    """
    from ..sandbox import Limits
    from ..server import serve as run_server

    def ready(url: str) -> None:
        click.echo(f"SPARQL endpoint: {url}  (read-only; Ctrl-C to stop)", err=True)

    limits = Limits(timeout=timeout or None, max_memory=max_memory or None, max_rows=None)
    try:
        code = run_server(build_dir, host="0.0.0.0" if public else "127.0.0.1", port=port, on_ready=ready,
                          public=public, limits=limits)
    except GraphError as exc:
        raise UsageFail(str(exc)) from None
    sys.exit(code)


@main.command()
@click.argument("build", type=click.Path(path_type=Path))
@click.option("--endpoint", required=True, help="A SPARQL 1.1 Graph Store Protocol URL (Oxigraph …/store, Fuseki …/data).")
@click.option("--graph-iri", default=None, help="Load into this named graph instead of the default graph.")
@click.option("--append", is_flag=True, help="Add to the graph instead of replacing it.")
def publish(build: Path, endpoint: str, graph_iri: str | None, append: bool) -> None:
    """Load a build (its graph.nt) into any SPARQL Graph Store endpoint.

    \b
    Example:
      kg publish outputs --endpoint http://127.0.0.1:7878/store --graph-iri https://example.org/fazhi/2024
    """
    from ..server import publish as run_publish, redact

    try:
        n = run_publish(build, endpoint, graph_iri=graph_iri, replace=not append)
    except GraphError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{n} triples sent to {redact(endpoint)}", err=True)


from .analysis import COMMANDS as ANALYSIS_COMMANDS  # noqa: E402  (kg spread, similar, compare, together)
from .map import map_command  # noqa: E402  (kg map: a module of its own, given our options)

main.add_command(map_command(graph_option, vocab_option, _open))
for _command in ANALYSIS_COMMANDS:
    main.add_command(_command)
