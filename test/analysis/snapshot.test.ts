import { describe, expect, it } from 'vitest';
import { at, column } from '../../src/analysis/matrix.js';
import { analyseSnapshot, cpuAnalyser, monosemanticity, singleFeatureActivations } from '../../src/analysis/cpu.js';
import { REPORTED_ACTIVATION_FLOOR, type AnalysisConfig } from '../../src/analysis/snapshot.js';

const identity = (n: number) => Float32Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));

/**
 * N = m = 4 with E = I: neurons 0-3 each read one feature (W1 rows = E columns, b1 = 0), neuron
 * 4 reads features 0 and 1, neuron 5 reads feature 2 but its bias is -10 (dead).
 */
const cfg: AnalysisConfig = { N: 4, m: 4, k: 6, nonlinearity: 'ReLU', task: 'decoder' };
const E = identity(4);
const W1 = Float32Array.from([
  ...[1, 0, 0, 0],
  ...[0, 1, 0, 0],
  ...[0, 0, 1, 0],
  ...[0, 0, 0, 1],
  ...[1, 1, 0, 0],
  ...[0, 0, 1, 0],
]);
const b1 = Float32Array.from([0, 0, 0, 0, 0, -10]);
const W2 = Float32Array.from({ length: 4 * 6 }, (_, i) => (i % 7 === 0 ? 1 : 0)); // out x k: W2[j, j] = 1

describe('monosemanticity of hand-built weights', () => {
  it('counts one-feature neurons as monosemantic, not a two-feature neuron nor a dead one', async () => {
    const { sfa, ratio } = await singleFeatureActivations(cfg, { W1, b1 }, E);
    expect(sfa.rows).toBe(6);
    expect(sfa.cols).toBe(4);
    expect([...sfa.data]).toEqual([...W1.subarray(0, 20), 0, 0, 0, 0]);
    expect(ratio[0]).toBeGreaterThan(0.999);
    expect(ratio[4]).toBeCloseTo(0.5, 6);
    expect(ratio[5]).toBe(0);
    const m = await monosemanticity(cfg, { W1, b1 }, E);
    expect(m).toEqual({
      monosemantic_neurons: 4,
      monosemantic_per_feature: 1,
      monosemantic_per_neuron: 4 / 6,
      features_covered: 4,
      dead_neurons: 1,
      activation_floor: 0.1,
      monosemantic_below_floor: 0,
      mean_bias: -10 / 6,
    });
  });

  it('a fully monosemantic layer: W1 rows = E columns, b1 = 0, m = N = k', async () => {
    const m = await monosemanticity({ ...cfg, k: 4 }, { W1: identity(4), b1: new Float32Array(4) }, E);
    expect(m.monosemantic_per_feature).toBe(1);
    expect(m.monosemantic_per_neuron).toBe(1);
  });

  it('the full analysis agrees, with the heat-map order and the biases in that order', async () => {
    const a = await analyseSnapshot(cfg, { W1, b1, W2 }, { E });
    expect(a).toMatchObject({ k: 6, m: 4, N: 4, out: 4, monosemantic_neurons: 4, dead_neurons: 1, mean_bias: -10 / 6 });
    // Neurons 0-3 score N = 4, neuron 4 scores 4 * 1 / 2 = 2, neuron 5 is dead.
    expect([...a.heatmap_order.neurons]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...a.heatmap_order.features]).toEqual([0, 1, 2, 3]);
    expect([...a.biases_in_heatmap_order]).toEqual([0, 0, 0, 0, 0, -10]);
    expect(a.single_feature_outputs).toMatchObject({ rows: 4, cols: 4 });
    expect([...a.single_feature_outputs.data]).toEqual([...identity(4)]);
  });

  it('reuses the activation of the training graph (SoLU: z e^z)', async () => {
    const solu = { ...cfg, nonlinearity: 'SoLU' as const };
    const bias = Float32Array.from([0.5, -0.5, 0, 0, 0, -1]);
    const { sfa } = await singleFeatureActivations(solu, { W1, b1: bias }, E);
    for (let n = 0; n < 6; n++) {
      for (let j = 0; j < 4; j++) {
        const z = W1[n * 4 + j]! + bias[n]!;
        expect(at(sfa, n, j)).toBeCloseTo(z * Math.exp(z), 5);
      }
    }
  });
});

