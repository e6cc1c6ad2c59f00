// #/sweeps/NAME: one sweep. Its scale at the top, the summary table, the training, mono-vs-sweep
// and bias plots (and the grid heat map for two variables), and SFA heat maps of the runs picked
// in the table.
import { biasPlot, fieldLabel, formatValue, gridHeatmap, monoVsSweep, trainingPlot } from '../../../src/figures/index.js';
import { api, cachedSnapshot, type SweepDetail, type SweepPoint } from '../api.js';
import { chartBox, draw, heatmapPanel, type HeatmapPanel } from '../charts.js';
import { errorBox, h, metric, progressBar, setChildren, statusBadge } from '../dom.js';
import {
  finalStep,
  heatmapSize,
  isDone,
  lossRecord,
  mentions,
  panelWidth,
  pointTitle,
  pointValue,
  runHref,
  snapshotPoints,
  sweptField,
  type PageFactory,
} from '../util.js';

/** Picked heat-map runs per sweep, kept while the app is open. */
const picked = new Map<string, Set<string>>();

/** Up to `n` finished points spread evenly over the sweep. */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  const out = new Set<T>();
  for (let i = 0; i < n; i++) out.add(items[Math.round((i * (items.length - 1)) / (n - 1))]!);
  return [...out];
}

export const sweepPage: PageFactory = (root, { path }) => {
  const name = path[0] ?? '';
  let detail: SweepDetail | undefined;
  let lastJson = '';
  const panels = new Map<string, { panel: HeatmapPanel; wrap: HTMLElement; step: number }>();

  const head = h('div', { class: 'page-head' }, h('h1', {}, 'Sweep ', h('span', { class: 'mono' }, name)));
  const scaleBanner = h('div', { class: 'scale-banner', 'data-testid': 'sweep-scale' });
  const meta = h('div', { class: 'meta' });
  const message = h('div');
  const table = h('table', { class: 'data', 'data-testid': 'sweep-table' });
  const training = chartBox('training-plot');
  const mono = chartBox('mono-vs-sweep');
  const bias = chartBox('bias-plot');
  const grid = chartBox('grid-heatmap');
  const gridSection = h('section', { hidden: true }, h('h2', {}, 'Grid'), grid);
  const heatmaps = h('div', { class: 'heatmap-row', 'data-testid': 'sweep-heatmaps' });
  const heatNote = h('p', { class: 'muted small' });
  // The body shows once the sweep has loaded (a missing sweep shows only its error).
  const body = h(
    'div',
    { hidden: true },
    scaleBanner,
    meta,
    h('section', {}, h('h2', {}, 'Runs'), h('div', { class: 'table-wrap' }, table)),
    h('section', {}, h('h2', {}, 'Training'), training),
    h('section', { class: 'two-up' }, mono, bias),
    gridSection,
    h('section', {}, h('h2', {}, 'Single-feature activations'), heatNote, heatmaps),
  );
  setChildren(root, h('p', { class: 'crumbs' }, h('a', { href: '#/sweeps' }, 'Sweeps'), ' / ', name), head, message, body);
  setChildren(message, h('p', { class: 'muted' }, 'Loading…'));

  /** Runs whose files the server could not read: no heat map for them. */
  const unreadable = (d: SweepDetail): Set<string> => new Set((d.errors ?? []).map((e) => e.id));
  const drawable = (d: SweepDetail, p: SweepPoint): boolean => !!p.run && p.run.status === 'finished' && !unreadable(d).has(p.run.id);

  const pickedSet = (): Set<string> => {
    let s = picked.get(name);
    if (!s && detail) {
      const d = detail;
      const done = d.points.filter((p) => drawable(d, p)).map((p) => p.run!.id);
      s = new Set(spread(done, 3));
      if (done.length) picked.set(name, s);
    }
    return s ?? new Set();
  };

  function renderHeader(d: SweepDetail): void {
    scaleBanner.textContent = `scale: ${d.scale}`;
    const runs = d.points.map((p) => p.run);
    const finished = runs.filter((r) => r?.status === 'finished').length;
    const diverged = runs.filter((r) => r?.status === 'diverged').length;
    const running = runs.filter((r) => r?.status === 'running').length;
    const total = d.points.length;
    const fixed = Object.entries(d.fixed)
      .filter(([k]) => !d.variables.some((v) => v.field === k))
      .map(([k, v]) => h('span', { class: 'chip' }, h('span', { class: 'field' }, k), ` = ${typeof v === 'number' ? formatValue(v) : String(v)}`));
    setChildren(
      meta,
      h(
        'div',
        { class: 'meta-row' },
        d.batch ? h('span', { class: 'chip batch' }, `batch ${d.batch}`) : null,
        h('span', {}, progressBar(total ? (finished + diverged) / total : 0, `${finished + diverged} / ${total} runs`)),
        h('span', { class: 'muted' }, `${finished} finished · ${diverged} diverged · ${running} running`),
      ),
      h('div', { class: 'meta-row' }, h('span', { class: 'muted' }, 'swept: '), ...d.variables.map((v) => h('span', { class: 'chip swept' }, h('span', { class: 'field' }, v.field), ` ∈ {${v.values.map(formatValue).join(', ')}}`))),
      fixed.length ? h('div', { class: 'meta-row' }, h('span', { class: 'muted' }, 'fixed: '), ...fixed) : null,
      ...(d.errors ?? []).map((e) => errorBox(e.error, `Run ${e.id} (point ${e.point}) cannot be read`)),
    );
  }

  function renderTable(d: SweepDetail): void {
    const sel = pickedSet();
    const header = h(
      'tr',
      {},
      h('th', { class: 'select', title: 'show the SFA heat map' }, 'map'),
      ...d.variables.map((v) => h('th', { class: 'num', title: fieldLabel(v.field) }, v.field)),
      ...['status', 'final loss', 'mono/N', 'mono/k', 'mean bias'].map((c, i) => h('th', { class: i ? 'num' : '' }, c)),
      h('th', {}, 'run'),
    );
    const rows = d.points.map((p: SweepPoint) => {
      const r = p.run;
      const box = h('input', { type: 'checkbox', 'aria-label': `heat map of ${pointTitle(d.variables, p.values)}`, checked: !!r && sel.has(r.id), disabled: !drawable(d, p) });
      box.addEventListener('change', () => {
        if (!r) return;
        const s = pickedSet();
        if (box.checked) s.add(r.id);
        else s.delete(r.id);
        picked.set(name, s);
        void renderHeatmaps(d);
      });
      const k = r?.config.k;
      const monoK = r?.final?.monosemantic_neurons != null && k ? r.final.monosemantic_neurons / k : null;
      let status: Node | string = 'not started';
      if (r) {
        status = h('span', { class: 'status-cell' }, statusBadge(r.status));
        if (unreadable(d).has(r.id)) (status as HTMLElement).append(h('span', { class: 'badge status-diverged', title: 'its files cannot be read (see above)' }, 'unreadable'));
        if (r.status === 'running' && r.progress) (status as HTMLElement).append(progressBar(r.progress.steps ? r.progress.step / r.progress.steps : 0, `${r.progress.step} / ${r.progress.steps}`));
      }
      const loss = r?.final?.data_loss ?? (r?.status === 'running' ? r.progress?.loss : null);
      return h(
        'tr',
        { 'data-point': p.point, class: r ? `row-${r.status}` : 'row-missing' },
        h('td', { class: 'select' }, box),
        ...d.variables.map((v) => h('td', { class: 'num' }, formatValue(p.values[v.field] ?? '?'))),
        h('td', {}, status),
        h('td', { class: 'num' }, r?.final ? metric(loss, 4) : loss != null ? h('i', { class: 'muted' }, metric(loss, 4)) : '–'),
        h('td', { class: 'num' }, metric(r?.final?.monosemantic_per_feature)),
        h('td', { class: 'num' }, metric(monoK)),
        h('td', { class: 'num' }, metric(r?.final?.mean_bias)),
        h('td', {}, r ? h('a', { href: runHref(r.id), class: 'mono' }, r.id) : '–'),
      );
    });
    setChildren(table, h('thead', {}, header), h('tbody', {}, rows));
  }

  async function renderCharts(d: SweepDetail): Promise<void> {
    const field = sweptField(d.variables);
    const byPoint = new Map(d.points.map((p) => [p.point, p]));
    const valueOf = (point: number) => pointValue(d.variables, byPoint.get(point)?.values ?? {});
    const series = [...d.series].sort((a, b) => a.point - b.point);
    const anyRun = d.points.find((p) => p.run)?.run;
    const N = Number(d.fixed.N ?? anyRun?.config.N ?? NaN);
    const jobs: Promise<unknown>[] = [];
    if (series.length) {
      jobs.push(
        draw(training, () =>
          trainingPlot({
            scale: d.scale,
            sweep: field,
            runs: series.map((s) => {
              const losses = lossRecord(s.losses);
              return { value: valueOf(s.point), id: s.id, snapshots: snapshotPoints(s.series), ...(losses ? { losses } : {}) };
            }),
          }),
        ),
      );
    } else setChildren(training, h('p', { class: 'muted placeholder' }, 'No finished run yet.'));

    const first = d.variables[0]!;
    const monoPoints = d.points
      .filter((p) => p.run?.status === 'finished' && p.run.final)
      .map((p) => ({
        value: p.values[first.field]!,
        mono_per_feature: p.run!.final!.monosemantic_per_feature ?? NaN,
        mono_per_neuron: (p.run!.final!.monosemantic_neurons ?? NaN) / p.run!.config.k,
      }))
      .filter((p) => Number.isFinite(p.mono_per_feature));
    if (monoPoints.length) {
      jobs.push(draw(mono, () => monoVsSweep({ scale: d.scale, sweep: { field: first.field }, points: monoPoints, ...(Number.isFinite(N) ? { N } : {}) })));
    } else setChildren(mono, h('p', { class: 'muted placeholder' }, 'Monosemanticity against the swept value: no finished run yet.'));

    const biases = [...d.biases].map((b) => ({ ...b, point: d.series.find((s) => s.id === b.id)?.point ?? d.points.find((p) => p.run?.id === b.id)?.point ?? 0 }));
    biases.sort((a, b) => a.point - b.point);
    if (biases.length && Number.isFinite(N)) {
      jobs.push(draw(bias, () => biasPlot({ scale: d.scale, sweep: field, N, runs: biases.map((b) => ({ value: valueOf(b.point), id: b.id, biases: b.biases })) })));
    } else setChildren(bias, h('p', { class: 'muted placeholder' }, 'Biases: no finished run yet.'));

    if (d.variables.length >= 2) {
      const [vx, vy] = d.variables as [typeof first, typeof first];
      const cells = d.points.map((p) => ({
        x: p.values[vx.field]!,
        y: p.values[vy.field]!,
        value: p.run?.status === 'finished' ? (p.run.final?.monosemantic_per_feature ?? null) : null,
      }));
      gridSection.hidden = false;
      jobs.push(draw(grid, () => gridHeatmap({ scale: d.scale, x: { field: vx.field }, y: { field: vy.field }, cells })));
    } else gridSection.hidden = true;
    await Promise.all(jobs);
  }

  async function renderHeatmaps(d: SweepDetail): Promise<void> {
    const sel = pickedSet();
    const chosen = d.points.filter((p) => drawable(d, p) && sel.has(p.run!.id));
    heatNote.textContent = chosen.length
      ? 'Final snapshot of each run picked in the table (heat-map order; hover a map for the neuron, feature and activation).'
      : 'Pick runs in the table (first column) to see their heat maps.';
    const keep = new Set(chosen.map((p) => p.run!.id));
    for (const [id, p] of panels) {
      if (!keep.has(id)) {
        p.wrap.remove();
        panels.delete(id);
      }
    }
    const maxW = panelWidth(heatmaps, chosen.length);
    const sizeFor = (k: number, n: number) => heatmapSize(Math.min(k, 1024), Math.min(n, 512), maxW, 260);
    const jobs = chosen.map(async (p) => {
      const run = p.run!;
      const step = finalStep(run, d.series.find((s) => s.id === run.id)?.series);
      let entry = panels.get(run.id);
      if (!entry || entry.step !== step) {
        entry?.wrap.remove();
        const size = sizeFor(run.config.k, run.config.N);
        const panel = heatmapPanel({ scale: d.scale, ...size });
        const wrap = h('div', { class: 'heatmap-cell', 'data-run': run.id }, panel.el);
        entry = { panel, wrap, step };
        panels.set(run.id, entry);
        setChildren(panel.el.firstElementChild as HTMLElement, h('p', { class: 'muted placeholder' }, 'loading…'));
      }
      heatmaps.append(entry.wrap); // keeps the table's order
      if (entry.wrap.dataset.loaded === String(step)) return;
      try {
        const snap = await cachedSnapshot(run.id, step, true);
        await entry.panel.show(snap, pointTitle(d.variables, p.values));
        entry.wrap.dataset.loaded = String(step);
      } catch (e) {
        setChildren(entry.wrap, errorBox((e as Error).message, `Cannot load the heat map of ${run.id}`));
        entry.step = NaN; // try again on the next refresh
      }
    });
    await Promise.all(jobs);
  }

  async function refresh(hint?: { sweeps?: unknown[] }): Promise<void> {
    // A complete sweep only changes when it is resumed, which the change event names.
    if (detail && hint && detail.points.every((p) => isDone(p.run)) && !mentions(hint.sweeps, name, 'name')) return;
    let d: SweepDetail;
    try {
      d = await api.sweep(name);
    } catch (e) {
      setChildren(message, errorBox((e as Error).message, `Cannot load sweep ${name}`));
      return;
    }
    setChildren(message);
    const json = JSON.stringify(d);
    if (json === lastJson) return;
    lastJson = json;
    detail = d;
    body.hidden = false;
    renderHeader(d);
    renderTable(d);
    // The table paints first; the heat maps' snapshots are requested before the charts are drawn
    // (the server computes them meanwhile), and each heat map is drawn when its data arrives.
    await new Promise((r) => setTimeout(r, 0));
    await Promise.all([renderHeatmaps(d), renderCharts(d)]);
  }

  return { refresh };
};
