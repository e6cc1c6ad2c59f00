// Child process of the benchmarks: one training run, or several trained together in one graph, in a
// fresh process (so peak memory is its own), printing its figures as one JSON line.
// Usage: node dist/bench/train-one.js '<config json, or an array of them>' <threads> [cpu|webgpu] [scan|unrolled]
// An array prints one object per run in `runs`, with the figures of the whole group beside them.
import { parseRunConfig } from '../src/config/schema.js';
import type { StepLoop } from '../src/graph/step.js';
import type { Device } from '../src/train/device.js';
import { trainTogether } from '../src/train/loop.js';

const input = JSON.parse(process.argv[2] ?? '{}') as object | object[];
const threads = Number(process.argv[3] ?? 2);
const device = (process.argv[4] ?? 'cpu') as Device;
const stepLoop = process.argv[5] as StepLoop['kind'] | undefined;
const cfgs = (Array.isArray(input) ? input : [input]).map((c) => parseRunConfig(c));
const results = await trainTogether(cfgs, { threads, device, stepLoop });
const runs = results.map((r, i) => ({
  samples_per_second: r.samplesPerSecond,
  seconds: r.seconds,
  losses: r.losses.loss,
  mean_bias: r.params.b1.reduce((a, b) => a + b, 0) / cfgs[i]!.k,
}));
const peak_rss_mb = process.resourceUsage().maxRSS / 1024;
const total = results.reduce((n, r) => n + r.samplesPerSecond, 0);
process.stdout.write(
  `${JSON.stringify(Array.isArray(input) ? { runs, samples_per_second: total, seconds: results[0]!.seconds, peak_rss_mb } : { ...runs[0], peak_rss_mb })}\n`,
);
