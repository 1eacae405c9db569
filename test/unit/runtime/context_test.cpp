// Run contexts: runs on different contexts of one model overlap, each with its
// own workspace; runs on one context (and the model's own) take turns.
#include "kiln_runtime.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace {

std::string fake(const char *name) { return std::string(KILN_FAKE_DIR) + "/" + name + ".so"; }

std::string lastError() { return kiln_last_error(); }

struct Model {
  kiln_model *m = nullptr;
  explicit Model(const char *name) {
    EXPECT_EQ(kiln_model_load(fake(name).c_str(), &m), KILN_OK) << lastError();
  }
  ~Model() { kiln_model_destroy(m); }
};

// What one run of fake_model_concurrent returned: the value its workspace gave
// back and the most runs it saw inside at once.
struct Seen {
  float value = -1, peak = -1;
  kiln_status status = KILN_ERROR_INVALID_ARGUMENT;
};

// One run of fake_model_concurrent on `context` (the model's own when NULL).
Seen runConcurrent(kiln_model *model, kiln_context *context, float value, float wanted,
                   float seconds) {
  float x[3] = {value, wanted, seconds}, y[2] = {-1, -1};
  const int64_t xdims[] = {3}, ydims[] = {2};
  kiln_tensor *tx = nullptr, *ty = nullptr;
  Seen seen;
  if (kiln_tensor_wrap(KILN_DTYPE_F32, 1, xdims, x, &tx) != KILN_OK ||
      kiln_tensor_wrap(KILN_DTYPE_F32, 1, ydims, y, &ty) != KILN_OK)
    return seen;
  const kiln_tensor *inputs[] = {tx};
  kiln_tensor *outputs[] = {ty};
  seen.status = context ? kiln_context_run_into(context, inputs, 1, outputs, 1)
                        : kiln_model_run_into(model, inputs, 1, outputs, 1);
  seen.value = y[0];
  seen.peak = y[1];
  kiln_tensor_destroy(tx);
  kiln_tensor_destroy(ty);
  return seen;
}

} // namespace

TEST(Context, RunsOnDifferentContextsOverlapWithTheirOwnWorkspaces) {
  Model model("fake_model_concurrent");
  ASSERT_NE(model.m, nullptr);
  constexpr int kThreads = 4;
  std::vector<Seen> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      kiln_context *context = nullptr;
      if (kiln_context_create(model.m, &context) != KILN_OK) return;
      // Every run waits (up to 10 s) until all four are inside at once.
      seen[t] = runConcurrent(model.m, context, 100.0f + t, kThreads, 10.0f);
      kiln_context_destroy(context);
    });
  }
  for (std::thread &t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(seen[t].status, KILN_OK) << t;
    EXPECT_EQ(seen[t].value, 100.0f + t) << "run " << t << " saw another run's workspace";
    EXPECT_EQ(seen[t].peak, static_cast<float>(kThreads)) << "run " << t << " ran alone";
  }
}

