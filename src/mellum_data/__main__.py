from mellum_data.cli import main

raise SystemExit(main())
