"""Imported first by ``cadre_analytics.report``, before altair.

altair validates every chart with jsonschema, which on import loads its optional IRI format
checker (``rfc3987_syntax``, about 2 s to build its grammar) when it is installed (JupyterLab's
dependencies bring it). The Vega-Lite schema uses only the uri, uri-reference and color-hex
formats, which other checkers serve, so the IRI checker is kept out, as the pipeline does for
its own process (``pipeline.skip_optional_iri_checker``).
"""

import sys

if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # None in sys.modules = ImportError
