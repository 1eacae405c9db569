//===- Linker.cpp - link generated objects with the runtime --------------===//

#include "compiler/Target/CPU/CPUTarget.h"
#include "runtime/kiln_checksum.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Signals.h"
#include "llvm/ADT/ScopeExit.h"

#include <atomic>
#include <vector>
#include <csignal>
#include <cstring>

#include <sys/wait.h>
#include <unistd.h>

using namespace mlir;

namespace {
/// The linker running now and the file it writes, for onInterrupt: fixed
/// storage, since a signal handler may neither allocate nor lock.
std::atomic<int> linkerPid{0};
char linkerOutput[4096];

/// Run by LLVM's handler of SIGINT, SIGTERM, SIGHUP... after it removed the
/// files registered with RemoveFileOnSignal: the linker child would go on
/// writing the (removed) output, so it is stopped first and its output
/// removed again; then the process ends as the signal's default action
/// would (as SIGTERM: the handler is not told which signal it was).
void onInterrupt() {
  if (int pid = linkerPid.exchange(0); pid > 0) {
    ::kill(pid, SIGTERM);
    int status;
    ::waitpid(pid, &status, 0);
    ::unlink(linkerOutput);
  }
  ::raise(SIGTERM);
}
} // namespace

/// Records the running linker (`pid` 0: none) for onInterrupt.
static void setInterruptedLinker(int pid, llvm::StringRef output) {
  if (pid > 0 && output.size() < sizeof(linkerOutput)) {
    std::memcpy(linkerOutput, output.data(), output.size());
    linkerOutput[output.size()] = '\0';
    linkerPid = pid;
    llvm::sys::SetInterruptFunction(onInterrupt);
  } else {
    llvm::sys::SetInterruptFunction(nullptr);
    linkerPid = 0;
  }
}

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

/// Appends the checksum trailer of runtime/kiln_checksum.h to the library at
/// `path`, which the runtime verifies before dlopen.
static LogicalResult appendChecksum(llvm::StringRef path, std::string &error) {
  kiln_checksum_state state;
  kiln_checksum_init(&state);
  {
    // Read in chunks, not mapped: the mapped pages would count in the
    // compiler's peak RSS (test/e2e/large_model.py holds it to the weights).
    llvm::Expected<llvm::sys::fs::file_t> file = llvm::sys::fs::openNativeFileForRead(path);
    if (!file) {
      error = ("cannot read the linked '" + path + "': " + llvm::toString(file.takeError())).str();
      return failure();
    }
    auto closeFile = llvm::make_scope_exit([&] { llvm::sys::fs::closeFile(*file); });
    std::vector<char> chunk(1 << 20);
    for (;;) {
      llvm::Expected<size_t> got =
          llvm::sys::fs::readNativeFile(*file, llvm::MutableArrayRef<char>(chunk));
      if (!got) {
        error = ("cannot read the linked '" + path + "': " + llvm::toString(got.takeError())).str();
        return failure();
      }
      if (*got == 0)
        break;
      kiln_checksum_update(&state, chunk.data(), *got);
    }
  }
  unsigned char trailer[KILN_CHECKSUM_TRAILER_SIZE];
  kiln_checksum_trailer(&state, trailer);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Append);
  if (!ec) {
    os.write(reinterpret_cast<const char *>(trailer), sizeof(trailer));
    os.close();
    ec = os.error();
  }
  if (ec) {
    error = ("cannot write the checksum of '" + path + "': " + ec.message()).str();
    return failure();
  }
  return success();
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
  // The linker writes a temporary beside the output, renamed into place
  // once complete, so neither a failed link nor an interrupted compile
  // leaves a partial artifact behind (or replaces a good one). An output
  // that exists and is no regular file or folder (`-o /dev/null`, or a link
  // to it) is written in place: the rename would replace the device itself,
  // as root /dev/null, with the artifact.
  llvm::sys::fs::file_status status;
  bool inPlace = !llvm::sys::fs::status(outputPath, status) && llvm::sys::fs::exists(status) &&
                 !llvm::sys::fs::is_regular_file(status) &&
                 !llvm::sys::fs::is_directory(status);
  llvm::SmallString<256> partial;
  if (!inPlace) {
    int fd;
    if (std::error_code ec =
            llvm::sys::fs::createUniqueFile(outputPath + ".tmp-%%%%%%", fd, partial)) {
      error = ("cannot create a file beside '" + outputPath + "': " + ec.message()).str();
      return failure();
    }
    ::close(fd);
    llvm::sys::RemoveFileOnSignal(partial);
    *std::next(llvm::find(args, "-o")) = std::string(partial);
  }
  auto removePartial = llvm::make_scope_exit([&] {
    if (partial.empty())
      return;
    llvm::sys::fs::remove(partial);
    llvm::sys::DontRemoveFileOnSignal(partial);
  });

  std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::string message;
  bool failedToRun = false;
  llvm::sys::ProcessInfo child = llvm::sys::ExecuteNoWait(linker, argRefs, std::nullopt, {}, 0,
                                                          &message, &failedToRun);
  if (!failedToRun) {
    setInterruptedLinker(child.Pid, partial);
    child = llvm::sys::Wait(child, std::nullopt, &message);
    setInterruptedLinker(0, "");
  }
  int rc = failedToRun ? -1 : child.ReturnCode;
  if (rc != 0) {
    error = "linking with '" + linker + "' failed" +
            (message.empty() ? "" : ": " + message) + " (exit " + std::to_string(rc) + ")";
    return failure();
  }
  if (inPlace)
    return success(); // nothing reads it back (/dev/null)
  // A library carries a checksum of its bytes (an executable is not loaded
  // by the runtime): a copy corrupted later is refused before dlopen.
  if (kind == ArtifactKind::SharedLibrary && failed(appendChecksum(partial, error)))
    return failure();
  if (std::error_code ec = llvm::sys::fs::rename(partial, outputPath)) {
    error = ("cannot write '" + outputPath + "': " + ec.message()).str();
    return failure();
  }
  return success();
}
