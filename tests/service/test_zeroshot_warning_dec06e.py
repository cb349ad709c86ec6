"""The zero-shot share warning (:func:`textmine.classify.zeroshot.share_warning`: one theme on ≥ 40 % of ≥ 30 answers,
or a small codebook giving ≥ 90 % of the answers a theme) where service users see it: ``POST /classify``'s
``warnings`` for texts coded zero-shot (a codebook without a model), and the summary's ``warnings`` for a coding job
that coded zero-shot. Never for a trained model's codes, nor for a plausible spread; no answer text in them."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest
from conftest import coded_job, create_survey, hdr, sample_frame, trained, uploaded_wave
from fakes import keyword_coder_factory
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.app import create_app
from service.db.models import Response
from textmine.classify import ZeroShotCoder


class HashEmbedder:
    """Deterministic bag of hashed character 4-grams and words (no model needed)."""

    name, version, dimension = "fake-hash", "1", 256

    def encode(self, texts, *, batch_size=64, show_progress=False):
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, t in enumerate(texts):
            low = " " + re.sub(r"\s+", " ", str(t).lower()) + " "
            for f in [low[k:k + 4] for k in range(len(low) - 3)] + low.split():
                out[i, int(hashlib.md5(f.encode()).hexdigest()[:8], 16) % self.dimension] += 1.0
        out += 0.05
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def zero_shot_factory(codebook, model_dir):
    """The service's coders as the library builds them: zero-shot for a codebook without a model (here over the
    hashing embedder), the keyword double for the default coder and trained models."""
    if model_dir is None and codebook is not None:
        return ZeroShotCoder(codebook, HashEmbedder())
    return keyword_coder_factory(codebook, model_dir)


SMALL = {"name": "lite", "version": "1", "types": ["klage", "ønske", "ros"], "themes": [
    {"id": "refusjon", "label": "Refusjon av sykepenger",
     "description": "Refusjon av sykepenger til arbeidsgiver, utbetaling som kommer sent eller med feil beløp.",
     "keywords": ["refusjon", "sykepenger"]},
    {"id": "permittering", "label": "Permittering",
     "description": "Permittering av ansatte, permitteringsvarsel og lønnsplikt.", "keywords": ["permittering"]},
    {"id": "digitalt", "label": "Digitale tjenester",
     "description": "Innlogging, nettsider, skjema og digitale løsninger.", "keywords": ["innlogging", "nettside"]}]}
ON_TOPIC = ["Refusjon av sykepenger kommer sent", "Permittering av ansatte var vanskelig",
            "Innlogging på nettside feiler", "Sykepenger til arbeidsgiver er feil beløp"]
KANTINE = {"name": "kantine", "version": "0.1", "types": ["klage", "ønske", "ros"], "themes": [
    {"id": "mat", "label": "Maten", "description": "Smak, kvalitet og utvalg av maten i kantina.",
     "keywords": ["mat", "smak", "middag", "suppe", "salat"],
     "examples": ["Suppen var kald og smakløs.", "Mer salat og grønnsaker, takk."]},
    {"id": "pris", "label": "Pris", "description": "Hva maten koster, priser og rabatter.",
     "keywords": ["pris", "dyr", "billig", "kroner", "rabatt"],
     "examples": ["Alt for dyrt, 120 kroner for en lunsj.", "Prisene har økt mye."]},
    {"id": "ko", "label": "Kø og ventetid", "description": "Lange køer og ventetid i kassa.",
     "keywords": ["kø", "vente", "ventetid", "kassa"],
     "examples": ["Køen i kassa er alltid lang.", "Vi venter i tjue minutter hver dag."]},
    {"id": "annet", "label": "Annet", "description": "Kommentarer som ikke passer i noen annen kategori.",
     "keywords": [], "exclusive": True}]}
KANTINE_TEXTS = [  # over mat, pris, kø and the catch-all: no theme near 40 %
    "Maten var kald og smakte ingenting.", "Suppen er alltid god, takk til kokken!",
    "Dårlig utvalg av middag, bare pasta.", "Ønsker flere vegetarretter og mer salat.", "Salaten var slapp og brun.",
    "Middagen smaker som papp.", "Maten er bra, men for dyr.", "Altfor dyrt, 120 kroner for en liten lunsj.",
    "Prisene har gått opp igjen, det er for mye.", "Gi oss rabatt for ansatte.", "Billigere kaffe hadde vært fint.",
    "Koster skjorta å spise her.", "Dyrt og dårlig.", "Køen i kassa er lang hver dag.",
    "Vi venter tjue minutter på å betale.", "Åpne en kasse til så det går fortere.",
    "Lang ventetid i lunsjen, umulig å rekke møter.", "Kø, kø og atter kø.", "Stå i kø for en dyr salat.",
    "Parkeringen utenfor er full.", "Hyggelig musikk i lokalet.", "Vinduene burde vaskes.", "Stolene er ubehagelige.",
    "Lyset i rommet er for sterkt."]


@pytest.fixture
def zs_client(db_url, tmp_path):
    from conftest import issue_keys, make_settings

    app = create_app(make_settings(db_url, tmp_path, coder_factory=zero_shot_factory))
    with TestClient(app) as c:
        yield c, issue_keys(app)


def _codebook(client, keys, content) -> int:
    r = client.post("/codebooks", json=content, headers=hdr(keys["analyst"]))
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


def _classify(client, keys, **body) -> dict:
    r = client.post("/classify", json=body, headers=hdr(keys["analyst"]))
    assert r.status_code == 200, r.text
    return r.json()


# ------------------------------------------------------------------ POST /classify
def test_classify_zero_shot_says_implausible_shares_in_every_response(zs_client):
    client, keys = zs_client
    cb = _codebook(client, keys, SMALL)
    texts = ON_TOPIC * 10 + ["vet ikke"] * 5  # 40 answers (the non-answers are no denominator)
    for _ in range(2):  # each request is told, not only the first one the (shared, cached) coder codes
        body = _classify(client, keys, texts=texts, codebook_id=cb)
        assert len(body["warnings"]) == 1, body["warnings"]
        said = body["warnings"][0]
        assert said.startswith("zero-shot coding with 3 theme(s) gave") and "100% of the 40 answers a theme" in said
        assert "POST /models" in said and "textmine train" not in said
        assert not any(t.lower() in said.lower() for t in ON_TOPIC)  # counts and theme ids only, no answer text
        assert len(body["results"]) == len(texts) and body["codebook_id"] == cb and body["model_id"] is None


def test_classify_says_nothing_for_a_plausible_spread_few_texts_or_a_model(zs_client):
    client, keys = zs_client
    kantine = _codebook(client, keys, KANTINE)
    body = _classify(client, keys, texts=KANTINE_TEXTS * 2, codebook_id=kantine)
    shares = np.mean([[any(t["id"] == k for t in r["themes"]) for k in ("mat", "pris", "ko")]
                      for r in body["results"]], axis=0)
    assert shares.max() < 0.4 and shares.min() > 0  # coded zero-shot, spread over the themes
    assert body["warnings"] == []
    small = _codebook(client, keys, SMALL)
    assert _classify(client, keys, texts=ON_TOPIC * 5, codebook_id=small)["warnings"] == []  # 20: too few
    body = _classify(client, keys, texts=ON_TOPIC * 10)  # the default model (not zero-shot)
    assert body["warnings"] == [] and len(body["results"]) == 40


def test_classify_response_documents_warnings(zs_client):
    client, _ = zs_client
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ClassifyOut"]
    assert schema["properties"]["warnings"]["type"] == "array" and "warnings" not in schema.get("required", [])
    assert {"codebook_id", "model_id", "results"} <= set(schema["required"])


# ------------------------------------------------------------------ the summary of a zero-shot coding job
IMPLAUSIBLE = {"name": "grov", "version": "1", "types": ["klage", "ønske", "ros"], "themes": [
    {"id": "generelt", "label": "Generelt", "description": "Alt som er sagt.", "keywords": ["er"]},
    {"id": "sykmeldte", "label": "Sykmeldte", "description": "Oppfølging av sykmeldte.", "keywords": ["sykmeld"]},
    {"id": "brev", "label": "Brev", "description": "Brev fra NAV.", "keywords": ["brev"]}]}
PLAUSIBLE = {**IMPLAUSIBLE, "name": "fin", "themes": [
    {**IMPLAUSIBLE["themes"][0], "keywords": ["ikke"]}, *IMPLAUSIBLE["themes"][1:]]}


def _summary_warnings(client, keys, wave, **params) -> list[str]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    r = client.get(f"/waves/{wave}/summary?{query}", headers=hdr(keys["reader"]))
    assert r.status_code == 200, r.text
    return r.json()["summary"]["warnings"]


def _shares(client, job, theme_ids) -> dict[str, float]:
    """The job's stored shares of the answered responses (as the check counts them), from the store."""
    from service.db.models import CodingResult

    with client.app.state.db.session() as s:
        rows = s.execute(select(CodingResult.themes, Response.is_non_answer).join(
            Response, Response.id == CodingResult.response_id).where(CodingResult.job_id == job)).all()
    answered = [set(t.split(";")) for t, non in rows if not non]
    return {t: sum(t in a for a in answered) / len(answered) for t in theme_ids} | {"n": len(answered)}


