import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_FIELDS } from '../../src/config/schema.js';
import { decodeSafetensors } from '../../src/store/safetensors.js';
import { expectUsageError, SMALL, tempDir, toymodels } from './cli.js';

describe('toymodels train', () => {
  it('prints exactly one JSON object and stores the run', () => {
    const store = tempDir();
    const r = toymodels(['train', ...SMALL, '--seed', '3', '--task', 'autoencoder', '--store', store, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual([
      'config',
      'final',
      'id',
      'loss_every',
      'losses',
      'samples_per_second',
      'seconds',
    ]);
    expect(Object.keys(out.config).sort()).toEqual(
      [...CONFIG_FIELDS, 'threads', 'device', 'engine', 'together', 'version'].sort(),
    );
    expect(out.config).toMatchObject({
      N: 32,
      m: 8,
      k: 64,
      task: 'decoder',
      seed: 3,
      eps: 1 / 64,
      optimizer: 'lamb',
      schedule: 'paper',
      threads: 1,
      device: 'cpu',
      together: 1,
    });
    expect(out.losses).toHaveLength(4);
    expect(out.final.status).toBe('finished');
    const mean = out.losses.slice(-8).reduce((a: number, b: number) => a + b) / out.losses.slice(-8).length;
    expect(out.final.data_loss).toBeCloseTo(mean, 12);
    expect(out.final.monosemantic_per_feature).toBe(out.final.monosemantic_neurons / 32);
    expect(typeof out.final.mean_bias).toBe('number');
    expect(out.samples_per_second).toBeGreaterThan(0);

    const dir = path.join(store, out.id);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'losses.json', 'summary.json', 'tensors.safetensors']);
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'))).toEqual(out.config);
    expect(JSON.parse(readFileSync(path.join(dir, 'losses.json'), 'utf8'))).toMatchObject({
      every: 16,
      steps: [0, 16, 32, 48],
    });
    const { tensors, metadata } = decodeSafetensors(readFileSync(path.join(dir, 'tensors.safetensors')));
    expect(metadata.snapshots).toBe('0,1,3,7,15,31,63');
    expect(tensors['embedding.E']!.shape).toEqual([8, 32]);
    expect(tensors['step_63.W1']!.shape).toEqual([64, 8]);
    expect(tensors['step_63.W2']!.shape).toEqual([32, 64]);

    const runs = toymodels(['runs', '--store', store, '--json']);
    expect(runs.code).toBe(0);
    const list = JSON.parse(runs.stdout);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: out.id,
      status: 'finished',
      config: { task: 'decoder' },
      final: { status: 'finished' },
    });
    const table = toymodels(['runs', '--store', store]);
    expect(table.stdout).toContain(out.id);
  });

  it('accepts the seed task names and stores the paper names', () => {
    const store = tempDir();
    const r = toymodels(['train', ...SMALL, '--task', 'random_proj', '--store', store, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.config.task).toBe('re-projector');
    const { tensors } = decodeSafetensors(readFileSync(path.join(store, out.id, 'tensors.safetensors')));
    expect(tensors['embedding.F']!.shape).toEqual([8, 32]);
    expect(tensors['step_63.W2']!.shape).toEqual([8, 64]);
  });

  it('exits 3 with one line when the loss diverges, and stores the run as diverged', () => {
    const store = tempDir();
    const r = toymodels([
      'train',
      ...SMALL,
      '--optimizer',
      'sgd',
      '--learning_rate',
      '10000',
      '--schedule',
      'constant',
      '--store',
      store,
      '--json',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/diverged.*step \d+/);
    const out = JSON.parse(r.stdout);
    expect(out.final.status).toBe('diverged');
    const [row] = JSON.parse(toymodels(['runs', '--store', store, '--json']).stdout);
    expect(row.status).toBe('diverged');
    expect(row.final.diverged_at_step).toBe(out.final.diverged_at_step);
  });

  it('documents every flag with its default', () => {
    const r = toymodels(['train', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [...CONFIG_FIELDS, 'threads', 'device', 'store', 'json'])
      expect(r.stdout).toContain(`--${flag}`);
    expect(r.stdout).toContain('(default: 512)');
    expect(r.stdout).toContain('(default: "./runs")');
  });
});

describe('bad input: one line naming the flag and value, exit 2, nothing written', () => {
  const file = path.join(tempDir(), 'a-file');
  writeFileSync(file, 'x');
  it.each([
    [['--eps', '0'], /--eps: .*0.*\(0, 1\]/],
    [['--eps', '1.5'], /--eps: .*1\.5.*\(0, 1\]/],
    [['--N', '0'], /--N: .*0.*positive integer/],
    [['--k', '2.5'], /--k: .*2\.5.*positive integer/],
    [['--m', '-4'], /--m: .*-4.*positive integer/],
    [['--N', 'abc'], /--N: .*abc.*number/],
    [['--eps', '1/64'], /--eps: .*1\/64.*number/],
    [['--task', 'classify'], /--task: .*classify.*decoder, re-projector, abs, autoencoder, random_proj/],
    [['--nonlinearity', 'tanh'], /--nonlinearity: .*tanh.*ReLU, GeLU, SoLU/],
    [['--sample_kind', 'zipf'], /--sample_kind: .*zipf.*equal, power_law/],
    [['--optimizer', 'rmsprop'], /--optimizer: .*rmsprop.*lamb, adam, adamw, sgd/],
    [['--schedule', 'step'], /--schedule: .*step.*paper, constant, cosine/],
    [['--log2_batch_size', '-1'], /--log2_batch_size: .*-1.*non-negative integer/],
    [['--log2_training_steps', '-2'], /--log2_training_steps: .*-2.*non-negative integer/],
    [['--reg', '-0.1'], /--reg: .*-0\.1.*>= 0/],
    [['--decay', '-1'], /--decay: .*-1.*>= 0/],
    [['--learning_rate', '-0.01'], /--learning_rate: .*-0\.01.*>= 0/],
    [['--threads', '0'], /--threads: .*0.*positive integer/],
    [['--device', 'tpu'], /--device: .*tpu.*cpu or webgpu/],
    [['--bogus', '1'], /unknown option '--bogus'/],
    [['--store', path.join(file, 'runs')], /cannot use run store .*a-file/],
  ])('%j', (args, message) => {
    expectUsageError(['train', ...SMALL, ...(args as string[])], message);
  });
});
