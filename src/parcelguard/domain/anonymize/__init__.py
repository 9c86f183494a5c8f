"""De-identification: policies, operators, k-anonymity and change reports, all pure.

Free text is found by ``domain.deid`` (the detector); this package decides what becomes of what was found,
and of the columns of a dataset. Operators needing keys (pseudonyms, format-preserving encryption) are
handed in as functions by the service layer, so nothing here holds a secret or does I/O.
"""

from parcelguard.domain.anonymize.fpe import FPE_TYPES, fpe_decrypt_value, fpe_encrypt_value, fpe_tweak
from parcelguard.domain.anonymize.hierarchy import HIERARCHIES, Hierarchy, hierarchy_for
from parcelguard.domain.anonymize.kanon import QiKey, Recoding, class_sizes, measure_k, plan_recoding
from parcelguard.domain.anonymize.operators import ValueOperators
from parcelguard.domain.anonymize.policy import (
    ColumnAction,
    ColumnRule,
    DatasetPolicy,
    Operator,
    TextPolicy,
    parse_operator,
    parse_policy,
    policy_from_text,
)
from parcelguard.domain.anonymize.report import ChangeReport, ColumnStats, PartitionStats
from parcelguard.domain.anonymize.table import Table, TableTransformer, TextDetector
from parcelguard.domain.anonymize.text import RedactedText, Replacement, apply_text_policy
from parcelguard.domain.anonymize.values import (
    canonical_value,
    generalize_value,
    mask_value,
    redact_tag,
    region_name,
)

DEID_DATASET_EXPORTED = "deid:dataset:exported"

__all__ = [
    "DEID_DATASET_EXPORTED",
    "FPE_TYPES",
    "HIERARCHIES",
    "ChangeReport",
    "ColumnAction",
    "ColumnRule",
    "ColumnStats",
    "DatasetPolicy",
    "Hierarchy",
    "Operator",
    "PartitionStats",
    "QiKey",
    "Recoding",
    "RedactedText",
    "Replacement",
    "Table",
    "TableTransformer",
    "TextDetector",
    "TextPolicy",
    "ValueOperators",
    "apply_text_policy",
    "canonical_value",
    "class_sizes",
    "fpe_decrypt_value",
    "fpe_encrypt_value",
    "fpe_tweak",
    "generalize_value",
    "hierarchy_for",
    "mask_value",
    "measure_k",
    "parse_operator",
    "parse_policy",
    "plan_recoding",
    "policy_from_text",
    "redact_tag",
    "region_name",
]
