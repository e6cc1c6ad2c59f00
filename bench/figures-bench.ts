// Benchmark of static figure rendering: building the spec, Vega-Lite -> SVG and SVG -> PNG (scale 2)
// for a training plot of 6 runs x 14 snapshots (with the full loss record of 2^13 steps) and a
// 1024 x 512 SFA heat map, on synthetic data. With --preview DIR it also writes one example of
// every figure to DIR (name.svg and name.png) for looking at.
// Run: npx tsc -p tsconfig.json && node dist/bench/figures-bench.js [--preview /tmp/figures-preview]
import type { TopLevelSpec } from 'vega-lite';
import { biasPlot } from '../src/figures/bias.js';
import { gridHeatmap } from '../src/figures/grid.js';
import { manyFeatureHeatmaps } from '../src/figures/many-feature.js';
import { monoVsSweep } from '../src/figures/mono-sweep.js';
import { renderPng, renderSvg, writeFigure } from '../src/figures/render.js';
import { sfaHeatmap, sfaHeatmapRow } from '../src/figures/sfa-heatmap.js';
import { sfaLinePlot } from '../src/figures/sfa-lines.js';
import { trainingPlot, type TrainingRun } from '../src/figures/training.js';
import type { Matrix } from '../src/figures/types.js';

const SCALE = 'laptop (batch 2^10, 2^13 steps)';
const LRS = [0.001, 0.003, 0.005, 0.007, 0.01, 0.03];

/** A small deterministic generator (mulberry32) so the examples are the same every time. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function trainingRuns(): TrainingRun[] {
  return LRS.map((lr, r) => {
    const rand = rng(r + 1);
    const T = 2 ** 13;
    const steps: number[] = [];
    const loss: number[] = [];
    for (let s = 0; s < T; s += 16) {
      steps.push(s);
      loss.push((0.016 * Math.exp(-s * lr * 0.02) + 0.002 + (0.0015 * r) / LRS.length) * (1 + 0.15 * (rand() - 0.5)));
    }
    const snapshots = Array.from({ length: 14 }, (_, i) => ({
      log2_step: i,
      mono_per_feature: (0.2 + 0.15 * r) / (1 + Math.exp(-(i - 8 + r * 0.5))),
      mean_bias: (-0.05 * i * (1 + r * 0.3)) / 13,
    }));
    return { value: lr, id: `run${r}`, snapshots, losses: { steps, loss } };
  });
}

/** A synthetic SFA in heat-map order: `mono` monosemantic neurons on a diagonal, then polysemantic ones. */
function syntheticSfa(k: number, N: number, seed: number, mono = Math.round(0.4 * k)): Matrix {
  const rand = rng(seed);
  const data = new Float32Array(k * N);
  for (let n = 0; n < k; n++) {
    if (n < mono) {
      const f = Math.min(N - 1, Math.floor((n * N) / mono));
      data[n * N + f] = 0.6 + 0.4 * rand();
    } else {
      for (let j = 0; j < N; j++) if (rand() < 0.04) data[n * N + j] = 0.5 * rand();
    }
  }
  return { rows: k, cols: N, data };
}

