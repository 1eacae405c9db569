//===- SaveONNX.cpp - kiln-run --save: trained values into the source ONNX ===//
//
// The C runtime reaches this through kiln_cli_hooks (kiln-run.c), so that
// standalone model executables stay C-only. The source model is read as a
// ModelProto; every top-level initializer named like a STATE tensor gets the
// trained values as raw_data (little-endian, as ONNX stores it), its other
// data fields and external-data fields cleared; the result is written to OUT.
// Every parameter and buffer of the STATE must be such an initializer with
// the STATE tensor's dtype and shape, or the source has changed since
// compiling and nothing is written. An artifact that records the source's
// SHA-256 (kiln-compile --train does) is checked against it first: a source
// changed in any way since compiling is refused, since the trained values
// would land in another model.
//
//===----------------------------------------------------------------------===//

#include "kiln_runtime.h"

#include "onnx/onnx_pb.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SHA256.h"
#include "tools/common/ModelDigest.h"

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace {

/// The ONNX TensorProto data type of a runtime dtype, or 0 (UNDEFINED).
int onnxType(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_F32: return onnx::TensorProto::FLOAT;
  case KILN_DTYPE_F64: return onnx::TensorProto::DOUBLE;
  case KILN_DTYPE_F16: return onnx::TensorProto::FLOAT16;
  case KILN_DTYPE_BF16: return onnx::TensorProto::BFLOAT16;
  case KILN_DTYPE_I8: return onnx::TensorProto::INT8;
  case KILN_DTYPE_I16: return onnx::TensorProto::INT16;
  case KILN_DTYPE_I32: return onnx::TensorProto::INT32;
  case KILN_DTYPE_I64: return onnx::TensorProto::INT64;
  case KILN_DTYPE_U8: return onnx::TensorProto::UINT8;
  case KILN_DTYPE_U16: return onnx::TensorProto::UINT16;
  case KILN_DTYPE_U32: return onnx::TensorProto::UINT32;
  case KILN_DTYPE_U64: return onnx::TensorProto::UINT64;
  case KILN_DTYPE_BOOL: return onnx::TensorProto::BOOL;
  default: return 0;
  }
}

