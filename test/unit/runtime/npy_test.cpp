// .npy reading and writing, checked against bytes built by hand from the NumPy
// format spec and, when python3 with numpy is available, against numpy itself.
#include "kiln_runtime.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace std::string_literals;

// magic, version, little-endian header length, header padded with spaces and a
// final '\n' to a multiple of 64 bytes (as the spec requires), then data.
std::string npyBytes(const std::string &dict, const std::string &data, int major = 1,
                     int minor = 0, bool pad = true) {
  size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  if (pad) {
    size_t total = prefix + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
  }
  header += '\n';
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += static_cast<char>(minor);
  size_t len = header.size();
  for (size_t i = 0; i < prefix - 8; ++i) out += static_cast<char>((len >> (8 * i)) & 0xff);
  return out + header + data;
}

template <typename T> std::string rawBytes(const std::vector<T> &values) {
  return std::string(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(T));
}

std::string tmpPath(const std::string &name) {
  std::filesystem::create_directories(KILN_TEST_TMP);
  return std::string(KILN_TEST_TMP) + "/npy_" + name;
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

kiln_status readMemory(const std::string &bytes, kiln_tensor **out) {
  return kiln_npy_read_memory(bytes.data(), bytes.size(), out);
}

std::string lastError() { return kiln_last_error(); }

std::vector<int64_t> dimsOf(const kiln_tensor *t) {
  return std::vector<int64_t>(kiln_tensor_dims(t), kiln_tensor_dims(t) + kiln_tensor_rank(t));
}

} // namespace

TEST(NpyRead, Version1Float32) {
  std::vector<float> values = {0.5f, 1, 2, 3, 4, -5.25f};
  std::string bytes =
      npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", rawBytes(values));
  kiln_tensor *t = nullptr;
  ASSERT_EQ(readMemory(bytes, &t), KILN_OK) << lastError();
  EXPECT_EQ(kiln_tensor_dtype(t), KILN_DTYPE_F32);
  EXPECT_EQ(dimsOf(t), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(std::memcmp(kiln_tensor_data(t), values.data(), 24), 0);
  kiln_tensor_destroy(t);
}

TEST(NpyRead, EveryDescrMapsToItsDtype) {
  struct Case {
    const char *descr;
    kiln_dtype dtype;
  } cases[] = {
      {"<f4", KILN_DTYPE_F32}, {"<f8", KILN_DTYPE_F64}, {"|i1", KILN_DTYPE_I8},
      {"<i2", KILN_DTYPE_I16}, {"<i4", KILN_DTYPE_I32}, {"<i8", KILN_DTYPE_I64},
      {"|u1", KILN_DTYPE_U8},  {"<u2", KILN_DTYPE_U16}, {"<u4", KILN_DTYPE_U32},
      {"<u8", KILN_DTYPE_U64}, {"|b1", KILN_DTYPE_BOOL}, {"<u1", KILN_DTYPE_U8},
      {"=u1", KILN_DTYPE_U8},  {"<i1", KILN_DTYPE_I8},  {"=i1", KILN_DTYPE_I8},
      {"=f4", KILN_DTYPE_F32}, {"=i8", KILN_DTYPE_I64}, {"<b1", KILN_DTYPE_BOOL},
      {"<f2", KILN_DTYPE_F16},
  };
  for (const Case &c : cases) {
    size_t size = kiln_dtype_size(c.dtype);
    std::string data(3 * size, '\x01');
    std::string bytes = npyBytes(std::string("{'descr': '") + c.descr +
                                     "', 'fortran_order': False, 'shape': (3,), }",
                                 data);
    kiln_tensor *t = nullptr;
    ASSERT_EQ(readMemory(bytes, &t), KILN_OK) << c.descr << ": " << lastError();
    EXPECT_EQ(kiln_tensor_dtype(t), c.dtype) << c.descr;
    EXPECT_EQ(dimsOf(t), (std::vector<int64_t>{3}));
    EXPECT_EQ(std::memcmp(kiln_tensor_data(t), data.data(), data.size()), 0);
    kiln_tensor_destroy(t);
  }
}

// numpy reads any non-zero '|b1' byte as True; Kiln's code reads one bit, so
// a bool file holding another byte is refused, naming the first bad index.
TEST(NpyRead, BoolBytesOtherThanZeroOrOneAreRefused) {
  const std::string dict = "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 3), }";
  kiln_tensor *t = nullptr;
  ASSERT_EQ(readMemory(npyBytes(dict, std::string("\x00\x01\x01\x00\x00\x01", 6)), &t), KILN_OK)
      << lastError();
  kiln_tensor_destroy(t);
  t = nullptr;
  EXPECT_EQ(readMemory(npyBytes(dict, std::string("\x00\x01\x01\x00\x02\xff", 6)), &t),
            KILN_ERROR_FORMAT);
  EXPECT_EQ(t, nullptr);
  EXPECT_EQ(lastError(), "<memory>: expects bool bytes 0 or 1, found 2 at index 4");
  std::string path = tmpPath("bool_bytes.npy");
  writeFile(path, npyBytes(dict, std::string("\x80\x01\x01\x00\x00\x01", 6)));
  EXPECT_EQ(kiln_npy_read(path.c_str(), &t), KILN_ERROR_FORMAT);
  EXPECT_EQ(t, nullptr);
  EXPECT_EQ(lastError(), path + ": expects bool bytes 0 or 1, found 128 at index 0");
  // u1 data with the same bytes is not bool and reads as it is.
  const std::string u8 = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }";
  ASSERT_EQ(readMemory(npyBytes(u8, std::string("\x80\x01\x01\x00\x00\x01", 6)), &t), KILN_OK);
  kiln_tensor_destroy(t);
}

