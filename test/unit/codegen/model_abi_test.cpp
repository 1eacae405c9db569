// ModelABI: kiln.abi with entry bounds survives writeABI/readABI, and the
// signature text serializeSignature() writes is what the runtime parses.
#include "compiler/Codegen/Common/ModelABI.h"

#include "kiln_runtime.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

kiln::abi::ModelABI boundedModel() {
  kiln::abi::Entry infer{"infer", "model", {}, {}, 64};
  infer.inputs.push_back({"image", "f32", {{0, "N"}, {3, ""}, {0, "S_1"}}});
  infer.inputs.push_back({"mask", "bool", {{0, "N"}, {0, ""}}});
  infer.outputs.push_back({"logits", "f32", {{0, "N"}, {10, ""}}});
  infer.outputs.push_back({"picked", "i64", {{0, "K"}}});
  infer.bounds = {{"N", 64}, {"S_1", 128}};
  kiln::abi::Entry step{"step", "step", {}, {}, 0};
  step.inputs.push_back({"x", "f32", {{4, ""}}});
  return {{infer, step}};
}

const char *g_text = nullptr;
const char *signature() { return g_text; }
void neverCalled() { std::abort(); }

} // namespace

TEST(ModelABI, BoundsRoundTripThroughTheAttribute) {
  mlir::MLIRContext context;
  mlir::OpBuilder b(&context);
  auto module = mlir::ModuleOp::create(b.getUnknownLoc());
  kiln::abi::writeABI(module, boundedModel());
  mlir::FailureOr<kiln::abi::ModelABI> read = kiln::abi::readABI(module);
  ASSERT_TRUE(mlir::succeeded(read));
  ASSERT_EQ(read->entries.size(), 2u);
  EXPECT_EQ(read->entries[0].bounds, (std::map<std::string, int64_t>{{"N", 64}, {"S_1", 128}}));
  EXPECT_TRUE(read->entries[1].bounds.empty());
  // No bounds: no `bounds` key, so such entries read exactly as before.
  auto entries = module->getAttrOfType<mlir::DictionaryAttr>(kiln::abi::kAttrName)
                     .getAs<mlir::ArrayAttr>("entries");
  EXPECT_TRUE(mlir::cast<mlir::DictionaryAttr>(entries[0]).get("bounds"));
  EXPECT_FALSE(mlir::cast<mlir::DictionaryAttr>(entries[1]).get("bounds"));
  module->erase();
}

TEST(ModelABI, TheRuntimeReadsTheSerializedBounds) {
  std::string text = kiln::abi::serializeSignature(boundedModel());
  EXPECT_EQ(text, "kiln-model 4\n"
                  "entry infer\n"
                  "bound N 64\n"
                  "bound S_1 128\n"
                  "input image f32 [N,3,S_1]\n"
                  "input mask bool [N,0]\n"
                  "output logits f32 [N,10]\n"
                  "output picked i64 [K]\n"
                  "workspace 64\n"
                  "entry step\n"
                  "input x f32 [4]\n"
                  "workspace 0\n");
  g_text = text.c_str();
  kiln_run_fn run = reinterpret_cast<kiln_run_fn>(&neverCalled);
  const kiln_run_fn runs[] = {run, run, nullptr};
  kiln_model *m = nullptr;
  ASSERT_EQ(kiln_model_from_functions(signature, runs, &m), KILN_OK) << kiln_last_error();
  const kiln_entry *e = kiln_model_entry_at(m, 0);
  ASSERT_EQ(kiln_entry_num_symbols(e), 3u);
  EXPECT_STREQ(kiln_entry_symbol_name(e, 0), "N");
  EXPECT_EQ(kiln_entry_symbol_bound(e, 0), 64);
  EXPECT_STREQ(kiln_entry_symbol_name(e, 1), "S_1");
  EXPECT_EQ(kiln_entry_symbol_bound(e, 1), 128);
  EXPECT_STREQ(kiln_entry_symbol_name(e, 2), "K");
  EXPECT_EQ(kiln_entry_symbol_bound(e, 2), KILN_DIM_UNBOUNDED);
  EXPECT_EQ(kiln_entry_symbol_bound_by_inputs(e, 2), 0);
  kiln_model_destroy(m);
}

// A training artifact's signature ends with its training, source and state
// lines (names and the path percent-encoded), and the runtime reads them.
TEST(ModelABI, TheTrainingLinesFollowTheEntries) {
  kiln::abi::Entry init{"init", "init", {}, {}, 0};
  init.outputs.push_back({"fc w", "f32", {{2, ""}}});
  init.outputs.push_back({"step", "i64", {}});
  kiln::abi::ModelABI abi{{init}};
  abi.training = kiln::abi::Training{
      "mse", "y", "/data/my model.onnx", {{"fc w", "parameter"}, {"step", "optimizer"}}};
  std::string text = kiln::abi::serializeSignature(abi);
  EXPECT_EQ(text, "kiln-model 4\n"
                  "entry init\n"
                  "output fc%20w f32 [2]\n"
                  "output step i64 []\n"
                  "workspace 0\n"
                  "training mse y\n"
                  "source /data/my%20model.onnx\n"
                  "state fc%20w parameter\n"
                  "state step optimizer\n");
  g_text = text.c_str();
  kiln_run_fn run = reinterpret_cast<kiln_run_fn>(&neverCalled);
  const kiln_run_fn runs[] = {run, nullptr};
  kiln_model *m = nullptr;
  ASSERT_EQ(kiln_model_from_functions(signature, runs, &m), KILN_OK) << kiln_last_error();
  EXPECT_EQ(kiln_model_is_training(m), 1);
  kiln_model_destroy(m);
  // The source's SHA-256, when recorded, follows the source line.
  abi.training->sourceSha256 = std::string(64, 'e');
  std::string withDigest = kiln::abi::serializeSignature(abi);
  EXPECT_NE(withDigest.find("source /data/my%20model.onnx\nsource-sha256 " +
                            std::string(64, 'e') + "\nstate fc%20w parameter\n"),
            std::string::npos)
      << withDigest;
  g_text = withDigest.c_str();
  ASSERT_EQ(kiln_model_from_functions(signature, runs, &m), KILN_OK) << kiln_last_error();
  kiln_model_destroy(m);
}

TEST(ModelABI, UnsharedBytesRoundTripAndStayOutOfTheSignature) {
  mlir::MLIRContext context;
  mlir::OpBuilder b(&context);
  auto module = mlir::ModuleOp::create(b.getUnknownLoc());
  kiln::abi::ModelABI abi = boundedModel();
  abi.entries[0].unshared = 4096;
  kiln::abi::writeABI(module, abi);
  mlir::FailureOr<kiln::abi::ModelABI> read = kiln::abi::readABI(module);
  ASSERT_TRUE(mlir::succeeded(read));
  EXPECT_EQ(read->entries[0].unshared, std::optional<int64_t>(4096));
  // Absent before kiln-plan-memory: no key, read back as absent.
  EXPECT_FALSE(read->entries[1].unshared.has_value());
  // The runtime's signature text does not carry it.
  EXPECT_EQ(kiln::abi::serializeSignature(*read), kiln::abi::serializeSignature(boundedModel()));
  module->erase();
}
