// Symbolic dims at run time: `bound` lines in the signature, binding each symbol
// to one value across the inputs, bounds, zero-size dims, output shapes, and the
// refusals that keep a wrong run from starting.
extern "C" {
#include "kiln_internal.h" // kiln__entry_check_output_dims, for the run-time call site
}
#include "kiln_runtime.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace {

const char *g_signature = nullptr;
const char *signature() { return g_signature; }
// Never called: every run here is refused before the call. Cast, so this file
// does not depend on the run function's parameters.
void neverCalled() { std::abort(); }

kiln_status parse(const char *text, kiln_model **out) {
  g_signature = text;
  kiln_run_fn run = reinterpret_cast<kiln_run_fn>(&neverCalled);
  std::vector<kiln_run_fn> runs;
  for (const char *p = text; p && (p = std::strstr(p, "\nentry")); ++p) runs.push_back(run);
  runs.push_back(nullptr);
  return kiln_model_from_functions(signature, runs.data(), out);
}

struct ModelDeleter {
  void operator()(kiln_model *m) const { kiln_model_destroy(m); }
};
struct TensorDeleter {
  void operator()(kiln_tensor *t) const { kiln_tensor_destroy(t); }
};
using Model = std::unique_ptr<kiln_model, ModelDeleter>;
using Tensor = std::unique_ptr<kiln_tensor, TensorDeleter>;

Model load(const char *text) {
  kiln_model *m = nullptr;
  EXPECT_EQ(parse(text, &m), KILN_OK) << kiln_last_error();
  return Model(m);
}

Tensor make(kiln_dtype dtype, std::vector<int64_t> dims) {
  kiln_tensor *t = nullptr;
  EXPECT_EQ(kiln_tensor_create(dtype, dims.size(), dims.data(), &t), KILN_OK) << kiln_last_error();
  return Tensor(t);
}

// Checks @p inputs against entry 0 of @p m; returns the message, "" on success.
std::string check(const kiln_model *m, std::initializer_list<const kiln_tensor *> inputs) {
  std::vector<const kiln_tensor *> v(inputs);
  kiln_status st = kiln_entry_check_inputs(kiln_model_entry_at(m, 0), v.data(), v.size());
  if (st == KILN_OK) return "";
  EXPECT_EQ(st, KILN_ERROR_SHAPE_MISMATCH) << kiln_last_error();
  return kiln_last_error();
}

const char *kTwoInputs = "kiln-model 4\n"
                         "entry model\n"
                         "bound N 8\n"
                         "input x f32 [N,3]\n"
                         "input y f32 [N,T]\n"
                         "output z f32 [N,T]\n"
                         "output k i64 [K]\n";

} // namespace

TEST(Bind, BoundLinesNameTheEntrySymbols) {
  Model m = load(kTwoInputs);
  const kiln_entry *e = kiln_model_entry_at(m.get(), 0);
  ASSERT_EQ(kiln_entry_num_symbols(e), 3u);
  EXPECT_STREQ(kiln_entry_symbol_name(e, 0), "N");
  EXPECT_EQ(kiln_entry_symbol_bound(e, 0), 8);
  EXPECT_EQ(kiln_entry_symbol_bound_by_inputs(e, 0), 1);
  EXPECT_STREQ(kiln_entry_symbol_name(e, 1), "T");
  EXPECT_EQ(kiln_entry_symbol_bound(e, 1), KILN_DIM_UNBOUNDED);
  EXPECT_EQ(kiln_entry_symbol_bound_by_inputs(e, 1), 1);
  // K appears only in an output: known after the run.
  EXPECT_STREQ(kiln_entry_symbol_name(e, 2), "K");
  EXPECT_EQ(kiln_entry_symbol_bound_by_inputs(e, 2), 0);
  EXPECT_EQ(kiln_entry_symbol_name(e, 3), nullptr);
  EXPECT_EQ(kiln_entry_symbol_bound(e, 3), KILN_DIM_UNBOUNDED);
  EXPECT_EQ(kiln_entry_num_symbols(nullptr), 0u);
}

