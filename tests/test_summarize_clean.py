"""Cleaning: every pattern found in the nine news-articles sources, on examples written here."""

from __future__ import annotations

import pytest

from newsdesk.summarize.clean import (
    blocks,
    clean_text,
    is_fragment,
    keep_sentence,
    repair_text,
    strip_dateline,
    strip_trailer,
)


@pytest.mark.parametrize(("raw", "repaired"), [
    ('He said "no,"?and left.', 'He said "no," and left.'),            # closing quote
    ('The teachers"?unions objected.', "The teachers' unions objected."),  # apostrophe
    ('humans "?or at least robots', "humans — or at least robots"),      # dash with spaces
    ('like most shows-"?midway through', "like most shows — midway through"),
    ('It ended.-"And then?" Source:-Al Jazeera', 'It ended. "And then?" Source: Al Jazeera'),
    ('They don"t know.', "They don't know."),
    ("Bus ?ireann staff", "Bus \ufffdireann staff"),                      # broken letter
    ("told RT? News on Monday", "told RTÉ News on Monday"),
    ("A\x00b\u200bc  d\tе", "Abc d е"),                                   # control characters
    ("line one  \n\n  line two", "line one\nline two"),                  # newlines kept
    ("They left.   Night Hunters  O'Reilly  asked.",                      # space runs
     "They left.\nNight Hunters\nO'Reilly asked."),
])
def test_repair_text(raw: str, repaired: str) -> None:
    assert repair_text(raw) == repaired


def test_repair_text_leaves_clean_text_alone() -> None:
    text = 'The well-known "Brexit" vote - a first - was held on 23 June. Why? Nobody knows.'
    assert repair_text(text) == text


@pytest.mark.parametrize(("text", "rest"), [
    ("MOSCOW, February 7. /TASS/. Russia said so.", "Russia said so."),          # TASS
    ("MURMANSK. February 7. /TASS/. The Arctic.", "The Arctic."),
    ("MOSCOW, March 17. /TASS, Maxim Allanazarov/. Crowds came.", "Crowds came."),
    ("TOKYO, March 2. /TASS /. Japan agreed.", "Japan agreed."),
    ("SAN RAMON, Calif., March 16, 2017 /PRNewswire/. The alliance grew.", "The alliance grew."),
    ("WASHINGTON (Reuters) - The Fed held rates.", "The Fed held rates."),       # HuffPost
    ("KUALA LUMPUR, Feb 24 (Reuters) - Police said.", "Police said."),
    ("(Reuters Health) - Doctors warned.", "Doctors warned."),
    ("Washington (CNN)The vote passed.", "The vote passed."),                    # CNN
    ("WASHINGTON — The House voted.", "The House voted."),
    ("Islamabad, Pakistan - Pakistan closed two crossings.", "Pakistan closed two crossings."),
    ("Ramallah, occupied West Bank - Six months on, nothing.", "Six months on, nothing."),
    ("Tijuana, Mexico/San Diego, United States - Walls rise.", "Walls rise."),
    ("Tehran - Iran said no.", "Iran said no."),                                 # Al Jazeera
    ("- Russia and Iran agree.", "Russia and Iran agree."),                      # stray dash
])
def test_strip_dateline(text: str, rest: str) -> None:
    assert strip_dateline(text) == rest


@pytest.mark.parametrize("text", [
    "The Muslim ban did not happen in one day - and it means more.",
    "Rachel Dolezal - the woman who said she was black - has a new name.",
    "Skydiving, hiking, kayaking - all are popular.",
    "US President Donald Trump said on Monday that talks would go on.",
    "A - B testing works.",
])
def test_strip_dateline_keeps_openings_that_are_prose(text: str) -> None:
    assert strip_dateline(text) == text


@pytest.mark.parametrize(("text", "rest"), [
    ("The vote is on Monday. mb/jm (AFP, dpa)", "The vote is on Monday."),          # DW
    ("The vote is on Monday. jr/gsw (Reuters, AP, AFP) -", "The vote is on Monday."),
    ("The vote is on Monday. (AP, AFP, Reuters)", "The vote is on Monday."),
    ("The vote is on Monday. Author: Sabine Oelze / db", "The vote is on Monday."),
    ("The vote is on Monday. More to follow.", "The vote is on Monday."),
    ("The vote is on Monday. Source: Al Jazeera and news agencies",                 # Al Jazeera
     "The vote is on Monday."),
    ("The vote is on Monday. How will it affect you? Learn more",                   # HuffPost
     "The vote is on Monday. How will it affect you?"),
    ("The vote is on Monday. (Reporting by Kate Kelland; Editing by Kevin Liffey)",
     "The vote is on Monday."),
    ("The vote is on Monday. View Comments", "The vote is on Monday."),             # RTE
    ("The vote is on Monday. Read more", "The vote is on Monday."),                 # BBC
    ("The vote is on Monday. lixiang@chinadaily.com.cn "                            # China Daily
     "(China Daily European Weekly 01/13/2017 page31)", "The vote is on Monday."),
])
def test_strip_trailer(text: str, rest: str) -> None:
    assert strip_trailer(text) == rest


