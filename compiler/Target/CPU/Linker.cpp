//===- Linker.cpp - link generated objects with the runtime --------------===//

#include "compiler/Target/CPU/CPUTarget.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"

using namespace mlir;

static std::string findLinker(std::string &error) {
  if (std::optional<std::string> env = llvm::sys::Process::GetEnv("KILN_LINKER"))
    return *env;
  for (const char *name : {"clang-19", "clang", "cc", "gcc"})
    if (auto path = llvm::sys::findProgramByName(name))
      return *path;
  error = "no C compiler driver found to link with (looked for clang-19, clang, cc, "
          "gcc; set KILN_LINKER)";
  return "";
}

LogicalResult kiln::cpu::linkArtifact(llvm::ArrayRef<std::string> objectPaths,
                                      llvm::StringRef outputPath, ArtifactKind kind,
                                      llvm::StringRef runtimeLibDir, std::string &error) {
  std::string linker = findLinker(error);
  if (linker.empty())
    return failure();
  std::vector<std::string> args{linker};
  if (kind == ArtifactKind::SharedLibrary) {
    args.push_back("-shared");
    args.insert(args.end(), objectPaths.begin(), objectPaths.end());
    args.insert(args.end(), {"-o", outputPath.str(), "-lm"});
  } else {
    llvm::SmallString<256> mainLib(runtimeLibDir), runtimeLib(runtimeLibDir);
    llvm::sys::path::append(mainLib, "libkiln_exe_main.a");
    llvm::sys::path::append(runtimeLib, "libkiln_runtime.a");
    for (const auto &lib : {mainLib, runtimeLib})
      if (!llvm::sys::fs::exists(lib)) {
        error = ("the Kiln runtime library '" + lib + "' is missing").str();
        return failure();
      }
    args.insert(args.end(), objectPaths.begin(), objectPaths.end());
    args.insert(args.end(), {std::string(mainLib), std::string(runtimeLib), "-o",
                             outputPath.str(), "-lm", "-lpthread", "-ldl"});
  }
  std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(linker, argRefs, std::nullopt, {}, 0, 0, &message);
  if (rc != 0) {
    error = "linking with '" + linker + "' failed" +
            (message.empty() ? "" : ": " + message) + " (exit " + std::to_string(rc) + ")";
    return failure();
  }
  return success();
}
