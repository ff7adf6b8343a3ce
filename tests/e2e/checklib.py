"""What the independent checkers in tests/e2e share (and the browser tests'
mock server): the US states by name and code, and strict parsing of decimal
text.  Written from docs/INGEST.md, not from ria's code.

Imported by scripts run as `python3 tests/e2e/NAME.py` (their folder is on
the module path); tests/browser/mock_server.py adds this folder itself.
"""
from decimal import Decimal, InvalidOperation

# Two-letter code -> name: the fifty states and the District of Columbia.
STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}
# Lower-case name -> code, as a load maps full state names to codes.
STATES = {name.lower(): code for code, name in STATE_NAMES.items()}
STATE_CODES = set(STATE_NAMES)


def finite_decimal(t, text):
    """Decimal of the number t; raises ValueError(text) unless it is finite."""
    try:
        v = Decimal(t)
    except InvalidOperation:
        raise ValueError(text)
    if not v.is_finite():
        raise ValueError(text)
    return v
