"""chizheng benchmarks (`python -m bench …`, `make bench BENCH_ARGS=…`). See docs/performance.md."""
