"""``python -m devtools.demo``: serve the sample Arabic news sites until Ctrl-C."""

from devtools.demo.runner import main

raise SystemExit(main())
