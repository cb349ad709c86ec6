"""Synchronous classification of a small batch of texts. The texts' vectors are not written to the embedding cache
on disk (:func:`off_disk`): nothing ties them to a respondent, so no erasure could remove them there."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Sequence

import numpy as np
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from service import library, store
from service.auth import Principal, require_analyst
from service.coders import memory_only_embedders
from service.db.models import TrainedModel
from service.errors import ApiError
from service.modelpaths import ModelPathError
from service.schemas import ClassifiedText, ClassifyIn, ClassifyOut, ThemeScore

router = APIRouter(tags=["classify"])


@router.post("/classify", response_model=ClassifyOut)
async def classify(body: ClassifyIn, request: Request, _: Principal = Depends(require_analyst)) -> ClassifyOut:
    """Code up to 1,000 texts now (at most ``classify_max_total_chars`` characters together, default 150,000:
    longer requests hold the coder from everyone else; 422 ``too_many_characters``). Without ids the bundled
    default codebook and model are used. Responses carry only redacted text, and per text ``health_flag``: true
    when it mentions special-category data (health and the other GDPR art. 9/10 categories); such a text is coded
    all the same (its themes are given). The texts are coded in steps of 100; a client that disconnects stops
    the coding at the next step."""
    settings = request.app.state.settings
    too_long = [i for i, t in enumerate(body.texts) if len(t) > settings.max_comment_chars]
    if too_long:
        raise ApiError(422, "comment_too_long",
                       f"text {too_long[0]} is {len(body.texts[too_long[0]])} characters; the limit is "
                       f"{settings.max_comment_chars} characters per comment",
                       {"indexes": too_long[:20], "max_chars": settings.max_comment_chars})
    if len(body.texts) > settings.max_classify_texts:
        raise ApiError(422, "too_many_texts", f"at most {settings.max_classify_texts} texts per request")
    _check_total_chars(body.texts, settings.classify_max_total_chars)
    coders = request.app.state.coders
    if body.codebook_id is None and body.model_id is None:
        if coders.warmup_error is not None:
            raise ApiError(503, "model_unavailable", "the default model could not be loaded; see /readyz")
        codebook_id, model_id = None, None
        # comments coded before are answered from the result cache here; only the others queue for the coder
        if body.question is None:
            cached: list = [None] * len(body.texts)
            if coders.ready.is_set():
                cached = request.app.state.results.get_many(coders.default(), body.texts)
            missing = [t for t, rec in zip(body.texts, cached) if rec is None]
            embedders = await _default_embedders(coders) if missing else []
            fresh = iter(await code_in_steps(request, missing, off_disk(embedders, request.app.state.batcher.predict)))
            records = [rec if rec is not None else next(fresh) for rec in cached]
        else:  # coded directly: the result cache and the micro-batcher serve question-free requests
            _check_question(await _default_coder(coders), body.question)
            embedders = await _default_embedders(coders)
            records = await code_in_steps(request, body.texts, off_disk(embedders, lambda part: run_in_threadpool(
                lambda: library.frame_records(library.classify_texts(coders.default(), part, settings.cleaner_factory,
                                                                     body.question)))))
        coder = coders.default()
    else:
        def _resolve():
            with request.app.state.db.session() as session:
                # a model named alone codes with its own codebook (not checked against the default codebook)
                cb = store.resolve_codebook(session, _codebook_id_of(session, body.codebook_id, body.model_id))
                model = store.resolve_model(session, body.model_id, cb)
                coder = _coder_of(coders, cb, model)
                return cb, model, coder, coders.cached_embedders(coder)

        cb, model, coder, embedders = await run_in_threadpool(_resolve)
        _check_question(coder, body.question)
        codebook_id, model_id = cb.id, model.id if model else None
        records = await code_in_steps(request, body.texts, off_disk(embedders, lambda part: run_in_threadpool(
            lambda: library.frame_records(library.classify_texts(coder, part, settings.cleaner_factory,
                                                                 body.question)))))
    cb_obj = library.coder_codebook(coder)
    labels = {t.id: t.label for t in getattr(cb_obj, "themes", [])} if cb_obj is not None else {}
    flags = await run_in_threadpool(health_flags, body.texts, records, settings.cleaner_factory)
    return ClassifyOut(codebook_id=codebook_id, model_id=model_id,
                       results=[_one(rec, rec.get("text_redacted"), labels, flag)
                                for rec, flag in zip(records, flags, strict=True)],
                       warnings=zero_shot_warnings(coder, records))


def _coder_of(coders, cb, model):
    """The coder of a stored codebook and model; 409 ``model_folder_refused`` for a model row whose stored folder
    leads outside the models folder (never loaded)."""
    try:
        return coders.get(cb, model, default=store.is_default_codebook(cb))
    except ModelPathError as exc:
        raise ApiError(409, "model_folder_refused", f"model {model.id}: {exc}", {"model_id": model.id}) from None


def zero_shot_warnings(coder, records: Sequence[dict]) -> list[str]:
    """For texts coded zero-shot (the coder is a :class:`~textmine.classify.ZeroShotCoder`): the share check
    (:func:`textmine.classify.zeroshot.share_warning`) over this request's codes, worded for the API; [] for any
    other coder or plausible shares. A text is answered where a theme has a score above 0 (the coder scores a
    non-answer 0 on every theme). Counts and theme ids only, never a text."""
    if getattr(coder, "kind", "") != "zeroshot" or not records:
        return []
    from textmine.classify.zeroshot import share_warning

    cb = coder.codebook
    decided = np.array([[int(rec.get(f"theme_{t}") or 0) for t in cb.theme_ids] for rec in records], dtype=np.int8)
    answered = np.array([any(float(rec.get(f"score_{t}") or 0.0) > 0 for t in cb.theme_ids) for rec in records])
    msg = share_warning(cb, decided, answered, small_below=coder.BACKGROUND_MAX_THEMES)
    return [] if msg is None else [store.api_wording(msg)]


async def _default_coder(coders) -> Any:
    """The default coder: looked up here once loaded, else loaded in a worker thread."""
    return coders.default() if coders.ready.is_set() else await run_in_threadpool(coders.default)


async def _default_embedders(coders) -> list[Any]:
    """The default coder's caching embedders: known once found (no walk, no worker thread), else found in a worker
    thread (loading the coder first if need be)."""
    known = coders.known_embedders(coders.default()) if coders.ready.is_set() else None
    if known is not None:
        return known
    return await run_in_threadpool(lambda: coders.cached_embedders(coders.default()))


def health_flags(texts: list[str], records: Sequence[dict], cleaner_factory=None) -> list[bool]:
    """Per text, whether the cleaner flags special-category (health) data: the record's ``health_flag`` where the
    coding gave one, else the cleaner's flag for the text (``cleaner_factory``'s column when one is set; else the
    library's :func:`textmine.preprocess.health_flag`, the check the Cleaner runs)."""
    if all("health_flag" in rec for rec in records):
        return [bool(int(rec["health_flag"] or 0)) for rec in records]
    if cleaner_factory is not None:
        return [bool(int(v or 0)) for v in library.clean_texts(texts, (), factory=cleaner_factory)["health_flag"]]
    from textmine.preprocess import health_flag

    return [bool(health_flag(t)) for t in texts]