TEST(Bind, RejectsMalformedBoundLines) {
  struct Case {
    const char *text;
    const char *message;
  } cases[] = {
      {"kiln-model 4\nentry e\nbound N\ninput x f32 [N]\n",
       "line 3: expects 'bound SYMBOL VALUE', found 2 fields"},
      {"kiln-model 4\nentry e\nbound N 4 5\ninput x f32 [N]\n",
       "line 3: expects 'bound SYMBOL VALUE', found 4 fields"},
      {"kiln-model 4\nentry e\nbound 2N 4\ninput x f32 [N]\n",
       "line 3: expects a bound's symbol of letters, digits and '_' not starting with a digit, "
       "found '2N'"},
      {"kiln-model 4\nentry e\nbound N 0\ninput x f32 [N]\n",
       "line 3: expects the bound of 'N' to be a decimal from 1 to 2^63-1, found '0'"},
      {"kiln-model 4\nentry e\nbound N -4\ninput x f32 [N]\n", "found '-4'"},
      {"kiln-model 4\nentry e\nbound N 4k\ninput x f32 [N]\n", "found '4k'"},
      {"kiln-model 4\nentry e\nbound N 9223372036854775808\ninput x f32 [N]\n",
       "found '9223372036854775808'"},
      {"kiln-model 4\nentry e\nbound N 4\nbound N 5\ninput x f32 [N]\n",
       "line 4: expects one bound per symbol, found 'N' twice"},
      {"kiln-model 4\nentry e\ninput x f32 [N]\nbound N 4\n",
       "line 4: expects 'bound' lines right after 'entry e', found one after its inputs or outputs"},
      {"kiln-model 4\nbound N 4\n", "line 2: expects 'entry NAME' before 'bound', found none"},
      {"kiln-model 4\nentry e\nbound N 4\nbound M 2\ninput x f32 [N]\noutput y f32 [M]\n",
       "line 4: expects bounded symbol 'M' to be a dim of an input of entry 'e', found none"},
      // Checked when the next entry starts, too.
      {"kiln-model 4\nentry e\nbound M 2\ninput x f32 [4]\nentry f\ninput x f32 [M]\n",
       "line 3: expects bounded symbol 'M' to be a dim of an input of entry 'e', found none"},
      {"kiln-model 2\nentry e\ninput x f32 [4]\n",
       "line 1: expects format version 4, found '2' (recompile the model with this Kiln)"},
  };
  for (const Case &c : cases) {
    kiln_model *m = reinterpret_cast<kiln_model *>(0x1);
    EXPECT_EQ(parse(c.text, &m), KILN_ERROR_FORMAT) << c.text;
    EXPECT_EQ(m, nullptr);
    EXPECT_NE(std::string(kiln_last_error()).find(c.message), std::string::npos)
        << "expected '" << c.message << "' in: " << kiln_last_error();
  }
}

TEST(Bind, EachSymbolTakesOneValueAcrossTheInputs) {
  Model m = load(kTwoInputs);
  Tensor x = make(KILN_DTYPE_F32, {2, 3}), y = make(KILN_DTYPE_F32, {2, 5});
  Tensor y3 = make(KILN_DTYPE_F32, {3, 5}), x4 = make(KILN_DTYPE_F32, {2, 4});
  EXPECT_EQ(check(m.get(), {x.get(), y.get()}), "");
  EXPECT_EQ(check(m.get(), {x.get(), y3.get()}),
            "input 'y': expected dim 0 (N) = 2 as in input 'x', got 3");
  // A static dim is checked before the symbols of later inputs.
  EXPECT_EQ(check(m.get(), {x4.get(), y.get()}), "input 'x': expected shape Nx3, got 2x4");
  Tensor rank1 = make(KILN_DTYPE_F32, {2});
  EXPECT_EQ(check(m.get(), {x.get(), rank1.get()}), "input 'y': expected shape NxT, got 2");
}

TEST(Bind, BoundsAreInclusive) {
  Model m = load(kTwoInputs);
  Tensor x8 = make(KILN_DTYPE_F32, {8, 3}), y8 = make(KILN_DTYPE_F32, {8, 1000});
  Tensor x9 = make(KILN_DTYPE_F32, {9, 3}), y9 = make(KILN_DTYPE_F32, {9, 1});
  EXPECT_EQ(check(m.get(), {x8.get(), y8.get()}), "");
  EXPECT_EQ(check(m.get(), {x9.get(), y9.get()}),
            "input 'x': expected dim 0 (N) <= 8 (its bound), got 9");
}

