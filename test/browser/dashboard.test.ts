// The dashboard in a real browser: Debian's headless Chromium driven by playwright-core (never a
// downloaded browser) over `toymodels serve` on a smoke-scale store made here with the CLI. Checks
// that the pages load, the charts are drawn (SVG marks; heat maps as canvas pixels, not blank), the
// snapshot slider redraws the heat map, hover names the neuron, feature and activation, a diverged
// run is drawn as the report draws it, a corrupt run shows its error while the rest keeps working,
// and a run started while a page is open appears without a reload.
// Screenshots of the main pages go to test-artifacts/.
import { execFile, type ChildProcess } from 'node:child_process';
import { CHROMIUM, CLI, HAS_CHROMIUM, launchChromium, ROOT, startServer } from '../../bench/browser.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const run = promisify(execFile);

if (!HAS_CHROMIUM) {
  console.warn(
    `dashboard browser tests skipped: ${CHROMIUM} is missing (install Debian's chromium: apt-get install -y chromium; .ci/run does)`,
  );
}

/** Pixel statistics of the first canvas under `selector`: distinct colours sampled and a hash. */
async function canvasPixels(
  page: Page,
  selector: string,
): Promise<{ width: number; height: number; colours: number; hash: number }> {
  return page.evaluate((sel) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`${sel} canvas`);
    if (!canvas) throw new Error(`no canvas under ${sel}`);
    const ctx = canvas.getContext('2d')!;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set<number>();
    let hash = 0;
    for (let i = 0; i < data.length; i += 4) {
      const c = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
      hash = (Math.imul(hash, 31) + c) | 0;
      if (i % 64 === 0) colours.add(c);
    }
    return { width: canvas.width, height: canvas.height, colours: colours.size, hash };
  }, selector);
}

/** The marks and text of the SVG chart under `selector` (plots are SVG; heat maps are canvas). */
async function svgChart(page: Page, selector: string): Promise<{ marks: number; svg: string }> {
  return page.evaluate((sel) => {
    const svg = document.querySelector<SVGSVGElement>(`${sel} svg`);
    if (!svg) throw new Error(`no svg under ${sel}`);
    return { marks: svg.querySelectorAll('path, rect, line').length, svg: svg.outerHTML };
  }, selector);
}

/** What marks a run in a figure's SVG: the notes that name diverged / never-learned runs, and the
 * lines drawn with the diverged dash (MARK_DASH). The same in the report's SVG and the page's. */
function runMarks(svg: string): { notes: string[]; dashed: number } {
  // A subtitle of several lines is one <text> with a <tspan> a line.
  const texts = [...svg.matchAll(/<(?:text|tspan)[^>]*>([^<]+)</g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  return {
    notes: texts.filter((t) => /diverged|never learned/.test(t)).sort(),
    dashed: (svg.match(/stroke-dasharray="6,3"/g) ?? []).length,
  };
}

/** expect.poll with room for a loaded machine (other test files train models meanwhile). */
function poll<T>(fn: () => T | Promise<T>) {
  return expect.poll(fn, { timeout: 30_000, interval: 100 });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });
}

