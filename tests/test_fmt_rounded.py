import pytest

from bering import fmt


@pytest.mark.parametrize(
    "value, sig, text",
    [
        (8667, 2, "8,700"),
        (39354.4, 2, "39,000"),
        (8.0, 2, "8"),
        (15.8, 2, "16"),
        (3.6, 2, "3.6"),
        (19.27, 2, "19"),
        (0.01234, 2, "0.012"),
        (71.14, 3, "71.1"),
        (0, 2, "0"),
    ],
)
def test_rounded_keeps_two_or_three_significant_figures(value, sig, text):
    assert fmt.rounded(value, sig) == text
