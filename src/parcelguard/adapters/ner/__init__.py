"""Sequence models for the free-text detector's ``accurate`` mode (Baidu LAC on ONNX Runtime)."""

from parcelguard.adapters.ner.lac_tagger import LacTagger, lac_tagger

__all__ = ["LacTagger", "lac_tagger"]
