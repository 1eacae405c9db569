// RUN: kiln-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

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

// -----

// Broadcasting reads size-1 operand dimensions at index 0.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func @add_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
func.func @add_broadcast(%x: tensor<2x3xf32>, %y: tensor<1x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.add %x, %y : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A lower-rank operand aligns right: its map reads the trailing dims.
// CHECK-DAG: #[[TRAIL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @sub_rank_broadcast
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[TRAIL]], #{{.*}}]
// CHECK: arith.subf
func.func @sub_rank_broadcast(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = nn.sub %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.add is arith.addf on floats and arith.addi on integers.
// CHECK-LABEL: func @add
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.addf %[[A]], %[[B]] : f32
// CHECK: ^bb0(%[[C:.*]]: i64, %[[D:.*]]: i64, %{{.*}}: i64):
// CHECK-NEXT: arith.addi %[[C]], %[[D]] : i64
func.func @add(%x: tensor<4xf32>, %y: tensor<4xf32>, %i: tensor<4xi64>, %j: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xi64>) {
  %0 = nn.add %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.add %i, %j : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0, %1 : tensor<4xf32>, tensor<4xi64>
}

// -----

// nn.sub is arith.subf on floats and arith.subi on integers.
// CHECK-LABEL: func @sub
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.subf %[[A]], %[[B]] : f32
// CHECK: ^bb0(%[[C:.*]]: i64, %[[D:.*]]: i64, %{{.*}}: i64):
// CHECK-NEXT: arith.subi %[[C]], %[[D]] : i64
func.func @sub(%x: tensor<4xf32>, %y: tensor<4xf32>, %i: tensor<4xi64>, %j: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xi64>) {
  %0 = nn.sub %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.sub %i, %j : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0, %1 : tensor<4xf32>, tensor<4xi64>
}

// -----

// nn.mul is arith.mulf on floats and arith.muli on integers.
// CHECK-LABEL: func @mul
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.mulf %[[A]], %[[B]] : f32
// CHECK: ^bb0(%[[C:.*]]: i64, %[[D:.*]]: i64, %{{.*}}: i64):
// CHECK-NEXT: arith.muli %[[C]], %[[D]] : i64
func.func @mul(%x: tensor<4xf32>, %y: tensor<4xf32>, %i: tensor<4xi64>, %j: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xi64>) {
  %0 = nn.mul %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.mul %i, %j : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0, %1 : tensor<4xf32>, tensor<4xi64>
}

// -----

// nn.div is arith.divf on floats and arith.divsi on integers.
// CHECK-LABEL: func @div
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.divf %[[A]], %[[B]] : f32
// CHECK: ^bb0(%[[C:.*]]: i64, %[[D:.*]]: i64, %{{.*}}: i64):
// CHECK-NEXT: arith.divsi %[[C]], %[[D]] : i64
func.func @div(%x: tensor<4xf32>, %y: tensor<4xf32>, %i: tensor<4xi64>, %j: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xi64>) {
  %0 = nn.div %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.div %i, %j : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0, %1 : tensor<4xf32>, tensor<4xi64>
}

// -----

// nn.max is arith.maximumf on floats and arith.maxsi on integers.
// CHECK-LABEL: func @max
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.maximumf %[[A]], %[[B]] : f32
// CHECK: ^bb0(%[[C:.*]]: i64, %[[D:.*]]: i64, %{{.*}}: i64):
// CHECK-NEXT: arith.maxsi %[[C]], %[[D]] : i64
func.func @max(%x: tensor<4xf32>, %y: tensor<4xf32>, %i: tensor<4xi64>, %j: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xi64>) {
  %0 = nn.max %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.max %i, %j : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0, %1 : tensor<4xf32>, tensor<4xi64>
}

// -----

// nn.min is arith.minimumf on floats and arith.minsi on integers.
// CHECK-LABEL: func @min
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.minimumf %[[A]], %[[B]] : f32
// CHECK: ^bb0(%[[C:.*]]: i64, %[[D:.*]]: i64, %{{.*}}: i64):
// CHECK-NEXT: arith.minsi %[[C]], %[[D]] : i64
func.func @min(%x: tensor<4xf32>, %y: tensor<4xf32>, %i: tensor<4xi64>, %j: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xi64>) {
  %0 = nn.min %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = nn.min %i, %j : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0, %1 : tensor<4xf32>, tensor<4xi64>
}

// -----

// nn.pow with an integer base is computed in f64 and truncated back; a float
// base takes an integer exponent converted to its type.
// CHECK-LABEL: func @pow
// CHECK: arith.sitofp %{{.*}} : i32 to f64
// CHECK: arith.sitofp %{{.*}} : i32 to f64
// CHECK: %[[P:.*]] = math.powf %{{.*}}, %{{.*}} : f64
// CHECK: arith.fptosi %[[P]] : f64 to i32
// CHECK: %[[E:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK: math.powf %{{.*}}, %[[E]] : f32
func.func @pow(%a: tensor<3xi32>, %x: tensor<3xf32>, %n: tensor<3xi64>) -> (tensor<3xi32>, tensor<3xf32>) {
  %0 = nn.pow %a, %a : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  %1 = nn.pow %x, %n : (tensor<3xf32>, tensor<3xi64>) -> tensor<3xf32>
  return %0, %1 : tensor<3xi32>, tensor<3xf32>
}

// -----

// Integer nn.mod without fmod adds the divisor to a non-zero remainder whose
// sign differs from it (floored); float mod is the truncated remainder.
// CHECK-LABEL: func @mod
// CHECK: %[[R:.*]] = arith.remsi
// CHECK: %[[NZ:.*]] = arith.cmpi ne, %[[R]]
// CHECK: %[[DIFF:.*]] = arith.xori
// CHECK: %[[ADJ:.*]] = arith.andi %[[NZ]], %[[DIFF]]
// CHECK: %[[SUM:.*]] = arith.addi %[[R]]
// CHECK: arith.select %[[ADJ]], %[[SUM]], %[[R]] : i32
// CHECK: arith.remf
func.func @mod(%a: tensor<4xi32>, %b: tensor<4xi32>, %x: tensor<4xf32>) -> (tensor<4xi32>, tensor<4xf32>) {
  %0 = nn.mod %a, %b {fmod = false} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = nn.mod %x, %x {fmod = true} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xi32>, tensor<4xf32>
}

// -----

// nn.prelu selects x or slope * x with the slope broadcast.
// CHECK-DAG: #[[SLOPE:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @prelu
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[SLOPE]], #{{.*}}]
// CHECK: ^bb0(%[[X:.*]]: f32, %[[S:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[GE:.*]] = arith.cmpf oge, %[[X]]
// CHECK: %[[M:.*]] = arith.mulf %[[X]], %[[S]]
// CHECK: arith.select %[[GE]], %[[X]], %[[M]] : f32
func.func @prelu(%x: tensor<2x3xf32>, %s: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = nn.prelu %x, %s : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.equal is an ordered float compare (oeq) or a signed integer one (eq),
// yielding i1.
// CHECK-LABEL: func @equal
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4xi1>)
// CHECK: arith.cmpf oeq, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpi eq, %{{.*}}, %{{.*}} : i32
func.func @equal(%x: tensor<4xf32>, %y: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xi1>, tensor<4xi1>) {
  %0 = nn.equal %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = nn.equal %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  return %0, %1 : tensor<4xi1>, tensor<4xi1>
}

