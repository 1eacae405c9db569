// Signature parsing, through kiln_model_from_entry (the path standalone executables use).
extern "C" {
#include "kiln_internal.h" // kiln__cpu_feature_present
}
#include "kiln_runtime.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

const char *g_signature = nullptr;
const char *signature() { return g_signature; }
int32_t run(void **, int64_t *, const char **) { return 0; }

// Binds one run function per "entry" line, as the generated table does.
kiln_status parse(const char *text, kiln_model **out) {
  g_signature = text;
  std::vector<kiln_run_fn> runs;
  for (const char *p = text; p && (p = std::strstr(p, "\nentry")); ++p) runs.push_back(run);
  if (runs.empty()) runs.push_back(run);
  runs.push_back(nullptr);
  return kiln_model_from_functions(signature, runs.data(), out);
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
  const char *text = "kiln-model 4\n"
                     "entry infer\n"
                     "input image f32 [1,3,224,224]\n"
                     "input mask bool [1,0]\n"
                     "output logits f32 [1,1000]\n"
                     "output count i64 []\n";
  kiln_model *m = nullptr;
  ASSERT_EQ(parse(text, &m), KILN_OK) << kiln_last_error();
  EXPECT_STREQ(kiln_model_signature(m), text);
  ASSERT_EQ(kiln_model_num_entries(m), 1u);
  EXPECT_STREQ(kiln_entry_name(kiln_model_entry_at(m, 0)), "infer");
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
  EXPECT_EQ(kiln_model_workspace_bytes(m), 0u);

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
  EXPECT_EQ(kiln_model_entry_at(m, 1), nullptr);
  EXPECT_EQ(kiln_entry_name(nullptr), nullptr);
  kiln_model_destroy(m);
}

