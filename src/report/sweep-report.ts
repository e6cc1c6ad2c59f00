// A sweep's report: every figure as SVG and PNG plus a report.md that renders on GitHub, all
// drawn from the store through the analysis API and the shared figure definitions.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { analyseRun, finalSnapshot, reorder, SnapshotAnalyser, type RunAnalysis, type SeriesPoint } from '../analysis/index.js';
import {
  biasPlot,
  fieldLabel,
  gridHeatmap,
  manyFeatureHeatmaps,
  monoVsSweep,
  sfaHeatmapRow,
  sfaLinePlot,
  sweptTitle,
  trainingPlot,
  type SweepValue,
} from '../figures/index.js';
import { writeFigure } from '../figures/render.js';
import { writeFileAtomic } from '../store/atomic.js';
import { StoreError } from '../store/errors.js';
import type { RunStore } from '../store/run-store.js';
import { sweepOutcomes } from '../sweep/pool.js';
import { scaleLabel } from '../sweep/scale.js';
import { formatValue, type SweepSpec } from '../sweep/spec.js';
import { summaryRows } from '../sweep/summary.js';

/** At most this many runs get their own SFA heat map in the row (evenly spaced through the sweep). */
export const HEATMAP_RUNS = 6;

export interface ReportFile {
  name: string;
  caption: string;
  svg: string;
  png: string;
}

interface AnalysedRun {
  point: number;
  values: Record<string, SweepValue>;
  /** The value of the first swept variable: the colour of the run's lines. */
  value: SweepValue;
  analysis: RunAnalysis;
}

/** `count` indices spread evenly over 0 .. n-1, first and last included. */
export function spread(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.round((i * (n - 1)) / (count - 1)));
}


export interface ReportOptions {
  threads?: number;
  /** PNG pixels per SVG unit (default 2: print quality; 1 for documents that embed many figures). */
  pngScale?: number;
}