@pytest.mark.parametrize("text", [
    "He met the envoy (and his deputy).",
    "Growth was 2% (Mr Smith)",
    "Critics say No Comments is a bad title.",
])
def test_strip_trailer_keeps_prose(text: str) -> None:
    assert strip_trailer(text) == text


@pytest.mark.parametrize("sentence", [
    "ABC News' Morgan Winsor contributed to this report.",                         # bylines
    "AP writers Jo Roe and Al Poe in Los Angeles contributed to this report.",
    "READ MORE: Who produced the VX poison that killed Kim Jong-nam?",             # link-outs
    "WATCH: Irish travellers facing discrimination Some 84 percent are jobless.",
    "Read more from Laura Ms Sturgeon will rely on the Greens.",
    "Follow James on Twitter.",                                                    # social
    "Find us on Instagram at BBCNewsbeat and follow us on Snapchat.",
    "Never delay if you hear a fire alarm pic.twitter.com/OAaQdvegBV — Dublin Fire.",
    "Email us at haveyoursay@bbc.co.uk with your story.",
    "Visit cnn.com/skiing for more news and video.",
    "Police said so in a post at https://t.co/x1 on Friday.",
    "HuffPost Lifestyle is a daily newsletter that will make you happier.",        # promos
    "Do you have information you want to share with the Huffington Post?",
    "How will Trump's first 100 days impact you?",
    "Sign up for up-to-the-minute breaking news alerts.",
    "The views do not necessarily reflect those of China Daily.",                  # disclaimers
    "Hu Jianhuan / For China Daily The pickup suggests firms are optimistic.",     # credits
    "Crowds gathered at the shrine on Friday [Wali Muhammed/Al Jazeera]",          # caption
    "Source: Al Jazeera.",
    "This story has been updated.",
    "Donald Trump's path to presidency",                                           # fragments
    "Tass is",
    "1.",
])
def test_keep_sentence_drops_boilerplate(sentence: str) -> None:
    assert not keep_sentence(sentence)


@pytest.mark.parametrize("sentence", [
    "The army said it had taken the town.",
    "He was 90.",
    '"We will win," he said.',
    "Does Elon Musk ever sleep?",
    "Readers wrote in to say more about the plan (see below).",
    "Twitter users followed the vote closely.",
])
def test_keep_sentence_keeps_prose(sentence: str) -> None:
    assert keep_sentence(sentence)


@pytest.mark.parametrize("sentence", [
    "Путин прибыл в Анкару на переговоры.", "Η κυβέρνηση ανακοίνωσε νέα μέτρα.",
    "أعلنت الحكومة عن إجراءات جديدة؟", "会谈于周一在莫斯科开始。", "Les députés ont voté à 18 h."])
def test_prose_in_other_scripts_is_not_a_fragment(sentence: str) -> None:
    assert keep_sentence(sentence)


def test_is_fragment() -> None:
    assert is_fragment("The Most Beautiful Island on Earth")
    assert is_fragment("The two most common types of surgery are:")
    assert not is_fragment("It rained (heavily).")


def test_blocks_split_at_lines_and_photo_credits() -> None:
    text = ("Police came.\nThey left.\n\nO'Reilly asked twice. Crowds came "
            "[Jo Bloggs/Al Jazeera] The army said so. Talks [in Geneva/Paris] went on.")
    assert list(blocks(text)) == [
        "Police came.", "They left.", "O'Reilly asked twice. Crowds came [Jo Bloggs/Al Jazeera]",
        "The army said so. Talks [in Geneva/Paris] went on."]


def test_clean_text_on_a_tass_style_article() -> None:
    raw = ('MOSCOW, February 7. /TASS/. Russia\'s envoy said talks "went well,"?officials '
           'said.-"We are glad," he added. Send Facebook Twitter Google+ Whatsapp Tumblr '
           "linkedin stumble Digg reddit Newsvine Permalink http://dw.com/p/2WegM mb/jm "
           "(AFP, dpa)")
    assert clean_text(raw) == ("Russia's envoy said talks \"went well,\" officials said. "
                               '"We are glad," he added.')


def test_clean_text_on_a_huffpost_style_article() -> None:
    raw = ("WASHINGTON "
           '"?The House voted on Friday. Lawmakers left. Share this slide: How will '
           "Trump's first 100 days impact you? Learn more")
    assert clean_text(raw) == ("The House voted on Friday. Lawmakers left. How will "
                               "Trump's first 100 days impact you?")
