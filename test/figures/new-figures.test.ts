import { describe, expect, it } from 'vitest';
import { amplitudeCurves, amplitudeResponse, type AmplitudePanel } from '../../src/figures/amplitude-response.js';
import { lossVsMono, type LossVsMonoPoint } from '../../src/figures/loss-vs-mono.js';
import { monoVsNOverK, type NOverKPoint } from '../../src/figures/mono-vs-n-over-k.js';
import { findAll, renderChecked, SCALE } from './helpers.js';

type Row = Record<string, unknown>;
/** The rows of every inline data set in the spec that have the given field. */
const rowsWith = (spec: unknown, field: string): Row[] =>
  findAll(
    spec,
    (o) => Array.isArray(o.values) && (o.values as Row[]).some((r) => r && typeof r === 'object' && field in r),
  ).flatMap((o) => o.values as Row[]);
const subtitle = (spec: unknown) => (spec as { title: { subtitle: string | string[] } }).title.subtitle;
const markType = (o: Row) => (o.mark as { type?: string } | undefined)?.type;

// Five features at amplitudes 0, 0.5, 1, with hand-worked summaries at 0.5 (index 1).
const responses = [
  { amplitude: [0, 0.5, 1], full: [0, 1, 2], negative_bias: [0, 0, 0], positive_bias: [0, -1, 0] },
  { amplitude: [0, 0.5, 1], full: [0, 5, 10], negative_bias: [0, 0, 0], positive_bias: [0, 3, 0] },
  { amplitude: [0, 0.5, 1], full: [0, 2, 4], negative_bias: [0, 0, 0], positive_bias: [0, 0, 0] },
  { amplitude: [0, 0.5, 1], full: [0, 4, 8], negative_bias: [0, 0, 0], positive_bias: [0, 7, 0] },
  { amplitude: [0, 0.5, 1], full: [0, 3, 6], negative_bias: [0, 10, 0], positive_bias: [0, 1, 0] },
].map((r) => ({ ...r, full: Float32Array.from(r.full) }));

describe('amplitudeCurves', () => {
  it('gives the mean and the 10th / 90th percentiles by linear interpolation', () => {
    const c = amplitudeCurves(responses);
    expect(c.features).toBe(5);
    expect(c.amplitude).toEqual([0, 0.5, 1]);
    // full at 0.5: sorted 1 2 3 4 5; p10 at rank 0.4 -> 1.4, p90 at rank 3.6 -> 4.6.
    expect(c.full.mean).toEqual([0, 3, 6]);
    [0, 1.4, 2.8].forEach((v, i) => expect(c.full.lo[i]).toBeCloseTo(v, 12));
    [0, 4.6, 9.2].forEach((v, i) => expect(c.full.hi[i]).toBeCloseTo(v, 12));
    // negative_bias at 0.5: 0 0 0 0 10 -> mean 2, p10 0, p90 0 + 0.6 * 10 = 6.
    expect(c.negative_bias.mean[1]).toBe(2);
    expect(c.negative_bias.lo[1]).toBe(0);
    expect(c.negative_bias.hi[1]).toBeCloseTo(6, 12);
    // positive_bias at 0.5: sorted -1 0 1 3 7 -> mean 2, p10 -1 + 0.4 = -0.6, p90 3 + 0.6 * 4 = 5.4.
    expect(c.positive_bias.mean[1]).toBe(2);
    expect(c.positive_bias.lo[1]).toBeCloseTo(-0.6, 12);
    expect(c.positive_bias.hi[1]).toBeCloseTo(5.4, 12);
  });

  it('gives NaN where an output is not finite, and checks its input', () => {
    const c = amplitudeCurves([...responses, { ...responses[0]!, full: [0, 1, NaN] }]);
    expect(c.full.mean[1]).toBe(16 / 6);
    expect([c.full.mean[2], c.full.lo[2], c.full.hi[2]]).toEqual([NaN, NaN, NaN]);
    expect(() => amplitudeCurves([])).toThrow(/at least one/);
    expect(() => amplitudeCurves([responses[0]!, { ...responses[1]!, amplitude: [0, 0.4, 1] }])).toThrow(/amplitudes/);
    expect(() => amplitudeCurves([{ ...responses[0]!, full: [0, 1] }])).toThrow(/full/);
  });
});

