"""cadre_analytics: qualification-quota analytics for a district Organisation Board.

Stages (data flows one way): ingest -> contracts -> indicators -> projection -> report.
"""

__version__ = "0.1.0"
