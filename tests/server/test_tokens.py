"""The server's token estimate: counting a growing message delta by delta gives the whole text's count."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from run_widgets.server.tokens import MessageTokenCount, count_tokens

# letters, digits, spaces, punctuation and a few non-ASCII word characters: where token edges fall
CHARACTERS = "ab1 Z9_.,!-\n\té漢"
PIECES = st.one_of(st.text(CHARACTERS, max_size=12), st.sampled_from(["wordwordword", "  ", "x" * 20]))


@given(st.lists(PIECES, max_size=40))
def test_counting_delta_by_delta_matches_counting_the_whole_text(pieces: list[str]) -> None:
    count = MessageTokenCount()
    text = ""
    for piece in pieces:
        assert count.with_(piece) == count_tokens(text + piece)
        count.add(piece)
        text += piece
    assert count.with_("") == count_tokens(text)


def test_a_long_word_split_across_deltas_counts_as_in_one_piece() -> None:
    count = MessageTokenCount()
    for piece in ("Supercali", "fragilistic", "expialidocious", "!"):
        count.add(piece)
    assert count.with_("") == count_tokens("Supercalifragilisticexpialidocious!") == 7
