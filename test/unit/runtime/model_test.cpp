// Loading model libraries, running them and validating what is passed in.
#include "kiln_runtime.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

std::string fake(const char *name) { return std::string(KILN_FAKE_DIR) + "/" + name + ".so"; }

std::string lastError() { return kiln_last_error(); }

struct Tensor {
  kiln_tensor *t = nullptr;
  Tensor(kiln_dtype dtype, std::vector<int64_t> dims) {
    EXPECT_EQ(kiln_tensor_create(dtype, dims.size(), dims.data(), &t), KILN_OK);
  }
  ~Tensor() { kiln_tensor_destroy(t); }
  float *f32() { return static_cast<float *>(kiln_tensor_data(t)); }
};

class FakeModel : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(kiln_model_load(fake("fake_model").c_str(), &model), KILN_OK) << lastError();
  }
  void TearDown() override { kiln_model_destroy(model); }
  kiln_model *model = nullptr;
};

} // namespace

TEST_F(FakeModel, ReportsItsSignature) {
  ASSERT_EQ(kiln_model_num_inputs(model), 2u);
  ASSERT_EQ(kiln_model_num_outputs(model), 2u);
  EXPECT_STREQ(kiln_model_input_name(model, 1), "b");
  EXPECT_STREQ(kiln_model_output_name(model, 1), "stats/max");
  EXPECT_EQ(kiln_model_output_rank(model, 1), 0u);
  EXPECT_NE(std::string(kiln_model_signature(model)).find("input a f32 [2,3]"), std::string::npos);
}

TEST_F(FakeModel, ExposesEveryEntryByName) {
  ASSERT_EQ(kiln_model_num_entries(model), 3u);
  EXPECT_STREQ(kiln_entry_name(kiln_model_entry_at(model, 0)), "infer");
  EXPECT_STREQ(kiln_entry_name(kiln_model_entry_at(model, 1)), "scale");
  EXPECT_STREQ(kiln_entry_name(kiln_model_entry_at(model, 2)), "dynamic");
  EXPECT_EQ(kiln_model_entry_at(model, 3), nullptr);
  // One workspace, as large as the largest entry's.
  EXPECT_EQ(kiln_model_workspace_bytes(model), 16u);

  const kiln_entry *scale = nullptr;
  ASSERT_EQ(kiln_model_find_entry(model, "scale", &scale), KILN_OK) << lastError();
  EXPECT_EQ(scale, kiln_model_entry_at(model, 1));
  EXPECT_EQ(kiln_entry_workspace_bytes(scale), 16u);
  EXPECT_EQ(kiln_entry_workspace_bytes(kiln_model_entry_at(model, 0)), 0u);
  ASSERT_EQ(kiln_entry_num_inputs(scale), 1u);
  EXPECT_STREQ(kiln_entry_input_name(scale, 0), "x");
  EXPECT_STREQ(kiln_entry_output_name(scale, 0), "y");

  Tensor x(KILN_DTYPE_F32, {4});
  for (int i = 0; i < 4; ++i) x.f32()[i] = static_cast<float>(i) + 0.5f;
  const kiln_tensor *inputs[] = {x.t};
  kiln_tensor *outputs[1] = {nullptr};
  ASSERT_EQ(kiln_model_run_entry(model, scale, inputs, 1, outputs, 1), KILN_OK) << lastError();
  const float *y = static_cast<const float *>(kiln_tensor_data(outputs[0]));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(y[i], 2.0f * x.f32()[i]) << i;
  kiln_tensor_destroy(outputs[0]);

  // The default entry's inputs do not fit another entry.
  kiln_tensor *two_outputs[2] = {nullptr, nullptr}; // the array holds the count passed
  EXPECT_EQ(kiln_model_run_entry(model, kiln_model_entry_at(model, 0), inputs, 1, two_outputs, 2),
            KILN_ERROR_COUNT_MISMATCH);
  EXPECT_EQ(lastError(), "expected 2 inputs, got 1");

  const kiln_entry *missing = scale;
  EXPECT_EQ(kiln_model_find_entry(model, "train step", &missing), KILN_ERROR_NOT_FOUND);
  EXPECT_EQ(missing, nullptr);
  EXPECT_EQ(lastError(), "model has no entry named 'train%20step'");
  EXPECT_EQ(kiln_model_find_entry(model, nullptr, &missing), KILN_ERROR_INVALID_ARGUMENT);

  // An entry handle runs only with the model that owns it.
  kiln_model *other = nullptr;
  ASSERT_EQ(kiln_model_load(fake("fake_model").c_str(), &other), KILN_OK) << lastError();
  EXPECT_EQ(kiln_model_run_entry(other, scale, inputs, 1, outputs, 1), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "kiln_model_run: entry is not one of the model's");
  EXPECT_EQ(kiln_model_run_entry(other, nullptr, inputs, 1, outputs, 1),
            KILN_ERROR_INVALID_ARGUMENT);
  kiln_model_destroy(other);
}

