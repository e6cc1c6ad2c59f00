// #/sweeps: every stored sweep with its scale, variables and progress.
import { api, type SweepSummary } from '../api.js';
import { h, progressBar, setChildren, when } from '../dom.js';
import { redrawOnChange, sweepHref, valuesText, type PageFactory } from '../util.js';

export const sweepsPage: PageFactory = (root) => {
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
          h(
            'tr',
            {},
            ...['name', 'batch', 'scale', 'swept', 'runs', 'diverged', 'running', 'created'].map((c, i) =>
              h('th', { class: i >= 4 && i < 7 ? 'num' : '' }, c),
            ),
          ),
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
        h(
          'td',
          {},
          h('a', { href: sweepHref(s.name) }, s.name),
          s.error ? h('div', { class: 'warn small' }, s.error) : null,
        ),
        h('td', {}, s.batch ?? '–'),
        h('td', {}, s.scale),
        h(
          'td',
          {},
          ...s.variables.map((v) =>
            h('div', {}, h('span', { class: 'field' }, v.field), ': ', valuesText(v.values, 6)),
          ),
        ),
        h('td', { class: 'num' }, progressBar(s.total ? done / s.total : 0, `${done} / ${s.total}`)),
        h('td', { class: 'num' }, s.diverged ? h('span', { class: 'warn' }, String(s.diverged)) : '0'),
        h('td', { class: 'num' }, String(s.running)),
        h('td', { class: 'muted' }, when(s.created_at)),
      );
    });
    if (!rows.length)
      rows.push(
        h('tr', { class: 'empty' }, h('td', { colspan: 8 }, 'No sweeps yet: see the catalogue for the commands.')),
      );
    setChildren(tbody, rows);
  }

  return { refresh: redrawOnChange({ load: api.sweeps, draw: render, message, title: 'Cannot load the sweeps' }) };
};
