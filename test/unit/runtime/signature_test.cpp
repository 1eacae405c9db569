// Signature parsing, through kiln_model_from_entry (the path standalone executables use).
#include "kiln_runtime.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

const char *g_signature = nullptr;
const char *signature() { return g_signature; }
void run(void **) {}

kiln_status parse(const char *text, kiln_model **out) {
  g_signature = text;
  return kiln_model_from_entry(signature, run, out);
}

std::vector<int64_t> inputDims(const kiln_model *m, size_t i) {
  return std::vector<int64_t>(kiln_model_input_dims(m, i),
                              kiln_model_input_dims(m, i) + kiln_model_input_rank(m, i));
}

std::vector<int64_t> outputDims(const kiln_model *m, size_t i) {
  return std::vector<int64_t>(kiln_model_output_dims(m, i),
                              kiln_model_output_dims(m, i) + kiln_model_output_rank(m, i));
}

} // namespace

TEST(Signature, ParsesInputsAndOutputsInOrder) {
  const char *text = "kiln-model 1\n"
                     "input image f32 1x3x224x224\n"
                     "input mask bool 1x0\n"
                     "output logits f32 1x1000\n"
                     "output count i64 scalar\n";
  kiln_model *m = nullptr;
  ASSERT_EQ(parse(text, &m), KILN_OK) << kiln_last_error();
  EXPECT_STREQ(kiln_model_signature(m), text);
  ASSERT_EQ(kiln_model_num_inputs(m), 2u);
  ASSERT_EQ(kiln_model_num_outputs(m), 2u);
  EXPECT_STREQ(kiln_model_input_name(m, 0), "image");
  EXPECT_EQ(kiln_model_input_dtype(m, 0), KILN_DTYPE_F32);
  EXPECT_EQ(inputDims(m, 0), (std::vector<int64_t>{1, 3, 224, 224}));
  EXPECT_STREQ(kiln_model_input_name(m, 1), "mask");
  EXPECT_EQ(kiln_model_input_dtype(m, 1), KILN_DTYPE_BOOL);
  EXPECT_EQ(inputDims(m, 1), (std::vector<int64_t>{1, 0}));
  EXPECT_STREQ(kiln_model_output_name(m, 0), "logits");
  EXPECT_EQ(outputDims(m, 0), (std::vector<int64_t>{1, 1000}));
  EXPECT_STREQ(kiln_model_output_name(m, 1), "count");
  EXPECT_EQ(kiln_model_output_dtype(m, 1), KILN_DTYPE_I64);
  EXPECT_EQ(kiln_model_output_rank(m, 1), 0u);
  EXPECT_NE(kiln_model_output_dims(m, 1), nullptr);

  size_t index = 99;
  EXPECT_EQ(kiln_model_find_input(m, "mask", &index), KILN_OK);
  EXPECT_EQ(index, 1u);
  EXPECT_EQ(kiln_model_find_output(m, "count", &index), KILN_OK);
  EXPECT_EQ(index, 1u);
  EXPECT_EQ(kiln_model_find_input(m, "logits", &index), KILN_ERROR_NOT_FOUND);
  EXPECT_NE(std::string(kiln_last_error()).find("no input named 'logits'"), std::string::npos);

  // Out-of-range queries answer "nothing" rather than crash.
  EXPECT_EQ(kiln_model_input_name(m, 2), nullptr);
  EXPECT_EQ(kiln_model_input_dtype(m, 2), KILN_DTYPE_INVALID);
  EXPECT_EQ(kiln_model_input_dims(m, 2), nullptr);
  EXPECT_EQ(kiln_model_output_name(m, 7), nullptr);
  kiln_model_destroy(m);
}

TEST(Signature, DecodesPercentEscapes) {
  kiln_model *m = nullptr;
  ASSERT_EQ(parse("kiln-model 1\n"
                  "input a%20b%25c%7F%C3%A9/x:0 u8 2\n"
                  "output out%0Aput u16 scalar",
                  &m),
            KILN_OK)
      << kiln_last_error();
  EXPECT_STREQ(kiln_model_input_name(m, 0), "a b%c\x7f\xc3\xa9/x:0");
  EXPECT_STREQ(kiln_model_output_name(m, 0), "out\nput");
  size_t index = 9;
  EXPECT_EQ(kiln_model_find_input(m, "a b%c\x7f\xc3\xa9/x:0", &index), KILN_OK);
  EXPECT_EQ(index, 0u);
  kiln_model_destroy(m);
  // Lower-case hex is decoded too.
  ASSERT_EQ(parse("kiln-model 1\ninput a%2fb f32 1\n", &m), KILN_OK) << kiln_last_error();
  EXPECT_STREQ(kiln_model_input_name(m, 0), "a/b");
  kiln_model_destroy(m);
}

TEST(Signature, AcceptsOptionalTrailingNewlineAndCrLf) {
  for (const char *text : {"kiln-model 1\ninput x i32 4\noutput y i32 4",
                           "kiln-model 1\ninput x i32 4\noutput y i32 4\n",
                           "kiln-model 1\ninput x i32 4\noutput y i32 4\n\n",
                           "kiln-model 1\r\ninput x i32 4\r\noutput y i32 4\r\n",
                           "kiln-model 1\ninput  x\ti32  4\noutput y i32 4\n"}) {
    kiln_model *m = nullptr;
    ASSERT_EQ(parse(text, &m), KILN_OK) << text << ": " << kiln_last_error();
    EXPECT_EQ(kiln_model_num_inputs(m), 1u);
    EXPECT_EQ(kiln_model_num_outputs(m), 1u);
    EXPECT_EQ(inputDims(m, 0), (std::vector<int64_t>{4}));
    kiln_model_destroy(m);
  }
}