describe('amplitude response', () => {
  const panel = (title: string, scaleBy: number, mark?: AmplitudePanel['mark']): AmplitudePanel => ({
    title,
    ...amplitudeCurves(
      responses.map((r) => ({
        amplitude: r.amplitude,
        full: Array.from(r.full, (v) => (v / 10) * scaleBy),
        negative_bias: r.negative_bias.map((v) => (v / 10) * scaleBy),
        positive_bias: r.positive_bias.map((v) => (v / 10) * scaleBy),
      })),
    ),
    mark,
  });

  it('draws one panel per run with three series, their bands and the identity', async () => {
    const panels = [panel('learning rate = 0.001', 1), panel('learning rate = 0.03', 2, 'never-learned')];
    const spec = amplitudeResponse({ scale: SCALE, panels });
    expect((spec as { hconcat: unknown[] }).hconcat).toHaveLength(2);
    expect(subtitle(spec)).toEqual([`scale: ${SCALE}`, 'mean over 5 features, band 10th–90th percentile']);
    // The panel data are the input curves.
    const rows = rowsWith((spec as { hconcat: unknown[] }).hconcat[1], 'series');
    const full = rows.filter((r) => r.series === 'full model');
    expect(full.map((r) => [r.amplitude, r.mean, r.lo, r.hi])).toEqual(
      panels[1]!.amplitude.map((a, i) => [a, panels[1]!.full.mean[i], panels[1]!.full.lo[i], panels[1]!.full.hi[i]]),
    );
    expect(rows).toHaveLength(9);
    // The identity as a dashed line from (0, 0) to (1, 1) in each panel.
    const identity = findAll(spec, (o) => markType(o) === 'line' && Array.isArray((o.mark as Row).strokeDash));
    expect(identity.map((o) => (o.data as { values: Row[] }).values.map((r) => [r.amplitude, r.y]))).toEqual([
      [
        [0, 0],
        [1, 1],
      ],
      [
        [0, 0],
        [1, 1],
      ],
    ]);
    // Bands (area lo..hi) and mean lines.
    expect(findAll(spec, (o) => markType(o) === 'area' && (o.encoding as Row).y2 !== undefined)).toHaveLength(2);
    // One y domain over both panels: the second panel's positive-bias p10 at 0.5 (-0.12) to its full p90 at 1 (1.84).
    const domains = findAll(spec, (o) => o.field === 'mean' && (o.scale as Row | undefined)?.domain !== undefined).map(
      (o) => (o.scale as Row).domain,
    );
    expect(domains).toHaveLength(2);
    const [lo, hi] = domains[0] as number[];
    expect(lo).toBeCloseTo(-0.12, 12);
    expect(hi).toBeCloseTo(1.84, 12);
    expect(domains[1]).toEqual(domains[0]);
    await renderChecked(spec, [
      'Amplitude response: output for a feature against its input amplitude',
      'mean over 5 features, band 10th–90th percentile',
      'learning rate = 0.001',
      'learning rate = 0.03 (never learned)',
      'input amplitude a',
      'output for the feature',
      'full model',
      'negative-bias neurons (b1 < 0)',
      'positive-bias neurons (b1 ≥ 0)',
      'identity',
    ]);
  });

  it('wraps more than three panels into rows of three and leaves out non-finite outputs', async () => {
    const diverged = panel('learning rate = 0.1', 1, 'diverged');
    diverged.full = {
      mean: diverged.full.mean.map(() => NaN),
      lo: diverged.full.lo.map(() => NaN),
      hi: diverged.full.hi.map(() => NaN),
    };
    const spec = amplitudeResponse({
      scale: SCALE,
      panels: [panel('a', 1), panel('b', 1), panel('c', 1), diverged],
    }) as unknown as Row;
    expect(spec.columns).toBe(3);
    expect(spec.concat).toHaveLength(4);
    expect(rowsWith((spec.concat as unknown[])[3], 'series').map((r) => r.series)).not.toContain('full model');
    await renderChecked(spec as never, ['learning rate = 0.1 (diverged)']);
  });

  it('needs a panel and the scale caption', () => {
    expect(() => amplitudeResponse({ scale: SCALE, panels: [] })).toThrow(/panel/);
    expect(() => amplitudeResponse({ scale: ' ', panels: [panel('a', 1)] })).toThrow(/scale caption/);
  });
});

