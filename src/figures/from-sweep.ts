// One function per figure from a sweep's data (sweep-data.ts) to that figure's input, shared by
// the report and the dashboard so that both draw the same runs the same way: which runs are
// marked diverged or never learned, which value colours a run, which runs get a heat map, and
// the caption. Browser-safe.
import { finalLoss, neverLearned, type FinalLoss } from '../analysis/loss.js';
import type { BiasPlotInput } from './bias.js';
import type { GridHeatmapInput } from './grid.js';
import { fieldLabel, formatValue, sweptTitle } from './labels.js';
import type { LossVsMonoInput } from './loss-vs-mono.js';
import type { MonoSweepInput } from './mono-sweep.js';
import type { MonoVsNOverKInput } from './mono-vs-n-over-k.js';
import type { SeriesData, SweepData, SweepRunData } from './sweep-data.js';
import type { TrainingPlotInput } from './training.js';
import type { RunMark, SweepValue, SweptField } from './types.js';

/** The measures of a run's final snapshot and its final-loss windows. */
export interface FinalMeasures {
  mark: RunMark;
  /** Mean and standard error of the last 8 and the last 64 loss records (NaN when diverged). */
  loss: FinalLoss;
  /** The final snapshot's measures; undefined when the run has no snapshot. */
  snapshot?: SeriesData;
}

const losses = (run: SweepRunData): number[] => run.losses.loss.map((l) => (l === null ? NaN : l));

export function finalMeasures(run: SweepRunData): FinalMeasures {
  const last = run.series.reduce<SeriesData | undefined>(
    (a, s) => (a === undefined || s.step > a.step ? s : a),
    undefined,
  );
  const loss = finalLoss(losses(run), run.status === 'diverged');
  const mark: RunMark =
    run.status === 'diverged'
      ? 'diverged'
      : neverLearned(loss.last8.mean, run.zero_output_loss)
        ? 'never-learned'
        : 'ok';
  return { mark, loss, ...(last ? { snapshot: last } : {}) };
}

/** Diverged; never learned (final loss within 5% of the zero-output loss); or ok. */
export const runMark = (run: SweepRunData): RunMark => finalMeasures(run).mark;

/**
 * What colours a run: the swept variable other than the seed (seeds of one value then make a
 * band), the seed when only seeds are swept, or the combination for a grid of several variables.
 */
export function colourField(d: Pick<SweepData, 'variables'>): SweptField & { fields: string[] } {
  const swept = d.variables.filter((v) => v.field !== 'seed').map((v) => v.field);
  if (swept.length === 0) return { field: 'seed', fields: ['seed'] };
  if (swept.length === 1) return { field: swept[0]!, fields: swept };
  return { field: 'point', label: swept.map(fieldLabel).join(' × '), fields: swept };
}

/** The run's colour value under `colourField`. */
export function colourValue(d: Pick<SweepData, 'variables'>, values: Record<string, SweepValue>): SweepValue {
  const { fields } = colourField(d);
  if (fields.length === 1) return values[fields[0]!] ?? '?';
  return fields.map((f) => formatValue(values[f] ?? '?')).join(' × ');
}

/** The seeds of the sweep's runs, ascending (more than one: runs of a value make a band). */
const seedsOf = (d: SweepData): number[] => [...new Set(d.runs.map((r) => r.config.seed))].sort((a, b) => a - b);

/** A run's panel title: its swept values (and its seed when the sweep has several). */
export function runTitle(d: SweepData, run: SweepRunData): string {
  const { field, label, fields } = colourField(d);
  const title =
    fields.length === 1
      ? sweptTitle(field, colourValue(d, run.values), label)
      : `${label} = ${colourValue(d, run.values)}`;
  return seedsOf(d).length > 1 && field !== 'seed' ? `${title}, seed ${run.config.seed}` : title;
}

