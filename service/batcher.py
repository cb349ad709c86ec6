"""Micro-batching for /classify: concurrent single-comment requests share one coder call. The embedding cache's
memory-only mode of each request's context (``CachedEmbedder.memory_only``) is set on the coder thread for the
call that codes it: a call shared by several requests keeps every one's mode."""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

from textmine.embed.cache import memory_only_state, memory_only_states


class MicroBatcher:
    """Queue requests; while a batch runs, the next accumulates (up to ``max_texts``) and runs as one call.
    Up to ``concurrency`` calls run at once on dedicated threads (default 1: on 2 cores a second concurrent call
    gained nothing in ``bench_api``, the coder's Python work holds the GIL). ``predict`` returns one item per text
    (a list, e.g. of response records built on that thread, off the event loop); each caller gets its slice."""

    def __init__(self, predict: Callable[[list[str]], Sequence[Any]], max_texts: int = 256, concurrency: int = 1):
        self._predict = predict
        self.max_texts = max_texts
        self.concurrency = max(1, int(concurrency))
        self._executor = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="classify")
        self._queue: asyncio.Queue | None = None
        self._task: asyncio.Task | None = None
        self._loop_ref: asyncio.AbstractEventLoop | None = None

    def _ensure_started(self) -> asyncio.Queue:
        loop = asyncio.get_running_loop()
        if self._queue is None or self._task is None or self._task.done() or self._loop_ref is not loop:
            self._loop_ref = loop
            self._queue = asyncio.Queue()
            # a context of its own: the loop outlives the request that started it (and that request's mode)
            self._task = loop.create_task(self._loop(self._queue), context=contextvars.Context())
        return self._queue

    async def predict(self, texts: Sequence[str]) -> Sequence[Any]:
        state = memory_only_state()  # the caller's memory-only mode, for the coder thread
        if len(texts) >= self.max_texts:  # big batches go straight through
            return await asyncio.get_running_loop().run_in_executor(self._executor, self._call, list(texts), [state])
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._ensure_started().put_nowait((list(texts), future, state))
        return await future

    def _call(self, texts: list[str], states: list[frozenset[int]]) -> Sequence[Any]:
        """``predict`` on the coder thread, in the memory-only mode of every request of the batch."""
        with memory_only_states(*states):
            return self._predict(texts)

    async def _loop(self, queue: asyncio.Queue) -> None:
        slots = asyncio.Semaphore(self.concurrency)
        running: set[asyncio.Task] = set()
        try:
            while True:
                batch: list[tuple[list[str], Any, frozenset[int]]] = [await queue.get()]
                await slots.acquire()  # requests arriving meanwhile join this batch
                n = len(batch[0][0])
                while not queue.empty() and n < self.max_texts:
                    item = queue.get_nowait()
                    batch.append(item)
                    n += len(item[0])
                task = asyncio.get_running_loop().create_task(self._run(batch, slots))
                running.add(task)
                task.add_done_callback(running.discard)
        finally:
            for task in running:
                task.cancel()

    async def _run(self, batch: list[tuple[list[str], Any, frozenset[int]]], slots: asyncio.Semaphore) -> None:
        texts = [t for item, _, _ in batch for t in item]
        states = [state for _, _, state in batch]
        try:
            out = await asyncio.get_running_loop().run_in_executor(self._executor, self._call, texts, states)
            if len(out) != len(texts):
                raise RuntimeError(f"predict returned {len(out)} results for {len(texts)} texts")
        except Exception as exc:
            for _, fut, _ in batch:
                if not fut.done():
                    fut.set_exception(exc)
            return
        finally:
            slots.release()
        start = 0
        for item, fut, _ in batch:
            part = out[start:start + len(item)]
            start += len(item)
            if not fut.done():
                fut.set_result(part)

    async def close(self) -> None:
        if self._task is not None and self._loop_ref is asyncio.get_running_loop():
            self._task.cancel()
