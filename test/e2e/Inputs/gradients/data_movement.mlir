// Data movement and gather gradient rules, checked by test/e2e/gradcheck.py.
// gradcheck: gather_repeated ids=int:0:5
// gradcheck: gather_axis1_negative ids=int:-4:4
// gradcheck: gather_elements ids=int:-4:4
// gradcheck: gather_nd ids=int:0:3

func.func @reshape_flatten_transpose(%x: tensor<2x3x4xf64> {kiln.name = "x"}) -> (tensor<24xf64>, tensor<4x6xf64>) {
  %0 = nn.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf64>) -> tensor<4x2x3xf64>
  %1 = nn.flatten %0 {axis = 1 : i64} : (tensor<4x2x3xf64>) -> tensor<4x6xf64>
  %2 = nn.reshape %1 : (tensor<4x6xf64>) -> tensor<24xf64>
  %3 = nn.mul %1, %1 : (tensor<4x6xf64>, tensor<4x6xf64>) -> tensor<4x6xf64>
  return %2, %3 : tensor<24xf64>, tensor<4x6xf64>
}

func.func @concat(%a: tensor<2x2xf64> {kiln.name = "a"}, %b: tensor<2x3xf64> {kiln.name = "b"}) -> tensor<2x7xf64> {
  %0 = nn.concat %a, %b, %a {axis = -1 : i64} : (tensor<2x2xf64>, tensor<2x3xf64>, tensor<2x2xf64>) -> tensor<2x7xf64>
  %1 = nn.mul %0, %0 : (tensor<2x7xf64>, tensor<2x7xf64>) -> tensor<2x7xf64>
  return %1 : tensor<2x7xf64>
}

// Positive and negative strides, a stride whose window ends at the border,
// and a plain window.
func.func @slice(%x: tensor<5x7xf64> {kiln.name = "x"}) -> (tensor<2x3xf64>, tensor<3x2xf64>, tensor<2x4xf64>) {
  %0 = nn.slice %x {offsets = array<i64: 4, 1>, sizes = array<i64: 2, 3>, strides = array<i64: -2, 2>} : (tensor<5x7xf64>) -> tensor<2x3xf64>
  %1 = nn.slice %x {offsets = array<i64: 0, 6>, sizes = array<i64: 3, 2>, strides = array<i64: 2, -3>} : (tensor<5x7xf64>) -> tensor<3x2xf64>
  %2 = nn.slice %x {offsets = array<i64: 1, 2>, sizes = array<i64: 2, 4>, strides = array<i64: 1, 1>} : (tensor<5x7xf64>) -> tensor<2x4xf64>
  %3 = nn.mul %2, %2 : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x4xf64>
  return %0, %1, %3 : tensor<2x3xf64>, tensor<3x2xf64>, tensor<2x4xf64>
}

func.func @pad(%x: tensor<2x3xf64> {kiln.name = "x"}) -> tensor<3x5xf64> {
  %0 = nn.pad %x {low = array<i64: 1, 0>, high = array<i64: 0, 2>, value = 1.5 : f64} : (tensor<2x3xf64>) -> tensor<3x5xf64>
  %1 = nn.mul %0, %0 : (tensor<3x5xf64>, tensor<3x5xf64>) -> tensor<3x5xf64>
  return %1 : tensor<3x5xf64>
}

// Edge and reflect padding (separate functions: the two in one function
// meet a miscompile of a shared zero fill, see the report of issue 10).
func.func @border_pad_edge(%x: tensor<3x4xf64> {kiln.name = "x"}) -> tensor<6x7xf64> {
  %p = nn.constant dense<[1, 2, 2, 1]> : tensor<4xi64>
  %0 = nn.border_pad %x, %p {mode = "edge"} : (tensor<3x4xf64>, tensor<4xi64>) -> tensor<6x7xf64>
  %1 = nn.mul %0, %0 : (tensor<6x7xf64>, tensor<6x7xf64>) -> tensor<6x7xf64>
  return %1 : tensor<6x7xf64>
}

func.func @border_pad_reflect(%x: tensor<3x4xf64> {kiln.name = "x"}) -> tensor<6x7xf64> {
  %p = nn.constant dense<[1, 2, 2, 1]> : tensor<4xi64>
  %0 = nn.border_pad %x, %p {mode = "reflect"} : (tensor<3x4xf64>, tensor<4xi64>) -> tensor<6x7xf64>
  %1 = nn.mul %0, %0 : (tensor<6x7xf64>, tensor<6x7xf64>) -> tensor<6x7xf64>
  return %1 : tensor<6x7xf64>
}

