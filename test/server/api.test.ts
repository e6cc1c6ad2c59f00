// The dashboard's JSON API over a small store made with the CLI: every endpoint, bad identifiers,
// a corrupt run, a store left untouched, and live events.
import { cpSync, existsSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heatmapOrder, reorder, runSeries, singleFeatureActivations } from '../../src/analysis/index.js';
import { createApp, createDashboard } from '../../src/server/app.js';
import { readRunFolder } from '../../src/store/run-folder.js';
import { RunStore } from '../../src/store/run-store.js';
import { buildSweepData } from '../../src/report/sweep-data.js';
import { findBatch } from '../../src/sweep/catalogue.js';
import { batchSpec } from '../../src/sweep/spec.js';
import { resolveScale, scaleLabel } from '../../src/sweep/scale.js';
import { tempDir, toymodels } from '../cli/cli.js';
import { TINY, json, listing, makeWebRoot } from './helpers.js';

const STEPS = [0, 1, 3, 7, 15, 31, 63];

let store: string;
let sweepIds: string[];
let soloId: string;
const { webRoot } = makeWebRoot();

beforeAll(() => {
  store = tempDir();
  const sweep = toymodels([
    'sweep',
    ...TINY,
    '--sweep_var',
    'learning_rate',
    '--sweep_values',
    '0.01',
    '0.03',
    '--name',
    'lr',
    '--store',
    store,
    '--json',
  ]);
  expect(sweep.code, sweep.stderr).toBe(0);
  sweepIds = JSON.parse(sweep.stdout).runs.map((r: { id: string }) => r.id);
  const solo = toymodels([
    'train',
    ...TINY.filter((a) => a !== '--scale' && a !== 'smoke'),
    '--log2_batch_size',
    '5',
    '--log2_training_steps',
    '6',
    '--store',
    store,
    '--json',
  ]);
  expect(solo.code, solo.stderr).toBe(0);
  soloId = JSON.parse(solo.stdout).id;
});

const get = async (app: ReturnType<typeof createApp>, url: string) => {
  const res = await app.request(url);
  return { status: res.status, body: await json(res) };
};

