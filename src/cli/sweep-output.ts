// What a sweep shows: progress on stderr while it runs, then the summary table (or one JSON
// object) on stdout, always with the scale.
import cliProgress from 'cli-progress';
import { pointLabel, type SweepSpec } from '../sweep/spec.js';
import type { SweepOutcome } from '../sweep/outcomes.js';
import type { SweepEvents } from '../runner/pool.js';
import { scaleLabel } from '../sweep/scale.js';
import { formatMetric as num } from '../figures/labels.js';
import { SUMMARY_HEADER, summaryRows } from '../sweep/summary.js';
import { batchSize } from '../config/schema.js';

/** An overall bar (runs, samples/s, ETA) with one bar per running run under it. When stderr is not
 * a terminal (a sweep under nohup or in CI), plain lines instead: one at each eighth of a run, so
 * that a long run is not silent for hours, and one when it ends. */
export function sweepProgress(spec: SweepSpec): SweepEvents & { stop: () => void } {
  const tty = process.stderr.isTTY;
  const multi = tty
    ? new cliProgress.MultiBar(
        {
          stream: process.stderr,
          hideCursor: true,
          fps: 5,
          clearOnComplete: false,
          format: '{label} |{bar}| {value}/{total} {unit} | {info}',
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let overall: cliProgress.SingleBar | undefined;
  const bars = new Map<number, cliProgress.SingleBar>();
  const samples = new Map<number, number>();
  const eighths = new Map<number, number>();
  let total = 0;
  let done = 0;
  let totalSamples = 0;
  const start = performance.now();
  const trained = () => [...samples.values()].reduce((a, b) => a + b, 0);
  const rate = () => trained() / ((performance.now() - start) / 1000);
  // ETA from samples, not runs: runs of a k sweep differ a lot in cost.
  const eta = () => {
    const seconds = rate() > 0 ? (totalSamples - trained()) / rate() : NaN;
    if (!Number.isFinite(seconds)) return '-';
    const m = Math.floor(seconds / 60);
    return m >= 60
      ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
      : `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  };
  const info = () => `${Math.round(rate())} samples/s | ETA ${eta()}`;
  return {
    onPlan: (todo, kept) => {
      total = todo.length;
      totalSamples = todo.reduce((n, p) => n + 2 ** (p.config.log2_batch_size + p.config.log2_training_steps), 0);
      process.stderr.write(
        `sweep ${spec.name} at ${scaleLabel(spec.scale)}: ${todo.length} runs to train, ${kept} kept from earlier\n`,
      );
      overall = multi?.create(total, 0, { label: 'sweep', unit: 'runs', info: info() });
    },
    onRunStart: (point) => {
      const bar = multi?.create(2 ** point.config.log2_training_steps, 0, {
        label: `  ${pointLabel(point)}`,
        unit: 'steps',
        info: '',
      });
      if (bar) bars.set(point.index, bar);
    },
    onRunProgress: (point, p) => {
      samples.set(point.index, p.step * batchSize(point.config));
      bars.get(point.index)?.update(p.step, { info: `loss ${num(p.loss)}` });
      overall?.update(done, { info: info() });
      const eighth = Math.floor((8 * p.step) / p.steps);
      if (!tty && eighth > (eighths.get(point.index) ?? 0) && p.step < p.steps) {
        eighths.set(point.index, eighth);
        process.stderr.write(`  ${pointLabel(point)}: step ${p.step}/${p.steps}, loss ${num(p.loss)} | ${info()}\n`);
      }
    },
    onRunEnd: (point, id, summary) => {
      done++;
      samples.set(point.index, 2 ** (point.config.log2_batch_size + point.config.log2_training_steps));
      const bar = bars.get(point.index);
      if (bar) multi?.remove(bar);
      overall?.update(done, { info: info() });
      if (!tty) {
        process.stderr.write(
          `[${done}/${total}] ${pointLabel(point)}: ${summary.status}, loss ${num(summary.data_loss)}, mono/N ${num(summary.monosemantic_per_feature, 3)} (${id})\n`,
        );
      }
    },
    stop: () => multi?.stop(),
  };
}

export function sweepTable(spec: SweepSpec, outcomes: SweepOutcome[]): string {
  const header = [...spec.variables.map((v) => v.field), ...SUMMARY_HEADER];
  const rows = summaryRows(spec, outcomes);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const diverged = outcomes.filter((o) => o.run?.status === 'diverged');
  return [
    `sweep ${spec.name}${spec.batch ? ` (batch ${spec.batch})` : ''} at scale ${scaleLabel(spec.scale)}`,
    line(header),
    ...rows.map(line),
    diverged.length
      ? `diverged: ${diverged.map((o) => `${pointLabel(o.point)} at step ${o.run!.final?.diverged_at_step} (${o.run!.id})`).join('; ')}`
      : 'diverged: none',
  ].join('\n');
}

export function sweepJson(spec: SweepSpec, outcomes: SweepOutcome[]): object {
  return {
    name: spec.name,
    batch: spec.batch ?? null,
    scale: { ...spec.scale, label: scaleLabel(spec.scale) },
    fixed: spec.fixed,
    variables: spec.variables,
    runs: outcomes.map(({ point, run }) => ({
      point: point.index,
      values: point.values,
      id: run?.id ?? null,
      status: run?.status ?? 'missing',
      // The stored config (with threads, device and runs per graph) once the point has a run.
      config: run?.config ?? point.config,
      final: run?.final ?? null,
    })),
  };
}

/** Prints sweeps' results as each is done: a summary table each, or with --json one object (an
 * array of them for several sweeps) once all are done. */
export function sweepResults(json: boolean): {
  add: (spec: SweepSpec, outcomes: SweepOutcome[]) => void;
  end: () => void;
} {
  const results: object[] = [];
  return {
    add: (spec, outcomes) => {
      if (json) results.push(sweepJson(spec, outcomes));
      else process.stdout.write(`${sweepTable(spec, outcomes)}\n\n`);
    },
    end: () => {
      if (json) process.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : results)}\n`);
    },
  };
}
