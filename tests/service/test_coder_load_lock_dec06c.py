"""A loaded coder is handed out while another coder loads: the event loop asks the CoderCache for the default
coder on every /classify request, and a trained model loading for seconds must not hold it up."""
from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from service.coders import CoderCache


def _slow_factory(started: threading.Event, release: threading.Event, loads: list):
    def factory(codebook, model_dir):
        loads.append(model_dir)
        if model_dir is not None:  # a trained model: slow
            started.set()
            release.wait(10)
        return SimpleNamespace(model_dir=model_dir)

    return factory


def _model(i):
    return SimpleNamespace(id=i, path=f"/models/{i}")


def test_the_default_coder_is_handed_out_while_a_model_loads():
    started, release, loads = threading.Event(), threading.Event(), []
    cache = CoderCache(factory=_slow_factory(started, release, loads))
    default = cache.default()
    loader = threading.Thread(target=cache.get, args=(None, _model(7), False))
    loader.start()
    try:
        assert started.wait(5)
        t0 = time.perf_counter()
        again = cache.default()
        waited = time.perf_counter() - t0
    finally:
        release.set()
        loader.join(10)
    assert again is default and waited < 1.0
    assert cache.get(None, _model(7), False).model_dir == "/models/7"
    assert loads == [None, "/models/7"]  # each loaded once


def test_two_threads_asking_for_one_model_load_it_once():
    started, release, loads = threading.Event(), threading.Event(), []
    cache = CoderCache(factory=_slow_factory(started, release, loads))
    got: list = []
    threads = [threading.Thread(target=lambda: got.append(cache.get(None, _model(3), False))) for _ in range(2)]
    for t in threads:
        t.start()
    assert started.wait(5)
    release.set()
    for t in threads:
        t.join(10)
    assert len(got) == 2 and got[0] is got[1] and loads == ["/models/3"]


def test_unloading_a_model_waits_for_its_load_then_drops_it():
    started, release, loads = threading.Event(), threading.Event(), []
    cache = CoderCache(factory=_slow_factory(started, release, loads))
    loader = threading.Thread(target=cache.get, args=(None, _model(5), False))
    loader.start()
    assert started.wait(5)
    dropped: list = []
    unloader = threading.Thread(target=lambda: dropped.append(cache.unload_model(5)))
    unloader.start()
    time.sleep(0.2)
    assert not dropped  # still waiting for the load
    release.set()
    loader.join(10)
    unloader.join(10)
    assert dropped == [1]
    cache.get(None, _model(5), False)
    assert loads == ["/models/5", "/models/5"]  # loaded again after the drop, not handed out from before