const decode = (data: string) => {
  const bytes = Buffer.from(data, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
};

describe('the dashboard API', () => {
  let dashboard: ReturnType<typeof createDashboard>;
  let app: ReturnType<typeof createApp>;
  beforeAll(() => {
    dashboard = createDashboard({ storeDir: store, webRoot });
    app = dashboard.app;
  });
  afterAll(() => dashboard.close());

  it('GET /api/runs lists every run with its sweeps and the store', async () => {
    const { status, body } = await get(app, '/api/runs');
    expect(status).toBe(200);
    expect(body.store).toEqual({ dir: path.resolve(store), exists: true, message: null });
    // Oldest first: the sweep's runs (trained in parallel, in either order), then the solo run.
    const ids = body.runs.map((r: { id: string }) => r.id);
    expect(ids.slice(0, 2).sort()).toEqual([...sweepIds].sort());
    expect(ids[2]).toBe(soloId);
    const first = body.runs.find((r: { id: string }) => r.id === sweepIds[0]);
    expect(first).toMatchObject({
      status: 'finished',
      config: { N: 32, m: 8, k: 64, learning_rate: 0.01, task: 'decoder' },
      sweeps: ['lr'],
    });
    expect(first.final).toMatchObject({ status: 'finished' });
    expect(typeof first.final.data_loss).toBe('number');
    expect(first.progress).toMatchObject({ step: 64, steps: 64 });
    expect(body.runs[2].sweeps).toEqual([]);
  });

  it('GET /api/runs/:id gives the losses, snapshot steps and series', async () => {
    const { status, body } = await get(app, `/api/runs/${soloId}`);
    expect(status).toBe(200);
    expect(body.error).toBeUndefined();
    expect(body.run.id).toBe(soloId);
    expect(body.sweeps).toEqual([]);
    expect(body.losses.every).toBe(16);
    expect(body.losses.steps).toEqual([0, 16, 32, 48]);
    expect(body.snapshots).toEqual(STEPS);
    expect(body.series.map((p: { step: number }) => p.step)).toEqual(STEPS);
    // Every measure of the analysis API's series, passed through as it is.
    const { series } = await runSeries(readRunFolder(path.join(store, soloId), soloId), { threads: 1 });
    expect(body.series).toEqual(JSON.parse(JSON.stringify(series)));
    expect(body.series[6].log2_step).toBe(6);
    // N eps / 3: the loss of a model that outputs zero (TINY: N=32, eps=1/64).
    expect(body.zero_output_loss).toBeCloseTo(32 / 64 / 3, 12);
    const swept = await get(app, `/api/runs/${sweepIds[1]}`);
    expect(swept.body.sweeps).toEqual(['lr']);
  });

  it('GET /api/runs/:id/snapshots/:step gives the heat map in heat-map order, as the analysis API does', async () => {
    const { status, body } = await get(app, `/api/runs/${soloId}/snapshots/15`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ step: 15, log2_step: 4, k: 64, N: 32, sfa: { rows: 64, cols: 32 } });
    expect(body.biases).toHaveLength(64);
    expect([...body.neurons].sort((a: number, b: number) => a - b)).toEqual([...Array(64).keys()]);
    expect([...body.features].sort((a: number, b: number) => a - b)).toEqual([...Array(32).keys()]);

    const run = readRunFolder(path.join(store, soloId), soloId);
    const snapshot = run.snapshots.find((s) => s.step === 15)!;
    const { sfa } = await singleFeatureActivations(run.config, snapshot, run.embeddings.E);
    const order = heatmapOrder(sfa);
    expect(body.neurons).toEqual([...order.neurons]);
    expect(body.features).toEqual([...order.features]);
    expect([...decode(body.sfa.data)]).toEqual([...reorder(sfa, order.neurons, order.features).data]);
    expect(body.biases).toEqual([...order.neurons].map((n) => snapshot.b1[n]));

    const detail = await get(app, `/api/runs/${soloId}`);
    const { log2_step: _l, step: _s, ...metrics } = detail.body.series[4];
    expect(body.metrics).toEqual(metrics);
    // Cached: the same answer again.
    expect((await get(app, `/api/runs/${soloId}/snapshots/15`)).body).toEqual(body);
  });

  it('GET /api/sweeps lists sweeps with their scale and counts', async () => {
    const { status, body } = await get(app, '/api/sweeps');
    expect(status).toBe(200);
    expect(body.sweeps).toEqual([
      {
        name: 'lr',
        batch: null,
        scale: 'smoke (batch 2^5, 2^6 steps)',
        created_at: expect.any(String),
        variables: [{ field: 'learning_rate', values: [0.01, 0.03] }],
        total: 2,
        finished: 2,
        diverged: 0,
        running: 0,
      },
    ]);
  });

  it('GET /api/sweeps/:name gives points and the sweep data, the same the report builds', async () => {
    const t0 = performance.now();
    const { status, body } = await get(app, '/api/sweeps/lr');
    const cold = performance.now() - t0;
    expect(status).toBe(200);
    expect(body).toMatchObject({
      name: 'lr',
      batch: null,
      scale: 'smoke (batch 2^5, 2^6 steps)',
      fixed: { N: 32, m: 8, k: 64 },
      errors: [],
    });
    expect(
      body.points.map((p: { point: number; values: object; run: { id: string } }) => [p.point, p.values, p.run.id]),
    ).toEqual([
      [0, { learning_rate: 0.01 }, sweepIds[0]],
      [1, { learning_rate: 0.03 }, sweepIds[1]],
    ]);
    expect(body.runs.map((r: { id: string; values: object; status: string }) => [r.id, r.values, r.status])).toEqual([
      [sweepIds[0], { learning_rate: 0.01 }, 'finished'],
      [sweepIds[1], { learning_rate: 0.03 }, 'finished'],
    ]);
    expect(body.runs[0].series.map((p: { step: number }) => p.step)).toEqual(STEPS);
    expect(body.runs[0].losses.steps).toEqual([0, 16, 32, 48]);
    expect(body.runs.map((r: { biases: number[] }) => r.biases.length)).toEqual([64, 64]);
    // One definition of a sweep's figure data: the report's, read from the same store, is equal.
    const reading = new RunStore(store);
    try {
      const { data } = await buildSweepData(reading, reading.getSweep('lr')!);
      expect(body.runs).toEqual(JSON.parse(JSON.stringify(data.runs)));
      expect(
        body.points.map((p: { point: number; values: object; run: { status: string } }) => ({
          point: p.point,
          values: p.values,
          status: p.run.status,
        })),
      ).toEqual(data.points);
    } finally {
      reading.close();
    }
    // The final snapshot's heat map was analysed with the series: it matches the snapshot endpoint.
    const final = await get(app, `/api/runs/${sweepIds[1]}/snapshots/63`);
    expect(final.body.biases).toEqual(body.runs[1].biases);
    const t1 = performance.now();
    expect((await get(app, '/api/sweeps/lr')).body).toEqual(body);
    expect(performance.now() - t1).toBeLessThan(Math.max(cold, 200));
  });

  it('GET /api/catalogue gives Table 1 with the command for each batch', async () => {
    const { status, body } = await get(app, '/api/catalogue');
    expect(status).toBe(200);
    expect(body.batches).toHaveLength(21);
    expect(body.batches[0]).toEqual({
      name: 'LR1',
      fixed: expect.objectContaining({ N: 512, m: 64, k: 1024, task: 'decoder' }),
      swept: { learning_rate: [0.001, 0.003, 0.005, 0.007, 0.01, 0.03] },
      sweeps: [],
      command: 'npx toymodels batch LR1 --scale laptop',
    });
    expect(body.batches.find((b: { name: string }) => b.name === 'B3-GeLU').swept).toMatchObject({
      learning_rate: expect.any(Array),
      initial_bias: expect.any(Array),
    });
  });

  it('refuses malformed identifiers and parameters with 400 and a message, unknown ones with 404', async () => {
    const cases: [string, number, RegExp][] = [
      ['/api/runs/nope', 400, /is not a run id/],
      ['/api/runs/20261126-150102-ZZZZZZ', 400, /is not a run id/],
      ['/api/runs/..%2f..%2fpackage.json', 400, /is not a run id/],
      ['/api/runs/%2Fetc%2Fpasswd', 400, /is not a run id/],
      ['/api/runs/20991231-235959-abcdef', 404, /no run 20991231-235959-abcdef/],
      [`/api/runs/${soloId}/snapshots/-1`, 400, /not a snapshot step/],
      [`/api/runs/${soloId}/snapshots/1.5`, 400, /not a snapshot step/],
      [`/api/runs/${soloId}/snapshots/abc`, 400, /not a snapshot step/],
      [`/api/runs/${soloId}/snapshots/1e3`, 400, /not a snapshot step/],
      [`/api/runs/${soloId}/snapshots/99999999999999999999`, 400, /not a snapshot step/],
      [
        `/api/runs/${soloId}/snapshots/2`,
        404,
        /has no snapshot 2; its snapshots are after steps 0, 1, 3, 7, 15, 31, 63/,
      ],
      ['/api/runs/bad/snapshots/0', 400, /is not a run id/],
      [`/api/sweeps/${'x'.repeat(101)}`, 400, /is not a sweep name/],
      ['/api/sweeps/a%20b', 400, /is not a sweep name/],
      ['/api/sweeps/..%2f..', 400, /is not a sweep name/],
      ['/api/sweeps/nosuch', 404, /no sweep nosuch .*sweeps there: lr/],
      ['/api/nothing', 404, /no API endpoint/],
      ['/api/runs/', 404, /no API endpoint/],
      [`/api/runs/${soloId}/files`, 404, /no API endpoint/],
    ];
    for (const [url, status, message] of cases) {
      const res = await get(app, url);
      expect(res.status, url).toBe(status);
      expect(res.body.error, url).toMatch(message);
      expect(res.body.error, url).not.toContain('\n');
    }
  });

  it('never writes to the store: its files and mtimes are the same after a burst of requests', async () => {
    const before = listing(store);
    const urls = [
      '/api/runs',
      '/api/sweeps',
      '/api/sweeps/lr',
      '/api/catalogue',
      '/api/runs/nope',
      '/api/sweeps/nosuch',
      '/',
    ];
    for (const id of [...sweepIds, soloId]) {
      urls.push(`/api/runs/${id}`, `/api/runs/${id}/snapshots/99`);
      for (const step of STEPS) urls.push(`/api/runs/${id}/snapshots/${step}`);
    }
    const fresh = createApp({ storeDir: store, webRoot });
    await Promise.all(urls.map((u) => fresh.request(u).then((r) => r.arrayBuffer())));
    for (const u of urls) await (await fresh.request(u)).arrayBuffer();
    const events = await fresh.request('/api/events');
    const reader = events.body!.getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 1200));
    await reader.cancel();
    expect(listing(store)).toEqual(before);
  });

  it('serves an empty store when the directory does not exist, without creating it', async () => {
    const missing = path.join(tempDir(), 'runs');
    const empty = createApp({ storeDir: missing, webRoot });
    const runs = await get(empty, '/api/runs');
    expect(runs.status).toBe(200);
    expect(runs.body.runs).toEqual([]);
    expect(runs.body.store).toMatchObject({ exists: false, message: expect.stringMatching(/no run store at/) });
    expect((await get(empty, '/api/sweeps')).body.sweeps).toEqual([]);
    expect((await get(empty, '/api/catalogue')).body.batches[0].sweeps).toEqual([]);
    expect((await get(empty, `/api/runs/${soloId}`)).status).toBe(404);
    expect((await get(empty, '/api/sweeps/lr')).status).toBe(404);
    expect(existsSync(missing)).toBe(false);
  });
});