// -----

// nn.less is an ordered float compare (olt) or a signed integer one (slt),
// yielding i1.
// CHECK-LABEL: func @less
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4xi1>)
// CHECK: arith.cmpf olt, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpi slt, %{{.*}}, %{{.*}} : i32
func.func @less(%x: tensor<4xf32>, %y: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xi1>, tensor<4xi1>) {
  %0 = nn.less %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = nn.less %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  return %0, %1 : tensor<4xi1>, tensor<4xi1>
}

// -----

// nn.less_equal is an ordered float compare (ole) or a signed integer one (sle),
// yielding i1.
// CHECK-LABEL: func @less_equal
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4xi1>)
// CHECK: arith.cmpf ole, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpi sle, %{{.*}}, %{{.*}} : i32
func.func @less_equal(%x: tensor<4xf32>, %y: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xi1>, tensor<4xi1>) {
  %0 = nn.less_equal %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = nn.less_equal %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  return %0, %1 : tensor<4xi1>, tensor<4xi1>
}

// -----

// nn.greater is an ordered float compare (ogt) or a signed integer one (sgt),
// yielding i1.
// CHECK-LABEL: func @greater
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4xi1>)
// CHECK: arith.cmpf ogt, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpi sgt, %{{.*}}, %{{.*}} : i32
func.func @greater(%x: tensor<4xf32>, %y: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xi1>, tensor<4xi1>) {
  %0 = nn.greater %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = nn.greater %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  return %0, %1 : tensor<4xi1>, tensor<4xi1>
}

// -----

