// Time for every measure of one snapshot at k = 2048, N = 512, m = 64 (the abs batches' size),
// random weights: the full SnapshotAnalysis (SFA, ratios, heat-map order, many-feature
// activations, single-feature outputs, net embedding, linear model, amplitude response) and the
// scalar measures alone (what the series over a run computes per snapshot).
// Run: npx tsc -p tsconfig.json && node dist/bench/analysis-bench.js [--threads T]
import { availableParallelism } from 'node:os';
import { parseRunConfig } from '../src/config/schema.js';
import { randomEmbedding } from '../src/features/embedding.js';
import { Rng } from '../src/features/rng.js';
import { analyseSnapshot, cpuAnalyser } from '../src/analysis/cpu.js';

const threadsFlag = process.argv.indexOf('--threads');
const threads = threadsFlag > 0 ? Number(process.argv[threadsFlag + 1]) : availableParallelism();
const cfg = parseRunConfig({ N: 512, m: 64, k: 2048, task: 'abs' });
const rng = new Rng(1);
const gaussian = (n: number, scale: number) => Float32Array.from({ length: n }, () => rng.normal() * scale);
const E = randomEmbedding(cfg.N, cfg.m, rng);
const weights = {
  W1: gaussian(cfg.k * cfg.m, 1 / Math.sqrt(cfg.m)),
  b1: gaussian(cfg.k, 0.5),
  W2: gaussian(cfg.N * cfg.k, 1 / Math.sqrt(cfg.k)),
};
const opts = { extraFeatures: [1, 2, 3], amplitudeFeatures: [0, 1], threads };

const ms = (start: number) => performance.now() - start;
const times: number[] = [];
for (let i = 0; i < 5; i++) {
  const start = performance.now();
  await analyseSnapshot(cfg, weights, { E }, opts); // session creation included
  times.push(ms(start));
}
const analyser = cpuAnalyser(cfg, { threads });
await analyser.analyse(weights, { E }, opts);
const warm: number[] = [];
const scalar: number[] = [];
for (let i = 0; i < 5; i++) {
  let start = performance.now();
  await analyser.analyse(weights, { E }, opts);
  warm.push(ms(start));
  start = performance.now();
  await analyser.monosemanticity(weights, E);
  scalar.push(ms(start));
}
await analyser.release();
const fmt = (xs: number[]) =>
  `best ${Math.min(...xs).toFixed(0)} ms, median ${[...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(0)} ms`;
console.log(`all measures of one k=2048 N=512 m=64 snapshot, ${threads} threads:`);
console.log(`  analyseSnapshot (new ORT session each call): ${fmt(times)}`);
console.log(`  SnapshotAnalyser.analyse (session reused):   ${fmt(warm)}`);
console.log(`  scalar measures only (series point):         ${fmt(scalar)}`);
