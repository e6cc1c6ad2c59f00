// #/playground: train the paper's model in the page and watch it become monosemantic. The
// configuration lives in the address (playground/params.ts), so a link reproduces a run; a preset
// starts from a Table 1 batch; a second configuration trains beside the first. Every 16 steps the
// status line moves and the figures (the report's and the dashboard's own definitions) redraw as
// often as the page can draw them. A finished run downloads as the store's four files, which
// `toymodels import` brings into a store.
import { version } from '../../../package.json';
import { zeroOutputLoss } from '../../../src/analysis/loss.js';
import { runSummary } from '../../../src/analysis/summary.js';
import type { RunConfig } from '../../../src/config/schema.js';
import type { StoredRunConfig } from '../../../src/config/stored.js';
import {
  biasPlot,
  fieldLabel,
  formatValue,
  sweepRunData,
  trainingInput,
  trainingPlot,
  type SweepData,
} from '../../../src/figures/index.js';
import { downloadName, encodeRunFiles, type RunFileName } from '../../../src/store/run-files.js';
import { runScaleOf, scaleLabel } from '../../../src/sweep/scale.js';
import { chartBox, draw, heatmapPanel, type HeatmapPanel } from '../charts.js';
import { errorBox, h, metric, setChildren } from '../dom.js';
import {
  ENGINES,
  FIELDS,
  parseConfig,
  parseThreads,
  queryOf,
  stateFromQuery,
  type EngineChoice,
  type FieldValues,
  type PlaygroundState,
} from '../playground/params.js';
import { PRESETS } from '../playground/presets.js';
import { browserEngine, Training, type LiveRun, type View } from '../playground/session.js';
import { heatmapSize, type PageFactory } from '../util.js';

const SIDES = ['A', 'B'] as const;

/** The training figure's title: the first configuration's values (the legend names what differs). */
const configTitle = (c: RunConfig): string =>
  `N=${c.N}, m=${c.m}, k=${c.k}, ε=${formatValue(c.eps)}, ${c.task}, ${c.nonlinearity}, ${c.sample_kind} features, ` +
  `lr ${formatValue(c.learning_rate)}, initial bias ${formatValue(c.initial_bias)}, decay ${formatValue(c.decay)}, ` +
  `L1 ${formatValue(c.reg)}, ${c.optimizer}, ${c.schedule} schedule, seed ${c.seed}`;

const METRICS: [keyof View['metrics'], string][] = [
  ['monosemantic_per_feature', 'mono / N'],
  ['monosemantic_neurons', 'monosemantic neurons'],
  ['features_covered', 'features covered'],
  ['dead_neurons', 'dead neurons'],
  ['mean_bias', 'mean bias'],
];

/** One configuration's form: an input per field, each with its message slot. */
function configForm(side: string, onInput: () => void) {
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const errors = new Map<string, HTMLElement>();
  const rows = FIELDS.map((f) => {
    const id = `pg-${side}-${f.field}`;
    const input =
      'choices' in f
        ? h('select', { id, name: f.field, onchange: onInput }, ...f.choices.map((c) => h('option', { value: c }, c)))
        : h('input', { id, name: f.field, type: 'text', inputmode: 'decimal', size: 8, oninput: onInput });
    const error = h('span', { class: 'field-error', 'data-error-for': `${side}.${f.field}`, role: 'alert' });
    inputs.set(f.field, input);
    errors.set(f.field, error);
    return h('label', { class: 'field' }, h('span', { class: 'field-label' }, f.label), input, error);
  });
  return {
    el: h('fieldset', { class: 'config-form', 'data-side': side }, h('legend', {}, `configuration ${side}`), rows),
    read: (): FieldValues =>
      Object.fromEntries(FIELDS.map((f) => [f.field, inputs.get(f.field)!.value])) as FieldValues,
    write(values: FieldValues): void {
      for (const f of FIELDS) inputs.get(f.field)!.value = values[f.field];
    },
    showErrors(messages: Partial<FieldValues>): void {
      for (const f of FIELDS) {
        const message = messages[f.field];
        errors.get(f.field)!.textContent = message ?? '';
        inputs.get(f.field)!.classList.toggle('invalid', message !== undefined);
      }
    },
  };
}

