// Child process of the benchmarks: one training run, or several trained together, in a fresh
// process (so peak memory is its own), printing its figures as one JSON line.
// Usage: node dist/bench/train-one.js '<config json, or an array of them>' <threads> [cpu|webgpu|webgpu-ort] [scan|unrolled]
// webgpu is our WGSL engine; webgpu-ort the ONNX graphs on ORT's WebGPU provider, kept to compare.
// An array prints one object per run in `runs`, with the figures of the whole group beside them.
import { monosemanticity } from '../src/analysis/cpu.js';
import { parseRunConfig } from '../src/config/schema.js';
import type { StepLoop } from '../src/graph/step.js';
import { ortEngine, trainTogether, type TrainOptions } from '../src/train/train.js';

const input = JSON.parse(process.argv[2] ?? '{}') as object | object[];
const threads = Number(process.argv[3] ?? 2);
const where = process.argv[4] ?? 'cpu';
const stepLoop = process.argv[5] as StepLoop['kind'] | undefined;
if (!['cpu', 'webgpu', 'webgpu-ort'].includes(where)) throw new Error(`unknown device ${where}`);
const cfgs = (Array.isArray(input) ? input : [input]).map((c) => parseRunConfig(c));
const opts: TrainOptions =
  where === 'webgpu-ort'
    ? { threads, device: 'webgpu', engine: ortEngine({ threads, device: 'webgpu', stepLoop }) }
    : { threads, device: where as 'cpu' | 'webgpu', stepLoop };
const results = await trainTogether(cfgs, opts);
const runs = [];
for (const [i, r] of results.entries()) {
  const mono = await monosemanticity(cfgs[i]!, r.params, r.embeddings.E, { threads });
  const last8 = r.losses.loss.slice(-8);
  runs.push({
    samples_per_second: r.samplesPerSecond,
    seconds: r.seconds,
    losses: r.losses.loss,
    final_loss: last8.reduce((a, b) => a + b, 0) / last8.length,
    mean_bias: mono.mean_bias,
    monosemantic_neurons: mono.monosemantic_neurons,
  });
}
const peak_rss_mb = process.resourceUsage().maxRSS / 1024;
const total = results.reduce((n, r) => n + r.samplesPerSecond, 0);
process.stdout.write(
  `${JSON.stringify(Array.isArray(input) ? { runs, samples_per_second: total, seconds: results[0]!.seconds, peak_rss_mb } : { ...runs[0], peak_rss_mb })}\n`,
);