describe('many-feature activations', () => {
  it('equal the single-feature activations when the extra set is empty', async () => {
    const a = await analyseSnapshot(cfg, { W1, b1, W2 }, { E }, { extraFeatures: [] });
    expect(a.many_feature_activations.data).toEqual(a.single_feature_activations.data);
  });

  it('switch the extra features on in every input, once', async () => {
    const a = await analyseSnapshot(cfg, { W1, b1, W2 }, { E }, { extraFeatures: [1] });
    expect(a.extra_features).toEqual([1]);
    // Input for feature j: e_j + e_1 (just e_1 for j = 1). Neuron 4 reads e_0 + e_1.
    expect([...column(a.many_feature_activations, 0)]).toEqual([1, 1, 0, 0, 2, 0]);
    expect([...column(a.many_feature_activations, 1)]).toEqual([0, 1, 0, 0, 1, 0]);
    expect([...column(a.many_feature_activations, 3)]).toEqual([0, 1, 0, 1, 1, 0]);
  });

  it('reject features out of range', async () => {
    await expect(analyseSnapshot(cfg, { W1, b1, W2 }, { E }, { extraFeatures: [4] })).rejects.toThrow(
      /extraFeatures: 4 is not a feature/,
    );
  });
});

describe('matrices of a tiny model (k = 2, m = 2, N = 3)', () => {
  const tiny: AnalysisConfig = { N: 3, m: 2, k: 2, nonlinearity: 'ReLU', task: 'decoder' };
  const w = {
    W1: Float32Array.from([1, 2, 3, 4]), // k x m
    b1: Float32Array.from([-2, 0]),
    W2: Float32Array.from([1, 0, 0, 1, 1, 1]), // out x k = 3 x 2
  };
  const emb = { E: Float32Array.from([1, 0, 1, 0, 1, 1]) }; // m x N

  it('net embedding W1 E, linear model W2 W1 E and single-feature outputs W2 f(W1 E + b1)', async () => {
    const a = await analyseSnapshot(tiny, w, emb);
    expect(a.net_embedding).toEqual({ rows: 2, cols: 3, data: Float32Array.from([1, 2, 3, 3, 4, 7]) });
    expect(a.linear_model).toEqual({ rows: 3, cols: 3, data: Float32Array.from([1, 2, 3, 3, 4, 7, 4, 6, 10]) });
    // SFA = relu([[-1, 0, 1], [3, 4, 7]]) = [[0, 0, 1], [3, 4, 7]].
    expect([...a.single_feature_activations.data]).toEqual([0, 0, 1, 3, 4, 7]);
    expect(a.single_feature_outputs).toEqual({
      rows: 3,
      cols: 3,
      data: Float32Array.from([0, 0, 1, 3, 4, 7, 3, 4, 8]),
    });
  });

  it('amplitude response of one feature: full model and the neurons of each bias sign', async () => {
    // Feature 2: W1 E[:, 2] = [3, 7], h(a) = relu([3a - 2, 7a]); output 2 reads W2[2, :] = [1, 1].
    const a = await analyseSnapshot(tiny, w, emb, { amplitudeFeatures: [2], amplitudes: 3 });
    expect(a.amplitude_response).toHaveLength(1);
    const r = a.amplitude_response[0]!;
    expect(r.feature).toBe(2);
    expect([...r.amplitude]).toEqual([0, 0.5, 1]);
    expect([...r.full]).toEqual([0, 3.5, 8]);
    expect([...r.negative_bias]).toEqual([0, 0, 1]);
    expect([...r.positive_bias]).toEqual([0, 3.5, 7]);
  });

  it('amplitude responses of several features at once equal each one alone', async () => {
    const both = await analyseSnapshot(tiny, w, emb, { amplitudeFeatures: [2, 0], amplitudes: 5 });
    expect(both.amplitude_response.map((r) => r.feature)).toEqual([0, 2]);
    for (const r of both.amplitude_response) {
      const [alone] = (await analyseSnapshot(tiny, w, emb, { amplitudeFeatures: [r.feature], amplitudes: 5 }))
        .amplitude_response;
      expect(r).toEqual(alone);
    }
    // Feature 2 at a = 0.25, 0.75: relu(3a - 2) + 7a = 1.75, 0.25 + 5.25.
    expect([...both.amplitude_response[1]!.full]).toEqual([0, 1.75, 3.5, 5.5, 8]);
  });

  it('for the re-projector, reads the output along F[:, j] / |F[:, j]|^2', async () => {
    const rp: AnalysisConfig = { ...tiny, task: 're-projector' };
    const F = Float32Array.from([0, 0, 1, 0, 0, 1]); // F[:, 2] = [1, 1]
    const a = await analyseSnapshot(
      rp,
      { ...w, W2: Float32Array.from([1, 0, 0, 1]) },
      { ...emb, F },
      { amplitudeFeatures: [2], amplitudes: 3 },
    );
    expect(a.out).toBe(2);
    const r = a.amplitude_response[0]!;
    // y(a) = h(a) = [relu(3a - 2), 7a]; (y . [1, 1]) / 2.
    expect([...r.full]).toEqual([0, 1.75, 4]);
    expect([...r.negative_bias]).toEqual([0, 0, 0.5]);
    expect([...r.positive_bias]).toEqual([0, 1.75, 3.5]);
  });

  it('for the re-projector too, several features at once equal each one alone', async () => {
    const rp: AnalysisConfig = { ...tiny, task: 're-projector' };
    const F = Float32Array.from([1, 0, 1, 0, 2, 1]); // F[:, 0] = [1, 0], F[:, 2] = [1, 1]
    const weights = { ...w, W2: Float32Array.from([1, 0, 0, 1]) };
    const both = await analyseSnapshot(rp, weights, { ...emb, F }, { amplitudeFeatures: [0, 2], amplitudes: 3 });
    for (const r of both.amplitude_response) {
      const [alone] = (
        await analyseSnapshot(rp, weights, { ...emb, F }, { amplitudeFeatures: [r.feature], amplitudes: 3 })
      ).amplitude_response;
      expect(r).toEqual(alone);
    }
    expect([...both.amplitude_response[1]!.full]).toEqual([0, 1.75, 4]);
  });

  it('a reused analyser gives the same answers for several snapshots', async () => {
    const analyser = cpuAnalyser(tiny, { threads: 1 });
    try {
      const first = await analyser.analyse(w, emb);
      const second = await analyser.analyse({ ...w, b1: Float32Array.from([-10, -10]) }, emb);
      expect(second.dead_neurons).toBe(2);
      expect((await analyser.analyse(w, emb)).single_feature_outputs).toEqual(first.single_feature_outputs);
      expect(await analyser.monosemanticity(w, emb.E)).toMatchObject({
        monosemantic_neurons: first.monosemantic_neurons,
        mean_bias: -1,
      });
    } finally {
      await analyser.release();
    }
  });

  it('rejects weights of the wrong size', async () => {
    await expect(analyseSnapshot(tiny, { ...w, W2: new Float32Array(5) }, emb)).rejects.toThrow(
      /W2 has 5 values, expected out x k = 6/,
    );
  });
});

