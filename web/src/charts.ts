// Drawing the shared figure definitions (src/figures) with vega-embed, and the SFA heat map panel
// with its hover read-out (neuron, feature, activation under the mouse). Plots are SVG (text a
// reader can select and a test can read, the same marks as the report's SVGs); heat maps are
// canvas, where the raster is drawn once and hover is read from it.
import embed, { type Result } from 'vega-embed';
import { MEASURE_LABELS, sfaHeatmap } from '../../src/figures/index.js';
import type { SnapshotResponse } from './api.js';
import { decodeSfa } from './api.js';
import { errorBox, h, metric, setChildren } from './dom.js';

type View = Result['view'];
type TopLevelSpec = Parameters<typeof embed>[1];

interface Slot {
  result?: Result;
  token: number;
}
const slots = new WeakMap<HTMLElement, Slot>();

/**
 * Draws `spec` into `el`, replacing what was there once the new chart is ready (no flicker). A later
 * call for the same element wins over an earlier one still rendering. `makeSpec` runs inside, so a
 * figure that cannot be drawn shows its message in place.
 */
export async function draw(
  el: HTMLElement,
  makeSpec: () => TopLevelSpec,
  renderer: 'svg' | 'canvas' = 'svg',
): Promise<View | undefined> {
  let slot = slots.get(el);
  if (!slot) slots.set(el, (slot = { token: 0 }));
  const token = ++slot.token;
  const target = h('div', { class: 'chart-body' });
  let result: Result;
  try {
    const spec = makeSpec();
    result = await embed(target, spec, { renderer, actions: false, tooltip: { theme: 'light' } });
  } catch (e) {
    if (token === slot.token) {
      slot.result?.finalize();
      slot.result = undefined;
      setChildren(el, errorBox((e as Error).message, 'Cannot draw this figure'));
    }
    return undefined;
  }
  if (token !== slot.token) {
    result.finalize();
    return undefined;
  }
  slot.result?.finalize();
  slot.result = result;
  setChildren(el, target);
  el.dataset.drawn = String(Number(el.dataset.drawn ?? 0) + 1);
  return result.view;
}

/** A chart container with a stable test id; charts keep their space while redrawn. */
export function chartBox(testid: string, extraClass = ''): HTMLElement {
  return h('div', { class: `chart ${extraClass}`.trim(), 'data-testid': testid });
}

/** One heat map: the SFA in heat-map order, and each row's neuron and column's feature. */
export interface HeatmapData {
  step: number;
  sfa: { rows: number; cols: number; data: Float32Array };
  neurons: ArrayLike<number>;
  features: ArrayLike<number>;
}

/** A snapshot from the API as a heat map. */
export const snapshotHeatmap = (snap: SnapshotResponse): HeatmapData => ({
  step: snap.step,
  sfa: decodeSfa(snap.sfa),
  neurons: snap.neurons,
  features: snap.features,
});

export interface HeatmapPanel {
  el: HTMLElement;
  /** Draws the heat map (resolves when drawn). */
  show(heatmap: HeatmapData, title?: string): Promise<void>;
}

/**
 * The SFA heat map of one snapshot: the sfaHeatmap figure, and below it a read-out of the cell
 * under the mouse, with the neuron's and feature's original indices.
 */
export function heatmapPanel(opts: { scale: string; width?: number; height?: number; testid?: string }): HeatmapPanel {
  const chart = chartBox(opts.testid ?? 'sfa-heatmap', 'heatmap');
  const readout = h('div', { class: 'hover-readout', 'data-testid': 'heatmap-hover' }, '\u00a0');
  const el = h('div', { class: 'heatmap-panel' }, chart, readout);
  let current: { snap: HeatmapData; data: Float32Array; view: View } | undefined;
  const idle = 'hover the heat map for neuron, feature and activation';
  readout.textContent = idle;

  const cellAt = (ev: MouseEvent): { row: number; col: number } | undefined => {
    if (!current) return undefined;
    const canvas = chart.querySelector('canvas');
    if (!canvas) return undefined;
    const rect = canvas.getBoundingClientRect();
    // The plot area's top-left corner in the canvas: Vega's padding plus its origin.
    const [ox, oy] = current.view.origin();
    const pad = current.view.padding() as number | { left?: number; top?: number };
    const padLeft = typeof pad === 'number' ? pad : (pad.left ?? 0);
    const padTop = typeof pad === 'number' ? pad : (pad.top ?? 0);
    const x = ev.clientX - rect.left - padLeft - ox;
    const y = ev.clientY - rect.top - padTop - oy;
    const w = current.view.width();
    const hgt = current.view.height();
    if (x < 0 || y < 0 || x >= w || y >= hgt) return undefined;
    const xs = current.view.scale('x') as ((v: number) => number) & { invert(v: number): number };
    const ys = current.view.scale('y') as ((v: number) => number) & { invert(v: number): number };
    const row = Math.floor(xs.invert(x));
    const col = Math.floor(ys.invert(y));
    const { rows, cols } = current.snap.sfa;
    if (row < 0 || col < 0 || row >= rows || col >= cols) return undefined;
    return { row, col };
  };
  chart.addEventListener('mousemove', (ev) => {
    const cell = cellAt(ev);
    if (!cell || !current) {
      readout.textContent = idle;
      readout.classList.remove('active');
      return;
    }
    const { snap, data } = current;
    const neuron = snap.neurons[cell.row] ?? cell.row;
    const feature = snap.features[cell.col] ?? cell.col;
    const value = data[cell.row * snap.sfa.cols + cell.col]!;
    readout.classList.add('active');
    setChildren(
      readout,
      h('span', { 'data-testid': 'hover-neuron' }, h('b', {}, 'neuron '), String(neuron)),
      h('span', { class: 'muted' }, ` (row ${cell.row})`),
      h('span', { class: 'sep' }, ' · '),
      h('span', { 'data-testid': 'hover-feature' }, h('b', {}, 'feature '), String(feature)),
      h('span', { class: 'muted' }, ` (column ${cell.col})`),
      h('span', { class: 'sep' }, ' · '),
      h('span', { 'data-testid': 'hover-activation' }, h('b', {}, `${MEASURE_LABELS.activation} `), metric(value, 4)),
    );
  });
  chart.addEventListener('mouseleave', () => {
    readout.textContent = idle;
    readout.classList.remove('active');
  });

  return {
    el,
    async show(snap, title) {
      const { data } = snap.sfa;
      const view = await draw(
        chart,
        () =>
          sfaHeatmap({
            scale: opts.scale,
            sfa: { rows: snap.sfa.rows, cols: snap.sfa.cols, data },
            ...(title ? { title } : {}),
            ...(opts.width ? { width: opts.width } : {}),
            ...(opts.height ? { height: opts.height } : {}),
          }),
        'canvas',
      );
      if (view) {
        current = { snap, data, view };
        chart.dataset.step = String(snap.step);
      }
    },
  };
}
