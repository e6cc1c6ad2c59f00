import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../src/store/run-store.js';
import { expectUsageError, tempDir, toymodels } from './cli.js';

const TINY = ['--N', '32', '--m', '8', '--k', '64', '--scale', 'smoke'];

describe('toymodels sweep', () => {
  it('sweeps a variable, prints the sweep as JSON, and resumes without redoing finished runs', () => {
    const store = tempDir();
    const args = [
      'sweep',
      ...TINY,
      '--sweep_var',
      'learning_rate',
      '--sweep_values',
      '0.001',
      '0.01',
      '--threads',
      '1',
      '--store',
      store,
      '--json',
    ];
    const first = toymodels(args);
    expect(first.code, first.stderr).toBe(0);
    const sweep = JSON.parse(first.stdout);
    // stderr is not a terminal here: plain progress lines at each eighth of a run, then its end.
    expect(first.stderr).toMatch(/ {2}learning_rate=0\.01: step 32\/64, loss [\d.]+ \| \d+ samples\/s \| ETA /);
    expect(first.stderr).toMatch(/\[\d\/2\] learning_rate=0\.01: finished/);
    expect(sweep.scale).toMatchObject({ name: 'smoke', log2_batch_size: 5, log2_training_steps: 6 });
    expect(sweep.runs.map((r: { values: object; status: string }) => [r.values, r.status])).toEqual([
      [{ learning_rate: 0.001 }, 'finished'],
      [{ learning_rate: 0.01 }, 'finished'],
    ]);
    expect(sweep.runs[1].config).toMatchObject({ N: 32, k: 64, learning_rate: 0.01, log2_batch_size: 5 });
    const again = toymodels(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('0 runs to train, 2 kept from earlier');
    expect(JSON.parse(again.stdout).runs.map((r: { id: string }) => r.id)).toEqual(
      sweep.runs.map((r: { id: string }) => r.id),
    );
  });

  it('runs grids, prints the summary table with the scale, and records a diverging run without stopping', () => {
    const store = tempDir();
    const r = toymodels([
      'sweep',
      ...TINY,
      '--optimizer',
      'sgd',
      '--schedule',
      'constant',
      '--grid',
      'learning_rate=0.001,10000',
      'seed=1,2',
      '--name',
      'grid',
      '--store',
      store,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('sweep grid at scale smoke (batch 2^5, 2^6 steps)');
    const lines = r.stdout.trim().split('\n');
    expect(lines[1]).toMatch(
      /^learning_rate\s+seed\s+status\s+final loss \(last 8, ± se\)\s+loss \(last 64\)\s+mono \/ N\s+features covered\s+mono \/ k\s+dead\s+mean bias\s+run$/,
    );
    expect(lines.filter((l) => /^0\.001 .*\bfinished\b/.test(l))).toHaveLength(2);
    expect(lines.filter((l) => /^10000 .*\bdiverged\b/.test(l)).length).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/diverged: learning_rate=10000 seed=\d at step \d+/);
  });

  it('gives the same results with --jobs 2 as with --jobs 1', () => {
    const run = (jobs: string) => {
      const r = toymodels([
        'sweep',
        ...TINY,
        '--sweep_var',
        'seed',
        '--sweep_values',
        '1',
        '2',
        '3',
        '--jobs',
        jobs,
        '--threads',
        '1',
        '--store',
        tempDir(),
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).runs.map((x: { final: { data_loss: number; mean_bias: number } }) => [
        x.final.data_loss,
        x.final.mean_bias,
      ]);
    };
    expect(run('2')).toEqual(run('1'));
  });

  it('gives the same results with runs trained together in one graph as one by one', () => {
    const run = (together: string) => {
      const grid = ['--grid', 'learning_rate=0.003,0.01', 'initial_bias=0,-1', 'reg=0,0.01'];
      const r = toymodels([
        'sweep',
        ...TINY,
        ...grid,
        '--decay',
        '0.03',
        '--jobs',
        '1',
        '--threads',
        '1',
        '--together',
        together,
        '--store',
        tempDir(),
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const runs = JSON.parse(r.stdout).runs as {
        config: { together: number };
        final: { data_loss: number; mean_bias: number; monosemantic_neurons: number };
      }[];
      // Eight points in graphs of at most three: 3 + 3 + 2.
      expect(runs.map((x) => x.config.together)).toEqual(
        together === '3' ? [3, 3, 3, 3, 3, 3, 2, 2] : Array(8).fill(1),
      );
      return runs.map((x) => [x.final.data_loss, x.final.mean_bias, x.final.monosemantic_neurons]);
    };
    expect(run('3')).toEqual(run('1'));
  });

  it('says in one line, exit 2, when --device webgpu has no adapter, and nothing from Dawn before it', () => {
    // A Vulkan loader pointed at no driver: Dawn finds no adapter and explains why on stderr.
    expectUsageError(
      ['sweep', ...TINY, '--grid', 'seed=1,2', '--device', 'webgpu'],
      /^toymodels: --device webgpu is not available here: .*; use --device cpu$/,
      { VK_ICD_FILENAMES: '/nonexistent/icd.json' },
    );
  });

  it('resumes after a kill -9: finished runs untouched, the rest completed', async () => {
    const store = tempDir();
    const args = [
      'sweep',
      '--N',
      '64',
      '--m',
      '16',
      '--k',
      '256',
      '--log2_batch_size',
      '7',
      '--log2_training_steps',
      '9',
      '--sweep_var',
      'seed',
      '--sweep_values',
      'lin:1:5:5',
      '--name',
      'killed',
      '--threads',
      '1',
      '--store',
      store,
    ];
    const bin = path.resolve(import.meta.dirname, '../../bin/toymodels.js');
    const child = spawn(process.execPath, [bin, ...args], { detached: true, stdio: 'ignore' });
    const finished = () =>
      existsSync(path.join(store, 'index.sqlite')) ? new RunStore(store).listRuns({ status: 'finished' }) : [];
    const deadline = Date.now() + 60_000;
    while (finished().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const before = finished();
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(before.length).toBeLessThan(5);
    const mtimes = before.map((run) => statSync(path.join(store, run.id, 'summary.json')).mtimeMs);
    // Nothing half-written looks finished: every finished row has its folder, every folder its row.
    const folders = readdirSync(store).filter((f) => /^\d{8}-/.test(f));
    expect(folders.sort()).toEqual(before.map((run) => run.id).sort());

    const r = toymodels([...args, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const sweep = JSON.parse(r.stdout);
    expect(sweep.runs.every((x: { status: string }) => x.status === 'finished')).toBe(true);
    const ids = sweep.runs.map((x: { id: string }) => x.id);
    for (const run of before) expect(ids).toContain(run.id);
    expect(before.map((run) => statSync(path.join(store, run.id, 'summary.json')).mtimeMs)).toEqual(mtimes);
    const all = new RunStore(store).listRuns();
    expect(all.filter((x) => x.status === 'finished')).toHaveLength(5);
    expect(all.filter((x) => x.status === 'running')).toHaveLength(0);
  });
});

describe('toymodels batch', () => {
  it('lists the catalogue as JSON', () => {
    const r = toymodels(['batch', '--list', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list).toHaveLength(21);
    expect(list[9]).toMatchObject({ name: 'B3-GeLU', fixed: { nonlinearity: 'GeLU', decay: 0.03 } });
    expect(Object.keys(list[9].swept)).toEqual(['learning_rate', 'initial_bias']);
  });

  it('runs a batch at smoke scale with extra seeds', () => {
    const store = tempDir();
    const r = toymodels(['batch', 'lr1', '--scale', 'smoke', '--grid', 'seed=1', '--store', store, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const sweep = JSON.parse(r.stdout);
    expect(sweep.name).toMatch(/^LR1-smoke-[0-9a-f]{6}$/);
    expect(sweep.batch).toBe('LR1');
    expect(sweep.runs).toHaveLength(6);
    expect(sweep.runs[0].config).toMatchObject({
      N: 512,
      m: 64,
      k: 1024,
      eps: 1 / 64,
      decay: 0,
      initial_bias: 0,
      seed: 1,
    });
  });
});

describe('sweep and batch bad input: one line, exit 2, nothing written', () => {
  it.each([
    [['batch', 'LR9'], /unknown batch "LR9"; valid batches: LR1, LR2, LR3, B1/],
    [['sweep', '--sweep_var', 'depth', '--sweep_values', '1'], /--depth: .*not a config field/],
    [['sweep', '--sweep_var', 'k'], /--k: .*at least one value/],
    [['sweep', '--sweep_var', 'k', '--sweep_values'], /--sweep_values .*argument missing/],
    [['sweep', '--sweep_var', 'eps', '--sweep_values', '0.1', '2'], /--eps: 2 is not allowed: must be in \(0, 1\]/],
    [['sweep', '--grid', 'learning_rate'], /--grid: .*NAME=VALUES/],
    [['sweep', '--k', '64', '--grid', 'k=16,32'], /--k: .*fixed in this sweep/],
    [['sweep', '--scale', 'huge', '--grid', 'k=16'], /--scale: "huge" .*smoke, laptop, long, paper/],
    [['sweep'], /nothing to sweep/],
    [['batch', 'LR1', '--grid', 'k=16,32'], /--k: .*set by batch LR1/],
    [['batch', 'LR1', '--k', '512'], /--k: 512 .*set by batch LR1/],
    [['batch', 'LR1', '--jobs', '0'], /--jobs: "0" .*positive integer/],
  ])('%j', (args, message) => {
    expectUsageError(args as string[], message);
  });
});