describe.skipIf(!HAS_CHROMIUM)('dashboard in headless Chromium', () => {
  let store: string;
  let server: { proc: ChildProcess; url: string };
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let sweepRuns: string[] = [];
  let brokenRun = '';

  const api = async <T>(p: string): Promise<T> => {
    const res = await fetch(new URL(`api/${p}`, server.url));
    expect(res.ok, `GET /api/${p}: ${res.status}`).toBe(true);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'dist/web/index.html'))) {
      throw new Error('dist/web is not built: run `npm run build` (npm test builds it in pretest)');
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    store = fs.mkdtempSync(path.join(os.tmpdir(), 'toymodels-dashboard-'));
    const common = ['--N', '64', '--m', '16', '--k', '128', '--scale', 'smoke', '--store', store, '--threads', '1'];
    // A sweep with 9 snapshots a run (2^8 steps), and a 2 x 2 grid for the grid heat map.
    await run(process.execPath, [
      CLI,
      'sweep',
      ...common,
      '--log2_training_steps',
      '8',
      '--sweep_var',
      'learning_rate',
      '--sweep_values',
      '0.003',
      '0.03',
      '--name',
      's',
    ]);
    await run(process.execPath, [
      CLI,
      'sweep',
      ...common,
      '--grid',
      'learning_rate=0.003,0.03',
      'initial_bias=-1,0',
      '--name',
      'g',
    ]);
    // Plain SGD at a learning rate of 10^4 diverges; at 0.003 it does not get far in 2^6 steps.
    await run(process.execPath, [
      CLI,
      'sweep',
      ...common,
      '--optimizer',
      'sgd',
      '--schedule',
      'constant',
      '--sweep_var',
      'learning_rate',
      '--sweep_values',
      '0.003',
      '10000',
      '--name',
      'w',
    ]);
    server = await startServer(store);
    const sweep = await api<{ points: { run: { id: string } | null }[] }>('sweeps/s');
    sweepRuns = sweep.points.map((p) => p.run!.id);
    // One run of the grid gets a corrupt tensors file: its page must say so, the rest keep working.
    const grid = await api<{ points: { run: { id: string } | null }[] }>('sweeps/g');
    brokenRun = grid.points[0]!.run!.id;
    fs.writeFileSync(path.join(store, brokenRun, 'tensors.safetensors'), 'not a safetensors file');

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    server?.proc.kill('SIGTERM');
    if (store) fs.rmSync(store, { recursive: true, force: true });
  });

  it('lists every run in a sortable, filterable table', async () => {
    await page.goto(`${server.url}#/runs`);
    const rows = page.locator('[data-testid=runs-table] tbody tr[data-id]');
    await poll(() => rows.count()).toBe(8);
    await poll(() => page.locator('[data-testid=live]').getAttribute('data-state')).toBe('on');
    await shot(page, 'runs');

    // Sort by learning rate, ascending then descending.
    const lr = page.locator('[data-testid=runs-table] th[data-key=learning_rate]');
    await lr.click();
    const lrs = async () => (await rows.locator('td:nth-child(10)').allTextContents()).map(Number);
    const first = await lrs();
    expect(first).toEqual([...first].sort((a, b) => b - a));
    await lr.click();
    const second = await lrs();
    expect(second).toEqual([...second].sort((a, b) => a - b));

    // Text filter (any field, field=value works) and status filter.
    await page.fill('[data-testid=runs-filter]', 'learning_rate=0.03');
    await poll(() => rows.count()).toBe(3);
    await page.fill('[data-testid=runs-filter]', 'initial_bias=-1 learning_rate=0.03');
    await poll(() => rows.count()).toBe(1);
    await page.fill('[data-testid=runs-filter]', '');
    await page.selectOption('[data-testid=status-filter]', 'diverged');
    await poll(() => rows.count()).toBe(1);
    await page.selectOption('[data-testid=status-filter]', '');
    await poll(() => rows.count()).toBe(8);

    // Select two runs and compare them.
    const compare = page.locator('[data-testid=compare-button]');
    expect(await compare.isDisabled()).toBe(true);
    for (const id of sweepRuns) await page.locator(`tr[data-id="${id}"] input[type=checkbox]`).check();
    expect(await compare.isDisabled()).toBe(false);
    await compare.click();
    await page.waitForURL(/#\/compare\?ids=/);
    const ids = new URLSearchParams(new URL(page.url()).hash.split('?')[1]).get('ids')!.split(',');
    expect(ids.sort()).toEqual([...sweepRuns].sort());
  });

  it('compares runs side by side', async () => {
    await page.goto(`${server.url}#/compare?ids=${sweepRuns.join(',')}`);
    await page.waitForSelector('[data-testid=training-plot] svg');
    await poll(() => page.locator('[data-testid=sfa-heatmap] canvas').count()).toBe(2);
    expect((await svgChart(page, '[data-testid=training-plot]')).marks).toBeGreaterThan(5);
    // The runs differ in learning rate only: that row is highlighted, N is not.
    await poll(() => page.locator('[data-testid=config-diff] tr.differs[data-field=learning_rate]').count()).toBe(1);
    expect(await page.locator('[data-testid=config-diff] tr.differs[data-field=N]').count()).toBe(0);
    await shot(page, 'compare');
  });

  it('shows a sweep: scale, table, plots and SFA heat maps', async () => {
    await page.goto(`${server.url}#/sweeps`);
    await poll(() => page.locator('[data-testid=sweeps-table] tbody tr[data-name]').count()).toBe(3);
    await shot(page, 'sweeps');
    await page.click('[data-testid=sweeps-table] a[href="#/sweeps/s"]');
    await page.waitForURL(/#\/sweeps\/s$/);
    const started = Date.now();
    await poll(() => page.locator('[data-testid=sweep-scale]').textContent()).toContain('batch 2^5, 2^8 steps');
    const plots = ['training-plot', 'mono-vs-sweep', 'loss-vs-mono', 'bias-plot', 'amplitude-response'];
    for (const id of plots) await page.waitForSelector(`[data-testid=${id}] svg`);
    await poll(() => page.locator('[data-testid=sfa-heatmap] canvas').count()).toBe(2);
    const drawnIn = Date.now() - started;
    expect(await page.locator('[data-testid=sweep-table] tbody tr').count()).toBe(2);
    for (const id of plots) expect((await svgChart(page, `[data-testid=${id}]`)).marks, id).toBeGreaterThan(5);
    // The caption gives the configuration, seeds, threads and engine, criterion and loss.
    expect(await page.locator('[data-testid=sweep-caption]').textContent()).toMatch(
      /N=64, m=16, k=128.*Seed 0.*1 ORT thread a run, ONNX graphs on cpu.*> 0\.999.*summed over the outputs/,
    );
    // The heat map canvas is not blank: many different colours.
    const heat = await canvasPixels(page, '[data-testid=sfa-heatmap]');
    expect(heat.colours).toBeGreaterThan(20);
    console.log(`sweep page (2 runs, k=128) drawn in ${drawnIn} ms`);
    await shot(page, 'sweep');

    // Unpicking a run removes its heat map.
    await page.locator('[data-testid=sweep-table] tbody tr').first().locator('input[type=checkbox]').uncheck();
    await poll(() => page.locator('[data-testid=sfa-heatmap]').count()).toBe(1);

    // A two-variable sweep has the grid heat map; its unreadable run is named, the rest drawn.
    await page.goto(`${server.url}#/sweeps/g`);
    await page.waitForSelector('[data-testid=grid-heatmap] svg');
    expect((await svgChart(page, '[data-testid=grid-heatmap]')).marks).toBeGreaterThan(3);
    await page.waitForSelector('[data-testid=training-plot] svg');
    await shot(page, 'sweep-grid');
  });

  it('draws a diverged and a never-learned run as the report does', async () => {
    await page.goto(`${server.url}#/sweeps/w`);
    const figures: Record<string, string> = {
      'training-plot': 'training',
      'mono-vs-sweep': 'mono-vs-sweep',
      'loss-vs-mono': 'loss-vs-mono',
      'bias-plot': 'biases',
    };
    for (const id of Object.keys(figures)) await page.waitForSelector(`[data-testid=${id}] svg`);
    await poll(() => page.locator('[data-testid=sweep-table] tbody tr.row-diverged').count()).toBe(1);
    await shot(page, 'sweep-diverged');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'toymodels-report-'));
    try {
      await run(process.execPath, [CLI, 'report', 'w', '--store', store, '--out', out]);
      for (const [id, file] of Object.entries(figures)) {
        const page_ = runMarks((await svgChart(page, `[data-testid=${id}]`)).svg);
        const report = runMarks(fs.readFileSync(path.join(out, `${file}.svg`), 'utf8'));
        expect(page_, id).toEqual(report);
        // The final-value figures leave the diverged run out and say so; the others draw it dashed.
        if (id === 'mono-vs-sweep' || id === 'loss-vs-mono')
          expect(report.notes.join(' '), id).toMatch(/1 diverged run/);
        else expect(report.dashed, id).toBeGreaterThan(0);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('shows a run: loss curve, configuration, and a snapshot slider that redraws the heat map', async () => {
    const id = sweepRuns[1]!;
    await page.goto(`${server.url}#/runs/${id}`);
    await page.waitForSelector('[data-testid=training-plot] svg');
    await page.waitForSelector('[data-testid=sfa-heatmap] canvas');
    expect((await svgChart(page, '[data-testid=training-plot]')).marks).toBeGreaterThan(5);
    await page.waitForSelector('[data-testid=amplitude-response] svg');
    expect(await page.locator('[data-testid=config-table]').textContent()).toContain('learning_rate');
    const slider = page.locator('[data-testid=snapshot-slider]');
    // 2^8 steps: snapshots after steps 0, 1, 3, ..., 255; the slider starts at the last.
    expect(await slider.getAttribute('max')).toBe('8');
    await poll(() => page.locator('[data-testid=snapshot-label]').textContent()).toContain('step 255');
    await poll(() => page.locator('[data-testid=sfa-heatmap]').getAttribute('data-step')).toBe('255');
    const before = await canvasPixels(page, '[data-testid=sfa-heatmap]');
    expect(before.colours).toBeGreaterThan(20);
    await shot(page, 'run');

    // Keyboard: Home goes to the first snapshot (step 0).
    await slider.focus();
    await page.keyboard.press('Home');
    await poll(() => page.locator('[data-testid=snapshot-label]').textContent()).toContain('step 0');
    await poll(() => page.locator('[data-testid=sfa-heatmap]').getAttribute('data-step')).toBe('0');
    const first = await canvasPixels(page, '[data-testid=sfa-heatmap]');
    expect(first.hash).not.toBe(before.hash);
    // fill() moves it too: index 5 is step 31; the metrics follow.
    await slider.fill('5');
    await poll(() => page.locator('[data-testid=sfa-heatmap]').getAttribute('data-step')).toBe('31');
    expect((await canvasPixels(page, '[data-testid=sfa-heatmap]')).hash).not.toBe(first.hash);
    await poll(() => page.locator('[data-testid=snapshot-metrics]').textContent()).toContain('31');
    expect(page.url()).toContain('step=31');

    // Hover: the read-out names the neuron and feature (original indices) and the activation.
    const snap = await api<{ neurons: number[]; features: number[]; sfa: { rows: number; cols: number } }>(
      `runs/${id}/snapshots/31`,
    );
    const box = (await page.locator('[data-testid=sfa-heatmap] canvas').boundingBox())!;
    const readout = page.locator('[data-testid=heatmap-hover]');
    const rowsSeen: number[] = [];
    for (const fx of [0.3, 0.5, 0.6]) {
      await page.mouse.move(box.x + box.width * fx, box.y + box.height * 0.5);
      await poll(() => readout.textContent()).toMatch(
        /neuron \d+ \(row \d+\) · feature \d+ \(column \d+\) · activation -?[\d.e-]+/,
      );
      const text = (await readout.textContent())!;
      const [, neuron, row, feature, col] = text
        .match(/neuron (\d+) \(row (\d+)\) · feature (\d+) \(column (\d+)\)/)!
        .map(Number) as number[];
      expect(snap.neurons[row!]).toBe(neuron);
      expect(snap.features[col!]).toBe(feature);
      rowsSeen.push(row!);
    }
    // Further right is a later row.
    expect(rowsSeen[0]!).toBeLessThan(rowsSeen[1]!);
    expect(rowsSeen[1]!).toBeLessThan(rowsSeen[2]!);
    await shot(page, 'run-hover');
    await page.mouse.move(0, 0);
  });

  it('names a corrupt run and keeps the rest working', async () => {
    await page.goto(`${server.url}#/runs/${brokenRun}`);
    await poll(() => page.locator('[data-testid=run-error]').textContent()).toMatch(/\S/);
    expect(await page.locator('[data-testid=config-table]').textContent()).toContain('initial_bias');
    await shot(page, 'run-error');
    await page.goto(`${server.url}#/runs`);
    await poll(() => page.locator('[data-testid=runs-table] tbody tr[data-id]').count()).toBe(8);
  });

  it('shows the catalogue with the command for each batch', async () => {
    await page.goto(`${server.url}#/catalogue`);
    const rows = page.locator('[data-testid=catalogue-table] tbody tr[data-batch]');
    await poll(() => rows.count()).toBeGreaterThanOrEqual(20);
    const lr1 = page.locator('[data-testid=catalogue-table] tr[data-batch=LR1]');
    expect(await lr1.locator('td.command code').textContent()).toContain('toymodels batch LR1');
    expect(await lr1.textContent()).toContain('no results');
    await shot(page, 'catalogue');
  });

  it('shows a run started while the page is open, without a reload', async () => {
    await page.goto(`${server.url}#/runs`);
    const rows = page.locator('[data-testid=runs-table] tbody tr[data-id]');
    await poll(() => rows.count()).toBe(8);
    await poll(() => page.locator('[data-testid=live]').getAttribute('data-state')).toBe('on');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    // A small model for 2^15 steps: a few seconds of training, progress stored once a second.
    const training = run(process.execPath, [
      CLI,
      'train',
      '--N',
      '32',
      '--m',
      '8',
      '--k',
      '32',
      '--log2_batch_size',
      '4',
      '--log2_training_steps',
      '15',
      '--threads',
      '1',
      '--store',
      store,
    ]);
    try {
      await poll(() => rows.count()).toBe(9);
      const live = page.locator('[data-testid=runs-table] tbody tr.row-running');
      // It shows as running with a progress bar (unless it finished between two polls).
      const sawRunning = await live
        .locator('[data-testid=progress]')
        .waitFor({ timeout: 15_000 })
        .then(() => true)
        .catch(() => false);
      if (sawRunning) await shot(page, 'runs-live');
      else console.warn('the new run finished before the page showed it running');
    } finally {
      await training;
    }
    // It finishes: the row updates to finished, with its final loss, still without a reload.
    await poll(() => page.locator('[data-testid=runs-table] tbody tr.row-finished').count()).toBe(8);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