TEST(Bind, ZeroSizeDimsAreLegal) {
  Model m = load(kTwoInputs);
  Tensor x = make(KILN_DTYPE_F32, {0, 3}), y = make(KILN_DTYPE_F32, {0, 0});
  EXPECT_EQ(kiln_tensor_num_elements(x.get()), 0u);
  EXPECT_NE(kiln_tensor_data(x.get()), nullptr);
  EXPECT_EQ(check(m.get(), {x.get(), y.get()}), "");
  Tensor y1 = make(KILN_DTYPE_F32, {1, 0});
  EXPECT_EQ(check(m.get(), {x.get(), y1.get()}),
            "input 'y': expected dim 0 (N) = 0 as in input 'x', got 1");

  // A static dim of 0 in the signature, and a wrapped tensor without data.
  Model z = load("kiln-model 4\nentry e\ninput x f32 [0,4]\noutput y f32 [4]\n");
  int64_t dims[] = {0, 4};
  kiln_tensor *wrapped = nullptr;
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 2, dims, nullptr, &wrapped), KILN_OK);
  Tensor w(wrapped);
  EXPECT_EQ(check(z.get(), {w.get()}), "");
}

// The generated loops run over an empty tensor's other dims: an input's
// dims, counting 0 as 1, are held to 2^31 (the limit on a tensor's elements).
TEST(Bind, EmptyInputsAreHeldToTheElementLimit) {
  Model m = load(kTwoInputs);
  Tensor x = make(KILN_DTYPE_F32, {0, 3});
  Tensor y = make(KILN_DTYPE_F32, {0, INT64_C(1) << 31});
  EXPECT_EQ(check(m.get(), {x.get(), y.get()}), "");
  Tensor wide = make(KILN_DTYPE_F32, {0, (INT64_C(1) << 31) + 1});
  EXPECT_EQ(check(m.get(), {x.get(), wide.get()}),
            "input 'y': expected dims whose product, counting a dim of 0 as 1, is at most "
            "2147483648 (2^31, the most elements a tensor may have; the loops of an empty tensor "
            "still run over its other dims), got 0x2147483649");
  // Checked before the symbols: the bound of N (8) is not what refuses it.
  Tensor tall = make(KILN_DTYPE_F32, {INT64_C(1) << 40, 0});
  EXPECT_EQ(check(m.get(), {x.get(), tall.get()}),
            "input 'y': expected dims whose product, counting a dim of 0 as 1, is at most "
            "2147483648 (2^31, the most elements a tensor may have; the loops of an empty tensor "
            "still run over its other dims), got 1099511627776x0");
}

TEST(Bind, OutputShapesFollowTheInputs) {
  Model m = load(kTwoInputs);
  const kiln_entry *e = kiln_model_entry_at(m.get(), 0);
  Tensor x = make(KILN_DTYPE_F32, {2, 3}), y = make(KILN_DTYPE_F32, {2, 7});
  const kiln_tensor *inputs[] = {x.get(), y.get()};
  int64_t dims[2] = {-5, -5};
  ASSERT_EQ(kiln_entry_output_shape(e, inputs, 2, 0, dims), KILN_OK) << kiln_last_error();
  EXPECT_EQ(dims[0], 2);
  EXPECT_EQ(dims[1], 7);
  ASSERT_EQ(kiln_entry_output_shape(e, inputs, 2, 1, dims), KILN_OK) << kiln_last_error();
  EXPECT_EQ(dims[0], KILN_DIM_SYMBOLIC); // K: known after the run
  EXPECT_EQ(kiln_entry_output_shape(e, inputs, 2, 2, dims), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_last_error(),
               "kiln_entry_output_shape: expected an output index below 2, got 2");
  Tensor bad = make(KILN_DTYPE_F32, {3, 7});
  const kiln_tensor *wrong[] = {x.get(), bad.get()};
  EXPECT_EQ(kiln_entry_output_shape(e, wrong, 2, 0, dims), KILN_ERROR_SHAPE_MISMATCH);
}

