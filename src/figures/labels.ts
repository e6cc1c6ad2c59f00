// The paper's names for config fields and measures, and how swept values are printed.

const FIELD_LABELS: Record<string, string> = {
  learning_rate: 'learning rate',
  initial_bias: 'initial mean bias',
  k: '# of neurons',
  N: '# of features',
  m: 'embedding dimension',
  decay: 'bias decay rate',
  eps: 'ε',
  reg: 'L1 regularisation strength',
  seed: 'seed',
  nonlinearity: 'activation function',
  sample_kind: 'feature distribution',
  task: 'task',
  log2_batch_size: 'log2(batch size)',
  log2_training_steps: 'log2(training steps)',
  optimizer: 'optimizer',
  schedule: 'learning-rate schedule',
  warmup_steps: 'warm-up steps',
  weight_decay: 'AdamW weight decay',
  threads: 'threads',
};

/** Axis and legend titles shared by the figures. */
export const MEASURE_LABELS = {
  log2Step: 'log2(training step)',
  loss: 'loss',
  monoPerFeature: '# mono neurons / # features',
  monoPerNeuron: '# mono neurons / # neurons',
  coveredPerFeature: '# features covered / # features',
  meanBias: 'mean bias',
  neuron: 'neuron (heat-map order)',
  feature: 'feature (heat-map order)',
  activation: 'activation',
  bias: 'bias',
} as const;

/** The paper's axis name for a config field; unknown fields get their underscores turned to spaces. */
export function fieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? field.replace(/_/g, ' ');
}

/**
 * A short, readable number: up to `digits` significant digits (3 in figures, 6 in tables and
 * names), exponent form for very small or large magnitudes (1e-7, 2.5e+6), integers as they are.
 */
export function formatNumber(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) {
    const [mant, exp] = v.toExponential(digits - 1).split('e');
    return `${trimZeros(mant!)}e${exp!.replace('+', '')}`;
  }
  return trimZeros(v.toPrecision(digits));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** A swept value as printed in titles and legends (one argument, so that `.map(formatValue)` works). */
export function formatValue(value: number | string): string {
  return typeof value === 'number' ? formatNumber(value) : value;
}

/** "learning rate = 0.003": the title of one run of a sweep. */
export function sweptTitle(field: string, value: number | string, label?: string): string {
  return `${label ?? fieldLabel(field)} = ${formatValue(value)}`;
}

/** A measure for a table: `-` when missing or not finite (a diverged run's loss). */
export const formatMetric = (x: number | undefined | null, digits = 4): string =>
  x === undefined || x === null || !Number.isFinite(x) ? '-' : x.toPrecision(digits);

/** A mean with its standard error, `mean ± se`; the mean alone without a finite se; `-` without a mean. */
export function formatMean(mean: number, se: number): string {
  const m = formatMetric(mean);
  return m === '-' || !Number.isFinite(se) ? m : `${m} ± ${formatMetric(se, 2)}`;
}
