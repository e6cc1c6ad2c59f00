// The playground's speed: the paper's size (N=512, m=64, k=1024, batch 2^10) trained in headless
// Chromium on WebAssembly (served by `toymodels serve`, cross-origin isolated, so with one thread
// per core), beside the Node CPU engine on the same machine in the same run (bench/train-one.ts, in
// a child process, with as many threads). The target: the browser at least 50% of Node.
// Usage: npm run bench:playground [-- <log2 steps, default 7> <rounds, default 2>]
// Then the ceiling: WebAssembly's peak floating-point rate on one thread of the same Chromium
// (bench/wasm-peak.ts), times the threads, over a step's dense work, against the target.
// Prints one table and writes it into docs/benchmarks.md; the npm entry builds first.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchChromium, ROOT, startServer } from './browser.js';
import { replaceSection } from './report-file.js';
import { FLOP_PER_SAMPLE } from './step-profile.js';
import { FLOP_PER_ITERATION, measureWasmPeak, wasmPeakModule } from './wasm-peak.js';

const steps = Number(process.argv[2] ?? 7);
const rounds = Number(process.argv[3] ?? 2);
const threads = os.availableParallelism();
const run = promisify(execFile);
const cfg = { N: 512, m: 64, k: 1024, log2_batch_size: 10, log2_training_steps: steps, learning_rate: 0.03, seed: 0 };

async function nodeRate(): Promise<number> {
  const { stdout } = await run(process.execPath, [
    path.join(ROOT, 'dist/bench/train-one.js'),
    JSON.stringify(cfg),
    String(threads),
  ]);
  return (JSON.parse(stdout) as { samples_per_second: number }).samples_per_second;
}

async function browserRate(url: string): Promise<{ rate: number; threads: string }> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const query = new URLSearchParams({ ...Object.fromEntries(Object.entries(cfg).map(([k, v]) => [k, String(v)])) });
    await page.goto(`${url}#/playground?${query}&engine=wasm&autostart=1`);
    await page.waitForFunction(() => document.getElementById('playground-status')?.dataset.state === 'finished', null, {
      timeout: 600_000,
      polling: 500,
    });
    const status = await page.evaluate(() => ({ ...document.getElementById('playground-status')!.dataset }));
    const text = await page.locator('#playground-status').textContent();
    return { rate: Number(status.samplesPerSecond), threads: /(\d+) threads?/.exec(text ?? '')?.[1] ?? '?' };
  } finally {
    await browser.close();
  }
}

/** GFLOP/s of one thread of headless Chromium, the function run in the page as it is. */
async function browserPeak(): Promise<{ mulAdd: number; fused: number }> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    return await page.evaluate(
      `(${measureWasmPeak.toString()})(${JSON.stringify(wasmPeakModule())}, ${FLOP_PER_ITERATION})`,
    );
  } finally {
    await browser.close();
  }
}

const store = fs.mkdtempSync(path.join(os.tmpdir(), 'toymodels-playground-bench-'));
const server = await startServer(store);
const lines: string[] = [];
try {
  const load = os.loadavg()[0]!.toFixed(2);
  lines.push(
    `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:playground -- ${steps} ${rounds}\` on ${os.cpus()[0]?.model ?? 'a CPU'} (${threads} cores, load ${load} before): N=512, m=64, k=1024, batch 2^10, 2^${steps} steps; the page's own training seconds (loop only), served by \`toymodels serve\` (cross-origin isolated); the Node CPU engine in a child process with ${threads} ORT threads. Target: browser / Node at least 0.5.`,
    '',
    '| round | Node CPU engine (samples/s) | Chromium, WebAssembly (samples/s) | WebAssembly threads | browser / Node |',
    '|---|---|---|---|---|',
  );
  const nodeRates: number[] = [];
  for (let r = 1; r <= rounds; r++) {
    const node = await nodeRate();
    nodeRates.push(node);
    const web = await browserRate(server.url);
    lines.push(
      `| ${r} | ${Math.round(node)} | ${Math.round(web.rate)} | ${web.threads} | ${(web.rate / node).toFixed(2)} |`,
    );
    console.log(lines.at(-1));
  }
  const peak = await browserPeak();
  const node = nodeRates.reduce((a, b) => a + b, 0) / nodeRates.length;
  const ceiling = (gflops: number) => (threads * gflops * 1e9) / FLOP_PER_SAMPLE;
  const share = (gflops: number) =>
    `${Math.round(ceiling(gflops))} samples/s, ${(ceiling(gflops) / node).toFixed(2)} of the Node engine's mean here`;
  lines.push(
    '',
    `The ceiling: WebAssembly's peak in this Chromium, one thread, no memory traffic (\`bench/wasm-peak.ts\`): ${peak.mulAdd.toFixed(1)} GFLOP/s with SIMD128's separate multiply and add, what onnxruntime-web's kernels use, and ${peak.fused.toFixed(1)} with relaxed SIMD's fused multiply-add, which no onnxruntime-web kernel uses. A step does ${(FLOP_PER_SAMPLE / 1e6).toFixed(2)} MFLOP of dense products a sample. With every product at peak on ${threads} threads and everything else free, the page could reach at most ${share(peak.mulAdd)} on onnxruntime-web, and ${share(peak.fused)} with fused kernels of its own (target 0.5).`,
  );
} finally {
  server.proc.kill();
  fs.rmSync(store, { recursive: true, force: true });
}
console.log(lines.join('\n'));
replaceSection(path.join(ROOT, 'docs/benchmarks.md'), 'bench:playground', lines.join('\n'));