// Nothing runs when the inputs disagree, and outputs stay NULL.
TEST(Bind, RunsAreRefusedBeforeTheCall) {
  Model m = load(kTwoInputs);
  const kiln_entry *e = kiln_model_entry_at(m.get(), 0);
  Tensor x = make(KILN_DTYPE_F32, {2, 3}), y = make(KILN_DTYPE_F32, {3, 7});
  const kiln_tensor *inputs[] = {x.get(), y.get()};
  kiln_tensor *outputs[2] = {reinterpret_cast<kiln_tensor *>(0x1),
                             reinterpret_cast<kiln_tensor *>(0x1)};
  EXPECT_EQ(kiln_model_run_entry(m.get(), e, inputs, 2, outputs, 2), KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(kiln_last_error(), "input 'y': expected dim 0 (N) = 2 as in input 'x', got 3");
  EXPECT_EQ(outputs[0], nullptr);
  EXPECT_EQ(outputs[1], nullptr);

  // Caller-provided outputs must have the dims the inputs give their symbols,
  // checked before the run; K, known only after it, is not checked here.
  Tensor y2 = make(KILN_DTYPE_F32, {2, 7}), z = make(KILN_DTYPE_F32, {3, 7});
  Tensor k = make(KILN_DTYPE_I64, {1});
  const kiln_tensor *good[] = {x.get(), y2.get()};
  kiln_tensor *const into[] = {z.get(), k.get()};
  EXPECT_EQ(kiln_model_run_entry_into(m.get(), e, good, 2, into, 2), KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(kiln_last_error(), "output 'z': expected shape NxT with N = 2, T = 7, got 3x7");
  Tensor kf = make(KILN_DTYPE_F32, {1}), z2 = make(KILN_DTYPE_F32, {2, 7});
  kiln_tensor *const wrongDtype[] = {z2.get(), kf.get()};
  EXPECT_EQ(kiln_model_run_entry_into(m.get(), e, good, 2, wrongDtype, 2),
            KILN_ERROR_DTYPE_MISMATCH);
  EXPECT_STREQ(kiln_last_error(), "output 'k': expected dtype i64, got f32");
  // The same check, directly: the inputs gave N = 2 and T = 7, K is open.
  const int64_t values[] = {2, 7, -1};
  Tensor k5 = make(KILN_DTYPE_I64, {5});
  const kiln_tensor *fits[] = {z2.get(), k5.get()};
  EXPECT_EQ(kiln__entry_check_caller_outputs(e, values, fits, 2), KILN_OK) << kiln_last_error();
  EXPECT_EQ(kiln__entry_check_caller_outputs(e, values, fits, 1), KILN_ERROR_COUNT_MISMATCH);
  EXPECT_STREQ(kiln_last_error(), "expected 2 outputs, got 1");
}

// Generated code reads a bool as one bit: a bool input holding a byte other
// than 0 or 1 is refused by the check and by every run function, naming the
// input and the first bad index, before the run function is called.
TEST(Bind, BoolInputsHoldOnlyBytesZeroAndOne) {
  Model m = load("kiln-model 4\n"
                 "entry model\n"
                 "input x f32 [4]\n"
                 "input c bool [4]\n"
                 "output y f32 [4]\n");
  const kiln_entry *e = kiln_model_entry_at(m.get(), 0);
  Tensor x = make(KILN_DTYPE_F32, {4});
  unsigned char good[4] = {0, 1, 1, 0}, bad[4] = {0, 1, 2, 255};
  const int64_t dims[] = {4};
  kiln_tensor *raw = nullptr;
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_BOOL, 1, dims, good, &raw), KILN_OK) << kiln_last_error();
  Tensor cGood(raw);
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_BOOL, 1, dims, bad, &raw), KILN_OK) << kiln_last_error();
  Tensor cBad(raw);
  const kiln_tensor *ok[] = {x.get(), cGood.get()};
  const kiln_tensor *refused[] = {x.get(), cBad.get()};
  const char *message = "input 'c': expects bool bytes 0 or 1, found 2 at index 2";
  EXPECT_EQ(kiln_entry_check_inputs(e, ok, 2), KILN_OK) << kiln_last_error();
  EXPECT_EQ(kiln_entry_check_inputs(e, refused, 2), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_last_error(), message);
  kiln_tensor *outputs[1] = {reinterpret_cast<kiln_tensor *>(0x1)};
  EXPECT_EQ(kiln_model_run_entry(m.get(), e, refused, 2, outputs, 1), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_last_error(), message);
  EXPECT_EQ(outputs[0], nullptr);
  Tensor y = make(KILN_DTYPE_F32, {4});
  kiln_tensor *const into[] = {y.get()};
  EXPECT_EQ(kiln_model_run_entry_into(m.get(), e, refused, 2, into, 1),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_last_error(), message);
  int64_t shape[1];
  EXPECT_EQ(kiln_entry_output_shape(e, refused, 2, 0, shape), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_last_error(), message);
  // The byte that fails is the first one other than 0 or 1.
  bad[2] = 1;
  EXPECT_EQ(kiln_entry_check_inputs(e, refused, 2), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_last_error(), "input 'c': expects bool bytes 0 or 1, found 255 at index 3");
}

