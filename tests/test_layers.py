"""The import graph keeps the layers of docs/architecture.md ("Layers").

Dependencies point one way: `core`, then `regions`, `places`, `people`, then `ledgers` and
`cases` (and the features to come), the API on top. The generic engines sit just above what they
need (the ledger import engine knows regions, for the job's region; the indicators and the
region-bound registry know less) and import no feature app: apps register with them. Every import
counts for the layers, those inside functions and under `TYPE_CHECKING` too: a deferred import is
still a dependency. No two modules import each other, directly or round a longer loop, when they
run: there an import under `TYPE_CHECKING` (for an annotation, never executed) does not count,
one inside a function does.
"""

from __future__ import annotations

from functools import cache

import grimp

ROOT = "wangge"

# Lowest first. Apps on one line are peers (they may import each other, modules never in a loop);
# nothing on a lower line may import them.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("regions",),
    ("places",),
    ("people",),
    ("ledgers", "cases", "window"),
    ("api",),
)

# Modules whose layer is not their app's: the generic engines (lowest first, at the layer of what
# they import) and an app's API module (it belongs to the API on top).
ENGINES: dict[str, str] = {
    "wangge.core.indicators": "core",
    "wangge.core.exports": "core",
    "wangge.regions.owned": "regions",
    # The ledger import engine: kinds, readers, checks, jobs, pages. It knows the region tree.
    "wangge.ledgers": "regions",
}
MODULE_LAYERS: dict[str, str] = {
    **ENGINES,
    # The people ledger kind's implementation, which still lives in the ledgers package: it is the
    # people app's (registered from wangge/people/ledger_kinds.py), so it may read places and people.
    "wangge.ledgers.people_plan": "people",
    "wangge.ledgers.people_schema": "people",
    "wangge.ledgers.people_write": "people",
    "wangge.ledgers.places": "people",
    # The place pages show who lives where (people.homes): they sit above people.
    "wangge.places.views": "people",
    "wangge.places.urls": "people",
    "wangge.cases.api": "api",
}

# Violations that other work in progress removes; a violation not listed fails the test.
PENDING: dict[tuple[str, str], str] = {}
PENDING_CYCLES: set[frozenset[str]] = set()  # loops among (some of) these modules


@cache
def graph(*, annotations: bool = True) -> grimp.ImportGraph:
    """The imports between wangge's modules; `annotations=False` leaves out those under TYPE_CHECKING."""
    return grimp.build_graph(
        ROOT, include_external_packages=False, exclude_type_checking_imports=not annotations, cache_dir=None
    )


def rank(layer: str) -> int:
    return next(i for i, line in enumerate(LAYERS) if layer in line)


def _entry(module: str) -> str | None:
    """The most specific entry of MODULE_LAYERS that holds the module."""
    parts = module.split(".")
    for end in range(len(parts), 1, -1):
        prefix = ".".join(parts[:end])
        if prefix in MODULE_LAYERS:
            return prefix
    return None


def layer_of(module: str) -> str:
    entry = _entry(module)
    return MODULE_LAYERS[entry] if entry is not None else module.split(".")[1]


def is_engine(module: str) -> bool:
    return _entry(module) in ENGINES


def upward_imports(g: grimp.ImportGraph) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for importer in sorted(g.modules):
        if importer == ROOT:
            continue
        for imported in g.find_modules_directly_imported_by(importer):
            if imported == ROOT or rank(layer_of(imported)) <= rank(layer_of(importer)):
                continue
            details = g.get_import_details(importer=importer, imported=imported)
            found[(importer, imported)] = [f"line {d['line_number']}: {d['line_contents']}" for d in details] or ["?"]
    return found


def module_cycles(g: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iteratively)."""
    modules = sorted(g.modules)
    edges = {m: sorted(g.find_modules_directly_imported_by(m)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in modules:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if child < len(edges[node]):
                work.append((node, child + 1))
                nxt = edges[node][child]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_every_app_has_a_layer() -> None:
    apps = {m.split(".")[1] for m in graph().modules if m != ROOT}
    assert apps <= {app for line in LAYERS for app in line}, "a new app: give it its place in LAYERS"


def test_no_module_imports_a_higher_layer() -> None:
    found = upward_imports(graph())
    unexpected = {pair: lines for pair, lines in found.items() if pair not in PENDING}
    assert not unexpected, "\n".join(
        f"{a} ({layer_of(a)}) imports {b} ({layer_of(b)}): {'; '.join(lines)}" for (a, b), lines in unexpected.items()
    )


def test_engines_import_no_feature_app() -> None:
    features = {app for line in LAYERS[2:] for app in line}
    g = graph()
    wrong = [
        (engine, imported)
        for engine in sorted(g.modules)
        if is_engine(engine)
        for imported in g.find_modules_directly_imported_by(engine)
        if imported != ROOT and layer_of(imported) in features and (engine, imported) not in PENDING
    ]
    assert not wrong


def test_no_import_cycles_between_modules() -> None:
    cycles = [c for c in module_cycles(graph(annotations=False)) if not any(set(c) <= p for p in PENDING_CYCLES)]
    assert not cycles, cycles


def test_the_checks_find_what_they_look_for() -> None:
    """The graph holds the imports the checks read (a check over an empty graph would pass)."""
    g = graph()
    assert "wangge.regions.models" in g.find_modules_directly_imported_by("wangge.people.models")
    assert layer_of("wangge.ledgers.kinds") == "regions" and is_engine("wangge.ledgers.kinds")
    assert layer_of("wangge.ledgers.people_write") == "people" and not is_engine("wangge.ledgers.people_write")
    assert rank("core") < rank("regions") < rank("places") < rank("people") < rank("cases") < rank("api")


def test_an_upward_import_and_a_loop_are_found() -> None:
    g = grimp.ImportGraph()
    for module in ("wangge", "wangge.core.a", "wangge.people.b", "wangge.people.c", "wangge.ledgers.kinds"):
        g.add_module(module)
    g.add_import(importer="wangge.core.a", imported="wangge.people.b")  # core reads people
    g.add_import(importer="wangge.people.b", imported="wangge.people.c")
    g.add_import(importer="wangge.people.c", imported="wangge.people.b")  # a loop
    g.add_import(importer="wangge.people.c", imported="wangge.ledgers.kinds")  # an app uses an engine: fine
    assert list(upward_imports(g)) == [("wangge.core.a", "wangge.people.b")]
    assert module_cycles(g) == [["wangge.people.b", "wangge.people.c"]]
