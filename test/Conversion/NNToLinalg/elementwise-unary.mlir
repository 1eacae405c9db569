// RUN: kiln-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// Unary elementwise ops (Elementwise.cpp): one parallel generic each.

// nn.tanh is one math.tanh per element in a parallel generic.
// CHECK-LABEL: func @tanh
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.tanh %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @tanh(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.tanh %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.exp is one math.exp per element in a parallel generic.
// CHECK-LABEL: func @exp
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.exp %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @exp(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.exp %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.log is one math.log per element in a parallel generic.
// CHECK-LABEL: func @log
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.log %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @log(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.log %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.erf is one math.erf per element in a parallel generic.
// CHECK-LABEL: func @erf
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.erf %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @erf(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.erf %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.sqrt is one math.sqrt per element in a parallel generic.
// CHECK-LABEL: func @sqrt
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.sqrt %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @sqrt(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.sqrt %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.floor is one math.floor per element in a parallel generic.
// CHECK-LABEL: func @floor
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.floor %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @floor(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.floor %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.ceil is one math.ceil per element in a parallel generic.
// CHECK-LABEL: func @ceil
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.ceil %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @ceil(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.ceil %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.sin is one math.sin per element in a parallel generic.
// CHECK-LABEL: func @sin
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.sin %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @sin(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.sin %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.cos is one math.cos per element in a parallel generic.
// CHECK-LABEL: func @cos
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.cos %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @cos(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.cos %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.tan is one math.tan per element in a parallel generic.
// CHECK-LABEL: func @tan
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.tan %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @tan(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.tan %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.asin is one math.asin per element in a parallel generic.
// CHECK-LABEL: func @asin
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.asin %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @asin(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.asin %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.acos is one math.acos per element in a parallel generic.
// CHECK-LABEL: func @acos
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.acos %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @acos(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.acos %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.atan is one math.atan per element in a parallel generic.
// CHECK-LABEL: func @atan
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.atan %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @atan(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.atan %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.sinh is one math.sinh per element in a parallel generic.
// CHECK-LABEL: func @sinh
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.sinh %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @sinh(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.sinh %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.cosh is one math.cosh per element in a parallel generic.
// CHECK-LABEL: func @cosh
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.cosh %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @cosh(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.cosh %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.asinh is one math.asinh per element in a parallel generic.
// CHECK-LABEL: func @asinh
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.asinh %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @asinh(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.asinh %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.acosh is one math.acosh per element in a parallel generic.
// CHECK-LABEL: func @acosh
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.acosh %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @acosh(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.acosh %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.atanh is one math.atanh per element in a parallel generic.
// CHECK-LABEL: func @atanh
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.atanh %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @atanh(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.atanh %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.round rounds halves to even with math.roundeven per element in a parallel generic.
// CHECK-LABEL: func @round
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[R:.*]] = math.roundeven %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[R]] : f32
func.func @round(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.round %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.relu is max(x, 0): arith.maximumf for floats, arith.maxsi for integers.
// CHECK-LABEL: func @relu
// CHECK: linalg.generic
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK: linalg.generic
// CHECK: arith.maxsi %{{.*}}, %{{.*}} : i32
func.func @relu(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = nn.relu %x : tensor<4xf32>
  %1 = nn.relu %i : tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// -----

// nn.neg negates floats and subtracts integers from zero.
// CHECK-LABEL: func @neg
// CHECK: arith.negf %{{.*}} : f32
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: arith.subi %[[ZERO]], %{{.*}} : i32
func.func @neg(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = nn.neg %x : tensor<4xf32>
  %1 = nn.neg %i : tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// -----

// nn.abs is math.absf for floats and math.absi for integers.
// CHECK-LABEL: func @abs
// CHECK: math.absf %{{.*}} : f32
// CHECK: math.absi %{{.*}} : i32
func.func @abs(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = nn.abs %x : tensor<4xf32>
  %1 = nn.abs %i : tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// -----

// nn.sign nests two selects on x > 0 and x < 0 (integers use signed
// compares).
// CHECK-LABEL: func @sign
// CHECK: %[[POS:.*]] = arith.cmpi sgt
// CHECK: %[[NEG:.*]] = arith.cmpi slt
// CHECK: %[[NZ:.*]] = arith.select %[[NEG]], %{{.*}}, %{{.*}} : i32
// CHECK: arith.select %[[POS]], %{{.*}}, %[[NZ]] : i32
func.func @sign(%i: tensor<4xi32>) -> tensor<4xi32> {
  %0 = nn.sign %i : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// nn.reciprocal divides one by the element.
// CHECK-LABEL: func @reciprocal
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: arith.divf %[[ONE]], %[[IN]] : f32
func.func @reciprocal(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.reciprocal %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// nn.sigmoid is 1 / (1 + exp(-x)).
// CHECK-LABEL: func @sigmoid
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[N:.*]] = arith.negf %[[IN]] : f32
// CHECK: %[[E:.*]] = math.exp %[[N]] : f32
// CHECK: %[[D:.*]] = arith.addf %{{.*}}, %[[E]] : f32
// CHECK: arith.divf %{{.*}}, %[[D]] : f32
func.func @sigmoid(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.sigmoid %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// nn.softplus takes the stable form max(x, 0) + log1p(exp(-|x|)).
// CHECK-LABEL: func @softplus
// CHECK: %[[M:.*]] = arith.maximumf
// CHECK: math.absf
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: %[[L:.*]] = math.log1p
// CHECK: arith.addf %[[M]], %[[L]] : f32
func.func @softplus(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.softplus %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// nn.softsign is x / (1 + |x|).
// CHECK-LABEL: func @softsign
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[A:.*]] = math.absf %[[IN]]
// CHECK: %[[D:.*]] = arith.addf %{{.*}}, %[[A]]
// CHECK: arith.divf %[[IN]], %[[D]] : f32
func.func @softsign(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.softsign %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// nn.leaky_relu selects x where x >= 0, else alpha * x.
// CHECK-LABEL: func @leaky_relu
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[GE:.*]] = arith.cmpf oge, %[[IN]]
// CHECK: %[[ALPHA:.*]] = arith.constant 1.000000e-01 : f32
// CHECK: %[[S:.*]] = arith.mulf %[[IN]], %[[ALPHA]]
// CHECK: arith.select %[[GE]], %[[IN]], %[[S]] : f32
func.func @leaky_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.leaky_relu %x {alpha = 0.1 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// nn.elu selects x where x >= 0, else alpha * expm1(x).
// CHECK-LABEL: func @elu
// CHECK: %[[GE:.*]] = arith.cmpf oge
// CHECK: %[[E:.*]] = math.expm1
// CHECK: %[[S:.*]] = arith.mulf %[[E]]
// CHECK: arith.select %[[GE]], %{{.*}}, %[[S]] : f32
func.func @elu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.elu %x {alpha = 1.0 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// nn.selu is gamma * (x > 0 ? x : alpha * expm1(x)).
// CHECK-LABEL: func @selu
// CHECK: %[[GAMMA:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: %[[GT:.*]] = arith.cmpf ogt
// CHECK: math.expm1
// CHECK: %[[S:.*]] = arith.select %[[GT]]
// CHECK: arith.mulf %[[GAMMA]], %[[S]] : f32
func.func @selu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.selu %x {alpha = 1.5 : f64, gamma = 2.0 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// nn.celu is max(0, x) + min(0, alpha * expm1(x / alpha)).
// CHECK-LABEL: func @celu
// CHECK: %[[M:.*]] = arith.maximumf
// CHECK: arith.divf
// CHECK: math.expm1
// CHECK: %[[N:.*]] = arith.minimumf
// CHECK: arith.addf %[[M]], %[[N]] : f32
func.func @celu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.celu %x {alpha = 1.5 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// nn.hard_sigmoid clamps alpha * x + beta into [0, 1].
// CHECK-LABEL: func @hard_sigmoid
// CHECK: %[[ALPHA:.*]] = arith.constant 2.000000e-01 : f32
// CHECK: arith.mulf %{{.*}}, %[[ALPHA]]
// CHECK: %[[BETA:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: arith.addf %{{.*}}, %[[BETA]]
// CHECK: arith.minimumf
// CHECK: arith.maximumf
func.func @hard_sigmoid(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.hard_sigmoid %x {alpha = 0.2 : f64, beta = 0.5 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// nn.hard_swish is x * hard_sigmoid(x) with alpha 1/6 and beta 1/2.
// CHECK-LABEL: func @hard_swish
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: arith.constant 0.166666672 : f32
// CHECK: %[[HS:.*]] = arith.maximumf
// CHECK: arith.mulf %[[IN]], %[[HS]] : f32
func.func @hard_swish(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.hard_swish %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// nn.mish is x * tanh(softplus(x)), softplus in its stable form.
// CHECK-LABEL: func @mish
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: math.log1p
// CHECK: %[[T:.*]] = math.tanh
// CHECK: arith.mulf %[[IN]], %[[T]] : f32
func.func @mish(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.mish %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// nn.thresholded_relu keeps x where x > alpha, else 0.
// CHECK-LABEL: func @thresholded_relu
// CHECK: %[[ALPHA:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %{{.*}}, %[[ALPHA]]
// CHECK: arith.select %[[GT]]
func.func @thresholded_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.thresholded_relu %x {alpha = 1.0 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// nn.shrink: x + bias below -lambd, x - bias above lambd, else 0.
// CHECK-LABEL: func @shrink
// CHECK: %[[BELOW:.*]] = arith.cmpf olt, %{{.*}}, %{{.*}}
// CHECK: %[[ABOVE:.*]] = arith.cmpf ogt
// CHECK: %[[UP:.*]] = arith.subf
// CHECK: %[[ZU:.*]] = arith.select %[[ABOVE]], %[[UP]]
// CHECK: %[[DOWN:.*]] = arith.addf
// CHECK: arith.select %[[BELOW]], %[[DOWN]], %[[ZU]] : f32
func.func @shrink(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.shrink %x {lambd = 0.5 : f64, bias = 0.1 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// nn.clip clamps with max then min, signed integer forms for integers.
// CHECK-LABEL: func @clip
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK: arith.minimumf %{{.*}}, %{{.*}} : f32
// CHECK: %[[LO:.*]] = arith.maxsi %{{.*}}, %{{.*}} : i32
// CHECK: arith.minsi %[[LO]], %{{.*}} : i32
func.func @clip(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = nn.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<4xf32>
  %1 = nn.clip %i {min = 0.0 : f64, max = 6.0 : f64} : tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// -----

// nn.not flips a bool with xor true.
// CHECK-LABEL: func @not
// CHECK: %[[T:.*]] = arith.constant true
// CHECK: arith.xori %{{.*}}, %[[T]] : i1
func.func @not(%b: tensor<4xi1>) -> tensor<4xi1> {
  %0 = nn.not %b : tensor<4xi1>
  return %0 : tensor<4xi1>
}
