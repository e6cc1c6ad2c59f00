// The functions from a sweep's data to each figure's input (src/figures/from-sweep.ts), on
// hand-built SweepData: no training, no ORT.
import { describe, expect, it } from 'vitest';
import {
  biasPlotInput,
  colourField,
  colourValue,
  finalMeasures,
  gridInput,
  heatmapChoice,
  lossVsMonoInput,
  monoVsNOverKInput,
  monoVsSweepInput,
  runMark,
  runTitle,
  sweepCaption,
  trainingInput,
} from '../../src/figures/from-sweep.js';
import type {
  RunConfigData,
  SeriesData,
  SweepData,
  SweepPointData,
  SweepRunData,
} from '../../src/figures/sweep-data.js';
import type { SweepValue } from '../../src/figures/types.js';

const SCALE = 'laptop (batch 2^10, 2^13 steps)';
/** The zero-output loss of every run unless a test says otherwise. */
const Z = 2;

const CONFIG: RunConfigData = {
  N: 512,
  m: 64,
  k: 512,
  eps: 1 / 64,
  task: 'decoder',
  nonlinearity: 'relu',
  sample_kind: 'uniform',
  optimizer: 'lamb',
  schedule: 'paper',
  learning_rate: 0.003,
  decay: 0,
  initial_bias: -1,
  reg: 0,
  seed: 0,
  log2_batch_size: 10,
  log2_training_steps: 13,
  threads: 1,
};

/** A snapshot whose measures all differ, so that a mix-up of fields shows. */
function snap(step: number, mono: number, over: Partial<SeriesData> = {}): SeriesData {
  return {
    log2_step: Math.log2(step + 1),
    step,
    monosemantic_neurons: mono * 512,
    monosemantic_per_feature: mono,
    monosemantic_per_neuron: mono / 2,
    dead_neurons: 3,
    mean_bias: -step / 10000,
    ...over,
  };
}

interface RunSpec {
  point: number;
  values: Record<string, SweepValue>;
  id?: string;
  status?: 'finished' | 'diverged';
  config?: Partial<RunConfigData>;
  /** The final snapshot's mono / N (the default series has 3 points, not in step order). */
  mono?: number;
  series?: SeriesData[];
  loss?: (number | null)[];
  biases?: number[] | null;
  zero?: number;
}

/** A settled run; its swept values are also its config's. */
function run(s: RunSpec): SweepRunData {
  const status = s.status ?? 'finished';
  const mono = s.mono ?? 0.5;
  const loss = s.loss ?? (status === 'diverged' ? [1.5, 1, null] : [1.5, 1, 0.5]);
  const fromValues = Object.fromEntries(Object.entries(s.values).filter(([f]) => f in CONFIG));
  return {
    id: s.id ?? `run-${s.point}`,
    point: s.point,
    values: s.values,
    status,
    diverged_at_step: status === 'diverged' ? 32 : null,
    config: { ...CONFIG, ...fromValues, ...s.config } as RunConfigData,
    series: s.series ?? [snap(0, 0), snap(8191, mono), snap(63, mono / 2)],
    losses: { every: 16, steps: loss.map((_, i) => i * 16), loss },
    biases: s.biases === undefined ? [0.5, -0.25, -1] : s.biases,
    zero_output_loss: s.zero ?? Z,
  };
}

type Variables = SweepData['variables'];

function sweep(variables: Variables, runs: SweepRunData[], over: Partial<SweepData> = {}): SweepData {
  const points: SweepPointData[] = runs.map((r) => ({ point: r.point, values: r.values, status: r.status }));
  return { name: 'S', batch: null, scale: SCALE, fixed: {}, variables, points, runs, ...over };
}

const LR: Variables = [{ field: 'learning_rate', values: [0.001, 0.003, 0.01] }];
const GRID: Variables = [
  { field: 'learning_rate', values: [0.001, 0.003] },
  { field: 'initial_bias', values: [-1, 0, 1] },
];

/** A one-variable sweep over `field`, run i at values[i] with final mono / N monos[i]. */
function oneVariable(field: string, values: SweepValue[], monos: number[], over: Partial<RunSpec> = {}): SweepData {
  return sweep(
    [{ field, values }],
    values.map((v, i) => run({ point: i, values: { [field]: v }, mono: monos[i]!, ...over })),
  );
}

const times = (n: number, x: number | null): (number | null)[] => Array.from({ length: n }, () => x);

describe('runMark', () => {
  it('marks a diverged run diverged, whatever its loss', () => {
    expect(runMark(run({ point: 0, values: {}, status: 'diverged', loss: times(8, 0.99 * Z) }))).toBe('diverged');
    expect(runMark(run({ point: 0, values: {}, status: 'diverged', loss: times(8, 0.1) }))).toBe('diverged');
  });

  it('marks never-learned on the mean of the last 8 records within 5% of the zero-output loss', () => {
    // The last 8 at 0.96 of the zero-output loss, the 56 before them far below: never learned.
    expect(runMark(run({ point: 0, values: {}, loss: [...times(56, 0.5 * Z), ...times(8, 0.96 * Z)] }))).toBe(
      'never-learned',
    );
    // The last 8 at 0.94, the 56 before at the zero-output loss: learned.
    expect(runMark(run({ point: 0, values: {}, loss: [...times(56, Z), ...times(8, 0.94 * Z)] }))).toBe('ok');
    // Just either side of the 5% edge.
    expect(runMark(run({ point: 0, values: {}, loss: times(8, 0.951 * Z) }))).toBe('never-learned');
    expect(runMark(run({ point: 0, values: {}, loss: times(8, 0.949 * Z) }))).toBe('ok');
  });

  it('uses the mean of the last 8 records, not the last record', () => {
    expect(runMark(run({ point: 0, values: {}, loss: [...times(7, Z), 0.9 * Z] }))).toBe('never-learned');
    expect(runMark(run({ point: 0, values: {}, loss: [...times(7, 0.9 * Z), Z] }))).toBe('ok');
  });

  it("compares with the run's own zero-output loss", () => {
    expect(runMark(run({ point: 0, values: {}, loss: times(8, 1), zero: 1 }))).toBe('never-learned');
    expect(runMark(run({ point: 0, values: {}, loss: times(8, 1), zero: 2 }))).toBe('ok');
  });

  it('reads a null loss as not finite: in the last 8 the run is not marked never-learned, before them it does not count', () => {
    expect(runMark(run({ point: 0, values: {}, loss: [...times(7, Z), null] }))).toBe('ok');
    expect(runMark(run({ point: 0, values: {}, loss: [null, ...times(8, Z)] }))).toBe('never-learned');
  });
});

