"""``python -m connectors.demo``: serve the sample Arabic news sites until Ctrl-C."""

from connectors.demo.runner import main

raise SystemExit(main())
