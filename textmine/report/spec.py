"""What the report needs to know about a survey (columns, labels, scales), read from a survey definition."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The sample survey (NAV's employer survey) as documented in the data contract; used when no definition is given.
ARBEIDSGIVER_SEGMENTS = {"sektor": "Sektor", "ansatte": "Antall ansatte", "naering": "Næring", "fylke": "Fylke"}
ARBEIDSGIVER_INDICATORS = {
    "q_helhet": "Fornøyd med NAV, helhetlig sett",
    "q_tillit": "Tillit til NAV",
    "q_telefon": "Tilgjengelighet på telefon",
    "q_svartid": "NAV gir oss svar innen rimelig tid",
    "q_forstaelse": "NAV viser forståelse for våre behov",
    "q_regelverk": "Forståelig regelverk",
    "q_sykefravaer": "NAVs oppfølging av sykmeldte",
    "q_digital": "Digitale tjenester",
    "q_samhandling": "Samhandling NAV, lege og arbeidsplass",
}
ARBEIDSGIVER_FREE_TEXT = {
    "fritekst_sykefravaer": "Hva må til for at NAV sin oppfølging av sykmeldte skal bli bedre?",
    "fritekst_generell": "Har du andre kommentarer til NAV?",
}
ARBEIDSGIVER_ROUTING = {"fritekst_sykefravaer": ("q_sykefravaer", (1, 2, 3))}


@dataclass
class SurveySpec:
    """Column roles and scales. Shares of indicators = positive codes among valid codes (excluded codes out)."""

    name: str = "arbeidsgiver"
    title: str = "Arbeidsgiverundersøkelsen"
    respondent_id: str = "respondent_id"
    wave: str = "wave"
    weight: str | None = "vekt"
    segments: dict[str, str] = field(default_factory=lambda: dict(ARBEIDSGIVER_SEGMENTS))
    indicators: dict[str, str] = field(default_factory=lambda: dict(ARBEIDSGIVER_INDICATORS))
    valid_codes: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
    positive_codes: tuple[int, ...] = (4, 5, 6)
    excluded_codes: tuple[int, ...] = (7, 8)
    free_text: dict[str, str] = field(default_factory=lambda: dict(ARBEIDSGIVER_FREE_TEXT))
    routing: dict[str, tuple[str, tuple[int, ...]]] = field(default_factory=lambda: dict(ARBEIDSGIVER_ROUTING))
    min_n: int = 10
    key_indicator: str = "q_helhet"

    definition: Any = None  # the original textmine.survey.SurveyDefinition, when there is one

    @classmethod
    def from_definition(cls, definition: Any | None) -> SurveySpec:
        """Read a ``textmine.survey.SurveyDefinition`` (or a similar object/dict); unknown parts keep defaults."""
        spec = cls()
        if definition is None:
            return spec
        if isinstance(definition, Mapping):
            from textmine.survey import SurveyDefinition

            definition = SurveyDefinition.from_dict(definition)
        d = definition
        spec.definition = d
        spec.name = str(getattr(d, "name", spec.name))
        spec.title = {"arbeidsgiver": "Arbeidsgiverundersøkelsen"}.get(spec.name, spec.name.capitalize())
        spec.respondent_id = getattr(d, "id_column", None) or spec.respondent_id
        spec.wave = getattr(d, "wave_column", None) or spec.wave
        spec.weight = getattr(d, "weight_column", None)
        spec.min_n = int(getattr(d, "min_cell", spec.min_n) or spec.min_n)
        segs = getattr(d, "segments", ())
        if segs:
            spec.segments = {s.column: s.label for s in segs}
        inds = getattr(d, "indicators", ())
        if inds:
            spec.indicators = {i.column: i.label for i in inds}
            first = inds[0]
            spec.valid_codes = tuple(int(c) for c in first.scale)
            spec.positive_codes = tuple(int(c) for c in first.positive)
            spec.excluded_codes = tuple(int(c) for c in first.excluded)
            outcome = getattr(d, "outcome", None)
            spec.key_indicator = outcome.column if outcome is not None else first.column
        texts = getattr(d, "free_text", ())
        if texts:
            spec.free_text = {q.column: q.label for q in texts}
            spec.routing = {q.column: (q.asked_item, tuple(int(c) for c in q.asked_codes))
                            for q in texts if q.asked_item}
        return spec

    def segment_label(self, column: str, value: Any) -> str:
        """Display label of a segment value ("2-9" -> "2–9 ansatte") when the definition has one."""
        if self.definition is not None:
            try:
                seg = self.definition.segment(column)
                key = str(value)
                return str(seg.display.get(key, key))
            except Exception:  # noqa: BLE001 - unknown column: raw value
                pass
        return str(value)


def _named(obj: Any) -> dict[str, str]:
    """Accept {col: label}, {col: {label:..}}, [{column/name/id:.., label/question/text:..}] or objects."""
    out: dict[str, str] = {}
    if not obj:
        return out
    items = obj.items() if isinstance(obj, Mapping) else ((None, v) for v in obj)
    for key, value in items:
        if isinstance(value, str):
            out[str(key)] = value
            continue
        if value is not None and not isinstance(value, Mapping):
            value = {k: getattr(value, k) for k in dir(value) if not k.startswith("_")
                     and not callable(getattr(value, k, None))}
        value = value or {}
        col = key or value.get("column") or value.get("name") or value.get("id")
        label = value.get("label") or value.get("question") or value.get("text") or col
        if col:
            out[str(col)] = str(label)
    return out

# Which theme speaks to which structured indicator (for "themes next to indicators").
INDICATOR_THEMES = {
    "q_telefon": "telefon",
    "q_svartid": "saksbehandlingstid",
    "q_forstaelse": "kompetanse",
    "q_regelverk": "regelverk_sprak",
    "q_sykefravaer": "sykefravaersoppfolging",
    "q_digital": "digitale_tjenester",
    "q_samhandling": "samhandling",
}
