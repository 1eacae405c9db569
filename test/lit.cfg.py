# -*- Python -*-
# lit configuration for Kiln's IR, importer and end-to-end tests.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "Kiln"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test")
config.excludes = ["unit", "Inputs", "malformed-graph.test.py", "lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt"]

# The Python with onnx, numpy and torch (Debian's), not whatever is first on PATH.
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%kiln_src", config.kiln_src_root))
config.substitutions.append(("%kiln_bin", config.kiln_tools_dir))
config.environment["KILN_BIN_DIR"] = config.kiln_tools_dir
config.environment["PYTHONDONTWRITEBYTECODE"] = "1"

# Long sweeps are opt-in: KILN_LONG_TESTS=1 enables tests marked REQUIRES: long.
if os.environ.get("KILN_LONG_TESTS") == "1":
    config.available_features.add("long")

# Tests of x86 code generation (--mcpu=x86-64-v3 and the like) need an x86 host's LLVM target.
import platform
if platform.machine() in ("x86_64", "AMD64"):
    config.available_features.add("x86_64-host")

# KILN_LINKER and the sanitizers' options: `make test-sanitize` sets them.
llvm_config.with_system_environment(["HOME", "TMPDIR", "KILN_LINKER", "ASAN_OPTIONS", "UBSAN_OPTIONS"])
llvm_config.use_default_substitutions()
tool_dirs = [config.kiln_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["kiln-opt", "kiln-compile", "kiln-run", "kiln-c-example",
                                    "FileCheck", "not", "count", "split-file"],
                                   tool_dirs)
