// `npm run bench:gpu`, on a machine with a GPU: our WebGPU engine (WGSL kernels) beside ORT's WebGPU
// provider and the fast PyTorch peer on CUDA (torch_fast.py --device cuda), in one run on one card,
// at N=512, m=64, k=1024; a roofline of the engine's kernels; and five seeds against the CPU engine
// (the two draw different samples, so they agree in distribution). Names the card and writes
// docs/benchmarks.md (and, with $OUT set, gpu-check.json there). Each measurement runs in its own
// process with a time limit, so a hung device cannot stop the rest.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseRunConfig } from '../src/config/schema.js';
import { fastPeerAvailable, runFastPeer } from './oracle.js';
import { replaceSection } from './report-file.js';

const root = path.resolve(import.meta.dirname, '../..');
const cores = availableParallelism();
const LIMIT_S = Number(process.env.GPU_CHECK_LIMIT_S ?? 150);

function card(): string {
  try {
    const smi = ['--query-gpu=name,driver_version', '--format=csv,noheader'];
    return execFileSync('nvidia-smi', smi, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown GPU (nvidia-smi not found)';
  }
}

type Failed = { error: string };
interface Run {
  samples_per_second: number;
  final_loss: number;
  mean_bias: number;
  monosemantic_neurons: number;
}
type Measured = Run & { runs?: Run[] };

/** A child process's one JSON line, or why there is none. */
function child<T>(label: string, script: string, args: string[]): T | Failed {
  const start = performance.now();
  const r = spawnSync(process.execPath, [path.join(root, 'dist/bench', script), ...args], {
    encoding: 'utf8',
    timeout: LIMIT_S * 1000,
    maxBuffer: 1 << 26,
  });
  const wall = ((performance.now() - start) / 1000).toFixed(1);
  if (r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr.trim().split('\n').at(-1) ?? `exit ${r.status}`);
    console.log(`${label}: failed after ${wall} s: ${why}`);
    return { error: why };
  }
  console.log(`${label}: done in ${wall} s`);
  return JSON.parse(r.stdout) as T;
}

const train = (label: string, cfg: object | object[], where: 'cpu' | 'webgpu' | 'webgpu-ort') =>
  child<Measured>(label, 'train-one.js', [JSON.stringify(cfg), String(cores), where]);

/** GPU_CHECK_SMALL=1: tiny sizes, to try the whole script anywhere (SwiftShader) before a GPU's time. */
const SMALL = process.env.GPU_CHECK_SMALL === '1';
const base = SMALL
  ? { N: 64, m: 16, k: 128, eps: 1 / 16, learning_rate: 0.003 }
  : { N: 512, m: 64, k: 1024, eps: 1 / 64, learning_rate: 0.003 };
const BATCHES = SMALL ? [5, 6] : [10, 13];
const at = (log2B: number, steps: number) => ({ ...base, log2_batch_size: log2B, log2_training_steps: steps });
const together = (cfg: object) => Array.from({ length: 16 }, (_, seed) => ({ ...cfg, seed }));
const gpu = card();
console.log(`card: ${gpu}; ${cores} CPU cores`);

type Speed = { samples_per_second: number };
const rows: { what: string; batch: number; result: Speed | Failed }[] = [];
for (const log2B of BATCHES) {
  const steps = SMALL ? 6 : log2B === 10 ? 12 : 9;
  rows.push({
    what: 'WGSL engine, one run',
    batch: log2B,
    result: train(`wgsl 2^${log2B}`, at(log2B, steps), 'webgpu'),
  });
  const group = together(at(log2B, steps - 2));
  rows.push({
    what: 'WGSL engine, 16 runs together (all 16)',
    batch: log2B,
    result: train(`wgsl 16x 2^${log2B}`, group, 'webgpu'),
  });
  rows.push({
    what: "ORT's WebGPU provider, one run",
    batch: log2B,
    result: train(`ort 2^${log2B}`, at(log2B, 7), 'webgpu-ort'),
  });
  let peer: Speed | Failed = { error: '../shared/reference/torch_fast.py or torch is missing' };
  if (fastPeerAvailable()) {
    try {
      peer = runFastPeer(parseRunConfig(at(log2B, steps)), 'cuda');
    } catch (e) {
      const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim();
      peer = { error: stderr.split('\n').at(-1) || (e as Error).message.split('\n')[0]! };
    }
  }
  rows.push({ what: 'torch_fast.py --device cuda, one run', batch: log2B, result: peer });
}

