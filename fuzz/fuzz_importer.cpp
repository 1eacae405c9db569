//===- fuzz_importer.cpp - libFuzzer target: the ONNX importer -----------===//
//
// Bytes -> importONNXFile, as kiln-compile calls it. The input is written
// to a file in a private, otherwise empty directory, so external-data
// locations the fuzzer invents resolve next to it and find nothing.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/ONNX/ONNXImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

static std::string dir;

static void removeDir() {
  std::remove((dir + "/model.onnx").c_str());
  rmdir(dir.c_str());
}

static std::string modelPath() {
  const char *tmp = getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/kiln-fuzz-importer-XXXXXX";
  if (!mkdtemp(templ.data()))
    abort();
  dir = templ;
  atexit(removeDir);
  return dir + "/model.onnx";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const std::string path = modelPath();
  FILE *f = fopen(path.c_str(), "wb");
  if (!f)
    abort();
  if (size && fwrite(data, 1, size, f) != size)
    abort();
  fclose(f);
  mlir::MLIRContext ctx(mlir::MLIRContext::Threading::DISABLED);
  // Errors are the expected outcome for most inputs; only crashes matter.
  mlir::ScopedDiagnosticHandler quiet(&ctx, [](mlir::Diagnostic &) { return mlir::success(); });
  kiln::ONNXImportOptions options;
  (void)kiln::importONNXFile(path, ctx, options);
  return 0;
}