// numpy has no bfloat16: a bf16 tensor is written as its uint16 bits.
TEST(NpyWrite, Bfloat16AsItsBits) {
  const int64_t dims[] = {2};
  kiln_tensor *t = nullptr;
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_BF16, 1, dims, &t), KILN_OK);
  uint16_t *p = static_cast<uint16_t *>(kiln_tensor_data(t));
  p[0] = 0x3f80;  // 1.0
  p[1] = 0xc000;  // -2.0
  std::string path = tmpPath("bf16.npy");
  ASSERT_EQ(kiln_npy_write(path.c_str(), t), KILN_OK) << lastError();
  kiln_tensor_destroy(t);
  kiln_tensor *back = nullptr;
  ASSERT_EQ(kiln_npy_read(path.c_str(), &back), KILN_OK) << lastError();
  EXPECT_EQ(kiln_tensor_dtype(back), KILN_DTYPE_U16);
  EXPECT_EQ(static_cast<uint16_t *>(kiln_tensor_data(back))[1], 0xc000);
  kiln_tensor_destroy(back);
}

TEST(NpyRead, Versions2And3) {
  std::vector<int64_t> values = {1, -2, INT64_C(1) << 40};
  for (int major : {2, 3}) {
    std::string bytes = npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
                                 rawBytes(values), major);
    kiln_tensor *t = nullptr;
    ASSERT_EQ(readMemory(bytes, &t), KILN_OK) << major << ": " << lastError();
    EXPECT_EQ(kiln_tensor_dtype(t), KILN_DTYPE_I64);
    EXPECT_EQ(static_cast<const int64_t *>(kiln_tensor_data(t))[2], INT64_C(1) << 40);
    kiln_tensor_destroy(t);
  }
}

TEST(NpyRead, ShapesAndHeaderSpellings) {
  struct Case {
    const char *dict;
    std::vector<int64_t> dims;
  } cases[] = {
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (), }", {}},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (0, 4), }", {0, 4}},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1)}", {1, 1, 1, 1, 1}},
      {"{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f8\"}", {2}},
      {"{'descr':'<f8','fortran_order':False,'shape':(2,1,),}", {2, 1}},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 1L), }", {2, 1}},
  };
  for (const Case &c : cases) {
    size_t n = 1;
    for (int64_t d : c.dims) n *= static_cast<size_t>(d);
    std::string bytes = npyBytes(c.dict, std::string(n * 8, '\0'));
    kiln_tensor *t = nullptr;
    ASSERT_EQ(readMemory(bytes, &t), KILN_OK) << c.dict << ": " << lastError();
    EXPECT_EQ(dimsOf(t), c.dims) << c.dict;
    EXPECT_EQ(kiln_tensor_num_elements(t), n);
    kiln_tensor_destroy(t);
  }
  // The spec asks for padding, but an unpadded header is still readable.
  kiln_tensor *t = nullptr;
  std::string unpadded = npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2,)}",
                                  "ab", 1, 0, /*pad=*/false);
  ASSERT_EQ(readMemory(unpadded, &t), KILN_OK) << lastError();
  EXPECT_EQ(static_cast<const char *>(kiln_tensor_data(t))[1], 'b');
  kiln_tensor_destroy(t);
}