describe("SPEC.md's monosemanticity test: max / (1e-10 + sum) > 0.999", () => {
  // E = I (N = m = 2), b1 = 0: each neuron's SFA row is its W1 row, so the ratio is set by hand.
  const E2 = identity(2);
  const rows: [number, number][] = [
    [1, 1 / 0.99895 - 1], // ratio 0.99895: not monosemantic
    [1, 1 / 0.99905 - 1], // ratio 0.99905: monosemantic
    [1.2e-7, 0], // ratio 1.2e-7 / (1e-10 + 1.2e-7) = 0.99917: monosemantic
    [0.8e-7, 0], // ratio 0.8e-7 / (1e-10 + 0.8e-7) = 0.99875: not (without the 1e-10, 1)
    [0, 0], // dead: no feature activates it
    [-1, -2], // dead
  ];
  const first = { W1: Float32Array.from(rows.flat()), b1: new Float32Array(rows.length) };
  const cfg2: AnalysisConfig = { N: 2, m: 2, k: rows.length, nonlinearity: 'ReLU', task: 'decoder' };

  it('puts the threshold between 0.99895 and 0.99905, and the 1e-10 between 0.8e-10 and 1.2e-10', async () => {
    const { ratio } = await singleFeatureActivations(cfg2, first, E2);
    expect(ratio[0]).toBeCloseTo(0.99895, 6);
    expect(ratio[1]).toBeCloseTo(0.99905, 6);
    expect(ratio[2]).toBeCloseTo(1.2e-7 / (1e-10 + 1.2e-7), 6);
    expect(ratio[3]).toBeCloseTo(0.8e-7 / (1e-10 + 0.8e-7), 6);
    expect([...ratio.subarray(4)]).toEqual([0, 0]);
    const m = await monosemanticity(cfg2, first, E2);
    expect(m.monosemantic_neurons).toBe(2);
    expect(m.monosemantic_per_feature).toBe(2 / 2);
    expect(m.monosemantic_per_neuron).toBe(2 / 6);
    expect(m.dead_neurons).toBe(2);
  });
});