def test_summary_of_a_zero_shot_job_says_implausible_shares(client, keys):
    sid = create_survey(client, keys["analyst"])
    wave = uploaded_wave(client, keys, sid, sample_frame(150), "2022")
    cb = _codebook(client, keys, IMPLAUSIBLE)
    job = coded_job(client, keys, wave, codebook_id=cb)
    got = client.get(f"/jobs/{job}", headers=hdr(keys["reader"])).json()
    assert got["coded_with"].startswith("zero-shot")
    shares = _shares(client, job, ["generelt"])
    assert shares["n"] >= 30 and shares["generelt"] >= 0.4
    said = [w for w in _summary_warnings(client, keys, wave) if "zero-shot coding" in w]
    assert len(said) == 1, said
    assert said[0].startswith(f"wave {wave}, coding job {job} (zero-shot):")
    assert f"'generelt' to {shares['generelt']:.0%} of the {shares['n']} answers" in said[0]
    assert "sykmeldte" not in said[0] and "POST /models" in said[0]
    texts = sample_frame(150)["fritekst_generell"].tolist()
    assert not any(len(t) > 12 and t in said[0] for t in texts)  # no answer text


def test_summary_says_nothing_for_a_plausible_zero_shot_job_or_a_model_job(client, keys):
    sid = create_survey(client, keys["analyst"])
    wave = uploaded_wave(client, keys, sid, sample_frame(150), "2022")
    fine = _codebook(client, keys, PLAUSIBLE)
    fine_job = coded_job(client, keys, wave, codebook_id=fine)
    shares = _shares(client, fine_job, ["generelt", "sykmeldte", "brev"])
    assert shares["n"] >= 30 and max(shares[t] for t in ("generelt", "sykmeldte", "brev")) < 0.4
    assert not [w for w in _summary_warnings(client, keys, wave) if "zero-shot coding" in w]

    # a trained model coding with the implausible codebook: its shares are the model's, not zero-shot's guess
    cb = _codebook(client, keys, IMPLAUSIBLE)
    with client.app.state.db.session() as s:
        ids = s.scalars(select(Response.id).where(Response.wave_id == wave, Response.is_non_answer == 0)
                        .order_by(Response.id).limit(6)).all()
    for i, rid in enumerate(ids):
        r = client.post(f"/responses/{rid}/codes", json={"themes": [["generelt", "sykmeldte", "brev"][i % 3]],
                                                         "codebook_id": cb}, headers=hdr(keys["analyst"]))
        assert r.status_code == 201, r.text
    model = trained(client, keys["analyst"], {"codebook_id": cb, "min_examples": 5,
                                              "min_theme_examples": 1})["model"]["id"]
    job = coded_job(client, keys, wave, model_id=model)
    assert client.get(f"/jobs/{job}", headers=hdr(keys["reader"])).json()["coded_with"] == f"model {model}"
    assert _shares(client, job, ["generelt"])["generelt"] >= 0.4  # as implausible as zero-shot's would be
    assert not [w for w in _summary_warnings(client, keys, wave, job_id=job) if "zero-shot coding" in w]


def test_share_check_per_question_with_a_pooled_fallback():
    """Per question (a small question at 100 % is said even when the pool looks plausible), and over all answers
    when no single question has enough answers to judge (code reviews dec06e)."""
    import numpy as np

    from textmine.classify.zeroshot import question_share_warnings
    from textmine.codebook import Codebook

    cb = Codebook.from_dict({"name": "t", "version": "1", "language": "nb", "themes": [
        {"id": f"t{i}", "label": f"T{i}", "description": f"tema {i}"} for i in range(14)]})
    decided = np.zeros((40, 14), dtype=np.int8)
    decided[:, 0] = 1
    answered = np.ones(40, dtype=bool)
    two = np.array(["q1"] * 20 + ["q2"] * 20, dtype=object)  # 20 answers each: too few per question
    (msg,) = question_share_warnings(cb, decided, answered, two)
    assert "(question" not in msg and "of the 40 answers" in msg
