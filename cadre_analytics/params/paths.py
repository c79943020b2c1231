"""Where the project's data files live (the package's parent folder)."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_PARAMS_DIR = PROJECT_ROOT / "params"
DEFAULT_CONTRACTS_DIR = PROJECT_ROOT / "data_contracts"
SAMPLE_DATA_DIR = PROJECT_ROOT / "data" / "sample"  # the bundled synthetic district