// Two entries, symbolic dims and per-entry workspaces, as a training artifact would have.
TEST(Signature, ParsesEntriesSymbolicDimsAndWorkspaces) {
  const char *text = "kiln-model 4\n"
                     "entry infer\n"
                     "input x f32 [N,3,H_1,8]\n"
                     "output y f32 [N,10]\n"
                     "workspace 4160\n"
                     "entry train_step\n"
                     "input x f32 [N,3,8,8]\n"
                     "input labels i64 [N]\n"
                     "output loss f32 []\n"
                     "workspace 65536\n";
  kiln_model *m = nullptr;
  ASSERT_EQ(parse(text, &m), KILN_OK) << kiln_last_error();
  ASSERT_EQ(kiln_model_num_entries(m), 2u);
  const kiln_entry *infer = kiln_model_entry_at(m, 0);
  const kiln_entry *train = nullptr;
  ASSERT_EQ(kiln_model_find_entry(m, "train_step", &train), KILN_OK);
  EXPECT_EQ(train, kiln_model_entry_at(m, 1));
  EXPECT_STREQ(kiln_entry_name(infer), "infer");
  EXPECT_EQ(kiln_entry_workspace_bytes(infer), 4160u);
  EXPECT_EQ(kiln_entry_workspace_bytes(train), 65536u);
  EXPECT_EQ(kiln_model_workspace_bytes(m), 65536u);

  ASSERT_EQ(kiln_entry_input_rank(infer, 0), 4u);
  const int64_t *dims = kiln_entry_input_dims(infer, 0);
  EXPECT_EQ(std::vector<int64_t>(dims, dims + 4),
            (std::vector<int64_t>{KILN_DIM_SYMBOLIC, 3, KILN_DIM_SYMBOLIC, 8}));
  EXPECT_STREQ(kiln_entry_input_symbol(infer, 0, 0), "N");
  EXPECT_EQ(kiln_entry_input_symbol(infer, 0, 1), nullptr);
  EXPECT_STREQ(kiln_entry_input_symbol(infer, 0, 2), "H_1");
  EXPECT_EQ(kiln_entry_input_symbol(infer, 0, 4), nullptr);
  EXPECT_STREQ(kiln_entry_output_symbol(infer, 0, 0), "N");
  EXPECT_EQ(kiln_entry_output_dims(infer, 0)[1], 10);

  ASSERT_EQ(kiln_entry_num_inputs(train), 2u);
  ASSERT_EQ(kiln_entry_num_outputs(train), 1u);
  EXPECT_STREQ(kiln_entry_input_name(train, 1), "labels");
  EXPECT_EQ(kiln_entry_input_dtype(train, 1), KILN_DTYPE_I64);
  EXPECT_STREQ(kiln_entry_input_symbol(train, 1, 0), "N");
  EXPECT_EQ(kiln_entry_output_rank(train, 0), 0u);
  size_t index = 9;
  EXPECT_EQ(kiln_entry_find_input(train, "labels", &index), KILN_OK);
  EXPECT_EQ(index, 1u);
  EXPECT_EQ(kiln_entry_find_output(train, "y", &index), KILN_ERROR_NOT_FOUND);

  // A symbol takes the size where it first appears and must keep it.
  int64_t x_dims[] = {5, 3, 2, 8}, n_dims[] = {5}, bad_dims[] = {4};
  kiln_tensor *x = nullptr, *labels = nullptr, *bad = nullptr;
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_F32, 4, x_dims, &x), KILN_OK);
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_I64, 1, n_dims, &labels), KILN_OK);
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_I64, 1, bad_dims, &bad), KILN_OK);
  const kiln_tensor *ok[] = {x, labels}, *mismatched[] = {x, bad};
  EXPECT_EQ(kiln_entry_check_inputs(infer, ok, 1), KILN_OK) << kiln_last_error();
  EXPECT_EQ(kiln_entry_check_inputs(train, ok, 2), KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(kiln_last_error(), "input 'x': expected shape Nx3x8x8, got 5x3x2x8");
  x_dims[2] = 8;
  kiln_tensor_destroy(x);
  ASSERT_EQ(kiln_tensor_create(KILN_DTYPE_F32, 4, x_dims, &x), KILN_OK);
  ok[0] = mismatched[0] = x;
  EXPECT_EQ(kiln_entry_check_inputs(train, ok, 2), KILN_OK) << kiln_last_error();
  EXPECT_EQ(kiln_entry_check_inputs(train, mismatched, 2), KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(kiln_last_error(), "input 'labels': expected dim 0 (N) = 5 as in input 'x', got 4");

  // Entries with symbolic dims run (the stand-in run function does nothing).
  kiln_tensor *outputs[1] = {nullptr};
  EXPECT_EQ(kiln_model_run_entry(m, train, ok, 2, outputs, 1), KILN_OK) << kiln_last_error();
  kiln_tensor_destroy(outputs[0]);
  for (kiln_tensor *t : {x, labels, bad}) kiln_tensor_destroy(t);
  kiln_model_destroy(m);
}

TEST(Signature, DecodesPercentEscapes) {
  kiln_model *m = nullptr;
  ASSERT_EQ(parse("kiln-model 4\n"
                  "entry infer\n"
                  "input a%20b%25c%7F%C3%A9/x:0 u8 [2]\n"
                  "output out%0Aput u16 []",
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
  ASSERT_EQ(parse("kiln-model 4\nentry infer\ninput a%2fb f32 [1]\n", &m), KILN_OK)
      << kiln_last_error();
  EXPECT_STREQ(kiln_model_input_name(m, 0), "a/b");
  kiln_model_destroy(m);
}

TEST(Signature, AcceptsOptionalTrailingNewlineAndCrLf) {
  for (const char *text : {"kiln-model 4\nentry e\ninput x i32 [4]\noutput y i32 [4]",
                           "kiln-model 4\nentry e\ninput x i32 [4]\noutput y i32 [4]\n",
                           "kiln-model 4\nentry e\ninput x i32 [4]\noutput y i32 [4]\n\n",
                           "kiln-model 4\r\nentry e\r\ninput x i32 [4]\r\noutput y i32 [4]\r\n",
                           "kiln-model 4\nentry\te\ninput  x\ti32  [4]\noutput y i32 [4]\n"}) {
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
  ASSERT_EQ(parse("kiln-model 4\nentry e\ninput x f32 [4]\noutput y f32 [4]\nworkspace 4160\n", &m),
            KILN_OK)
      << kiln_last_error();
  EXPECT_EQ(kiln_model_workspace_bytes(m), 4160u);
  kiln_model_destroy(m);
  ASSERT_EQ(parse("kiln-model 4\nentry e\ninput x f32 [4]\noutput y f32 [4]\n", &m), KILN_OK);
  EXPECT_EQ(kiln_model_workspace_bytes(m), 0u);
  kiln_model_destroy(m);
}

// Each malformed signature gets the message the header's format description implies.
TEST(Signature, RejectsMalformedText) {
  struct Case {
    std::string text;
    std::string message;
  } cases[] = {
      {"", "model: signature expects 'kiln-model 4', found empty text"},
      {"\n", "line 1: expects no blank line inside the signature, found one"},
      {"kiln-modle 2\n", "line 1: expects 'kiln-model 4', found 'kiln-modle' (not a Kiln model)"},
      {"\x7f" "ELF\n", "(not a Kiln model)"},
      {"kiln-model 1\ninput x f32 1\n",
       "line 1: expects format version 4, found '1' (recompile the model with this Kiln)"},
      {"kiln-model\n", "line 1: expects format version 4, found ''"},
      {"kiln-model 4 extra\n", "expects format version 4"},
      {"kiln-model 4\n", "signature expects at least one 'entry NAME' line, found none"},
      {"kiln-model 4\ninput x f32 [4]\n", "line 2: expects 'entry NAME' before 'input', found none"},
      {"kiln-model 4\nworkspace 64\n", "line 2: expects 'entry NAME' before 'workspace'"},
      {"kiln-model 4\nentry\n", "line 2: expects 'entry NAME', found 1 fields"},
      {"kiln-model 4\nentry a b\n", "line 2: expects 'entry NAME', found 3 fields"},
      {"kiln-model 4\nentry 2nd\n",
       "line 2: expects an entry name of letters, digits and '_' not starting with a digit, "
       "found '2nd'"},
      {"kiln-model 4\nentry a-b\n", "found 'a-b'"},
      {"kiln-model 4\nentry a\nentry a\n", "line 3: expects distinct entry names, found 'a' twice"},
      {"kiln-model 4\nentry e\ninput x c64 [4]\n",
       "line 3: expects a dtype (f32 f64 f16 bf16 i8 i16 i32 i64 u8 u16 u32 u64 bool), found 'c64'"},
      {"kiln-model 4\nentry e\ninput x f32\n", "line 3: expects 'input NAME DTYPE DIMS', found 3 fields"},
      {"kiln-model 4\nentry e\noutput x f32 [4] 5\n",
       "line 3: expects 'output NAME DTYPE DIMS', found 5 fields"},
      {"kiln-model 4\nentry e\nparam x f32 [4]\n",
       "line 3: expects 'entry', 'bound', 'input', 'output', 'workspace' or 'training', found 'param'"},
      {"kiln-model 4\nentry e\ncpu-features\ninput x f32 [4]\n",
       "line 3: expects 'cpu-features' only on line 2, after 'kiln-model 4', found it on line 3"},
      {"kiln-model 4\ncpu-featuresavx\nentry e\n",
       "line 2: expects 'entry', 'bound', 'input', 'output', 'workspace' or 'training', found "
       "'cpu-featuresavx'"},
      {"kiln-model 4\nentry e\nworkspace\n",
       "line 3: expects 'workspace BYTES' with BYTES a decimal below 2^63, found 'workspace'"},
      {"kiln-model 4\nentry e\nworkspace 12k\n", "found '12k'"},
      {"kiln-model 4\nentry e\nworkspace -4\n", "found '-4'"},
      {"kiln-model 4\nentry e\nworkspace 4 4\n", "expects 'workspace BYTES'"},
      {"kiln-model 4\nentry e\nworkspace 99999999999999999999999\n", "expects 'workspace BYTES'"},
      {"kiln-model 4\nentry e\nworkspace 64\nworkspace 64\n",
       "line 4: expects one 'workspace' line per entry, found a second"},
      {"kiln-model 4\nentry e\ninput x f32 2x3\n",
       "line 3: expects dims like [1,3,224,224], [N,1000] or [], found '2x3'"},
      {"kiln-model 4\nentry e\ninput x f32 [2,]\n", "found '[2,]'"},
      {"kiln-model 4\nentry e\ninput x f32 [,3]\n", "found '[,3]'"},
      {"kiln-model 4\nentry e\ninput x f32 [2,,3]\n", "found '[2,,3]'"},
      {"kiln-model 4\nentry e\ninput x f32 [-1]\n", "found '[-1]'"},
      {"kiln-model 4\nentry e\ninput x f32 [2,3a]\n", "found '[2,3a]'"},
      {"kiln-model 4\nentry e\ninput x f32 [+2]\n", "found '[+2]'"},
      {"kiln-model 4\nentry e\ninput x f32 [2]]\n", "found '[2]]'"},
      {"kiln-model 4\nentry e\ninput x f32 [[2]\n", "found '[[2]'"},
      {"kiln-model 4\nentry e\ninput x f32 [2\n", "found '[2'"},
      {"kiln-model 4\nentry e\ninput x f32 [N-1]\n", "found '[N-1]'"},
      {"kiln-model 4\nentry e\ninput x f32 [99999999999999999999]\n",
       "line 3: expects dims below 2^63, found '[99999999999999999999]'"},
      {"kiln-model 4\nentry e\ninput x f32 [4611686018427387904,4]\n",
       "line 3: expects a size that fits in memory, found [4611686018427387904,4]"},
      {"kiln-model 4\nentry e\ninput a%G1 f32 [1]\n", "line 3: expects %XX escapes in a name, found 'a%G1'"},
      {"kiln-model 4\nentry e\ninput a%2 f32 [1]\n", "found 'a%2'"},
      {"kiln-model 4\nentry e\ninput a% f32 [1]\n", "found 'a%'"},
      {"kiln-model 4\nentry e\ninput a%00 f32 [1]\n", "expects a name without %00, found 'a%00'"},
      {"kiln-model 4\nentry e\ninput a\x80 f32 [1]\n",
       "expects byte 0x80 escaped as %80 in a name, found it raw"},
      {"kiln-model 4\nentry e\ninput x f32 [1]\ninput x f32 [2]\n",
       "line 4: expects distinct input names, found 'x' twice"},
      {"kiln-model 4\nentry e\noutput y f32 [1]\noutput y f32 [1]\n",
       "expects distinct output names, found 'y' twice"},
      {"kiln-model 4\nentry e\ninput x f32 [1]\n\noutput y f32 [1]\n",
       "line 4: expects no blank line inside the signature"},
      // The training lines of a training artifact.
      {"kiln-model 4\ntraining mse y\n", "line 2: expects 'entry NAME' before 'training', found none"},
      {"kiln-model 4\nentry e\ntraining hinge y\nsource m.onnx\n",
       "line 3: expects a loss (softmax-cross-entropy nll mse bce-logits), found 'hinge'"},
      {"kiln-model 4\nentry e\ntraining mse\n", "line 3: expects 'training LOSS LABEL', found 2 fields"},
      {"kiln-model 4\nentry e\ntraining mse y\ntraining mse y\n",
       "line 4: expects one 'training' line, found a second"},
      {"kiln-model 4\nentry e\nsource m.onnx\n", "line 3: expects a 'training' line before 'source', found none"},
      {"kiln-model 4\nentry e\nstate w parameter\n", "line 3: expects a 'training' line before 'state'"},
      {"kiln-model 4\nentry e\ntraining mse y\n",
       "signature expects a 'source PATH' line after 'training', found none"},
      {"kiln-model 4\nentry e\ntraining mse y\nstate w parameter\n",
       "line 4: expects a 'source' line before 'state', found none"},
      {"kiln-model 4\nentry e\ntraining mse y\nsource a b\n", "line 4: expects 'source PATH', found 3 fields"},
      {"kiln-model 4\nentry e\ntraining mse y\nsource a\nsource b\n",
       "line 5: expects one 'source' line, found a second"},
      {"kiln-model 4\nentry e\ntraining mse y\nsource m\nstate w weights\n",
       "line 5: expects a state kind (parameter buffer optimizer), found 'weights'"},
      {"kiln-model 4\nentry e\ntraining mse y\nsource m\nstate w\n",
       "line 5: expects 'state NAME KIND', found 2 fields"},
      {"kiln-model 4\nentry e\ntraining mse y\nsource m\nstate w buffer\nstate w parameter\n",
       "line 6: expects distinct state names, found 'w' twice"},
      {"kiln-model 4\nentry e\ntraining mse y\nsource m\nentry f\n",
       "line 5: expects only 'source', 'source-sha256' and 'state' lines after 'training', found "
       "'entry'"},
      // The source's SHA-256: 64 lower-case hex digits, once, after source.
      {"kiln-model 4\nentry e\ntraining mse y\nsource-sha256 " + std::string(64, 'a') + "\n",
       "line 4: expects a 'source' line before 'source-sha256', found none"},
      {"kiln-model 4\nentry e\ntraining mse y\nsource m\nsource-sha256 " +
           std::string(63, 'a') + "\n",
       "line 5: expects 'source-sha256 HEX' with 64 lower-case hex digits, found '" +
           std::string(63, 'a') + "'"},
      {"kiln-model 4\nentry e\ntraining mse y\nsource m\nsource-sha256 " +
           std::string(63, 'a') + "A\n",
       "expects 'source-sha256 HEX' with 64 lower-case hex digits"},
      {"kiln-model 4\nentry e\ntraining mse y\nsource m\nsource-sha256 " +
           std::string(65, 'a') + "\n",
       "expects 'source-sha256 HEX' with 64 lower-case hex digits"},
      {"kiln-model 4\nentry e\ntraining mse y\nsource m\nsource-sha256\n",
       "line 5: expects 'source-sha256 HEX' with 64 lower-case hex digits, found ''"},
      {"kiln-model 4\nentry e\ntraining mse y\nsource m\nsource-sha256 " +
           std::string(64, 'a') + "\nsource-sha256 " + std::string(64, 'a') + "\n",
       "line 6: expects at most one 'source-sha256' line, right after 'source', found a second"},
      {"kiln-model 4\nentry e\ntraining mse y\nsource m\nstate w parameter\nsource-sha256 " +
           std::string(64, 'a') + "\n",
       "line 6: expects at most one 'source-sha256' line, right after 'source', found one after "
       "'state'"},
      {"kiln-model 4\nentry e\ntraining mse y\nsource m%zz\n", "line 4: expects %XX escapes in a name"},
  };
  for (const Case &c : cases) {
    kiln_model *m = reinterpret_cast<kiln_model *>(0x1);
    EXPECT_EQ(parse(c.text.c_str(), &m), KILN_ERROR_FORMAT) << c.text;
    EXPECT_EQ(m, nullptr);
    EXPECT_NE(std::string(kiln_last_error()).find(c.message), std::string::npos)
        << "expected '" << c.message << "' in: " << kiln_last_error();
  }
}

// A training artifact's lines are optional trailers; the model reports them.
TEST(Signature, ReadsTheTrainingLines) {
  kiln_model *m = nullptr;
  ASSERT_EQ(parse("kiln-model 4\nentry init\noutput w f32 [2]\nworkspace 0\n"
                  "training bce-logits the%20label\nsource /a%20dir/m.onnx\n"
                  "state w parameter\nstate m%2Fv buffer\nstate step optimizer\n",
                  &m),
            KILN_OK)
      << kiln_last_error();
  EXPECT_EQ(kiln_model_is_training(m), 1);
  kiln_model_destroy(m);
  ASSERT_EQ(parse("kiln-model 4\nentry e\ninput x f32 [1]\n", &m), KILN_OK);
  EXPECT_EQ(kiln_model_is_training(m), 0);
  EXPECT_EQ(kiln_model_is_training(nullptr), 0);
  kiln_trainer *t = reinterpret_cast<kiln_trainer *>(0x1);
  EXPECT_EQ(kiln_trainer_create(m, &t), KILN_ERROR_FORMAT);
  EXPECT_EQ(t, nullptr);
  EXPECT_STREQ(kiln_last_error(), "expects a training artifact (compiled with kiln-compile "
                                  "--train), found a model without 'training' lines in its "
                                  "signature");
  kiln_model_destroy(m);
  EXPECT_STREQ(kiln_state_kind_name(KILN_STATE_BUFFER), "buffer");
  EXPECT_STREQ(kiln_state_kind_name(KILN_STATE_INVALID), "invalid");
}

// The same names in two entries are fine: each entry has its own inputs and outputs.
TEST(Signature, EntriesHaveTheirOwnNames) {
  kiln_model *m = nullptr;
  ASSERT_EQ(parse("kiln-model 4\nentry a\ninput x f32 [1]\nentry b\ninput x f32 [2]\n", &m),
            KILN_OK)
      << kiln_last_error();
  kiln_model_destroy(m);
}

TEST(Signature, RunFunctionsMustMatchTheEntries) {
  kiln_model *m = reinterpret_cast<kiln_model *>(0x1);
  g_signature = "kiln-model 4\nentry a\ninput x f32 [1]\nentry b\ninput x f32 [2]\n";
  EXPECT_EQ(kiln_model_from_entry(signature, run, &m), KILN_ERROR_FORMAT);
  EXPECT_EQ(m, nullptr);
  EXPECT_STREQ(kiln_last_error(), "model: expects one run function per signature entry (2), found 1");
  const kiln_run_fn two[] = {run, run, nullptr};
  ASSERT_EQ(kiln_model_from_functions(signature, two, &m), KILN_OK) << kiln_last_error();
  EXPECT_EQ(kiln_model_num_entries(m), 2u);
  kiln_model_destroy(m);
  EXPECT_EQ(kiln_model_from_functions(signature, nullptr, &m), KILN_ERROR_INVALID_ARGUMENT);
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

// The `cpu-features` line is checked when the signature is parsed, too: a
// standalone executable's model is built from linked-in functions, with no
// file check before its code runs.
TEST(Signature, RefusesCPUFeaturesThisMachineLacks) {
  kiln_model *m = nullptr;
  ASSERT_EQ(parse("kiln-model 4\ncpu-features\nentry e\ninput x f32 [4]\n", &m), KILN_OK)
      << kiln_last_error();
  kiln_model_destroy(m);
  m = reinterpret_cast<kiln_model *>(0x1);
  EXPECT_EQ(parse("kiln-model 4\ncpu-features sse3 avx9000\nentry e\ninput x f32 [4]\n", &m),
            KILN_ERROR_LOAD);
  EXPECT_EQ(m, nullptr);
  EXPECT_STREQ(kiln_last_error(),
               "cannot load model 'model': expects CPU features from Kiln's list in its "
               "'cpu-features' line, found 'avx9000' (recompile the model with this Kiln)");
  const char *const names[] = {
#define KILN_CPU_FEATURE(name, ...) name,
#include "kiln_cpu_features.def"
#undef KILN_CPU_FEATURE
  };
  for (const char *name : names) {
    if (kiln__cpu_feature_present(name, std::strlen(name)) != 0) continue;
    std::string text = std::string("kiln-model 4\ncpu-features ") + name + "\nentry e\n";
    m = reinterpret_cast<kiln_model *>(0x1);
    EXPECT_EQ(parse(text.c_str(), &m), KILN_ERROR_LOAD);
    EXPECT_EQ(m, nullptr);
    EXPECT_EQ(std::string(kiln_last_error()),
              std::string("cannot load model 'model': it was compiled for CPU features this "
                          "machine lacks: ") + name + "; recompile with --mcpu/--mattr");
    return;
  }
  GTEST_SKIP() << "this machine has every feature in the list";
}