namespace {
const char *g_runError = nullptr;
int32_t failWithMessage(void **, int64_t *, const char **error) {
  *error = g_runError;
  return 1;
}
} // namespace

// A failed run's status follows its message: the allocation checks of
// kiln-entry-checks-to-errors (out of memory, over 2^62 bytes) give
// KILN_ERROR_OUT_OF_MEMORY, every other check a shape mismatch.
TEST(Bind, RunFailuresCarryTheirKind) {
  g_signature = "kiln-model 4\nentry model\ninput x f32 [2]\noutput y f32 [2]\n";
  kiln_run_fn runs[] = {&failWithMessage, nullptr};
  kiln_model *raw = nullptr;
  ASSERT_EQ(kiln_model_from_functions(signature, runs, &raw), KILN_OK) << kiln_last_error();
  Model m(raw);
  Tensor x = make(KILN_DTYPE_F32, {2}), y = make(KILN_DTYPE_F32, {2});
  const kiln_tensor *inputs[] = {x.get()};
  kiln_tensor *const into[] = {y.get()};
  struct Case {
    const char *message;
    kiln_status status;
  } cases[] = {
      {"node 'fill': could not allocate a run-time buffer of type memref<?xf32>: out of memory",
       KILN_ERROR_OUT_OF_MEMORY},
      {"node 'fill': could not allocate a run-time buffer of type memref<?xf32>: its size is "
       "over 2^62 bytes",
       KILN_ERROR_OUT_OF_MEMORY},
      {"could not allocate the shared buffer of type memref<?xi8>: out of memory",
       KILN_ERROR_OUT_OF_MEMORY},
      {"node 'Add_3' (Add, opset 14): expects dim 0 of the operands to be equal or 1",
       KILN_ERROR_SHAPE_MISMATCH},
      {"node 'out of memory' (Gather, opset 13): expects every index in [-size, size - 1] of the dim "
       "it indexes, found one outside",
       KILN_ERROR_SHAPE_MISMATCH},
  };
  for (const Case &c : cases) {
    g_runError = c.message;
    EXPECT_EQ(kiln_model_run_entry_into(m.get(), kiln_model_entry_at(m.get(), 0), inputs, 1,
                                        into, 1),
              c.status)
        << c.message;
    EXPECT_EQ(std::string(kiln_last_error()), std::string("entry 'model': ") + c.message);
  }
  g_runError = nullptr;
  EXPECT_EQ(kiln_model_run_entry_into(m.get(), kiln_model_entry_at(m.get(), 0), inputs, 1, into, 1),
            KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(kiln_last_error(), "entry 'model': the run failed without a message");
}

// .npy files of zero elements read and write like any other.
TEST(Bind, ZeroSizeNpyRoundTrips) {
  std::string path = std::string(KILN_TEST_TMP) + "/zero.npy";
  std::system((std::string("mkdir -p ") + KILN_TEST_TMP).c_str());
  Tensor t = make(KILN_DTYPE_I64, {3, 0, 2});
  ASSERT_EQ(kiln_npy_write(path.c_str(), t.get()), KILN_OK) << kiln_last_error();
  kiln_tensor *back = nullptr;
  ASSERT_EQ(kiln_npy_read(path.c_str(), &back), KILN_OK) << kiln_last_error();
  Tensor b(back);
  ASSERT_EQ(kiln_tensor_rank(back), 3u);
  EXPECT_EQ(kiln_tensor_dims(back)[0], 3);
  EXPECT_EQ(kiln_tensor_dims(back)[1], 0);
  EXPECT_EQ(kiln_tensor_dims(back)[2], 2);
  EXPECT_EQ(kiln_tensor_num_elements(back), 0u);
  EXPECT_EQ(kiln_tensor_dtype(back), KILN_DTYPE_I64);
}

// The dims a run function writes are checked before the runtime trusts them.
TEST(Bind, OutputDimsFromTheRunAreChecked) {
  Model m = load(kTwoInputs); // outputs z [N,T], k [K]
  const kiln_entry *e = kiln_model_entry_at(m.get(), 0);
  const int64_t values[] = {2, 7, -1}; // N, T from the inputs; K unknown
  const int64_t good[] = {2, 7, 5}, zero[] = {2, 7, 0};
  EXPECT_EQ(kiln__entry_check_output_dims(e, values, good), KILN_OK) << kiln_last_error();
  EXPECT_EQ(kiln__entry_check_output_dims(e, values, zero), KILN_OK) << kiln_last_error();
  const int64_t wrongN[] = {3, 7, 5}, negK[] = {2, 7, -1};
  EXPECT_EQ(kiln__entry_check_output_dims(e, values, wrongN), KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(kiln_last_error(),
               "entry 'model': output 'z': expected dim 0 (N) = 2 as the inputs give it, got 3");
  EXPECT_EQ(kiln__entry_check_output_dims(e, values, negK), KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(kiln_last_error(), "entry 'model': output 'k': expected dim 0 (K) >= 0, got -1");

  Model s = load("kiln-model 4\nentry e\ninput x f32 [N]\noutput a f32 [K,3]\noutput b f32 [K]\n");
  const kiln_entry *se = kiln_model_entry_at(s.get(), 0);
  const int64_t sv[] = {4, -1};
  const int64_t ok[] = {5, 3, 5}, staticDim[] = {5, 4, 5}, twoK[] = {5, 3, 6};
  EXPECT_EQ(kiln__entry_check_output_dims(se, sv, ok), KILN_OK) << kiln_last_error();
  EXPECT_EQ(kiln__entry_check_output_dims(se, sv, staticDim), KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(kiln_last_error(),
               "entry 'e': output 'a': expected dim 1 = 3 as in the signature, got 4");
  EXPECT_EQ(kiln__entry_check_output_dims(se, sv, twoK), KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(kiln_last_error(),
               "entry 'e': output 'b': expected dim 0 (K) = 5 as an earlier output gave it, got 6");
}

// Zero-size arrays move between numpy and Kiln in both directions.
TEST(Bind, ZeroSizeNpyMatchesNumpy) {
  std::string python = KILN_TEST_PYTHON;
  if (python.empty()) GTEST_SKIP() << "no python3 with numpy";
  std::string dir = std::string(KILN_TEST_TMP) + "/zero_numpy";
  ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  std::string write = python + " -c \"import numpy as np; np.save('" + dir +
                      "/a.npy', np.zeros((0, 3), np.float32)); np.save('" + dir +
                      "/b.npy', np.zeros((2, 0, 4), np.int64))\"";
  ASSERT_EQ(std::system(write.c_str()), 0);
  kiln_tensor *a = nullptr, *b = nullptr;
  ASSERT_EQ(kiln_npy_read((dir + "/a.npy").c_str(), &a), KILN_OK) << kiln_last_error();
  ASSERT_EQ(kiln_npy_read((dir + "/b.npy").c_str(), &b), KILN_OK) << kiln_last_error();
  Tensor ta(a), tb(b);
  EXPECT_EQ(std::vector<int64_t>(kiln_tensor_dims(a), kiln_tensor_dims(a) + 2),
            (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(std::vector<int64_t>(kiln_tensor_dims(b), kiln_tensor_dims(b) + 3),
            (std::vector<int64_t>{2, 0, 4}));
  EXPECT_EQ(kiln_tensor_dtype(b), KILN_DTYPE_I64);

  Tensor c = make(KILN_DTYPE_F64, {3, 0});
  ASSERT_EQ(kiln_npy_write((dir + "/c.npy").c_str(), c.get()), KILN_OK) << kiln_last_error();
  std::string check = python + " -c \"import numpy as np; c = np.load('" + dir +
                      "/c.npy'); assert c.shape == (3, 0) and c.dtype == np.float64, c.shape\"";
  EXPECT_EQ(std::system(check.c_str()), 0);
}
