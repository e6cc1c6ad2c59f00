// The training loop's bookkeeping, on a scripted engine whose losses and parameters are known in
// advance: which chunks it asks for, which losses it records (every 16th step, by step number),
// where a run diverges, which snapshots it keeps, when it stops, and what it reports.
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../src/config/schema.js';
import type { CarriedState, Engine } from '../../src/train/engine.js';
import { type Progress } from '../../src/train/loop.js';
import { train, trainTogether } from '../../src/train/train.js';
import { RunInputs } from '../../src/train/run-inputs.js';

/** Returns lossAt(run, step) for every step, and adds 1 to every parameter per step. */
class ScriptedEngine implements Engine {
  readonly drawsSamples = false;
  readonly calls: [number, number][] = [];
  private state: CarriedState = {};
  released = false;

  constructor(
    private readonly R: number,
    private readonly lossAt: (run: number, step: number) => number,
  ) {}

  async run(first: number, K: number): Promise<Float32Array> {
    this.calls.push([first, K]);
    const out = new Float32Array(K * this.R);
    for (let j = 0; j < K; j++) for (let r = 0; r < this.R; r++) out[j * this.R + r] = this.lossAt(r, first + j);
    for (const t of Object.values(this.state)) for (let i = 0; i < t.length; i++) t[i]! += K;
    return out;
  }
  async read(): Promise<CarriedState> {
    return this.state;
  }
  write(state: CarriedState): void {
    for (const [name, t] of Object.entries(state)) this.state[name] = Float32Array.from(t);
  }
  async release(): Promise<void> {
    this.released = true;
  }
}

const cfg = parseRunConfig({ N: 16, m: 4, k: 8, log2_batch_size: 2, log2_training_steps: 6 });

async function scripted(lossAt: (run: number, step: number) => number, runs = 2) {
  let engine: ScriptedEngine | undefined;
  const progress: Progress[] = [];
  const before = performance.now();
  const results = await trainTogether(
    Array.from({ length: runs }, (_, i) => parseRunConfig({ ...cfg, seed: i })),
    {
      threads: 1,
      engine: async (cfgs) => (engine = new ScriptedEngine(cfgs.length, lossAt)),
      onProgress: (p) => progress.push(p),
    },
  );
  return { results, engine: engine!, progress, wallSeconds: (performance.now() - before) / 1000 };
}

describe('the training loop on a scripted engine', () => {
  it('asks for chunks that end at snapshot steps and every 16 steps, and records the loss of steps 0, 16, 32, 48', async () => {
    const { results, engine } = await scripted((r, i) => 1000 * r + i);
    expect(engine.calls).toEqual([
      [0, 1],
      [1, 1],
      [2, 2],
      [4, 4],
      [8, 8],
      [16, 16],
      [32, 16],
      [48, 16],
    ]);
    expect(engine.released).toBe(true);
    results.forEach((res, r) => {
      expect(res.status).toBe('finished');
      expect(res.losses).toEqual({ steps: [0, 16, 32, 48], loss: [0, 16, 32, 48].map((i) => 1000 * r + i) });
    });
  });

  it('keeps the parameters after steps 0, 1, 3, ..., 63 as snapshots, and after the last step as the result', async () => {
    const { results } = await scripted(() => 1);
    results.forEach((res, r) => {
      const init = new RunInputs(parseRunConfig({ ...cfg, seed: r })).init;
      expect(res.snapshots.map((s) => s.step)).toEqual([0, 1, 3, 7, 15, 31, 63]);
      // The scripted engine adds 1 per step in float32: the parameters after step s are init + s + 1.
      const near = (got: Float32Array, want: Float32Array, steps: number) =>
        got.forEach((x, i) => expect(x).toBeCloseTo(want[i]! + steps, 4));
      for (const s of res.snapshots) for (const p of ['W1', 'b1', 'W2'] as const) near(s[p], init[p], s.step + 1);
      near(res.params.W1, init.W1, 64);
    });
  });

  it('stops a run at its first non-finite loss, names that step, and lets the other run go on', async () => {
    const { results } = await scripted((r, i) => (r === 1 && i >= 50 ? NaN : 1));
    const [calm, wild] = results;
    expect(calm!.status).toBe('finished');
    expect(calm!.snapshots.map((s) => s.step)).toEqual([0, 1, 3, 7, 15, 31, 63]);
    expect(wild!.status).toBe('diverged');
    expect(wild!.divergedAtStep).toBe(50);
    expect(wild!.losses.steps).toEqual([0, 16, 32, 48]);
    // Its chunk 48..63 ended at a snapshot step, but a diverged run keeps no snapshot of it.
    expect(wild!.snapshots.map((s) => s.step)).toEqual([0, 1, 3, 7, 15, 31]);
  });

  it('stops asking the engine once every run has diverged', async () => {
    const { results, engine } = await scripted((_, i) => (i === 20 ? Infinity : 1));
    expect(results.map((r) => r.divergedAtStep)).toEqual([20, 20]);
    expect(engine.calls.at(-1)).toEqual([16, 16]);
  });

  it('reports progress after every chunk and its own time and speed', async () => {
    const { results, progress, wallSeconds } = await scripted((_, i) => i / 2, 1);
    expect(progress.map((p) => p.step)).toEqual([1, 2, 4, 8, 16, 32, 48, 64]);
    expect(progress.at(-1)).toEqual({ step: 64, steps: 64, loss: 24 });
    const [res] = results;
    expect(res!.seconds).toBeGreaterThan(0);
    expect(res!.seconds).toBeLessThanOrEqual(wallSeconds);
    expect(res!.samplesPerSecond).toBeCloseTo((64 * 4) / res!.seconds, 6);
  });

  it('train is the one-run case', async () => {
    const r = await train(cfg, { threads: 1, engine: async () => new ScriptedEngine(1, (_, i) => i) });
    expect(r.losses.loss).toEqual([0, 16, 32, 48]);
  });
});
