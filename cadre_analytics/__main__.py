from cadre_analytics.cli import main

raise SystemExit(main())
