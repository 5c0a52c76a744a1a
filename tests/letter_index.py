"""A word-hash index of the letter, so that quotations can be checked without its text.

The letter is the journal's text and is not part of this repository; the project keeps a copy
beside the checkout (``shared/seeds/``). A checkout on its own (CI, a contributor's clone)
still has to prove that every quotation in ``data/`` is the letter's wording, so
``tests/letter_index.json`` stores, in reading order, a salted hash of each word of the
normalised letter: enough to test whether a run of words occurs in the letter, and not a
readable copy of it. ``test_data.py`` checks that the stored index is the one this module
makes from the letter wherever the letter is present.

Regenerate it (only if the letter's copy itself changes) with::

    python tests/letter_index.py ../shared/seeds/000_422881de29d27553.txt
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import unicodedata
from pathlib import Path

INDEX_PATH = Path(__file__).with_name("letter_index.json")
SALT = "ivigbook-letter-index-v1"
#: Characters of each word's hash kept (40 bits: a chance collision between a quotation's word
#: and a letter word is about 1 in 10^12, and a quotation has several words).
HASH_CHARS = 10


def normalise(text: str) -> str:
    """NFC, straight quotes, the page break and line-end hyphenation undone, spaces collapsed."""
    text = unicodedata.normalize("NFC", text)
    for curly, straight in (("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(curly, straight)
    # The page break splits one word of the body, "stud-" ... "ies", around the whole of
    # Table I: put the table after the body so the sentence reads on.
    if "stud-\n" in text and "\n ies are" in text:
        cut, resume = text.index("stud-\n"), text.index("\n ies are")
        text = text[:cut] + "stud" + text[resume + 2 :] + "\n" + text[cut + 5 : resume]
    # Line-end hyphenation of running text ("clini-\ncal"); "s-\nIBM" keeps its capital.
    text = re.sub(r"(\w)-[ \t]*\n[ \t]*([a-z])", r"\1\2", text)
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """The lower-cased words (runs of letters and digits) of ``text``, normalised."""
    return re.findall(r"[^\W_]+", normalise(text).lower())


def word_hash(word: str) -> str:
    return hashlib.sha256(f"{SALT}:{word}".encode()).hexdigest()[:HASH_CHARS]


def build_index(letter_text: str) -> dict[str, object]:
    hashes = [word_hash(w) for w in words(letter_text)]
    return {
        "description": (
            "Salted hashes of the words of the letter, in reading order (see "
            "tests/letter_index.py); used to check quotations without the letter's text."
        ),
        "salt": SALT,
        "hash_chars": HASH_CHARS,
        "n_words": len(hashes),
        "words": " ".join(hashes),
    }


class LetterIndex:
    """Answers whether a quotation's words occur in the letter."""

    def __init__(self, index: dict[str, object]) -> None:
        if index.get("salt") != SALT or index.get("hash_chars") != HASH_CHARS:
            msg = "letter_index.json was made with other settings: regenerate it"
            raise ValueError(msg)
        self.sequence = str(index["words"]).split()
        if len(self.sequence) != index["n_words"]:
            msg = "letter_index.json is damaged: word count differs from n_words"
            raise ValueError(msg)
        self.vocabulary = set(self.sequence)

    @classmethod
    def load(cls, path: Path = INDEX_PATH) -> LetterIndex:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def has_word(self, word: str) -> bool:
        return word_hash(word.lower()) in self.vocabulary

    def unknown_words(self, text: str) -> list[str]:
        return [w for w in words(text) if not self.has_word(w)]

    def contains(self, quote: str) -> bool:
        """The quotation's words occur in the letter in the same order within a short window.

        The letter's text file interleaves Table I's columns line by line, so the words of one
        table cell are separated only by the other columns' words on the same lines; running
        text matches with no gap at all.
        """
        wanted = [word_hash(w) for w in words(quote)]
        if not wanted:
            return True
        window = max(40, 12 * len(wanted))
        letter = self.sequence
        for start, word in enumerate(letter):
            if word != wanted[0]:
                continue
            position, matched = start + 1, 1
            end = min(len(letter), start + window)
            while matched < len(wanted) and position < end:
                if letter[position] == wanted[matched]:
                    matched += 1
                position += 1
            if matched == len(wanted):
                return True
        return False

    def contains_contiguous(self, quote: str) -> bool:
        """The quotation's words occur in the letter one after the other, with no gap."""
        wanted = [word_hash(w) for w in words(quote)]
        size = len(wanted)
        return any(
            self.sequence[i : i + size] == wanted for i in range(len(self.sequence) - size + 1)
        )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    index = build_index(Path(argv[0]).read_text(encoding="utf-8"))
    INDEX_PATH.write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {INDEX_PATH} ({index['n_words']} words)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
