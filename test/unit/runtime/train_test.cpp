// The trainer C API on a training artifact written by hand in C: linear
// regression pred = x w (x 2x2, w 2) with mse loss and SGD (lr 0.1), STATE
// w (parameter) and step (optimizer). Checks the values against the formulas,
// the STATE swap, get/set, checkpoints and every error.
#include "kiln_runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>

#ifndef KILN_TEST_TMP
#define KILN_TEST_TMP "/tmp"
#endif

namespace {

const char *kSignature = "kiln-model 4\n"
                         "entry init\noutput w f32 [2]\noutput step i64 []\nworkspace 0\n"
                         "entry train_step\ninput w f32 [2]\ninput step i64 []\ninput x f32 [2,2]\n"
                         "input t f32 [2]\noutput loss f32 []\noutput w f32 [2]\n"
                         "output step i64 []\nworkspace 0\n"
                         "entry eval\ninput w f32 [2]\ninput step i64 []\ninput x f32 [2,2]\n"
                         "input t f32 [2]\noutput loss f32 [2]\noutput pred f32 [2]\nworkspace 0\n"
                         "entry infer\ninput w f32 [2]\ninput step i64 []\ninput x f32 [2,2]\n"
                         "output pred f32 [2]\nworkspace 0\n"
                         "training mse t\nsource /no/such/model.onnx\n"
                         "state w parameter\nstate step optimizer\n";

std::string g_text;
const char *signature() { return g_text.c_str(); }

void predict(const float *w, const float *x, float *pred) {
  for (int i = 0; i < 2; ++i) pred[i] = x[2 * i] * w[0] + x[2 * i + 1] * w[1];
}

int32_t runInit(void **b, int64_t *, const char **) {
  float *w = static_cast<float *>(b[0]);
  w[0] = 1.0f;
  w[1] = -1.0f;
  *static_cast<int64_t *>(b[1]) = 0;
  return 0;
}

int32_t runTrainStep(void **b, int64_t *, const char **) {
  const float *w = static_cast<const float *>(b[0]), *x = static_cast<const float *>(b[2]),
              *t = static_cast<const float *>(b[3]);
  float pred[2], r[2];
  predict(w, x, pred);
  float *loss = static_cast<float *>(b[4]), *w1 = static_cast<float *>(b[5]);
  r[0] = pred[0] - t[0];
  r[1] = pred[1] - t[1];
  *loss = (r[0] * r[0] + r[1] * r[1]) / 2;
  for (int j = 0; j < 2; ++j) w1[j] = w[j] - 0.1f * (r[0] * x[j] + r[1] * x[2 + j]);
  *static_cast<int64_t *>(b[6]) = *static_cast<const int64_t *>(b[1]) + 1;
  return 0;
}

int32_t runEval(void **b, int64_t *, const char **) {
  const float *w = static_cast<const float *>(b[0]), *x = static_cast<const float *>(b[2]),
              *t = static_cast<const float *>(b[3]);
  float *loss = static_cast<float *>(b[4]), *pred = static_cast<float *>(b[5]);
  predict(w, x, pred);
  for (int i = 0; i < 2; ++i) loss[i] = (pred[i] - t[i]) * (pred[i] - t[i]);
  return 0;
}

int32_t runInfer(void **b, int64_t *, const char **) {
  predict(static_cast<const float *>(b[0]), static_cast<const float *>(b[2]),
          static_cast<float *>(b[3]));
  return 0;
}

const kiln_run_fn kRuns[] = {runInit, runTrainStep, runEval, runInfer, nullptr};

kiln_model *makeModel(const std::string &text) {
  g_text = text;
  kiln_model *m = nullptr;
  EXPECT_EQ(kiln_model_from_functions(signature, kRuns, &m), KILN_OK) << kiln_last_error();
  return m;
}

kiln_tensor *tensor(kiln_dtype dtype, std::initializer_list<int64_t> dims, const void *data) {
  kiln_tensor *t = nullptr;
  EXPECT_EQ(kiln_tensor_create(dtype, dims.size(), dims.begin(), &t), KILN_OK);
  std::memcpy(kiln_tensor_data(t), data, kiln_tensor_byte_size(t));
  return t;
}

std::vector<float> stateFloats(kiln_trainer *t, const char *name) {
  kiln_tensor *copy = nullptr;
  EXPECT_EQ(kiln_trainer_get(t, name, &copy), KILN_OK) << kiln_last_error();
  const float *d = static_cast<const float *>(kiln_tensor_data(copy));
  std::vector<float> v(d, d + kiln_tensor_num_elements(copy));
  kiln_tensor_destroy(copy);
  return v;
}

int64_t stateStep(kiln_trainer *t) {
  kiln_tensor *copy = nullptr;
  EXPECT_EQ(kiln_trainer_get(t, "step", &copy), KILN_OK) << kiln_last_error();
  int64_t v = *static_cast<const int64_t *>(kiln_tensor_data(copy));
  kiln_tensor_destroy(copy);
  return v;
}

struct TrainerApi : ::testing::Test {
  kiln_model *model = nullptr;
  kiln_trainer *trainer = nullptr;
  const float xs[4] = {1, 2, 3, -1};
  const float ts[2] = {0.5f, 2};
  kiln_tensor *x = nullptr, *t = nullptr;