describe('finalMeasures', () => {
  it('takes the snapshot with the largest step, in whatever order the series is', () => {
    const series = [snap(7, 0.2), snap(8191, 0.7), snap(0, 0), snap(1023, 0.6)];
    const f = finalMeasures(run({ point: 0, values: {}, series }));
    expect(f.snapshot).toBe(series[1]);
    expect(finalMeasures(run({ point: 0, values: {}, series: [snap(8191, 0.7), snap(7, 0.2)] })).snapshot!.step).toBe(
      8191,
    );
    expect(finalMeasures(run({ point: 0, values: {}, series: [snap(3, 0.1)] })).snapshot!.step).toBe(3);
  });

  it('has no snapshot without a series', () => {
    const f = finalMeasures(run({ point: 0, values: {}, series: [] }));
    expect(f.snapshot).toBeUndefined();
    expect('snapshot' in f).toBe(false);
    expect(f.mark).toBe('ok');
  });

  it('gives the last-8 and last-64 windows', () => {
    // 6 records outside both windows, 56 in the long one only, 8 in both.
    const f = finalMeasures(run({ point: 0, values: {}, loss: [...times(6, 100), ...times(56, 2), ...times(8, 1)] }));
    expect(f.loss.last8).toEqual({ mean: 1, se: 0, n: 8 });
    expect(f.loss.last64.mean).toBe(1.875);
    expect(f.loss.last64.n).toBe(64);
    // Deviations 0.125 (56 times) and -0.875 (8 times): sqrt(7 / 63 / 64) = 1/24.
    expect(f.loss.last64.se).toBeCloseTo(1 / 24, 12);
    expect(f.mark).toBe('ok');
  });

  it('marks the run as runMark does', () => {
    expect(finalMeasures(run({ point: 0, values: {}, loss: times(8, Z) })).mark).toBe('never-learned');
    expect(finalMeasures(run({ point: 0, values: {}, status: 'diverged' })).mark).toBe('diverged');
  });

  it('turns a null loss into NaN', () => {
    const f = finalMeasures(run({ point: 0, values: {}, loss: [1, 2, null] }));
    expect(f.loss.last8.mean).toBeNaN();
    expect(f.loss.last64.mean).toBeNaN();
    expect(f.loss.last8.n).toBe(3);
  });
});

describe('colourField, colourValue and runTitle', () => {
  it('one variable: colours by it', () => {
    const d = oneVariable('learning_rate', [0.001, 0.003], [0.1, 0.2]);
    expect(colourField(d)).toStrictEqual({ field: 'learning_rate', fields: ['learning_rate'] });
    expect(colourValue(d, { learning_rate: 0.003 })).toBe(0.003);
    expect(colourValue(d, {})).toBe('?');
    expect(d.runs.map((r) => runTitle(d, r))).toEqual(['learning rate = 0.001', 'learning rate = 0.003']);
  });

  it('a variable and seeds: colours by the variable, titles carry the seed', () => {
    const vars: Variables = [
      { field: 'learning_rate', values: [0.001, 0.003] },
      { field: 'seed', values: [0, 1] },
    ];
    const d = sweep(vars, [
      run({ point: 0, values: { learning_rate: 0.001, seed: 0 } }),
      run({ point: 1, values: { learning_rate: 0.001, seed: 1 } }),
      run({ point: 2, values: { learning_rate: 0.003, seed: 0 } }),
    ]);
    expect(colourField(d)).toStrictEqual({ field: 'learning_rate', fields: ['learning_rate'] });
    expect(colourField({ variables: [...vars].reverse() })).toStrictEqual({
      field: 'learning_rate',
      fields: ['learning_rate'],
    });
    expect(colourValue(d, { learning_rate: 0.001, seed: 1 })).toBe(0.001);
    expect(d.runs.map((r) => runTitle(d, r))).toEqual([
      'learning rate = 0.001, seed 0',
      'learning rate = 0.001, seed 1',
      'learning rate = 0.003, seed 0',
    ]);
  });

  it('a seed variable whose runs all have one seed: no seed in the title', () => {
    const d = sweep(
      [
        { field: 'learning_rate', values: [0.001, 0.003] },
        { field: 'seed', values: [0] },
      ],
      [
        run({ point: 0, values: { learning_rate: 0.001, seed: 0 } }),
        run({ point: 1, values: { learning_rate: 0.003, seed: 0 } }),
      ],
    );
    expect(d.runs.map((r) => runTitle(d, r))).toEqual(['learning rate = 0.001', 'learning rate = 0.003']);
  });

  it('seeds only: colours by the seed, titles name it once', () => {
    const d = sweep(
      [{ field: 'seed', values: [0, 1, 2] }],
      [0, 1, 2].map((s) => run({ point: s, values: { seed: s } })),
    );
    expect(colourField(d)).toStrictEqual({ field: 'seed', fields: ['seed'] });
    expect(colourValue(d, { seed: 2 })).toBe(2);
    expect(d.runs.map((r) => runTitle(d, r))).toEqual(['seed = 0', 'seed = 1', 'seed = 2']);
  });

  it('two variables: colours by the combination', () => {
    const d = sweep(GRID, [
      run({ point: 0, values: { learning_rate: 0.003, initial_bias: -1 } }),
      run({ point: 1, values: { learning_rate: 0.001, initial_bias: 0 } }),
    ]);
    expect(colourField(d)).toStrictEqual({
      field: 'point',
      label: 'learning rate × initial mean bias',
      fields: ['learning_rate', 'initial_bias'],
    });
    expect(colourValue(d, { learning_rate: 0.003, initial_bias: -1 })).toBe('0.003 × -1');
    expect(colourValue(d, { learning_rate: 0.003 })).toBe('0.003 × ?');
    expect(runTitle(d, d.runs[0]!)).toBe('learning rate × initial mean bias = 0.003 × -1');
    expect(runTitle(d, d.runs[1]!)).toBe('learning rate × initial mean bias = 0.001 × 0');
  });

  it('two variables and seeds: the seed joins the title, not the colour', () => {
    const d = sweep(
      [...GRID, { field: 'seed', values: [0, 1] }],
      [
        run({ point: 0, values: { learning_rate: 0.003, initial_bias: -1, seed: 0 } }),
        run({ point: 1, values: { learning_rate: 0.003, initial_bias: -1, seed: 1 } }),
      ],
    );
    expect(colourField(d).fields).toEqual(['learning_rate', 'initial_bias']);
    expect(colourValue(d, d.runs[1]!.values)).toBe('0.003 × -1');
    expect(runTitle(d, d.runs[1]!)).toBe('learning rate × initial mean bias = 0.003 × -1, seed 1');
  });
});

