"""De-identification of free text: find personal data in Chinese and English delivery texts.

``Detector().detect(text)`` returns :class:`Entity` findings (type, offsets into the text as given, score
and the rule that produced them), never the matched text itself.
"""

from parcelguard.domain.deid.detector import Detector
from parcelguard.domain.deid.entity import Entity, EntityType

__all__ = ["Detector", "Entity", "EntityType"]
