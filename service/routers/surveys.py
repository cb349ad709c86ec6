"""Surveys and wave uploads."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import library, store
from service.auth import Principal, get_session, require_analyst, require_reader
from service.db.models import Survey, Wave
from service.deps import get_settings
from service.errors import ApiError
from service.schemas import IdPath, Limit, Offset, Page, SurveyIn, SurveyOut, WaveOut
from service.settings import Settings

router = APIRouter(tags=["surveys"])


def survey_out(s: Survey) -> SurveyOut:
    return SurveyOut(id=s.id, name=s.name, description=s.description, has_definition=bool(s.definition_yaml),
                     created_at=s.created_at, warnings=definition_warnings(s.definition_yaml))


#: a stored definition today's checks refuse (stored by an older version): said, never quoted
OUTDATED_DEFINITION = ("the stored survey definition does not pass today's checks: a wave upload without its own "
                       "definition is refused (422 invalid_survey_definition); upload the wave with a corrected "
                       "definition")


def definition_warnings(definition_yaml: str | None) -> list[str]:
    """A survey definition's own warnings (``SurveyDefinition.definition_warnings``, as the first wave upload
    returns them: item ids and codes, from a definition checked for personal data when stored); [] without one."""
    if not definition_yaml:
        return []
    try:
        return list(library.parse_survey(definition_yaml).definition.definition_warnings)
    except ApiError:
        return [OUTDATED_DEFINITION]


def wave_out(session: Session, w: Wave) -> WaveOut:
    return WaveOut(id=w.id, survey_id=w.survey_id, label=w.label, filename=w.filename, text_columns=w.text_columns,
                   counts=store.wave_counts(session, w), warnings=w.warnings or [], created_at=w.created_at)


@router.post("/surveys", response_model=SurveyOut, status_code=201)
def create_survey(body: SurveyIn, response: Response, session: Session = Depends(get_session, scope="function"),
                  _: Principal = Depends(require_analyst)) -> SurveyOut:
    """Create a survey (optionally with its survey definition YAML). A name or description holding personal data
    is refused (422 ``personal_data_in_name``, the value never quoted), as is a name made only of a surname or
    first name ("Hansen", "johansen 2024"). So is personal data in the definition's name, description or labels
    (segments and their levels, indicators, multi-select groups and options, free-text questions, excluded codes)
    or ids: 422 ``personal_data_in_name`` naming the field (``indicators[2].label``), never the value. A name
    the store has is 409 ``survey_exists`` with that survey's ``survey_id``. ``Location``: ``/surveys/{id}``."""
    survey = store.create_survey(session, body.name.strip(), body.description, body.definition_yaml)
    response.headers["Location"] = f"/surveys/{survey.id}"
    return survey_out(survey)