TEST(Context, RunsOnTheModelOrOnOneContextTakeTurns) {
  Model model("fake_model_concurrent");
  ASSERT_NE(model.m, nullptr);
  kiln_context *shared = nullptr;
  ASSERT_EQ(kiln_context_create(model.m, &shared), KILN_OK) << lastError();
  for (kiln_context *context : {static_cast<kiln_context *>(nullptr), shared}) {
    constexpr int kThreads = 3;
    std::vector<Seen> seen(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      // Each run waits up to 0.1 s for a second one, which never comes.
      threads.emplace_back([&, t] { seen[t] = runConcurrent(model.m, context, 7.0f + t, 2, 0.1f); });
    for (std::thread &t : threads) t.join();
    for (int t = 0; t < kThreads; ++t) {
      EXPECT_EQ(seen[t].status, KILN_OK) << t;
      EXPECT_EQ(seen[t].value, 7.0f + t) << t;
      EXPECT_EQ(seen[t].peak, 1.0f) << (context ? "one context" : "the model's own context");
    }
  }
  kiln_context_destroy(shared);
}

TEST(Context, RunsEveryEntryAndChecksLikeTheModel) {
  Model model("fake_model");
  ASSERT_NE(model.m, nullptr);
  kiln_context *context = nullptr;
  ASSERT_EQ(kiln_context_create(model.m, &context), KILN_OK) << lastError();

  // The default entry, into new outputs.
  float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 1, 1, 1, 1, 10};
  const int64_t dims[] = {2, 3};
  kiln_tensor *ta = nullptr, *tb = nullptr;
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 2, dims, a, &ta), KILN_OK);
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 2, dims, b, &tb), KILN_OK);
  const kiln_tensor *inputs[] = {ta, tb};
  kiln_tensor *outputs[2] = {nullptr, nullptr};
  ASSERT_EQ(kiln_context_run(context, inputs, 2, outputs, 2), KILN_OK) << lastError();
  EXPECT_EQ(static_cast<const float *>(kiln_tensor_data(outputs[0]))[5], 16.0f);
  EXPECT_EQ(*static_cast<const float *>(kiln_tensor_data(outputs[1])), 16.0f);
  for (kiln_tensor *t : outputs) kiln_tensor_destroy(t);

  // Another entry, through the context's workspace.
  const kiln_entry *scale = nullptr;
  ASSERT_EQ(kiln_model_find_entry(model.m, "scale", &scale), KILN_OK);
  float x[4] = {1, -2, 3.5f, 8}, y[4] = {0};
  const int64_t four[] = {4};
  kiln_tensor *tx = nullptr, *ty = nullptr;
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 1, four, x, &tx), KILN_OK);
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 1, four, y, &ty), KILN_OK);
  const kiln_tensor *xs[] = {tx};
  kiln_tensor *ys[] = {ty};
  ASSERT_EQ(kiln_context_run_entry_into(context, scale, xs, 1, ys, 1), KILN_OK) << lastError();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(y[i], 2 * x[i]) << i;
  kiln_tensor *fresh[1] = {nullptr};
  ASSERT_EQ(kiln_context_run_entry(context, scale, xs, 1, fresh, 1), KILN_OK) << lastError();
  EXPECT_EQ(static_cast<const float *>(kiln_tensor_data(fresh[0]))[3], 16.0f);
  kiln_tensor_destroy(fresh[0]);

  // The same checks and messages as the model's own runs; nothing runs on error.
  y[0] = -1;
  kiln_tensor *bad_outputs[] = {ta};
  EXPECT_EQ(kiln_context_run_entry_into(context, scale, xs, 1, bad_outputs, 1),
            KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_EQ(lastError(), "output 'y': expected shape 4, got 2x3");
  EXPECT_EQ(kiln_context_run_into(context, xs, 1, ys, 1), KILN_ERROR_COUNT_MISMATCH);
  EXPECT_EQ(lastError(), "expected 2 inputs, got 1");
  kiln_tensor *cleared[2] = {ta, tb};
  EXPECT_EQ(kiln_context_run(context, xs, 1, cleared, 2), KILN_ERROR_COUNT_MISMATCH);
  EXPECT_EQ(cleared[0], nullptr);
  EXPECT_EQ(cleared[1], nullptr);
  EXPECT_EQ(y[0], -1.0f);

  // An entry of another model, or a missing context, is refused.
  Model other("fake_model");
  const kiln_entry *foreign = kiln_model_entry_at(other.m, 1);
  EXPECT_EQ(kiln_context_run_entry_into(context, foreign, xs, 1, ys, 1),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "kiln_context_run: entry is not one of the model's");
  EXPECT_EQ(kiln_context_run_entry(nullptr, scale, xs, 1, fresh, 1), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "kiln_context_run: context is NULL");
  EXPECT_EQ(kiln_context_run_into(nullptr, xs, 1, ys, 1), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "kiln_context_run: context is NULL");

  // A symbolic dim: the output is handed over with its actual shape (any
  // length, 0 too); an error of the generated code frees it and is reported.
  const kiln_entry *dynamic = kiln_model_entry_at(model.m, 2);
  ASSERT_EQ(kiln_context_run_entry(context, dynamic, xs, 1, fresh, 1), KILN_OK) << lastError();
  ASSERT_EQ(kiln_tensor_rank(fresh[0]), 1u);
  EXPECT_EQ(kiln_tensor_dims(fresh[0])[0], 4);
  EXPECT_EQ(kiln_tensor_owns_data(fresh[0]), 1);
  EXPECT_EQ(static_cast<const float *>(kiln_tensor_data(fresh[0]))[3], 9.0f);
  kiln_tensor_destroy(fresh[0]);
  const int64_t none[] = {0}, many[] = {101};
  float big[101] = {0};
  kiln_tensor *t0 = nullptr, *t101 = nullptr;
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 1, none, x, &t0), KILN_OK);
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 1, many, big, &t101), KILN_OK);
  const kiln_tensor *empty[] = {t0}, *large[] = {t101};
  ASSERT_EQ(kiln_context_run_entry(context, dynamic, empty, 1, fresh, 1), KILN_OK) << lastError();
  EXPECT_EQ(kiln_tensor_dims(fresh[0])[0], 0);
  kiln_tensor_destroy(fresh[0]);
  EXPECT_EQ(kiln_context_run_entry(context, dynamic, large, 1, fresh, 1),
            KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_EQ(lastError(), "entry 'dynamic': expects at most 100 elements in 'x'");
  EXPECT_EQ(fresh[0], nullptr);
  // Into the caller's tensor: copied when the shapes agree, refused when not.
  float z[4] = {0};
  kiln_tensor *tz = nullptr;
  ASSERT_EQ(kiln_tensor_wrap(KILN_DTYPE_F32, 1, four, z, &tz), KILN_OK);
  kiln_tensor *zs[] = {tz};
  ASSERT_EQ(kiln_context_run_entry_into(context, dynamic, xs, 1, zs, 1), KILN_OK) << lastError();
  EXPECT_EQ(z[1], -1.0f);
  EXPECT_EQ(kiln_context_run_entry_into(context, dynamic, empty, 1, zs, 1),
            KILN_ERROR_SHAPE_MISMATCH);
  // Refused before the run: the input gives N = 0.
  EXPECT_EQ(lastError(), "output 'y': expected shape N with N = 0, got 4");
  for (kiln_tensor *t : {t0, t101, tz}) kiln_tensor_destroy(t);

  for (kiln_tensor *t : {ta, tb, tx, ty}) kiln_tensor_destroy(t);
  kiln_context_destroy(context);
  kiln_context_destroy(nullptr);
}

TEST(Context, CreateChecksItsArguments) {
  kiln_context *context = reinterpret_cast<kiln_context *>(0x1);
  EXPECT_EQ(kiln_context_create(nullptr, &context), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(context, nullptr);
  EXPECT_EQ(lastError(), "kiln_context_create: model is NULL");
  Model model("fake_model");
  EXPECT_EQ(kiln_context_create(model.m, nullptr), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(lastError(), "kiln_context_create: out is NULL");
}
