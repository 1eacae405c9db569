// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(nn-shorten-live-ranges))' | FileCheck %s

// %b (a transpose: a buffer of its own) is first used by %d, after %c; its
// input %y is used again by %e, so computing %b just before %d keeps nothing
// live longer and frees its 4096 bytes while %c is computed.
// CHECK-LABEL: func.func @sink_past_unrelated
// CHECK: %[[A:.*]] = nn.relu %{{.*}}
// CHECK-NEXT: %[[C:.*]] = nn.neg %[[A]]
// CHECK-NEXT: %[[B:.*]] = nn.transpose %{{.*}}
// CHECK-NEXT: nn.add %[[B]], %[[C]]
func.func @sink_past_unrelated(%x: tensor<32x32xf32>, %y: tensor<32x32xf32>) -> tensor<32x32xf32> {
  %a = nn.relu %x : tensor<32x32xf32>
  %b = nn.transpose %y {perm = array<i64: 1, 0>} : (tensor<32x32xf32>) -> tensor<32x32xf32>
  %c = nn.neg %a : tensor<32x32xf32>
  %d = nn.add %b, %c : (tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<32x32xf32>
  %e = nn.mul %d, %y : (tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<32x32xf32>
  return %e : tensor<32x32xf32>
}

// -----

// A chain whose inner values only it uses moves as one group, in order
// (alone, its last reshape frees nothing); the transpose %s stays, since
// moving it would keep %a, which it is the last to read, as long.
// CHECK-LABEL: func.func @sink_chain
// CHECK: nn.abs
// CHECK-NEXT: nn.neg
// CHECK-NEXT: nn.transpose %[[A:.*]] {
// CHECK-NEXT: nn.transpose
// CHECK-NEXT: nn.reshape
// CHECK-NEXT: nn.neg
// CHECK-NEXT: nn.reshape
// CHECK-NEXT: nn.add
func.func @sink_chain(%x: tensor<32x32xf32>, %y: tensor<32x32xf32>) -> (tensor<32x32xf32>, tensor<32x32xf32>) {
  %a = nn.abs %x : tensor<32x32xf32>
  %v = nn.neg %a : tensor<32x32xf32>
  %t = nn.transpose %y {perm = array<i64: 1, 0>} : (tensor<32x32xf32>) -> tensor<32x32xf32>
  %r = nn.reshape %t : (tensor<32x32xf32>) -> tensor<1024xf32>
  %n = nn.neg %r : tensor<1024xf32>
  %s = nn.transpose %a {perm = array<i64: 1, 0>} : (tensor<32x32xf32>) -> tensor<32x32xf32>
  %flat = nn.reshape %n : (tensor<1024xf32>) -> tensor<32x32xf32>
  %sum = nn.add %s, %flat : (tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<32x32xf32>
  %out = nn.mul %sum, %y : (tensor<32x32xf32>, tensor<32x32xf32>) -> tensor<32x32xf32>
  return %out, %v : tensor<32x32xf32>, tensor<32x32xf32>
}

// -----

// Moving %b down (with the view %r only it uses) would keep %t (4096
// bytes, last read through %r) live longer to free %b's 4: it stays.
// CHECK-LABEL: func.func @keep_when_inputs_die
// CHECK: nn.matmul
// CHECK-NEXT: nn.relu
// CHECK-NEXT: nn.add
func.func @keep_when_inputs_die(%x: tensor<1024xf32>, %w: tensor<1024x1xf32>, %s: tensor<1x1xf32>) -> (tensor<1x1xf32>, tensor<1024xf32>) {
  %t = nn.exp %x : tensor<1024xf32>
  %u = nn.sqrt %t : tensor<1024xf32>
  %r = nn.reshape %t : (tensor<1024xf32>) -> tensor<1x1024xf32>
  %b = nn.matmul %r, %w : (tensor<1x1024xf32>, tensor<1024x1xf32>) -> tensor<1x1xf32>
  %c = nn.relu %s : tensor<1x1xf32>
  %d = nn.add %b, %c : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  return %d, %u : tensor<1x1xf32>, tensor<1024xf32>
}
