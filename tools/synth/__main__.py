"""``python -m tools.synth``: write a synthetic district (see ``main``)."""

from tools.synth import main

raise SystemExit(main())
