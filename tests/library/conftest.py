"""Fixtures for the library-misuse tests: a deterministic fake embedder (no model needed), a toy codebook and
labelled comments, and a hand-sized survey with one wave."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
import pytest

from textmine.codebook import Codebook
from textmine.survey import SurveyDefinition


class FakeEmbedder:
    """Bag of hashed character 4-grams and words, 128 dims, L2-normalised."""

    name = "fake-hash"
    version = "1"
    dimension = 128

    def encode(self, texts, *, batch_size=64, show_progress=False):
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, t in enumerate(texts):
            low = " " + re.sub(r"\s+", " ", str(t).lower()) + " "
            for f in [low[k : k + 4] for k in range(len(low) - 3)] + low.split():
                out[i, int(hashlib.md5(f.encode()).hexdigest()[:8], 16) % self.dimension] += 1.0
        out += 0.05
        return out / np.linalg.norm(out, axis=1, keepdims=True)


CODEBOOK = {
    "name": "kantine", "version": "0.1", "types": ["klage", "ønske", "ros"],
    "themes": [
        {"id": "mat", "label": "Maten", "description": "Smak og kvalitet på maten.", "keywords": ["mat", "suppe", "salat"]},
        {"id": "pris", "label": "Pris", "description": "Hva maten koster.", "keywords": ["pris", "dyr", "kroner"]},
        {"id": "ko", "label": "Kø", "description": "Kø og ventetid i kassa.", "keywords": ["kø", "vente", "kassa"]},
        {"id": "annet", "label": "Annet", "description": "Alt annet.", "exclusive": True},
    ],
}

TRAIN = [
    ("Maten var kald og smakte ingenting.", "mat", "klage"),
    ("Suppen er alltid god, takk til kokken!", "mat", "ros"),
    ("Dårlig utvalg av middag, bare pasta.", "mat", "klage"),
    ("Ønsker flere vegetarretter og mer salat.", "mat", "ønske"),
    ("Salaten var slapp og brun.", "mat", "klage"),
    ("Maten er bra, men for dyr.", "mat;pris", "klage"),
    ("Altfor dyrt, 120 kroner for en liten lunsj.", "pris", "klage"),
    ("Prisene har gått opp igjen.", "pris", "klage"),
    ("Gi oss rabatt for ansatte.", "pris", "ønske"),
    ("Billigere kaffe hadde vært fint.", "pris", "ønske"),
    ("Køen i kassa er lang hver dag.", "ko", "klage"),
    ("Vi venter tjue minutter på å betale.", "ko", "klage"),
    ("Åpne en kasse til så det går fortere.", "ko", "ønske"),
    ("Kø, kø og atter kø.", "ko", "klage"),
    ("Parkeringen utenfor er full.", "annet", "klage"),
    ("Hyggelig musikk i lokalet.", "annet", "ros"),
    ("Vinduene burde vaskes.", "annet", "ønske"),
    ("Stolene er ubehagelige.", "annet", "klage"),
]


@pytest.fixture()
def codebook():
    return Codebook.from_dict(CODEBOOK)


@pytest.fixture()
def train():
    return pd.DataFrame(TRAIN, columns=["text", "themes", "type"])


@pytest.fixture()
def embedder():
    return FakeEmbedder()


@pytest.fixture(scope="module")
def fitted():
    """One supervised coder trained on ``TRAIN`` (shared by a module's tests: they must not change it)."""
    from textmine.classify import SupervisedCoder

    texts, labels, types = zip(*TRAIN)
    coder = SupervisedCoder(Codebook.from_dict(CODEBOOK), FakeEmbedder(), embedder_spec="fake", cv=3)
    return coder.fit(list(texts), list(labels), list(types))


SURVEY = {
    "name": "tiny", "id": "rid", "wave": "wave", "weight": "w", "min_cell": 1,
    "segments": [{"column": "sektor", "levels": ["P", "O"]}],
    "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],
    "free_text": [{"column": "ft"}],
}


@pytest.fixture()
def survey():
    return SurveyDefinition.from_dict(SURVEY)


@pytest.fixture()
def wave():
    """(respondent frame, coded frame) of one small wave."""
    df = pd.DataFrame({"rid": [f"r{i}" for i in range(1, 9)], "wave": 2023, "sektor": list("PPPPOOOO"),
                       "w": [1.0, 1, 2, 2, 1, 1, 0.5, 0.5], "q1": [6, 5, 4, 3, 2, 1, 4, 5],
                       "ft": ["Maten er kald", "Dyrt", "", "Lang kø", "Maten er god", "", "Kø", "Dyr mat"]})
    coded = pd.DataFrame({"respondent_id": ["r1", "r2", "r4", "r5", "r7", "r8"], "question": "ft",
                          "text_clean": ["Maten er kald", "Dyrt", "Lang kø", "Maten er god", "Kø", "Dyr mat"],
                          "is_non_answer": 0, "health_flag": 0,
                          "theme_mat": [1, 0, 0, 1, 0, 1], "theme_pris": [0, 1, 0, 0, 0, 1],
                          "theme_ko": [0, 0, 1, 0, 1, 0]})
    return df, coded