  void SetUp() override {
    model = makeModel(kSignature);
    ASSERT_EQ(kiln_trainer_create(model, &trainer), KILN_OK) << kiln_last_error();
    x = tensor(KILN_DTYPE_F32, {2, 2}, xs);
    t = tensor(KILN_DTYPE_F32, {2}, ts);
  }
  void TearDown() override {
    kiln_tensor_destroy(x);
    kiln_tensor_destroy(t);
    kiln_trainer_destroy(trainer);
    kiln_model_destroy(model);
  }
};

} // namespace

TEST_F(TrainerApi, DescribesTheArtifact) {
  EXPECT_EQ(kiln_model_is_training(model), 1);
  EXPECT_STREQ(kiln_trainer_loss(trainer), "mse");
  EXPECT_STREQ(kiln_trainer_label(trainer), "t");
  EXPECT_STREQ(kiln_trainer_source(trainer), "/no/such/model.onnx");
  EXPECT_EQ(kiln_trainer_source_sha256(trainer), nullptr);
  EXPECT_EQ(kiln_trainer_batch_size(trainer), 2);
  ASSERT_EQ(kiln_trainer_num_batch_inputs(trainer), 2u);
  EXPECT_STREQ(kiln_trainer_batch_input_name(trainer, 0), "x");
  EXPECT_STREQ(kiln_trainer_batch_input_name(trainer, 1), "t");
  EXPECT_EQ(kiln_trainer_batch_input_name(trainer, 2), nullptr);
  ASSERT_EQ(kiln_trainer_num_state(trainer), 2u);
  EXPECT_STREQ(kiln_trainer_state_name(trainer, 1), "step");
  EXPECT_EQ(kiln_trainer_state_kind(trainer, 0), KILN_STATE_PARAMETER);
  EXPECT_EQ(kiln_trainer_state_kind(trainer, 1), KILN_STATE_OPTIMIZER);
  EXPECT_EQ(kiln_trainer_state_kind(trainer, 2), KILN_STATE_INVALID);
  EXPECT_EQ(kiln_trainer_model(trainer), model);
  EXPECT_STREQ(kiln_entry_name(kiln_trainer_train_entry(trainer)), "train_step");
}

// Two steps by hand: pred = x w, r = pred - t, loss = mean r^2, w -= 0.1 x^T r.
TEST_F(TrainerApi, StepsUpdateTheState) {
  const kiln_tensor *batch[] = {x, t};
  EXPECT_EQ(stateFloats(trainer, "w"), (std::vector<float>{1, -1}));
  float loss = 0;
  ASSERT_EQ(kiln_trainer_step(trainer, batch, 2, &loss), KILN_OK) << kiln_last_error();
  // pred = [-1, 4], r = [-1.5, 2], loss = (2.25 + 4) / 2.
  EXPECT_FLOAT_EQ(loss, 3.125f);
  // grad = x^T r = [-1.5 + 6, -3 - 2] = [4.5, -5].
  std::vector<float> w = stateFloats(trainer, "w");
  EXPECT_FLOAT_EQ(w[0], 1 - 0.45f);
  EXPECT_FLOAT_EQ(w[1], -1 + 0.5f);
  EXPECT_EQ(stateStep(trainer), 1);
  ASSERT_EQ(kiln_trainer_step(trainer, batch, 2, nullptr), KILN_OK);
  EXPECT_EQ(stateStep(trainer), 2);
  EXPECT_EQ(kiln_trainer_steps(trainer), 2);
  ASSERT_EQ(kiln_trainer_reset(trainer), KILN_OK);
  EXPECT_EQ(stateFloats(trainer, "w"), (std::vector<float>{1, -1}));
  EXPECT_EQ(kiln_trainer_steps(trainer), 0);
}

