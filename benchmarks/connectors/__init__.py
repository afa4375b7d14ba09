"""Connector benchmarks (scripts, not tests): throughput with politeness delays at zero, and
memory over a long run with thousands of sources. Results go to docs/connectors.md."""