describe('trainingInput', () => {
  it('gives every run its value, id, mark, snapshots and losses (null as NaN), and the schedule', () => {
    const d = sweep(LR, [
      run({
        point: 0,
        values: { learning_rate: 0.001 },
        id: 'a',
        series: [snap(0, 0), snap(7, 0.25)],
        loss: [2, 1, null, 0.5],
        zero: 2,
      }),
      run({
        point: 1,
        values: { learning_rate: 0.003 },
        id: 'b',
        series: [snap(3, 0.125)],
        loss: times(8, 2),
        zero: 2.08,
        config: { decay: 0.03 },
      }),
      run({
        point: 2,
        values: { learning_rate: 0.01 },
        id: 'c',
        status: 'diverged',
        series: [],
        loss: [1, null],
        zero: 2,
      }),
    ]);
    const input = trainingInput(d);
    expect(input).toStrictEqual({
      scale: SCALE,
      sweep: { field: 'learning_rate', fields: ['learning_rate'] },
      runs: [
        {
          value: 0.001,
          id: 'a',
          mark: 'ok',
          snapshots: [
            { log2_step: 0, mono_per_feature: 0, mean_bias: -0 },
            { log2_step: 3, mono_per_feature: 0.25, mean_bias: -0.0007 },
          ],
          losses: { steps: [0, 16, 32, 48], loss: [2, 1, NaN, 0.5] },
        },
        {
          value: 0.003,
          id: 'b',
          mark: 'never-learned',
          snapshots: [{ log2_step: 2, mono_per_feature: 0.125, mean_bias: -0.0003 }],
          losses: { steps: [0, 16, 32, 48, 64, 80, 96, 112], loss: times(8, 2) },
        },
        { value: 0.01, id: 'c', mark: 'diverged', snapshots: [], losses: { steps: [0, 16], loss: [1, NaN] } },
      ],
      zeroOutputLoss: input.zeroOutputLoss,
      steps: 8192,
      schedule: 'paper',
      decay: true,
    });
    // 2, 2.08 and 2 agree within 5%: their mean.
    expect(input.zeroOutputLoss).toBeCloseTo(6.08 / 3, 12);
  });

  it('takes the steps and schedule from the first run, decay from any run', () => {
    const d = sweep(LR, [
      run({
        point: 0,
        values: { learning_rate: 0.001 },
        config: { log2_training_steps: 10, schedule: 'constant', decay: 0 },
      }),
      run({
        point: 1,
        values: { learning_rate: 0.003 },
        config: { log2_training_steps: 13, schedule: 'paper', decay: 0 },
      }),
    ]);
    const input = trainingInput(d);
    expect(input.steps).toBe(1024);
    expect(input.schedule).toBe('constant');
    expect(input.decay).toBe(false);
    d.runs[1]!.config.decay = 0.001;
    expect(trainingInput(d).decay).toBe(true);
    d.runs[0]!.config.decay = 0.001;
    d.runs[1]!.config.decay = 0;
    expect(trainingInput(d).decay).toBe(true);
  });

  it('passes the zero-output loss when the runs agree on it within 5%, not when they differ more', () => {
    const zeros = (...z: number[]) =>
      trainingInput(
        sweep(
          LR,
          z.map((zero, i) => run({ point: i, values: { learning_rate: 0.001 * (i + 1) }, zero })),
        ),
      );
    expect(zeros(2, 2.1).zeroOutputLoss).toBeCloseTo(2.05, 12);
    expect(zeros(2.1, 2).zeroOutputLoss).toBeCloseTo(2.05, 12);
    expect(zeros(2, 2.04, 2.1, 2.02).zeroOutputLoss).toBeCloseTo(2.04, 12);
    expect('zeroOutputLoss' in zeros(2, 2.11)).toBe(false);
    expect('zeroOutputLoss' in zeros(2.11, 2)).toBe(false);
    expect('zeroOutputLoss' in zeros(2, 2.02, 3)).toBe(false);
    // A zero-output loss that is not finite is left out of the agreement.
    expect(zeros(2, NaN).zeroOutputLoss).toBe(2);
    expect(zeros(Infinity, 3).zeroOutputLoss).toBe(3);
    expect('zeroOutputLoss' in zeros(NaN)).toBe(false);
    expect(zeros(1.5).zeroOutputLoss).toBe(1.5);
  });

  it('with no runs: no runs, no schedule guides', () => {
    expect(trainingInput(sweep(LR, []))).toStrictEqual({
      scale: SCALE,
      sweep: { field: 'learning_rate', fields: ['learning_rate'] },
      runs: [],
    });
  });

  it('colours a grid by its combined value', () => {
    const d = sweep(GRID, [run({ point: 0, values: { learning_rate: 0.003, initial_bias: -1 } })]);
    const input = trainingInput(d);
    expect(input.runs[0]!.value).toBe('0.003 × -1');
    expect(input.sweep).toMatchObject({ field: 'point', label: 'learning rate × initial mean bias' });
  });
});