/** The run's files as the store keeps them, for `toymodels import`. */
function downloadRun(run: LiveRun, training: Training): void {
  const result = run.result!;
  const engine = training.engine.name;
  const config: StoredRunConfig = {
    ...run.config,
    threads: engine === 'webgpu' ? 1 : training.engine.threads,
    device: engine === 'webgpu' ? 'webgpu' : 'cpu',
    engine: engine === 'webgpu' ? 'wgsl' : 'ort',
    together: 1,
    version,
  };
  const id = run.id;
  const files = encodeRunFiles(id, {
    config,
    losses: result.losses,
    snapshots: result.snapshots,
    embeddings: result.embeddings,
    summary: runSummary(result, run.final!),
  });
  for (const [file, data] of Object.entries(files) as [RunFileName, Uint8Array][]) {
    // A copy: Blob takes bytes over a plain ArrayBuffer only.
    const blob = new Blob([new Uint8Array(data)]);
    const a = h('a', { href: URL.createObjectURL(blob), download: downloadName(id, file) });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }
}

export const playgroundPage: PageFactory = (root, { query }) => {
  const initial: PlaygroundState = stateFromQuery(query);
  let training: Training | undefined;
  let startedAt = 0;

  const status = h(
    'div',
    { id: 'playground-status', class: 'pg-status', 'data-state': 'idle', 'data-step': 0, 'data-engine': '' },
    'Set a configuration and press Train.',
  );
  const engineSelect = h(
    'select',
    { id: 'pg-engine', onchange: onFormInput },
    ...ENGINES.map((e) => h('option', { value: e }, e === 'auto' ? 'auto (WebGPU where there is one)' : e)),
  );
  const engineError = h('span', { class: 'field-error', 'data-error-for': 'engine', role: 'alert' });
  const threadsInput = h('input', {
    id: 'pg-threads',
    type: 'text',
    size: 4,
    placeholder: 'all',
    title: 'WebAssembly threads (more than one needs a cross-origin-isolated page, as `toymodels serve` gives)',
    oninput: onFormInput,
  });
  const threadsError = h('span', { class: 'field-error', 'data-error-for': 'threads', role: 'alert' });
  const compare = h('input', { type: 'checkbox', id: 'pg-compare', onchange: onCompare });
  const presetSelect = h(
    'select',
    { id: 'pg-preset', onchange: onPreset },
    h('option', { value: '' }, 'start from a Table 1 batch…'),
    ...PRESETS.map((p) => h('option', { value: p.name }, `${p.name}: ${p.compares}`)),
  );
  const forms = SIDES.map((side) => configForm(side, onFormInput));
  const formsRow = h('div', { class: 'pg-forms' }, forms[0]!.el, forms[1]!.el);
  const notice = h('div');
  const trainButton = h('button', { type: 'button', id: 'pg-train', onclick: () => void start() }, 'Train');
  const pauseButton = h('button', { type: 'button', id: 'pg-pause', disabled: true, onclick: onPause }, 'Pause');
  const stopButton = h(
    'button',
    { type: 'button', id: 'pg-stop', disabled: true, onclick: () => training?.stop() },
    'Stop',
  );
  const downloads = h('div', { class: 'pg-downloads' });

  const trainingBox = chartBox('training-plot');
  const slider = h('input', { type: 'range', min: 0, max: 0, step: 1, value: 0, 'data-testid': 'snapshot-slider' });
  const sliderLabel = h('span', { class: 'slider-label', 'data-testid': 'snapshot-label' }, 'latest');
  const panels = h('div', { class: 'pg-panels' });
  const output = h(
    'div',
    { hidden: true },
    h('section', {}, h('h2', {}, 'Training'), trainingBox),
    h(
      'section',
      {},
      h('h2', {}, 'Snapshot'),
      h('div', { class: 'slider-row' }, h('label', {}, 'snapshot'), slider, sliderLabel),
      panels,
    ),
  );

  setChildren(
    root,
    h('div', { class: 'page-head' }, h('h1', {}, 'Playground')),
    h(
      'p',
      { class: 'muted' },
      "Train the paper's toy model here, in this page, and watch neurons become monosemantic. The address holds the configuration: a link reproduces the run (same seed, same engine, same numbers).",
    ),
    h(
      'div',
      { class: 'pg-controls' },
      presetSelect,
      h('label', {}, compare, ' compare with a second configuration'),
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'engine'), engineSelect, engineError),
      h(
        'label',
        { class: 'field' },
        h('span', { class: 'field-label' }, 'WebAssembly threads'),
        threadsInput,
        threadsError,
      ),
    ),
    formsRow,
    notice,
    h('div', { class: 'pg-buttons' }, trainButton, pauseButton, stopButton, downloads),
    status,
    output,
  );

  forms[0]!.write(initial.a);
  forms[1]!.write(initial.b ?? initial.a);
  compare.checked = initial.b !== undefined;
  engineSelect.value = initial.engine;
  threadsInput.value = initial.threads;
  formsRow.classList.toggle('comparing', compare.checked);
  if (initial.unknown.length > 0) {
    setChildren(notice, errorBox(`not a playground setting: ${initial.unknown.join(', ')}`, 'Ignored in the address'));
  }
  const initialOk = validate(initial.engineError);

  function current(): Pick<PlaygroundState, 'a' | 'b' | 'engine' | 'threads'> {
    return {
      a: forms[0]!.read(),
      ...(compare.checked ? { b: forms[1]!.read() } : {}),
      engine: engineSelect.value as EngineChoice,
      threads: threadsInput.value,
    };
  }

  /** Shows each bad field's message; the configurations when every field is good. */
  function validate(engineMessage?: string): RunConfig[] | undefined {
    const state = current();
    const sides = state.b ? [state.a, state.b] : [state.a];
    const configs: RunConfig[] = [];
    sides.forEach((values, i) => {
      const parsed = parseConfig(values);
      forms[i]!.showErrors('errors' in parsed ? parsed.errors : {});
      if ('config' in parsed) configs.push(parsed.config);
    });
    if (!state.b) forms[1]!.showErrors({});
    engineError.textContent = engineMessage ?? '';
    engineSelect.classList.toggle('invalid', engineMessage !== undefined);
    const threads = parseThreads(state.threads);
    threadsError.textContent = 'error' in threads ? threads.error : '';
    threadsInput.classList.toggle('invalid', 'error' in threads);
    return configs.length === sides.length && engineMessage === undefined && !('error' in threads)
      ? configs
      : undefined;
  }

  function onFormInput(): void {
    if (validate()) history.replaceState(null, '', `#/playground?${queryOf(current())}`);
  }

  function onCompare(): void {
    formsRow.classList.toggle('comparing', compare.checked);
    onFormInput();
  }

  function onPreset(): void {
    const p = PRESETS.find((x) => x.name === presetSelect.value);
    if (!p) return;
    forms[0]!.write(p.a);
    forms[1]!.write(p.b);
    compare.checked = true;
    onCompare();
  }

  function onPause(): void {
    if (training?.state === 'running') training.pause();
    else training?.continue();
  }

  function setState(state: string, engine = training?.engine.name ?? ''): void {
    status.dataset.state = state;
    status.dataset.engine = engine;
  }

  async function start(): Promise<void> {
    const configs = validate();
    if (!configs) {
      setState('invalid');
      status.textContent = 'Fix the values marked above: nothing was started.';
      return;
    }
    await training?.release();
    training = undefined;
    setState('starting', '');
    status.textContent = 'Starting…';
    setChildren(downloads);
    let engine;
    try {
      const threads = parseThreads(threadsInput.value);
      engine = await browserEngine(
        engineSelect.value as EngineChoice,
        'threads' in threads ? threads.threads : undefined,
      );
    } catch (e) {
      setState('failed', '');
      setChildren(status, errorBox((e as Error).message, 'No engine'));
      return;
    }
    // The address names the engine that runs, so that the link reproduces these numbers.
    engineSelect.value = engine.name;
    history.replaceState(null, '', `#/playground?${queryOf(current())}`);
    const t = new Training(configs, engine, () => onChunk(t));
    training = t;
    sideBySide = t.runs.map(() => undefined);
    setChildren(panels, ...t.runs.map((_, i) => panelFor(i).el));
    output.hidden = false;
    startedAt = performance.now();
    trainButton.textContent = 'Train again';
    await t.start();
  }

  // Per run: its heat map, bias plot and measures.
  let sideBySide: ({ el: HTMLElement; heat: HeatmapPanel; bias: HTMLElement; table: HTMLElement } | undefined)[] = [];
  function panelFor(i: number) {
    const run = training!.runs[i]!;
    const { width, height } = heatmapSize(run.config.k, run.config.N, 560, 320);
    const heat = heatmapPanel({ scale: scaleOf(run.config), width, height, testid: `sfa-heatmap-${SIDES[i]}` });
    const bias = chartBox(`bias-plot-${SIDES[i]}`);
    const table = h('table', { class: 'kv', 'data-testid': `metrics-${SIDES[i]}` });
    const differing =
      training!.runs.length === 1
        ? ''
        : `: ${sweepOf(training!)
            .variables.map((v) => `${fieldLabel(v.field)} ${formatValue(v.values[i]!)}`)
            .join(', ')}`;
    const el = h(
      'div',
      { class: 'pg-panel' },
      h('h3', {}, `configuration ${SIDES[i]}${differing}`),
      heat.el,
      table,
      bias,
    );
    return (sideBySide[i] = { el, heat, bias, table });
  }

  const scaleOf = (c: RunConfig): string => scaleLabel(runScaleOf(c));

  // Redraws coalesce: one at a time, then a pause twice as long as the drawing took, so that
  // training keeps most of the page's time; chunks in between only mark the figures stale.
  let drawing = false;
  let dirty = false;
  function onChunk(t: Training): void {
    if (t !== training) return;
    updateStatus(t);
    if (drawing) {
      dirty = true;
      return;
    }
    drawing = true;
    const began = performance.now();
    void redraw(t).finally(() => {
      setTimeout(
        () => {
          drawing = false;
          if (dirty) {
            dirty = false;
            onChunk(t);
          }
        },
        2 * (performance.now() - began),
      );
    });
  }

  function updateStatus(t: Training): void {
    const lead = t.runs[0]!;
    const steps = lead.records?.stepsRun ?? 0;
    const loss = lead.records?.losses.loss.at(-1);
    setState(t.state);
    status.dataset.step = String(steps);
    if (loss !== undefined) status.dataset.loss = String(loss);
    const seconds = (performance.now() - startedAt) / 1000;
    const rate = t.runs.reduce((a, r) => a + (r.records?.stepsRun ?? 0) * 2 ** r.config.log2_batch_size, 0) / seconds;
    status.textContent =
      t.state === 'failed'
        ? `failed: ${t.error}`
        : `${t.state} · step ${steps} of ${2 ** lead.config.log2_training_steps}` +
          (loss !== undefined ? ` · loss ${metric(loss, 4)}` : '') +
          ` · ${metric(rate / 1000, 3)}k samples/s · ${t.engine.detail}`;
    pauseButton.disabled = t.state !== 'running' && t.state !== 'paused';
    pauseButton.textContent = t.state === 'paused' ? 'Resume' : 'Pause';
    stopButton.disabled = pauseButton.disabled;
    const done = lead.result;
    if (done) status.dataset.samplesPerSecond = String(done.samplesPerSecond);
    if (t.state === 'finished' && downloads.childElementCount === 0) {
      setChildren(
        downloads,
        t.runs.map((run, i) =>
          h(
            'button',
            { type: 'button', 'data-testid': `download-${SIDES[i]}`, onclick: () => downloadRun(run, t) },
            `Download run ${t.runs.length > 1 ? SIDES[i] : ''} (for toymodels import)`,
          ),
        ),
      );
    }
  }

  /** The runs as a sweep of one or two, for the shared figure functions. */
  function sweepOf(t: Training): SweepData {
    const configs = t.runs.map((r) => r.config as unknown as Record<string, number | string>);
    const differing = FIELDS.map((f) => f.field).filter((f) => configs.some((c) => c[f] !== configs[0]![f]));
    const variables = differing.length
      ? differing.map((field) => ({ field, values: configs.map((c) => c[field]!) }))
      : [{ field: 'seed', values: configs.map((c) => c.seed!) }];
    const runs = t.runs.map((r, i) =>
      sweepRunData({
        id: SIDES[i]!,
        point: i,
        values: Object.fromEntries(variables.map((v) => [v.field, v.values[i]!])),
        summary: {
          status: r.result?.status ?? 'finished',
          ...(r.result?.divergedAtStep !== undefined ? { diverged_at_step: r.result.divergedAtStep } : {}),
        },
        config: { ...r.config, threads: t.engine.threads, device: t.engine.name },
        series: r.series,
        losses: { every: 16, steps: r.records?.losses.steps ?? [], loss: r.records?.losses.loss ?? [] },
        biases: null,
        zero_output_loss: zeroOutputLoss(r.config, r.embeddings?.F),
      }),
    );
    return {
      name: 'playground',
      batch: null,
      scale: scaleOf(t.runs[0]!.config),
      fixed: {},
      variables,
      points: runs.map((r) => ({ point: r.point, values: r.values, status: r.status })),
      runs,
    };
  }

  /** The snapshot steps taken so far by every run; the slider's last position is the latest. */
  const snapshotSteps = (t: Training): number[] =>
    (t.runs[0]!.records?.snapshots ?? [])
      .map((s) => s.step)
      .filter((s) => t.runs.every((r) => r.records?.snapshots.some((x) => x.step === s)));

  slider.addEventListener('input', () => training && void redraw(training));

  async function redraw(t: Training): Promise<void> {
    const steps = snapshotSteps(t);
    const atEnd = Number(slider.value) >= Number(slider.max);
    slider.max = String(steps.length);
    if (atEnd) slider.value = slider.max;
    const chosen = Number(slider.value) < steps.length ? steps[Number(slider.value)] : undefined;
    sliderLabel.textContent =
      chosen === undefined ? 'latest (live)' : `step ${chosen} · log2(step + 1) = ${metric(Math.log2(chosen + 1), 4)}`;
    const sweep = sweepOf(t);
    const views = await Promise.all(t.runs.map((r) => (chosen === undefined ? r.latest : r.snapshotView(chosen))));
    await Promise.all([
      // The loss panel needs two records (its axes come from the data).
      sweep.runs.every((r) => r.losses.loss.length >= 2)
        ? draw(trainingBox, () => trainingPlot({ ...trainingInput(sweep), title: configTitle(t.runs[0]!.config) }))
        : undefined,
      ...t.runs.map(async (r, i) => {
        const view = views[i];
        const p = sideBySide[i];
        if (!view || !p) return;
        setChildren(
          p.table,
          h('tr', {}, h('th', {}, 'step'), h('td', { class: 'num' }, String(view.step))),
          METRICS.map(([key, label]) =>
            h('tr', {}, h('th', {}, label), h('td', { class: 'num' }, metric(view.metrics[key], 4))),
          ),
        );
        await Promise.all([
          p.heat.show(view, `Single-feature activations after step ${view.step}`),
          draw(p.bias, () =>
            biasPlot({
              scale: scaleOf(r.config),
              N: r.config.N,
              runs: [{ value: SIDES[i]!, id: SIDES[i]!, biases: view.biases, mono: view.metrics.monosemantic_neurons }],
              title: `Biases after step ${view.step}`,
              width: 360,
              height: 160,
            }),
          ),
        ]);
      }),
    ]);
  }

  if (initial.autostart && initialOk) void start();
  else if (initial.autostart) {
    setState('invalid');
    status.textContent = 'Fix the values marked above: nothing was started.';
  }

  return {
    refresh: async () => {},
    dispose: () => void training?.release(),
  };
};
