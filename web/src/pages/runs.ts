// #/runs: every run in one table, sortable by any column, filtered by text and status; select
// runs to compare.
import { api, type RunListRow as RunRow } from '../api.js';
import { h, metric, num, progressBar, setChildren, statusBadge } from '../dom.js';
import { configField, runHref, shortScale, sweepHref, redrawOnChange, type PageFactory } from '../util.js';

interface Column {
  key: string;
  label: string;
  title?: string;
  numeric?: boolean;
  value(r: RunRow): number | string | null;
  cell?(r: RunRow): Node | string;
}

const cfg = (field: string, label: string, title?: string, numeric = true): Column => ({
  key: field,
  label,
  ...(title ? { title } : {}),
  numeric,
  value: (r) => (configField(r.config, field) as number | string | undefined) ?? null,
  cell: (r) => num(configField(r.config, field)),
});

const liveLoss = (r: RunRow): number | null =>
  r.final?.data_loss ?? (r.status === 'running' ? (r.progress?.loss ?? null) : null);

const COLUMNS: Column[] = [
  { key: 'id', label: 'id', value: (r) => r.id, cell: (r) => h('a', { href: runHref(r.id), class: 'mono' }, r.id) },
  {
    key: 'status',
    label: 'status',
    value: (r) => r.status,
    cell: (r) => {
      const wrap = h('span', { class: 'status-cell' }, statusBadge(r.status));
      if (r.status === 'running' && r.progress) {
        const { step, steps } = r.progress;
        wrap.append(progressBar(steps ? step / steps : 0, `${step} / ${steps}`));
      } else if (r.status === 'diverged' && r.final?.diverged_at_step !== undefined) {
        wrap.append(h('span', { class: 'muted small' }, ` at ${r.final.diverged_at_step}`));
      }
      return wrap;
    },
  },
  cfg('task', 'task', 'task', false),
  cfg('nonlinearity', 'f', 'activation function', false),
  cfg('N', 'N', '# of features'),
  cfg('m', 'm', 'embedding dimension'),
  cfg('k', 'k', '# of neurons'),
  cfg('eps', 'eps', 'mean feature frequency ε'),
  cfg('learning_rate', 'lr', 'learning rate'),
  cfg('decay', 'decay', 'bias decay rate'),
  cfg('initial_bias', 'bias', 'initial mean bias'),
  cfg('reg', 'reg', 'L1 regularisation'),
  {
    key: 'scale',
    label: 'scale',
    title: 'batch size × training steps',
    numeric: true,
    value: (r) => r.config.log2_batch_size + r.config.log2_training_steps + r.config.log2_batch_size / 100,
    cell: (r) =>
      h(
        'span',
        { title: shortScale(r.config) },
        '2',
        h('sup', {}, String(r.config.log2_batch_size)),
        ' × 2',
        h('sup', {}, String(r.config.log2_training_steps)),
      ),
  },
  {
    key: 'loss',
    label: 'final loss',
    title: 'final data loss (the latest recorded loss while running)',
    numeric: true,
    value: liveLoss,
    cell: (r) => {
      const v = liveLoss(r);
      return r.final ? metric(v, 4) : v === null ? '–' : h('i', { class: 'muted', title: 'latest loss' }, metric(v, 4));
    },
  },
  {
    key: 'mono',
    label: 'mono/N',
    title: '# monosemantic neurons / # features',
    numeric: true,
    value: (r) => r.final?.monosemantic_per_feature ?? null,
    cell: (r) => metric(r.final?.monosemantic_per_feature, 3),
  },
  {
    key: 'mean_bias',
    label: 'mean bias',
    numeric: true,
    value: (r) => r.final?.mean_bias ?? null,
    cell: (r) => metric(r.final?.mean_bias, 3),
  },
  {
    key: 'sweeps',
    label: 'sweep',
    value: (r) => (r.sweeps ?? []).join(' '),
    cell: (r) => {
      const s = r.sweeps ?? [];
      if (!s.length) return '–';
      const span = h('span', {});
      s.forEach((name, i) => span.append(...(i ? [', '] : []), h('a', { href: sweepHref(name) }, name)));
      return span;
    },
  },
];

/** Filter, sort and selection outlive the page (coming back keeps them). */
const state = {
  text: '',
  status: '',
  sort: { key: 'id', dir: -1 as 1 | -1 },
  selected: new Set<string>(),
};

function haystack(r: RunRow): string {
  const parts = [r.id, r.status, ...(r.sweeps ?? []), shortScale(r.config)];
  for (const [k, v] of Object.entries(r.config)) parts.push(`${k}=${v}`, String(v));
  if (r.final) for (const [k, v] of Object.entries(r.final)) parts.push(`${k}=${v}`);
  return parts.join(' ').toLowerCase();
}

function compareValues(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null || (typeof a === 'number' && Number.isNaN(a))) return 1; // missing last, either direction
  if (b === null || (typeof b === 'number' && Number.isNaN(b))) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

