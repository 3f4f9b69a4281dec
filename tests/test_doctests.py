"""Every doctest in govmon's modules, one test per docstring with examples: the examples are
documentation, and documentation must stay true. Modules are imported once, under their `govmon.*` names
(pytest's own --doctest-modules would import the folders a second time under other names)."""
from __future__ import annotations

import doctest
import importlib
import pkgutil
from collections.abc import Iterator
from types import ModuleType

import pytest

PACKAGES = ("govmon.crawler", "govmon.storage", "govmon.notifiers", "govmon.monitor")


def modules() -> Iterator[ModuleType]:
    """Every module of our packages, except `__main__` (importing it runs the command line)."""
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if not info.name.endswith(".__main__"):
                yield importlib.import_module(info.name)


def doctests() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(exclude_empty=True)
    found = [test for module in modules() for test in finder.find(module, module.__name__) if test.examples]
    return sorted(found, key=lambda test: test.name)


@pytest.mark.parametrize("test", doctests(), ids=lambda test: test.name)
def test_doctest(test: doctest.DocTest) -> None:
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    result = runner.run(test, out=report.append)
    if result.failed:
        pytest.fail("".join(report), pytrace=False)
    if not result.attempted:
        pytest.skip("every example is marked +SKIP")


def test_doctests_are_found() -> None:
    """The collector itself works: the normaliser's examples, at least, are among them."""
    assert any(test.name == "govmon.crawler.extract.normalize.unaccent" for test in doctests())
