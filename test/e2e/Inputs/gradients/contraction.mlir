// Matmul, gemm and einsum gradient rules, checked by test/e2e/gradcheck.py.
// gradcheck: einsum_sums i=int:-2:3

func.func @matmul_2d(%a: tensor<3x4xf64> {kiln.name = "a"}, %b: tensor<4x5xf64> {kiln.name = "b"}) -> tensor<3x5xf64> {
  %0 = nn.matmul %a, %b : (tensor<3x4xf64>, tensor<4x5xf64>) -> tensor<3x5xf64>
  return %0 : tensor<3x5xf64>
}

func.func @matmul_batched(%a: tensor<2x3x4xf64> {kiln.name = "a"}, %b: tensor<2x4x5xf64> {kiln.name = "b"}) -> tensor<2x3x5xf64> {
  %0 = nn.matmul %a, %b : (tensor<2x3x4xf64>, tensor<2x4x5xf64>) -> tensor<2x3x5xf64>
  return %0 : tensor<2x3x5xf64>
}

// A shared 2-D rhs under a batched lhs (a linear layer on [B, T, K] rows).
func.func @matmul_shared_rhs(%a: tensor<2x3x3x4xf64> {kiln.name = "a"}, %b: tensor<4x2xf64> {kiln.name = "b"}) -> tensor<2x3x3x2xf64> {
  %0 = nn.matmul %a, %b : (tensor<2x3x3x4xf64>, tensor<4x2xf64>) -> tensor<2x3x3x2xf64>
  return %0 : tensor<2x3x3x2xf64>
}

// Batch dims that broadcast both ways: [2, 1] against [3].
func.func @matmul_broadcast(%a: tensor<2x1x3x4xf64> {kiln.name = "a"}, %b: tensor<3x4x2xf64> {kiln.name = "b"}) -> tensor<2x3x3x2xf64> {
  %0 = nn.matmul %a, %b : (tensor<2x1x3x4xf64>, tensor<3x4x2xf64>) -> tensor<2x3x3x2xf64>
  return %0 : tensor<2x3x3x2xf64>
}

// 2-D lhs under a batched rhs.
func.func @matmul_shared_lhs(%a: tensor<3x4xf64> {kiln.name = "a"}, %b: tensor<2x4x5xf64> {kiln.name = "b"}) -> tensor<2x3x5xf64> {
  %0 = nn.matmul %a, %b : (tensor<3x4xf64>, tensor<2x4x5xf64>) -> tensor<2x3x5xf64>
  return %0 : tensor<2x3x5xf64>
}

// 1-D operands per numpy: vector-matrix, matrix-vector, batched, dot.
func.func @matmul_vectors(%v: tensor<4xf64> {kiln.name = "v"}, %m: tensor<4x3xf64> {kiln.name = "m"}, %n: tensor<2x5x4xf64> {kiln.name = "n"}, %u: tensor<4xf64> {kiln.name = "u"}, %p: tensor<2x4x5xf64> {kiln.name = "p"}) -> (tensor<3xf64>, tensor<2x5xf64>, tensor<f64>, tensor<2x2x3xf64>) {
  %0 = nn.matmul %v, %m : (tensor<4xf64>, tensor<4x3xf64>) -> tensor<3xf64>
  %1 = nn.matmul %n, %u : (tensor<2x5x4xf64>, tensor<4xf64>) -> tensor<2x5xf64>
  %2 = nn.matmul %v, %u : (tensor<4xf64>, tensor<4xf64>) -> tensor<f64>
  %3 = nn.matmul %u, %p : (tensor<4xf64>, tensor<2x4x5xf64>) -> tensor<2x5xf64>
  %4 = nn.matmul %3, %n : (tensor<2x5xf64>, tensor<2x5x4xf64>) -> tensor<2x2x4xf64>
  %5 = nn.matmul %4, %m : (tensor<2x2x4xf64>, tensor<4x3xf64>) -> tensor<2x2x3xf64>
  return %0, %1, %2, %5 : tensor<3xf64>, tensor<2x5xf64>, tensor<f64>, tensor<2x2x3xf64>
}

func.func @gemm_plain(%a: tensor<3x4xf64> {kiln.name = "a"}, %b: tensor<4x5xf64> {kiln.name = "b"}, %c: tensor<3x5xf64> {kiln.name = "c"}) -> tensor<3x5xf64> {
  %0 = nn.gemm %a, %b, %c {alpha = 1.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = false}
      : (tensor<3x4xf64>, tensor<4x5xf64>, tensor<3x5xf64>) -> tensor<3x5xf64>
  return %0 : tensor<3x5xf64>
}

