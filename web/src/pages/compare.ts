// #/compare?ids=a,b,...: runs side by side. Their training curves together, their final SFA heat
// maps next to each other, and their configurations with the differences highlighted.
import { trainingPlot } from '../../../src/figures/index.js';
import { api, cachedSnapshot, type RunDetail } from '../api.js';
import { chartBox, draw, heatmapPanel, snapshotHeatmap } from '../charts.js';
import { errorBox, h, metric, num, setChildren, statusBadge } from '../dom.js';
import {
  configField,
  heatmapSize,
  isSettled,
  panelWidth,
  lossRecord,
  runHref,
  runScale,
  snapshotPoints,
  redrawOnChange,
  type PageFactory,
} from '../util.js';

const FINAL_ROWS: [string, string][] = [
  ['data_loss', 'final loss'],
  ['monosemantic_per_feature', 'mono / N'],
  ['monosemantic_neurons', 'mono neurons'],
  ['mean_bias', 'mean bias'],
];

export const comparePage: PageFactory = (root, { query }) => {
  const ids = [
    ...new Set(
      (query.get('ids') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  let details: (RunDetail | Error)[] = [];
  let onlyDiff = false;
  const message = h('div');
  const training = chartBox('training-plot');
  const heatRow = h('div', { class: 'heatmap-row', 'data-testid': 'compare-heatmaps' });
  const diffTable = h('table', { class: 'data diff', 'data-testid': 'config-diff' });
  const onlyBox = h('input', { type: 'checkbox', id: 'only-diff' });
  onlyBox.addEventListener('change', () => {
    onlyDiff = onlyBox.checked;
    renderDiff();
  });
  setChildren(
    root,
    h('p', { class: 'crumbs' }, h('a', { href: '#/runs' }, 'Runs'), ' / compare'),
    h('div', { class: 'page-head' }, h('h1', {}, ids.length >= 2 ? `Compare ${ids.length} runs` : 'Compare runs')),
    message,
    h('section', {}, h('h2', {}, 'Training'), training),
    h('section', {}, h('h2', {}, 'Single-feature activations (final snapshot)'), heatRow),
    h(
      'section',
      {},
      h('h2', {}, 'Configuration'),
      h('label', { class: 'inline', for: 'only-diff' }, onlyBox, ' only differences'),
      h('div', { class: 'table-wrap' }, diffTable),
    ),
  );
  if (ids.length < 2)
    setChildren(message, errorBox('Pick two or more runs in the runs table and press Compare.', 'Nothing to compare'));

  const ok = (): RunDetail[] => details.filter((d): d is RunDetail => !(d instanceof Error));

  function renderDiff(): void {
    const runs = ok();
    if (!runs.length) {
      setChildren(diffTable);
      return;
    }
    const keys = [...new Set(runs.flatMap((d) => Object.keys(d.run.config)))];
    const head = h(
      'tr',
      {},
      h('th', {}, 'field'),
      ...runs.map((d) =>
        h(
          'th',
          { class: 'num' },
          h('a', { href: runHref(d.run.id), class: 'mono' }, d.run.id),
          ' ',
          statusBadge(d.run.status),
        ),
      ),
    );
    const rows: HTMLElement[] = [];
    for (const k of keys) {
      const vals = runs.map((d) => configField(d.run.config, k));
      const differs = new Set(vals.map((v) => JSON.stringify(v))).size > 1;
      if (onlyDiff && !differs) continue;
      rows.push(
        h(
          'tr',
          { class: differs ? 'differs' : '', 'data-field': k },
          h('th', {}, k),
          ...vals.map((v) => h('td', { class: 'num' }, num(v))),
        ),
      );
    }
    rows.push(h('tr', { class: 'group' }, h('th', { colspan: runs.length + 1 }, 'final')));
    for (const [k, label] of FINAL_ROWS) {
      const vals = runs.map((d) => (d.run.final as unknown as Record<string, unknown> | null)?.[k]);
      rows.push(h('tr', {}, h('th', {}, label), ...vals.map((v) => h('td', { class: 'num' }, metric(v, 4)))));
    }
    setChildren(diffTable, h('thead', {}, head), h('tbody', {}, rows));
  }

  async function renderCharts(): Promise<void> {
    const runs = ok();
    const withData = runs.filter((d) => d.losses || (d.series && d.series.length));
    const scales = [...new Set(runs.map((d) => runScale(d.run.config)))];
    const scale = scales.join('; ');
    const jobs: Promise<unknown>[] = [];
    if (withData.length) {
      jobs.push(
        draw(training, () =>
          trainingPlot({
            scale,
            runs: withData.map((d) => {
              const losses = lossRecord(d.losses);
              return {
                value: d.run.id,
                id: d.run.id,
                snapshots: snapshotPoints(d.series),
                ...(losses ? { losses } : {}),
              };
            }),
          }),
        ),
      );
    } else setChildren(training, h('p', { class: 'muted placeholder' }, 'No curves yet.'));
    const cells = details.map((d, i) => {
      if (d instanceof Error)
        return h('div', { class: 'heatmap-cell' }, errorBox(d.message, `Cannot load run ${ids[i]}`));
      const cell = h('div', { class: 'heatmap-cell', 'data-run': d.run.id });
      const step = d.snapshots[d.snapshots.length - 1];
      if (step === undefined) {
        cell.append(h('p', { class: 'muted placeholder' }, `${d.run.id}: ${d.error ?? 'no snapshots yet'}`));
        return cell;
      }
      const per = panelWidth(heatRow, details.length);
      const panel = heatmapPanel({
        scale: runScale(d.run.config),
        ...heatmapSize(Math.min(d.run.config.k, 1024), Math.min(d.run.config.N, 512), per, 260),
      });
      cell.append(panel.el);
      jobs.push(
        cachedSnapshot(d.run.id, step, isSettled(d.run))
          .then((snap) => panel.show(snapshotHeatmap(snap), d.run.id))
          .catch((e: Error) => setChildren(cell, errorBox(e.message, `Cannot load the heat map of ${d.run.id}`))),
      );
      return cell;
    });
    setChildren(heatRow, cells);
    await Promise.all(jobs);
  }

  // Each run's error is shown in its place, so loading as a whole cannot fail.
  const redraw = redrawOnChange({
    load: () => Promise.all(ids.map((id) => api.run(id).catch((e: Error) => e))),
    key: (all) => all.map((d) => (d instanceof Error ? d.message : d)),
    draw: async (all) => {
      details = all;
      renderDiff();
      await renderCharts();
    },
  });
  async function refresh(): Promise<void> {
    if (ids.length === 0) return;
    if (details.length && ok().length === ids.length && ok().every((d) => isSettled(d.run))) return;
    await redraw();
  }
  return { refresh };
};