export async function writeSweepReport(store: RunStore, sweepName: string, outDir: string, opts: ReportOptions = {}): Promise<{ files: ReportFile[]; markdown: string }> {
  const row = store.getSweep(sweepName);
  if (!row) {
    const known = store.listSweeps().map((s) => s.name);
    throw new StoreError(`no sweep ${JSON.stringify(sweepName)} in ${store.dir}; sweeps there: ${known.length ? known.join(', ') : 'none'}`);
  }
  const spec = row.spec as SweepSpec;
  const scale = scaleLabel(spec.scale);
  const first = spec.variables[0]!;
  const sweep = { field: first.field };
  const outcomes = sweepOutcomes(store, spec);

  // Analyse every run that has snapshots; a diverged run keeps those taken before it diverged.
  const runs: AnalysedRun[] = [];
  for (const { point, run } of outcomes) {
    if (!run || (run.status !== 'finished' && run.status !== 'diverged')) continue;
    const loaded = store.loadRun(run.id);
    if (loaded.snapshots.length === 0) continue;
    const analysis = await analyseRun(loaded, { threads: opts.threads, extraFeatures: [] });
    runs.push({ point: point.index, values: point.values, value: point.values[first.field]!, analysis });
  }
  if (runs.length === 0) throw new StoreError(`sweep ${sweepName} has no finished runs to report on yet`);
  const N = runs[0]!.analysis.config.N;

  mkdirSync(outDir, { recursive: true });
  const files: ReportFile[] = [];
  const figure = async (name: string, caption: string, specOf: Parameters<typeof writeFigure>[2]) => {
    const written = await writeFigure(outDir, name, specOf, { scale: opts.pngScale });
    files.push({ name, caption, svg: path.basename(written.svg), png: path.basename(written.png) });
  };

  const toSnapshotPoints = (series: SeriesPoint[]) =>
    series.map((s) => ({ log2_step: s.log2_step, mono_per_feature: s.monosemantic_per_feature, mean_bias: s.mean_bias }));
  await figure('training', `Loss, monosemantic neurons / N and mean bias against log2(training step), one line per run, coloured by ${fieldLabel(first.field)}. Scale: ${scale}.`, trainingPlot({
    scale,
    sweep,
    runs: runs.map((r) => ({ value: r.value, id: r.analysis.id, snapshots: toSnapshotPoints(r.analysis.series), losses: r.analysis.losses })),
  }));

  await figure('mono-vs-sweep', `Monosemantic neurons / k and / N of the final models against ${fieldLabel(first.field)}. Scale: ${scale}.`, monoVsSweep({
    scale,
    sweep,
    N,
    points: runs.map((r) => ({ value: r.value, mono_per_neuron: r.analysis.metrics.monosemantic_per_neuron, mono_per_feature: r.analysis.metrics.monosemantic_per_feature })),
  }));

  const sorted = (r: AnalysedRun) => reorder(r.analysis.metrics.single_feature_activations, r.analysis.metrics.heatmap_order.neurons, r.analysis.metrics.heatmap_order.features);
  const chosen = spread(runs.length, HEATMAP_RUNS).map((i) => runs[i]!);
  await figure('sfa-heatmaps', `Single-feature activations of the final models (neurons sorted by max/mean activation, features by their strongest neuron; colours 0 to 1.02), for ${chosen.length} of the ${runs.length} runs. Scale: ${scale}.`, sfaHeatmapRow({
    scale,
    sweep,
    runs: chosen.map((r) => ({ value: r.value, sfa: sorted(r) })),
  }));

  await figure('biases', `Each run's first-layer biases in heat-map order; the vertical line is at N = ${N}. Scale: ${scale}.`, biasPlot({
    scale,
    sweep,
    N,
    runs: runs.map((r) => ({ value: r.value, id: r.analysis.id, biases: r.analysis.metrics.biases_in_heatmap_order })),
  }));

  // The most monosemantic run, looked at more closely.
  const best = runs.reduce((a, b) => (b.analysis.metrics.monosemantic_per_feature > a.analysis.metrics.monosemantic_per_feature ? b : a));
  const bestTitle = sweptTitle(first.field, best.value);
  const order = best.analysis.metrics.heatmap_order;
  const topFeatures = Array.from(order.features.slice(0, 3));
  const loaded = store.loadRun(best.analysis.id);
  const analyser = new SnapshotAnalyser(loaded.config, { threads: opts.threads });
  const panels = [];
  try {
    for (const extra of [[], topFeatures.slice(0, 1), topFeatures]) {
      const a = await analyser.analyse(finalSnapshot(loaded)!, loaded.embeddings, { extraFeatures: extra });
      panels.push({
        label: extra.length ? `extra features ${extra.join(', ')}` : 'no extra features',
        activations: reorder(a.many_feature_activations, order.neurons, order.features),
      });
    }
  } finally {
    await analyser.release();
  }
  await figure('many-feature', `Activations with extra features switched on in every input, for the most monosemantic run (${bestTitle}). Scale: ${scale}.`, manyFeatureHeatmaps({ scale, title: `Many-feature activations, ${bestTitle}`, panels }));
  await figure('sfa-lines', `Single-feature activations of the first four features in heat-map order, for the most monosemantic run (${bestTitle}). Scale: ${scale}.`, sfaLinePlot({
    scale,
    title: `Single-feature activations, ${bestTitle}`,
    sfa: sorted(best),
    features: [0, 1, 2, 3].filter((f) => f < N),
  }));

  if (spec.variables.length >= 2) {
    const second = spec.variables[1]!;
    await figure('grid', `Final monosemantic neurons / N over ${fieldLabel(first.field)} and ${fieldLabel(second.field)}; grey cells did not finish. Scale: ${scale}.`, gridHeatmap({
      scale,
      x: { field: second.field },
      y: { field: first.field },
      cells: outcomes.map(({ point, run }) => ({
        x: point.values[second.field]!,
        y: point.values[first.field]!,
        value: run?.status === 'finished' && run.final ? run.final.monosemantic_per_feature : null,
      })),
    }));
  }

  const markdown = reportMarkdown(spec, scale, outcomes, files);
  writeFileAtomic(path.join(outDir, 'report.md'), markdown);
  return { files, markdown };
}

function reportMarkdown(spec: SweepSpec, scale: string, outcomes: ReturnType<typeof sweepOutcomes>, files: ReportFile[]): string {
  const header = [...spec.variables.map((v) => fieldLabel(v.field)), 'status', 'final loss', 'mono / N', 'mono / k', 'mean bias', 'run'];
  // Run ids as code, so that GitHub does not turn them into numbers or links.
  const rows = summaryRows(spec, outcomes).map((r) => r.map((cell, i) => (i === r.length - 1 && cell !== '-' ? `\`${cell}\`` : cell)));
  const fixed = Object.entries(spec.fixed)
    .map(([k, v]) => `${k}=${formatValue(v as number | string)}`)
    .join(', ');
  return [
    `# Sweep ${spec.name}${spec.batch ? ` (Table 1 batch ${spec.batch})` : ''}`,
    '',
    `**Scale: ${scale}.** Fixed: ${fixed || 'defaults'}. Swept: ${spec.variables.map((v) => `${fieldLabel(v.field)} (${v.values.map(formatValue).join(', ')})`).join(' × ')}.`,
    '',
    '| ' + header.join(' | ') + ' |',
    '|' + header.map(() => '---').join('|') + '|',
    ...rows.map((r) => '| ' + r.join(' | ') + ' |'),
    '',
    ...files.flatMap((f) => [`## ${f.name}`, '', `![${f.name}](${f.png})`, '', `${f.caption} ([SVG](${f.svg}))`, '']),
  ].join('\n');
}
