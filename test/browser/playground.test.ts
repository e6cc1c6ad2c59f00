// The playground in headless Chromium, on both of its engines: the ONNX step graphs on
// onnxruntime-web's WebAssembly (served by `toymodels serve`, cross-origin isolated, so with
// threads; and from the static build of `npm run build:playground` on a plain file server, with
// one), and our WGSL kernels on WebGPU through SwiftShader. Checks the page's contract
// (`#/playground?...&autostart=1` starts at once; #playground-status carries data-state,
// data-step, data-loss and data-engine), that a bad value gets its message and starts nothing, pause
// and resume, two configurations side by side, and that a run downloaded from the page and brought
// in with `toymodels import` equals `toymodels train` with the same seed, to float32 rounding.
import { execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, HAS_CHROMIUM, launchChromium, ROOT, startServer } from '../../bench/browser.js';

const run = promisify(execFile);
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
/** The example address: N=64, m=16, k=128, batch 2^6, 2^9 steps. */
const CONTRACT = 'N=64&m=16&k=128&log2_batch_size=6&log2_training_steps=9&learning_rate=0.03&seed=1&autostart=1';

interface Status {
  state?: string;
  step?: string;
  loss?: string;
  engine?: string;
}

const status = (page: Page): Promise<Status> =>
  page.evaluate(() => ({ ...(document.getElementById('playground-status')?.dataset ?? {}) }));

/** Waits for the page to reach `state`; a long wait on this loaded 2-core machine is expected. */
async function waitFor(page: Page, state: string, timeout = 120_000): Promise<Status> {
  await page.waitForFunction(
    (s) => ['finished', 'failed', s].includes(document.getElementById('playground-status')?.dataset.state ?? ''),
    state,
    { timeout, polling: 200 },
  );
  const s = await status(page);
  expect(s.state, JSON.stringify(s)).toBe(state);
  return s;
}