TEST(NpyRead, MalformedHeadersFailWithMessage) {
  struct Case {
    std::string bytes;
    kiln_status status;
    const char *message;
  } cases[] = {
      {"\x93NUMPZ\x01\x00\x10\x00", KILN_ERROR_FORMAT, "bad magic"},
      {"PK\x03\x04 this is a zip file", KILN_ERROR_FORMAT, "bad magic"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", "abcd", 4),
       KILN_ERROR_FORMAT, "version 4.0"},
      {npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
                std::string(16, '\0')),
       KILN_ERROR_FORMAT, "fortran_order True is not supported"},
      {npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "abcd"),
       KILN_ERROR_DTYPE_MISMATCH, "big-endian"},
      {npyBytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", "ab"),
       KILN_ERROR_DTYPE_MISMATCH, "unsupported .npy dtype '<c8'"},
      {npyBytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", "abcdefgh"),
       KILN_ERROR_DTYPE_MISMATCH, "'<c8'"},
      {npyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", "abcdefgh"),
       KILN_ERROR_DTYPE_MISMATCH, "'|O'"},
      {npyBytes("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", "abcdefghijkl"),
       KILN_ERROR_DTYPE_MISMATCH, "'<U3'"},
      {npyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", "abcd"),
       KILN_ERROR_DTYPE_MISMATCH, "structured"},
      // A descr must be exactly a known dtype string: a NUL byte once ended
      // it early ('<f4\0' read as '<f4'), and a key likewise.
      {npyBytes("{'descr': '<f4\0', 'fortran_order': False, 'shape': (1,), }"s,
                "abcd"),
       KILN_ERROR_DTYPE_MISMATCH,
       "unsupported .npy 'descr': it holds a control byte (such as NUL) or more than 31 bytes "
       "(expected exactly one of <f4 <f8 |i1 <i2 <i4 <i8 |u1 <u2 <u4 <u8 |b1)"},
      {npyBytes("{'descr': '<f4\0junk', 'fortran_order': False, 'shape': (1,), }"s,
                "abcd"),
       KILN_ERROR_DTYPE_MISMATCH, "unsupported .npy 'descr': it holds a control byte"},
      {npyBytes("{'descr': '<f4\n', 'fortran_order': False, 'shape': (1,), }", "abcd"),
       KILN_ERROR_DTYPE_MISMATCH, "unsupported .npy 'descr': it holds a control byte"},
      {npyBytes("{'descr': '" + std::string(40, 'f') + "', 'fortran_order': False, "
                "'shape': (1,), }", "abcd"),
       KILN_ERROR_DTYPE_MISMATCH, "or more than 31 bytes"},
      {npyBytes("{'descr\0': '<f4', 'fortran_order': False, 'shape': (1,), }"s,
                "abcd"),
       KILN_ERROR_FORMAT, "malformed .npy header: expected 'key': value"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, }", "abcd"), KILN_ERROR_FORMAT,
       "missing key 'shape'"},
      {npyBytes("{'descr': '<f4', 'shape': (1,), }", "abcd"), KILN_ERROR_FORMAT,
       "missing key 'fortran_order'"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", "abcd"),
       KILN_ERROR_FORMAT, "unexpected key 'x'"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", "abcd"),
       KILN_ERROR_FORMAT, "shape"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': 3, }", "abcd"),
       KILN_ERROR_FORMAT, "not a tuple"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3), }", "abcdabcdabcd"),
       KILN_ERROR_FORMAT, "not a tuple"},
      {npyBytes("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", "abcd"),
       KILN_ERROR_FORMAT, "fortran_order"},
      {npyBytes("['descr', '<f4']", "abcd"), KILN_ERROR_FORMAT, "expected '{'"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } junk", "abcd"),
       KILN_ERROR_FORMAT, "text after '}'"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
                "abcd"),
       KILN_ERROR_FORMAT, "too large"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }",
                "abcd"),
       KILN_ERROR_FORMAT, "too large"},
      {npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", "abcd"),
       KILN_ERROR_FORMAT, "truncated .npy data (expected 24 bytes for shape, found 4)"},
  };
  for (const Case &c : cases) {
    kiln_tensor *t = reinterpret_cast<kiln_tensor *>(0x1);
    EXPECT_EQ(readMemory(c.bytes, &t), c.status) << c.message << " / " << lastError();
    EXPECT_EQ(t, nullptr);
    EXPECT_NE(lastError().find(c.message), std::string::npos)
        << "expected '" << c.message << "' in: " << lastError();
  }
}

