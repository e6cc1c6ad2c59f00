// The explicit backward pass against central finite differences, all in float64.
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { parseRunConfig, type RunConfig } from '../../src/config/schema.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { lossAndGradients, totalLoss } from '../../src/graph/model.js';
import { taskBatch } from '../../src/graph/step.js';

const N = 12,
  m = 5,
  k = 9,
  B = 7;

/** A small deterministic generator, so the test data is fixed. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Two runs side by side, with their own data, embeddings, parameters and L1 strengths. */
const R = 2;
const REG = [0.3, 0.1];

function setup(cfg: RunConfig) {
  const rand = lcg(7);
  const normal = () => rand() + rand() + rand() - 1.5;
  const out = cfg.task === 're-projector' ? m : N;
  const embs = Array.from({ length: R }, () => ({
    E: Float64Array.from({ length: m * N }, normal),
    F: Float64Array.from({ length: m * N }, normal),
  }));
  // Dense-ish sample so every output and neuron sees data; abs needs signed values.
  const v = Float64Array.from({ length: R * B * N }, () =>
    rand() < 0.4 ? (cfg.task === 'abs' ? rand() * 2 - 1 : rand()) : 0,
  );
  const params = {
    W1: Float64Array.from({ length: R * k * m }, normal),
    b1: Float64Array.from({ length: R * k }, () => normal() * 0.5),
    W2: Float64Array.from({ length: R * out * k }, normal),
  };
  return { out, embs, v, params };
}

async function session(cfg: RunConfig, embs: { E: Float64Array; F: Float64Array }[], out: number, withGrads: boolean) {
  const b = new GraphBuilder('float64');
  const v = b.input('v', [R, B, N]);
  const p = { W1: b.input('W1', [R, k, m]), b1: b.input('b1', [R, k]), W2: b.input('W2', [R, out, k]) };
  // The builder's constants take any numeric array: pass the float64 embeddings through.
  const { x, target } = taskBatch(b, cfg, v, embs as unknown as { E: Float32Array; F: Float32Array }[]);
  const spec = { nonlinearity: cfg.nonlinearity, batch: B, reg: REG };
  if (withGrads) {
    const g = lossAndGradients(b, spec, x, target, p);
    b.output(g.W1, 'gW1', [R, k, m]);
    b.output(g.b1, 'gb1', [R, k]);
    b.output(g.W2, 'gW2', [R, out, k]);
  } else b.output(totalLoss(b, spec, x, target, p), 'loss', [R]);
  return ort.InferenceSession.create(b.encode('grad'));
}

const cases = (['ReLU', 'GeLU', 'SoLU'] as const).flatMap((f) =>
  (['decoder', 're-projector', 'abs'] as const).map((task) => ({ f, task })),
);

describe('backward pass vs central finite differences (float64, two runs, reg > 0)', () => {
  it.each(cases)('$f on $task', async ({ f, task }) => {
    const cfg = parseRunConfig({ N, m, k, nonlinearity: f, task, log2_batch_size: 3 });
    const { out, embs, v, params } = setup(cfg);
    const feeds = (p: typeof params) => ({
      v: new ort.Tensor('float64', v, [R, B, N]),
      W1: new ort.Tensor('float64', p.W1, [R, k, m]),
      b1: new ort.Tensor('float64', p.b1, [R, k]),
      W2: new ort.Tensor('float64', p.W2, [R, out, k]),
    });
    const grads = await (await session(cfg, embs, out, true)).run(feeds(params));
    const lossSession = await session(cfg, embs, out, false);
    const losses = async (p: typeof params) => (await lossSession.run(feeds(p))).loss!.data as Float64Array;
    const h = 1e-6;
    for (const name of ['W1', 'b1', 'W2'] as const) {
      const analytic = grads[`g${name}`]!.data as Float64Array;
      const perRun = analytic.length / R;
      for (let idx = 0; idx < analytic.length; idx += Math.max(1, Math.floor(analytic.length / 30))) {
        const plus = { ...params, [name]: params[name].slice() };
        const minus = { ...params, [name]: params[name].slice() };
        plus[name][idx]! += h;
        minus[name][idx]! -= h;
        // A parameter of run r moves run r's loss only: the other run's loss must not change.
        const run = Math.floor(idx / perRun);
        const [lp, lm] = [await losses(plus), await losses(minus)];
        const numeric = (lp[run]! - lm[run]!) / (2 * h);
        expect(Math.abs(analytic[idx]! - numeric), `${name}[${idx}]`).toBeLessThan(
          1e-6 * Math.max(1, Math.abs(numeric)),
        );
        expect(lp[1 - run]).toBe(lm[1 - run]);
      }
    }
  });
});
