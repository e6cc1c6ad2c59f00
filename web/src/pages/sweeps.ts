// #/sweeps: every stored sweep with its scale, variables and progress.
import { formatValue } from '../../../src/figures/index.js';
import { api, type SweepSummary } from '../api.js';
import { errorBox, h, progressBar, setChildren, when } from '../dom.js';
import { sweepHref, type PageFactory } from '../util.js';

function valuesText(values: (number | string)[]): string {
  if (values.length <= 6) return values.map(formatValue).join(', ');
  return `${formatValue(values[0]!)}, ${formatValue(values[1]!)}, …, ${formatValue(values[values.length - 1]!)} (${values.length})`;
}

export const sweepsPage: PageFactory = (root) => {
  let lastJson = '';
  const tbody = h('tbody');
  const message = h('div');
  setChildren(
    root,
    h('div', { class: 'page-head' }, h('h1', {}, 'Sweeps')),
    message,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data', 'data-testid': 'sweeps-table' },
        h(
          'thead',
          {},
          h('tr', {}, ...['name', 'batch', 'scale', 'swept', 'runs', 'diverged', 'running', 'created'].map((c, i) => h('th', { class: i >= 4 && i < 7 ? 'num' : '' }, c))),
        ),
        tbody,
      ),
    ),
  );

  function render(sweeps: SweepSummary[]): void {
    const rows = sweeps.map((s) => {
      const done = s.finished + s.diverged;
      return h(
        'tr',
        { 'data-name': s.name },
        h('td', {}, h('a', { href: sweepHref(s.name) }, s.name), s.error ? h('div', { class: 'warn small' }, s.error) : null),
        h('td', {}, s.batch ?? '–'),
        h('td', {}, s.scale),
        h('td', {}, ...s.variables.map((v) => h('div', {}, h('span', { class: 'field' }, v.field), ': ', valuesText(v.values)))),
        h('td', { class: 'num' }, progressBar(s.total ? done / s.total : 0, `${done} / ${s.total}`)),
        h('td', { class: 'num' }, s.diverged ? h('span', { class: 'warn' }, String(s.diverged)) : '0'),
        h('td', { class: 'num' }, String(s.running)),
        h('td', { class: 'muted' }, when(s.created_at)),
      );
    });
    if (!rows.length) rows.push(h('tr', { class: 'empty' }, h('td', { colspan: 8 }, 'No sweeps yet: see the catalogue for the commands.')));
    setChildren(tbody, rows);
  }

  async function refresh(): Promise<void> {
    try {
      const sweeps = await api.sweeps();
      setChildren(message);
      const json = JSON.stringify(sweeps);
      if (json !== lastJson) {
        lastJson = json;
        render(sweeps);
      }
    } catch (e) {
      setChildren(message, errorBox((e as Error).message, 'Cannot load the sweeps'));
    }
  }
  return { refresh };
};
