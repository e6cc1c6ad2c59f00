// The dashboard: hash routes to pages, and live updates from the server's event stream (each
// `change` re-fetches the current page's data, debounced).
import './style.css';
import { api } from './api.js';
import { h, setChildren } from './dom.js';
import { cataloguePage } from './pages/catalogue.js';
import { comparePage } from './pages/compare.js';
import { playgroundPage } from './pages/playground.js';
import { runPage } from './pages/run.js';
import { runsPage } from './pages/runs.js';
import { sweepPage } from './pages/sweep.js';
import { sweepsPage } from './pages/sweeps.js';
import type { ChangeHint, Page, PageFactory } from './util.js';

const ROUTES: [RegExp, PageFactory, string][] = [
  [/^runs\/?$/, runsPage, 'runs'],
  [/^runs\/(.+)$/, runPage, 'runs'],
  [/^sweeps\/?$/, sweepsPage, 'sweeps'],
  [/^sweeps\/(.+)$/, sweepPage, 'sweeps'],
  [/^catalogue\/?$/, cataloguePage, 'catalogue'],
  [/^compare\/?$/, comparePage, 'runs'],
  [/^playground\/?$/, playgroundPage, 'playground'],
];

const app = document.getElementById('app')!;
let current: Page | undefined;
let currentKey = '';

function parseHash(): { route: string; query: URLSearchParams } {
  const raw = location.hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  return { route: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

function navigate(): void {
  const { route, query } = parseHash();
  if (!route) {
    location.replace('#/runs');
    return;
  }
  // The run page keeps its step in the query: the same run with another step is the same page.
  const key = route.startsWith('runs/') ? route : `${route}?${query}`;
  if (key === currentKey && current) return;
  currentKey = key;
  current?.dispose?.();
  current = undefined;
  const page = h('div', { class: 'page' });
  setChildren(app, page);
  for (const [re, factory, nav] of ROUTES) {
    const m = route.match(re);
    if (!m) continue;
    let path: string[];
    try {
      path = m.slice(1).map((s) => decodeURIComponent(s));
    } catch {
      path = m.slice(1);
    }
    document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.getAttribute('data-nav') === nav));
    document.title = `${path[0] ?? nav} · toymodels`;
    current = factory(page, { path, query });
    void loadPage(current);
    return;
  }
  setChildren(
    page,
    h('h1', {}, 'Not found'),
    h('p', {}, `No page at #/${route}. `, h('a', { href: '#/runs' }, 'Go to the runs.')),
  );
}

async function loadPage(page: Page, hint?: ChangeHint): Promise<void> {
  document.body.classList.add('busy');
  try {
    await page.refresh(hint);
  } catch (e) {
    console.error(e);
  } finally {
    if (page === current) document.body.classList.remove('busy');
  }
}

window.addEventListener('hashchange', navigate);
navigate();

// Live updates.
const live = document.getElementById('live')!;
let debounce: number | undefined;
let pendingHint: ChangeHint | undefined;
function setLive(state: 'on' | 'off' | 'connecting'): void {
  live.dataset.state = state;
  live.title =
    state === 'on'
      ? 'Live: pages update as runs progress'
      : state === 'off'
        ? 'Not connected to the server: retrying'
        : 'Connecting…';
  live.lastElementChild!.textContent = state === 'on' ? 'live' : state === 'off' ? 'offline' : 'connecting';
}
function merge(a: ChangeHint | undefined, b: ChangeHint): ChangeHint {
  if (!a) return b;
  const cat = (x?: unknown[], y?: unknown[]) => (Array.isArray(x) && Array.isArray(y) ? [...x, ...y] : undefined);
  const runs = cat(a.runs, b.runs);
  const sweeps = cat(a.sweeps, b.sweeps);
  return { ...(runs ? { runs } : {}), ...(sweeps ? { sweeps } : {}) };
}
function onChange(hint: ChangeHint): void {
  pendingHint = merge(pendingHint, hint);
  window.clearTimeout(debounce);
  debounce = window.setTimeout(() => {
    const h = pendingHint;
    pendingHint = undefined;
    if (current) void loadPage(current, h);
  }, 400);
}
if ('EventSource' in window) {
  setLive('connecting');
  const es = new EventSource(api.eventsUrl());
  let wasDown = false;
  es.addEventListener('open', () => {
    setLive('on');
    if (wasDown) onChange({});
    wasDown = false;
  });
  es.addEventListener('error', () => {
    setLive(es.readyState === EventSource.CLOSED ? 'off' : 'connecting');
    wasDown = true;
  });
  es.addEventListener('change', (ev) => {
    let hint: ChangeHint = {};
    try {
      const data = JSON.parse((ev as MessageEvent<string>).data) as ChangeHint;
      if (data && typeof data === 'object') hint = data;
    } catch {
      // A change without a payload: refresh whatever is shown.
    }
    onChange(hint);
  });
} else setLive('off');