describe('monoVsSweepInput', () => {
  it('gives mono / k, mono / N and features covered / N of the final snapshot, one point per run', () => {
    const d = sweep(LR, [
      run({
        point: 0,
        values: { learning_rate: 0.001 },
        series: [snap(8191, 0.25, { features_covered: 64 }), snap(0, 0, { features_covered: 1 })],
      }),
      run({ point: 1, values: { learning_rate: 0.003 }, series: [snap(8191, 0.5)], loss: times(8, Z) }),
      run({ point: 2, values: { learning_rate: 0.01 }, series: [] }),
      run({
        point: 3,
        values: { learning_rate: 0.03 },
        status: 'diverged',
        series: [snap(31, 0.75, { features_covered: 256 })],
      }),
    ]);
    expect(monoVsSweepInput(d)).toStrictEqual({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      points: [
        {
          value: 0.001,
          mark: 'ok',
          mono_per_neuron: 0.125,
          mono_per_feature: 0.25,
          features_covered_per_feature: 64 / 512,
        },
        { value: 0.003, mark: 'never-learned', mono_per_neuron: 0.25, mono_per_feature: 0.5 },
        {
          value: 0.03,
          mark: 'diverged',
          mono_per_neuron: 0.375,
          mono_per_feature: 0.75,
          features_covered_per_feature: 0.5,
        },
      ],
    });
  });

  it("divides features covered by the run's own N", () => {
    const d = sweep(
      [{ field: 'N', values: [256, 512] }],
      [
        run({ point: 0, values: { N: 256 }, series: [snap(1, 0.5, { features_covered: 64 })] }),
        run({ point: 1, values: { N: 512 }, series: [snap(1, 0.5, { features_covered: 64 })] }),
      ],
    );
    expect(monoVsSweepInput(d)!.points.map((p) => p.features_covered_per_feature)).toEqual([0.25, 0.125]);
    expect('N' in monoVsSweepInput(d)!).toBe(false);
  });

  it('gives N only for k sweeps', () => {
    const k = oneVariable('k', [256, 512], [0.2, 0.4], { config: { N: 1024 } });
    expect(monoVsSweepInput(k)!.N).toBe(1024);
    expect(monoVsSweepInput(k)!.sweep).toStrictEqual({ field: 'k' });
    expect('N' in monoVsSweepInput(oneVariable('learning_rate', [0.001], [0.2]))!).toBe(false);
  });

  it('draws a sweep of seeds only, against the seed', () => {
    const d = sweep(
      [{ field: 'seed', values: [0, 1] }],
      [run({ point: 0, values: { seed: 0 } }), run({ point: 1, values: { seed: 1 } })],
    );
    expect(monoVsSweepInput(d)!.points.map((p) => p.value)).toEqual([0, 1]);
    expect(monoVsSweepInput(d)!.sweep).toStrictEqual({ field: 'seed' });
  });

  it('is undefined for a grid of two variables, without runs, or without snapshots', () => {
    expect(
      monoVsSweepInput(sweep(GRID, [run({ point: 0, values: { learning_rate: 0.001, initial_bias: 0 } })])),
    ).toBeUndefined();
    expect(monoVsSweepInput(sweep(LR, []))).toBeUndefined();
    expect(
      monoVsSweepInput(sweep(LR, [run({ point: 0, values: { learning_rate: 0.001 }, series: [] })])),
    ).toBeUndefined();
  });
});

describe('biasPlotInput', () => {
  it('leaves out runs without biases and marks each run at its final mono', () => {
    const d = sweep(LR, [
      run({ point: 0, values: { learning_rate: 0.001 }, id: 'a', biases: null }),
      run({
        point: 1,
        values: { learning_rate: 0.003 },
        id: 'b',
        biases: [1, -1],
        series: [snap(0, 0), snap(8191, 0.25), snap(63, 0.125)],
        config: { N: 256 },
      }),
      run({ point: 2, values: { learning_rate: 0.01 }, id: 'c', biases: [0.5], series: [], status: 'diverged' }),
    ]);
    expect(biasPlotInput(d)).toStrictEqual({
      scale: SCALE,
      sweep: { field: 'learning_rate', fields: ['learning_rate'] },
      N: 256,
      runs: [
        { value: 0.003, id: 'b', mark: 'ok', biases: [1, -1], mono: 128 },
        { value: 0.01, id: 'c', mark: 'diverged', biases: [0.5] },
      ],
    });
  });

  it('marks a run that never learned, and is undefined when no run has biases', () => {
    const d = sweep(LR, [run({ point: 0, values: { learning_rate: 0.001 }, loss: times(8, Z) })]);
    expect(biasPlotInput(d)!.runs[0]!.mark).toBe('never-learned');
    expect(biasPlotInput(d)!.runs[0]!.mono).toBe(256);
    expect(
      biasPlotInput(sweep(LR, [run({ point: 0, values: { learning_rate: 0.001 }, biases: null })])),
    ).toBeUndefined();
    expect(biasPlotInput(sweep(LR, []))).toBeUndefined();
  });
});

