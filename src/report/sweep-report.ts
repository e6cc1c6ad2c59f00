// A sweep's report: every figure as SVG and PNG plus a report.md that renders on GitHub, all
// drawn from the store through the analysis API and the shared figure definitions. The sweep's
// data is built once (sweep-data.ts, the same shape the dashboard receives) and each figure's
// input comes from it through src/figures/from-sweep.ts, as on the dashboard.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { cpuAnalyser, finalSnapshot, reorder, type RunAnalysis } from '../analysis/index.js';
import {
  amplitudeCurves,
  amplitudeResponse,
  biasPlot,
  biasPlotInput,
  colourField,
  colourValue,
  finalMeasures,
  gridHeatmap,
  gridInput,
  heatmapChoice,
  lossVsMono,
  lossVsMonoInput,
  manyFeatureHeatmaps,
  monoVsNOverK,
  monoVsNOverKInput,
  monoVsSweep,
  monoVsSweepInput,
  runTitle,
  sfaHeatmapRow,
  sfaLinePlot,
  sweepCaption,
  trainingInput,
  trainingPlot,
  fieldLabel,
  formatMean,
  formatMetric,
  formatValue,
  runMark,
  type SweepData,
} from '../figures/index.js';
import { writeFigure } from '../figures/render.js';
import { writeFileAtomic } from '../store/atomic.js';
import { StoreError } from '../store/errors.js';
import type { RunStore } from '../store/run-store.js';
import { storedSweepSpec, type SweepSpec } from '../sweep/spec.js';
import { SUMMARY_HEADER } from '../sweep/summary.js';
import { formatRunsCsv, runsCsvRow } from './runs-csv.js';
import { buildSweepData } from './sweep-data.js';

export interface ReportFile {
  name: string;
  caption: string;
  svg: string;
  png: string;
}

export interface ReportOptions {
  threads?: number;
  /** PNG pixels per SVG unit (default 2: print quality; 1 for documents that embed many figures). */
  pngScale?: number;
  /** Other sweeps whose runs join the loss-against-monosemanticity scatter. */
  with?: readonly string[];
}

