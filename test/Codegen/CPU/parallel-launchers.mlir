// RUN: kiln-opt %s --kiln-emit-parallel-launchers | FileCheck %s

// The launcher stores its captures in a stack context and hands the
// trampoline to the runtime's pool, or runs it over [0, n) itself when no
// runtime is linked (the weak reference is null). The trampoline loads the
// captures and calls the body for each index of its range; it is never
// inlined into the launcher's serial branch.
// The body, called only by the trampoline, becomes internal and is never
// inlined either.
// CHECK: llvm.func internal @body(
// CHECK-SAME: no_inline
// CHECK: llvm.func internal @body_launch(%[[N:.*]]: i64, %[[P:.*]]: !llvm.ptr, %[[X:.*]]: f32)
// CHECK: %[[CTX:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(ptr, f32)>
// CHECK: llvm.store %[[P]]
// CHECK: llvm.store %[[X]]
// CHECK: %[[RT:.*]] = llvm.mlir.addressof @kiln_parallel_for
// CHECK: llvm.icmp "eq" %[[RT]]
// CHECK: llvm.call @kiln_parallel_for(%[[N]], %{{.*}}, %[[CTX]])
// CHECK: llvm.call @body_launch_range(%{{.*}}, %[[N]], %[[CTX]])
// CHECK: llvm.func internal @body_launch_range(%[[B:.*]]: i64, %[[E:.*]]: i64, %[[C:.*]]: !llvm.ptr)
// CHECK-SAME: no_inline
// CHECK: llvm.load
// CHECK: llvm.load
// CHECK: llvm.icmp "slt"
// CHECK: llvm.call @body(
// CHECK: llvm.func extern_weak @kiln_parallel_for(i64, !llvm.ptr, !llvm.ptr)
module {
  llvm.func @body(%i: i64, %p: !llvm.ptr, %x: f32) {
    llvm.return
  }
  llvm.func @body_launch(i64, !llvm.ptr, f32) attributes {kiln.parallel_body = @body}
}
