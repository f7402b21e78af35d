"""Whether text is written in Thai: which language to answer in, which name field a name
belongs to."""

import re

THAI_LETTER = re.compile("[\u0e00-\u0e7f]")  # the Thai block of Unicode


def has_thai(text: str) -> bool:
    return THAI_LETTER.search(text) is not None
