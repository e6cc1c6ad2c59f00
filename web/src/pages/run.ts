// #/runs/ID: one run. Its loss curve and snapshot series, its configuration, and a slider over its
// snapshots that redraws the SFA heat map, the biases and the metrics of the chosen snapshot.
import {
  amplitudeResponse,
  biasPlot,
  fieldLabel,
  sweepRunData,
  trainingInput,
  trainingPlot,
} from '../../../src/figures/index.js';
import { api, cachedSnapshot, type RunDetail, type SnapshotResponse } from '../api.js';
import { chartBox, draw, heatmapPanel, snapshotHeatmap } from '../charts.js';
import { errorBox, h, metric, num, progressBar, setChildren, statusBadge, when } from '../dom.js';
import { configField, heatmapSize, isSettled, runScale, sweepHref, redrawOnChange, type PageFactory } from '../util.js';

const METRIC_LABELS: Record<string, string> = {
  monosemantic_neurons: 'monosemantic neurons',
  monosemantic_per_feature: 'mono / N',
  monosemantic_per_neuron: 'mono / k',
  dead_neurons: 'dead neurons',
  mean_bias: 'mean bias',
  features_covered: 'features covered',
  activation_floor: 'activation floor',
  monosemantic_below_floor: 'mono below the floor',
};

const FINAL_LABELS: Record<string, string> = {
  data_loss: 'final loss',
  monosemantic_neurons: 'monosemantic neurons',
  monosemantic_per_feature: 'mono / N',
  mean_bias: 'mean bias',
  diverged_at_step: 'diverged at step',
  samples_per_second: 'samples / s',
  seconds: 'training seconds',
};