describe('a corrupt run', () => {
  it('gives an error for that run only; the rest keeps working', async () => {
    const copy = tempDir();
    cpSync(store, copy, { recursive: true });
    const app = createApp({ storeDir: copy, webRoot });
    // Analysed (and cached) while intact; the cache notices the files changing.
    expect((await get(app, `/api/runs/${sweepIds[0]}`)).body.error).toBeUndefined();
    truncateSync(path.join(copy, sweepIds[0]!, 'tensors.safetensors'), 100);
    writeFileSync(path.join(copy, soloId, 'config.json'), '{"N": 3');

    const runs = await get(app, '/api/runs');
    expect(runs.status).toBe(200);
    expect(runs.body.runs).toHaveLength(3);

    const broken = await get(app, `/api/runs/${sweepIds[0]}`);
    expect(broken.status).toBe(200);
    expect(broken.body).toMatchObject({ run: { id: sweepIds[0] }, losses: null, series: null, snapshots: [] });
    expect(broken.body.error).toMatch(/tensors\.safetensors is corrupt/);
    expect(broken.body.error).not.toContain('\n');
    const badConfig = await get(app, `/api/runs/${soloId}`);
    expect(badConfig.body.error).toMatch(/config\.json is corrupt/);

    const snapshot = await get(app, `/api/runs/${sweepIds[0]}/snapshots/63`);
    expect(snapshot.status).toBe(500);
    expect(snapshot.body.error).toMatch(/tensors\.safetensors is corrupt/);

    const sweep = await get(app, '/api/sweeps/lr');
    expect(sweep.status).toBe(200);
    expect(sweep.body.errors).toEqual([{ id: sweepIds[0], point: 0, error: expect.stringMatching(/corrupt/) }]);
    expect(sweep.body.runs.map((s: { id: string }) => s.id)).toEqual([sweepIds[1]]);
    expect((await get(app, `/api/runs/${sweepIds[1]}`)).body.error).toBeUndefined();

    // A finished run whose folder is gone.
    const { rmSync } = await import('node:fs');
    rmSync(path.join(copy, sweepIds[1]!), { recursive: true });
    const gone = await get(app, `/api/runs/${sweepIds[1]}`);
    expect(gone.status).toBe(200);
    expect(gone.body.error).toMatch(/folder .* is missing/);
  });
});