// A header is a short dict: over 65536 bytes it is refused before it is read
// (a 300 MB header of spaces was read whole). numpy's default limit is 10000.
TEST(NpyRead, HeadersOverTheLimitAreRefused) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }";
  auto padded = [&](size_t len) { return dict + std::string(len - dict.size() - 1, ' '); };
  kiln_tensor *t = nullptr;
  ASSERT_EQ(readMemory(npyBytes(padded(65536), "abcd", 2, 0, false), &t), KILN_OK) << lastError();
  kiln_tensor_destroy(t);
  t = nullptr;
  EXPECT_EQ(readMemory(npyBytes(padded(65537), "abcd", 2, 0, false), &t), KILN_ERROR_FORMAT);
  EXPECT_EQ(t, nullptr);
  EXPECT_EQ(lastError(), "<memory>: expects a .npy header of at most 65536 bytes, found one of "
                         "65537 bytes");
  std::string path = tmpPath("long_header.npy");
  writeFile(path, npyBytes(padded(1000000), "abcd", 3, 0, false));
  EXPECT_EQ(kiln_npy_read(path.c_str(), &t), KILN_ERROR_FORMAT);
  EXPECT_EQ(t, nullptr);
  EXPECT_EQ(lastError(), path + ": expects a .npy header of at most 65536 bytes, found one of "
                                "1000000 bytes");
  // A length claimed past the file's end is refused at once, by the same check.
  writeFile(path, std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff", 12));
  EXPECT_EQ(kiln_npy_read(path.c_str(), &t), KILN_ERROR_FORMAT);
  EXPECT_EQ(lastError(), path + ": expects a .npy header of at most 65536 bytes, found one of "
                                "4294967295 bytes");
}

TEST(NpyRead, EveryTruncationFails) {
  std::vector<float> values = {1, 2, 3, 4, 5, 6};
  std::string bytes =
      npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", rawBytes(values));
  std::string path = tmpPath("truncated.npy");
  for (size_t n = 0; n < bytes.size(); ++n) {
    kiln_tensor *t = nullptr;
    EXPECT_NE(readMemory(bytes.substr(0, n), &t), KILN_OK) << n;
    EXPECT_EQ(t, nullptr);
    EXPECT_NE(lastError(), "");
    writeFile(path, bytes.substr(0, n));
    EXPECT_NE(kiln_npy_read(path.c_str(), &t), KILN_OK) << n;
    EXPECT_EQ(t, nullptr);
  }
  kiln_tensor *t = nullptr;
  writeFile(path, bytes);
  ASSERT_EQ(kiln_npy_read(path.c_str(), &t), KILN_OK) << lastError();
  kiln_tensor_destroy(t);
}

TEST(NpyRead, RandomCorruptionNeverCrashes) {
  std::vector<int32_t> values = {1, 2, 3, 4, 5, 6};
  std::string good =
      npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", rawBytes(values));
  std::mt19937 rng(12345);
  for (int iter = 0; iter < 5000; ++iter) {
    std::string bytes = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    if (rng() % 3 == 0) bytes.resize(rng() % bytes.size());
    kiln_tensor *t = nullptr;
    kiln_status st = readMemory(bytes, &t);
    if (st == KILN_OK) {
      ASSERT_NE(t, nullptr);
      EXPECT_LE(kiln_tensor_byte_size(t), bytes.size());
    } else {
      EXPECT_EQ(t, nullptr);
      EXPECT_NE(lastError(), "");
    }
    kiln_tensor_destroy(t);
  }
}

