# Kiln: `make demo` and `make test` work on a fresh Debian bookworm machine;
# each installs missing packages, configures, builds, then runs.

BUILD_DIR ?= build
CMAKE_FLAGS ?=
NINJA_JOBS ?=

PACKAGES := cmake ninja-build ccache clang-19 llvm-19-dev libmlir-19-dev mlir-19-tools \
  llvm-19-tools libonnx-dev libprotobuf-dev protobuf-compiler libgtest-dev libonnx-testdata \
  python3-onnx python3-numpy python3-torch python3-torchvision python3-sklearn bc

# What `make bench` needs beyond the build: GNU time for peak RSS, and Node.js
# with npm (checked, not installed: Debian's npm conflicts with other Node
# builds) to install and drive onnxruntime-node.
BENCH_PACKAGES := time

.PHONY: all deps configure build test test-long test-large-model test-onnx-full onnx-coverage demo train-demo docs bench bench-train fuzz fuzz-mutate test-sanitize sanitizer-deps clean

all: build

deps:
	@tools/scripts/install-deps.sh $(PACKAGES)

$(BUILD_DIR)/build.ninja:
	cmake -G Ninja -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
	  -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	ninja -C $(BUILD_DIR) $(if $(NINJA_JOBS),-j $(NINJA_JOBS)) all mlir-doc

# Every default suite: lit (dialects, importer, conversions, end-to-end) and
# the runtime's unit tests. Non-zero on any failure.
test: build
	tools/scripts/run-tests.sh $(BUILD_DIR)

# The long sweeps (the whole ONNX backend suite, executables of big models).
test-long: build
	KILN_LONG_TESTS=1 tools/scripts/run-tests.sh $(BUILD_DIR)

# A model with 512 MiB of weights (generated, not committed), saved as one
# file and with external data: kiln-compile's peak RSS under twice the weight
# bytes and its time under a minute, the output against numpy, the weights
# mapped from the library's file at run time (test/e2e/large_model.py;
# docs/performance.md). LARGE_MB=N for another size.
LARGE_MB ?= 512
test-large-model: build
	/usr/bin/python3 test/e2e/large_model.py --bin-dir $(BUILD_DIR)/bin \
	  --work-dir $(BUILD_DIR)/large-model/one-file --mb $(LARGE_MB)
	/usr/bin/python3 test/e2e/large_model.py --bin-dir $(BUILD_DIR)/bin \
	  --work-dir $(BUILD_DIR)/large-model/external --mb $(LARGE_MB) --external

# The conformance driver: the whole ONNX backend suite (1072 cases, about 10
# minutes on 2 cores) rewrites docs/onnx-coverage.md with the counts per
# suite and per operator, the failures grouped by reason, and every case with
# its result and reason. SWEEP_JOBS=N parallel cases; COVERAGE=FILE writes
# elsewhere. onnx-coverage is the older name of the same target.
SWEEP_JOBS ?= 2
COVERAGE ?= docs/onnx-coverage.md
test-onnx-full: build
	/usr/bin/python3 test/e2e/onnx_backend.py --bin-dir $(BUILD_DIR)/bin -j $(SWEEP_JOBS) \
	  --sweep --coverage $(COVERAGE)

onnx-coverage: test-onnx-full

# Kiln against ONNX Runtime (same machine, same threads): times, the FLOP and
# byte floors, workspace and peak RSS, agreement. THREADS=N to change threads;
# BASELINE=OTHER_BUILD/bin adds a before/after table timed in the same run.
THREADS ?= 1
BASELINE ?=
bench: build
	@tools/scripts/install-deps.sh $(BENCH_PACKAGES)
	@command -v node >/dev/null && command -v npm >/dev/null || \
	  { echo "make bench: needs node and npm (apt-get install nodejs npm)" >&2; exit 1; }
	/usr/bin/python3 bench/run.py --bin-dir $(BUILD_DIR)/bin --work-dir $(BUILD_DIR)/bench \
	  --threads $(THREADS) --markdown $(BUILD_DIR)/bench/results.md \
	  $(if $(BASELINE),--baseline-bin-dir $(BASELINE))
	/usr/bin/python3 bench/train.py --bin-dir $(BUILD_DIR)/bin --work-dir $(BUILD_DIR)/bench/train \
	  --threads $(THREADS) --markdown $(BUILD_DIR)/bench/train.md

