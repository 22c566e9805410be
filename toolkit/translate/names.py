"""Which capitalized phrases are names to keep as written, judged with Apertium's analyser.

Apertium's morphological analyser and tagger (in the `apertium-eng-spa` package, whatever engine translates)
know given names and surnames (`<np><ant>`, `<np><cog>`), places (`<np><loc>`) and some institutions as one
unit (`<np><al>`), and mark words they do not know. A capitalized phrase is kept as written only with evidence
that it is a name: from its first personal name or unknown word on ("Health Minister [Ana Lima]",
"[Brookings Institution]"); a title with its article inside a sentence ("told [The Evening Star]", "según [El
Heraldo]"); common words capitalized by choice with no institution's head ("[Open Harbour]", "[Red de Mujeres
Rurales]"; in English only inside a sentence, where its first word is not capitalized anyway). The bibliography,
glossary and term base name others before this runs. Everything else is left to the engine: public
institutions, laws, days and features of the map by their head noun ("World Health Organization", "la Comisión
Nacional del Agua", "Office for the Protection of Witnesses"), places and units it knows ("Latin America", "Cold
War"). Months ("March" is a surname to the tagger) and role titles ("Mayor") are never evidence. What differs
by language is in `NAME_RULES`. Without Apertium every run is kept whole."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Literal

ANALYSER = "/usr/share/apertium/apertium-eng-spa"
# The head nouns of what the engine translates however it is capitalized: public institutions ("Comisión
# Nacional del Agua", "Office for the Protection of Witnesses"), laws and accords, days and wars, features of
# the map. Civil-society names of common words ("Red de Mujeres Rurales", "Green Rivers Alliance") are not
# here: their capitals are the evidence that they are names.
SPANISH_INSTITUTION_NOUNS = set(
    """organización comisión fondo banco universidad corte tribunal consejo ministerio departamento unión instituto
oficina programa agencia servicio parlamento senado congreso ejército fuerza guardia policía secretaría
procuraduría fiscalía defensoría contraloría superintendencia autoridad dirección administración gobierno cámara
ley acuerdo tratado convención declaración pacto protocolo constitución código plan cumbre conferencia día
semana guerra río mar lago océano golfo cordillera sierra valle desierto""".split()
)
# Heads that are public only with a state's adjective after them ("Asamblea Nacional", not "Asamblea Campesina").
SPANISH_QUALIFIED_NOUNS = {"asamblea", "comité", "junta"}
SPANISH_STATE_ADJECTIVES = set(
    """nacional general legislativa legislativo constituyente plurinacional federal estatal regional provincial
departamental municipal permanente electoral constitucional superior supremo suprema internacional""".split()
)
INSTITUTION_NOUNS = set(
    """ministry commission court office department agency institute council senate congress parliament assembly
