"""Shared fixtures: a small deterministic fake embedder (char n-gram hashing) and small codebooks."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from textmine.codebook import Codebook


class FakeEmbedder:
    """Deterministic bag of character 4-grams and words hashed to 256 dims, L2-normalised (no model needed)."""

    name = "fake-hash"
    version = "1"
    dimension = 256

    def __init__(self, version: str = "1"):
        self.version = version
        self.calls = 0

    def encode(self, texts, *, batch_size=64, show_progress=False):
        self.calls += 1
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, t in enumerate(texts):
            low = " " + re.sub(r"\s+", " ", str(t).lower()) + " "
            feats = [low[k : k + 4] for k in range(len(low) - 3)] + low.split()
            for f in feats:
                h = int(hashlib.md5(f.encode()).hexdigest()[:8], 16)
                out[i, h % self.dimension] += 1.0
        out += 0.05  # the narrow cosine band of real sentence embedders
        return out / np.linalg.norm(out, axis=1, keepdims=True)


TOY_CODEBOOK = {
    "name": "kantine",
    "version": "0.1",
    "language": "nb",
    "types": ["klage", "ønske", "ros"],
    "themes": [
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
         "keywords": [], "exclusive": True},
    ],
}

HIER_CODEBOOK = {
    "name": "hier",
    "version": "2",
    "themes": [
        {"id": "kontakt", "label": "Kontakt med NAV", "description": "Å få tak i NAV.", "keywords": ["kontakt"]},
        {"id": "telefon", "label": "Telefon", "description": "Telefonkø og ventetid på telefon.",
         "keywords": ["telefon", "telefonkø", "ringe"], "parent": "kontakt"},
        {"id": "epost", "label": "E-post og meldinger", "description": "Skriv til oss, e-post, meldinger.",
         "keywords": ["epost", "e-post", "melding"], "parent": "kontakt"},
        {"id": "tid", "label": "Saksbehandlingstid", "description": "Lang saksbehandlingstid, venter på svar.",
         "keywords": ["saksbehandlingstid", "svar", "vente"]},
    ],
}


@pytest.fixture()
def fake_embedder():
    return FakeEmbedder()


@pytest.fixture()
def toy_codebook():
    return Codebook.from_dict(TOY_CODEBOOK)


@pytest.fixture()
def hier_codebook():
    return Codebook.from_dict(HIER_CODEBOOK)


TOY_TRAIN = [
    ("Maten var kald og smakte ingenting.", "mat", "klage"),
    ("Suppen er alltid god, takk til kokken!", "mat", "ros"),
    ("Dårlig utvalg av middag, bare pasta.", "mat", "klage"),
    ("Ønsker flere vegetarretter og mer salat.", "mat", "ønske"),
    ("Salaten var slapp og brun.", "mat", "klage"),
    ("Middagen smaker som papp.", "mat", "klage"),
    ("Maten er bra, men for dyr.", "mat;pris", "klage"),
    ("Altfor dyrt, 120 kroner for en liten lunsj.", "pris", "klage"),
    ("Prisene har gått opp igjen, det er for mye.", "pris", "klage"),
    ("Gi oss rabatt for ansatte.", "pris", "ønske"),
    ("Billigere kaffe hadde vært fint.", "pris", "ønske"),
    ("Koster skjorta å spise her.", "pris", "klage"),
    ("Dyrt og dårlig.", "pris;mat", "klage"),
    ("Køen i kassa er lang hver dag.", "ko", "klage"),
    ("Vi venter tjue minutter på å betale.", "ko", "klage"),
    ("Åpne en kasse til så det går fortere.", "ko", "ønske"),
    ("Lang ventetid i lunsjen, umulig å rekke møter.", "ko", "klage"),
    ("Kø, kø og atter kø.", "ko", "klage"),
    ("Stå i kø for en dyr salat.", "ko;pris;mat", "klage"),
    ("Parkeringen utenfor er full.", "annet", "klage"),
    ("Hyggelig musikk i lokalet.", "annet", "ros"),
    ("Vinduene burde vaskes.", "annet", "ønske"),
    ("Stolene er ubehagelige.", "annet", "klage"),
    ("Lyset i rommet er for sterkt.", "annet", "klage"),
]


# ---------------------------------------------------------------- CLI fixtures shared by the test modules
@pytest.fixture()
def fake_e5(monkeypatch):
    """get_embedder returns the FakeEmbedder (no e5 in CLI tests)."""
    import textmine.embed as embed

    monkeypatch.setattr(embed, "get_embedder", lambda spec="e5", **kw: FakeEmbedder())


@pytest.fixture()
def cb(tmp_path, toy_codebook):
    """The toy codebook as a YAML file."""
    p = tmp_path / "kantine.yaml"
    p.write_text(toy_codebook.to_yaml(), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def e5():
    """The real e5 backend (all 12 layers); the test is skipped where the model cannot be built."""
    from textmine.embed import get_embedder

    try:
        return get_embedder("e5")
    except Exception as exc:  # pragma: no cover - environment without the model
        pytest.skip(f"e5 backend unavailable: {exc}")


KANTINE_QUESTION = "Hva synes du om kantina?"


@pytest.fixture()
def kantine_survey(tmp_path):
    """A survey definition file: survey "kantine", id column ``rid``, one free-text question ``kommentar`` worded
    :data:`KANTINE_QUESTION`."""
    import yaml

    p = tmp_path / "survey.yaml"
    definition = {"name": "kantine", "id": "rid", "free_text": [{"column": "kommentar", "label": KANTINE_QUESTION}]}
    p.write_text(yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8")
    return p


@pytest.fixture()
def toy_model(tmp_path, cb, fake_e5):
    """The folder of a model that ``textmine train`` made from TOY_TRAIN (``labelled.csv``) and the toy codebook."""
    import pandas as pd
    from typer.testing import CliRunner

    from textmine.cli import app

    labelled = tmp_path / "labelled.csv"
    pd.DataFrame(TOY_TRAIN, columns=["text", "themes", "type"]).to_csv(labelled, index=False)
    model = tmp_path / "model"
    res = CliRunner().invoke(app, ["train", str(labelled), "--codebook", str(cb), "--out", str(model)])
    assert res.exit_code == 0, res.output
    return model


@pytest.fixture()
def zero_shot_backgrounds(monkeypatch) -> list[bool]:
    """Every ZeroShotCoder made from now on records its ``background`` setting here, in order."""
    import textmine.classify as classify

    made: list[bool] = []

    class Spy(classify.ZeroShotCoder):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            made.append(self.background)

    monkeypatch.setattr(classify, "ZeroShotCoder", Spy)
    return made
