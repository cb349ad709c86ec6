"""``textmine codebook NEW --compare OLD`` on a ``replaces`` that lists a chain whole («lonn3 replaces [lonn2,
lonn]» against a codebook with ``lonn``): the unknown middle id is not called a bare typo, the known one is named."""

import json

from ..clitools import run_cli
from .test_codebook_cli_dec07d import THEMES, _write


def test_a_listed_chain_names_the_known_id_not_a_bare_typo(tmp_path):
    old = _write(tmp_path, "old.yaml", *THEMES.values())
    chain = THEMES["lonn"].replace("id: lonn", "id: lonn3") + "    replaces: [lonn2, lonn]\n"
    new = _write(tmp_path, "new.yaml", THEMES["telefon"], THEMES["kontaktperson"], THEMES["kontakt_tlf"], chain,
                 THEMES["annet"], version="1.2")
    cmp = json.loads(run_cli("codebook", new, "--compare", old, "--json").output)["compare"]
    assert cmp["replaces_unknown"] == [{"theme": "lonn3", "replaces": ["lonn2"], "known": ["lonn"]}]
    flat = " ".join(run_cli("codebook", new, "--compare", old).output.split())
    assert "old.yaml has no theme lonn2: an id of a version between (the chain continues lonn), or a typo" in flat, flat
    assert "(typo?)" not in flat