// nn.greater_equal is an ordered float compare (oge) or a signed integer one (sge),
// yielding i1.
// CHECK-LABEL: func @greater_equal
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4xi1>)
// CHECK: arith.cmpf oge, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpi sge, %{{.*}}, %{{.*}} : i32
func.func @greater_equal(%x: tensor<4xf32>, %y: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xi1>, tensor<4xi1>) {
  %0 = nn.greater_equal %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = nn.greater_equal %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  return %0, %1 : tensor<4xi1>, tensor<4xi1>
}

// -----

// nn.and on bools is arith.andi.
// CHECK-LABEL: func @and
// CHECK: ^bb0(%[[A:.*]]: i1, %[[B:.*]]: i1, %{{.*}}: i1):
// CHECK-NEXT: arith.andi %[[A]], %[[B]] : i1
func.func @and(%a: tensor<4xi1>, %b: tensor<4xi1>) -> tensor<4xi1> {
  %0 = nn.and %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// nn.or on bools is arith.ori.
// CHECK-LABEL: func @or
// CHECK: ^bb0(%[[A:.*]]: i1, %[[B:.*]]: i1, %{{.*}}: i1):
// CHECK-NEXT: arith.ori %[[A]], %[[B]] : i1
func.func @or(%a: tensor<4xi1>, %b: tensor<4xi1>) -> tensor<4xi1> {
  %0 = nn.or %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// nn.xor on bools is arith.xori.
// CHECK-LABEL: func @xor
// CHECK: ^bb0(%[[A:.*]]: i1, %[[B:.*]]: i1, %{{.*}}: i1):
// CHECK-NEXT: arith.xori %[[A]], %[[B]] : i1
func.func @xor(%a: tensor<4xi1>, %b: tensor<4xi1>) -> tensor<4xi1> {
  %0 = nn.xor %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// nn.where is a select over the three broadcast operands.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @where
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ROW]], #[[ID]]]
// CHECK: ^bb0(%[[C:.*]]: i1, %[[T:.*]]: f32, %[[E:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.select %[[C]], %[[T]], %[[E]] : f32
func.func @where(%c: tensor<2x3xi1>, %x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = nn.where %c, %x, %y : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.is_nan is the unordered compare of x with itself.
// CHECK-LABEL: func @is_nan
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: i1):
// CHECK-NEXT: arith.cmpf uno, %[[IN]], %[[IN]] : f32
func.func @is_nan(%x: tensor<4xf32>) -> tensor<4xi1> {
  %0 = nn.is_nan %x : (tensor<4xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// nn.is_inf ors the compares with the infinities it detects: here only +inf.
// CHECK-LABEL: func @is_inf
// CHECK: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: %[[EQ:.*]] = arith.cmpf oeq, %{{.*}}, %[[INF]] : f32
// CHECK: arith.ori %{{.*}}, %[[EQ]] : i1
// CHECK-NOT: 0xFF800000
func.func @is_inf(%x: tensor<4xf32>) -> tensor<4xi1> {
  %0 = nn.is_inf %x {detect_positive = true, detect_negative = false} : (tensor<4xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// nn.cast converts elements: float to signed integer, and to bool as the
// compare with zero.
// CHECK-LABEL: func @cast
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.cmpf une, %{{.*}}, %{{.*}} : f32
// CHECK: arith.uitofp %{{.*}} : i1 to f32
func.func @cast(%x: tensor<4xf32>, %b: tensor<4xi1>) -> (tensor<4xi32>, tensor<4xi1>, tensor<4xf32>) {
  %0 = nn.cast %x : (tensor<4xf32>) -> tensor<4xi32>
  %1 = nn.cast %x : (tensor<4xf32>) -> tensor<4xi1>
  %2 = nn.cast %b : (tensor<4xi1>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xi32>, tensor<4xi1>, tensor<4xf32>
}

// -----

// nn.trilu compares j - i with k read from its 0-d tensor and keeps the
// element or yields zero.
// CHECK-LABEL: func @trilu
// CHECK: linalg.generic
// CHECK: %[[I:.*]] = linalg.index 0
// CHECK: %[[J:.*]] = linalg.index 1
// CHECK: %[[K:.*]] = tensor.extract %arg1[] : tensor<i64>
// CHECK: %[[D:.*]] = arith.subi
// CHECK: %[[KEEP:.*]] = arith.cmpi sge, %[[D]], %[[K]]
// CHECK: arith.select %[[KEEP]]
func.func @trilu(%x: tensor<4x5xf32>, %k: tensor<i64>) -> tensor<4x5xf32> {
  %0 = nn.trilu %x, %k {upper = true} : (tensor<4x5xf32>, tensor<i64>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}
