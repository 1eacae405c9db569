// Tensor creation, wrapping and getters.
#include "kiln_runtime.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

TEST(Tensor, CreateIsZeroedOwnedAndAligned) {
  const int64_t dims[] = {2, 3, 4};
  kiln_tensor *t = nullptr;
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_I16, 3, dims, &t), KILN_OK) << kiln_last_error();
  EXPECT_EQ(kiln_tensor_dtype(t), KILN_DTYPE_I16);
  EXPECT_EQ(kiln_tensor_rank(t), 3u);
  EXPECT_EQ(kiln_tensor_dims(t)[0], 2);
  EXPECT_EQ(kiln_tensor_dims(t)[2], 4);
  EXPECT_EQ(kiln_tensor_num_elements(t), 24u);
  EXPECT_EQ(kiln_tensor_byte_size(t), 48u);
  EXPECT_EQ(kiln_tensor_owns_data(t), 1);
  ASSERT_NE(kiln_tensor_data(t), nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(kiln_tensor_data(t)) % 64, 0u);
  const int16_t *v = static_cast<const int16_t *>(kiln_tensor_data(t));
  for (int i = 0; i < 24; ++i) EXPECT_EQ(v[i], 0);
  kiln_tensor_destroy(t);
}

TEST(Tensor, DimsAreCopied) {
  int64_t dims[] = {5};
  kiln_tensor *t = nullptr;
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_F32, 1, dims, &t), KILN_OK);
  dims[0] = 7;
  EXPECT_EQ(kiln_tensor_dims(t)[0], 5);
  kiln_tensor_destroy(t);
}

TEST(Tensor, ScalarAndEmpty) {
  kiln_tensor *s = nullptr;
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_F64, 0, nullptr, &s), KILN_OK);
  EXPECT_EQ(kiln_tensor_rank(s), 0u);
  EXPECT_NE(kiln_tensor_dims(s), nullptr);
  EXPECT_EQ(kiln_tensor_num_elements(s), 1u);
  EXPECT_EQ(kiln_tensor_byte_size(s), 8u);
  kiln_tensor_destroy(s);

  const int64_t dims[] = {3, 0, 4};
  kiln_tensor *e = nullptr;
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_U8, 3, dims, &e), KILN_OK);
  EXPECT_EQ(kiln_tensor_num_elements(e), 0u);
  EXPECT_EQ(kiln_tensor_byte_size(e), 0u);
  EXPECT_NE(kiln_tensor_data(e), nullptr);
  kiln_tensor_destroy(e);
}

TEST(Tensor, BadArgumentsFailWithMessage) {
  kiln_tensor *t = reinterpret_cast<kiln_tensor *>(0x1);
  const int64_t negative[] = {2, -1};
  EXPECT_EQ(kiln_tensor_create(KILN_DTYPE_F32, 2, negative, &t), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(t, nullptr);
  EXPECT_NE(std::string(kiln_last_error()).find("negative"), std::string::npos);
  EXPECT_EQ(kiln_tensor_create(KILN_DTYPE_INVALID, 0, nullptr, &t), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_tensor_create(KILN_DTYPE_F32, 2, nullptr, &t), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_tensor_create(KILN_DTYPE_F32, 0, nullptr, nullptr), KILN_ERROR_INVALID_ARGUMENT);
  const int64_t huge[] = {INT64_C(1) << 40, INT64_C(1) << 40};
  EXPECT_EQ(kiln_tensor_create(KILN_DTYPE_F32, 2, huge, &t), KILN_ERROR_OUT_OF_MEMORY);
  EXPECT_NE(std::string(kiln_last_error()).find("too large"), std::string::npos);
  // The byte count (2^66) wraps around 2^64; the message names the shape.
  const int64_t wraps[] = {INT64_C(1) << 32, INT64_C(1) << 32};
  EXPECT_EQ(kiln_tensor_create(KILN_DTYPE_F32, 2, wraps, &t), KILN_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(t, nullptr);
  EXPECT_NE(std::string(kiln_last_error()).find("its shape 4294967296x4294967296 is too large"),
            std::string::npos);
  // A zero dim makes the tensor empty, but an overflow elsewhere is still an error.
  const int64_t zero_and_huge[] = {0, INT64_C(1) << 40, INT64_C(1) << 40};
  EXPECT_EQ(kiln_tensor_create(KILN_DTYPE_F32, 3, zero_and_huge, &t), KILN_OK);
  kiln_tensor_destroy(t);
}

TEST(Tensor, WrapDoesNotOwn) {
  float data[6] = {1, 2, 3, 4, 5, 6};
  const int64_t dims[] = {2, 3};
  kiln_tensor *t = nullptr;
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 2, dims, data, &t), KILN_OK);
  EXPECT_EQ(kiln_tensor_data(t), data);
  EXPECT_EQ(kiln_tensor_owns_data(t), 0);
  kiln_tensor_destroy(t);  // must not free the stack array
  EXPECT_EQ(data[5], 6.0f);

  EXPECT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 2, dims, nullptr, &t), KILN_ERROR_INVALID_ARGUMENT);
  const int64_t empty[] = {0};
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 1, empty, nullptr, &t), KILN_OK);
  kiln_tensor_destroy(t);
}

TEST(Tensor, GettersTolerateNull) {
  kiln_tensor_destroy(nullptr);
  EXPECT_EQ(kiln_tensor_dtype(nullptr), KILN_DTYPE_INVALID);
  EXPECT_EQ(kiln_tensor_rank(nullptr), 0u);
  EXPECT_EQ(kiln_tensor_dims(nullptr), nullptr);
  EXPECT_EQ(kiln_tensor_num_elements(nullptr), 0u);
  EXPECT_EQ(kiln_tensor_data(nullptr), nullptr);
}