describe('gridInput', () => {
  it('puts the first variable up and the second across; diverged and missing points are grey', () => {
    const runs = [
      run({ point: 0, values: { learning_rate: 0.001, initial_bias: -1 }, mono: 0.25 }),
      run({ point: 1, values: { learning_rate: 0.001, initial_bias: 0 }, status: 'diverged', mono: 0.9 }),
      run({ point: 2, values: { learning_rate: 0.001, initial_bias: 1 }, series: [] }),
      run({ point: 3, values: { learning_rate: 0.003, initial_bias: -1 }, mono: 0.0625, loss: times(8, Z) }),
      run({ point: 5, values: { learning_rate: 0.003, initial_bias: 1 }, mono: 0.75 }),
    ];
    const points: SweepPointData[] = [
      ...runs.slice(0, 4).map((r) => ({ point: r.point, values: r.values, status: r.status })),
      { point: 4, values: { learning_rate: 0.003, initial_bias: 0 }, status: 'missing' },
      { point: 5, values: { learning_rate: 0.003, initial_bias: 1 }, status: 'finished' },
    ];
    // Runs in another order than the points: cells follow the points.
    const d = sweep(GRID, [runs[4]!, ...runs.slice(0, 4)], { points });
    expect(gridInput(d)).toStrictEqual({
      scale: SCALE,
      x: { field: 'initial_bias' },
      y: { field: 'learning_rate' },
      cells: [
        { x: -1, y: 0.001, value: 0.25 },
        { x: 0, y: 0.001, value: null },
        { x: 1, y: 0.001, value: null },
        { x: -1, y: 0.003, value: 0.0625, mark: 'never-learned' },
        { x: 0, y: 0.003, value: null },
        { x: 1, y: 0.003, value: 0.75 },
      ],
    });
  });

  it('averages the seeds of a cell; a cell with a missing or diverged seed is grey', () => {
    const vars: Variables = [
      { field: 'learning_rate', values: [0.001] },
      { field: 'initial_bias', values: [-1, 0] },
      { field: 'seed', values: [0, 1] },
    ];
    const runs = [
      run({ point: 0, values: { learning_rate: 0.001, initial_bias: -1, seed: 0 }, mono: 0.25 }),
      run({ point: 1, values: { learning_rate: 0.001, initial_bias: -1, seed: 1 }, mono: 0.75 }),
      run({ point: 2, values: { learning_rate: 0.001, initial_bias: 0, seed: 0 }, mono: 0.5 }),
      run({ point: 3, values: { learning_rate: 0.001, initial_bias: 0, seed: 1 }, mono: 0.5, status: 'diverged' }),
    ];
    expect(gridInput(sweep(vars, runs))!.cells).toStrictEqual([
      { x: -1, y: 0.001, value: 0.5 },
      { x: 0, y: 0.001, value: null },
    ]);
  });

  it('marks a cell never learned only when every seed of it never learned', () => {
    const vars: Variables = [
      { field: 'learning_rate', values: [0.001] },
      { field: 'initial_bias', values: [-1, 0] },
      { field: 'seed', values: [0, 1] },
    ];
    const at = (point: number, bias: number, seed: number, loss: number) =>
      run({ point, values: { learning_rate: 0.001, initial_bias: bias, seed }, mono: 0.5, loss: times(8, loss) });
    const runs = [at(0, -1, 0, Z), at(1, -1, 1, Z), at(2, 0, 0, Z), at(3, 0, 1, 0.5 * Z)];
    expect(gridInput(sweep(vars, runs))!.cells).toStrictEqual([
      { x: -1, y: 0.001, value: 0.5, mark: 'never-learned' },
      { x: 0, y: 0.001, value: 0.5 },
    ]);
  });

  it('skips the seed when choosing the axes', () => {
    const vars: Variables = [
      { field: 'seed', values: [0] },
      { field: 'eps', values: [0.5] },
      { field: 'k', values: [64] },
    ];
    const d = sweep(vars, [run({ point: 0, values: { seed: 0, eps: 0.5, k: 64 }, mono: 0.5 })]);
    const g = gridInput(d)!;
    expect(g.y).toStrictEqual({ field: 'eps' });
    expect(g.x).toStrictEqual({ field: 'k' });
    expect(g.cells).toStrictEqual([{ x: 64, y: 0.5, value: 0.5 }]);
  });

  it('is undefined for one variable, with or without seeds', () => {
    expect(gridInput(oneVariable('learning_rate', [0.001], [0.5]))).toBeUndefined();
    const d = sweep(
      [
        { field: 'learning_rate', values: [0.001] },
        { field: 'seed', values: [0, 1] },
      ],
      [run({ point: 0, values: { learning_rate: 0.001, seed: 0 } })],
    );
    expect(gridInput(d)).toBeUndefined();
  });
});