/** A static file server for a folder, like any static host: no special headers. */
function staticServer(dir: string): Promise<{ server: http.Server; url: string }> {
  const types: Record<string, string> = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.wasm': 'application/wasm',
    '.css': 'text/css',
  };
  const server = http.createServer((req, res) => {
    const file = path.join(
      dir,
      decodeURIComponent(new URL(req.url!, 'http://x').pathname).replace(/^\/$/, '/index.html'),
    );
    if (!file.startsWith(dir) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` }),
    ),
  );
}

describe.skipIf(!HAS_CHROMIUM)('the playground in headless Chromium', () => {
  let store: string;
  let server: { proc: ChildProcess; url: string };
  let browser: Browser;
  const pageErrors: string[] = [];

  const open = async (query: string, b = browser): Promise<Page> => {
    const page = await b.newPage({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}#/playground?${query}`);
    return page;
  };

  beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'dist/web/index.html')))
      throw new Error('dist/web is not built: run `npm run build` (npm test builds it in pretest)');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    store = fs.mkdtempSync(path.join(os.tmpdir(), 'toymodels-playground-'));
    server = await startServer(store);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.proc.kill();
    if (store) fs.rmSync(store, { recursive: true, force: true });
  });

  it('the contract address trains on WebAssembly at once; the downloaded run equals `toymodels train`', async () => {
    // One WebAssembly thread and one ORT thread in Node: the same sums in the same order.
    const page = await open(`${CONTRACT}&engine=wasm&threads=1`);
    expect((await status(page)).state).not.toBe('idle');
    const done = await waitFor(page, 'finished');
    expect(done).toMatchObject({ engine: 'wasm', step: '512' });
    expect(Number(done.loss)).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground-wasm.png'), fullPage: true });

    // The four files, as a person downloads them, then into a store with `toymodels import`.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toymodels-download-'));
    const downloads: Promise<void>[] = [];
    page.on('download', (d) => downloads.push(d.saveAs(path.join(dir, d.suggestedFilename()))));
    await page.getByTestId('download-A').click();
    await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(4);
    await Promise.all(downloads);
    const files = fs.readdirSync(dir).sort();
    expect(files.map((f) => f.replace(/^\d{8}-\d{6}-[0-9a-f]{6}\./, ''))).toEqual([
      'config.json',
      'losses.json',
      'summary.json',
      'tensors.safetensors',
    ]);
    const imported = path.join(dir, 'store');
    await run(process.execPath, [CLI, 'import', ...files.map((f) => path.join(dir, f)), '--store', imported]);
    const id = files[0]!.slice(0, 22);
    const config = JSON.parse(fs.readFileSync(path.join(imported, id, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ N: 64, m: 16, k: 128, seed: 1, learning_rate: 0.03, engine: 'ort', device: 'cpu' });

    // The same configuration in Node.
    const cli = path.join(dir, 'cli');
    await run(process.execPath, [
      CLI,
      'train',
      ...['--N', '64', '--m', '16', '--k', '128', '--log2_batch_size', '6', '--log2_training_steps', '9'],
      ...['--learning_rate', '0.03', '--seed', '1', '--initial_bias', '0', '--decay', '0'],
      ...['--threads', String(config.threads), '--store', cli],
    ]);
    const cliId = fs.readdirSync(cli).find((f) => /^\d{8}-/.test(f))!;
    const lossesOf = (folder: string) => JSON.parse(fs.readFileSync(path.join(folder, 'losses.json'), 'utf8'));
    const web = lossesOf(path.join(imported, id));
    const node = lossesOf(path.join(cli, cliId));
    expect(web.steps).toEqual(node.steps);
    // WebAssembly's SIMD kernels and the native ones round differently: the first records agree to
    // float32 rounding, and over 512 steps the differences grow but stay small (0.6% seen).
    const rel = web.loss.map((l: number, i: number) => Math.abs(l - node.loss[i]) / Math.abs(node.loss[i]));
    expect(Math.max(...rel.slice(0, 6))).toBeLessThan(1e-6);
    expect(Math.max(...rel)).toBeLessThan(0.03);
    const summary = (folder: string) => JSON.parse(fs.readFileSync(path.join(folder, 'summary.json'), 'utf8'));
    const [a, b] = [summary(path.join(imported, id)), summary(path.join(cli, cliId))];
    expect(Math.abs(a.data_loss_last64 - b.data_loss_last64) / b.data_loss_last64).toBeLessThan(0.01);
    expect(Math.abs(a.monosemantic_neurons - b.monosemantic_neurons)).toBeLessThanOrEqual(2);
    fs.rmSync(dir, { recursive: true, force: true });
    await page.close();
  }, 240_000);

  it('a bad value in the address gets its message next to the field and nothing starts', async () => {
    const page = await open('N=abc&k=-3&engine=cuda&autostart=1');
    await page.waitForTimeout(1000);
    expect(await status(page)).toMatchObject({ state: 'invalid', step: '0' });
    expect(await page.locator('[data-error-for="A.N"]').textContent()).toContain('"abc" is not a number');
    expect(await page.locator('[data-error-for="A.k"]').textContent()).toContain('must be a positive integer');
    expect(await page.locator('[data-error-for="engine"]').textContent()).toContain('"cuda" is not an engine');
    expect(await page.locator('[data-error-for="A.m"]').textContent()).toBe('');
    // Pressing Train does not start either.
    await page.locator('#pg-train').click();
    expect((await status(page)).state).toBe('invalid');
    // Mending the fields clears the messages.
    await page.locator('#pg-A-N').fill('64');
    await page.locator('#pg-A-k').fill('128');
    expect(await page.locator('[data-error-for="A.N"]').textContent()).toBe('');
    await page.close();
  }, 60_000);

  it('pauses and resumes; two configurations train side by side', async () => {
    const page = await open(
      `${CONTRACT.replace('log2_training_steps=9', 'log2_training_steps=10')}&engine=wasm&b.learning_rate=0.003`,
    );
    await page.waitForFunction(() => Number(document.getElementById('playground-status')?.dataset.step) >= 64, null, {
      timeout: 60_000,
    });
    await page.locator('#pg-pause').click();
    expect((await status(page)).state).toBe('paused');
    const at = (await status(page)).step;
    await page.waitForTimeout(1500);
    expect((await status(page)).step).toBe(at);
    await page.locator('#pg-pause').click();
    await waitFor(page, 'finished');
    for (const side of ['A', 'B']) {
      const canvas = page.locator(`[data-testid="sfa-heatmap-${side}"] canvas`);
      expect(await canvas.count()).toBe(1);
    }
    // The legend names the swept field with both values.
    const svg = await page.locator('[data-testid="training-plot"] svg').innerHTML();
    expect(svg).toContain('learning rate');
    expect(svg).toContain('0.003');
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground-compare.png'), fullPage: true });
    await page.close();
  }, 240_000);

  it('trains on WebGPU (SwiftShader) with our WGSL kernels', async () => {
    const gpu = await launchChromium({ webgpu: true });
    try {
      const page = await open(
        `${CONTRACT.replace('log2_training_steps=9', 'log2_training_steps=7')}&engine=webgpu`,
        gpu,
      );
      const done = await waitFor(page, 'finished', 180_000);
      expect(done).toMatchObject({ engine: 'webgpu', step: '128' });
      expect(Number(done.loss)).toBeGreaterThan(0);
    } finally {
      await gpu.close();
    }
  }, 240_000);

  it('the static build (npm run build:playground) trains from a plain file server', async () => {
    const dir = path.join(ROOT, 'dist/playground');
    expect(fs.existsSync(path.join(dir, 'index.html')), 'dist/playground is built in pretest').toBe(true);
    const files = await staticServer(dir);
    try {
      const page = await browser.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(`${files.url}#/playground?${CONTRACT.replace('log2_training_steps=9', 'log2_training_steps=7')}`);
      expect(await waitFor(page, 'finished')).toMatchObject({ engine: 'wasm', step: '128' });
      // No adapter without a GPU flag: `auto` fell back to WebAssembly, and the address now says so.
      expect(new URL(page.url()).hash).toContain('engine=wasm');
      await page.close();
    } finally {
      files.server.close();
    }
  }, 180_000);

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
