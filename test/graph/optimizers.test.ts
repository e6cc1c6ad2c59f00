// One optimiser step against hand-worked numbers.
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { lambUpdate, sgdUpdate } from '../../src/graph/optimizers.js';

/** LAMB on R runs at once: w, g, m, v hold R rows of n (the run axis first), lr one value per run. */
async function lambSteps(w: number[], g: number[], m: number[], v: number[], lr: number[]) {
  const b = new GraphBuilder('float64');
  const R = lr.length;
  const n = w.length / R;
  const [W, G, M, V, LR] = [
    b.input('w', [R, n]),
    b.input('g', [R, n]),
    b.input('m', [R, n]),
    b.input('v', [R, n]),
    b.input('lr', [R, 1]),
  ];
  const u = lambUpdate(b, W, G, [M, V], { lr: LR, t: LR }, 2);
  b.output(u.param, 'w2', [R, n]);
  b.output(u.state[0]!, 'm2', [R, n]);
  b.output(u.state[1]!, 'v2', [R, n]);
  const s = await ort.InferenceSession.create(b.encode('lamb'));
  const t = (x: number[]) => new ort.Tensor('float64', Float64Array.from(x), [R, n]);
  const out = await s.run({
    w: t(w),
    g: t(g),
    m: t(m),
    v: t(v),
    lr: new ort.Tensor('float64', Float64Array.from(lr), [R, 1]),
  });
  return {
    w: Array.from(out.w2!.data as Float64Array),
    m: Array.from(out.m2!.data as Float64Array),
    v: Array.from(out.v2!.data as Float64Array),
  };
}

const lambStep = (w: number[], g: number[], m: number[], v: number[], lr: number) => lambSteps(w, g, m, v, [lr]);

const close = (actual: number[], expected: number[], digits = 12) =>
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, digits));

describe('LAMB (SPEC.md), one step', () => {
  // g = (1, -2) from zero moments: m = (0.1, -0.2), v = (0.001, 0.004), so u = m / (sqrt v + 1e-6)
  // is almost (sqrt 10, -sqrt 10) and ||u|| almost sqrt 20. With ||w|| = 5 the trust ratio is
  // 5 / sqrt 20 = 1.118, and lr * trust * u = 0.1 * 5 * (1, -1) / sqrt 2 = (0.35355, -0.35355).
  it('moves w by lr * ||w|| along u / ||u||', async () => {
    const r = await lambStep([3, 4], [1, -2], [0, 0], [0, 0], 0.1);
    close(r.m, [0.1, -0.2]);
    close(r.v, [0.001, 0.004]);
    close(r.w, [2.6464494044364564, 4.353556185600908]);
  });

  it('clips the weight norm at 10', async () => {
    // ||w|| = 50 counts as 10: the step is twice the previous one's, 0.70711 per coordinate.
    const r = await lambStep([30, 40], [1, -2], [0, 0], [0, 0], 0.1);
    close(r.w, [29.292898808872913, 40.707112371201816]);
  });

  it('uses trust 1 when ||w|| is 0', async () => {
    const r = await lambStep([0, 0], [1, -2], [0, 0], [0, 0], 0.1);
    close(r.w, [-0.31621776633305576, 0.31622276609589367]);
  });

  it('uses trust 1 when ||u|| is 0 (zero gradient), leaving w as it was', async () => {
    const r = await lambStep([3, 4], [0, 0], [0, 0], [0, 0], 0.1);
    close(r.w, [3, 4]);
  });

  it('decays existing moments by 0.9 and 0.999 without bias correction', async () => {
    const r = await lambStep([1, -2, 2], [1, 1, 0], [0.5, 0, 0.2], [0.01, 0, 0.04], 0.01);
    close(r.m, [0.55, 0.1, 0.18]);
    close(r.v, [0.01099, 0.001, 0.03996]);
    close(r.w, [0.9745794406402929, -2.015321866312207, 1.9956370222839825]);
  });
});

describe('LAMB on several runs at once', () => {
  it('gives each run its own norms, trust ratio and learning rate', async () => {
    // The first and third cases above, stacked as two runs with their own learning rates.
    const r = await lambSteps([3, 4, 0, 0], [1, -2, 1, -2], [0, 0, 0, 0], [0, 0, 0, 0], [0.1, 0.05]);
    close(r.w, [2.6464494044364564, 4.353556185600908, -0.31621776633305576 / 2, 0.31622276609589367 / 2]);
  });
});

describe('SGD', () => {
  it('steps against the gradient', async () => {
    const b = new GraphBuilder('float64');
    const [W, G, LR] = [b.input('w', [2]), b.input('g', [2]), b.input('lr', [])];
    b.output(sgdUpdate(b, W, G, { lr: LR, t: LR }).param, 'w2', [2]);
    const s = await ort.InferenceSession.create(b.encode('sgd'));
    const out = await s.run({
      w: new ort.Tensor('float64', Float64Array.of(1, 2), [2]),
      g: new ort.Tensor('float64', Float64Array.of(10, -10), [2]),
      lr: new ort.Tensor('float64', Float64Array.of(0.01), []),
    });
    close(Array.from(out.w2!.data as Float64Array), [0.9, 2.1]);
  });
});
