"""The privacy gate every label passes before anything is drawn (GB/T 41833-2022).

Each party's name, phone and address is checked as what it is (a name must hide a character, a phone six
digits, an address its house number and unit/room), and every other string on the label is scanned for
phone numbers, ID numbers, e-mails and address detail that should not be there.
"""

from __future__ import annotations

from parcelguard.domain.label import LabelData, label_texts
from parcelguard.domain.pii.label_lint import assert_label_compliant


def privacy_gate(data: LabelData) -> None:
    """Raise LabelComplianceError (rule names only, never the text) when the label would leak."""
    for party in (data.recipient, data.sender):
        assert_label_compliant(name=party.name, phone=party.phone, address=party.address)
    assert_label_compliant("\n".join(label_texts(data)))