TEST_F(FakeModel, RunsAndAllocatesOutputs) {
  Tensor a(KILN_DTYPE_F32, {2, 3}), b(KILN_DTYPE_F32, {2, 3});
  for (int i = 0; i < 6; ++i) {
    a.f32()[i] = static_cast<float>(i);
    b.f32()[i] = 10.0f * static_cast<float>(i % 2);
  }
  const kiln_tensor *inputs[] = {a.t, b.t};
  kiln_tensor *outputs[2] = {nullptr, nullptr};
  ASSERT_EQ(kiln_model_run(model, inputs, 2, outputs, 2), KILN_OK) << lastError();
  ASSERT_NE(outputs[0], nullptr);
  EXPECT_EQ(kiln_tensor_dtype(outputs[0]), KILN_DTYPE_F32);
  EXPECT_EQ(kiln_tensor_rank(outputs[0]), 2u);
  EXPECT_EQ(kiln_tensor_owns_data(outputs[0]), 1);
  const float *sum = static_cast<const float *>(kiln_tensor_data(outputs[0]));
  const float expected[] = {0, 11, 2, 13, 4, 15};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(sum[i], expected[i]) << i;
  EXPECT_EQ(kiln_tensor_rank(outputs[1]), 0u);
  EXPECT_EQ(*static_cast<const float *>(kiln_tensor_data(outputs[1])), 15.0f);
  kiln_tensor_destroy(outputs[0]);
  kiln_tensor_destroy(outputs[1]);
}

TEST_F(FakeModel, RunIntoUsesCallerOutputs) {
  float a[6] = {1, 1, 1, 1, 1, 1}, b[6] = {1, 2, 3, 4, 5, 6}, sum[6] = {0}, max = 0;
  const int64_t dims[] = {2, 3};
  kiln_tensor *ta, *tb, *ts, *tm;
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 2, dims, a, &ta), KILN_OK);
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 2, dims, b, &tb), KILN_OK);
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 2, dims, sum, &ts), KILN_OK);
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 0, nullptr, &max, &tm), KILN_OK);
  const kiln_tensor *inputs[] = {ta, tb};
  kiln_tensor *outputs[] = {ts, tm};
  ASSERT_EQ(kiln_model_run_into(model, inputs, 2, outputs, 2), KILN_OK) << lastError();
  EXPECT_EQ(sum[5], 7.0f);
  EXPECT_EQ(max, 7.0f);

  // A wrong output shape is caught before anything runs.
  sum[0] = -1;
  kiln_tensor *wrong;
  const int64_t wrong_dims[] = {3, 2};
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 2, wrong_dims, sum, &wrong), KILN_OK);
  kiln_tensor *bad_outputs[] = {wrong, tm};
  EXPECT_EQ(kiln_model_run_into(model, inputs, 2, bad_outputs, 2), KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_EQ(lastError(), "output 'sum': expected shape 2x3, got 3x2");
  EXPECT_EQ(sum[0], -1.0f);
  for (kiln_tensor *t : {ta, tb, ts, tm, wrong}) kiln_tensor_destroy(t);
}

TEST_F(FakeModel, ValidatesInputsAndRunsNothingOnError) {
  Tensor a(KILN_DTYPE_F32, {2, 3}), b(KILN_DTYPE_F32, {2, 3});
  Tensor wrong_shape(KILN_DTYPE_F32, {2, 4}), wrong_rank(KILN_DTYPE_F32, {6});
  Tensor wrong_dtype(KILN_DTYPE_F64, {2, 3}), scalar(KILN_DTYPE_F32, {});
  float sum[6] = {-7, -7, -7, -7, -7, -7}, max = -7;
  const int64_t dims[] = {2, 3};
  kiln_tensor *ts, *tm;
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 2, dims, sum, &ts), KILN_OK);
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 0, nullptr, &max, &tm), KILN_OK);
  kiln_tensor *outs[] = {ts, tm};

  struct Case {
    std::vector<const kiln_tensor *> inputs;
    kiln_status status;
    std::string message;
  } cases[] = {
      {{a.t, wrong_shape.t}, KILN_ERROR_SHAPE_MISMATCH, "input 'b': expected shape 2x3, got 2x4"},
      {{wrong_rank.t, b.t}, KILN_ERROR_SHAPE_MISMATCH, "input 'a': expected shape 2x3, got 6"},
      {{scalar.t, b.t}, KILN_ERROR_SHAPE_MISMATCH, "input 'a': expected shape 2x3, got scalar"},
      {{a.t, wrong_dtype.t}, KILN_ERROR_DTYPE_MISMATCH, "input 'b': expected dtype f32, got f64"},
      {{a.t}, KILN_ERROR_COUNT_MISMATCH, "expected 2 inputs, got 1"},
      {{a.t, b.t, b.t}, KILN_ERROR_COUNT_MISMATCH, "expected 2 inputs, got 3"},
      {{a.t, nullptr}, KILN_ERROR_INVALID_ARGUMENT, "input 'b': tensor is NULL"},
  };
  for (const Case &c : cases) {
    EXPECT_EQ(kiln_model_check_inputs(model, c.inputs.data(), c.inputs.size()), c.status);
    EXPECT_EQ(lastError(), c.message);
    EXPECT_EQ(kiln_model_run_into(model, c.inputs.data(), c.inputs.size(), outs, 2), c.status);
    EXPECT_EQ(lastError(), c.message);
    kiln_tensor *allocated[2] = {ts, tm};  // must be reset to NULL on failure
    EXPECT_EQ(kiln_model_run(model, c.inputs.data(), c.inputs.size(), allocated, 2), c.status);
    EXPECT_EQ(lastError(), c.message);
    EXPECT_EQ(allocated[0], nullptr);
    EXPECT_EQ(allocated[1], nullptr);
  }
  for (float v : sum) EXPECT_EQ(v, -7.0f) << "the model must not have run";
  EXPECT_EQ(max, -7.0f);

  const kiln_tensor *good[] = {a.t, b.t};
  kiln_tensor *one[1] = {nullptr};
  EXPECT_EQ(kiln_model_run(model, good, 2, one, 1), KILN_ERROR_COUNT_MISMATCH);
  EXPECT_EQ(lastError(), "expected 2 outputs, got 1");
  EXPECT_EQ(kiln_model_run(nullptr, good, 2, one, 1), KILN_ERROR_INVALID_ARGUMENT);
  kiln_tensor_destroy(ts);
  kiln_tensor_destroy(tm);
}

