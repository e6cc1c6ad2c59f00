// `npm run bench:gpu`, on a machine with a GPU and Vulkan: do the step graphs agree on the CPU and on
// WebGPU, and how fast does WebGPU train at the paper's batch (N=512, m=64, k=1024, batch 2^13),
// one run and six runs together (LR1's learning rates)? Names the card and writes docs/benchmarks.md
// (and, with $OUT set, gpu-check.json there). Each measurement runs in its own process with a time
// limit, so a hung device cannot stop the rest.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { replaceSection } from './report-file.js';

const root = path.resolve(import.meta.dirname, '../..');
const cores = availableParallelism();
const LIMIT_S = Number(process.env.GPU_CHECK_LIMIT_S ?? 150);
/** Relative difference allowed between CPU and WebGPU losses over the first 128 steps (see the docs). */
const TOLERANCE = 1e-3;

function card(): string {
  try {
    return execFileSync('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown GPU (nvidia-smi not found)';
  }
}

interface Measured {
  samples_per_second: number;
  seconds: number;
  losses?: number[];
  runs?: { losses: number[]; samples_per_second: number }[];
}

function measure(
  label: string,
  cfg: object | object[],
  device: string,
  opts: { log?: string } = {},
): Measured | { error: string } {
  const start = performance.now();
  const args = [path.join(root, 'dist/bench/train-one.js'), JSON.stringify(cfg), String(cores), device];
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    timeout: LIMIT_S * 1000,
    maxBuffer: 1 << 26,
    env: { ...process.env, ...(opts.log ? { TOYMODELS_ORT_LOG_LEVEL: '1' } : {}) },
  });
  // ORT's log of which provider took which node, kept for a first look at a new device.
  if (opts.log && process.env.OUT) writeFileSync(path.join(process.env.OUT, opts.log), r.stderr.slice(-8_000_000));
  const wall = ((performance.now() - start) / 1000).toFixed(1);
  if (r.status !== 0) {
    const why = r.error ? `${r.error.message}` : (r.stderr.trim().split('\n').at(-1) ?? `exit ${r.status}`);
    console.log(`${label}: failed after ${wall} s: ${why}`);
    return { error: why };
  }
  const out = JSON.parse(r.stdout) as Measured;
  console.log(`${label}: ${Math.round(out.samples_per_second)} samples/s (${wall} s with start-up)`);
  return out;
}

const base = { N: 512, m: 64, k: 1024, eps: 1 / 64, seed: 0 };
const LR1 = [0.001, 0.003, 0.005, 0.007, 0.01, 0.03];
const gpu = card();
console.log(`card: ${gpu}; ${cores} CPU cores`);

// Agreement: the same seed, hence the same data and initial parameters, on both devices.
const small = { ...base, log2_batch_size: 10, log2_training_steps: 7, learning_rate: 0.003 };
const onCpu = measure('agreement, cpu', small, 'cpu');
const onGpu = measure('agreement, webgpu', small, 'webgpu', { log: 'webgpu-ort-log.txt' });
let agreement = 'not measured';
let maxRel = NaN;
if ('losses' in onCpu && 'losses' in onGpu) {
  maxRel = Math.max(...onCpu.losses!.map((l, i) => Math.abs(l - onGpu.losses![i]!) / Math.abs(l)));
  agreement = `${maxRel.toExponential(2)} largest relative difference of the ${onCpu.losses!.length} recorded losses (tolerance ${TOLERANCE}): ${maxRel <= TOLERANCE ? 'agree' : 'DISAGREE'}`;
}
console.log(`agreement: ${agreement}`);

const paper = { ...base, log2_batch_size: 13, learning_rate: 0.003 };
const single = measure('one run, webgpu, batch 2^13', { ...paper, log2_training_steps: 7 }, 'webgpu');
const six = measure(
  'six runs together, webgpu, batch 2^13',
  LR1.map((lr) => ({ ...paper, log2_training_steps: 6, learning_rate: lr })),
  'webgpu',
);
const cpu = measure(`one run, cpu (${cores} threads), batch 2^13`, { ...paper, log2_training_steps: 6 }, 'cpu');

const rate = (m: Measured | { error: string }) =>
  'error' in m ? `failed: ${m.error}` : `${Math.round(m.samples_per_second).toLocaleString('en')}`;
const paperMinutes = (m: Measured | { error: string }) =>
  'error' in m ? '' : ` (a paper-scale run, 2^30 samples: ${(2 ** 30 / m.samples_per_second / 60).toFixed(1)} min)`;
const body = `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:gpu\` on ${gpu}, ${cores} CPU cores. N=512, m=64, k=1024, batch 2^13; samples/s of the training loop (session start-up excluded).

| what | samples/s |
|---|---|
| one run, WebGPU | ${rate(single)}${paperMinutes(single)} |
| six runs together (LR1's learning rates), WebGPU, all six | ${rate(six)} |
| one run, CPU (${cores} threads), same machine | ${rate(cpu)} |

CPU/WebGPU agreement (batch 2^10, 128 steps, seed 0): ${agreement}.`;
replaceSection(path.join(root, 'docs/benchmarks.md'), 'bench:gpu', body);
if (process.env.OUT)
  writeFileSync(
    path.join(process.env.OUT, 'gpu-check.json'),
    JSON.stringify({ card: gpu, cores, maxRel, onCpu, onGpu, single, six, cpu }, null, 1),
  );
console.log(body);
