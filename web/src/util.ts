// Shared bits of the pages: the page interface and its refresh, scale labels, swept-value labels.
import { fieldLabel, formatValue } from '../../src/figures/index.js';
import type { RunConfig, SeriesPoint, SweepValue, SweepVariable } from './api.js';
import { runScaleOf, scaleLabel } from '../../src/sweep/scale.js';
import { errorBox, setChildren } from './dom.js';

/** Finished or diverged: a run whose files no longer change (the store's own rule). */
export { isSettled } from '../../src/store/status.js';

/** What the live updates tell a page: the runs and sweeps that changed (ids/names or rows). */
export interface ChangeHint {
  runs?: unknown[];
  sweeps?: unknown[];
}

export interface Page {
  /** Re-fetches and redraws what changed; `hint` is the change event's payload, if any. */
  refresh(hint?: ChangeHint): Promise<void>;
  dispose?(): void;
}

export type PageFactory = (root: HTMLElement, params: { path: string[]; query: URLSearchParams }) => Page;

/**
 * Every page's refresh: fetch, compare with what was drawn last, and redraw only on a change (the
 * live updates ask often). A failed fetch shows its error in `message` under `title` and leaves the
 * page as it was; a good one clears it, or shows `notice(data)`. `key` picks what is compared.
 */
export function redrawOnChange<T>(opts: {
  load: () => Promise<T>;
  draw: (data: T) => void | Promise<void>;
  message?: HTMLElement;
  title?: string;
  notice?: (data: T) => Node | null;
  key?: (data: T) => unknown;
}): () => Promise<void> {
  let last = '';
  return async () => {
    let data: T;
    try {
      data = await opts.load();
    } catch (e) {
      if (opts.message) setChildren(opts.message, errorBox((e as Error).message, opts.title));
      return;
    }
    if (opts.message) setChildren(opts.message, opts.notice?.(data) ?? null);
    const json = JSON.stringify(opts.key ? opts.key(data) : data);
    if (json === last) return;
    last = json;
    await opts.draw(data);
  };
}

/** A list of swept values, the first two and the last when there are more than `shown`. */
export function valuesText(values: SweepValue[], shown: number): string {
  if (values.length <= shown) return values.map(formatValue).join(', ');
  return `${formatValue(values[0]!)}, ${formatValue(values[1]!)}, …, ${formatValue(values[values.length - 1]!)} (${values.length})`;
}

/** Whether the change event names this run id / sweep name (unknown payloads count as yes). */
export function mentions(list: unknown[] | undefined, key: string, field: 'id' | 'name'): boolean {
  if (!Array.isArray(list)) return true;
  return list.some(
    (x) => x === key || (x !== null && typeof x === 'object' && (x as Record<string, unknown>)[field] === key),
  );
}

/** A config field by name. */
export function configField(c: RunConfig, key: string): unknown {
  return (c as unknown as Record<string, unknown>)[key];
}

/** The scale of one run, as sweeps label theirs: "laptop (batch 2^10, 2^13 steps)". */
export function runScale(c: Pick<RunConfig, 'log2_batch_size' | 'log2_training_steps'>): string {
  return scaleLabel(runScaleOf(c));
}

/** The short scale for the runs table: 2^10 × 2^13. */
export function shortScale(c: Pick<RunConfig, 'log2_batch_size' | 'log2_training_steps'>): string {
  return `2^${c.log2_batch_size} × 2^${c.log2_training_steps}`;
}

/** "learning rate = 0.003, initial mean bias = -1". */
export function pointTitle(variables: SweepVariable[], values: Record<string, SweepValue>): string {
  return variables.map((v) => `${fieldLabel(v.field)} = ${formatValue(values[v.field] ?? '?')}`).join(', ');
}

/** The training-plot snapshot points of a series. */
export function snapshotPoints(
  series: SeriesPoint[] | null | undefined,
): { log2_step: number; mono_per_feature: number; mean_bias: number }[] {
  return (series ?? []).map((s) => ({
    log2_step: s.log2_step,
    mono_per_feature: s.monosemantic_per_feature,
    mean_bias: s.mean_bias,
  }));
}

/** The figures take finite numbers; the API sends null (or NaN) for a diverged loss. */
export function lossRecord(
  l: { steps: number[]; loss: (number | null)[] } | null | undefined,
): { steps: number[]; loss: number[] } | undefined {
  if (!l) return undefined;
  return { steps: l.steps, loss: l.loss.map((v) => (v === null ? NaN : v)) };
}

/** A display size for a neurons × features heat map within maxW × maxH, cells kept square. */
export function heatmapSize(rows: number, cols: number, maxW: number, maxH: number): { width: number; height: number } {
  const aspect = rows / Math.max(1, cols);
  let width = maxW;
  let height = width / aspect;
  if (height > maxH) {
    height = maxH;
    width = height * aspect;
  }
  return {
    width: Math.round(Math.max(width, Math.min(maxW, 160))),
    height: Math.round(Math.max(height, Math.min(maxH, 90))),
  };
}

/** The widest plot area for `n` heat maps side by side in `row` (at most three a row). */
export function panelWidth(row: HTMLElement, n: number): number {
  const perRow = Math.max(1, Math.min(3, n));
  const avail = (row.clientWidth || 1300) - 20 * (perRow - 1);
  // Each panel also has its y axis and colour legend beside the plot (about 150 px).
  return Math.max(220, Math.min(520, Math.floor(avail / perRow) - 150));
}

export function runHref(id: string): string {
  return `#/runs/${encodeURIComponent(id)}`;
}

export function sweepHref(name: string): string {
  return `#/sweeps/${encodeURIComponent(name)}`;
}