TEST(ModelLoad, MissingSymbolsAreNamed) {
  kiln_model *m = reinterpret_cast<kiln_model *>(0x1);
  std::string path = fake("fake_model_no_run");
  EXPECT_EQ(kiln_model_load(path.c_str(), &m), KILN_ERROR_LOAD);
  EXPECT_EQ(m, nullptr);
  EXPECT_EQ(lastError(),
            "model '" + path + "' does not export 'kiln_entry_functions' (not a Kiln model?)");
  path = fake("fake_model_no_signature");
  EXPECT_EQ(kiln_model_load(path.c_str(), &m), KILN_ERROR_LOAD);
  EXPECT_NE(lastError().find("does not export 'kiln_entry_signature'"), std::string::npos);
}

TEST(ModelLoad, BadSignatureNamesFileAndLine) {
  kiln_model *m = nullptr;
  std::string path = fake("fake_model_bad_signature");
  EXPECT_EQ(kiln_model_load(path.c_str(), &m), KILN_ERROR_FORMAT);
  EXPECT_NE(lastError().find(path + ": signature line 3: expects a dtype (f32 f64 f16 bf16 i8 i16 i32 i64 "
                                    "u8 u16 u32 u64 bool), found 'c64'"),
            std::string::npos)
      << lastError();
}

TEST(ModelLoad, MissingOrInvalidFile) {
  kiln_model *m = nullptr;
  EXPECT_EQ(kiln_model_load("/nonexistent/model.so", &m), KILN_ERROR_LOAD);
  EXPECT_NE(lastError().find("cannot load model '/nonexistent/model.so'"), std::string::npos);
  std::filesystem::create_directories(KILN_TEST_TMP);
  std::string text = std::string(KILN_TEST_TMP) + "/not_a_library.so";
  std::ofstream(text) << "hello\n";
  EXPECT_EQ(kiln_model_load(text.c_str(), &m), KILN_ERROR_LOAD);
  EXPECT_NE(lastError().find(text), std::string::npos);
  EXPECT_EQ(kiln_model_load(nullptr, &m), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_load("", &m), KILN_ERROR_INVALID_ARGUMENT);
}

TEST(ModelLoad, BareFileNameMeansCurrentDirectory) {
  std::filesystem::path old = std::filesystem::current_path();
  std::filesystem::current_path(KILN_FAKE_DIR);
  kiln_model *m = nullptr;
  EXPECT_EQ(kiln_model_load("fake_model.so", &m), KILN_OK) << lastError();
  kiln_model_destroy(m);
  std::filesystem::current_path(old);
}

// Generated code may call back into the runtime; the host exports it.
TEST(ModelLoad, ModelCanCallParallelForFromTheHost) {
  kiln_model *m = nullptr;
  ASSERT_EQ(kiln_model_load(fake("fake_model_parallel").c_str(), &m), KILN_OK) << lastError();
  size_t index = 9;
  ASSERT_EQ(kiln_model_find_input(m, "in put", &index), KILN_OK);
  EXPECT_EQ(index, 0u);
  Tensor x(KILN_DTYPE_F32, {1000});
  for (int i = 0; i < 1000; ++i) x.f32()[i] = static_cast<float>(i);
  const kiln_tensor *inputs[] = {x.t};
  kiln_tensor *outputs[1] = {nullptr};
  kiln_set_num_threads(4);
  ASSERT_EQ(kiln_model_run(m, inputs, 1, outputs, 1), KILN_OK) << lastError();
  const float *y = static_cast<const float *>(kiln_tensor_data(outputs[0]));
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(y[i], 2.0f * static_cast<float>(i)) << i;
  kiln_tensor_destroy(outputs[0]);
  kiln_model_destroy(m);
}
