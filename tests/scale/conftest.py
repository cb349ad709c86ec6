"""Shared fixtures for the scale tests: sample input, isolated embedding caches, one local Dask cluster."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from textmine.classify import ZeroShotCoder
from textmine.classify.table import code_dataframe
from textmine.codebook import load_codebook
from textmine.distributed import code_with_dask
from textmine.io import read_table

from textmine.paths import DEFAULT_CODEBOOK, SAMPLE_DIR, cache_dir

TEXT_COL = "fritekst_generell"


@pytest.fixture(scope="session")
def warm_cache() -> Path:
    """The user cache with the e5 model built and the preprocessing resources loaded once."""
    from textmine.embed.e5_build import ensure_built
    from textmine.preprocess import clean_texts

    ensure_built()
    clean_texts(["Ventetiden på telefon er for lang."])
    return cache_dir()


@pytest.fixture(scope="session")
def fresh_cache(warm_cache, tmp_path_factory):
    """Factory: a cache dir sharing the built model/lexicons but with an EMPTY embedding store.

    Each coding run gets its own, so no run can reuse vectors another run computed in other batches.
    """

    def make(tag: str) -> Path:
        d = tmp_path_factory.mktemp(f"cache-{tag}")
        for entry in warm_cache.iterdir():
            if entry.name != "embeddings":
                (d / entry.name).symlink_to(entry)
        return d

    return make


@pytest.fixture(scope="session")
def sample_input(tmp_path_factory) -> Path:
    """A few hundred survey rows from both sample waves (most with a comment), as CSV, in a fixed order."""
    frames = []
    for wave in (2022, 2023):
        df = pd.read_csv(SAMPLE_DIR / f"arbeidsgiver_{wave}.csv", dtype=str, keep_default_na=False)
        with_text = df[df[TEXT_COL].str.strip() != ""].head(55)
        without = df[df[TEXT_COL].str.strip() == ""].head(10)
        frames.append(pd.concat([with_text, without]).sort_index())
    out = tmp_path_factory.mktemp("input") / "survey.csv"
    pd.concat(frames, ignore_index=True).to_csv(out, index=False)
    return out


@pytest.fixture(scope="session")
def codebook_path() -> Path:
    return DEFAULT_CODEBOOK


@pytest.fixture(scope="session")
def dask_cluster(fresh_cache):
    """A local 2-worker Dask cluster (separate processes) with its own empty embedding store."""
    from dask.distributed import LocalCluster

    env = {"TEXTMINE_CACHE_DIR": str(fresh_cache("workers")), "HF_HUB_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false"}
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, env=env)
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(scope="session")
def in_cache():
    """``with in_cache(path):`` points TEXTMINE_CACHE_DIR at ``path`` for this process (and processes it starts)."""
    import contextlib

    @contextlib.contextmanager
    def cm(path: Path):
        old = os.environ.get("TEXTMINE_CACHE_DIR")
        os.environ["TEXTMINE_CACHE_DIR"] = str(path)
        try:
            yield
        finally:
            if old is None:
                os.environ.pop("TEXTMINE_CACHE_DIR", None)
            else:
                os.environ["TEXTMINE_CACHE_DIR"] = old

    return cm


@pytest.fixture(scope="session")
def text_col() -> str:
    return TEXT_COL


@pytest.fixture(scope="session")
def rows_per_partition() -> int:
    return 45


@pytest.fixture(scope="session")
def local_result(sample_input, codebook_path, text_col, fresh_cache, in_cache):
    """The single-process path exactly as `textmine code --engine local` runs it (own empty embedding store)."""
    with in_cache(fresh_cache("local")):
        coder = ZeroShotCoder(load_codebook(codebook_path))
        return code_dataframe(coder, read_table(sample_input), text_col, batch_size=2000)


@pytest.fixture(scope="session")
def dask_result(sample_input, codebook_path, text_col, dask_cluster, tmp_path_factory, rows_per_partition):
    """The Dask path on the 2-worker cluster, addressed by its scheduler address."""
    out = tmp_path_factory.mktemp("dask-out")
    info = code_with_dask(sample_input, out, codebook_path, None, text_col, dask_cluster.scheduler_address,
                          rows_per_partition=rows_per_partition)
    return info, out


def in_process_cluster(threads: int = 1):
    """One in-process Dask worker with ``threads`` threads (a generator for fixtures: yields the cluster)."""
    from dask.distributed import LocalCluster

    cl = LocalCluster(n_workers=1, threads_per_worker=threads, processes=False, dashboard_address=":0")
    try:
        yield cl
    finally:
        cl.close()


@pytest.fixture(scope="module")
def cluster():
    """One in-process Dask worker (threads), per test module: for tests that patch the coder in-process."""
    yield from in_process_cluster(1)
