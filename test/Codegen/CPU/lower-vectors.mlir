// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-lower-vectors))' | FileCheck %s

// The accumulator's read and write leave the reduction loop, which then
// carries it in registers; the 6x1 by 1x16 contraction becomes six
// broadcast-and-FMA rows.
// CHECK-LABEL: func.func @contract
// CHECK: %[[ACC:.*]] = vector.transfer_read %arg2
// CHECK: %[[R:.*]] = scf.for {{.*}} iter_args(%[[IT:.*]] = %[[ACC]]) -> (vector<6x16xf32>)
// CHECK-COUNT-6: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: scf.yield
// CHECK: vector.transfer_write %[[R]], %arg2
// CHECK-NOT: vector.contract
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>
func.func @contract(%a: memref<6x128xf32>, %b: memref<128x16xf32>, %c: memref<6x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %pad = arith.constant 0.0 : f32
  scf.for %k = %c0 to %c128 step %c1 {
    %acc = vector.transfer_read %c[%c0, %c0], %pad {in_bounds = [true, true]} : memref<6x16xf32>, vector<6x16xf32>
    %va = vector.transfer_read %a[%c0, %k], %pad {in_bounds = [true, true]} : memref<6x128xf32>, vector<6x1xf32>
    %vb = vector.transfer_read %b[%k, %c0], %pad {in_bounds = [true, true]} : memref<128x16xf32>, vector<1x16xf32>
    %r = vector.contract {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %va, %vb, %acc : vector<6x1xf32>, vector<1x16xf32> into vector<6x16xf32>
    vector.transfer_write %r, %c[%c0, %c0] {in_bounds = [true, true]} : vector<6x16xf32>, memref<6x16xf32>
  }
  return
}

// Reductions along the innermost dimension become horizontal reductions.
// CHECK-LABEL: func.func @row_max
// CHECK: vector.reduction <maxnumf>
// CHECK-NOT: vector.multi_reduction
func.func @row_max(%x: vector<4x16xf32>, %acc: vector<4xf32>) -> vector<4xf32> {
  %r = vector.multi_reduction <maxnumf>, %x, %acc [1] : vector<4x16xf32> to vector<4xf32>
  return %r : vector<4xf32>
}

// A contraction whose only reduction dim has size 1 and whose operands are
// indexed like the accumulator (batch norm's `sum(dy * x_hat)` block) is one
// vector FMA, not 16 scalar multiply-adds with extracts and inserts.
// CHECK-LABEL: func.func @unit_reduction_contract
// CHECK-DAG: %[[A:.*]] = vector.extract %arg0[0] : vector<16xf32> from vector<1x16xf32>
// CHECK-DAG: %[[B:.*]] = vector.extract %arg1[0] : vector<16xf32> from vector<1x16xf32>
// CHECK: %[[R:.*]] = vector.fma %[[A]], %[[B]], %arg2 : vector<16xf32>
// CHECK-NEXT: return %[[R]]
#elem = affine_map<(k, n) -> (k, n)>
#sum = affine_map<(k, n) -> (n)>
func.func @unit_reduction_contract(%a: vector<1x16xf32>, %b: vector<1x16xf32>, %acc: vector<16xf32>) -> vector<16xf32> {
  %r = vector.contract {indexing_maps = [#elem, #elem, #sum], iterator_types = ["reduction", "parallel"], kind = #vector.kind<add>} %a, %b, %acc : vector<1x16xf32>, vector<1x16xf32> into vector<16xf32>
  return %r : vector<16xf32>
}

// The same with integers: a multiply and an add.
// CHECK-LABEL: func.func @unit_reduction_contract_int
// CHECK: %[[P:.*]] = arith.muli
// CHECK: %[[R:.*]] = arith.addi %arg2, %[[P]] : vector<8xi32>
// CHECK-NOT: vector.extract
func.func @unit_reduction_contract_int(%a: vector<1x8xi32>, %b: vector<1x8xi32>, %acc: vector<8xi32>) -> vector<8xi32> {
  %r = vector.contract {indexing_maps = [#elem, #elem, #sum], iterator_types = ["reduction", "parallel"], kind = #vector.kind<add>} %a, %b, %acc : vector<1x8xi32>, vector<1x8xi32> into vector<8xi32>
  return %r : vector<8xi32>
}

// Operands indexed unlike the accumulator (a transposed operand) are left to
// the upstream lowering.
// CHECK-LABEL: func.func @unit_reduction_transposed
// CHECK-NOT: vector.fma {{.*}} : vector<4x4xf32>
#t = affine_map<(k, m, n) -> (k, n, m)>
#e3 = affine_map<(k, m, n) -> (k, m, n)>
#s3 = affine_map<(k, m, n) -> (m, n)>
func.func @unit_reduction_transposed(%a: vector<1x4x4xf32>, %b: vector<1x4x4xf32>, %acc: vector<4x4xf32>) -> vector<4x4xf32> {
  %r = vector.contract {indexing_maps = [#t, #e3, #s3], iterator_types = ["reduction", "parallel", "parallel"], kind = #vector.kind<add>} %a, %b, %acc : vector<1x4x4xf32>, vector<1x4x4xf32> into vector<4x4xf32>
  return %r : vector<4x4xf32>
}

// A vector tanh becomes arithmetic (upstream's polynomial approximation);
// a scalar one stays math.tanh (a libm call later).
// CHECK-LABEL: func.func @tanh
// CHECK-NOT: math.tanh {{.*}} : vector
// CHECK: arith.divf {{.*}} : vector<16xf32>
// CHECK: math.tanh %{{.*}} : f32
func.func @tanh(%v: vector<16xf32>, %s: f32) -> (vector<16xf32>, f32) {
  %a = math.tanh %v : vector<16xf32>
  %b = math.tanh %s : f32
  return %a, %b : vector<16xf32>, f32
}

// -----

// A masked accumulator (a partial column block) read and written through the
// subview of its tile: the subview is folded into the transfers' indices, so
// the read and the write move out of the reduction loop like unmasked ones.
// CHECK-LABEL: func.func @masked_accumulator_hoisted(
// CHECK: %[[MASK:.*]] = vector.create_mask %c8, %{{.*}} : vector<8x16xi1>
// CHECK: %[[ACC:.*]] = vector.transfer_read %{{.*}}[%c0, %{{.*}}], %{{.*}}, %[[MASK]]
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[ACC]])
// CHECK-NOT: vector.transfer_write
// CHECK: scf.yield
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%c0, %{{.*}}], %[[MASK]]
func.func @masked_accumulator_hoisted(%b: memref<64x16xf32>, %c: memref<8x?xf32>, %j: index, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %cst = arith.constant 0.0 : f32
  %sub = memref.subview %c[0, %j] [8, %n] [1, 1] : memref<8x?xf32> to memref<8x?xf32, strided<[?, 1], offset: ?>>
  scf.for %k = %c0 to %c64 step %c1 {
    %m = vector.create_mask %c8, %n : vector<8x16xi1>
    %acc = vector.transfer_read %sub[%c0, %c0], %cst, %m {in_bounds = [true, true]} : memref<8x?xf32, strided<[?, 1], offset: ?>>, vector<8x16xf32>
    %row = vector.transfer_read %b[%k, %c0], %cst {in_bounds = [true]} : memref<64x16xf32>, vector<16xf32>
    %rows = vector.broadcast %row : vector<16xf32> to vector<8x16xf32>
    %sum = arith.addf %acc, %rows : vector<8x16xf32>
    vector.transfer_write %sum, %sub[%c0, %c0], %m {in_bounds = [true, true]} : vector<8x16xf32>, memref<8x?xf32, strided<[?, 1], offset: ?>>
  }
  return
}