committee bank fund organization organisation union programme program authority board bureau service police
army navy guard government administration secretariat tribunal university house chamber cabinet treasury
party embassy agreement accord convention declaration treaty protocol act charter constitution summit
conference day week war river sea lake ocean gulf bay valley desert coast mountains north south east
west""".split()
)
CALENDAR_WORDS = {
    *"january february march april may june july august september october november december".split(),
    *"enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
    *"monday tuesday wednesday thursday friday saturday sunday".split(),
    *"lunes martes miércoles jueves viernes sábado domingo".split(),
}
NOT_EVIDENCE = {
    *CALENDAR_WORDS,
    *"mayor governor senator president minister judge justice general secretary ambassador director".split(),
    *"alcalde alcaldesa gobernador gobernadora senador senadora presidente presidenta ministro ministra".split(),
    *"juez jueza secretario secretaria embajador embajadora directora canciller fiscal diputado diputada".split(),
    *"concejal concejala vicepresidente vicepresidenta expresidente expresidenta".split(),
    *"prime vice deputy chief former high special foreign".split(),  # the other words of role titles
}
JOINING_WORDS = {"of", "for", "on", "the", "and", "de", "del", "la", "el", "los", "las", "y"}


@dataclass(frozen=True)
class NameRules:
    """What counts as evidence of a name in one source language (by the analyser that reads it)."""

    title_articles: frozenset[str]  # a capitalized article inside a sentence starts a title: "told The Courier"
    institution_nouns: frozenset[str]  # a run with one of these as its head is the engine's
    head_first: bool  # the head is the run's first word (Spanish) or any of its words (English)
    qualified_nouns: frozenset[str]  # heads that are the engine's only with a state's adjective after them
    state_adjectives: frozenset[str]
    # The language writes common nouns lowercase, even in headings: a capitalized one is evidence anywhere, also
    # before a given name ("Fundación Agua Clara"); English capitalizes a sentence's first word and role words.
    common_nouns_lowercase: bool


NAME_RULES: dict[str, NameRules] = {
    "eng-spa": NameRules(
        frozenset({"The"}),
        frozenset(INSTITUTION_NOUNS),
        head_first=False,
        qualified_nouns=frozenset(),
        state_adjectives=frozenset(),
        common_nouns_lowercase=False,  # "Key Findings", "Health Minister Ana Lima"
    ),
    "spa-eng": NameRules(
        frozenset({"El", "La", "Los", "Las"}),
        frozenset(SPANISH_INSTITUTION_NOUNS),
        head_first=True,
        qualified_nouns=frozenset(SPANISH_QUALIFIED_NOUNS),
        state_adjectives=frozenset(SPANISH_STATE_ADJECTIVES),
        common_nouns_lowercase=True,
    ),
}
NOT_A_WORD = re.compile(r"[^\w\s'’-]")  # punctuation and the stream format's own characters (^ $ / < > [ ])
LEXICAL_UNIT = re.compile(r"\^(?P<surface>[^/$^]*)(?:/(?P<lemma>[^<$^]*)(?:<(?P<tags>[^$^]*)>)?)?\$")
READINGS = re.compile(r"\^[^/$^]*(?:/[^/$^]*)*\$")  # a unit with all its readings (no "^" in one)
Verdict = Literal["keep", "translate"]


@dataclass(frozen=True)
class Word:
    surface: str
    tags: str  # "np><ant><m><sg", "n><sg", "" for an unknown word
    may_be_proper: bool = False  # one of the analyser's readings is a proper noun, whichever the tagger chose

    @property
    def unknown(self) -> bool:
        return self.tags == ""

    @property
    def personal(self) -> bool:
        evidence = self.surface.lower() not in NOT_EVIDENCE
        return evidence and (self.tags.startswith("np><ant") or self.tags.startswith("np><cog"))

    @property
    def proper(self) -> bool:
        """A proper noun or a word the engine does not know: kept capitalized in a title put in sentence case."""
        return self.unknown or (self.tags.startswith("np") and self.surface.lower() not in NOT_EVIDENCE)

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
    # Only the words go in, each phrase one sentence: a "?", "!" or ":" inside a heading would end a sentence of its
    # own and give every later phrase the words of the one before it ("Senator Maria Quispe" judged on "Home").
    text = "".join(f"{NOT_A_WORD.sub(' ', p)} .\n" for p in phrases)
    # The analyser's every reading, then the tagger's choice among them: a title-case word the tagger reads as a
    # common noun may still be a name ("China": porcelain or the country), which sentence case must not lowercase.
    morph = subprocess.run(
        ["lt-proc", f"{ANALYSER}/{mode}.automorf.bin"], input=text, capture_output=True, text=True, timeout=600
    )
    if morph.returncode != 0:
        return {}
    tagger = subprocess.run(
        ["apertium-tagger", "-p", "-g", f"{ANALYSER}/{mode}.prob"],
        input=morph.stdout,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if tagger.returncode != 0:
        return {}
    readings = [m.group(0) for m in READINGS.finditer(morph.stdout)]
    chosen = list(LEXICAL_UNIT.finditer(tagger.stdout))
    aligned = len(readings) == len(chosen)
    sentences: list[list[Word]] = [[]]
    for i, m in enumerate(chosen):
        surface, tags = m["surface"], m["tags"] or ""
        if tags.startswith("sent"):
            sentences.append([])
        else:
            sentences[-1].append(Word(surface, tags, aligned and "<np>" in readings[i]))
    if len(sentences) != len(phrases) + 1:
        return {}  # never words matched to the wrong phrase: every run kept whole
    return dict(zip(phrases, sentences[: len(phrases)], strict=True))


def judge(
    phrase: str, words: list[Word] | None, rules: NameRules = NAME_RULES["eng-spa"], opens_sentence: bool = False
) -> tuple[Verdict, int]:
    """Keep or translate a capitalized phrase; with "keep", how many leading words stay translatable (role words
    and adjectives before a name: "Health Minister" in "Health Minister Ana Lima"). `opens_sentence`: the phrase
    starts a sentence or a heading, where its first word is capitalized anyway."""
    if not words:
        return "keep", 0
    if not opens_sentence and words[0].surface in rules.title_articles and not is_place(words[1:]):
        return "keep", 0  # a title with its article inside a sentence: "told The Courier", "según El Heraldo"
    if head_is_institution(words, rules):
        return "translate", 0
    for i, word in enumerate(words):
        if word.personal or word.unknown:
            leading = words[1 if opens_sentence else 0 : i]
            if rules.common_nouns_lowercase and any(_capitalized_common(w) for w in leading):
                return "keep", 0  # one name: "Fundación Agua Clara"
            return "keep", _leading_words(words[:i], phrase)
    if phrase.startswith("The ") and any(w.multiword_name for w in words):
        return "keep", 0  # a publication with its article: The New York Times
    if any(w.tags.startswith(("np><loc", "np><al")) for w in words):
        return "translate", 0  # places and the names the engine knows as one unit ("Latin America", "Cold War")
    if opens_sentence and not rules.common_nouns_lowercase:
        return "translate", 0
    if any(_capitalized_common(w) for w in words[1 if opens_sentence else 0 :]):
        return "keep", 0  # common words capitalized by choice, with no institution's head: "Open Harbour"
    return "translate", 0  # no evidence of a name: months, role titles


def is_place(words: list[Word]) -> bool:
    """Only a place's name ("The Bahamas", "The Gambia"), which the engine translates with its article."""
    return bool(words) and all(w.tags.startswith("np><loc") for w in words)


