// Status strings, the error message and dtype helpers.
#include "kiln_runtime.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

TEST(Status, StringsAreDistinctAndReadable) {
  EXPECT_STREQ(kiln_status_string(KILN_OK), "ok");
  EXPECT_STREQ(kiln_status_string(KILN_ERROR_SHAPE_MISMATCH), "shape mismatch");
  EXPECT_STREQ(kiln_status_string(KILN_ERROR_DTYPE_MISMATCH), "dtype mismatch");
  EXPECT_STREQ(kiln_status_string(static_cast<kiln_status>(1000)), "unknown status");
  EXPECT_EQ(KILN_OK, 0);
}

TEST(Status, LastErrorIsSetByFailureAndThreadLocal) {
  kiln_dtype d;
  ASSERT_EQ(kiln_dtype_from_name("c64", &d), KILN_ERROR_FORMAT);
  EXPECT_NE(std::string(kiln_last_error()).find("unknown dtype 'c64'"), std::string::npos);
  std::string other;
  std::thread([&] { other = kiln_last_error(); }).join();
  EXPECT_EQ(other, "");
  // Success leaves the message alone.
  ASSERT_EQ(kiln_dtype_from_name("f32", &d), KILN_OK);
  EXPECT_NE(std::string(kiln_last_error()).find("c64"), std::string::npos);
}

TEST(Dtype, SizesAndNamesFollowTheSignatureSpelling) {
  struct Case {
    kiln_dtype dtype;
    const char *name;
    size_t size;
  } cases[] = {
      {KILN_DTYPE_F32, "f32", 4}, {KILN_DTYPE_F64, "f64", 8}, {KILN_DTYPE_I8, "i8", 1},
      {KILN_DTYPE_I16, "i16", 2}, {KILN_DTYPE_I32, "i32", 4}, {KILN_DTYPE_I64, "i64", 8},
      {KILN_DTYPE_U8, "u8", 1},   {KILN_DTYPE_U16, "u16", 2}, {KILN_DTYPE_U32, "u32", 4},
      {KILN_DTYPE_U64, "u64", 8}, {KILN_DTYPE_BOOL, "bool", 1}, {KILN_DTYPE_F16, "f16", 2},
      {KILN_DTYPE_BF16, "bf16", 2},
  };
  for (const Case &c : cases) {
    EXPECT_EQ(kiln_dtype_size(c.dtype), c.size) << c.name;
    EXPECT_STREQ(kiln_dtype_name(c.dtype), c.name);
    kiln_dtype parsed = KILN_DTYPE_INVALID;
    EXPECT_EQ(kiln_dtype_from_name(c.name, &parsed), KILN_OK);
    EXPECT_EQ(parsed, c.dtype);
  }
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_INVALID), 0u);
  EXPECT_EQ(kiln_dtype_size(static_cast<kiln_dtype>(99)), 0u);
  EXPECT_STREQ(kiln_dtype_name(static_cast<kiln_dtype>(99)), "invalid");
}

TEST(Dtype, FromNameRejectsUnknownAndNull) {
  kiln_dtype d = KILN_DTYPE_F32;
  EXPECT_EQ(kiln_dtype_from_name("F32", &d), KILN_ERROR_FORMAT);
  EXPECT_EQ(kiln_dtype_from_name("", &d), KILN_ERROR_FORMAT);
  EXPECT_EQ(kiln_dtype_from_name("invalid", &d), KILN_ERROR_FORMAT);
  EXPECT_EQ(kiln_dtype_from_name(nullptr, &d), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_dtype_from_name("f32", nullptr), KILN_ERROR_INVALID_ARGUMENT);
}