describe('lossVsMonoInput', () => {
  /** 6 records outside, 56 in the last 64 only, 8 in both: last-64 mean 1.875 ± 1/24, last-8 mean 1. */
  const LONG = [...times(6, 100), ...times(56, 2), ...times(8, 1)];

  it('gives the last-64 mean and standard error against the final mono / N', () => {
    const d = sweep(
      LR,
      [
        run({ point: 0, values: { learning_rate: 0.001 }, id: 'a', loss: LONG, mono: 0.25, zero: 4 }),
        run({ point: 1, values: { learning_rate: 0.003 }, id: 'b', loss: [1.5], mono: 0.5, zero: 4 }),
        run({ point: 2, values: { learning_rate: 0.01 }, id: 'c', series: [], loss: [3, 1], zero: 4 }),
        run({
          point: 3,
          values: { learning_rate: 0.03 },
          id: 'd',
          status: 'diverged',
          loss: [1, null],
          mono: 0.75,
          zero: 4,
        }),
      ],
      { name: 'LR1' },
    );
    const input = lossVsMonoInput([d])!;
    expect(input).toStrictEqual({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      points: [
        {
          value: 0.001,
          id: 'a',
          sweep: 'LR1',
          mark: 'ok',
          loss: 1.875,
          loss_se: input.points[0]!.loss_se,
          mono_per_feature: 0.25,
        },
        // One record: no standard error.
        { value: 0.003, id: 'b', sweep: 'LR1', mark: 'ok', loss: 1.5, mono_per_feature: 0.5 },
        // No snapshot: mono / N is NaN.
        { value: 0.01, id: 'c', sweep: 'LR1', mark: 'ok', loss: 2, loss_se: 1, mono_per_feature: NaN },
        { value: 0.03, id: 'd', sweep: 'LR1', mark: 'diverged', loss: NaN, mono_per_feature: 0.75 },
      ],
      lossTitle: 'loss, mean of the last 64 records',
      zeroOutputLoss: 4,
    });
    expect(input.points[0]!.loss_se).toBeCloseTo(1 / 24, 12);
  });

  it('keeps a standard error of 0', () => {
    const d = sweep(LR, [run({ point: 0, values: { learning_rate: 0.001 }, loss: times(4, 1) })]);
    expect(lossVsMonoInput([d])!.points[0]!.loss_se).toBe(0);
  });

  it('several sweeps sharing a field keep it; differing fields colour by the sweep', () => {
    const a = sweep(LR, [run({ point: 0, values: { learning_rate: 0.001 }, id: 'a0' })], { name: 'LR1' });
    const b = sweep(LR, [run({ point: 0, values: { learning_rate: 0.003 }, id: 'b0' })], {
      name: 'LR2',
      scale: 'paper',
    });
    const shared = lossVsMonoInput([a, b])!;
    expect(shared.sweep).toStrictEqual({ field: 'learning_rate' });
    expect(shared.points.map((p) => [p.value, p.sweep, p.id])).toEqual([
      [0.001, 'LR1', 'a0'],
      [0.003, 'LR2', 'b0'],
    ]);
    expect(shared.scale).toBe(`${SCALE}; paper`);
    expect(lossVsMonoInput([a, { ...a, name: 'LR1b' }])!.scale).toBe(SCALE);

    const bias = sweep(
      [{ field: 'initial_bias', values: [-1] }],
      [run({ point: 0, values: { initial_bias: -1 }, id: 'c0' })],
      { name: 'B3' },
    );
    const mixed = lossVsMonoInput([a, bias])!;
    expect(mixed.sweep).toStrictEqual({ field: 'sweep', label: 'sweep' });
    expect(mixed.points.map((p) => [p.value, p.sweep])).toEqual([
      ['LR1', 'LR1'],
      ['B3', 'B3'],
    ]);
  });

  it('keeps the label of grids that share the combined field', () => {
    const g1 = sweep(GRID, [run({ point: 0, values: { learning_rate: 0.001, initial_bias: -1 } })], { name: 'G1' });
    const g2 = sweep(GRID, [run({ point: 0, values: { learning_rate: 0.003, initial_bias: 0 } })], { name: 'G2' });
    const input = lossVsMonoInput([g1, g2])!;
    expect(input.sweep).toStrictEqual({ field: 'point', label: 'learning rate × initial mean bias' });
    expect(input.points.map((p) => p.value)).toEqual(['0.001 × -1', '0.003 × 0']);
  });

  it('passes the zero-output loss only when every run of every sweep agrees on it', () => {
    const a = sweep(LR, [run({ point: 0, values: { learning_rate: 0.001 }, zero: 2 })], { name: 'A' });
    const b = sweep(LR, [run({ point: 0, values: { learning_rate: 0.003 }, zero: 4 })], { name: 'B' });
    expect(lossVsMonoInput([a])!.zeroOutputLoss).toBe(2);
    expect('zeroOutputLoss' in lossVsMonoInput([a, b])!).toBe(false);
  });

  it('is undefined without runs, when every run diverged, or when no run has a snapshot', () => {
    expect(lossVsMonoInput([])).toBeUndefined();
    expect(lossVsMonoInput([sweep(LR, [])])).toBeUndefined();
    const diverged = sweep(LR, [
      run({ point: 0, values: { learning_rate: 0.01 }, status: 'diverged', loss: [1, null] }),
      run({ point: 1, values: { learning_rate: 0.03 }, status: 'diverged', loss: [null] }),
    ]);
    expect(lossVsMonoInput([diverged])).toBeUndefined();
    expect(
      lossVsMonoInput([sweep(LR, [run({ point: 0, values: { learning_rate: 0.001 }, series: [] })])]),
    ).toBeUndefined();
    // One drawable run is enough, and the diverged ones come along to be counted.
    const some = sweep(LR, [...diverged.runs, run({ point: 2, values: { learning_rate: 0.001 } })]);
    expect(lossVsMonoInput([some])!.points.map((p) => p.mark)).toEqual(['diverged', 'diverged', 'ok']);
  });
});

describe('monoVsNOverKInput', () => {
  it('gives k, N and mono / k of each run of a k sweep that did not diverge', () => {
    const d = sweep(
      [{ field: 'k', values: [256, 512, 1024, 2048] }],
      [
        run({ point: 0, values: { k: 256 }, series: [snap(8191, 0.25, { features_covered: 128 }), snap(1, 0.5)] }),
        run({ point: 1, values: { k: 512 }, series: [snap(8191, 0.5)], loss: times(8, Z) }),
        run({ point: 2, values: { k: 1024 }, status: 'diverged', mono: 0.75 }),
        run({ point: 3, values: { k: 2048 }, series: [] }),
      ],
    );
    expect(monoVsNOverKInput(d)).toStrictEqual({
      scale: SCALE,
      points: [
        { k: 256, N: 512, mark: 'ok', mono_per_neuron: 0.125, features_covered_per_feature: 0.25 },
        { k: 512, N: 512, mark: 'never-learned', mono_per_neuron: 0.25 },
      ],
    });
  });

  it('is only for k sweeps, and undefined when no run can be drawn', () => {
    expect(monoVsNOverKInput(oneVariable('learning_rate', [0.001, 0.003], [0.2, 0.4]))).toBeUndefined();
    const withSeeds = sweep(
      [
        { field: 'seed', values: [0] },
        { field: 'k', values: [64] },
      ],
      [run({ point: 0, values: { seed: 0, k: 64 } })],
    );
    expect(monoVsNOverKInput(withSeeds)!.points).toHaveLength(1);
    expect(
      monoVsNOverKInput(
        sweep([{ field: 'k', values: [64] }], [run({ point: 0, values: { k: 64 }, status: 'diverged' })]),
      ),
    ).toBeUndefined();
    expect(monoVsNOverKInput(sweep([{ field: 'k', values: [64] }], []))).toBeUndefined();
  });
});