export async function writeSweepReport(
  store: RunStore,
  sweepName: string,
  outDir: string,
  opts: ReportOptions = {},
): Promise<{ files: ReportFile[]; markdown: string }> {
  const sweepRow = (name: string) => {
    const row = store.getSweep(name);
    if (row) return row;
    const known = store.listSweeps().map((s) => s.name);
    throw new StoreError(
      `no sweep ${JSON.stringify(name)} in ${store.dir}; sweeps there: ${known.length ? known.join(', ') : 'none'}`,
    );
  };
  const row = sweepRow(sweepName);
  // Every sweep named is checked before any analysis starts.
  const others = (opts.with ?? []).filter((n) => n !== sweepName).map(sweepRow);
  const { data: d, analyses } = await buildSweepData(store, row, { threads: opts.threads });
  if (d.runs.length === 0) throw new StoreError(`sweep ${sweepName} has no finished runs to report on yet`);
  const analysisOf = (id: string): RunAnalysis => analyses.get(id)!;
  const caption = sweepCaption(d);

  mkdirSync(outDir, { recursive: true });
  const files: ReportFile[] = [];
  const figure = async (name: string, what: string, spec: Parameters<typeof writeFigure>[2]) => {
    const written = await writeFigure(outDir, name, spec, { scale: opts.pngScale });
    files.push({
      name,
      caption: `${what} ${caption}`,
      svg: path.basename(written.svg),
      png: path.basename(written.png),
    });
  };
  const colour = colourField(d);
  const swept = colour.label ?? fieldLabel(colour.field);

  await figure(
    'training',
    `Loss (faint: every record; line: running mean), monosemantic neurons / N and mean bias against log2(training step), one colour per ${swept}.`,
    trainingPlot(trainingInput(d)),
  );
  const mono = monoVsSweepInput(d);
  if (mono)
    await figure(
      'mono-vs-sweep',
      `Monosemantic neurons / k and / N, and features covered / N, of the final models against ${swept}.`,
      monoVsSweep(mono),
    );
  const compared = [];
  for (const other of others) compared.push((await buildSweepData(store, other, { threads: opts.threads })).data);
  const scatter = lossVsMonoInput([d, ...compared]);
  const sweepsNamed = compared.length
    ? ` of the sweeps ${[d, ...compared].map((s) => s.name).join(', ')} (one shape a sweep)`
    : '';
  if (scatter)
    await figure(
      'loss-vs-mono',
      `Loss (mean of the last 64 records, ± its standard error) against monosemantic neurons / N, one point per run${sweepsNamed}.`,
      lossVsMono(scatter),
    );
  const nOverK = monoVsNOverKInput(d);
  if (nOverK)
    await figure(
      'mono-vs-n-over-k',
      'Monosemantic neurons / k against N / k; the dotted curve min(1, N/k) is the most a model can have with one neuron a feature.',
      monoVsNOverK(nOverK),
    );

  const chosen = heatmapChoice(d);
  if (chosen.length) {
    const sorted = (id: string) => {
      const m = analysisOf(id).metrics;
      return reorder(m.single_feature_activations, m.heatmap_order.neurons, m.heatmap_order.features);
    };
    await figure(
      'sfa-heatmaps',
      `Single-feature activations of the final models (neurons sorted by max/mean activation, features by their strongest neuron; colours 0 to 1.02; one pixel per neuron and feature; beside each, the top-left corner enlarged), for the runs at ${chosen.map((c) => `${runTitle(d, c.run)} (${c.note})`).join('; ')}.`,
      sfaHeatmapRow({
        scale: d.scale,
        sweep: colour,
        runs: chosen.map((c) => ({
          value: colourValue(d, c.run.values),
          sfa: sorted(c.run.id),
          note: c.note,
          mark: runMark(c.run),
        })),
      }),
    );
    await figure(
      'amplitude-response',
      `The output for a feature against its input amplitude (input a e_j, read at output j): the full model, only the neurons with negative bias, only those with positive bias, and the identity; mean over the same ${analysisOf(chosen[0]!.run.id).metrics.amplitude_response.length} evenly spaced features of every run, band 10th–90th percentile.`,
      amplitudeResponse({
        scale: d.scale,
        panels: chosen.map((c) => ({
          title: `${runTitle(d, c.run)} (${c.note})`,
          mark: runMark(c.run),
          ...amplitudeCurves(analysisOf(c.run.id).metrics.amplitude_response),
        })),
      }),
    );
  }

  const bias = biasPlotInput(d);
  if (bias)
    await figure(
      'biases',
      `Each run's first-layer biases in heat-map order; dashed line at N = ${bias.N}, dotted lines at each run's count of monosemantic neurons (they come first in heat-map order).`,
      biasPlot(bias),
    );

  // The most monosemantic run, looked at more closely.
  const best = d.runs
    .filter((r) => finalMeasures(r).snapshot)
    .reduce((a, b) =>
      finalMeasures(b).snapshot!.monosemantic_per_feature > finalMeasures(a).snapshot!.monosemantic_per_feature ? b : a,
    );
  const bestTitle = runTitle(d, best);
  const order = analysisOf(best.id).metrics.heatmap_order;
  const topFeatures = Array.from(order.features.slice(0, 3));
  const loaded = store.loadRun(best.id);
  const analyser = cpuAnalyser(loaded.config, { threads: opts.threads });
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
  await figure(
    'many-feature',
    `Activations with extra features switched on in every input, for the most monosemantic run (${bestTitle}).`,
    manyFeatureHeatmaps({ scale: d.scale, title: `Many-feature activations, ${bestTitle}`, panels }),
  );
  const bestMetrics = analysisOf(best.id).metrics;
  await figure(
    'sfa-lines',
    `Single-feature activations of the first four features in heat-map order, for the most monosemantic run (${bestTitle}).`,
    sfaLinePlot({
      scale: d.scale,
      title: `Single-feature activations, ${bestTitle}`,
      sfa: reorder(
        bestMetrics.single_feature_activations,
        bestMetrics.heatmap_order.neurons,
        bestMetrics.heatmap_order.features,
      ),
      features: [0, 1, 2, 3].filter((f) => f < best.config.N),
    }),
  );

  const grid = gridInput(d);
  if (grid)
    await figure(
      'grid',
      `Final monosemantic neurons / N over ${fieldLabel(grid.y.field)} and ${fieldLabel(grid.x.field)}; grey cells did not finish or diverged.`,
      gridHeatmap(grid),
    );

  const markdown = reportMarkdown(storedSweepSpec(row), d, caption, files);
  writeFileAtomic(path.join(outDir, 'report.md'), markdown);
  writeFileAtomic(path.join(outDir, 'runs.csv'), formatRunsCsv(d.runs.map((r) => runsCsvRow(d, r))));
  return { files, markdown };
}