// Every transpose combination, alpha and beta, C broadcast from [N], [M, 1] and a scalar.
func.func @gemm_trans(%a: tensor<3x4xf64> {kiln.name = "a"}, %at: tensor<4x3xf64> {kiln.name = "at"}, %b: tensor<4x5xf64> {kiln.name = "b"}, %bt: tensor<5x4xf64> {kiln.name = "bt"}, %c: tensor<5xf64> {kiln.name = "c"}, %d: tensor<3x1xf64> {kiln.name = "d"}, %s: tensor<f64> {kiln.name = "s"}) -> (tensor<3x5xf64>, tensor<3x5xf64>, tensor<3x5xf64>, tensor<3x5xf64>) {
  %0 = nn.gemm %at, %b, %c {alpha = 0.5 : f64, beta = 2.0 : f64, trans_a = true, trans_b = false}
      : (tensor<4x3xf64>, tensor<4x5xf64>, tensor<5xf64>) -> tensor<3x5xf64>
  %1 = nn.gemm %a, %bt, %d {alpha = -1.5 : f64, beta = 0.25 : f64, trans_a = false, trans_b = true}
      : (tensor<3x4xf64>, tensor<5x4xf64>, tensor<3x1xf64>) -> tensor<3x5xf64>
  %2 = nn.gemm %at, %bt, %s {alpha = 2.0 : f64, beta = -1.0 : f64, trans_a = true, trans_b = true}
      : (tensor<4x3xf64>, tensor<5x4xf64>, tensor<f64>) -> tensor<3x5xf64>
  %3 = nn.gemm %a, %b {alpha = 3.0 : f64, beta = 1.0 : f64, trans_a = false, trans_b = false}
      : (tensor<3x4xf64>, tensor<4x5xf64>) -> tensor<3x5xf64>
  return %0, %1, %2, %3 : tensor<3x5xf64>, tensor<3x5xf64>, tensor<3x5xf64>, tensor<3x5xf64>
}

// Batched matmul, transpose, matrix-vector and outer product as einsums.
func.func @einsum_products(%a: tensor<2x3x4xf64> {kiln.name = "a"}, %b: tensor<2x4x5xf64> {kiln.name = "b"}, %m: tensor<3x4xf64> {kiln.name = "m"}, %v: tensor<4xf64> {kiln.name = "v"}) -> (tensor<2x3x5xf64>, tensor<4x3xf64>, tensor<3xf64>, tensor<4x3x4xf64>) {
  %0 = nn.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<2x3x4xf64>, tensor<2x4x5xf64>) -> tensor<2x3x5xf64>
  %1 = nn.einsum %m {equation = "ij->ji"} : (tensor<3x4xf64>) -> tensor<4x3xf64>
  %2 = nn.einsum %m, %v {equation = "ij,j->i"} : (tensor<3x4xf64>, tensor<4xf64>) -> tensor<3xf64>
  %3 = nn.einsum %v, %m {equation = "k,ij->kij"} : (tensor<4xf64>, tensor<3x4xf64>) -> tensor<4x3x4xf64>
  return %0, %1, %2, %3 : tensor<2x3x5xf64>, tensor<4x3xf64>, tensor<3xf64>, tensor<4x3x4xf64>
}

// Letters summed within one operand only (k in b, everything in the total),
// three operands, and a diagonal in an operand that is not differentiated.
func.func @einsum_sums(%a: tensor<3x4xf64> {kiln.name = "a"}, %b: tensor<4x2xf64> {kiln.name = "b"}, %c: tensor<3x2xf64> {kiln.name = "c"}, %i: tensor<3x3xi64> {kiln.name = "i"}) -> (tensor<3xf64>, tensor<f64>, tensor<2xf64>, tensor<3xf64>) {
  %0 = nn.einsum %a, %b {equation = "ij,jk->i"} : (tensor<3x4xf64>, tensor<4x2xf64>) -> tensor<3xf64>
  %1 = nn.einsum %a {equation = "ij->"} : (tensor<3x4xf64>) -> tensor<f64>
  %2 = nn.einsum %a, %b, %c {equation = "ij,jk,ik->k"} : (tensor<3x4xf64>, tensor<4x2xf64>, tensor<3x2xf64>) -> tensor<2xf64>
  %d = nn.cast %i : (tensor<3x3xi64>) -> tensor<3x3xf64>
  %3 = nn.einsum %d, %c {equation = "ii,ik->i"} : (tensor<3x3xf64>, tensor<3x2xf64>) -> tensor<3xf64>
  return %0, %1, %2, %3 : tensor<3xf64>, tensor<f64>, tensor<2xf64>, tensor<3xf64>
}
