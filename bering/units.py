"""Exact unit definitions the collection's sources use (miles, short tons), in one place.

Both are definitions, not measurements: the international mile is 1,609.344 m and the short ton
2,000 lb of 0.45359237 kg each (the international yard and pound agreement of 1959).
"""

from __future__ import annotations

#: The international mile, in km.
KM_PER_MILE = 1.609344
#: The short ton (2,000 lb), in tonnes.
TONNES_PER_SHORT_TON = 0.90718474
#: One short ton-mile (US rail and truck statistics) in tonne-km.
SHORT_TON_MILE_TKM = TONNES_PER_SHORT_TON * KM_PER_MILE
