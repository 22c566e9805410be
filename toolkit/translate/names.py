"""Which capitalized phrases are names to keep as written, judged with Apertium's English analyser.

Apertium's morphological analyser and tagger (in the `apertium-eng-spa` package, whatever engine translates)
know given names and surnames (`<np><ant>`, `<np><cog>`), places (`<np><loc>`) and some institutions as one
unit (`<np><al>`), and mark words they do not know (`*`). A phrase is kept as written from its first personal
name or unknown word on ("Health Minister [Ana Lima]", "[Brookings Institution]"); an institution the engine
can translate is left to it ("World Health Organization", "the Supreme Court", "Inter-American Commission");
any other run of capitalized common words is kept whole ("Human Rights Watch"), as a publication's name with
its leading "The" ("The New York Times"). Without Apertium every run is kept whole."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from typing import Literal

ANALYSER = "/usr/share/apertium/apertium-eng-spa"
INSTITUTION_NOUNS = set(
    """organization organisation commission fund bank university court council ministry department union nations
institute office programme program committee agency service parliament senate congress assembly army navy force
forces guard police canal republic states commissioner secretariat tribunal authority board bureau federation
administration government house school college hospital center centre academy corps coast""".split()
)
LEXICAL_UNIT = re.compile(r"\^(?P<surface>[^/$]*)(?:/(?P<lemma>[^<$]*)(?:<(?P<tags>[^$]*)>)?)?\$")
Verdict = Literal["keep", "translate"]


@dataclass(frozen=True)
class Word:
    surface: str
    tags: str  # "np><ant><m><sg", "n><sg", "" for an unknown word

    @property
    def unknown(self) -> bool:
        return self.tags == ""

    @property
    def personal(self) -> bool:
        return self.tags.startswith("np><ant") or self.tags.startswith("np><cog")

    @property
    def place(self) -> bool:
        return self.tags.startswith("np><loc") or self.tags.startswith("np><top")

    @property
    def multiword_name(self) -> bool:
        return self.tags.startswith("np><al") and " " in self.surface


@functools.cache
def analyser_available() -> bool:
    return shutil.which("lt-proc") is not None and shutil.which("apertium-tagger") is not None


def analyse(phrases: list[str], mode: str = "eng-spa") -> dict[str, list[Word]]:
    """Each phrase analysed on its own (one process for all of them), by the analyser of the source language
    (`eng-spa`: English, `spa-eng`: Spanish; both tag proper nouns alike)."""
    if not phrases or not analyser_available():
        return {}
    text = "".join(f"{p.replace('.', ' ')} .\n" for p in phrases)
    # The analyser feeds the tagger directly, both running at once.
    morph = subprocess.Popen(
        ["lt-proc", f"{ANALYSER}/{mode}.automorf.bin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    tagger = subprocess.Popen(
        ["apertium-tagger", "-p", "-g", f"{ANALYSER}/{mode}.prob"],
        stdin=morph.stdout,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert morph.stdin is not None and morph.stdout is not None
    morph.stdout.close()  # the tagger holds it now
    stdin = morph.stdin

    def feed() -> None:  # in a thread of its own: pipes fill up when the input is large
        stdin.write(text)
        stdin.close()

    writer = threading.Thread(target=feed)
    writer.start()
    output, _ = tagger.communicate(timeout=600)
    writer.join()
    if morph.wait(timeout=600) != 0 or tagger.returncode != 0:
        return {}
    sentences: list[list[Word]] = [[]]
    for m in LEXICAL_UNIT.finditer(output):
        surface, tags = m["surface"], m["tags"] or ""
        if tags.startswith("sent"):
            sentences.append([])
        else:
            sentences[-1].append(Word(surface, tags))
    return dict(zip(phrases, sentences[: len(phrases)], strict=False))


def judge(phrase: str, words: list[Word] | None) -> tuple[Verdict, int]:
    """Keep or translate a capitalized phrase; with "keep", how many leading words stay translatable (role words
    and adjectives before a name: "Health Minister" in "Health Minister Ana Lima")."""
    if not words:
        return "keep", 0
    for i, word in enumerate(words):
        if word.personal or word.unknown:
            return "keep", _leading_words(words[:i], phrase)
    nouns = {w.surface.lower() for w in words}
    if phrase.startswith("The ") and any(w.multiword_name for w in words):
        return "keep", 0  # a publication with its article: The New York Times
    if nouns & INSTITUTION_NOUNS or (len(words) == 1 and words[0].multiword_name):
        return "translate", 0
    if any(w.place for w in words) or words[0].tags.startswith("vblex"):
        return "translate", 0  # places ("Latin America", "Russia and China"), a title-case phrase ("Pressure …")
    return "keep", 0


def _leading_words(words: list[Word], phrase: str) -> int:
    """How many words of the phrase the analysed words before the name cover."""
    return sum(len(w.surface.split()) for w in words)