def head_is_institution(words: list[Word], rules: NameRules = NAME_RULES["eng-spa"]) -> bool:
    """A public institution's name, law, day or feature of the map ("Comisión Nacional del Agua", "Supreme
    Court", "Asamblea Nacional") with no person in it: its head is one of the language's institution nouns."""
    if not words or any(w.personal for w in words):
        return False
    lower = [w.surface.lower() for w in words]
    heads = lower[:1] if rules.head_first else [part for w in lower for part in w.split(" ")]
    if any(head in rules.institution_nouns for head in heads):
        return True
    return lower[0] in rules.qualified_nouns and len(lower) >= 2 and lower[1] in rules.state_adjectives


def calendar_word(word: str) -> bool:
    """A month or a day of the week ("Monday." with its full stop too)."""
    return word.rstrip(".,;:").lower() in CALENDAR_WORDS


def _capitalized_common(word: Word) -> bool:
    """A word capitalized where the language writes it lowercase: a common noun or adjective of a name (a
    role title such as "Prime Minister", a month or a joining word is none)."""
    parts = word.surface.lower().split(" ")
    return word.surface[:1].isupper() and any(p not in NOT_EVIDENCE and p not in JOINING_WORDS for p in parts)


def _leading_words(words: list[Word], phrase: str) -> int:
    """How many words of the phrase the analysed words before the name cover."""
    return sum(len(w.surface.split()) for w in words)