describe('GET /api/events', () => {
  it('sends a change event when a run starts and reports progress', async () => {
    const copy = tempDir();
    cpSync(store, copy, { recursive: true });
    const dashboard = createDashboard({ storeDir: copy, webRoot, pollMs: 100 });
    const res = await dashboard.app.request('/api/events');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
    const until = async (pattern: RegExp, ms = 5000): Promise<RegExpMatchArray> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const m = text.match(pattern);
        if (m) return m;
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${ms} ms; got ${JSON.stringify(text)}`);
        pending ??= reader.read();
        const chunk = await Promise.race([pending, new Promise<null>((r) => setTimeout(() => r(null), 200))]);
        if (chunk) {
          pending = null;
          if (!chunk.done) text += decoder.decode(chunk.value, { stream: true });
        }
      }
    };
    /** Change events until one names run `id`; returns them all. */
    const changesUntil = async (id: string) => {
      const events: { runs: { id: string }[]; sweeps: string[] }[] = [];
      for (;;) {
        const m = await until(/event: change\ndata: (.*)\n\n/);
        text = text.slice(m.index! + m[0].length);
        events.push(JSON.parse(m[1]!));
        if (events.at(-1)!.runs.some((r) => r.id === id)) return events;
      }
    };
    await until(/: connected/);

    const writer = new RunStore(copy);
    try {
      const config = readRunFolder(path.join(copy, soloId), soloId).config;
      const lr = writer.getSweep('lr')!;
      writer.saveSweep({ name: 'live', spec: { ...lr.spec, name: 'live' }, scale: lr.scale });
      const batch = batchSpec(findBatch('LR1')!, resolveScale('smoke', {}), {}, []);
      writer.saveSweep({ name: batch.name, spec: batch, scale: scaleLabel(batch.scale) });
      const id = writer.startRun(config, { sweep: 'live', point: 0 });
      const first = await changesUntil(id);
      expect(first.at(-1)!.runs).toEqual([{ id, status: 'running', progress: null, final: null }]);
      expect(new Set(first.flatMap((e) => e.sweeps))).toEqual(new Set(['live', 'LR1-smoke']));

      writer.reportProgress(id, { step: 16, steps: 64, loss: 0.5 });
      const second = (await changesUntil(id)).at(-1)!;
      expect(second).toEqual({
        runs: [
          { id, status: 'running', progress: { step: 16, steps: 64, loss: 0.5, at: expect.any(String) }, final: null },
        ],
        sweeps: ['live'],
      });

      // The running run shows in the API while the writer holds the index open.
      const runs = await get(dashboard.app, '/api/runs');
      expect(runs.body.runs.find((r: { id: string }) => r.id === id)).toMatchObject({
        status: 'running',
        progress: { step: 16 },
        sweeps: ['live'],
      });
      const detail = await get(dashboard.app, `/api/runs/${id}`);
      expect(detail.body).toMatchObject({ losses: null, series: null, snapshots: [] });
      expect(detail.body.error).toBeUndefined();
      const snapshot = await get(dashboard.app, `/api/runs/${id}/snapshots/0`);
      expect(snapshot.status).toBe(404);
      expect(snapshot.body.error).toMatch(/is running: it has no stored snapshots yet/);
      const sweeps = await get(dashboard.app, '/api/sweeps');
      expect(
        sweeps.body.sweeps.map((x: { name: string; total: number; finished: number; running: number }) => [
          x.name,
          x.total,
          x.finished,
          x.running,
        ]),
      ).toEqual([
        ['lr', 2, 2, 0],
        ['live', 2, 0, 1],
        ['LR1-smoke', 6, 0, 0],
      ]);
      const live = await get(dashboard.app, '/api/sweeps/live');
      expect(live.body.points.map((p: { run: { id: string } | null }) => p.run?.id ?? null)).toEqual([id, null]);
      expect(live.body.runs).toEqual([]);
      const catalogue = await get(dashboard.app, '/api/catalogue');
      expect(catalogue.body.batches[0].sweeps).toEqual([
        { name: 'LR1-smoke', scale: 'smoke (batch 2^5, 2^6 steps)', total: 6, finished: 0 },
      ]);
    } finally {
      await reader.cancel();
      writer.close();
      await dashboard.close();
    }
  });

  it('sends heartbeat comments', async () => {
    const dashboard = createDashboard({ storeDir: store, webRoot, pollMs: 100, heartbeatMs: 100 });
    const res = await dashboard.app.request('/api/events');
    const reader = res.body!.getReader();
    let text = '';
    const deadline = Date.now() + 3000;
    while (!text.includes(': heartbeat') && Date.now() < deadline)
      text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    await dashboard.close();
    expect(text).toContain(': heartbeat\n\n');
  });
});