/** One zero-output loss for a figure when the runs agree on it within 5%, else none. */
function commonZeroLoss(runs: readonly SweepRunData[]): number | undefined {
  const z = runs.map((r) => r.zero_output_loss).filter(Number.isFinite);
  if (z.length === 0) return undefined;
  const lo = Math.min(...z);
  const hi = Math.max(...z);
  return hi <= lo * 1.05 ? z.reduce((a, b) => a + b, 0) / z.length : undefined;
}

export function trainingInput(d: SweepData): TrainingPlotInput {
  const first = d.runs[0]?.config;
  const zero = commonZeroLoss(d.runs);
  return {
    scale: d.scale,
    sweep: colourField(d),
    runs: d.runs.map((r) => ({
      value: colourValue(d, r.values),
      id: r.id,
      mark: runMark(r),
      snapshots: r.series.map((s) => ({
        log2_step: s.log2_step,
        mono_per_feature: s.monosemantic_per_feature,
        mean_bias: s.mean_bias,
      })),
      losses: { steps: r.losses.steps, loss: losses(r) },
    })),
    ...(zero !== undefined ? { zeroOutputLoss: zero } : {}),
    ...(first
      ? {
          steps: 2 ** first.log2_training_steps,
          schedule: first.schedule,
          decay: d.runs.some((r) => r.config.decay > 0),
        }
      : {}),
  };
}

/** Final mono / k, mono / N and features covered / N against the (first non-seed) swept value. */
export function monoVsSweepInput(d: SweepData): MonoSweepInput | undefined {
  const field = colourField(d);
  if (field.fields.length !== 1) return undefined;
  const points = d.runs.flatMap((r) => {
    const f = finalMeasures(r).snapshot;
    if (!f) return [];
    return [
      {
        value: colourValue(d, r.values),
        mark: runMark(r),
        mono_per_neuron: f.monosemantic_per_neuron,
        mono_per_feature: f.monosemantic_per_feature,
        ...(f.features_covered !== undefined ? { features_covered_per_feature: f.features_covered / r.config.N } : {}),
      },
    ];
  });
  if (points.length === 0) return undefined;
  const N = d.runs[0]!.config.N;
  return { scale: d.scale, sweep: { field: field.field }, points, ...(field.field === 'k' ? { N } : {}) };
}

export function biasPlotInput(d: SweepData): BiasPlotInput | undefined {
  const runs = d.runs.filter((r) => r.biases !== null);
  if (runs.length === 0) return undefined;
  return {
    scale: d.scale,
    sweep: colourField(d),
    N: runs[0]!.config.N,
    runs: runs.map((r) => {
      const f = finalMeasures(r);
      return {
        value: colourValue(d, r.values),
        id: r.id,
        mark: f.mark,
        biases: r.biases!,
        ...(f.snapshot ? { mono: f.snapshot.monosemantic_neurons } : {}),
      };
    }),
  };
}

/**
 * The final mono / N over the first two swept variables (the mean over seeds); grey where no run
 * finished or one diverged; a cell whose runs never learned is marked.
 */
export function gridInput(d: SweepData): GridHeatmapInput | undefined {
  const swept = d.variables.filter((v) => v.field !== 'seed');
  if (swept.length < 2) return undefined;
  const [vy, vx] = swept as [(typeof swept)[0], (typeof swept)[0]];
  const byPoint = new Map(d.runs.map((r) => [r.point, r]));
  const cells = new Map<
    string,
    { x: SweepValue; y: SweepValue; values: (number | null)[]; marks: (RunMark | undefined)[] }
  >();
  for (const p of d.points) {
    const x = p.values[vx.field]!;
    const y = p.values[vy.field]!;
    const key = JSON.stringify([x, y]);
    const cell = cells.get(key) ?? { x, y, values: [], marks: [] };
    cells.set(key, cell);
    const run = byPoint.get(p.point);
    const mark = run ? runMark(run) : undefined;
    const f = run && mark !== 'diverged' ? finalMeasures(run).snapshot : undefined;
    cell.values.push(f ? f.monosemantic_per_feature : null);
    cell.marks.push(mark);
  }
  return {
    scale: d.scale,
    x: { field: vx.field },
    y: { field: vy.field },
    cells: [...cells.values()].map(({ x, y, values, marks }) => {
      // A cell with a missing or diverged seed is grey: its mean would hide that seed.
      const value = values.some((v) => v === null) ? null : values.reduce<number>((a, v) => a + v!, 0) / values.length;
      return {
        x,
        y,
        value,
        ...(value !== null && marks.every((m) => m === 'never-learned') ? { mark: 'never-learned' as const } : {}),
      };
    }),
  };
}