export const runsPage: PageFactory = (root) => {
  let runs: RunRow[] = [];
  const count = h('span', { class: 'muted', 'data-testid': 'runs-count' });
  const compareBtn = h(
    'button',
    { type: 'button', class: 'primary', 'data-testid': 'compare-button', disabled: true },
    'Compare',
  );
  const clearBtn = h('button', { type: 'button', class: 'link' }, 'clear selection');
  const filter = h('input', {
    type: 'search',
    placeholder: 'Filter: any field, e.g. GeLU, learning_rate=0.003, LR1',
    value: state.text,
    'data-testid': 'runs-filter',
    class: 'filter',
  });
  const statusSel = h(
    'select',
    { 'data-testid': 'status-filter' },
    ...['', 'running', 'finished', 'diverged', 'interrupted'].map((s) => h('option', { value: s }, s || 'any status')),
  );
  statusSel.value = state.status;
  const thead = h('thead');
  const tbody = h('tbody');
  const table = h('table', { class: 'data runs', 'data-testid': 'runs-table' }, thead, tbody);
  const message = h('div');

  filter.addEventListener('input', () => {
    state.text = filter.value;
    renderBody();
  });
  statusSel.addEventListener('change', () => {
    state.status = statusSel.value;
    renderBody();
  });
  compareBtn.addEventListener('click', () => {
    const ids = runs.filter((r) => state.selected.has(r.id)).map((r) => r.id);
    if (ids.length >= 2) location.hash = `#/compare?ids=${ids.map(encodeURIComponent).join(',')}`;
  });
  clearBtn.addEventListener('click', () => {
    state.selected.clear();
    renderBody();
  });

  setChildren(
    root,
    h('div', { class: 'page-head' }, h('h1', {}, 'Runs'), count),
    h('div', { class: 'toolbar' }, filter, statusSel, h('span', { class: 'spacer' }), clearBtn, compareBtn),
    message,
    h('div', { class: 'table-wrap' }, table),
  );

  function renderHead(): void {
    const row = h('tr', {}, h('th', { class: 'select' }, ''));
    for (const c of COLUMNS) {
      const active = state.sort.key === c.key;
      const th = h(
        'th',
        {
          class: `${c.numeric ? 'num' : ''} sortable ${active ? 'sorted' : ''}`,
          title: c.title ? `${c.title} (click to sort)` : 'click to sort',
          'data-key': c.key,
          'aria-sort': active ? (state.sort.dir > 0 ? 'ascending' : 'descending') : 'none',
        },
        c.label,
        h('span', { class: 'arrow' }, active ? (state.sort.dir > 0 ? '▲' : '▼') : ''),
      );
      th.addEventListener('click', () => {
        if (state.sort.key === c.key) state.sort.dir = state.sort.dir > 0 ? -1 : 1;
        else state.sort = { key: c.key, dir: c.numeric ? -1 : 1 };
        renderHead();
        renderBody();
      });
      row.append(th);
    }
    setChildren(thead, row);
  }

  function renderBody(): void {
    const tokens = state.text.toLowerCase().split(/\s+/).filter(Boolean);
    const col = COLUMNS.find((c) => c.key === state.sort.key) ?? COLUMNS[0]!;
    const shown = runs
      .filter((r) => !state.status || r.status === state.status)
      .filter((r) => {
        if (!tokens.length) return true;
        const hay = haystack(r);
        return tokens.every((t) => hay.includes(t));
      })
      .sort((a, b) => {
        const va = col.value(a);
        const vb = col.value(b);
        const missingA = va === null || (typeof va === 'number' && Number.isNaN(va));
        const missingB = vb === null || (typeof vb === 'number' && Number.isNaN(vb));
        if (missingA || missingB) return compareValues(va, vb);
        return compareValues(va, vb) * state.sort.dir || a.id.localeCompare(b.id) * -1;
      });
    const rows = shown.map((r) => {
      const box = h('input', { type: 'checkbox', 'aria-label': `select ${r.id}`, checked: state.selected.has(r.id) });
      box.addEventListener('change', () => {
        if (box.checked) state.selected.add(r.id);
        else state.selected.delete(r.id);
        tr.classList.toggle('selected', box.checked);
        updateSelection();
      });
      const tr = h(
        'tr',
        { 'data-id': r.id, class: `${state.selected.has(r.id) ? 'selected' : ''} row-${r.status}` },
        h('td', { class: 'select' }, box),
        ...COLUMNS.map((c) => h('td', { class: c.numeric ? 'num' : '' }, c.cell ? c.cell(r) : num(c.value(r)))),
      );
      return tr;
    });
    if (!rows.length) {
      rows.push(
        h(
          'tr',
          { class: 'empty' },
          h(
            'td',
            { colspan: COLUMNS.length + 1 },
            runs.length
              ? 'No run matches the filter.'
              : 'No runs yet: train one with `npx toymodels train` or a sweep.',
          ),
        ),
      );
    }
    setChildren(tbody, rows);
    count.textContent = shown.length === runs.length ? `${runs.length} runs` : `${shown.length} of ${runs.length} runs`;
    updateSelection();
  }

  function updateSelection(): void {
    // Forget selected runs that no longer exist.
    for (const id of state.selected) if (!runs.some((r) => r.id === id)) state.selected.delete(id);
    const n = state.selected.size;
    compareBtn.disabled = n < 2;
    compareBtn.textContent = n ? `Compare ${n}` : 'Compare';
    clearBtn.hidden = n === 0;
  }

  const refresh = redrawOnChange({
    load: api.runs,
    message,
    title: 'Cannot load the runs',
    notice: (res) =>
      res.store?.message ? h('div', { class: 'notice', 'data-testid': 'store-message' }, res.store.message) : null,
    key: (res) => res.runs,
    draw: (res) => {
      runs = res.runs;
      renderBody();
    },
  });

  renderHead();
  renderBody();
  return { refresh };
};
