// #/sweeps/NAME: one sweep. Its scale and caption at the top, the summary table, the figures the
// report draws (each from the same sweep data through the same function, src/figures/from-sweep.ts:
// training, mono-vs-sweep, loss against monosemanticity, mono/k against N/k for k sweeps, biases,
// the grid for two variables), and SFA heat maps and amplitude responses of the runs picked in
// the table (by default the report's choice: lowest, transition, peak, k = N, highest).
import {
  amplitudeResponse,
  biasPlot,
  biasPlotInput,
  fieldLabel,
  finalMeasures,
  formatMean,
  formatValue,
  gridHeatmap,
  gridInput,
  HEATMAP_MAX_FEATURES,
  HEATMAP_MAX_NEURONS,
  heatmapChoice,
  lossVsMono,
  lossVsMonoInput,
  monoVsNOverK,
  monoVsNOverKInput,
  monoVsSweep,
  monoVsSweepInput,
  runMark,
  runTitle,
  sweepCaption,
  trainingInput,
  trainingPlot,
  type SweepData,
  type SweepRunData,
} from '../../../src/figures/index.js';
import { api, cachedSnapshot, type SweepDetail, type SweepPoint } from '../api.js';
import { chartBox, draw, heatmapPanel, snapshotHeatmap, type HeatmapPanel } from '../charts.js';
import { errorBox, h, metric, progressBar, setChildren, statusBadge } from '../dom.js';
import {
  heatmapSize,
  isSettled,
  mentions,
  panelWidth,
  pointTitle,
  runHref,
  redrawOnChange,
  type PageFactory,
} from '../util.js';

/** Picked heat-map runs per sweep, kept while the app is open. */
const picked = new Map<string, Set<string>>();

/** The figures' sweep data: the API's settled runs, and every point with its run's status. */
function sweepData(d: SweepDetail): SweepData {
  return {
    name: d.name,
    batch: d.batch,
    scale: d.scale,
    fixed: d.fixed,
    variables: d.variables,
    points: d.points.map((p) => ({ point: p.point, values: p.values, status: p.run?.status ?? 'missing' })),
    runs: d.runs,
  };
}