TEST(NpyRead, FileErrorsNameThePath) {
  kiln_tensor *t = nullptr;
  EXPECT_EQ(kiln_npy_read("/nonexistent/dir/x.npy", &t), KILN_ERROR_IO);
  EXPECT_NE(lastError().find("/nonexistent/dir/x.npy"), std::string::npos);
  std::filesystem::create_directories(KILN_TEST_TMP);
  EXPECT_NE(kiln_npy_read(KILN_TEST_TMP, &t), KILN_OK);
  EXPECT_EQ(t, nullptr);
  EXPECT_EQ(kiln_npy_read(nullptr, &t), KILN_ERROR_INVALID_ARGUMENT);
}

// A FIFO, a folder or a device is refused before any read: reading a FIFO
// with no writer blocked forever, and a device never ends.
TEST(NpyRead, NonRegularFilesAreRefusedWithoutBlocking) {
  kiln_tensor *t = nullptr;
  std::filesystem::create_directories(KILN_TEST_TMP);
  std::string fifo = tmpPath("a_fifo.npy");
  unlink(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(kiln_npy_read(fifo.c_str(), &t), KILN_ERROR_IO);
  EXPECT_EQ(lastError(), fifo + ": expects a regular .npy file");
  unlink(fifo.c_str());
  EXPECT_EQ(kiln_npy_read(KILN_TEST_TMP, &t), KILN_ERROR_IO);
  EXPECT_EQ(lastError(), std::string(KILN_TEST_TMP) + ": expects a regular .npy file");
  EXPECT_EQ(kiln_npy_read("/dev/zero", &t), KILN_ERROR_IO);
  EXPECT_EQ(lastError(), "/dev/zero: expects a regular .npy file");
  EXPECT_EQ(t, nullptr);
}

TEST(NpyWrite, Version1BytesMatchTheSpec) {
  const int64_t dims[] = {2, 3};
  float values[6] = {1, 2, 3, 4, 5, 6};
  kiln_tensor *t = nullptr;
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 2, dims, values, &t), KILN_OK);
  std::string path = tmpPath("write_f32.npy");
  ASSERT_EQ(kiln_npy_write(path.c_str(), t), KILN_OK) << lastError();
  kiln_tensor_destroy(t);
  std::string expected = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                                  std::string(reinterpret_cast<char *>(values), 24));
  EXPECT_EQ(readFile(path), expected);
  EXPECT_EQ(expected.size(), 128u + 24u);  // 10 + 59-byte dict + newline, padded to 128
}

TEST(NpyWrite, RoundTripsEveryDtypeAndRank) {
  const kiln_dtype dtypes[] = {KILN_DTYPE_F32, KILN_DTYPE_F64, KILN_DTYPE_I8,  KILN_DTYPE_I16,
                               KILN_DTYPE_I32, KILN_DTYPE_I64, KILN_DTYPE_U8,  KILN_DTYPE_U16,
                               KILN_DTYPE_U32, KILN_DTYPE_U64, KILN_DTYPE_BOOL, KILN_DTYPE_F16};
  const std::vector<std::vector<int64_t>> shapes = {{}, {5}, {2, 0, 3}, {1, 2, 3, 4}};
  for (kiln_dtype dtype : dtypes) {
    for (const auto &shape : shapes) {
      kiln_tensor *t = nullptr;
      ASSERT_EQ(kiln_tensor_create(dtype, shape.size(), shape.data(), &t), KILN_OK);
      unsigned char *p = static_cast<unsigned char *>(kiln_tensor_data(t));
      for (size_t i = 0; i < kiln_tensor_byte_size(t); ++i)
        p[i] = dtype == KILN_DTYPE_BOOL ? i % 2 : static_cast<unsigned char>(i * 7 + 3);
      std::string path = tmpPath(std::string("round_") + kiln_dtype_name(dtype) + "_" +
                                 std::to_string(shape.size()) + ".npy");
      ASSERT_EQ(kiln_npy_write(path.c_str(), t), KILN_OK) << lastError();
      kiln_tensor *back = nullptr;
      ASSERT_EQ(kiln_npy_read(path.c_str(), &back), KILN_OK) << lastError();
      EXPECT_EQ(kiln_tensor_dtype(back), dtype);
      EXPECT_EQ(dimsOf(back), shape);
      ASSERT_EQ(kiln_tensor_byte_size(back), kiln_tensor_byte_size(t));
      EXPECT_EQ(std::memcmp(kiln_tensor_data(back), p, kiln_tensor_byte_size(t)), 0);
      std::string bytes = readFile(path);
      EXPECT_EQ((bytes.size() - kiln_tensor_byte_size(t)) % 64, 0u) << "data must be aligned";
      EXPECT_EQ(bytes[6], 1);
      kiln_tensor_destroy(back);
      kiln_tensor_destroy(t);
    }
  }
}