#: one step of a /classify request's coding: at most this many texts and characters (≈ 0.35 s of the default
#: coder's CPU time); between steps the request stops when its client has gone
STEP_TEXTS = 100
STEP_CHARS = 15_000


def steps(texts: list[str], max_texts: int = STEP_TEXTS, max_chars: int = STEP_CHARS) -> list[list[str]]:
    """``texts`` in order, cut into parts of at most ``max_texts`` texts and ``max_chars`` characters (a longer
    text is a part of its own)."""
    parts: list[list[str]] = []
    chars = 0
    for text in texts:
        if not parts or len(parts[-1]) >= max_texts or (parts[-1] and chars + len(text) > max_chars):
            parts.append([])
            chars = 0
        parts[-1].append(text)
        chars += len(text)
    return parts


async def code_in_steps(request: Request, texts: list[str], code: Callable[[list[str]], Awaitable[Sequence]]) -> list:
    """``code`` over ``texts`` step by step (:func:`steps`), the records in order. A client that disconnected
    meanwhile (timed out, cancelled) stops the coding before the next step, so the coder, which every /classify
    request and coding job share, is not held for an answer nobody reads: 499 ``client_disconnected``."""
    records: list = []
    for i, part in enumerate(steps(list(texts))):
        if i and await request.is_disconnected():
            raise ApiError(499, "client_disconnected", "the client closed the connection; coding stopped",
                           {"coded": len(records), "texts": len(texts)})
        records.extend(await code(part))
    return records


