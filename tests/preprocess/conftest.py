import pytest


@pytest.fixture(scope="session")
def resources():
    from textmine.preprocess import default_resources

    return default_resources()


@pytest.fixture(scope="session")
def cleaner(resources):
    from textmine.preprocess import Cleaner

    return Cleaner(resources=resources).fit()


@pytest.fixture(scope="session")
def redactor(resources):
    return resources.redactor


# ---------------------------------------------------------------- table-driven redaction tests
def assert_redacts(text: str, expected: str, kind: str | None = None, exactly: int | None = None) -> None:
    """``redact(text)`` gives ``expected`` and counts ``kind`` at least once (``exactly`` times where given)."""
    from textmine.preprocess import redact

    out, counts = redact(text)
    assert out == expected, f"{text!r}: expected {expected!r}, got {out!r}"
    if kind is not None and exactly is None:
        assert counts[kind] >= 1, f"{text!r}: no {kind} counted in {counts}"
    if kind is not None and exactly is not None:
        assert counts[kind] == exactly, f"{text!r}: expected {exactly} {kind}, counted {counts}"


def redacts_to(cases: list[tuple[str, str]], kind: str | None = None, exactly: int | None = None):
    """A test, parametrized by ``cases`` (text, expected), of :func:`assert_redacts`; assign it to a ``test_`` name."""

    @pytest.mark.parametrize("text, expected", cases)
    def test(text: str, expected: str) -> None:
        assert_redacts(text, expected, kind, exactly)

    return test


def stays_as_is(texts: list[str]):
    """A test, parametrized by ``texts``, that each comes out of ``redact`` unchanged; assign it to a ``test_``
    name."""

    @pytest.mark.parametrize("text", texts)
    def test(text: str) -> None:
        assert_redacts(text, text)

    return test
