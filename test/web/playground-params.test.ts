// The playground's address and presets, without a browser: every field is checked by the run
// configuration's schema, an address round-trips, and every Table 1 preset is a valid pair of
// configurations at a quarter of the paper's size that differ in the batch's swept variable.
import { describe, expect, it } from 'vitest';
import { runConfigSchema } from '../../src/config/schema.js';
import { CATALOGUE } from '../../src/sweep/catalogue.js';
import {
  DEFAULTS,
  FIELDS,
  parseConfig,
  parseField,
  parseThreads,
  queryOf,
  stateFromQuery,
} from '../../web/src/playground/params.js';
import { PRESETS } from '../../web/src/playground/presets.js';

describe('the playground address', () => {
  it('the defaults are a valid configuration of the paper model at the browser size (N=128, m=32, k=256)', () => {
    const parsed = parseConfig(DEFAULTS);
    expect('config' in parsed && parsed.config).toMatchObject({
      N: 128,
      m: 32,
      k: 256,
      eps: 1 / 64,
      log2_batch_size: 8,
      log2_training_steps: 11,
      learning_rate: 0.03,
    });
  });

  it('checks each field with the schema and names what is allowed', () => {
    expect(parseField('N', '64')).toEqual({ value: 64 });
    expect(parseField('learning_rate', '1e-3')).toEqual({ value: 0.001 });
    expect(parseField('N', 'abc')).toEqual({ error: '"abc" is not a number' });
    expect(parseField('N', '1/64')).toEqual({ error: '"1/64" is not a number' });
    expect(parseField('k', '-3')).toEqual({ error: '"-3": must be a positive integer' });
    expect(parseField('eps', '0')).toEqual({ error: '"0": must be in (0, 1]' });
    expect(parseField('log2_training_steps', '31')).toEqual({ error: '"31": must be at most 30' });
    expect(parseField('task', 'classify')).toMatchObject({ error: expect.stringContaining('must be one of decoder') });
    const bad = parseConfig({ ...DEFAULTS, N: 'x', m: '0' });
    expect(bad).toEqual({ errors: { N: '"x" is not a number', m: '"0": must be a positive integer' } });
  });

  it('threads: empty for all the page allows, else 1 to 64', () => {
    expect(parseThreads('')).toEqual({});
    expect(parseThreads('2')).toEqual({ threads: 2 });
    for (const bad of ['0', '65', '1.5', 'two']) expect(parseThreads(bad)).toHaveProperty('error');
  });

  it('reads the contract address and writes back only what differs', () => {
    const q = new URLSearchParams(
      'N=64&m=16&k=128&log2_batch_size=6&log2_training_steps=9&learning_rate=0.03&seed=1&autostart=1',
    );
    const state = stateFromQuery(q);
    expect(state).toMatchObject({ engine: 'auto', autostart: true, unknown: [], threads: '' });
    expect(state.b).toBeUndefined();
    const given = { N: '64', m: '16', k: '128', log2_batch_size: '6', log2_training_steps: '9', seed: '1' };
    expect(state.a).toEqual({ ...DEFAULTS, ...given });
    const back = queryOf(state);
    expect(Object.fromEntries(back)).toEqual(given);
    expect(stateFromQuery(back).a).toEqual(state.a);
  });

  it('a second configuration is A with its b. fields; engine, threads and unknown keys', () => {
    const state = stateFromQuery(new URLSearchParams('k=128&b.learning_rate=0.003&engine=wasm&threads=1&zzz=1'));
    expect(state.b).toEqual({ ...state.a, learning_rate: '0.003' });
    expect(state).toMatchObject({ engine: 'wasm', threads: '1', unknown: ['zzz'], autostart: false });
    expect(Object.fromEntries(queryOf(state))).toEqual({
      k: '128',
      compare: '1',
      'b.learning_rate': '0.003',
      engine: 'wasm',
      threads: '1',
    });
    expect(stateFromQuery(new URLSearchParams('compare=1')).b).toEqual(DEFAULTS);
    expect(stateFromQuery(new URLSearchParams('engine=cuda'))).toMatchObject({
      engine: 'auto',
      engineError: '"cuda" is not an engine: one of auto, webgpu, wasm',
    });
  });

  it('the form has every field the issue names, and no other', () => {
    expect(FIELDS.map((f) => f.field).sort()).toEqual(
      [
        'N',
        'm',
        'k',
        'eps',
        'task',
        'nonlinearity',
        'sample_kind',
        'learning_rate',
        'initial_bias',
        'decay',
        'reg',
        'log2_batch_size',
        'log2_training_steps',
        'seed',
        'optimizer',
        'schedule',
      ].sort(),
    );
    for (const f of FIELDS) expect(f.field in runConfigSchema.shape).toBe(true);
  });
});

describe('the presets', () => {
  it('one per Table 1 batch, each two valid configurations that differ in the swept variable', () => {
    expect(PRESETS.map((p) => p.name)).toEqual(CATALOGUE.map((b) => b.name));
    for (const [i, p] of PRESETS.entries()) {
      const batch = CATALOGUE[i]!;
      const a = parseConfig(p.a);
      const b = parseConfig(p.b);
      if (!('config' in a) || !('config' in b)) throw new Error(`${p.name}: ${JSON.stringify([a, b])}`);
      // The batch's fixed values, with N=128, m=32 and k a quarter of the paper's.
      const shrink: Record<string, number> = { N: 4, m: 2, k: 4 };
      for (const [field, value] of Object.entries(batch.fixed)) {
        const expected = field in shrink ? Number(value) / shrink[field]! : value;
        expect(a.config[field as keyof typeof a.config], `${p.name}.${field}`).toBe(expected);
      }
      const swept = batch.variables[0]!.field as keyof typeof a.config;
      expect(a.config[swept], p.name).not.toBe(b.config[swept]);
      const differing = FIELDS.filter((f) => p.a[f.field] !== p.b[f.field]).map((f) => f.field);
      expect(differing, p.name).toEqual([swept]);
    }
  });

  it('LR1 compares learning rates 0.003 and 0.03 at N=128, m=32, k=256', () => {
    const lr1 = PRESETS.find((p) => p.name === 'LR1')!;
    expect(lr1).toMatchObject({ compares: 'learning rate 0.003 vs 0.03' });
    expect([lr1.a.N, lr1.a.m, lr1.a.k, lr1.a.learning_rate, lr1.b.learning_rate]).toEqual([
      '128',
      '32',
      '256',
      '0.003',
      '0.03',
    ]);
    // LR5's k = 2048 becomes 512.
    expect(PRESETS.find((p) => p.name === 'LR5')!.a.k).toBe('512');
  });
});
