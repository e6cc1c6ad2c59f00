// The explicit backward pass against central finite differences, all in float64.
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { parseRunConfig, type RunConfig } from '../../src/config/schema.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { lossAndGradients, totalLoss } from '../../src/graph/model.js';
import { taskBatch } from '../../src/graph/step.js';

const N = 12, m = 5, k = 9, B = 7;

/** A small deterministic generator, so the test data is fixed. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function setup(cfg: RunConfig) {
  const rand = lcg(7);
  const normal = () => rand() + rand() + rand() - 1.5;
  const out = cfg.task === 're-projector' ? m : N;
  const emb = { E: Float64Array.from({ length: m * N }, normal), F: Float64Array.from({ length: m * N }, normal) };
  // Dense-ish sample so every output and neuron sees data; abs needs signed values.
  const v = Float64Array.from({ length: B * N }, () => (rand() < 0.4 ? (cfg.task === 'abs' ? rand() * 2 - 1 : rand()) : 0));
  const params = {
    W1: Float64Array.from({ length: k * m }, normal),
    b1: Float64Array.from({ length: k }, () => normal() * 0.5),
    W2: Float64Array.from({ length: out * k }, normal),
  };
  return { out, emb, v, params };
}

async function session(cfg: RunConfig, emb: { E: Float64Array; F: Float64Array }, out: number, withGrads: boolean) {
  const b = new GraphBuilder('float64');
  const v = b.input('v', [B, N]);
  const p = { W1: b.input('W1', [k, m]), b1: b.input('b1', [k]), W2: b.input('W2', [out, k]) };
  // The builder's constants take any numeric array: pass the float64 embeddings through.
  const { x, target } = taskBatch(b, cfg, v, emb as unknown as { E: Float32Array; F: Float32Array });
  if (withGrads) {
    const g = lossAndGradients(b, cfg, B, x, target, p);
    b.output(g.W1, 'gW1', [k, m]);
    b.output(g.b1, 'gb1', [k]);
    b.output(g.W2, 'gW2', [out, k]);
  } else b.output(totalLoss(b, cfg, B, x, target, p), 'loss', []);
  return ort.InferenceSession.create(b.encode('grad'));
}

const cases = (['ReLU', 'GeLU', 'SoLU'] as const).flatMap((f) => (['decoder', 're-projector', 'abs'] as const).map((task) => ({ f, task })));

describe('backward pass vs central finite differences (float64, reg > 0)', () => {
  it.each(cases)('$f on $task', async ({ f, task }) => {
    const cfg = parseRunConfig({ N, m, k, nonlinearity: f, task, reg: 0.3, log2_batch_size: 3 });
    const { out, emb, v, params } = setup(cfg);
    const feeds = (p: typeof params) => ({
      v: new ort.Tensor('float64', v, [B, N]),
      W1: new ort.Tensor('float64', p.W1, [k, m]),
      b1: new ort.Tensor('float64', p.b1, [k]),
      W2: new ort.Tensor('float64', p.W2, [out, k]),
    });
    const grads = await (await session(cfg, emb, out, true)).run(feeds(params));
    const lossSession = await session(cfg, emb, out, false);
    const loss = async (p: typeof params) => ((await lossSession.run(feeds(p))).loss!.data as Float64Array)[0]!;
    const h = 1e-6;
    for (const name of ['W1', 'b1', 'W2'] as const) {
      const analytic = grads[`g${name}`]!.data as Float64Array;
      for (let idx = 0; idx < analytic.length; idx += Math.max(1, Math.floor(analytic.length / 15))) {
        const plus = { ...params, [name]: params[name].slice() };
        const minus = { ...params, [name]: params[name].slice() };
        plus[name][idx]! += h;
        minus[name][idx]! -= h;
        const numeric = ((await loss(plus)) - (await loss(minus))) / (2 * h);
        expect(Math.abs(analytic[idx]! - numeric), `${name}[${idx}]`).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
      }
    }
  });
});
