// RUN: kiln-opt %s --canonicalize --split-input-file | FileCheck %s

// Integer addition broadcasts by numpy's rules.
// CHECK-LABEL: func @add_broadcast
// CHECK-NEXT: %[[C:.*]] = nn.constant dense<{{\[\[}}11, 22, 33], [14, 25, 36]]> : tensor<2x3xi64>
// CHECK-NEXT: return %[[C]]
func.func @add_broadcast() -> tensor<2x3xi64> {
  %a = nn.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %b = nn.constant dense<[10, 20, 30]> : tensor<3xi64>
  %0 = nn.add %a, %b : (tensor<2x3xi64>, tensor<3xi64>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// Integer division truncates; x / 0 is 0 and INT_MIN / -1 wraps, as nn.div
// defines them; i8 products wrap.
// CHECK-LABEL: func @div_mul_int
// CHECK-DAG: nn.constant dense<[3, -3, 0, -9223372036854775808]> : tensor<4xi64>
// CHECK-DAG: nn.constant dense<[-24, 0]> : tensor<2xi8>
// CHECK-NOT: nn.div
// CHECK-NOT: nn.mul
func.func @div_mul_int() -> (tensor<4xi64>, tensor<2xi8>) {
  %x = nn.constant dense<[7, -7, 7, -9223372036854775808]> : tensor<4xi64>
  %y = nn.constant dense<[2, 2, 0, -1]> : tensor<4xi64>
  %0 = nn.div %x, %y : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %a = nn.constant dense<[100, 0]> : tensor<2xi8>
  %b = nn.constant dense<[10, 3]> : tensor<2xi8>
  %1 = nn.mul %a, %b : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  return %0, %1 : tensor<4xi64>, tensor<2xi8>
}

// -----

// Mod: the sign of the divisor (Python's %), or of the dividend with fmod;
// x % 0 is 0.
// CHECK-LABEL: func @mod_int
// CHECK-DAG: nn.constant dense<[1, 2, -2, 0]> : tensor<4xi32>
// CHECK-DAG: nn.constant dense<[1, -1, 1, 0]> : tensor<4xi32>
// CHECK-NOT: nn.mod
func.func @mod_int() -> (tensor<4xi32>, tensor<4xi32>) {
  %x = nn.constant dense<[7, -7, 7, 7]> : tensor<4xi32>
  %y = nn.constant dense<[3, 3, -3, 0]> : tensor<4xi32>
  %0 = nn.mod %x, %y {fmod = false} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = nn.mod %x, %y {fmod = true} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1 : tensor<4xi32>, tensor<4xi32>
}

// -----

// Float arithmetic and unary functions run in the element type's precision;
// round takes halves to even.
// CHECK-LABEL: func @float_ops
// CHECK-DAG: nn.constant dense<[1.500000e+00, -2.500000e+00]> : tensor<2xf32>
// CHECK-DAG: nn.constant dense<[0.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: nn.constant dense<[0.000000e+00, 2.000000e+00, -2.000000e+00]> : tensor<3xf64>
// CHECK-NOT: nn.sub
// CHECK-NOT: nn.relu
// CHECK-NOT: nn.round
func.func @float_ops() -> (tensor<2xf32>, tensor<2xf32>, tensor<3xf64>) {
  %a = nn.constant dense<[2.0, -1.0]> : tensor<2xf32>
  %b = nn.constant dense<[0.5, 1.5]> : tensor<2xf32>
  %0 = nn.sub %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %c = nn.constant dense<[-3.0, 2.0]> : tensor<2xf32>
  %1 = nn.relu %c : tensor<2xf32>
  %d = nn.constant dense<[0.5, 2.5, -1.5]> : tensor<3xf64>
  %2 = nn.round %d : tensor<3xf64>
  return %0, %1, %2 : tensor<2xf32>, tensor<2xf32>, tensor<3xf64>
}

// -----

// exp in f32 is float's exp, not double's rounded differently.
// CHECK-LABEL: func @exp_f32
// CHECK-NEXT: %[[C:.*]] = nn.constant dense<[1.000000e+00, 2.71828175]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]]
func.func @exp_f32() -> tensor<2xf32> {
  %a = nn.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %0 = nn.exp %a : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Comparisons give bools; logic ops combine them; a NaN compares false.
// CHECK-LABEL: func @compare_logic
// CHECK-DAG: nn.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-DAG: nn.constant dense<[false, true, true]> : tensor<3xi1>
// CHECK-DAG: nn.constant dense<[true, true, false]> : tensor<3xi1>
// CHECK-NOT: nn.less
// CHECK-NOT: nn.not
// CHECK-NOT: nn.or
func.func @compare_logic() -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>) {
  %a = nn.constant dense<[1.0, 2.0, 0x7FC00000]> : tensor<3xf32>
  %b = nn.constant dense<2.0> : tensor<3xf32>
  %lt = nn.less %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %not = nn.not %lt : tensor<3xi1>
  %c = nn.constant dense<[false, true, false]> : tensor<3xi1>
  %or = nn.or %lt, %c : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return %lt, %not, %or : tensor<3xi1>, tensor<3xi1>, tensor<3xi1>
}

// -----

// The exporters' Expand pattern: Where(Equal(c, Mul(ConstantOfShape, -1)),
// ConstantOfShape, c) folds to the shape.
// CHECK-LABEL: func @where_equal
// CHECK-NEXT: %[[C:.*]] = nn.constant dense<[2, 1, 1]> : tensor<3xi64>
// CHECK-NEXT: return %[[C]]
func.func @where_equal() -> tensor<3xi64> {
  %c1 = nn.constant dense<[2, -1, -1]> : tensor<3xi64>
  %ones = nn.constant dense<1> : tensor<3xi64>
  %m = nn.constant dense<-1> : tensor<i64>
  %neg = nn.mul %ones, %m : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  %eq = nn.equal %c1, %neg : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  %0 = nn.where %eq, %ones, %c1 : (tensor<3xi1>, tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// Casts: float to integer truncates toward zero, integers wrap, bools are
// 0 and 1, anything non-zero is true.
// CHECK-LABEL: func @casts
// CHECK-DAG: nn.constant dense<[-1, 2]> : tensor<2xi32>
// CHECK-DAG: nn.constant dense<[44, -1]> : tensor<2xi8>
// CHECK-DAG: nn.constant dense<[false, true]> : tensor<2xi1>
// CHECK-DAG: nn.constant dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf64>
// CHECK-NOT: nn.cast
func.func @casts() -> (tensor<2xi32>, tensor<2xi8>, tensor<2xi1>, tensor<2xf64>) {
  %f = nn.constant dense<[-1.5, 2.7]> : tensor<2xf32>
  %0 = nn.cast %f : (tensor<2xf32>) -> tensor<2xi32>
  %i = nn.constant dense<[300, 255]> : tensor<2xi64>
  %1 = nn.cast %i : (tensor<2xi64>) -> tensor<2xi8>
  %z = nn.constant dense<[0.0, -0.5]> : tensor<2xf32>
  %2 = nn.cast %z : (tensor<2xf32>) -> tensor<2xi1>
  %b = nn.constant dense<[true, false]> : tensor<2xi1>
  %3 = nn.cast %b : (tensor<2xi1>) -> tensor<2xf64>
  return %0, %1, %2, %3 : tensor<2xi32>, tensor<2xi8>, tensor<2xi1>, tensor<2xf64>
}

// -----

// A float out of the integer type's range has no defined conversion: the
// cast stays an op.
// CHECK-LABEL: func @cast_out_of_range
// CHECK: nn.cast
func.func @cast_out_of_range() -> tensor<1xi32> {
  %f = nn.constant dense<1.0e10> : tensor<1xf32>
  %0 = nn.cast %f : (tensor<1xf32>) -> tensor<1xi32>
  return %0 : tensor<1xi32>
}

// -----

// Clip clamps integers and floats to its bounds.
// CHECK-LABEL: func @clip
// CHECK-DAG: nn.constant dense<[0, 3, 6]> : tensor<3xi64>
// CHECK-DAG: nn.constant dense<[-1.000000e+00, 5.000000e-01]> : tensor<2xf32>
// CHECK-NOT: nn.clip
func.func @clip() -> (tensor<3xi64>, tensor<2xf32>) {
  %i = nn.constant dense<[-5, 3, 9]> : tensor<3xi64>
  %0 = nn.clip %i {min = 0.0 : f64, max = 6.0 : f64} : tensor<3xi64>
  %f = nn.constant dense<[-4.0, 0.5]> : tensor<2xf32>
  %1 = nn.clip %f {min = -1.0 : f64} : tensor<2xf32>
  return %0, %1 : tensor<3xi64>, tensor<2xf32>
}

// -----

// Clip with min > max is valid (ONNX: min(max(x, min), max)): every
// element becomes max (it was refused by the verifier).
// CHECK-LABEL: func @clip_min_above_max
// CHECK-DAG: nn.constant dense<1> : tensor<3xi64>
// CHECK-DAG: nn.constant dense<-2.000000e+00> : tensor<2xf32>
// CHECK-NOT: nn.clip
func.func @clip_min_above_max() -> (tensor<3xi64>, tensor<2xf32>) {
  %i = nn.constant dense<[-5, 3, 9]> : tensor<3xi64>
  %0 = nn.clip %i {min = 2.0 : f64, max = 1.0 : f64} : tensor<3xi64>
  %f = nn.constant dense<[-4.0, 0.5]> : tensor<2xf32>
  %1 = nn.clip %f {min = 3.0 : f64, max = -2.0 : f64} : tensor<2xf32>
  return %0, %1 : tensor<3xi64>, tensor<2xf32>
}

// -----

// A weight stored as a dense_resource blob folds like a dense constant.
// CHECK-LABEL: func @resource_operand
// CHECK-NEXT: %[[C:.*]] = nn.constant dense<[2, 3, 4]> : tensor<3xi64>
// CHECK-NEXT: return %[[C]]
func.func @resource_operand() -> tensor<3xi64> {
  %r = nn.constant dense_resource<three_ints> : tensor<3xi64>
  %one = nn.constant dense<1> : tensor<i64>
  %0 = nn.add %r, %one : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

{-#
  dialect_resources: {
    builtin: {
      three_ints: "0x08000000010000000000000002000000000000000300000000000000"
    }
  }
#-}

// -----

// 64 Ki elements fold; one more and the op stays (weights are never folded).
// CHECK-LABEL: func @size_limit
// CHECK-DAG: nn.constant dense<-1.000000e+00> : tensor<256x256xf32>
// CHECK-DAG: %[[BIG:.*]] = nn.constant dense<1.000000e+00> : tensor<256x257xf32>
// CHECK-DAG: nn.neg %[[BIG]] : tensor<256x257xf32>
func.func @size_limit() -> (tensor<256x256xf32>, tensor<256x257xf32>) {
  %a = nn.constant dense<1.0> : tensor<256x256xf32>
  %0 = nn.neg %a : tensor<256x256xf32>
  %b = nn.constant dense<1.0> : tensor<256x257xf32>
  %1 = nn.neg %b : tensor<256x257xf32>
  return %0, %1 : tensor<256x256xf32>, tensor<256x257xf32>
}

// -----

// An op with an operand computed at run time stays.
// CHECK-LABEL: func @not_constant
// CHECK: nn.add
func.func @not_constant(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = nn.constant dense<1.0> : tensor<2xf32>
  %0 = nn.add %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Arithmetic on i1 is signed to arith (true is -1): only logic, equal,
// where and cast fold on bools.
// CHECK-LABEL: func @bool_arith
// CHECK: nn.max
func.func @bool_arith() -> tensor<2xi1> {
  %a = nn.constant dense<[true, false]> : tensor<2xi1>
  %b = nn.constant dense<false> : tensor<2xi1>
  %0 = nn.max %a, %b : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  return %0 : tensor<2xi1>
}