TEST(NpyWrite, ErrorsAreReported) {
  kiln_tensor *t = nullptr;
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_F32, 0, nullptr, &t), KILN_OK);
  EXPECT_EQ(kiln_npy_write("/nonexistent/dir/y.npy", t), KILN_ERROR_IO);
  EXPECT_NE(lastError().find("/nonexistent/dir/y.npy"), std::string::npos);
  EXPECT_EQ(kiln_npy_write(nullptr, t), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_npy_write("x.npy", nullptr), KILN_ERROR_INVALID_ARGUMENT);
  kiln_tensor_destroy(t);
}

// numpy writes, the runtime reads; the runtime writes, numpy reads.
TEST(NpyNumpy, InteroperatesWithNumpy) {
  std::string python = KILN_TEST_PYTHON;
  if (python.empty()) GTEST_SKIP() << "no python3 with numpy";
  std::string dir = tmpPath("numpy");
  std::filesystem::create_directories(dir);
  std::string script = dir + "/write.py";
  writeFile(script,
            "import sys, numpy as np\n"
            "d = sys.argv[1]\n"
            "for name in ['float32','float64','int8','int16','int32','int64',\n"
            "             'uint8','uint16','uint32','uint64']:\n"
            "    np.save(f'{d}/{name}.npy', (np.arange(24) % 100).astype(name).reshape(2, 3, 4))\n"
            "np.save(f'{d}/bool.npy', np.arange(6).reshape(2, 3) % 2 == 1)\n"
            "np.save(f'{d}/scalar.npy', np.float32(2.5))\n"
            "np.save(f'{d}/fortran.npy', np.asfortranarray(np.ones((2, 3), np.float32)))\n"
            "np.save(f'{d}/bigendian.npy', np.ones(3, '>i4'))\n"
            "for v in [(2, 0), (3, 0)]:\n"
            "    with open(f'{d}/v{v[0]}.npy', 'wb') as f:\n"
            "        np.lib.format.write_array(f, np.arange(5, dtype=np.int32), version=v)\n");
  ASSERT_EQ(std::system((python + " " + script + " " + dir).c_str()), 0);

  const char *names[] = {"float32", "float64", "int8",   "int16",  "int32",
                         "int64",   "uint8",   "uint16", "uint32", "uint64"};
  const char *dtypes[] = {"f32", "f64", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"};
  for (int k = 0; k < 10; ++k) {
    kiln_tensor *t = nullptr;
    ASSERT_EQ(kiln_npy_read((dir + "/" + names[k] + ".npy").c_str(), &t), KILN_OK) << lastError();
    EXPECT_STREQ(kiln_dtype_name(kiln_tensor_dtype(t)), dtypes[k]);
    EXPECT_EQ(dimsOf(t), (std::vector<int64_t>{2, 3, 4}));
    const unsigned char *p = static_cast<const unsigned char *>(kiln_tensor_data(t));
    size_t size = kiln_dtype_size(kiln_tensor_dtype(t));
    for (int i = 0; i < 24; ++i) {
      double v = 0;
      switch (kiln_tensor_dtype(t)) {
      case KILN_DTYPE_F32: v = reinterpret_cast<const float *>(p)[i]; break;
      case KILN_DTYPE_F64: v = reinterpret_cast<const double *>(p)[i]; break;
      default: v = p[i * size]; break;  // little-endian, values < 100
      }
      EXPECT_EQ(v, i % 100) << names[k] << "[" << i << "]";
    }
    kiln_tensor_destroy(t);
  }
  kiln_tensor *t = nullptr;
  ASSERT_EQ(kiln_npy_read((dir + "/bool.npy").c_str(), &t), KILN_OK) << lastError();
  EXPECT_EQ(kiln_tensor_dtype(t), KILN_DTYPE_BOOL);
  EXPECT_EQ(static_cast<const unsigned char *>(kiln_tensor_data(t))[3], 1);
  kiln_tensor_destroy(t);
  ASSERT_EQ(kiln_npy_read((dir + "/scalar.npy").c_str(), &t), KILN_OK) << lastError();
  EXPECT_EQ(kiln_tensor_rank(t), 0u);
  EXPECT_EQ(*static_cast<const float *>(kiln_tensor_data(t)), 2.5f);
  kiln_tensor_destroy(t);
  for (const char *v : {"v2", "v3"}) {
    ASSERT_EQ(kiln_npy_read((dir + "/" + v + ".npy").c_str(), &t), KILN_OK) << lastError();
    EXPECT_EQ(static_cast<const int32_t *>(kiln_tensor_data(t))[4], 4);
    kiln_tensor_destroy(t);
  }
  EXPECT_EQ(kiln_npy_read((dir + "/fortran.npy").c_str(), &t), KILN_ERROR_FORMAT);
  EXPECT_NE(lastError().find("fortran_order"), std::string::npos);
  EXPECT_EQ(kiln_npy_read((dir + "/bigendian.npy").c_str(), &t), KILN_ERROR_DTYPE_MISMATCH);

  // The other direction: every dtype written here loads in numpy with the same values.
  const kiln_dtype all[] = {KILN_DTYPE_F32, KILN_DTYPE_F64, KILN_DTYPE_I8,  KILN_DTYPE_I16,
                            KILN_DTYPE_I32, KILN_DTYPE_I64, KILN_DTYPE_U8,  KILN_DTYPE_U16,
                            KILN_DTYPE_U32, KILN_DTYPE_U64, KILN_DTYPE_BOOL};
  const int64_t dims[] = {3, 2};
  for (kiln_dtype dtype : all) {
    ASSERT_EQ(kiln_tensor_create(dtype, 2, dims, &t), KILN_OK);
    unsigned char *p = static_cast<unsigned char *>(kiln_tensor_data(t));
    size_t size = kiln_dtype_size(dtype);
    for (int i = 0; i < 6; ++i) {
      if (dtype == KILN_DTYPE_F32) reinterpret_cast<float *>(p)[i] = static_cast<float>(i % 2);
      else if (dtype == KILN_DTYPE_F64) reinterpret_cast<double *>(p)[i] = i % 2;
      else p[i * size] = i % 2;
    }
    std::string path = dir + "/from_kiln_" + kiln_dtype_name(dtype) + ".npy";
    ASSERT_EQ(kiln_npy_write(path.c_str(), t), KILN_OK) << lastError();
    kiln_tensor_destroy(t);
  }
  std::string check = dir + "/check.py";
  writeFile(check,
            "import sys, numpy as np\n"
            "d = sys.argv[1]\n"
            "kinds = dict(f32='float32', f64='float64', i8='int8', i16='int16', i32='int32',\n"
            "             i64='int64', u8='uint8', u16='uint16', u32='uint32', u64='uint64',\n"
            "             bool='bool')\n"
            "for k, v in kinds.items():\n"
            "    a = np.load(f'{d}/from_kiln_{k}.npy')\n"
            "    assert a.dtype == np.dtype(v), (k, a.dtype)\n"
            "    assert a.shape == (3, 2), (k, a.shape)\n"
            "    assert (a.reshape(-1) == (np.arange(6) % 2).astype(v)).all(), (k, a)\n");
  EXPECT_EQ(std::system((python + " " + check + " " + dir).c_str()), 0);
}
