// RUN: kiln-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s

// Binary, comparison, logic, select, cast and mask ops (Elementwise.cpp).

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

// nn.div is arith.divf on floats and arith.divsi on integers, whose divisor
// 0 or -1 is replaced by 1 first (no trap); those lanes then select 0 and -x.
// CHECK-LABEL: func @div
// CHECK: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.divf %[[A]], %[[B]] : f32
// CHECK: ^bb0(%[[C:.*]]: i64, %[[D:.*]]: i64, %{{.*}}: i64):
// CHECK: %[[ZERO:.*]] = arith.cmpi eq, %[[D]], %{{.*}} : i64
// CHECK: %[[MONE:.*]] = arith.cmpi eq, %[[D]], %{{.*}} : i64
// CHECK: arith.addi
// CHECK: %[[SAFE:.*]] = arith.addi
// CHECK: %[[Q:.*]] = arith.divsi %[[C]], %[[SAFE]] : i64
// CHECK: %[[NEG:.*]] = arith.subi %{{.*}}, %[[C]] : i64
// CHECK: %[[R:.*]] = arith.select %[[MONE]], %[[NEG]], %[[Q]] : i64
// CHECK: arith.select %[[ZERO]], %{{.*}}, %[[R]] : i64
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

// nn.pow with an integer base and exponent squares the base and multiplies
// it in by each bit of the exponent (exact, wrapping), not through f64; a
// float base takes an integer exponent converted to its type.
// CHECK-LABEL: func @pow
// CHECK: ^bb0(%[[A:.*]]: i32, %[[N:.*]]: i32, %{{.*}}: i32):
// CHECK-NOT: math.powf
// CHECK: arith.andi %[[N]], %{{.*}} : i32
// CHECK: arith.muli %{{.*}}, %[[A]] : i32
// CHECK: arith.muli %[[A]], %[[A]] : i32
// CHECK: arith.shrui %[[N]], %{{.*}} : i32
// CHECK-NOT: math.powf
// CHECK: linalg.yield
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
// CHECK: arith.remsi
// CHECK: arith.select
// CHECK: %[[R:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : i32
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
