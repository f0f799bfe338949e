"""The package imports downward: no module reaches itself back through its imports, and no two of
move37's packages import each other. Imports inside functions count (they are cycles that only
show up later, in whichever order a program happens to load things); imports made only for type
checkers (`if TYPE_CHECKING:`) do not. The graph is grimp's (the library behind import-linter)."""

import itertools

import pytest

grimp = pytest.importorskip("grimp")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("move37", exclude_type_checking_imports=True)


def test_no_module_imports_itself_back(graph):
    cycles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if graph.chain_exists(importer=imported, imported=module):
                cycles.append(graph.find_shortest_chain(importer=imported, imported=module) + (imported,))
    assert cycles == []


def test_no_two_packages_import_each_other(graph):
    packages = sorted(graph.find_children("move37"))
    both_ways = [(a, b) for a, b in itertools.combinations(packages, 2)
                 if graph.chain_exists(a, b, as_packages=True) and graph.chain_exists(b, a, as_packages=True)]
    assert both_ways == []
