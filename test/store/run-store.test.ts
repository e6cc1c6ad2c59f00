import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { config, record } from './records.js';
import { newRunId } from '../../src/store/run-files.js';
import { decodeSafetensors } from '../../src/store/safetensors.js';
import { RunStore, SCHEMA_VERSION, StoreError } from '../../src/store/run-store.js';

describe('RunStore', () => {
  let dir: string;
  let store: RunStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toymodels-store-'));
    store = new RunStore(dir);
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const entries = () => fs.readdirSync(dir).filter((name) => !name.startsWith('index.sqlite'));

  it('creates a versioned WAL index', () => {
    const db = new Database(path.join(dir, 'index.sqlite'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('records a started run as running, with no folder', () => {
    const c = config();
    const id = store.startRun(c);
    expect(id).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(store.getRun(id)).toEqual({
      id,
      status: 'running',
      created_at: expect.any(String),
      finished_at: null,
      config: c,
      final: null,
      progress: null,
    });
    expect(store.listRuns().map((r) => [r.id, r.status])).toEqual([[id, 'running']]);
    expect(entries()).toEqual([]);
    expect(store.getRun('20000101-000000-000000')).toBeUndefined();
  });

  it('round-trips a finished run through start, finish, list, get and load', () => {
    const rec = record(config());
    const id = store.startRun(rec.config);
    store.finishRun(id, rec);

    const row = store.getRun(id)!;
    expect(row.status).toBe('finished');
    expect(row.final).toEqual(rec.summary);
    expect(Date.parse(row.finished_at!)).toBeGreaterThanOrEqual(Date.parse(row.created_at));
    expect(store.listRuns()).toEqual([row]);

    expect(entries()).toEqual([id]);
    expect(fs.readdirSync(path.join(dir, id)).sort()).toEqual([
      'config.json',
      'losses.json',
      'summary.json',
      'tensors.safetensors',
    ]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, id, 'losses.json'), 'utf8'))).toEqual({
      every: 16,
      steps: [0, 16],
      loss: [0.5, 0.25],
    });
    const file = decodeSafetensors(fs.readFileSync(path.join(dir, id, 'tensors.safetensors')));
    expect(file.metadata).toEqual({ snapshots: '0,1,3,7', format: 'toymodels-run-1' });
    expect(file.tensors['embedding.E']!.shape).toEqual([2, 4]);
    expect(file.tensors['step_7.W1']!.shape).toEqual([3, 2]);
    expect(file.tensors['step_7.b1']!.shape).toEqual([3]);
    expect(file.tensors['step_7.W2']!.shape).toEqual([4, 3]);
    expect(file.tensors['embedding.F']).toBeUndefined();

    expect(store.loadRun(id)).toEqual({ ...rec, id, losses: { every: 16, ...rec.losses } });
  });

  it('stores F and out = m for the re-projector', () => {
    const rec = record(config({ task: 're-projector' }));
    const id = store.startRun(rec.config);
    store.finishRun(id, rec);
    const loaded = store.loadRun(id);
    expect(loaded.embeddings.F).toEqual(rec.embeddings.F);
    expect(loaded.snapshots[0]!.W2.length).toBe(2 * 3);
  });

  it('keeps a diverged run and its NaN metrics', () => {
    const rec = record(config(), { status: 'diverged', diverged_at_step: 5, data_loss: NaN });
    rec.losses = { every: 4, steps: [0, 4], loss: [0.5, NaN] };
    const id = store.startRun(rec.config);
    store.finishRun(id, rec);
    expect(store.getRun(id)!.status).toBe('diverged');
    expect(store.getRun(id)!.final!.data_loss).toBeNaN();
    const loaded = store.loadRun(id);
    expect(loaded.summary.diverged_at_step).toBe(5);
    expect(loaded.summary.data_loss).toBeNaN();
    expect(loaded.losses).toEqual({ every: 4, steps: [0, 4], loss: [0.5, NaN] });
  });

  it('rejects a record that does not match its config, leaving the run running and no folder', () => {
    const rec = record(config());
    const id = store.startRun(rec.config);
    const bad = { ...rec, snapshots: [{ ...rec.snapshots[0]!, W1: new Float32Array(5) }] };
    expect(() => store.finishRun(id, bad)).toThrow(/step_0\.W1 has 5 values, expected 3×2 = 6/);
    expect(() => store.finishRun(id, { ...rec, embeddings: { ...rec.embeddings, F: new Float32Array(8) } })).toThrow(
      StoreError,
    );
    expect(() => store.finishRun(id, { ...rec, losses: { steps: [0], loss: [] } })).toThrow(/1 steps but 0 losses/);
    const reprojector = record(config({ task: 're-projector' }));
    expect(() => store.finishRun(id, { ...reprojector, embeddings: { E: reprojector.embeddings.E } })).toThrow(
      /embedding\.F is missing/,
    );
    expect(store.getRun(id)!.status).toBe('running');
    expect(entries()).toEqual([]);
  });

  it('refuses to finish an unknown or already finished run', () => {
    const rec = record(config());
    expect(() => store.finishRun('20000101-000000-000000', rec)).toThrow(/is not in/);
    const id = store.startRun(rec.config);
    store.finishRun(id, rec);
    expect(() => store.finishRun(id, rec)).toThrow(/already finished/);
  });

  it('leaves a run whose process died as running, with no folder', () => {
    const id = store.startRun(config());
    store.close();
    store = new RunStore(dir);
    expect(store.getRun(id)!.status).toBe('running');
    expect(entries()).toEqual([]);
    expect(() => store.loadRun(id)).toThrow(/no folder/);
  });

  it('lets two stores on one directory both write', () => {
    const other = new RunStore(dir);
    try {
      const a = store.startRun(config({ seed: 1 }));
      const b = other.startRun(config({ seed: 2 }));
      other.finishRun(a, record(config({ seed: 1 })));
      store.finishRun(b, record(config({ seed: 2 })));
      for (const s of [store, other]) {
        expect(s.listRuns().map((r) => [r.id, r.status, r.config.seed])).toEqual([
          [a, 'finished', 1],
          [b, 'finished', 2],
        ]);
      }
    } finally {
      other.close();
    }
  });

  it('filters runs by status and config columns, oldest first', () => {
    const first = store.startRun(config({ N: 4 }));
    const second = store.startRun(config({ N: 4, task: 're-projector', eps: 1 / 8 }));
    const third = store.startRun(config({ N: 5 }));
    store.finishRun(first, record(config({ N: 4 })));
    expect(store.listRuns().map((r) => r.id)).toEqual([first, second, third]);
    expect(store.listRuns({ status: 'running' }).map((r) => r.id)).toEqual([second, third]);
    expect(store.listRuns({ N: 4, status: 'running' }).map((r) => r.id)).toEqual([second]);
    expect(store.listRuns({ task: 're-projector', eps: 1 / 8 }).map((r) => r.id)).toEqual([second]);
    expect(store.listRuns({ task: undefined }).length).toBe(3);
    expect(() => store.listRuns({ 'id; DROP TABLE runs': 1 } as never)).toThrow(/cannot filter runs by/);
  });

  it('reports missing and corrupt run files clearly', () => {
    const rec = record(config());
    const id = store.startRun(rec.config);
    store.finishRun(id, rec);
    const tensors = path.join(dir, id, 'tensors.safetensors');
    const bytes = fs.readFileSync(tensors);
    fs.writeFileSync(tensors, bytes.subarray(0, bytes.length - 4));
    expect(() => store.loadRun(id)).toThrow(StoreError);
    expect(() => store.loadRun(id)).toThrow(`${tensors} is corrupt: safetensors: truncated`);
    fs.writeFileSync(path.join(dir, id, 'losses.json'), '{"every": 16, "steps": [');
    expect(() => store.loadRun(id)).toThrow(/losses\.json is corrupt: invalid JSON/);
    fs.writeFileSync(path.join(dir, id, 'losses.json'), '{"every": 16, "steps": [], "loss": []}');
    fs.rmSync(path.join(dir, id, 'summary.json'));
    expect(() => store.loadRun(id)).toThrow(/cannot read .*summary\.json: ENOENT/);
    expect(() => store.loadRun('../etc')).toThrow(/is not a run id/);
  });

  it('rejects tensors whose shapes disagree with the config', () => {
    const rec = record(config());
    const id = store.startRun(rec.config);
    store.finishRun(id, rec);
    const file = path.join(dir, id, 'config.json');
    fs.writeFileSync(file, JSON.stringify({ ...rec.config, k: 4 }));
    expect(() => store.loadRun(id)).toThrow(/tensor step_0\.W1 has shape \[3, 2\], the config implies \[4, 2\]/);
  });

  it('imports a run trained elsewhere once: same id, times and sweep link; never twice', () => {
    const rec = record(config());
    const times = { created_at: '2026-11-26T15:01:02.000Z', finished_at: '2026-11-26T15:02:03.000Z' };
    const id = '20261126-150102-a1b2c3';
    store.saveSweep({ name: 's', spec: {}, scale: 'smoke' });
    // A folder without a row: an import that died between its rename and its commit.
    fs.mkdirSync(path.join(dir, id));
    fs.writeFileSync(path.join(dir, id, 'config.json'), '{');
    expect(store.importRun(id, rec, times, { sweep: 's', point: 3 })).toBe(true);
    expect(store.getRun(id)).toMatchObject({ id, status: 'finished', ...times, final: rec.summary });
    expect(store.sweepRuns('s').map((r) => [r.point, r.run.id])).toEqual([[3, id]]);
    expect(store.loadRun(id)).toEqual({ ...rec, id, losses: { every: 16, ...rec.losses } });

    expect(store.importRun(id, rec, times, { sweep: 's', point: 3 })).toBe(false);
    // Another attempt at the same point, with another id, is not stored either.
    expect(store.importRun('20261126-150102-000000', rec, times, { sweep: 's', point: 3 })).toBe(false);
    expect(entries()).toEqual([id]);
    expect(store.listRuns()).toHaveLength(1);
    expect(() => store.importRun('../x', rec, times)).toThrow(/is not a run id/);
  });

  it('records the progress of a running run, and stops once it has finished', () => {
    const c = config();
    const id = store.startRun(c);
    store.reportProgress(id, { step: 32, steps: 64, loss: 1.5 });
    expect(store.getRun(id)!.progress).toMatchObject({ step: 32, steps: 64, loss: 1.5 });
  });

  it('refuses an index written by a newer schema', () => {
    store.close();
    const db = new Database(path.join(dir, 'index.sqlite'));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => (store = new RunStore(dir))).toThrow(new RegExp(`schema version ${SCHEMA_VERSION + 1} is newer`));
    store = new RunStore(fs.mkdtempSync(path.join(os.tmpdir(), 'toymodels-store-'))); // for afterEach
    fs.rmSync(store.dir, { recursive: true, force: true });
  });

  it('names the path and the reason when the store cannot be created', () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, '');
    const target = path.join(file, 'runs');
    let error: unknown;
    try {
      new RunStore(target);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(target);
    expect((error as Error).message).toMatch(/ENOTDIR/);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('newRunId', () => {
  it('is UTC time plus random hex, sortable by time', () => {
    const id = newRunId(new Date('2026-11-26T15:01:02.345Z'));
    expect(id).toMatch(/^20261126-150102-[0-9a-f]{6}$/);
    expect(newRunId(new Date('2026-11-26T15:01:03Z')) > id).toBe(true);
    expect(newRunId() === newRunId()).toBe(false);
  });
});
