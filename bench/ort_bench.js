// Times one ONNX model in ONNX Runtime (onnxruntime-node) the way kiln-run
// --bench does: one session, the given thread count, one warm-up run, then N
// timed runs; prints {"median_ms":…,"min_ms":…,"runs":N} and, with --output,
// writes the first output as a float32 .npy for the numeric cross-check.
//
//   node bench/ort_bench.js MODEL.onnx INPUT.npy THREADS RUNS [--output OUT.npy]
//
// onnxruntime-node is found through NODE_PATH (bench/run.py installs it).
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function readNpy(path) {
  const buf = fs.readFileSync(path);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  const headerLen = major >= 2 ? buf.readUInt32LE(8) : buf.readUInt16LE(8);
  const start = (major >= 2 ? 12 : 10) + headerLen;
  const header = buf.toString('latin1', major >= 2 ? 12 : 10, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (descr !== '<f4') throw new Error(`${path}: expected float32 (<f4), found ${descr}`);
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${path}: Fortran order`);
  const dims = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',')
                   .map((s) => s.trim()).filter((s) => s.length).map(Number);
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + buf.length));
  return new ort.Tensor('float32', data, dims);
}

function writeNpy(path, tensor) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${tensor.dims.join(', ')}${tensor.dims.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const data = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  fs.writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), data]));
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length < 4) {
    console.error('usage: node ort_bench.js MODEL.onnx INPUT.npy THREADS RUNS [--output OUT.npy]');
    process.exit(2);
  }
  const [model, input, threads, runs] = [args[0], args[1], Number(args[2]), Number(args[3])];
  const outIdx = args.indexOf('--output');
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all', executionProviders: ['cpu'],
  });
  const feeds = { [session.inputNames[0]]: readNpy(input) };
  let result = await session.run(feeds);  // warm-up
  const times = [];
  for (let i = 0; i < runs; ++i) {
    const t0 = process.hrtime.bigint();
    result = await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times.length % 2 ? times[(times.length - 1) / 2]
                                  : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
  if (outIdx >= 0) writeNpy(args[outIdx + 1], result[session.outputNames[0]]);
  console.log(JSON.stringify({ median_ms: +median.toFixed(3), min_ms: +times[0].toFixed(3), runs }));
}

main().catch((e) => { console.error(`ort_bench: ${e.message}`); process.exit(1); });