# Training steps per second and memory, Kiln's compiled step against PyTorch
# eager (same machine, THREADS threads): bench/train.py, the table also written
# to $(BUILD_DIR)/bench/train.md.
bench-train: build
	/usr/bin/python3 bench/train.py --bin-dir $(BUILD_DIR)/bin --work-dir $(BUILD_DIR)/bench/train \
	  --threads $(THREADS) --markdown $(BUILD_DIR)/bench/train.md

DEMO_DIR := $(BUILD_DIR)/demo
# Sanitizer and libFuzzer runtimes: clang-19's own, installed only when no
# compiler-rt at all is present (an older one is used through a shim, see
# docs/fuzzing.md).
SANITIZER_PACKAGES := libclang-rt-19-dev
sanitizer-deps:
	@for f in /usr/lib/llvm-19/lib/clang/19/lib/x86_64-pc-linux-gnu/libclang_rt.asan.a \
	  /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.asan-x86_64.a; do \
	  [ -e "$$f" ] && exit 0; done; tools/scripts/install-deps.sh $(SANITIZER_PACKAGES)

# The libFuzzer targets in fuzz/ (importer, .npy reader, signature parser),
# built with ASan+UBSan in their own build dir, FUZZ_SECONDS each; non-zero
# and a list of the inputs when anything crashed (docs/fuzzing.md).
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 90
# FUZZ_TARGETS: a subset of npy signature importer artifact; default: every
# target built.
FUZZ_TARGETS ?=
fuzz: sanitizer-deps
	$(MAKE) configure BUILD_DIR=$(FUZZ_DIR) CMAKE_FLAGS="-DKILN_FUZZ=ON $(CMAKE_FLAGS)"
	ninja -C $(FUZZ_DIR) $(if $(NINJA_JOBS),-j $(NINJA_JOBS)) $(if $(FUZZ_TARGETS),$(addprefix kiln-fuzz-,$(FUZZ_TARGETS)),fuzz/all)
	tools/scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The default suites against tools and runtime built with ASan and UBSan
# (Kiln's code; the generated models link the instrumented runtime through
# the wrapper KILN_LINKER names). SANITIZE_DIR=build-fuzz reuses the build of
# `make fuzz` (KILN_FUZZ implies ASan+UBSan; a configured dir is not
# reconfigured), one instrumented build instead of two.
SANITIZE_DIR ?= build-sanitize
test-sanitize: sanitizer-deps
	$(MAKE) build BUILD_DIR=$(SANITIZE_DIR) CMAKE_FLAGS="-DKILN_SANITIZE=address,undefined $(CMAKE_FLAGS)"
	KILN_LINKER=$(abspath $(SANITIZE_DIR))/kiln-sanitize-cc \
	  ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
	  UBSAN_OPTIONS=$${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	  tools/scripts/run-tests.sh $(SANITIZE_DIR)

# Mutated backend models through kiln-compile, looking for crashes (SEED=N).
SEED ?= 0
fuzz-mutate: build
	/usr/bin/python3 tools/scripts/fuzz-importer.py --bin-dir $(BUILD_DIR)/bin --seed $(SEED) \
	  --out $(BUILD_DIR)/fuzz

demo: build
	@mkdir -p $(DEMO_DIR)
	$(BUILD_DIR)/bin/kiln-compile examples/digits/digits_cnn.onnx -o $(DEMO_DIR)/digits_cnn
	@echo "--- running the compiled digits CNN on examples/digits/input.npy (true label: $$(cat examples/digits/label.txt))"
	$(DEMO_DIR)/digits_cnn --input image=examples/digits/input.npy
	@echo "--- 100 timed runs:"
	$(DEMO_DIR)/digits_cnn --input image=examples/digits/input.npy --bench 100

# Trains the digits CNN with kiln-compile --train and kiln-run --train (scikit-
# learn's bundled digits, nothing downloaded), then checks the saved ONNX model's
# test accuracy (>= 97%) with kiln-compile and, when `make bench` has installed
# onnxruntime-node, ONNX Runtime. TRAIN_EPOCHS=N to change the epochs.
TRAIN_DEMO_DIR := $(BUILD_DIR)/train-demo
TRAIN_EPOCHS ?= 10
train-demo: build
	/usr/bin/python3 examples/digits/train_demo.py --bin-dir $(BUILD_DIR)/bin \
	  --work-dir $(TRAIN_DEMO_DIR) --epochs $(TRAIN_EPOCHS) \
	  --node-modules $(BUILD_DIR)/bench/node/node_modules

docs: build
	cp $(BUILD_DIR)/docs/Dialects/*.md $(BUILD_DIR)/docs/Passes/*.md docs/reference/
	/usr/bin/python3 tools/scripts/op-index.py

clean:
	rm -rf $(BUILD_DIR)
