// #/catalogue: Table 1, with the results stored for each batch (linked, with their scale) and the
// command that runs a batch that has none.
import { formatValue } from '../../../src/figures/index.js';
import { api, type CatalogueBatch } from '../api.js';
import { copyButton, h, progressBar, setChildren } from '../dom.js';
import { redrawOnChange, sweepHref, valuesText, type PageFactory } from '../util.js';

const SHORT: Record<string, string> = {
  nonlinearity: 'f',
  learning_rate: 'lr',
  initial_bias: 'bias',
  sample_kind: 'dist',
};

export const cataloguePage: PageFactory = (root) => {
  const tbody = h('tbody');
  const message = h('div');
  const summary = h('span', { class: 'muted' });
  setChildren(
    root,
    h('div', { class: 'page-head' }, h('h1', {}, 'Catalogue'), summary),
    h(
      'p',
      { class: 'muted' },
      'The batches of Table 1. Each links to the sweeps stored for it, with their scale; the command runs a batch (resumable: it keeps finished runs).',
    ),
    message,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data catalogue', 'data-testid': 'catalogue-table' },
        h('thead', {}, h('tr', {}, ...['batch', 'swept', 'fixed', 'results', 'command'].map((c) => h('th', {}, c)))),
        tbody,
      ),
    ),
  );

  function render(batches: CatalogueBatch[]): void {
    const withResults = batches.filter((b) => (b.sweeps ?? []).length).length;
    summary.textContent = `${withResults} of ${batches.length} batches have results`;
    setChildren(
      tbody,
      batches.map((b) => {
        const swept = Object.entries(b.swept ?? {}).map(([f, v]) =>
          h('div', {}, h('span', { class: 'field' }, f), ` ∈ {${valuesText(v, 4)}}`),
        );
        const fixed = Object.entries(b.fixed ?? {})
          .filter(([k]) => k !== 'N' && k !== 'm')
          .map(([k, v]) =>
            h(
              'span',
              { class: 'chip small' },
              `${SHORT[k] ?? k} = ${typeof v === 'number' ? formatValue(v) : String(v)}`,
            ),
          );
        const results = (b.sweeps ?? []).length
          ? (b.sweeps ?? []).map((s) =>
              h(
                'div',
                { class: 'result' },
                h('a', { href: sweepHref(s.name) }, s.name),
                ' ',
                h('span', { class: 'muted small' }, s.scale),
                ' ',
                progressBar(s.total ? s.finished / s.total : 0, `${s.finished} / ${s.total}`),
              ),
            )
          : [h('span', { class: 'missing' }, 'no results')];
        return h(
          'tr',
          { 'data-batch': b.name, class: (b.sweeps ?? []).length ? 'has-results' : 'no-results' },
          h('td', {}, h('b', {}, b.name)),
          h('td', {}, swept),
          h('td', { class: 'fixed' }, fixed),
          h('td', {}, results),
          h('td', { class: 'command' }, h('code', {}, b.command), copyButton(b.command)),
        );
      }),
    );
  }

  return {
    refresh: redrawOnChange({ load: api.catalogue, draw: render, message, title: 'Cannot load the catalogue' }),
  };
};
