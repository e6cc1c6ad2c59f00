// `npm run bench:dashboard`: how long the sweep page of a 6-run laptop-shaped sweep (LR1: k=1024,
// N=512, 2^13 steps, so 14 snapshots and 512 losses a run; trained at batch 2^4, which the page
// does not depend on) takes to become interactive in headless Chromium: from navigation until the
// training, mono-vs-sweep and bias plots and the default SFA heat maps are drawn. Cold (fresh
// server) and warm (the same page again).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromium, startServer } from './browser.js';
import { replaceSection } from './report-file.js';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/toymodels.js');
const store = mkdtempSync(path.join(tmpdir(), 'toymodels-dashboard-bench-'));
execFileSync(
  process.execPath,
  [bin, 'batch', 'LR1', '--log2_batch_size', '4', '--log2_training_steps', '13', '--store', store],
  { stdio: 'ignore' },
);

const server = await startServer(store);
const url = server.url;
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
const open = async () => {
  await page.goto('about:blank');
  const start = performance.now();
  await page.goto(`${url}#/sweeps/LR1-b4s13`);
  for (const id of ['training-plot', 'mono-vs-sweep', 'bias-plot'])
    await page.waitForSelector(`[data-testid=${id}] canvas`, { timeout: 60_000 });
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid=sfa-heatmap] canvas').length >= 3,
    undefined,
    { timeout: 60_000 },
  );
  return (performance.now() - start) / 1000;
};
const cold = await open();
const warm = await open();
await browser.close();
server.proc.kill();
rmSync(store, { recursive: true, force: true });
console.log(
  `sweep page of LR1 (6 runs, k=1024, 14 snapshots): ${cold.toFixed(2)} s cold, ${warm.toFixed(2)} s warm (target: interactive within 2 s)`,
);
replaceSection(
  path.join(root, 'docs/benchmarks.md'),
  'bench:dashboard',
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:dashboard\`: the sweep page of LR1 (6 runs, k=1024, N=512, 2^13 steps: 14 snapshots and 512 losses a run, as at laptop scale; trained at batch 2^4, which the page does not depend on) in headless Chromium (1440 x 1000), from navigation until the training, mono-vs-sweep and bias plots and the three default SFA heat maps are drawn: **${cold.toFixed(2)} s** with a fresh server (every run analysed on first request), **${warm.toFixed(2)} s** when the server has analysed them (target: interactive within 2 s).`,
);