describe('heatmapChoice', () => {
  const chosen = (d: SweepData, field: string) => heatmapChoice(d).map((c) => [c.run.values[field], c.note]);

  it('orders categories by sweep point, whatever order the runs come in', () => {
    const acts = ['SoLU', 'GeLU', 'ReLU'];
    const runs = acts.map((a, i) => run({ point: i, values: { nonlinearity: a }, mono: [0.1, 0.9, 0.5][i]! }));
    const d = sweep([{ field: 'nonlinearity', values: acts }], [runs[2]!, runs[0]!, runs[1]!]);
    expect(chosen(d, 'nonlinearity')).toEqual([
      ['SoLU', 'lowest'],
      ['GeLU', 'transition, peak'],
      ['ReLU', 'highest'],
    ]);
  });

  it('an LR1-like sweep: the lowest, the transition, and the highest, which is the peak', () => {
    const lrs = [0.001, 0.003, 0.005, 0.007, 0.01, 0.03];
    const monos = [0, 0.002, 0.016, 0.21, 0.82, 1.12];
    const runs = lrs.map((lr, i) => run({ point: i, values: { learning_rate: lr }, mono: monos[i]! }));
    // Runs that are never chosen: diverged (the highest mono / N), without biases (mono / N at
    // the middle), without a snapshot.
    runs.push(
      run({ point: 6, values: { learning_rate: 0.1 }, status: 'diverged', mono: 2 }),
      run({ point: 7, values: { learning_rate: 0.02 }, biases: null, mono: 0.56 }),
      run({ point: 8, values: { learning_rate: 0.0005 }, series: [] }),
    );
    // Stored out of value order.
    const d = sweep(
      [{ field: 'learning_rate', values: lrs }],
      [runs[3]!, runs[7]!, runs[5]!, runs[0]!, runs[6]!, runs[8]!, runs[4]!, runs[2]!, runs[1]!],
    );
    expect(chosen(d, 'learning_rate')).toEqual([
      [0.001, 'lowest'],
      [0.01, 'transition'],
      [0.03, 'highest, peak'],
    ]);
    expect(heatmapChoice(d).map((c) => c.run.id)).toEqual(['run-0', 'run-4', 'run-5']);
  });

  it('chooses a run that never learned', () => {
    const d = oneVariable('learning_rate', [0.001, 0.003], [0.2, 0.1], { loss: times(8, Z) });
    expect(chosen(d, 'learning_rate')).toEqual([
      [0.001, 'lowest, peak'],
      [0.003, 'highest'],
    ]);
  });

  it('a B3-like bias sweep: includes the peak inside the range', () => {
    const biases = [-2, -1.7, -1.4, -1.1, -0.8, -0.5, -0.2, 0.1, 0.4, 0.7, 1];
    // Middle of 0.05..0.9 is 0.475: the highest value sits on it, but only inner runs are the
    // transition; of those 0.52 (at 0.7) is nearest.
    const monos = [0.05, 0.1, 0.2, 0.4, 0.7, 0.9, 0.75, 0.6, 0.55, 0.52, 0.475];
    const d = oneVariable('initial_bias', biases, monos);
    expect(chosen(d, 'initial_bias')).toEqual([
      [-2, 'lowest'],
      [-0.5, 'peak'],
      [0.7, 'transition'],
      [1, 'highest'],
    ]);
  });

  it('a K1-like k sweep: includes k = N', () => {
    const ks = [16, 32, 64, 128, 256, 512, 1024, 2048];
    const monos = [0.03, 0.06, 0.12, 0.24, 0.45, 0.7, 0.85, 0.9];
    const d = oneVariable('k', ks, monos);
    expect(d.runs.every((r) => r.config.N === 512 && r.config.k === r.values.k)).toBe(true);
    expect(chosen(d, 'k')).toEqual([
      [16, 'lowest'],
      [256, 'transition'],
      [512, 'k = N'],
      [2048, 'highest, peak'],
    ]);
  });

  it('a k sweep whose k = N run is also the transition joins the notes', () => {
    const d = oneVariable('k', [128, 256, 512, 1024], [0.1, 0.2, 0.5, 0.9]);
    expect(chosen(d, 'k')).toEqual([
      [128, 'lowest'],
      [512, 'transition, k = N'],
      [1024, 'highest, peak'],
    ]);
    // k = N at the lowest k.
    expect(chosen(oneVariable('k', [512, 1024, 2048], [0.1, 0.5, 0.9]), 'k')).toEqual([
      [512, 'lowest, k = N'],
      [1024, 'transition'],
      [2048, 'highest, peak'],
    ]);
    // Without a k = N run, no such note.
    expect(chosen(oneVariable('k', [128, 256, 1024], [0.1, 0.5, 0.9]), 'k')).toEqual([
      [128, 'lowest'],
      [256, 'transition'],
      [1024, 'highest, peak'],
    ]);
  });

  it('the transition is the first inner run nearest the middle', () => {
    expect(chosen(oneVariable('learning_rate', [1, 2, 3, 4], [0, 0.25, 0.75, 1]), 'learning_rate')).toEqual([
      [1, 'lowest'],
      [2, 'transition'],
      [4, 'highest, peak'],
    ]);
    expect(chosen(oneVariable('learning_rate', [1, 2, 3, 4], [0, 0.5, 0.9, 1]), 'learning_rate')).toEqual([
      [1, 'lowest'],
      [2, 'transition'],
      [4, 'highest, peak'],
    ]);
    expect(chosen(oneVariable('learning_rate', [1, 2, 3, 4], [0, 0.1, 0.6, 1]), 'learning_rate')).toEqual([
      [1, 'lowest'],
      [3, 'transition'],
      [4, 'highest, peak'],
    ]);
  });

  it('the peak is the first run with the highest mono / N', () => {
    expect(chosen(oneVariable('learning_rate', [1, 2, 3, 4], [0, 1, 1, 0.5]), 'learning_rate')).toEqual([
      [1, 'lowest'],
      [2, 'transition, peak'],
      [4, 'highest'],
    ]);
  });

  it('no transition or peak when mono / N is flat; no transition with two runs; one run is the lowest', () => {
    expect(chosen(oneVariable('learning_rate', [1, 2, 3], [0.5, 0.5, 0.5]), 'learning_rate')).toEqual([
      [1, 'lowest'],
      [3, 'highest'],
    ]);
    expect(chosen(oneVariable('learning_rate', [1, 2], [0.2, 0.1]), 'learning_rate')).toEqual([
      [1, 'lowest, peak'],
      [2, 'highest'],
    ]);
    expect(chosen(oneVariable('learning_rate', [1], [0.2]), 'learning_rate')).toEqual([[1, 'lowest']]);
    expect(heatmapChoice(oneVariable('learning_rate', [1, 2], [0.2, 0.1], { status: 'diverged' }))).toEqual([]);
    expect(heatmapChoice(sweep(LR, []))).toEqual([]);
  });

  it('with seeds: one run per value, its lowest seed that can be chosen', () => {
    const vars: Variables = [
      { field: 'learning_rate', values: [0.001, 0.003, 0.01] },
      { field: 'seed', values: [0, 1, 2] },
    ];
    const base = new Map([
      [0.001, 0.1],
      [0.003, 0.3],
      [0.01, 0.9],
    ]);
    const monoOf = (lr: number, seed: number) => base.get(lr)! + seed / 100;
    const runs: SweepRunData[] = [];
    let point = 0;
    for (const seed of [2, 0, 1]) {
      for (const lr of [0.01, 0.001, 0.003]) {
        // Seed 0 of 0.003 diverged: its seed 1 stands in.
        const status = lr === 0.003 && seed === 0 ? 'diverged' : 'finished';
        runs.push(
          run({
            point: point++,
            values: { learning_rate: lr, seed },
            id: `${lr}/${seed}`,
            status,
            mono: monoOf(lr, seed),
          }),
        );
      }
    }
    const d = sweep(vars, runs);
    expect(heatmapChoice(d).map((c) => [c.run.id, c.note])).toEqual([
      ['0.001/0', 'lowest'],
      ['0.003/1', 'transition'],
      ['0.01/0', 'highest, peak'],
    ]);
  });

  it('orders categorical values by point', () => {
    const runs = [
      run({ point: 0, values: { nonlinearity: 'relu' }, mono: 0.1 }),
      run({ point: 1, values: { nonlinearity: 'gelu' }, mono: 0.5 }),
      run({ point: 2, values: { nonlinearity: 'softplus' }, mono: 0.3 }),
    ];
    const d = sweep([{ field: 'nonlinearity', values: ['relu', 'gelu', 'softplus'] }], [runs[2]!, runs[0]!, runs[1]!]);
    expect(chosen(d, 'nonlinearity')).toEqual([
      ['relu', 'lowest'],
      ['gelu', 'transition, peak'],
      ['softplus', 'highest'],
    ]);
  });

  it('a grid: one run per combination, in point order', () => {
    const runs = [
      run({ point: 0, values: { learning_rate: 0.003, initial_bias: -1 }, mono: 0.2 }),
      run({ point: 1, values: { learning_rate: 0.001, initial_bias: 0 }, mono: 0.4 }),
      run({ point: 2, values: { learning_rate: 0.001, initial_bias: -1 }, mono: 0.1 }),
    ];
    const d = sweep(GRID, [runs[1]!, runs[2]!, runs[0]!]);
    expect(heatmapChoice(d).map((c) => [c.run.point, c.note])).toEqual([
      [0, 'lowest'],
      [1, 'transition, peak'],
      [2, 'highest'],
    ]);
  });
});