/**
 * One point per run of one or several sweeps: the loss over the last 64 records (± its standard
 * error) against the final mono / N, coloured by the swept value. With several sweeps, the colour
 * is the sweeps' common swept field when they share one, else the sweep.
 */
export function lossVsMonoInput(sweeps: readonly SweepData[]): LossVsMonoInput | undefined {
  const runs = sweeps.flatMap((d) => d.runs.map((r) => ({ d, r })));
  const fields = [...new Set(sweeps.map((d) => colourField(d).field))];
  const shared = fields.length === 1;
  const points = runs.flatMap(({ d, r }) => {
    const f = finalMeasures(r);
    return [
      {
        value: shared ? colourValue(d, r.values) : d.name,
        id: r.id,
        sweep: d.name,
        mark: f.mark,
        loss: f.loss.last64.mean,
        ...(Number.isFinite(f.loss.last64.se) ? { loss_se: f.loss.last64.se } : {}),
        mono_per_feature: f.snapshot?.monosemantic_per_feature ?? NaN,
      },
    ];
  });
  // A scatter needs a finite loss and mono / N; diverged runs are only counted in its note.
  if (!points.some((p) => Number.isFinite(p.loss) && Number.isFinite(p.mono_per_feature))) return undefined;
  const zero = commonZeroLoss(runs.map(({ r }) => r));
  const first = colourField(sweeps[0]!);
  return {
    scale: [...new Set(sweeps.map((d) => d.scale))].join('; '),
    sweep: shared
      ? { field: first.field, ...(first.label ? { label: first.label } : {}) }
      : { field: 'sweep', label: 'sweep' },
    points,
    lossTitle: 'loss, mean of the last 64 records',
    ...(zero !== undefined ? { zeroOutputLoss: zero } : {}),
  };
}

/** mono / k (and features covered / N) against N / k, for sweeps over k. */
export function monoVsNOverKInput(d: SweepData): MonoVsNOverKInput | undefined {
  if (!d.variables.some((v) => v.field === 'k')) return undefined;
  const points = d.runs.flatMap((r) => {
    const f = finalMeasures(r).snapshot;
    if (!f || runMark(r) === 'diverged') return [];
    const { k, N } = r.config;
    return [
      {
        k,
        N,
        mark: runMark(r),
        mono_per_neuron: f.monosemantic_per_neuron,
        ...(f.features_covered !== undefined ? { features_covered_per_feature: f.features_covered / N } : {}),
      },
    ];
  });
  return points.length ? { scale: d.scale, points } : undefined;
}

/** A run chosen for a heat map, and why: "lowest", "transition", "peak", "k = N", "highest". */
export interface ChosenRun {
  run: SweepRunData;
  note: string;
}

/**
 * The runs worth a heat map, in swept order: the lowest and highest value, the transition (the
 * run whose mono / N is nearest the middle of the sweep's range), the peak of mono / N, and k = N
 * in k sweeps. One run per value (its lowest seed); diverged runs are never chosen.
 */
