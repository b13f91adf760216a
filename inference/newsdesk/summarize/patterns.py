"""The boilerplate patterns found in real news text (all nine news-articles sources).

Each pattern names the source it was found in; the tests in
``tests/test_summarize_clean.py`` hold one example of each.
"""

from __future__ import annotations

import re

_PLACE_PART = r"[A-Z][\w'.-]*(?:[ /](?:[A-Z][\w'.-]*|of|and|the|al-\w+)){0,4}"
_PLACE_TAIL = rf"(?:, (?:the |[Oo]ccupied )?{_PLACE_PART}){{1,2}}"

#: Opening datelines, tried in order at the start of the text.
DATELINES = (
    # TASS and PR Newswire: "MOSCOW, February 7. /TASS/." "SAN RAMON, Calif., March 1 /PRNewswire/."
    re.compile(r"^.{0,100}?/\s*(?:TASS|PRNewswire)[^/]{0,60}/\.?[\s.-]*"),
    # wire copy: "WASHINGTON (Reuters) - ", "(Reuters Health) - ", "Olathe, Kansas (CNN)"
    re.compile(r"^(?:[A-Z][\w.,/' ]{0,60}?\s*)?\((?:CNN|Reuters(?: Health)?|AP|AFP|dpa|"
               r"Variety\.com)\)\s*(?:[-–—]+\s*)?"),
    # "WASHINGTON — " (HuffPost), "NEW YORK/BOSTON -- "
    re.compile(r"^[A-Z][A-Z.'/ -]{2,40}(?:, [A-Z][\w.]+(?: \d{1,2})?)*\s*(?:—|–|--)\s*"),
    # "Islamabad, Pakistan - ", "Ramallah, occupied West Bank - ", "Tehran - " (Al Jazeera);
    # a name without a comma ("Rachel Dolezal - ") is not taken for a place
    re.compile(rf"^(?:{_PLACE_PART}{_PLACE_TAIL}\s+(?:-|–|—|--)|[A-Z][\w'.-]+\s+-)\s+"),
)

#: Removed from the end of the text, repeatedly, until none matches (with stray dashes).
TRAILERS = (
    re.compile(r"\s*\bLearn more\.?\s*$"),                          # HuffPost promo link
    re.compile(r"(?:(?<=[.!?\"'])|^)\s*(?:View\s+)?Comments\s*$"),   # RTE
    re.compile(r"\s*\bRead more\.?\s*$"),                            # BBC, RTE
    re.compile(r"\s*\bSource:\s*[\w ,.'-]{0,60}$"),                  # Al Jazeera
    re.compile(r"\s*\bAuthor:[^.!?]{0,80}$"),                       # DW
    re.compile(r"\s*\(\s*China Daily[^()]{0,80}\)\s*$"),            # China Daily issue line
    re.compile(r"\s*\((?:Reporting|Writing|Editing) by [^()]{0,200}\)\s*$"),  # Reuters copy
    re.compile(r"\s*[^\s@]{1,64}@[^\s@]{1,255}\.\w{1,10}\s*$"),      # reporter's e-mail
    re.compile(r"\s*\bMore to follow\.?\s*$"),                      # DW breaking news
    re.compile(r"\s*\?,-1\"\s*$"),                                   # ABC junk
)

#: News agencies DW and others credit at the end: "(AFP, dpa)", "jr/gsw (Reuters, AP)".
AGENCIES = frozenset({
    "afp", "ap", "dpa", "reuters", "kna", "epd", "efe", "sid", "lusa", "aap", "ansa",
    "xinhua", "kyodo", "yonhap", "irna", "interfax", "tass", "ria", "belga", "anp", "apa",
    "ips", "ani", "pti", "ians", "bbc", "cnn", "dw",
})

#: Removed wherever they stand.
SHARE_BARS = (
    re.compile(r"Send Facebook Twitter Google\+.{0,120}?Permalink\s+\S+"),   # DW
    re.compile(r"\s*Share this slide:"),                                      # HuffPost
)

#: A photo credit in brackets ends a caption: "[Wali Muhammed/Al Jazeera]" (Al Jazeera).
CAPTION_CREDIT = re.compile(r"\[\s*[A-Z][\w.' -]{1,40}/\s*[A-Z][\w.' -]{1,40}\]")

_BOILERPLATE = (
    # links, e-mail, handles, embedded tweets (every source)
    r"https?://|\bwww\.|pic\.twitter\.com|\bbit\.ly/|\S@[^\s@]{1,255}\.\w|(?:^|\s)@\w",
    r"\b\w{1,63}\.(?:com|co\.uk|net|org)/",
    # link-outs (Al Jazeera, CNN, BBC, RTE)
    r"^(?:READ MORE|READ|WATCH|MORE|RELATED|ALSO READ|Read more|See also)\b\s*:",
    r"^Read more (?:from|on) ",
    # bylines and credits (ABC, DW, China Daily, Al Jazeera)
    r"contributed (?:to )?(?:this|the) report",
    r"^(?:Author|Source|Photo|Image|Video)\s*:",
    r"/ (?:For )?(?:China Daily|Xinhua)\b|Photos? [Pp]rovided to China Daily",
    r"\(China Daily European Weekly",
    r"^(?:Follow|Find) (?:us|\w+(?: \w+)?) on (?:Twitter|Facebook|Instagram|Snapchat)",
    r"\bcontact us in the following ways\b|\bshare your (?:pictures|photos)\b",
    # opinion disclaimers (Al Jazeera, China Daily)
    r"do not necessarily reflect",
    # promos (HuffPost, BBC, CNN)
    r"\bnewsletter\b|\byour inbox\b|^Sign up\b|^Subscribe\b|\bSign up[- ]here\b",
    r"want to share with the Huffington Post\b|^Here's how\.$",
    r"How will (?:Donald )?Trump's .{0,40}impact (?:you|YOU)\?",
    r"basically your best friend|The truth is stranger than fiction|"
    r"Step into the world of weird news|be the last to watch the viral video|"
    r"THE spot for your favorite|Never miss a thing|originally appeared on Quora|"
    r"Start here, with the latest stories",
    r"^(?:This|The) (?:story|article) has been (?:updated|corrected)",
    r"^More to follow\.?$|^Visit \S+ for more\b|\bvia GIPHY\b|Ruptly Stream",
)

#: A sentence matching any of these is dropped.
BOILERPLATE = tuple(re.compile(pattern) for pattern in _BOILERPLATE)