func.func @expand_tile(%x: tensor<3x1xf64> {kiln.name = "x"}, %y: tensor<2x3xf64> {kiln.name = "y"}) -> (tensor<2x3x4xf64>, tensor<4x9xf64>, tensor<2x6xf64>, tensor<2x3xf64>) {
  %0 = nn.expand %x {shape = array<i64: 2, 1, 4>} : (tensor<3x1xf64>) -> tensor<2x3x4xf64>
  %1 = nn.mul %0, %0 : (tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  %2 = nn.tile %y {repeats = array<i64: 2, 3>} : (tensor<2x3xf64>) -> tensor<4x9xf64>
  %3 = nn.mul %2, %2 : (tensor<4x9xf64>, tensor<4x9xf64>) -> tensor<4x9xf64>
  %4 = nn.tile %y {repeats = array<i64: 1, 2>} : (tensor<2x3xf64>) -> tensor<2x6xf64>
  %5 = nn.tile %y {repeats = array<i64: 1, 1>} : (tensor<2x3xf64>) -> tensor<2x3xf64>
  %6 = nn.mul %5, %y : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  return %1, %3, %4, %6 : tensor<2x3x4xf64>, tensor<4x9xf64>, tensor<2x6xf64>, tensor<2x3xf64>
}

func.func @trilu_reverse_sequence(%x: tensor<4x5xf64> {kiln.name = "x"}, %s: tensor<4x2x3xf64> {kiln.name = "s"}) -> (tensor<4x5xf64>, tensor<4x2x3xf64>) {
  %k = nn.constant dense<1> : tensor<i64>
  %0 = nn.trilu %x, %k {upper = false} : (tensor<4x5xf64>, tensor<i64>) -> tensor<4x5xf64>
  %1 = nn.mul %0, %x : (tensor<4x5xf64>, tensor<4x5xf64>) -> tensor<4x5xf64>
  %l = nn.constant dense<[3, 1]> : tensor<2xi64>
  %2 = nn.reverse_sequence %s, %l {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x2x3xf64>, tensor<2xi64>) -> tensor<4x2x3xf64>
  %3 = nn.mul %2, %s : (tensor<4x2x3xf64>, tensor<4x2x3xf64>) -> tensor<4x2x3xf64>
  return %1, %3 : tensor<4x5xf64>, tensor<4x2x3xf64>
}

// An embedding lookup: 8 indices into 5 rows repeat, and the rows' gradients
// accumulate.
func.func @gather_repeated(%table: tensor<5x3xf64> {kiln.name = "table"}, %ids: tensor<2x4xi64> {kiln.name = "ids"}) -> tensor<2x4x3xf64> {
  %0 = nn.gather %table, %ids {axis = 0 : i64} : (tensor<5x3xf64>, tensor<2x4xi64>) -> tensor<2x4x3xf64>
  %1 = nn.mul %0, %0 : (tensor<2x4x3xf64>, tensor<2x4x3xf64>) -> tensor<2x4x3xf64>
  return %1 : tensor<2x4x3xf64>
}

// Along a middle axis, i32 indices, negative ones too (an index outside
// [-4, 4) is a run-time error of the forward gather).
func.func @gather_axis1_negative(%x: tensor<2x4x3xf64> {kiln.name = "x"}, %ids: tensor<5xi32> {kiln.name = "ids"}) -> tensor<2x5x3xf64> {
  %0 = nn.gather %x, %ids {axis = 1 : i64} : (tensor<2x4x3xf64>, tensor<5xi32>) -> tensor<2x5x3xf64>
  %1 = nn.mul %0, %0 : (tensor<2x5x3xf64>, tensor<2x5x3xf64>) -> tensor<2x5x3xf64>
  return %1 : tensor<2x5x3xf64>
}

func.func @gather_elements(%x: tensor<3x4xf64> {kiln.name = "x"}, %ids: tensor<3x6xi64> {kiln.name = "ids"}) -> tensor<3x6xf64> {
  %0 = nn.gather_elements %x, %ids {axis = 1 : i64} : (tensor<3x4xf64>, tensor<3x6xi64>) -> tensor<3x6xf64>
  %1 = nn.mul %0, %0 : (tensor<3x6xf64>, tensor<3x6xf64>) -> tensor<3x6xf64>
  return %1 : tensor<3x6xf64>
}

func.func @gather_nd(%x: tensor<3x3x2xf64> {kiln.name = "x"}, %ids: tensor<5x2xi64> {kiln.name = "ids"}) -> tensor<5x2xf64> {
  %0 = nn.gather_nd %x, %ids {batch_dims = 0 : i64} : (tensor<3x3x2xf64>, tensor<5x2xi64>) -> tensor<5x2xf64>
  %1 = nn.mul %0, %0 : (tensor<5x2xf64>, tensor<5x2xf64>) -> tensor<5x2xf64>
  return %1 : tensor<5x2xf64>
}
