"""ResultCache: repeated /classify comments are answered from memory, keyed by a hash (no raw text held)."""

import threading

from service.resultcache import ResultCache

SECRET = "Ring Kari på 91234567 om sykmeldingen"


def _recorder(calls: list[list[str]]):
    def compute(coder, texts):
        calls.append(list(texts))
        return [{"text_redacted": t.replace("91234567", "[TELEFON]"), "themes": f"{coder}:{len(t)}",
                 "score_a": len(t) / 100} for t in texts]

    return compute


def test_only_distinct_uncached_texts_are_computed_and_answers_are_equal():
    calls: list[list[str]] = []
    cache = ResultCache(100)
    first = cache.records("c", ["a", "bb", "a", SECRET], _recorder(calls))
    again = cache.records("c", [SECRET, "bb", "new"], _recorder(calls))
    assert calls == [["a", "bb", SECRET], ["new"]]  # duplicates in a batch coded once; repeats not again
    assert again[0] == first[3] and again[1] == first[1]
    assert first[0] == first[2] and first[0]["themes"] == "c:1"
    assert (cache.hits, cache.misses) == (2, 4)
    assert cache.get_many("c", ["bb", "zzz"])[1] is None


def test_cached_records_are_fresh_copies_and_hold_no_raw_text():
    cache = ResultCache(100)
    rec = cache.records("c", [SECRET], _recorder([]))[0]
    rec["themes"] = "changed by the caller"
    assert cache.get_many("c", [SECRET])[0]["themes"] == "c:37"
    held = repr(cache._items)
    assert "91234567" not in held and SECRET not in held  # keys are digests; values are the redacted record
    assert all(isinstance(k, bytes) and len(k) == 32 for k in cache._items)


def test_lru_bound_another_coder_and_off_switch():
    calls: list[list[str]] = []
    cache = ResultCache(2)
    cache.records("c", ["a", "b"], _recorder(calls))
    cache.records("c", ["a"], _recorder(calls))  # a is now the most recent
    cache.records("c", ["c"], _recorder(calls))  # evicts b
    assert len(cache) == 2 and cache.get_many("c", ["b"]) == [None] and cache.get_many("c", ["a"])[0] is not None
    other = cache.records("d", ["a"], _recorder(calls))  # another coder: its own results, the old ones dropped
    assert other[0]["themes"] == "d:1" and calls[-1] == ["a"] and len(cache) == 1
    off = ResultCache(0)
    off.records("c", ["a", "a"], _recorder(calls))
    off.records("c", ["a"], _recorder(calls))
    assert calls[-2:] == [["a"], ["a"]] and len(off) == 0  # nothing kept between calls


def test_concurrent_callers_get_their_own_rows():
    cache = ResultCache(1000)
    results: dict[int, list] = {}

    def worker(i: int) -> None:
        texts = [f"t{(i * 7 + j) % 50}" for j in range(30)]
        results[i] = (texts, cache.records("c", texts, _recorder([])))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for texts, recs in results.values():
        assert [r["text_redacted"] for r in recs] == texts