export function heatmapChoice(d: SweepData): ChosenRun[] {
  const field = colourField(d);
  const byValue = new Map<string, SweepRunData>();
  for (const r of d.runs) {
    if (r.status !== 'finished' || r.biases === null || !finalMeasures(r).snapshot) continue;
    const key = String(colourValue(d, r.values));
    const seen = byValue.get(key);
    if (!seen || r.config.seed < seen.config.seed) byValue.set(key, r);
  }
  const runs = [...byValue.values()].sort((a, b) => {
    const va = colourValue(d, a.values);
    const vb = colourValue(d, b.values);
    return typeof va === 'number' && typeof vb === 'number' ? va - vb : a.point - b.point;
  });
  if (runs.length === 0) return [];
  const mono = runs.map((r) => finalMeasures(r).snapshot!.monosemantic_per_feature);
  const notes = new Map<number, string[]>();
  const add = (i: number, note: string) => notes.set(i, [...(notes.get(i) ?? []), note]);
  add(0, 'lowest');
  if (runs.length > 1) add(runs.length - 1, 'highest');
  const lo = Math.min(...mono);
  const hi = Math.max(...mono);
  if (hi > lo && runs.length > 2) {
    const middle = (lo + hi) / 2;
    let best = 1;
    for (let i = 2; i < runs.length - 1; i++)
      if (Math.abs(mono[i]! - middle) < Math.abs(mono[best]! - middle)) best = i;
    add(best, 'transition');
  }
  if (hi > lo) add(mono.indexOf(hi), 'peak');
  if (field.field === 'k') {
    const kN = runs.findIndex((r) => r.config.k === r.config.N);
    if (kN >= 0) add(kN, 'k = N');
  }
  return [...notes.keys()].sort((a, b) => a - b).map((i) => ({ run: runs[i]!, note: notes.get(i)!.join(', ') }));
}

/** The configuration line of a caption: fixed values, and "swept" for the swept fields. */
function configText(d: SweepData): string {
  const c = d.runs[0]!.config;
  const swept = new Set(d.variables.map((v) => v.field));
  const v = (field: keyof typeof c, text: string) => (swept.has(field) ? `${field} swept` : text);
  return [
    v('N', `N=${c.N}`),
    v('m', `m=${c.m}`),
    v('k', `k=${c.k}`),
    v('task', c.task),
    v('nonlinearity', c.nonlinearity),
    v('sample_kind', `${c.sample_kind} features`),
    v('eps', `eps=${formatValue(c.eps)}`),
    v('optimizer', c.optimizer === 'lamb' ? 'LAMB' : c.optimizer),
    v('schedule', `${c.schedule} schedule`),
    v('learning_rate', `lr=${formatValue(c.learning_rate)}`),
    v('decay', `bias decay ${formatValue(c.decay)}`),
    v('initial_bias', `initial bias ${formatValue(c.initial_bias)}`),
    v('reg', `L1 ${formatValue(c.reg)}`),
  ].join(', ');
}

/**
 * The caption every figure of a sweep carries: the configuration, the scale, the seeds, the
 * threads and engine, the monosemanticity criterion and the loss definition.
 */
export function sweepCaption(d: SweepData): string {
  if (d.runs.length === 0) return `Scale ${d.scale}; no run has finished yet.`;
  const seeds = seedsOf(d);
  const threads = [...new Set(d.runs.map((r) => r.config.threads))].sort((a, b) => a - b);
  const devices = [...new Set(d.runs.map((r) => r.config.device ?? 'cpu'))];
  return (
    [
      `${configText(d)}; scale ${d.scale}`,
      `Seed${seeds.length > 1 ? 's' : ''} ${seeds.join(', ')}`,
      `${threads.join(' or ')} ORT thread${threads.length === 1 && threads[0] === 1 ? '' : 's'} a run, ONNX graphs on ${devices.join(', ')}`,
      'A neuron is monosemantic when max_j SFA / (1e-10 + Σ_j SFA) > 0.999',
      'Loss: squared error summed over the outputs, divided by the batch; final loss: mean of the last 8 records (every 16 steps)',
    ].join('. ') + '.'
  );
}
