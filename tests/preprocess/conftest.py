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
