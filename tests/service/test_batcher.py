"""MicroBatcher: concurrent /classify requests share coder calls, and each caller gets exactly its own rows."""

import asyncio
import threading
import time

import pytest
from conftest import run_async

from service.batcher import MicroBatcher


def _recording_predict(calls: list[list[str]], delay: float = 0.05):
    gate = threading.Lock()

    def predict(texts: list[str]) -> list[str]:
        with gate:
            calls.append(list(texts))
        time.sleep(delay)  # while this runs, later requests queue up
        return [f"{t}!" for t in texts]

    return predict


def test_concurrent_requests_are_batched_and_sliced_in_order():
    calls: list[list[str]] = []
    batcher = MicroBatcher(_recording_predict(calls), max_texts=256)

    async def main():
        reqs = [[f"r{i}a", f"r{i}b"] if i % 3 == 0 else [f"r{i}"] for i in range(12)]
        outs = await asyncio.gather(*(batcher.predict(r) for r in reqs))
        await batcher.close()
        return reqs, outs

    reqs, outs = run_async(main)
    for r, o in zip(reqs, outs):
        assert list(o) == [f"{t}!" for t in r]
    assert sorted(t for c in calls for t in c) == sorted(t for r in reqs for t in r)  # each text coded once
    assert len(calls) < len(reqs)  # requests that arrived during a call shared the next one


def test_max_texts_bounds_a_batch_and_big_requests_go_straight_through():
    calls: list[list[str]] = []
    batcher = MicroBatcher(_recording_predict(calls, delay=0.02), max_texts=4)

    async def main():
        small = [batcher.predict([f"s{i}"]) for i in range(9)]
        big = batcher.predict([f"b{i}" for i in range(6)])
        return await asyncio.gather(*small, big)

    outs = run_async(main)
    assert list(outs[-1]) == [f"b{i}!" for i in range(6)]
    assert [f"b{i}" for i in range(6)] in calls  # one call of its own
    assert all(len(c) <= 4 for c in calls if not c[0].startswith("b"))


def test_a_failing_or_short_result_reaches_every_caller_of_that_batch():
    def bad(texts):
        return ["only one"]

    batcher = MicroBatcher(bad)

    async def main():
        return await asyncio.gather(*(batcher.predict([f"t{i}"]) for i in range(3)), return_exceptions=True)

    outs = run_async(main)
    # the first call may hold one text (then its single result is valid); every multi-text batch fails loudly
    errors = [o for o in outs if isinstance(o, Exception)]
    assert errors and all("results for" in str(e) for e in errors)


def test_server_uses_the_c_http_parser_and_uvloop():
    """httptools + uvloop are dependencies: uvicorn's auto choice must pick them (server CPU per request)."""
    uvicorn = pytest.importorskip("uvicorn")
    config = uvicorn.Config(lambda *a: None, loop="auto", http="auto")
    config.load()
    assert config.http_protocol_class.__name__ == "HttpToolsProtocol"
    import uvloop  # noqa: F401


def test_concurrency_bounds_how_many_calls_run_at_once():
    def run_with(concurrency: int) -> tuple[int, list]:
        state = {"now": 0, "peak": 0}
        lock = threading.Lock()

        def predict(texts):
            with lock:
                state["now"] += 1
                state["peak"] = max(state["peak"], state["now"])
            time.sleep(0.05)
            with lock:
                state["now"] -= 1
            return [t.upper() for t in texts]

        batcher = MicroBatcher(predict, max_texts=2, concurrency=concurrency)

        async def main():
            outs = await asyncio.gather(*(batcher.predict([f"t{i}"]) for i in range(8)))
            await batcher.close()
            return outs

        outs = run_async(main)
        return state["peak"], outs

    peak1, outs1 = run_with(1)
    peak2, outs2 = run_with(2)
    assert outs1 == outs2 == [[f"T{i}"] for i in range(8)]  # each caller still gets its own row
    assert peak1 == 1 and peak2 == 2