TEST_F(TrainerApi, EvalAndInferLeaveTheStateAlone) {
  const kiln_tensor *batch[] = {x, t};
  double sum = 0;
  int64_t correct = 0, counted = 0;
  ASSERT_EQ(kiln_trainer_eval_sums(trainer, batch, 2, 1, &sum, &correct, &counted), KILN_OK)
      << kiln_last_error();
  EXPECT_DOUBLE_EQ(sum, 2.25); // the first row only; mse makes no predictions to count
  EXPECT_EQ(counted, 0);
  kiln_tensor *outs[2] = {nullptr, nullptr};
  ASSERT_EQ(kiln_trainer_eval(trainer, batch, 2, outs, 2), KILN_OK);
  EXPECT_FLOAT_EQ(static_cast<const float *>(kiln_tensor_data(outs[0]))[1], 4.0f);
  kiln_tensor_destroy(outs[0]);
  kiln_tensor_destroy(outs[1]);
  kiln_tensor *pred = nullptr;
  ASSERT_EQ(kiln_trainer_infer(trainer, batch, 1, &pred, 1), KILN_OK) << kiln_last_error();
  EXPECT_FLOAT_EQ(static_cast<const float *>(kiln_tensor_data(pred))[1], 4.0f);
  kiln_tensor_destroy(pred);
  EXPECT_EQ(kiln_trainer_eval_sums(trainer, batch, 2, 3, &sum, nullptr, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_last_error(), "eval: expects 0 to 2 valid rows, found 3");
  EXPECT_EQ(stateFloats(trainer, "w"), (std::vector<float>{1, -1}));
}

TEST_F(TrainerApi, BadBatchesLeaveTheStateUnchanged) {
  const kiln_tensor *batch[] = {x, t};
  EXPECT_EQ(kiln_trainer_step(trainer, batch, 1, nullptr), KILN_ERROR_COUNT_MISMATCH);
  EXPECT_STREQ(kiln_last_error(), "train_step: expected 2 batch inputs, got 1");
  const kiln_tensor *swapped[] = {t, x};
  EXPECT_EQ(kiln_trainer_step(trainer, swapped, 2, nullptr), KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(kiln_last_error(), "train_step: input 'x': expected shape 2x2, got 2");
  EXPECT_EQ(kiln_trainer_steps(trainer), 0);
  EXPECT_EQ(stateFloats(trainer, "w"), (std::vector<float>{1, -1}));
  EXPECT_EQ(kiln_trainer_step(nullptr, batch, 2, nullptr), KILN_ERROR_INVALID_ARGUMENT);
}

TEST_F(TrainerApi, GetAndSetCheckNamesDtypesAndShapes) {
  const float three[3] = {1, 2, 3}, two[2] = {5, 6};
  kiln_tensor *w3 = tensor(KILN_DTYPE_F32, {3}, three), *w2 = tensor(KILN_DTYPE_F32, {2}, two);
  const double twod[2] = {5, 6};
  kiln_tensor *wd = tensor(KILN_DTYPE_F64, {2}, twod);
  EXPECT_EQ(kiln_trainer_set(trainer, "w", w3), KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(kiln_last_error(), "STATE 'w': expected shape 2, got 3");
  EXPECT_EQ(kiln_trainer_set(trainer, "w", wd), KILN_ERROR_DTYPE_MISMATCH);
  EXPECT_STREQ(kiln_last_error(), "STATE 'w': expected dtype f32, got f64");
  EXPECT_EQ(kiln_trainer_set(trainer, "v", w2), KILN_ERROR_NOT_FOUND);
  EXPECT_STREQ(kiln_last_error(), "kiln_trainer_set: no STATE tensor named 'v' (STATE: 'w', 'step')");
  kiln_tensor *copy = reinterpret_cast<kiln_tensor *>(0x1);
  EXPECT_EQ(kiln_trainer_get(trainer, "v", &copy), KILN_ERROR_NOT_FOUND);
  EXPECT_EQ(copy, nullptr);
  ASSERT_EQ(kiln_trainer_set(trainer, "w", w2), KILN_OK);
  EXPECT_EQ(stateFloats(trainer, "w"), (std::vector<float>{5, 6}));
  kiln_tensor_destroy(w3);
  kiln_tensor_destroy(w2);
  kiln_tensor_destroy(wd);
}

TEST_F(TrainerApi, CheckpointsRestoreStateAndCounts) {
  std::string dir = std::string(KILN_TEST_TMP) + "/train_ckpt";
  std::remove((dir + "/checkpoint.txt").c_str());
  int64_t epochs = -1;
  EXPECT_EQ(kiln_trainer_load_checkpoint(trainer, dir.c_str(), &epochs), KILN_ERROR_NOT_FOUND);
  const kiln_tensor *batch[] = {x, t};
  ASSERT_EQ(kiln_trainer_step(trainer, batch, 2, nullptr), KILN_OK);
  std::vector<float> trained = stateFloats(trainer, "w");
  ASSERT_EQ(kiln_trainer_save_checkpoint(trainer, dir.c_str(), 3), KILN_OK) << kiln_last_error();
  ASSERT_EQ(kiln_trainer_reset(trainer), KILN_OK);
  ASSERT_EQ(kiln_trainer_load_checkpoint(trainer, dir.c_str(), &epochs), KILN_OK)
      << kiln_last_error();
  EXPECT_EQ(epochs, 3);
  EXPECT_EQ(kiln_trainer_steps(trainer), 1);
  EXPECT_EQ(stateStep(trainer), 1);
  EXPECT_EQ(stateFloats(trainer, "w"), trained);
  // A manifest that is not one, and one whose file has another shape.
  {
    std::ofstream(dir + "/checkpoint.txt") << "kiln-checkpoint 1\nepochs x\n";
  }
  EXPECT_EQ(kiln_trainer_load_checkpoint(trainer, dir.c_str(), &epochs), KILN_ERROR_FORMAT);
  EXPECT_NE(std::string(kiln_last_error()).find("line 2: expects 'epochs' followed by a decimal from 0 to 2^62, found 'x'"),
            std::string::npos)
      << kiln_last_error();
  // A count given twice is refused, naming both lines (the last one won).
  for (std::string key : {"generation", "epochs", "steps"}) {
    std::string second = key == "epochs" ? "steps" : "epochs";
    {
      std::ofstream(dir + "/checkpoint.txt")
          << "kiln-checkpoint 1\n" << key << " 1\n" << second << " 0\n" << key << " 2\n";
    }
    EXPECT_EQ(kiln_trainer_load_checkpoint(trainer, dir.c_str(), &epochs), KILN_ERROR_FORMAT);
    EXPECT_EQ(std::string(kiln_last_error()),
              "checkpoint '" + dir + "/checkpoint.txt': line 4: expects '" + key +
                  "' once, found it again (first on line 2)");
  }
  // Counts near 2^63 would overflow when counted on (a step logged as -2^63,
  // then a manifest Kiln could not read back): refused when read and written.
  {
    std::ofstream(dir + "/checkpoint.txt") << "kiln-checkpoint 1\nsteps 9223372036854775807\n";
  }
  EXPECT_EQ(kiln_trainer_load_checkpoint(trainer, dir.c_str(), &epochs), KILN_ERROR_FORMAT);
  EXPECT_NE(std::string(kiln_last_error()).find("line 2: expects 'steps' followed by a decimal from 0 to 2^62, found '9223372036854775807'"),
            std::string::npos)
      << kiln_last_error();
  // An empty folder name is refused (it was joined into "/checkpoint.txt").
  EXPECT_EQ(kiln_trainer_load_checkpoint(trainer, "", &epochs), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_last_error(), "kiln_trainer_load_checkpoint: trainer or dir is NULL or empty");
  EXPECT_EQ(kiln_trainer_save_checkpoint(trainer, "", 1), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_trainer_save_checkpoint(trainer, dir.c_str(), INT64_MAX),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kiln_last_error()).find("expects epochs and steps from 0 to 2^62"),
            std::string::npos)
      << kiln_last_error();
  const float three[3] = {1, 2, 3};
  kiln_tensor *w3 = tensor(KILN_DTYPE_F32, {3}, three);
  ASSERT_EQ(kiln_npy_write((dir + "/w3.npy").c_str(), w3), KILN_OK);
  kiln_tensor_destroy(w3);
  {
    std::ofstream(dir + "/checkpoint.txt")
        << "kiln-checkpoint 1\ngeneration 9\nepochs 1\nsteps 1\nstate w parameter w3.npy\n"
           "state step optimizer g2-1.npy\n";
  }
  ASSERT_EQ(kiln_trainer_set(trainer, "w", batch[1]), KILN_OK);
  EXPECT_EQ(kiln_trainer_load_checkpoint(trainer, dir.c_str(), &epochs), KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_NE(std::string(kiln_last_error()).find("STATE 'w': expected shape 2, got 3"),
            std::string::npos)
      << kiln_last_error();
  EXPECT_EQ(stateFloats(trainer, "w"), (std::vector<float>{0.5f, 2}));
}

// Counts at the limit a checkpoint holds (2^62): a checkpoint there loads,
// train_step refuses to count past it (the steps were 2^62 + 1 after one
// more step, and the save failed), it saves again, and the generation after
// 2^62 is 1 (2^62 + 1 was written, then could not be read back).
TEST_F(TrainerApi, CheckpointCountsStayWithinTheLimit) {
  std::string dir = std::string(KILN_TEST_TMP) + "/train_ckpt_limit";
  std::remove((dir + "/checkpoint.txt").c_str());
  const kiln_tensor *batch[] = {x, t};
  ASSERT_EQ(kiln_trainer_save_checkpoint(trainer, dir.c_str(), 0), KILN_OK) << kiln_last_error();
  const std::string last = dir + "/g4611686018427387904-";
  ASSERT_EQ(std::rename((dir + "/g1-0.npy").c_str(), (last + "0.npy").c_str()), 0);
  ASSERT_EQ(std::rename((dir + "/g1-1.npy").c_str(), (last + "1.npy").c_str()), 0);
  {
    std::ofstream(dir + "/checkpoint.txt")
        << "kiln-checkpoint 1\ngeneration 4611686018427387904\nepochs 4611686018427387904\n"
           "steps 4611686018427387904\nstate w parameter g4611686018427387904-0.npy\n"
           "state step optimizer g4611686018427387904-1.npy\n";
  }
  int64_t epochs = -1;
  ASSERT_EQ(kiln_trainer_load_checkpoint(trainer, dir.c_str(), &epochs), KILN_OK)
      << kiln_last_error();
  EXPECT_EQ(epochs, INT64_C(1) << 62);
  EXPECT_EQ(kiln_trainer_steps(trainer), INT64_C(1) << 62);
  std::vector<float> before = stateFloats(trainer, "w");
  EXPECT_EQ(kiln_trainer_step(trainer, batch, 2, nullptr), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_last_error(), "train_step: expects fewer than 2^62 steps in all (the most a "
                                  "checkpoint holds), found 4611686018427387904 done");
  EXPECT_EQ(kiln_trainer_steps(trainer), INT64_C(1) << 62);
  EXPECT_EQ(stateFloats(trainer, "w"), before);
  ASSERT_EQ(kiln_trainer_save_checkpoint(trainer, dir.c_str(), epochs), KILN_OK)
      << kiln_last_error();
  std::ifstream in(dir + "/checkpoint.txt");
  std::string manifest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(manifest, "kiln-checkpoint 1\ngeneration 1\nepochs 4611686018427387904\n"
                      "steps 4611686018427387904\nstate w parameter g1-0.npy\n"
                      "state step optimizer g1-1.npy\n");
  struct stat st;
  EXPECT_NE(::stat((last + "0.npy").c_str(), &st), 0) << "the previous generation's files are removed";
  ASSERT_EQ(kiln_trainer_reset(trainer), KILN_OK);
  ASSERT_EQ(kiln_trainer_load_checkpoint(trainer, dir.c_str(), &epochs), KILN_OK)
      << kiln_last_error();
  EXPECT_EQ(kiln_trainer_steps(trainer), INT64_C(1) << 62);
  EXPECT_EQ(stateFloats(trainer, "w"), before);
}

// The source's SHA-256, when the signature records it, for --save to check.
TEST(Trainer, ReportsTheSourceDigest) {
  const std::string digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  std::string text = kSignature;
  text.replace(text.find("state w"), 0, "source-sha256 " + digest + "\n");
  kiln_model *m = makeModel(text);
  kiln_trainer *trainer = nullptr;
  ASSERT_EQ(kiln_trainer_create(m, &trainer), KILN_OK) << kiln_last_error();
  EXPECT_EQ(std::string(kiln_trainer_source_sha256(trainer)), digest);
  EXPECT_EQ(kiln_trainer_source_sha256(nullptr), nullptr);
  kiln_trainer_destroy(trainer);
  kiln_model_destroy(m);
}

// bce-logits counts (logit > 0) == (label > 0.5) per element of the real rows.
TEST(Trainer, CountsBceLogitsPredictions) {
  std::string text = kSignature;
  text.replace(text.find("training mse t"), 14, "training bce-logits t");
  kiln_model *m = makeModel(text);
  kiln_trainer *trainer = nullptr;
  ASSERT_EQ(kiln_trainer_create(m, &trainer), KILN_OK) << kiln_last_error();
  const float xs[4] = {1, 2, 3, -1}, ts[2] = {1, 0}; // logits [-1, 4]: both wrong
  const float ts2[2] = {0, 1};                        // both right
  kiln_tensor *x = tensor(KILN_DTYPE_F32, {2, 2}, xs), *t = tensor(KILN_DTYPE_F32, {2}, ts),
              *t2 = tensor(KILN_DTYPE_F32, {2}, ts2);
  const kiln_tensor *wrong[] = {x, t}, *right[] = {x, t2};
  int64_t correct = 0, counted = 0;
  ASSERT_EQ(kiln_trainer_eval_sums(trainer, wrong, 2, 2, nullptr, &correct, &counted), KILN_OK);
  ASSERT_EQ(kiln_trainer_eval_sums(trainer, right, 2, 1, nullptr, &correct, &counted), KILN_OK);
  EXPECT_EQ(correct, 1);
  EXPECT_EQ(counted, 3);
  kiln_tensor_destroy(x);
  kiln_tensor_destroy(t);
  kiln_tensor_destroy(t2);
  kiln_trainer_destroy(trainer);
  kiln_model_destroy(m);
}

// Artifacts without the layout of docs/training.md are refused with what differs.
TEST(Trainer, RefusesOtherLayouts) {
  struct Case {
    std::string from, to, message;
  } cases[] = {
      {"entry eval\n", "entry evaluate\n",
       "training artifact expects an entry 'eval', found none"},
      {"output w f32 [2]\noutput step i64 []\nworkspace 0\nentry train_step",
       "output w f32 [2]\noutput steps i64 []\nworkspace 0\nentry train_step",
       "training artifact expects output 1 of entry 'init' to be STATE 'step', found 'steps'"},
      {"training mse t\n", "training mse x\n",
       "training artifact expects the last input of entry 'train_step' to be the label 'x', "
       "found 't'"},
      {"input t f32 [2]\noutput loss f32 []", "input t f32 [3]\noutput loss f32 []",
       "training artifact expects every batch input of entry 'train_step' to have dim 0 = 2 as "
       "'x', found 3 in 't'"},
      {"output loss f32 []", "output loss f64 []",
       "training artifact expects output 0 of entry 'train_step' to be an f32 scalar loss, found "
       "f64 of rank 0"},
  };
  for (const Case &c : cases) {
    std::string text = kSignature;
    size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    kiln_model *m = makeModel(text);
    ASSERT_NE(m, nullptr);
    kiln_trainer *t = reinterpret_cast<kiln_trainer *>(0x1);
    EXPECT_EQ(kiln_trainer_create(m, &t), KILN_ERROR_FORMAT);
    EXPECT_EQ(t, nullptr);
    EXPECT_EQ(kiln_last_error(), c.message);
    kiln_model_destroy(m);
  }
  EXPECT_EQ(kiln_trainer_create(nullptr, nullptr), KILN_ERROR_INVALID_ARGUMENT);
  kiln_trainer_destroy(nullptr);
}

namespace {
// The linear model with a bool batch input m [2] before the label: the run
// functions ignore it, so only the input check can refuse it.
int32_t runMaskedStep(void **b, int64_t *, const char **) {
  const float *w = static_cast<const float *>(b[0]);
  *static_cast<float *>(b[5]) = 0;
  std::memcpy(b[6], w, 2 * sizeof(float));
  *static_cast<int64_t *>(b[7]) = *static_cast<const int64_t *>(b[1]) + 1;
  return 0;
}
int32_t runMaskedEval(void **b, int64_t *, const char **) {
  std::memset(b[5], 0, 2 * sizeof(float));
  std::memset(b[6], 0, 2 * sizeof(float));
  return 0;
}
int32_t runMaskedInfer(void **b, int64_t *, const char **) {
  std::memset(b[4], 0, 2 * sizeof(float));
  return 0;
}
const kiln_run_fn kMaskedRuns[] = {runInit, runMaskedStep, runMaskedEval, runMaskedInfer, nullptr};
} // namespace

// A bool batch tensor holding a byte other than 0 or 1 is refused by every
// trainer call before the generated code runs (it reads a bool as one bit).
TEST(Trainer, BoolBatchBytesOtherThanZeroOrOneAreRefused) {
  std::string text = kSignature;
  for (size_t at = 0; (at = text.find("input x f32 [2,2]\n", at)) != std::string::npos;) {
    at += std::strlen("input x f32 [2,2]\n");
    text.insert(at, "input m bool [2]\n");
  }
  g_text = text;
  kiln_model *model = nullptr;
  ASSERT_EQ(kiln_model_from_functions(signature, kMaskedRuns, &model), KILN_OK)
      << kiln_last_error();
  kiln_trainer *trainer = nullptr;
  ASSERT_EQ(kiln_trainer_create(model, &trainer), KILN_OK) << kiln_last_error();
  const float xs[4] = {1, 2, 3, -1}, ts[2] = {0.5f, 2};
  const unsigned char good[2] = {1, 0}, bad[2] = {1, 2};
  kiln_tensor *x = tensor(KILN_DTYPE_F32, {2, 2}, xs), *t = tensor(KILN_DTYPE_F32, {2}, ts);
  kiln_tensor *mGood = tensor(KILN_DTYPE_BOOL, {2}, good), *mBad = tensor(KILN_DTYPE_BOOL, {2}, bad);
  const kiln_tensor *ok[] = {x, mGood, t}, *refused[] = {x, mBad, t};
  EXPECT_EQ(kiln_trainer_step(trainer, ok, 3, nullptr), KILN_OK) << kiln_last_error();
  EXPECT_EQ(kiln_trainer_step(trainer, refused, 3, nullptr), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_last_error(), "train_step: input 'm': expects bool bytes 0 or 1, found 2 at index 1");
  EXPECT_EQ(kiln_trainer_steps(trainer), 1);
  kiln_tensor *outs[2] = {nullptr, nullptr};
  EXPECT_EQ(kiln_trainer_eval(trainer, refused, 3, outs, 2), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_last_error(), "eval: input 'm': expects bool bytes 0 or 1, found 2 at index 1");
  EXPECT_EQ(kiln_trainer_infer(trainer, refused, 2, outs, 1), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_last_error(), "infer: input 'm': expects bool bytes 0 or 1, found 2 at index 1");
  kiln_tensor_destroy(mBad);
  kiln_tensor_destroy(mGood);
  kiln_tensor_destroy(t);
  kiln_tensor_destroy(x);
  kiln_trainer_destroy(trainer);
  kiln_model_destroy(model);
}