export const runPage: PageFactory = (root, { path, query }) => {
  const id = path[0] ?? '';
  let detail: RunDetail | undefined;
  let snapIndex = -1;
  let wanted = query.has('step') ? Number(query.get('step')) : NaN;
  let loadTimer: number | undefined;
  let loadSeq = 0;

  const title = h('h1', {}, 'Run ', h('span', { class: 'mono' }, id));
  const headInfo = h('div', { class: 'meta' });
  const runError = h('div', { 'data-testid': 'run-error' });
  const message = h('div');
  const training = chartBox('training-plot');
  const slider = h('input', {
    type: 'range',
    min: 0,
    max: 0,
    step: 1,
    value: 0,
    'data-testid': 'snapshot-slider',
    'aria-label': 'snapshot',
  });
  const sliderLabel = h('span', { class: 'slider-label', 'data-testid': 'snapshot-label' }, '–');
  const snapMetrics = h('table', { class: 'kv', 'data-testid': 'snapshot-metrics' });
  const snapError = h('div');
  const configTable = h('table', { class: 'kv', 'data-testid': 'config-table' });
  const finalTable = h('table', { class: 'kv', 'data-testid': 'final-table' });
  const biasBox = chartBox('bias-plot');
  const amplitudeBox = chartBox('amplitude-response');
  let panel: ReturnType<typeof heatmapPanel> | undefined;
  const heatHost = h('div', { class: 'heatmap-host' });
  const snapshotSection = h(
    'section',
    { class: 'snapshot-section' },
    h('h2', {}, 'Snapshot'),
    h('div', { class: 'slider-row' }, h('label', {}, 'snapshot'), slider, sliderLabel),
    snapError,
    h(
      'div',
      { class: 'snapshot-grid' },
      heatHost,
      h('div', { class: 'side' }, h('h3', {}, 'Metrics at this snapshot'), snapMetrics, biasBox),
    ),
    amplitudeBox,
  );
  // The body shows once the run has loaded (a missing run shows only its error).
  const body = h(
    'div',
    { hidden: true },
    headInfo,
    runError,
    h('section', {}, h('h2', {}, 'Training'), training),
    snapshotSection,
    h(
      'section',
      { class: 'two-up tables' },
      h('div', {}, h('h2', {}, 'Configuration'), configTable),
      h('div', {}, h('h2', {}, 'Final'), finalTable),
    ),
  );
  setChildren(
    root,
    h('p', { class: 'crumbs' }, h('a', { href: '#/runs' }, 'Runs'), ' / ', id),
    h('div', { class: 'page-head' }, title),
    message,
    body,
  );
  setChildren(message, h('p', { class: 'muted' }, 'Loading…'));

  const steps = (): number[] => detail?.snapshots ?? [];

  function updateLabel(): void {
    const s = steps()[snapIndex];
    if (s === undefined) {
      sliderLabel.textContent = 'no snapshots';
      return;
    }
    sliderLabel.textContent = `step ${s} · log2(step + 1) = ${metric(Math.log2(s + 1), 4)} · ${snapIndex + 1} of ${steps().length}`;
  }

  function onSlide(): void {
    snapIndex = Number(slider.value);
    wanted = steps()[snapIndex] ?? NaN;
    updateLabel();
    // Keep the step in the address (shareable) without a navigation.
    const url = `#/runs/${encodeURIComponent(id)}?step=${wanted}`;
    if (location.hash !== url) history.replaceState(null, '', url);
    window.clearTimeout(loadTimer);
    loadTimer = window.setTimeout(() => void loadSnapshot(), 60);
  }
  slider.addEventListener('input', onSlide);
  slider.addEventListener('change', onSlide);

  async function loadSnapshot(): Promise<void> {
    const d = detail;
    const step = steps()[snapIndex];
    if (!d || step === undefined) return;
    const seq = ++loadSeq;
    snapshotSection.classList.add('loading');
    let snap: SnapshotResponse;
    try {
      snap = await cachedSnapshot(id, step, isSettled(d.run));
    } catch (e) {
      if (seq === loadSeq) {
        setChildren(snapError, errorBox((e as Error).message, `Cannot load snapshot ${step}`));
        snapshotSection.classList.remove('loading');
      }
      return;
    }
    if (seq !== loadSeq) return;
    setChildren(snapError);
    if (!panel) {
      panel = heatmapPanel({ scale: runScale(d.run.config), ...heatmapSize(snap.sfa.rows, snap.sfa.cols, 640, 400) });
      setChildren(heatHost, panel.el);
    }
    const scale = runScale(d.run.config);
    await Promise.all([
      panel.show(snapshotHeatmap(snap), `Single-feature activations after step ${snap.step}`),
      draw(biasBox, () =>
        biasPlot({
          scale,
          N: d.run.config.N,
          runs: [{ value: id, id, biases: snap.biases, mono: snap.metrics.monosemantic_neurons }],
          title: `Biases after step ${snap.step}`,
          width: 380,
          height: 180,
        }),
      ),
      draw(amplitudeBox, () =>
        amplitudeResponse({
          scale,
          title: `Amplitude response after step ${snap.step}`,
          panels: [{ ...snap.amplitude, title: `run ${id}` }],
        }),
      ),
    ]);
    if (seq !== loadSeq) return;
    const rows = Object.entries(snap.metrics)
      .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
      .map(([k, v]) =>
        h('tr', {}, h('th', {}, METRIC_LABELS[k] ?? k.replace(/_/g, ' ')), h('td', { class: 'num' }, metric(v, 4))),
      );
    rows.unshift(h('tr', {}, h('th', {}, 'step'), h('td', { class: 'num' }, String(snap.step))));
    setChildren(snapMetrics, rows);
    snapshotSection.classList.remove('loading');
    snapshotSection.dataset.step = String(snap.step);
  }

  function renderHead(d: RunDetail): void {
    const r = d.run;
    const parts: (Node | string)[] = [statusBadge(r.status)];
    if (r.status === 'running' && r.progress) {
      parts.push(
        progressBar(
          r.progress.steps ? r.progress.step / r.progress.steps : 0,
          `step ${r.progress.step} / ${r.progress.steps}`,
        ),
      );
      if (r.progress.loss != null) parts.push(h('span', {}, `loss ${metric(r.progress.loss, 4)}`));
    }
    parts.push(h('span', { class: 'chip' }, `scale: ${runScale(r.config)}`));
    for (const s of d.sweeps ?? [])
      parts.push(h('span', { class: 'chip' }, 'sweep ', h('a', { href: sweepHref(s) }, s)));
    parts.push(
      h(
        'span',
        { class: 'muted' },
        `created ${when(r.created_at)}${r.finished_at ? ` · finished ${when(r.finished_at)}` : ''}`,
      ),
    );
    setChildren(headInfo, h('div', { class: 'meta-row' }, ...parts));
    setChildren(runError, d.error ? errorBox(d.error, 'This run cannot be read') : null);
  }

  function renderTables(d: RunDetail): void {
    const c = d.run.config;
    setChildren(
      configTable,
      Object.keys(c).map((k) =>
        h('tr', {}, h('th', { title: fieldLabel(k) }, k), h('td', { class: 'num' }, num(configField(c, k)))),
      ),
    );
    const f = d.run.final;
    setChildren(
      finalTable,
      f
        ? Object.entries(FINAL_LABELS)
            .filter(([k]) => k in f)
            .map(([k, label]) =>
              h(
                'tr',
                {},
                h('th', {}, label),
                h('td', { class: 'num' }, metric((f as unknown as Record<string, unknown>)[k], 4)),
              ),
            )
        : h('tr', {}, h('td', { class: 'muted' }, r0(d))),
    );
  }
  const r0 = (d: RunDetail) => (d.run.status === 'running' ? 'still training' : `no final metrics (${d.run.status})`);

  async function renderTraining(d: RunDetail): Promise<void> {
    const r = d.run;
    if (!r.final || !d.losses || !d.series || d.zero_output_loss === null) {
      setChildren(
        training,
        h(
          'p',
          { class: 'muted placeholder' },
          r.status === 'running'
            ? 'Training: the curves appear when the run has finished.'
            : d.error
              ? "Not available: the run's files cannot be read."
              : 'No loss or snapshots recorded.',
        ),
      );
      return;
    }
    // A run is drawn as a sweep of one, through the same function as the sweep page and the report.
    const run = sweepRunData({
      id,
      point: 0,
      values: {},
      summary: r.final,
      config: r.config,
      series: d.series,
      losses: d.losses,
      biases: null,
      zero_output_loss: d.zero_output_loss,
    });
    const input = trainingInput({
      name: id,
      batch: null,
      scale: runScale(r.config),
      fixed: {},
      variables: [],
      points: [],
      runs: [run],
    });
    await draw(training, () => trainingPlot({ ...input, sweep: undefined }));
  }

  const redraw = redrawOnChange({ load: () => api.run(id), draw: render, message, title: `Cannot load run ${id}` });
  async function refresh(): Promise<void> {
    // A finished or diverged run never changes.
    if (detail && isSettled(detail.run) && !detail.error) return;
    await redraw();
  }

  async function render(d: RunDetail): Promise<void> {
    const stepsBefore = JSON.stringify(steps());
    detail = d;
    body.hidden = false;
    renderHead(d);
    renderTables(d);
    const s = steps();
    snapshotSection.hidden = s.length === 0;
    slider.max = String(Math.max(0, s.length - 1));
    let idx = Number.isFinite(wanted) ? s.indexOf(wanted) : -1;
    if (idx < 0) idx = s.length - 1;
    const changed = idx !== snapIndex || JSON.stringify(s) !== stepsBefore;
    snapIndex = idx;
    slider.value = String(Math.max(0, idx));
    updateLabel();
    await Promise.all([renderTraining(d), changed && s.length ? loadSnapshot() : Promise.resolve()]);
  }

  return {
    refresh,
    dispose: () => window.clearTimeout(loadTimer),
  };
};