describe('sweepCaption', () => {
  const TAIL =
    'A neuron is monosemantic when max_j SFA / (1e-10 + Σ_j SFA) > 0.999. ' +
    'Loss: squared error summed over the outputs, divided by the batch; final loss: mean of the last 8 records (every 16 steps).';

  it('states the fixed config, the swept field, the scale, the seed, the threads, the device, the criterion and the loss', () => {
    const d = oneVariable('learning_rate', [0.001, 0.003], [0.1, 0.2]);
    expect(sweepCaption(d)).toBe(
      'N=512, m=64, k=512, decoder, relu, uniform features, eps=0.0156, LAMB, paper schedule, learning_rate swept, bias decay 0, initial bias -1, L1 0; ' +
        `scale ${SCALE}. Seed 0. 1 ORT thread a run, ONNX graphs on cpu. ${TAIL}`,
    );
  });

  it('names seeds, threads and devices, the other optimizer and every config value', () => {
    const vars: Variables = [
      { field: 'initial_bias', values: [-1, 0] },
      { field: 'seed', values: [0, 1, 2] },
    ];
    const config: Partial<RunConfigData> = {
      N: 256,
      m: 32,
      k: 1024,
      eps: 0.25,
      task: 'abs',
      nonlinearity: 'gelu',
      sample_kind: 'power_law',
      optimizer: 'adam',
      schedule: 'constant',
      learning_rate: 0.007,
      decay: 0.03,
      reg: 1e-5,
      threads: 2,
      device: 'cuda',
    };
    const runs = [1, 2, 0].map((seed, i) => run({ point: i, values: { initial_bias: 0, seed }, config }));
    expect(sweepCaption(sweep(vars, runs, { scale: 'paper' }))).toBe(
      'N=256, m=32, k=1024, abs, gelu, power_law features, eps=0.25, adam, constant schedule, lr=0.007, bias decay 0.03, initial_bias swept, L1 1e-5; ' +
        `scale paper. Seeds 0, 1, 2. 2 ORT threads a run, ONNX graphs on cuda. ${TAIL}`,
    );
  });

  it('says "swept" for every swept field', () => {
    const fields = [
      'N',
      'm',
      'k',
      'task',
      'nonlinearity',
      'sample_kind',
      'eps',
      'optimizer',
      'schedule',
      'learning_rate',
      'decay',
      'initial_bias',
      'reg',
    ];
    const d = sweep(
      fields.map((field) => ({ field, values: [] })),
      [run({ point: 0, values: {} })],
    );
    expect(sweepCaption(d).startsWith(`${fields.map((f) => `${f} swept`).join(', ')}; scale ${SCALE}. Seed 0.`)).toBe(
      true,
    );
  });

  it('sorts seeds and threads as numbers, and lists every device', () => {
    const runs = [
      run({ point: 0, values: { seed: 10 }, config: { threads: 16, device: 'cuda' } }),
      run({ point: 1, values: { seed: 2 }, config: { threads: 4 } }),
      run({ point: 2, values: { seed: 0 }, config: { threads: 16, device: 'cuda' } }),
    ];
    const caption = sweepCaption(sweep([{ field: 'seed', values: [0, 2, 10] }], runs));
    expect(caption).toContain('. Seeds 0, 2, 10. 4 or 16 ORT threads a run, ONNX graphs on cuda, cpu. ');
    const one = sweepCaption(
      sweep(LR, [
        run({ point: 0, values: {}, config: { threads: 1 } }),
        run({ point: 1, values: {}, config: { threads: 2 } }),
      ]),
    );
    expect(one).toContain('. Seed 0. 1 or 2 ORT threads a run, ONNX graphs on cpu. ');
  });

  it('without runs: the scale, and that nothing has finished', () => {
    expect(sweepCaption(sweep(LR, []))).toBe(`Scale ${SCALE}; no run has finished yet.`);
  });
});