TEST(Signature, WorkspaceLineSetsTheWorkspaceSize) {
  kiln_model *m = nullptr;
  ASSERT_EQ(parse("kiln-model 1\ninput x f32 4\noutput y f32 4\nworkspace 4160\n", &m), KILN_OK)
      << kiln_last_error();
  EXPECT_EQ(kiln_model_workspace_bytes(m), 4160u);
  kiln_model_destroy(m);
  ASSERT_EQ(parse("kiln-model 1\ninput x f32 4\noutput y f32 4\n", &m), KILN_OK);
  EXPECT_EQ(kiln_model_workspace_bytes(m), 0u);
  kiln_model_destroy(m);
}

TEST(Signature, RejectsMalformedText) {
  struct Case {
    const char *text;
    const char *message;
  } cases[] = {
      {"", "signature is empty"},
      {"\n", "line 1: empty line"},
      {"kiln-modle 1\n", "not a Kiln signature"},
      {"kiln-model 2\ninput x f32 1\n", "unsupported signature version"},
      {"kiln-model\n", "unsupported signature version"},
      {"kiln-model 1 extra\n", "unsupported signature version"},
      {"kiln-model 1\ninput x f16 4\n", "line 2: unknown dtype 'f16'"},
      {"kiln-model 1\ninput x f32\n", "line 2: expected 'input NAME DTYPE DIMS', got 3 fields"},
      {"kiln-model 1\noutput x f32 4 5\n", "got 5 fields"},
      {"kiln-model 1\nparam x f32 4\n", "line 2: expected 'input', 'output' or 'workspace'"},
      {"kiln-model 1\nworkspace\n", "line 2: expected 'workspace BYTES'"},
      {"kiln-model 1\nworkspace 12k\n", "line 2: expected 'workspace BYTES'"},
      {"kiln-model 1\nworkspace -4\n", "line 2: expected 'workspace BYTES'"},
      {"kiln-model 1\nworkspace 4 4\n", "line 2: expected 'workspace BYTES'"},
      {"kiln-model 1\nworkspace 99999999999999999999999\n", "line 2: expected 'workspace BYTES'"},
      {"kiln-model 1\nworkspace 64\nworkspace 64\n", "line 3: second 'workspace' line"},
      {"kiln-model 1\ninput x f32 2x\n", "bad dims '2x'"},
      {"kiln-model 1\ninput x f32 x3\n", "bad dims 'x3'"},
      {"kiln-model 1\ninput x f32 2xx3\n", "bad dims"},
      {"kiln-model 1\ninput x f32 -1\n", "bad dims"},
      {"kiln-model 1\ninput x f32 2x3a\n", "bad dims"},
      {"kiln-model 1\ninput x f32 +2\n", "bad dims"},
      {"kiln-model 1\ninput x f32 Scalar\n", "bad dims"},
      {"kiln-model 1\ninput x f32 99999999999999999999\n", "dim too large"},
      {"kiln-model 1\ninput x f32 4611686018427387904x4\n", "too large"},
      {"kiln-model 1\ninput a%G1 f32 1\n", "bad percent escape"},
      {"kiln-model 1\ninput a%2 f32 1\n", "bad percent escape"},
      {"kiln-model 1\ninput a% f32 1\n", "bad percent escape"},
      {"kiln-model 1\ninput a%00 f32 1\n", "%00"},
      {"kiln-model 1\ninput a\x80 f32 1\n", "unescaped byte 0x80"},
      {"kiln-model 1\ninput x f32 1\ninput x f32 2\n", "line 3: duplicate input name 'x'"},
      {"kiln-model 1\noutput y f32 1\noutput y f32 1\n", "duplicate output name 'y'"},
      {"kiln-model 1\ninput x f32 1\n\noutput y f32 1\n", "line 3: empty line"},
  };
  for (const Case &c : cases) {
    kiln_model *m = reinterpret_cast<kiln_model *>(0x1);
    EXPECT_EQ(parse(c.text, &m), KILN_ERROR_FORMAT) << c.text;
    EXPECT_EQ(m, nullptr);
    EXPECT_NE(std::string(kiln_last_error()).find(c.message), std::string::npos)
        << "expected '" << c.message << "' in: " << kiln_last_error();
  }
}

TEST(Signature, NullEntriesAreRejected) {
  kiln_model *m = nullptr;
  EXPECT_EQ(parse(nullptr, &m), KILN_ERROR_FORMAT);
  EXPECT_NE(std::string(kiln_last_error()).find("returned NULL"), std::string::npos);
  EXPECT_EQ(kiln_model_from_entry(nullptr, run, &m), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_from_entry(signature, nullptr, &m), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_model_from_entry(signature, run, nullptr), KILN_ERROR_INVALID_ARGUMENT);
  kiln_model_destroy(nullptr);
}
