"""``textmine report --coded`` codes the other questions automatically without claiming that the data lacks the
question read from a file (a reviewer got «the data has no column 'fritekst_generell'» for a column the data has)."""

from .test_report_coded_input import _report, study  # noqa: F401  (the fixture)


def test_report_coded_does_not_say_a_present_column_is_missing(study):  # noqa: F811
    st = study
    res = _report(st, [f"ft_a={st['coded'][0]}", f"ft_a={st['coded'][1]}"])
    assert res.exit_code == 0, res.output
    assert "has no column" not in res.output
    assert "question(s) ft_b had no --coded file" in res.output  # the true warning stays
