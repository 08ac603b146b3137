//! Synthetic parks of any size, for benchmarks and load tests.
