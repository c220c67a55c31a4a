# Tests: unit suites (Check) per area, then integration tests under the real shim.
include tests/unit/shim.mk
include tests/unit/analyze.mk
include tests/integration/local.mk
include tests/fuzz/local.mk