std::string dimsText(const int64_t *dims, size_t rank) {
  std::string s = "[";
  for (size_t i = 0; i < rank; ++i)
    s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

/// The directory part of a path ("." when it has none).
std::string dirOf(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

/// Whether @p a and @p b name the same directory, however spelt (".",
/// "../d", a link to it): the same device and inode.
bool sameDirectory(const std::string &a, const std::string &b) {
  struct stat sa, sb;
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

/// Writes @p model to @p fd and closes it; returns 0, or the errno of the
/// failed write or close.
int serializeAndClose(const onnx::ModelProto &model, int fd) {
  errno = 0;
  bool ok = model.SerializeToFileDescriptor(fd);
  int err = ok ? 0 : (errno ? errno : EIO);
  if (::close(fd) != 0 && !err)
    err = errno;
  return err;
}

struct SaveError {
  std::string message;
};

/// Writes the trained STATE into a copy of @p source saved as @p out; with
/// @p checkOnly, checks everything the same way and writes nothing.
void save(const kiln_trainer *trainer, const std::string &source, const std::string &out,
          bool checkOnly) {
  // An output that is a directory cannot be written (with checkOnly, before
  // any training time is spent).
  struct stat outInfo;
  if (::stat(out.c_str(), &outInfo) == 0 && S_ISDIR(outInfo.st_mode))
    throw SaveError{"cannot write '" + out + "': Is a directory"};
  // Opened without blocking and read only if it is a regular file: a FIFO
  // or a device in its place would block or never end.
  int in = ::open(source.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (in < 0)
    throw SaveError{"cannot read the source model '" + source + "': " + std::strerror(errno)};
  struct stat info;
  if (::fstat(in, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(in);
    throw SaveError{"expects the source model '" + source + "' to be a regular file"};
  }
  std::string data;
  char chunk[1 << 16];
  ssize_t got;
  while ((got = ::read(in, chunk, sizeof chunk)) > 0)
    data.append(chunk, static_cast<size_t>(got));
  int readErr = got < 0 ? errno : 0;
  ::close(in);
  if (readErr)
    throw SaveError{"cannot read the source model '" + source + "': " + std::strerror(readErr)};
  onnx::ModelProto model;
  bool parsed = data.size() <= static_cast<size_t>(INT32_MAX) &&
                model.ParseFromArray(data.data(), static_cast<int>(data.size()));
  if (const char *recorded = kiln_trainer_source_sha256(trainer)) {
    // The model file and its external data files (tools/common/ModelDigest.h).
    std::string found, error;
    if (!parsed)
      found = llvm::toHex(llvm::SHA256::hash(llvm::arrayRefFromStringRef(data)),
                          /*LowerCase=*/true);
    else if (!kiln::tools::modelDigest(data, model, dirOf(source), found, error))
      throw SaveError{error};
    if (found != recorded)
      throw SaveError{"expects the source model '" + source +
                      "' and its external data to be what the artifact was compiled from "
                      "(SHA-256 " + recorded + "), found them changed since compiling (SHA-256 " +
                      found + ")"};
  }
  if (!parsed || !model.has_graph())
    throw SaveError{"expects the source model '" + source +
                    "' to be a binary ONNX model, found a file that is not one"};
  // OUT.onnx must not be one of the source's external data files, which the
  // saved model (or the source) still reads; the runtime refuses the other
  // files the run reads (kiln_train_check_save_target).
  if (::stat(out.c_str(), &outInfo) == 0)
    for (const onnx::TensorProto &init : model.graph().initializer()) {
      if (init.data_location() != onnx::TensorProto::EXTERNAL)
        continue;
      for (const auto &entry : init.external_data()) {
        if (entry.key() != "location")
          continue;
        std::string file = dirOf(source) + "/" + entry.value();
        struct stat fileInfo;
        if (::stat(file.c_str(), &fileInfo) == 0 && outInfo.st_dev == fileInfo.st_dev &&
            outInfo.st_ino == fileInfo.st_ino)
          throw SaveError{"expects OUT.onnx to be another file than the external data file '" +
                          file + "' of the source model, found '" + out +
                          "', which would overwrite it"};
      }
    }

  // STATE tensors by name; optimizer state is never an initializer.
  std::map<std::string, size_t> state;
  for (size_t i = 0; i < kiln_trainer_num_state(trainer); ++i)
    if (kiln_trainer_state_kind(trainer, i) != KILN_STATE_OPTIMIZER)
      state[kiln_trainer_state_name(trainer, i)] = i;
  bool sameDir = sameDirectory(dirOf(source), dirOf(out));
  for (onnx::TensorProto &init : *model.mutable_graph()->mutable_initializer()) {
    auto it = state.find(init.name());
    if (it == state.end()) {
      // Untouched external data stays where the source keeps it: only a
      // model written beside the source still finds it.
      if (init.data_location() == onnx::TensorProto::EXTERNAL && !sameDir)
        throw SaveError{"initializer '" + init.name() + "' of '" + source +
                        "' keeps its data in an external file; expects OUT.onnx in the source's "
                        "directory '" + dirOf(source) + "', found '" + dirOf(out) + "'"};
      continue;
    }
    kiln_tensor *value = nullptr;
    if (kiln_trainer_get(trainer, init.name().c_str(), &value) != KILN_OK)
      throw SaveError{kiln_last_error()};
    kiln_dtype dtype = kiln_tensor_dtype(value);
    size_t rank = kiln_tensor_rank(value);
    const int64_t *dims = kiln_tensor_dims(value);
    bool sameShape = static_cast<size_t>(init.dims_size()) == rank;
    for (size_t d = 0; sameShape && d < rank; ++d)
      sameShape = init.dims(static_cast<int>(d)) == dims[d];
    if (init.data_type() != onnxType(dtype) || !sameShape) {
      std::string want = std::string(kiln_dtype_name(dtype)) + " " + dimsText(dims, rank);
      std::string found = "ONNX type " + std::to_string(init.data_type()) + " " +
                          dimsText(init.dims().data(), init.dims_size());
      kiln_tensor_destroy(value);
      throw SaveError{"initializer '" + init.name() + "' of '" + source + "': expects " + want +
                      " as the trained STATE tensor, found " + found +
                      " (the source changed since compiling)"};
    }
    init.clear_float_data();
    init.clear_double_data();
    init.clear_int32_data();
    init.clear_int64_data();
    init.clear_uint64_data();
    init.clear_string_data();
    init.clear_external_data();
    init.clear_data_location();
    init.set_raw_data(kiln_tensor_data(value), kiln_tensor_byte_size(value));
    kiln_tensor_destroy(value);
    state.erase(it);
  }
  if (!state.empty())
    throw SaveError{"expects the source model '" + source + "' to have an initializer '" +
                    state.begin()->first + "' (a trained STATE tensor), found none (the source "
                    "changed since compiling)"};

  if (checkOnly)
    return;
  // An output that exists and is no regular file or folder (/dev/null, a
  // link to it) is written in place: renaming over it would replace the
  // device itself (as root). It is opened without blocking, so a FIFO with no
  // reader is an error (ENXIO) instead of a hang.
  struct stat st;
  if (::stat(out.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    int fd = ::open(out.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
      throw SaveError{"cannot write '" + out + "': " + std::strerror(errno)};
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if (int err = serializeAndClose(model, fd))
      throw SaveError{"cannot write '" + out + "': " + std::strerror(err)};
    return;
  }
  // Anything else is written to a new file beside OUT, created with O_EXCL
  // and O_NOFOLLOW (a file or link planted under that name is never written
  // through; the next name is tried), and renamed over OUT once complete.
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
    tmp = out + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(attempt);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST)
      break;
  }
  if (fd < 0)
    throw SaveError{"cannot write '" + out + "': cannot create a temporary file beside it: " +
                    std::strerror(errno)};
  if (int err = serializeAndClose(model, fd)) {
    ::unlink(tmp.c_str());
    throw SaveError{"cannot write '" + tmp + "': " + std::strerror(err)};
  }
  if (std::rename(tmp.c_str(), out.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw SaveError{"cannot write '" + out + "': " + why};
  }
}

} // namespace

namespace {
int saveOrCheck(const kiln_trainer *trainer, const char *source, const char *out, char *error,
                size_t error_size, bool checkOnly) {
  try {
    save(trainer, source, out, checkOnly);
    return 0;
  } catch (const SaveError &e) {
    std::snprintf(error, error_size, "%s", e.message.c_str());
  } catch (const std::exception &e) {
    std::snprintf(error, error_size, "cannot write '%s': %s", out, e.what());
  }
  return 1;
}
} // namespace

/// The kiln_cli_save_onnx_fn of kiln-run (see kiln_cli_hooks).
extern "C" int kiln_run_save_onnx(const kiln_trainer *trainer, const char *source,
                                  const char *out, char *error, size_t error_size) {
  return saveOrCheck(trainer, source, out, error, error_size, /*checkOnly=*/false);
}

/// The check_save_onnx hook of kiln-run: save's checks, before training.
extern "C" int kiln_run_check_save_onnx(const kiln_trainer *trainer, const char *source,
                                        const char *out, char *error, size_t error_size) {
  return saveOrCheck(trainer, source, out, error, error_size, /*checkOnly=*/true);
}