@router.get("/surveys", response_model=Page[SurveyOut])
def list_surveys(limit: Limit = 50, offset: Offset = 0,
                 session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_reader)):
    rows, total = store.page(session, select(Survey).order_by(Survey.id), limit, offset)
    return Page[SurveyOut](items=[survey_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/surveys/{survey_id}", response_model=SurveyOut)
def get_survey(survey_id: IdPath, session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_reader)):
    return survey_out(store.get_or_404(session, Survey, survey_id, "survey"))


@router.post("/surveys/{survey_id}/waves", response_model=WaveOut, status_code=201,
             responses={413: {"description": "file too large"}, 422: {"description": "invalid file"}})
def upload_wave(survey_id: IdPath, response: Response, file: UploadFile = File(..., description="CSV (UTF-8), XLSX, SAV or Parquet"),
                      definition: UploadFile | None = File(None, description="survey definition YAML"),
                      label: str | None = Form(None, max_length=100,
                                               description="wave label (default: the file's wave column); surrounding "
                                               "and repeated whitespace is removed; refused when blank or when it "
                                               "holds personal data"),
                      allow_duplicate: bool = Form(False, description="store the wave even when a wave of this survey "
                                                   "already holds exactly the same content (else 409 duplicate_wave)"),
                      session: Session = Depends(get_session, scope="function"), settings: Settings = Depends(get_settings),
                      _: Principal = Depends(require_analyst)) -> WaveOut:
    """Upload one wave: validates columns/ids/encoding, redacts free text, stores everything in one transaction.
    ``Location``: ``/waves/{id}``. 409 ``wave_exists`` for a label the survey has (``wave_id``: that wave), 409 ``duplicate_wave`` for content a wave of the survey already
    holds (under any label; ``allow_duplicate`` stores it anyway), 422 ``several_waves`` for a file whose wave column
    holds more than one wave (split it per wave). A file name in which the redaction finds personal data (a name, a
    fødselsnummer, …), or that holds a surname or first name on its own ("hansen_svar.csv", "kari_svar.csv"; not a
    name that is also a word, "svar_per_fylke.csv"), is stored as ``upload`` plus its suffix, e.g. ``upload.csv``.
    A label made only of a name ("Hansen", "johansen 2024") is refused (422 ``personal_data_in_label``), and a
    survey definition holding personal data as on ``POST /surveys`` (422 ``personal_data_in_name``). A definition
    whose ``min_cell`` is under the service's floor (``TEXTMINE_MIN_CELL_FLOOR``, default 5) is stored as it is,
    with a warning in this response: summaries, quotes and reports use the floor."""
    data = read_and_close(file)
    definition_yaml = None
    if definition is not None:
        raw = read_and_close(definition)
        try:
            definition_yaml = raw.decode("utf-8") if raw.strip() else None
        except UnicodeDecodeError:
            raise ApiError(422, "wrong_encoding", "the survey definition is not valid UTF-8") from None
    wave, _warnings = store.upload_wave(session, settings, survey_id, data, file.filename or "upload.csv", label,
                                        definition_yaml, allow_duplicate=allow_duplicate)
    out = wave_out(session, wave)
    response.headers["Location"] = f"/waves/{wave.id}"
    floor_note = min_cell_floor_warning(wave.definition_yaml, settings.min_cell_floor)
    if floor_note:  # in this response only: the stored warnings hold what the upload found in the file
        out.warnings = [*out.warnings, floor_note]
    return out


def read_and_close(upload: UploadFile) -> bytes:
    """The uploaded part's bytes. Its spool file (Starlette writes a part over 1 MB to an unnamed 0600 temporary
    file) is closed, and so deleted, at once rather than after the response: checking and redacting a large wave
    takes a while, and the bytes are in memory from here on."""
    try:
        return upload.file.read()
    finally:
        upload.file.close()


def min_cell_floor_warning(definition_yaml: str | None, floor: int) -> str | None:
    """The upload's note when the wave's survey definition sets ``min_cell`` under the service's floor (the
    floor then applies to everything readers see); None otherwise."""
    if not definition_yaml:
        return None
    declared = library.parse_survey(definition_yaml, floor).declared_min_cell
    if declared is None or declared >= floor:
        return None
    return (f"the survey definition's min_cell is {declared}, below this service's floor of {floor} "
            f"(TEXTMINE_MIN_CELL_FLOOR): summaries, quotes and reports hide cells with fewer than {floor} "
            "respondents")


@router.get("/surveys/{survey_id}/waves", response_model=Page[WaveOut])
def list_waves(survey_id: IdPath, limit: Limit = 50, offset: Offset = 0,
               session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_reader)):
    store.get_or_404(session, Survey, survey_id, "survey")
    rows, total = store.page(session, select(Wave).where(Wave.survey_id == survey_id).order_by(Wave.id), limit, offset)
    return Page[WaveOut](items=[wave_out(session, w) for w in rows], total=total, limit=limit, offset=offset)


@router.get("/waves/{wave_id}", response_model=WaveOut)
def get_wave(wave_id: IdPath, session: Session = Depends(get_session, scope="function"), _: Principal = Depends(require_reader)):
    return wave_out(session, store.get_or_404(session, Wave, wave_id, "wave"))
