"""A firm name before a lower-case «as» in a quote: the name is masked, an ordinary word before it is the sentence's
and stays («jeg leder kari hansen as» → «jeg leder [NAVN] as», was «jeg [NAVN] as»)."""

import pytest

from textmine.quotes import mask_local_names


@pytest.mark.parametrize(
    "text, expected",
    [
        ("jeg leder kari hansen as", "jeg leder [NAVN] as"),  # was «jeg [NAVN] as»
        ("jeg leder vinstra rør as nå", "jeg leder [NAVN] as nå"),  # a place starts the name (was «jeg [NAVN] …»)
        ("vi driver bygg hansen as", "vi driver bygg [NAVN] as"),  # was «vi [NAVN] as»
        ("Vi i vinstra rør as venter på svar.", "Vi i [NAVN] as venter på svar."),  # unchanged: no word before
        ("eier av hansen rør as", "eier av [NAVN] as"),  # the words after the name's first word stay in it
    ],
)
def test_lower_case_firm_name_is_masked_without_the_words_before(text, expected):
    assert mask_local_names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Vi trenger svar så snart som mulig as",  # no name word at all
        "We need an answer as soon as possible.",
    ],
)
def test_ordinary_words_before_as_stay(text):
    assert mask_local_names(text) == text

