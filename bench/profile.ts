// Prints where one training step spends its time.
// Usage: node dist/bench/profile.js [log2_batch] [threads] [cpu|webgpu] [scan|unrolled]
import { parseRunConfig } from '../src/config/schema.js';
import type { StepLoop } from '../src/graph/step.js';
import type { Device } from '../src/train/device.js';
import { profileStep } from './step-profile.js';

const log2 = Number(process.argv[2] ?? 10);
const threads = Number(process.argv[3] ?? 2);
const cfg = parseRunConfig({ log2_batch_size: log2 });
const device = (process.argv[4] ?? 'cpu') as Device;
const loop = (process.argv[5] ?? 'scan') as StepLoop['kind'];
const p = await profileStep(cfg, threads, Math.max(16, 2 ** (18 - log2)), device, loop);
console.log(
  `batch 2^${log2}, ${threads} threads, ${device}, ${loop}: session.run ${p.runMs.toFixed(2)} ms/step (${((2 ** log2 / p.runMs) * 1000).toFixed(0)} samples/s), kernels ${p.kernelMs.toFixed(2)} ms, sampler ${p.samplerMs.toFixed(3)} ms`,
);
for (const [op, ms] of p.byOp) console.log(`  ${op.padEnd(16)} ${ms.toFixed(3)} ms`);
