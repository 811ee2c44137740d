"""A question's scope from its words and its conversation, and time in the ranking (pure functions)."""

from __future__ import annotations

import numpy as np

from qa.records import Filters, Scope
from qa.retrieval.scoping import conversation_times, question_time, scoped
from qa.retrieval.timing import PREFERRED_FACTOR, newest_first, time_weights

AS_OF = "2025-09-10"  # a Wednesday


def test_a_relative_expression_becomes_a_filter_and_leaves_the_search_text():
    turn = question_time("Was sagte Macron letzte Woche?", AS_OF, "de")
    assert "Woche" not in turn.text and "Macron" in turn.text
    scope = scoped(turn.text, "de", Scope(), AS_OF, turn.reading, 30.0)
    assert (scope.filters.date_from, scope.filters.date_to) == ("2025-09-01", "2025-09-07")
    assert scope.prefer is None and scope.understood.startswith("Verstanden als: letzte Woche")


def test_an_absolute_year_is_preferred_not_required_and_stays_in_the_search_text():
    turn = question_time("Who won the Super Bowl in 2016?", AS_OF, "en")
    assert "2016" in turn.text
    scope = scoped(turn.text, "en", Scope(), AS_OF, turn.reading, 30.0)
    assert not scope.filters.active and scope.prefer == ("2016-01-01", "2016-12-31")


def test_latest_turns_recency_on_unless_the_request_set_one():
    turn = question_time("What is the latest on the ceasefire?", AS_OF, "en")
    from_words = scoped(turn.text, "en", Scope(), AS_OF, turn.reading, 30.0)
    assert from_words.recency == 30.0 and from_words.recency_floor == 0.5  # a word keeps half the score
    requested = scoped(turn.text, "en", Scope(recency=3.0), AS_OF, turn.reading, 30.0)
    assert requested.recency == 3.0 and requested.recency_floor == 0.0  # the request's own: pure decay


def test_the_request_date_filter_wins_over_the_question():
    turn = question_time("Was geschah gestern?", AS_OF, "de")
    scope = scoped(turn.text, "de", Scope(Filters(date_from="2025-01-01")), AS_OF, turn.reading, 30.0)
    assert (scope.filters.date_from, scope.filters.date_to) == ("2025-01-01", None)


def test_a_follow_up_inherits_time_and_a_time_only_follow_up_asks_the_previous_question_again():
    turns = [
        ("Was sagte Macron letzte Woche?", "Was sagte Macron letzte Woche?", "de", False),
        ("Und Merz?", "Was sagte Merz letzte Woche?", "de", True),
        ("Und gestern?", "Was sagte gestern Merz letzte Woche?", "de", True),
        ("Wer regiert in Estland?", "Wer regiert in Estland?", "de", False),
    ]
    times = conversation_times(turns, AS_OF)
    assert times[1].reading is not None and times[1].reading.restricting()[0].isoformat() == "2025-09-01"
    assert times[2].text == times[1].text and "Merz" in times[2].text and "Woche" not in times[2].text
    assert times[2].reading.restricting()[0].isoformat() == "2025-09-09"
    assert not times[3].reading.expressions  # a new question does not inherit


def test_time_weights_decay_prefer_and_put_undated_last():
    dates = ["2025-09-10", "2025-09-03", None, "2016-05-01"]
    decay = time_weights(dates, Scope(recency=7.0, as_of=AS_OF))
    assert np.allclose(decay[:2], [1.0, 0.5]) and decay[2] < decay[3] < decay[1]
    floored = time_weights(dates, Scope(recency=7.0, recency_floor=0.5, as_of=AS_OF))
    assert np.allclose(floored[:2], [1.0, 0.75]) and 0.5 <= floored[2] <= floored[3] < floored[1]
    preferred = time_weights(dates, Scope(prefer=("2016-01-01", "2016-12-31")))
    assert preferred.tolist() == [1.0, 1.0, 1.0, np.float32(PREFERRED_FACTOR)]
    assert time_weights(dates, Scope()).tolist() == [1.0, 1.0, 1.0, 1.0]


def test_newest_first_keeps_the_ranking_among_equal_dates():
    dates = ["2025-01-01", None, "2025-03-01", "2025-01-01"]
    assert newest_first(np.array([3, 1, 0, 2]), dates).tolist() == [2, 3, 0, 1]