function examples(): Record<string, TopLevelSpec> {
  const sfa = syntheticSfa(1024, 512, 7);
  const extra = (features: number[]): Matrix => {
    const data = Float32Array.from(sfa.data);
    for (let n = 0; n < sfa.rows; n++) {
      const boost = features.reduce((s, f) => s + sfa.data[n * sfa.cols + f]!, 0);
      for (let j = 0; j < sfa.cols; j++)
        if (data[n * sfa.cols + j]! > 0 || boost > 0) data[n * sfa.cols + j] = data[n * sfa.cols + j]! + boost;
    }
    return { rows: sfa.rows, cols: sfa.cols, data };
  };
  const biases = LRS.map((lr, r) => {
    const rand = rng(100 + r);
    return Float32Array.from(
      { length: 1024 },
      (_, n) => (n < 400 ? -0.3 - 0.2 * rand() : 0.1 * rand()) * (1 + 10 * lr),
    );
  });
  const ks = [16, 32, 64, 128, 256, 512, 1024, 2048];
  return {
    training: trainingPlot({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      runs: trainingRuns(),
      title: 'Training: LR1',
    }),
    'sfa-heatmap': sfaHeatmap({ scale: SCALE, sfa, title: 'SFA: LR1, learning rate = 0.003' }),
    'sfa-heatmap-row': sfaHeatmapRow({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      runs: [0.001, 0.005, 0.03].map((value, i) => ({ value, sfa: syntheticSfa(1024, 512, 20 + i, 150 + 200 * i) })),
      title: 'SFA: LR1',
    }),
    bias: biasPlot({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      N: 512,
      runs: LRS.map((value, i) => ({ value, biases: biases[i]! })),
    }),
    'many-feature': manyFeatureHeatmaps({
      scale: SCALE,
      panels: [
        { label: 'no extra features', activations: sfa },
        { label: 'extra feature 100', activations: extra([100]) },
        { label: 'extra features 100, 300', activations: extra([100, 300]) },
      ],
    }),
    'sfa-lines': sfaLinePlot({ scale: SCALE, sfa, features: [10, 200, 400] }),
    'mono-sweep': monoVsSweep({
      scale: SCALE,
      sweep: { field: 'k' },
      N: 512,
      points: ks.map((k) => {
        const mono = Math.min(k, 512) * 0.8 * (k > 512 ? 1.1 : 1);
        return { value: k, mono_per_neuron: mono / k, mono_per_feature: mono / 512 };
      }),
      title: 'K1: monosemanticity against the number of neurons',
    }),
    grid: gridHeatmap({
      scale: SCALE,
      x: { field: 'learning_rate' },
      y: { field: 'initial_bias' },
      cells: LRS.flatMap((lr, i) =>
        Array.from({ length: 11 }, (_, j) => {
          const bias = -2 + (3 * j) / 10;
          return {
            x: lr,
            y: Number(bias.toFixed(1)),
            value: i === 5 && j === 10 ? null : Math.max(0, 1.3 - 0.4 * Math.abs(bias + 1) - 0.08 * i),
          };
        }),
      ),
      title: 'B3 (GeLU): final monosemanticity',
    }),
  };
}

async function time(name: string, spec: () => TopLevelSpec): Promise<void> {
  const rounds: { build: number; svg: number; png: number }[] = [];
  let sizes = '';
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    const s = spec();
    const t1 = performance.now();
    const svg = await renderSvg(s);
    const t2 = performance.now();
    const png = renderPng(svg, { scale: 2 });
    const t3 = performance.now();
    if (i > 0) rounds.push({ build: t1 - t0, svg: t2 - t1, png: t3 - t2 });
    sizes = `SVG ${(svg.length / 1024).toFixed(0)} KiB, PNG ${(png.length / 1024).toFixed(0)} KiB`;
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const b = median(rounds.map((r) => r.build));
  const s = median(rounds.map((r) => r.svg));
  const p = median(rounds.map((r) => r.png));
  console.log(
    `${name.padEnd(44)} spec ${b.toFixed(0).padStart(4)} ms  svg ${s.toFixed(0).padStart(4)} ms  png ${p.toFixed(0).padStart(4)} ms  total ${(b + s + p).toFixed(0).padStart(5)} ms  (${sizes})`,
  );
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--preview');
  if (at >= 0) {
    const dir = process.argv[at + 1] ?? '/tmp/figures-preview';
    for (const [name, spec] of Object.entries(examples())) {
      const out = await writeFigure(dir, name, spec);
      console.log(`${out.png}  ${out.width} x ${out.height}`);
    }
    return;
  }
  console.log('median of 5 rounds after a warm-up; PNG at scale 2');
  const runs = trainingRuns();
  await time('training plot, 6 runs x 14 snapshots + losses', () =>
    trainingPlot({ scale: SCALE, sweep: { field: 'learning_rate' }, runs }),
  );
  const sfa = syntheticSfa(1024, 512, 7);
  await time('SFA heat map, 1024 x 512 (synthetic SFA)', () => sfaHeatmap({ scale: SCALE, sfa }));
  // Worst case for the PNG's size: every cell an independent random value.
  const rand = rng(99);
  const noise = { rows: 1024, cols: 512, data: Float32Array.from({ length: 1024 * 512 }, () => rand() * 1.02) };
  await time('SFA heat map, 1024 x 512 (uniform noise)', () => sfaHeatmap({ scale: SCALE, sfa: noise }));
}

await main();
