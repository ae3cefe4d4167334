from mentora.matching.cli import main

raise SystemExit(main())