describe("features covered: distinct features that are some monosemantic neuron's argmax", () => {
  // E = I (N = m = 4), b1 = 0: each neuron's SFA row is its W1 row.
  const layer = (rows: number[][]) => ({ W1: Float32Array.from(rows.flat()), b1: new Float32Array(rows.length) });
  const cfg4 = (k: number): AnalysisConfig => ({ N: 4, m: 4, k, nonlinearity: 'ReLU', task: 'decoder' });

  it('counts two monosemantic neurons of one feature once: 3 monosemantic, 2 features covered', async () => {
    const rows = [
      [1, 0, 0, 0], // feature 0
      [0.5, 0, 0, 0], // feature 0 again
      [0, 0, 1, 0], // feature 2
      [0, 1, 0, 1], // ratio 1/2, its argmax (feature 1) is not covered
      [0, 0, 0, 0], // dead
    ];
    const m = await monosemanticity(cfg4(5), layer(rows), identity(4));
    expect(m).toMatchObject({
      monosemantic_neurons: 3,
      monosemantic_per_feature: 3 / 4,
      features_covered: 2,
      dead_neurons: 1,
      monosemantic_below_floor: 0,
    });
    const a = await analyseSnapshot(cfg4(5), { ...layer(rows), W2: new Float32Array(4 * 5) }, { E: identity(4) });
    expect(a).toMatchObject({ monosemantic_neurons: 3, features_covered: 2 });
  });

  it('takes the argmax of each neuron, not of feature 0 alone', async () => {
    const m = await monosemanticity(
      cfg4(3),
      layer([
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ]),
      identity(4),
    );
    expect(m).toMatchObject({ monosemantic_neurons: 3, features_covered: 3 });
  });
});

describe('the activation floor', () => {
  const cfg5: AnalysisConfig = { N: 4, m: 4, k: 5, nonlinearity: 'ReLU', task: 'decoder' };
  // Every row but the last has ratio 1; their largest activations straddle the reported floor 0.1.
  const rows = [
    [1, 0, 0, 0], // max 1
    [0, 0.05, 0, 0], // max 0.05
    [0, 0, 0.0999, 0], // just below 0.1
    [0, 0, 0, 0.1001], // just above 0.1
    [0.5, 0.5, 0, 0], // ratio 1/2
  ];
  const first = { W1: Float32Array.from(rows.flat()), b1: new Float32Array(5) };
  const E4 = identity(4);

  it("by default keeps the paper's definition and reports the neurons below 0.1", async () => {
    expect(REPORTED_ACTIVATION_FLOOR).toBe(0.1);
    const m = await monosemanticity(cfg5, first, E4);
    expect(m).toMatchObject({
      monosemantic_neurons: 4,
      features_covered: 4,
      activation_floor: 0.1,
      monosemantic_below_floor: 2,
    });
  });

  it('with monoMinActivation 0.1, excludes exactly the neurons below it, from the count and from the features covered', async () => {
    const m = await monosemanticity(cfg5, first, E4, { monoMinActivation: 0.1 });
    expect(m).toMatchObject({
      monosemantic_neurons: 2,
      monosemantic_per_feature: 2 / 4,
      monosemantic_per_neuron: 2 / 5,
      features_covered: 2,
      activation_floor: 0.1,
      monosemantic_below_floor: 2,
    });
    const a = await analyseSnapshot(
      cfg5,
      { ...first, W2: new Float32Array(4 * 5) },
      { E: E4 },
      { monoMinActivation: 0.1 },
    );
    expect(a).toMatchObject({
      monosemantic_neurons: 2,
      features_covered: 2,
      activation_floor: 0.1,
      monosemantic_below_floor: 2,
    });
  });

  it('counts a neuron whose largest activation equals the floor, not one just below it; 0 excludes none', async () => {
    const edge = { W1: Float32Array.from([0.25, 0, 0, 0]), b1: new Float32Array(1) };
    const one: AnalysisConfig = { ...cfg5, k: 1 };
    expect(await monosemanticity(one, edge, E4, { monoMinActivation: 0.25 })).toMatchObject({
      monosemantic_neurons: 1,
      monosemantic_below_floor: 0,
      activation_floor: 0.25,
    });
    expect(await monosemanticity(one, edge, E4, { monoMinActivation: 0.25 + 1e-9 })).toMatchObject({
      monosemantic_neurons: 0,
      features_covered: 0,
      monosemantic_below_floor: 1,
    });
    expect(await monosemanticity(cfg5, first, E4, { monoMinActivation: 0 })).toMatchObject({
      monosemantic_neurons: 4,
      activation_floor: 0,
      monosemantic_below_floor: 0,
    });
    // The ratio still decides first: a floor does not make the two-feature neuron monosemantic.
    expect(await monosemanticity(cfg5, first, E4, { monoMinActivation: 0.05 })).toMatchObject({
      monosemantic_neurons: 4,
      monosemantic_below_floor: 0,
    });
  });

  it.each([-0.1, NaN, Infinity])('rejects monoMinActivation %s with a RangeError naming it', async (bad) => {
    expect(() => cpuAnalyser(cfg5, { monoMinActivation: bad })).toThrow(RangeError);
    await expect(monosemanticity(cfg5, first, E4, { monoMinActivation: bad })).rejects.toThrow(
      new RegExp(`^monoMinActivation: ${bad} must be a finite number >= 0$`),
    );
    await expect(
      analyseSnapshot(cfg5, { ...first, W2: new Float32Array(20) }, { E: E4 }, { monoMinActivation: bad }),
    ).rejects.toThrow(/monoMinActivation/);
  });
});
