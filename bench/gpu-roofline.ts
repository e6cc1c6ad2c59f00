// Child process of bench:gpu: trains a few chunks of one run with our WebGPU engine, then times each
// step kernel with timestamp queries and prints one JSON line: per kernel its time, FLOPs and bytes,
// and the step's wall time. Usage: node dist/bench/gpu-roofline.js '<config json>' [runs]
import { parseRunConfig } from '../src/config/schema.js';
import { nodeGpuDevice } from '../src/gpu/node-gpu.js';
import { WgslEngine } from '../src/gpu/wgsl-engine.js';
import { RunInputs } from '../src/train/run-inputs.js';

const cfg = parseRunConfig(JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>);
const R = Number(process.argv[3] ?? 1);
const cfgs = Array.from({ length: R }, (_, seed) => ({ ...cfg, seed }));
const inputs = cfgs.map((c) => new RunInputs(c));
const engine = await WgslEngine.create(
  await nodeGpuDevice(),
  cfgs,
  inputs.map((i) => i.embeddings),
);
engine.write(
  Object.fromEntries(
    (['W1', 'b1', 'W2'] as const).map((p) => {
      const size = inputs[0]!.init[p].length;
      const all = new Float32Array(R * size);
      inputs.forEach((x, r) => all.set(x.init[p], r * size));
      return [p, all];
    }),
  ),
);
const CHUNKS = 8;
await engine.run(0, 16); // warm-up
const start = performance.now();
for (let c = 1; c <= CHUNKS; c++) await engine.run(16 * c, 16);
const stepSeconds = (performance.now() - start) / 1000 / (16 * CHUNKS);
const kernels = await engine.profileKernels(20);
await engine.release();
process.stdout.write(`${JSON.stringify({ step_seconds: stepSeconds, kernels })}\n`);