export const sweepPage: PageFactory = (root, { path }) => {
  const name = path[0] ?? '';
  let detail: SweepDetail | undefined;
  let data: SweepData | undefined;
  const panels = new Map<string, { panel: HeatmapPanel; wrap: HTMLElement; step: number }>();

  const head = h('div', { class: 'page-head' }, h('h1', {}, 'Sweep ', h('span', { class: 'mono' }, name)));
  const scaleBanner = h('div', { class: 'scale-banner', 'data-testid': 'sweep-scale' });
  const caption = h('p', { class: 'muted small caption', 'data-testid': 'sweep-caption' });
  const meta = h('div', { class: 'meta' });
  const message = h('div');
  const table = h('table', { class: 'data', 'data-testid': 'sweep-table' });
  const training = chartBox('training-plot');
  const mono = chartBox('mono-vs-sweep');
  const scatter = chartBox('loss-vs-mono');
  const nOverK = chartBox('mono-vs-n-over-k');
  const bias = chartBox('bias-plot');
  const grid = chartBox('grid-heatmap');
  const gridSection = h('section', { hidden: true }, h('h2', {}, 'Grid'), grid);
  const heatmaps = h('div', { class: 'heatmap-row', 'data-testid': 'sweep-heatmaps' });
  const heatNote = h('p', { class: 'muted small' });
  const amplitude = chartBox('amplitude-response');
  // The body shows once the sweep has loaded (a missing sweep shows only its error).
  const body = h(
    'div',
    { hidden: true },
    scaleBanner,
    caption,
    meta,
    h('section', {}, h('h2', {}, 'Runs'), h('div', { class: 'table-wrap' }, table)),
    h('section', {}, h('h2', {}, 'Training'), training),
    h('section', { class: 'two-up' }, mono, scatter),
    h('section', { class: 'two-up' }, bias, nOverK),
    gridSection,
    h('section', {}, h('h2', {}, 'Single-feature activations'), heatNote, heatmaps),
    h('section', {}, h('h2', {}, 'Amplitude response'), amplitude),
  );
  setChildren(
    root,
    h('p', { class: 'crumbs' }, h('a', { href: '#/sweeps' }, 'Sweeps'), ' / ', name),
    head,
    message,
    body,
  );
  setChildren(message, h('p', { class: 'muted' }, 'Loading…'));

  /** Runs whose files the server could not read: no heat map for them. */
  const unreadable = (d: SweepDetail): Set<string> => new Set((d.errors ?? []).map((e) => e.id));
  const runData = (id: string | undefined): SweepRunData | undefined => data?.runs.find((r) => r.id === id);
  const drawable = (d: SweepDetail, p: SweepPoint): boolean =>
    !!p.run && p.run.status === 'finished' && !unreadable(d).has(p.run.id) && !!runData(p.run.id);

  const pickedSet = (): Set<string> => {
    let s = picked.get(name);
    if (!s && data) {
      const chosen = heatmapChoice(data).map((c) => c.run.id);
      s = new Set(chosen);
      if (chosen.length) picked.set(name, s);
    }
    return s ?? new Set();
  };

  function renderHeader(d: SweepDetail, sd: SweepData): void {
    scaleBanner.textContent = `scale: ${d.scale}`;
    caption.textContent = sd.runs.length ? sweepCaption(sd) : '';
    const runs = d.points.map((p) => p.run);
    const finished = runs.filter((r) => r?.status === 'finished').length;
    const diverged = runs.filter((r) => r?.status === 'diverged').length;
    const running = runs.filter((r) => r?.status === 'running').length;
    const never = sd.runs.filter((r) => runMark(r) === 'never-learned').length;
    const total = d.points.length;
    const fixed = Object.entries(d.fixed)
      .filter(([k]) => !d.variables.some((v) => v.field === k))
      .map(([k, v]) =>
        h(
          'span',
          { class: 'chip' },
          h('span', { class: 'field' }, k),
          ` = ${typeof v === 'number' ? formatValue(v) : String(v)}`,
        ),
      );
    setChildren(
      meta,
      h(
        'div',
        { class: 'meta-row' },
        d.batch ? h('span', { class: 'chip batch' }, `batch ${d.batch}`) : null,
        h('span', {}, progressBar(total ? (finished + diverged) / total : 0, `${finished + diverged} / ${total} runs`)),
        h(
          'span',
          { class: 'muted' },
          `${finished} finished (${never} never learned) · ${diverged} diverged · ${running} running`,
        ),
      ),
      h(
        'div',
        { class: 'meta-row' },
        h('span', { class: 'muted' }, 'swept: '),
        ...d.variables.map((v) =>
          h(
            'span',
            { class: 'chip swept' },
            h('span', { class: 'field' }, v.field),
            ` ∈ {${v.values.map(formatValue).join(', ')}}`,
          ),
        ),
      ),
      fixed.length ? h('div', { class: 'meta-row' }, h('span', { class: 'muted' }, 'fixed: '), ...fixed) : null,
      ...(d.errors ?? []).map((e) => errorBox(e.error, `Run ${e.id} (point ${e.point}) cannot be read`)),
    );
  }

  const COLUMNS: [string, string][] = [
    ['status', 'never learned: final loss within 5% of the zero-output loss'],
    ['final loss', 'mean of the last 8 loss records (every 16 steps) ± its standard error'],
    ['last 64', 'mean of the last 64 loss records ± its standard error'],
    ['mono/N', 'monosemantic neurons / features (counts a feature twice if it has two)'],
    ['covered', 'features with at least one monosemantic neuron'],
    ['mono/k', 'monosemantic neurons / neurons'],
    ['dead', 'neurons that no single feature activates'],
    ['mean bias', 'mean of b1 at the final snapshot'],
  ];

  function renderTable(d: SweepDetail): void {
    const sel = pickedSet();
    const header = h(
      'tr',
      {},
      h('th', { class: 'select', title: 'show the SFA heat map' }, 'map'),
      ...d.variables.map((v) => h('th', { class: 'num', title: fieldLabel(v.field) }, v.field)),
      ...COLUMNS.map(([c, title], i) => h('th', { class: i ? 'num' : '', title }, c)),
      h('th', {}, 'run'),
    );
    const pm = (w: { mean: number; se: number }) => formatMean(w.mean, w.se);
    const rows = d.points.map((p: SweepPoint) => {
      const r = p.run;
      const rd = runData(r?.id);
      const f = rd ? finalMeasures(rd) : undefined;
      const box = h('input', {
        type: 'checkbox',
        'aria-label': `heat map of ${pointTitle(d.variables, p.values)}`,
        checked: !!r && sel.has(r.id),
        disabled: !drawable(d, p),
      });
      box.addEventListener('change', () => {
        if (!r) return;
        const s = pickedSet();
        if (box.checked) s.add(r.id);
        else s.delete(r.id);
        picked.set(name, s);
        void renderPicked(d);
      });
      let status: Node | string = 'not started';
      if (r) {
        status = h(
          'span',
          { class: 'status-cell' },
          statusBadge(f?.mark === 'never-learned' ? 'never learned' : r.status),
        );
        if (unreadable(d).has(r.id))
          (status as HTMLElement).append(
            h('span', { class: 'badge status-diverged', title: 'its files cannot be read (see above)' }, 'unreadable'),
          );
        if (r.status === 'running' && r.progress)
          (status as HTMLElement).append(
            progressBar(
              r.progress.steps ? r.progress.step / r.progress.steps : 0,
              `${r.progress.step} / ${r.progress.steps}`,
            ),
          );
      }
      const snap = f?.snapshot;
      const live = r?.status === 'running' ? r.progress?.loss : null;
      return h(
        'tr',
        {
          'data-point': p.point,
          class: r ? `row-${f?.mark === 'never-learned' ? 'never-learned' : r.status}` : 'row-missing',
        },
        h('td', { class: 'select' }, box),
        ...d.variables.map((v) => h('td', { class: 'num' }, formatValue(p.values[v.field] ?? '?'))),
        h('td', {}, status),
        h(
          'td',
          { class: 'num' },
          f ? pm(f.loss.last8) : live != null ? h('i', { class: 'muted' }, metric(live, 4)) : '–',
        ),
        h('td', { class: 'num' }, f ? pm(f.loss.last64) : '–'),
        h('td', { class: 'num' }, metric(snap?.monosemantic_per_feature)),
        h(
          'td',
          { class: 'num' },
          snap?.features_covered !== undefined && rd ? `${snap.features_covered} / ${rd.config.N}` : '–',
        ),
        h('td', { class: 'num' }, metric(snap?.monosemantic_per_neuron)),
        h('td', { class: 'num' }, snap ? String(snap.dead_neurons) : '–'),
        h('td', { class: 'num' }, metric(snap?.mean_bias)),
        h('td', {}, r ? h('a', { href: runHref(r.id), class: 'mono' }, r.id) : '–'),
      );
    });
    setChildren(table, h('thead', {}, header), h('tbody', {}, rows));
  }

  /** Draws a figure from its input, or says why there is none. */
  function figure<T>(
    el: HTMLElement,
    input: T | undefined,
    spec: (input: T) => ReturnType<Parameters<typeof draw>[1]>,
    none: string,
  ): Promise<unknown> {
    if (input === undefined) {
      setChildren(el, h('p', { class: 'muted placeholder' }, none));
      return Promise.resolve();
    }
    return draw(el, () => spec(input));
  }

  async function renderCharts(sd: SweepData): Promise<void> {
    const none = 'no finished run yet.';
    const grids = gridInput(sd);
    gridSection.hidden = !grids;
    nOverK.hidden = !sd.variables.some((v) => v.field === 'k');
    await Promise.all([
      figure(training, sd.runs.length ? trainingInput(sd) : undefined, trainingPlot, `Training: ${none}`),
      figure(
        mono,
        monoVsSweepInput(sd),
        monoVsSweep,
        sd.variables.length > 1
          ? 'Monosemanticity against the swept value: see the grid below.'
          : `Monosemanticity against the swept value: ${none}`,
      ),
      figure(scatter, lossVsMonoInput([sd]), lossVsMono, `Loss against monosemanticity: ${none}`),
      nOverK.hidden
        ? Promise.resolve()
        : figure(nOverK, monoVsNOverKInput(sd), monoVsNOverK, `Monosemantic neurons per neuron against N/k: ${none}`),
      figure(bias, biasPlotInput(sd), biasPlot, `Biases: ${none}`),
      grids ? figure(grid, grids, gridHeatmap, '') : Promise.resolve(),
    ]);
  }

  /** The heat maps and the amplitude responses of the runs picked in the table. */
  async function renderPicked(d: SweepDetail): Promise<void> {
    const sd = data!;
    const sel = pickedSet();
    const chosen = d.points.filter((p) => drawable(d, p) && sel.has(p.run!.id));
    const notes = new Map(heatmapChoice(sd).map((c) => [c.run.id, c.note]));
    const titleOf = (run: SweepRunData) => `${runTitle(sd, run)}${notes.has(run.id) ? ` (${notes.get(run.id)})` : ''}`;
    heatNote.textContent = chosen.length
      ? 'Final snapshot of each run picked in the table (heat-map order; hover a map for the neuron, feature and activation). By default: the lowest and highest value, the transition, the peak of mono/N, and k = N in k sweeps.'
      : 'Pick runs in the table (first column) to see their heat maps.';
    const keep = new Set(chosen.map((p) => p.run!.id));
    for (const [id, p] of panels) {
      if (!keep.has(id)) {
        p.wrap.remove();
        panels.delete(id);
      }
    }
    const maxW = panelWidth(heatmaps, chosen.length);
    const sizeFor = (k: number, n: number) =>
      heatmapSize(Math.min(k, HEATMAP_MAX_NEURONS), Math.min(n, HEATMAP_MAX_FEATURES), maxW, 260);
    const snapshots = await Promise.all(
      chosen.map(async (p) => {
        const run = runData(p.run!.id)!;
        const step = finalMeasures(run).snapshot?.step ?? 2 ** run.config.log2_training_steps - 1;
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
        try {
          const snap = await cachedSnapshot(run.id, step, true);
          if (entry.wrap.dataset.loaded !== String(step)) {
            await entry.panel.show(snapshotHeatmap(snap), titleOf(run));
            entry.wrap.dataset.loaded = String(step);
          }
          return { run, snap };
        } catch (e) {
          setChildren(entry.wrap, errorBox((e as Error).message, `Cannot load the heat map of ${run.id}`));
          entry.step = NaN; // try again on the next refresh
          return undefined;
        }
      }),
    );
    const loaded = snapshots.filter((s) => s !== undefined);
    await figure(
      amplitude,
      loaded.length
        ? {
            scale: d.scale,
            panels: loaded.map(({ run, snap }) => ({ ...snap.amplitude, title: titleOf(run), mark: runMark(run) })),
          }
        : undefined,
      amplitudeResponse,
      'Pick runs in the table to see their amplitude responses.',
    );
  }

  async function refresh(hint?: { sweeps?: unknown[] }): Promise<void> {
    // A complete sweep only changes when it is resumed, which the change event names.
    if (detail && hint && detail.points.every((p) => isSettled(p.run)) && !mentions(hint.sweeps, name, 'name')) return;
    await redraw();
  }

  const redraw = redrawOnChange({
    load: () => api.sweep(name),
    draw: render,
    message,
    title: `Cannot load sweep ${name}`,
  });
  async function render(d: SweepDetail): Promise<void> {
    detail = d;
    data = sweepData(d);
    body.hidden = false;
    renderHeader(d, data);
    renderTable(d);
    // The table paints first; the heat maps' snapshots are requested before the charts are drawn
    // (the server computes them meanwhile), and each heat map is drawn when its data arrives.
    await new Promise((r) => setTimeout(r, 0));
    await Promise.all([renderPicked(d), renderCharts(data)]);
  }

  return { refresh };
};
