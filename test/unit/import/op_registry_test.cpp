//===- op_registry_test.cpp - ONNX op handlers by (domain, op, version) --===//

#include "compiler/Import/ONNX/OpRegistry.h"

#include <gtest/gtest.h>

using namespace kiln::onnx_import;

static mlir::LogicalResult nothing(NodeBinder &) { return mlir::success(); }

TEST(OpRegistry, PicksTheGreatestSinceVersionAtOrBelowTheOpset) {
  OpRegistry r;
  r.on("Gemm", 7, nothing);
  r.on("Gemm", 13, nothing);
  const OpHandler *v7 = r.lookup("", "Gemm", 7), *v13 = r.lookup("", "Gemm", 13);
  ASSERT_NE(v7, nullptr);
  ASSERT_NE(v13, nullptr);
  EXPECT_NE(v7, v13);
  EXPECT_EQ(r.lookup("", "Gemm", 6), nullptr);
  EXPECT_EQ(r.lookup("", "Gemm", 12), v7);
  EXPECT_EQ(r.lookup("", "Gemm", 21), v13);
}

TEST(OpRegistry, DefaultDomainHasTwoSpellings) {
  OpRegistry r;
  r.on("Relu", 1, nothing);
  EXPECT_NE(r.lookup("", "Relu", 13), nullptr);
  EXPECT_EQ(r.lookup("ai.onnx", "Relu", 13), r.lookup("", "Relu", 13));
}

TEST(OpRegistry, OtherDomainsAreSeparate) {
  OpRegistry r;
  r.on("Gelu", 20, nothing);
  r.onDomain("com.microsoft", "Gelu", 1, nothing);
  const OpHandler *microsoft = r.lookup("com.microsoft", "Gelu", 1);
  ASSERT_NE(microsoft, nullptr);
  EXPECT_EQ(r.lookup("", "Gelu", 13), nullptr);
  EXPECT_NE(r.lookup("", "Gelu", 20), microsoft);
  EXPECT_EQ(r.lookup("ai.onnx.ml", "Gelu", 3), nullptr);
}

TEST(OpRegistry, EveryFamilyRegistersInTheDefaultDomain) {
  const OpRegistry &r = OpRegistry::get();
  for (const char *op : {"Add", "MatMul", "Conv", "BatchNormalization", "ReduceSum", "Slice",
                         "Reshape", "SoftmaxCrossEntropyLoss"})
    EXPECT_NE(r.lookup("", op, 13), nullptr) << op;
  EXPECT_EQ(r.lookup("", "LayerNormalization", 16), nullptr);
  EXPECT_NE(r.lookup("", "LayerNormalization", 17), nullptr);
}
