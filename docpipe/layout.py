"""Re-export of the line model, which lives in :mod:`cleaners.records`.

Kept only so that branches written before the move still import; import from
``cleaners.records`` instead.
"""

from cleaners.records import ExtractionMethod, Line, Page, PageStatus, Paragraph

__all__ = ["ExtractionMethod", "Line", "Page", "PageStatus", "Paragraph"]