/** The report's table: one row per point, from the same measures as the figures. */
export function reportTable(d: SweepData): { header: string[]; rows: string[][] } {
  const header = [...d.variables.map((v) => fieldLabel(v.field)), ...SUMMARY_HEADER];
  const byPoint = new Map(d.runs.map((r) => [r.point, r]));
  const pm = (w: { mean: number; se: number }) => formatMean(w.mean, w.se);
  const rows = d.points.map((p) => {
    const values = d.variables.map((v) => formatValue(p.values[v.field] ?? '?'));
    const run = byPoint.get(p.point);
    if (!run) return [...values, p.status, '-', '-', '-', '-', '-', '-', '-', '-'];
    const f = finalMeasures(run);
    const s = f.snapshot;
    const status =
      f.mark === 'diverged'
        ? `diverged at step ${run.diverged_at_step}`
        : f.mark === 'never-learned'
          ? 'never learned'
          : run.status;
    return [
      ...values,
      status,
      pm(f.loss.last8),
      pm(f.loss.last64),
      formatMetric(s?.monosemantic_per_feature, 3),
      s?.features_covered !== undefined ? `${s.features_covered} / ${run.config.N}` : '-',
      formatMetric(s?.monosemantic_per_neuron, 3),
      s ? String(s.dead_neurons) : '-',
      formatMetric(s?.mean_bias, 3),
      `\`${run.id}\``,
    ];
  });
  return { header, rows };
}

function reportMarkdown(spec: SweepSpec, d: SweepData, caption: string, files: ReportFile[]): string {
  const { header, rows } = reportTable(d);
  const fixed = Object.entries(spec.fixed)
    .map(([k, v]) => `${k}=${formatValue(v as number | string)}`)
    .join(', ');
  return [
    `# Sweep ${spec.name}${spec.batch ? ` (Table 1 batch ${spec.batch})` : ''}`,
    '',
    `**Scale: ${d.scale}.** Fixed: ${fixed || 'defaults'}. Swept: ${d.variables.map((v) => `${fieldLabel(v.field)} (${v.values.map(formatValue).join(', ')})`).join(' × ')}.`,
    '',
    caption,
    'A run that never learned ended within 5% of the zero-output loss (the loss of a model that outputs 0); features covered counts the features with at least one monosemantic neuron.',
    '',
    '| ' + header.join(' | ') + ' |',
    '|' + header.map(() => '---').join('|') + '|',
    ...rows.map((r) => '| ' + r.join(' | ') + ' |'),
    '',
    'Every run with its configuration and measures, as data: [runs.csv](runs.csv).',
    '',
    ...files.flatMap((f) => [`## ${f.name}`, '', `![${f.name}](${f.png})`, '', `${f.caption} ([SVG](${f.svg}))`, '']),
  ].join('\n');
}