def off_disk(embedders: Sequence[Any], code: Callable[[list[str]], Awaitable[Sequence]]
             ) -> Callable[[list[str]], Awaitable[Sequence]]:
    """``code`` with ``embedders`` (the coder's embedding caches) in memory-only mode for each step, in the
    request's context only: the vectors stay in memory (an LRU: repeats stay fast), never in the cache file. The
    mode travels with the step's work: ``run_in_threadpool`` copies the context into its worker thread and the
    micro-batcher sets it on its coder thread, so a request cancelled meanwhile (its client gone) does not end it
    while that thread still encodes; coding jobs in other threads meanwhile persist as usual."""
    async def run(part: list[str]) -> Sequence:
        with memory_only_embedders(embedders):
            return await code(part)

    return run


def _check_total_chars(texts: list[str], limit: int) -> None:
    """422 ``too_many_characters`` when the texts together exceed ``limit`` characters: one request is coded on
    the single coder thread, and a long one stalls every other /classify request and coding job meanwhile."""
    total = sum(len(t) for t in texts)
    if total > limit:
        raise ApiError(422, "too_many_characters",
                       f"the {len(texts)} texts hold {total} characters together; the limit is {limit} characters "
                       "per request (classify_max_total_chars): split them over several requests",
                       {"total_chars": total, "max_total_chars": limit})


def _codebook_id_of(session, codebook_id: int | None, model_id: int | None) -> int | None:
    """The codebook a request means: the one named, else the named model's own (None: the default codebook).
    An unknown model is left to ``store.resolve_model`` (404 ``unknown_model``)."""
    if codebook_id is not None or model_id is None:
        return codebook_id
    model = session.get(TrainedModel, model_id)
    return model.codebook_id if model is not None else None


def _check_question(coder, question: str | None) -> None:
    """A question the model has no theme rates for would be silently ignored: 422 listing the known ones (coders
    that do not keep per-question rates, e.g. test doubles and plug-ins, accept any question)."""
    if question is None:
        return
    known = getattr(coder, "question_priors_", None)
    if known is None:
        return
    known = sorted(map(str, known))
    if question not in known:
        listed = ", ".join(known) if known else "none: the model was trained without routed questions"
        raise ApiError(422, "unknown_question", f"question: the model has no such question (known: {listed})",
                       {"known": known})


def _one(rec: dict, redacted_text, labels: dict[str, str], health: bool) -> ClassifiedText:
    scores = {k[6:]: round(float(v), 6) for k, v in rec.items() if k.startswith("score_")}
    chosen = [k[6:] for k, v in rec.items() if k.startswith("theme_") and int(v or 0) == 1]
    return ClassifiedText(
        text=redacted_text if isinstance(redacted_text, str) else "",
        themes=[ThemeScore(id=t, label=labels.get(t), score=scores.get(t, 0.0)) for t in chosen],
        scores=scores, confidence=float(rec.get("confidence", 0.0) or 0.0),
        needs_review=bool(int(rec.get("needs_review", 0) or 0)), type=(rec.get("type") or None), health_flag=health)
