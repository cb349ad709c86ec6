"""Shared fixtures: realistic comments from the sample labels, e5 rebuilt once per session, embeddings once."""

import pandas as pd
import pytest

from textmine.paths import SAMPLE_DIR


@pytest.fixture(scope="session")
def e5_root(tmp_path_factory):
    from textmine.embed.e5_build import ensure_built

    root = tmp_path_factory.getbasetemp() / "textmine-e5-cache"
    ensure_built(root)
    return root


@pytest.fixture(scope="session")
def embedder(e5_root):
    from textmine.embed import get_embedder

    return get_embedder("e5", cache_dir=e5_root)


@pytest.fixture(scope="session")
def labelled():
    df = pd.read_csv(SAMPLE_DIR / "labels_2022.csv", dtype=str, keep_default_na=False)
    return df.reset_index(drop=True)


@pytest.fixture(scope="session")
def wave(labelled, embedder):
    """~380 rows (incl. non-answers) with their cleaned frame and e5 embeddings, computed once."""
    from textmine.discover import prepare

    df = labelled.iloc[:380].reset_index(drop=True)
    texts = df["text"].tolist()
    prep = prepare(texts)
    emb = embedder.encode(prep["text_clean"].tolist())
    return df, texts, prep, emb


@pytest.fixture(scope="session")
def warm():
    from textmine.discover import warmup

    warmup()
    return True