describe('loss against monosemanticity', () => {
  const points: LossVsMonoPoint[] = [
    { value: 0.001, loss: 0.05, mono_per_feature: 0.2, id: 'r0', loss_se: 0.002 },
    { value: 0.003, loss: 0.04, mono_per_feature: 0.5, id: 'r1', loss_se: 0.001 },
    { value: 0.01, loss: 0.045, mono_per_feature: 0.9, id: 'r2' },
    { value: 0.03, loss: 0.079, mono_per_feature: 0, id: 'r3', mark: 'never-learned' },
    { value: 0.1, loss: NaN, mono_per_feature: 0, id: 'r4', mark: 'diverged' },
  ];
  // The data of the layer that holds the points.
  const scatter = (spec: unknown) =>
    (
      findAll(spec, (o) => Array.isArray(o.layer) && (o.layer as Row[]).some((l) => markType(l) === 'point'))[0]!
        .data as { values: Row[] }
    ).values;

  it('draws one point per run, leaves out the diverged one and counts it', async () => {
    const spec = lossVsMono({ scale: SCALE, sweep: { field: 'learning_rate' }, points, zeroOutputLoss: 0.08 });
    expect(scatter(spec).map((r) => [r.value, r.loss, r.mono_per_feature, r.id])).toEqual(
      points.slice(0, 4).map((p) => [p.value, p.loss, p.mono_per_feature, p.id]),
    );
    expect(subtitle(spec)).toEqual([
      `scale: ${SCALE}`,
      'left out: 1 diverged run (values not finite)',
      'open points: never learned, final loss within 5% of the zero-output loss (1 run)',
    ]);
    // The never-learned run is an open point; the others are filled.
    expect(findAll(spec, (o) => markType(o) === 'point').map((o) => (o.mark as Row).filled)).toEqual([true, false]);
    // The legend lists the drawn values.
    expect(findAll(spec, (o) => o.field === 'value' && o.legend !== undefined)[0]!.legend).toMatchObject({
      values: [0.001, 0.003, 0.01, 0.03],
    });
    // A tooltip with the value, the loss, mono / N and the run.
    const tooltip = findAll(spec, (o) => markType(o) === 'point')[0]!.encoding as { tooltip: Row[] };
    expect(tooltip.tooltip.map((t) => t.field)).toEqual(['value', 'loss', 'mono_per_feature', 'id']);
    // ± loss_se bars for the runs that have one.
    const bars = findAll(spec, (o) => markType(o) === 'rule' && (o.encoding as Row).x2 !== undefined)[0]!;
    expect((bars.data as { values: Row[] }).values.map((r) => [r.loss_lo, r.loss_hi])).toEqual([
      [0.05 - 0.002, 0.05 + 0.002],
      [0.04 - 0.001, 0.04 + 0.001],
    ]);
    // A linear loss axis that does not start at zero; no shapes for a single sweep.
    const x = findAll(spec, (o) => o.field === 'loss' && o.axis !== undefined)[0]!;
    expect(x.scale).toMatchObject({ zero: false });
    expect((x.scale as Row).type).toBeUndefined();
    expect(findAll(spec, (o) => 'shape' in o)).toHaveLength(0);
    // The y axis fits the ratios 0 to 0.9 with 5% room, and no more (no ticks below 0).
    const yDomain = findAll(spec, (o) => o.field === 'mono_per_feature' && o.scale !== undefined)[0]!.scale as {
      domain: number[];
    };
    expect(yDomain.domain[0]).toBeCloseTo(-0.045, 12);
    expect(yDomain.domain[1]).toBeCloseTo(0.945, 12);
    await renderChecked(spec, [
      'Loss against monosemanticity',
      'final loss',
      '# mono neurons / # features',
      'learning rate',
      '0.001',
      '0.03',
      'zero output',
      'left out: 1 diverged run (values not finite)',
      'open points: never learned',
    ]);
  });

  it('draws the zero-output rule only near the runs; far off, a note gives it', async () => {
    // Runs that all learned (LR1 and LR3 at 0.01 and 0.03: losses near 0.9 against 2.67): the rule
    // would squeeze them into a tenth of the axis.
    const learned: LossVsMonoPoint[] = [
      { value: 0.01, loss: 0.9, mono_per_feature: 1.01 },
      { value: 0.03, loss: 0.94, mono_per_feature: 1.13 },
    ];
    const far = lossVsMono({ scale: SCALE, sweep: { field: 'learning_rate' }, points: learned, zeroOutputLoss: 2.67 });
    expect(subtitle(far)).toEqual([`scale: ${SCALE}`, 'zero-output loss 2.67: off the axis, to the right']);
    const r = await renderChecked(far, ['off the axis']);
    expect(r.svg).not.toContain('>zero output<');
    // Within one span of the points beyond them (0.94 + 0.094, the span's floor of a tenth), the rule is drawn.
    const near = (zero: number) =>
      lossVsMono({ scale: SCALE, sweep: { field: 'learning_rate' }, points: learned, zeroOutputLoss: zero });
    expect(subtitle(near(1.03))).toEqual(`scale: ${SCALE}`);
    expect(JSON.stringify(near(1.03))).toContain('"zero output"');
    expect(JSON.stringify(near(1.04))).not.toContain('"zero output"');
  });

  it('labels a narrow loss axis with as many digits as its ticks need', async () => {
    // B1's seeds: losses 7.590 to 7.633. Three significant digits labelled ticks 0.005 apart 7.58, 7.58, 7.59, ...
    const close: LossVsMonoPoint[] = [
      { value: -0.5, loss: 7.59, mono_per_feature: 0.389 },
      { value: -0.5, loss: 7.633, mono_per_feature: 0.305 },
      { value: 0.1, loss: 7.617, mono_per_feature: 0.0996 },
    ];
    const r = await renderChecked(lossVsMono({ scale: SCALE, sweep: { field: 'initial_bias' }, points: close }));
    const labels = [...r.svg.matchAll(/>(7\.\d+)<\/text>/g)].map((m) => Number(m[1]));
    expect(labels.length).toBeGreaterThanOrEqual(3);
    expect(new Set(labels).size).toBe(labels.length);
    // Each label is its tick: evenly spaced.
    const steps = labels.slice(1).map((v, i) => Math.round((v - labels[i]!) * 1e6));
    expect(new Set(steps).size).toBe(1);
  });

  it('gives each sweep a shape when points come from several, and a log axis over decades', async () => {
    const multi: LossVsMonoPoint[] = [
      { value: 0.001, loss: 0.0004, mono_per_feature: 0.3, sweep: 'LR1' },
      { value: 0.01, loss: 0.002, mono_per_feature: 0.6, sweep: 'LR1' },
      { value: 0.001, loss: 0.01, mono_per_feature: 0.4, sweep: 'LR3' },
      { value: 0.01, loss: 0.05, mono_per_feature: 0.8, sweep: 'LR3' },
    ];
    const spec = lossVsMono({ scale: SCALE, sweep: { field: 'learning_rate' }, points: multi });
    expect(
      findAll(spec, (o) => o.field === 'sweep' && (o.scale as Row | undefined)?.domain !== undefined)[0]!.scale,
    ).toEqual({ domain: ['LR1', 'LR3'] });
    expect(scatter(spec).map((r) => r.sweep)).toEqual(['LR1', 'LR1', 'LR3', 'LR3']);
    expect(findAll(spec, (o) => o.field === 'loss' && o.axis !== undefined)[0]!.scale).toMatchObject({ type: 'log' });
    const r = await renderChecked(spec, ['sweep', 'LR1', 'LR3', 'final loss (log scale)']);
    // Two legends: colour and shape.
    expect(r.svg.match(/role-legend"/g)).toHaveLength(2);
    expect(r.svg).not.toContain('zero output');
  });

  it('needs a point and the scale caption', () => {
    expect(() => lossVsMono({ scale: SCALE, sweep: { field: 'learning_rate' }, points: [] })).toThrow(/point/);
    expect(() => lossVsMono({ scale: '', sweep: { field: 'learning_rate' }, points })).toThrow(/scale caption/);
    expect(() => lossVsMono({ scale: SCALE, sweep: { field: 'learning_rate' }, points: points.slice(4) })).toThrow(
      /every run diverged/,
    );
  });
});

describe('mono against N/k', () => {
  const N = 512;
  const ks = [16, 32, 64, 128, 256, 512, 1024, 2048];
  // Two seeds per k, the second a little lower.
  const points: NOverKPoint[] = ks.flatMap((k) =>
    [0, 0.05].map((d) => ({
      k,
      N,
      mono_per_neuron: Math.min(1, N / k) * 0.8 - d,
      features_covered_per_feature: Math.min(1, k / N) * 0.7 - d,
    })),
  );

  it('draws mono / k against N/k with the bound, the k = N rule and a mean line with a band', async () => {
    const spec = monoVsNOverK({ scale: SCALE, points });
    const rows = rowsWith(spec, 'ratio');
    const mono = rows.filter((r) => r.series === '# mono neurons / # neurons');
    expect(mono.map((r) => [r.n_over_k, r.k, r.ratio])).toEqual(points.map((p) => [N / p.k, p.k, p.mono_per_neuron]));
    expect(rows.filter((r) => r.series === '# features covered / # features').map((r) => r.ratio)).toEqual(
      points.map((p) => p.features_covered_per_feature),
    );
    // A log2 axis with the N/k values as ticks.
    const x = findAll(spec, (o) => o.field === 'n_over_k' && o.axis !== undefined)[0]!;
    expect(x.scale).toMatchObject({ type: 'log', base: 2 });
    expect((x.axis as Row).values).toEqual([0.25, 0.5, 1, 2, 4, 8, 16, 32]);
    // The bound min(1, N/k) over the whole range.
    const bound = rowsWith(spec, 'bound');
    expect(bound[0]!.n_over_k).toBeCloseTo(0.25, 12);
    expect(bound.at(-1)!.n_over_k).toBeCloseTo(32, 12);
    for (const b of bound) expect(b.bound).toBe(Math.min(1, b.n_over_k as number));
    // The k = N rule; the mean line and the min-max band.
    expect(findAll(spec, (o) => markType(o) === 'rule')[0]!.data).toEqual({ values: [{ n_over_k: 1 }] });
    expect(
      findAll(spec, (o) => markType(o) === 'line' && (o.encoding as { y: Row }).y.aggregate === 'mean'),
    ).toHaveLength(1);
    expect(
      findAll(spec, (o) => markType(o) === 'area').map((o) => [
        (o.encoding as { y: Row }).y.aggregate,
        (o.encoding as { y2: Row }).y2.aggregate,
      ]),
    ).toEqual([['min', 'max']]);
    expect(subtitle(spec)).toEqual([`scale: ${SCALE}`, 'line: mean over the runs at each N/k, band: their min to max']);
    const r = await renderChecked(spec, [
      'Monosemantic neurons per neuron against N/k',
      'N / k (# features / # neurons, log2 scale)',
      'k = N',
      'at most one neuron per feature: min(1, N/k)',
      '# mono neurons / # neurons',
      '# features covered / # features',
      '0.25',
      '32',
    ]);
    expect(r.svg.match(/role-legend"/g)).toHaveLength(1);
  });

  it('names a single series on its axis, leaves out diverged runs and opens never-learned ones', async () => {
    const spec = monoVsNOverK({
      scale: SCALE,
      points: [
        { k: 512, N, mono_per_neuron: 0.6 },
        { k: 1024, N, mono_per_neuron: 0.4, mark: 'never-learned' },
        { k: 2048, N, mono_per_neuron: NaN, mark: 'diverged' },
      ],
    });
    expect(rowsWith(spec, 'ratio').map((r) => r.k)).toEqual([512, 1024]);
    expect(findAll(spec, (o) => o.field === 'n_over_k' && o.axis !== undefined)[0]!.axis).toMatchObject({
      values: [0.5, 1],
    });
    expect(findAll(spec, (o) => markType(o) === 'point').map((o) => (o.mark as Row).filled)).toEqual([true, false]);
    expect(subtitle(spec)).toEqual([
      `scale: ${SCALE}`,
      'left out: 1 diverged run (values not finite)',
      'open points: never learned, final loss within 5% of the zero-output loss (1 run)',
    ]);
    const r = await renderChecked(spec, ['# mono neurons / # neurons', 'k = N', 'left out: 1 diverged run']);
    expect(r.svg).not.toContain('role-legend"');
  });

  it('needs a point and the scale caption', () => {
    expect(() => monoVsNOverK({ scale: SCALE, points: [] })).toThrow(/point/);
    expect(() => monoVsNOverK({ scale: '', points })).toThrow(/scale caption/);
    expect(() =>
      monoVsNOverK({ scale: SCALE, points: [{ k: 16, N, mono_per_neuron: NaN, mark: 'diverged' }] }),
    ).toThrow(/every run diverged/);
  });
});