const rate = (m: Speed | Failed) => ('error' in m ? NaN : m.samples_per_second);
const cell = (m: Speed | Failed) =>
  'error' in m ? `failed: ${m.error}` : Math.round(m.samples_per_second).toLocaleString('en');
const ratio = (what: string, batch: number) => {
  const ours = rate(rows.find((r) => r.what === what && r.batch === batch)!.result);
  const peer = rate(rows.find((r) => r.what.startsWith('torch_fast') && r.batch === batch)!.result);
  return Number.isFinite(ours / peer) ? `${(ours / peer).toFixed(2)}×` : '–';
};
const speedTable = [
  '| what | batch | samples/s | vs torch_fast on CUDA |',
  '|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.what} | 2^${r.batch} | ${cell(r.result)} | ${r.what.startsWith('torch') ? '1' : ratio(r.what, r.batch)} |`,
  ),
].join('\n');
const oneRun = rate(rows.find((r) => r.what === 'WGSL engine, one run' && r.batch === BATCHES[1])!.result);

const rounded = (x: number) => x.toFixed(x < 10 ? 1 : 0);

// The roofline: each kernel's share of a step at the larger batch, one run.
type Roofline = { step_seconds: number; kernels: { name: string; seconds: number; flops: number; bytes: number }[] };
const roof = child<Roofline>('roofline', 'gpu-roofline.js', [JSON.stringify(at(BATCHES[1]!, 10))]);
const roofTable =
  'error' in roof
    ? `Roofline: failed: ${roof.error}`
    : [
        `Step at batch 2^${BATCHES[1]}, one run: ${(roof.step_seconds * 1e3).toFixed(2)} ms wall (sampling included); kernels timed one at a time with timestamp queries:`,
        '',
        '| kernel | µs | GFLOP/s | GB/s | share of the kernels |',
        '|---|---|---|---|---|',
        ...roof.kernels.map((k) => {
          const total = roof.kernels.reduce((a, x) => a + x.seconds, 0);
          return `| ${k.name} | ${(k.seconds * 1e6).toFixed(0)} | ${rounded(k.flops / k.seconds / 1e9)} | ${rounded(k.bytes / k.seconds / 1e9)} | ${((100 * k.seconds) / total).toFixed(0)}% |`;
        }),
      ].join('\n');

// Five seeds on each engine, each with its own sampler: the distributions must agree.
const seeds = [1, 2, 3, 4, 5].map((seed) => ({ ...at(BATCHES[0]!, SMALL ? 7 : 10), learning_rate: 0.03, seed }));
const onGpu = train('agreement, webgpu', seeds, 'webgpu');
const onCpu = train('agreement, cpu', seeds, 'cpu');
const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
  return { mean, se: sd / Math.sqrt(xs.length) };
};
let agreement = 'not measured';
if (!('error' in onGpu) && !('error' in onCpu)) {
  agreement = (['final_loss', 'mean_bias', 'monosemantic_neurons'] as const)
    .map((key) => {
      const g = stats(onGpu.runs!.map((r) => r[key]));
      const c = stats(onCpu.runs!.map((r) => r[key]));
      const z = Math.abs(g.mean - c.mean) / Math.hypot(g.se, c.se);
      return `${key} ${g.mean.toFixed(4)} ± ${g.se.toFixed(4)} (WebGPU) vs ${c.mean.toFixed(4)} ± ${c.se.toFixed(4)} (CPU): ${z.toFixed(1)} standard errors apart`;
    })
    .join('; ');
}

const body = `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:gpu\` on ${gpu}, ${cores} CPU cores. N=${base.N}, m=${base.m}, k=${base.k}, eps 1/${1 / base.eps}, decoder, ReLU, LAMB; samples/s of the training loop (set-up excluded).${Number.isFinite(oneRun) ? ` One run at batch 2^${BATCHES[1]} on our engine: a paper-scale run (2^30 samples) in ${(2 ** 30 / oneRun / 60).toFixed(1)} minutes.` : ''}

${speedTable}

${roofTable}

Five seeds (batch 2^${BATCHES[0]}, 2^${SMALL ? 7 : 10} steps, lr 0.03) on each engine, each drawing its own samples: ${agreement}.`;
replaceSection(path.join(root, 'docs/benchmarks.md'), 'bench:gpu', body);
if (process.env.OUT) {
  const json = { card: gpu, cores, rows, roof, onGpu, onCpu };
  writeFileSync(path.join(process.env.OUT, 'gpu-check.json'), JSON.stringify(json, null, 1));
}
console.log(body);
