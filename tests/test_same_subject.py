"""newsdesk.data.same_subject: names, same-subject partners, and same-event copies left out."""

from __future__ import annotations

from newsdesk.data import same_subject as ss

Story = ss.PlainStory


HEARING = ("Greek sprinters Kostas Kenteris and Katerina Thanou face a disciplinary hearing "
           "in Athens on Monday over missed drugs tests before the Olympic Games, the "
           "International Association of Athletics Federations said. The pair deny wrongdoing.")
# the same story told again by another desk: a few words changed, the same names
COPY = HEARING.replace("face a disciplinary hearing", "will attend a disciplinary hearing")
# another story about the same people: a road crash, not the hearing
CRASH = ("Kostas Kenteris has denied faking a motorbike crash to avoid a drugs test. Kenteris "
         "and Katerina Thanou were taken to hospital in Athens after the crash on the eve of "
         "the Olympic Games, police in Athens said at the time.")
RATES = ("The Bank of England held interest rates at 4.75% on Thursday, as economists had "
         "expected, citing slowing house prices and weak retail sales over the winter months.")
OTHER = ("Shares in the Royal Mail rose after the regulator Postcomm approved higher stamp "
         "prices, the first rise in three years, while unions warned of job cuts at depots.")


def stories() -> list[Story]:
    return [Story("a", "Greek pair face drugs hearing", HEARING),
            Story("b", "Hearing date set for Greek sprinters", COPY),
            Story("c", "Kenteris denies faking road crash", CRASH),
            Story("d", "Rates held at 4.75%", RATES),
            Story("e", "Stamp prices to rise", OTHER)]


def statistics(items: list[Story]) -> ss.CorpusStatistics:
    return ss.corpus_statistics(s.body for s in items)


def test_names_are_runs_of_capitalised_words_without_leading_stop_words() -> None:
    assert ss.names_in("But Theresa May met The Bank of England.") == {
        "theresa may", "bank of england"}
    assert ss.names_in("Blair spoke. Rates rose.") == frozenset()  # single words: no name


def test_the_partner_shares_names_and_a_near_copy_is_left_out() -> None:
    items = stories()
    corpus = statistics(items)
    cosines = ss.cosine_matrix(corpus.vectorizer, [s.body for s in items])
    assert cosines[0, 1] >= ss.COPY_COSINE > cosines[0, 2]  # b is a copy, c is not
    # the copy shares more names with a than c does, so only the exclusion keeps it out
    assert len(ss.names_in(COPY) & ss.names_in(HEARING)) > len(
        ss.names_in(CRASH) & ss.names_in(HEARING))
    partners = ss.same_subject_partners(items, corpus, limit=3)
    assert [p.id for p in partners["a"]] == ["c"]
    assert partners["a"][0].shared_names == ("katerina thanou", "kostas kenteris",
                                             "olympic games")
    assert "d" not in partners and "e" not in partners


def test_a_same_day_story_with_shared_words_is_the_same_event() -> None:
    near = [Story("a", "Greek pair face drugs hearing", HEARING, "2004-12-01"),
            Story("c", "Kenteris denies faking road crash", CRASH, "2004-12-02"),
            Story("d", "Rates held at 4.75%", RATES, "2004-12-02")]
    cosine = ss.cosine_matrix(statistics(near).vectorizer, [HEARING, CRASH])[0, 1]
    assert ss.SAME_EVENT_COSINE <= cosine < ss.COPY_COSINE
    assert "a" not in ss.same_subject_partners(near, statistics(near))
    later = [*near[:1], Story("c", near[1].headline, CRASH, "2004-12-20"), near[2]]
    assert [p.id for p in ss.same_subject_partners(later, statistics(later))["a"]] == ["c"]


def test_partners_do_not_depend_on_input_order() -> None:
    items = stories()
    corpus = statistics(items)
    assert ss.same_subject_partners(items[::-1], corpus, limit=2) == \
        ss.same_subject_partners(items, corpus, limit=2)


def test_common_names_do_not_count() -> None:
    filler = [f"Donald Trump spoke about topic number {i} at length today." for i in range(30)]
    corpus = ss.corpus_statistics(filler + [HEARING])
    assert "donald trump" in corpus.common_names
    assert "kostas kenteris" not in corpus.common_names
