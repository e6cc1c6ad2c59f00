// The playground's state in the address: `#/playground?N=64&k=128&...&autostart=1`. Each field is
// checked by the run configuration's own schema (src/config/schema.ts), one field at a time, so a
// bad value gets its message next to its field and nothing starts. A second configuration to
// compare is written as the fields where it differs, prefixed `b.` (`b.learning_rate=0.03`).
import {
  NONLINEARITIES,
  OPTIMIZERS,
  runConfigSchema,
  SAMPLE_KINDS,
  SCHEDULES,
  TASKS,
  type RunConfig,
} from '../../../src/config/schema.js';

/** The fields the page sets, in the form's order, with the choices of the categorical ones. */
export const FIELDS = [
  { field: 'N', label: 'N (features)' },
  { field: 'm', label: 'm (dimensions)' },
  { field: 'k', label: 'k (neurons)' },
  { field: 'eps', label: 'ε (feature frequency)' },
  { field: 'task', label: 'task', choices: TASKS },
  { field: 'nonlinearity', label: 'activation', choices: NONLINEARITIES },
  { field: 'sample_kind', label: 'feature distribution', choices: SAMPLE_KINDS },
  { field: 'learning_rate', label: 'learning rate' },
  { field: 'initial_bias', label: 'initial bias' },
  { field: 'decay', label: 'bias decay' },
  { field: 'reg', label: 'L1 regularisation' },
  { field: 'log2_batch_size', label: 'log2 batch' },
  { field: 'log2_training_steps', label: 'log2 steps' },
  { field: 'seed', label: 'seed' },
  { field: 'optimizer', label: 'optimiser', choices: OPTIMIZERS },
  { field: 'schedule', label: 'schedule', choices: SCHEDULES },
] as const satisfies readonly { field: keyof RunConfig; label: string; choices?: readonly string[] }[];

export type PlaygroundField = (typeof FIELDS)[number]['field'];
/** A configuration as the form holds it: every field as typed. */
export type FieldValues = Record<PlaygroundField, string>;

/** Where the browser trains: our WGSL kernels on WebGPU, or the ONNX step graphs on WebAssembly. */
export const ENGINES = ['auto', 'webgpu', 'wasm'] as const;
export type EngineChoice = (typeof ENGINES)[number];

/** A configuration the browser trains in seconds: the paper's model at N=128, m=32, k=256, at LR1's
 * highest learning rate, where half the features get a neuron of their own in 2^11 steps. */
export const DEFAULTS: FieldValues = {
  N: '128',
  m: '32',
  k: '256',
  eps: String(1 / 64),
  task: 'decoder',
  nonlinearity: 'ReLU',
  sample_kind: 'equal',
  learning_rate: '0.03',
  initial_bias: '0',
  decay: '0',
  reg: '0',
  log2_batch_size: '8',
  log2_training_steps: '11',
  seed: '0',
  optimizer: 'lamb',
  schedule: 'paper',
};

/** Numbers are written in full ("1e-3" and "-1" pass; "", "0x10", "1/64" and "abc" do not). */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const isCategorical = (field: PlaygroundField): boolean => FIELDS.some((f) => f.field === field && 'choices' in f);

/** The value of one field, or the message to show next to it. */
export function parseField(field: PlaygroundField, raw: string): { value: number | string } | { error: string } {
  const text = raw.trim();
  let value: number | string = text;
  if (!isCategorical(field)) {
    if (!NUMBER.test(text)) return { error: `${JSON.stringify(raw)} is not a number` };
    value = Number(text);
  }
  const parsed = runConfigSchema.shape[field].safeParse(value);
  if (!parsed.success) return { error: `${JSON.stringify(raw)}: ${parsed.error.issues[0]!.message}` };
  return { value };
}

/** A checked configuration, or a message per bad field. */
export function parseConfig(values: FieldValues): { config: RunConfig } | { errors: Partial<FieldValues> } {
  const errors: Partial<FieldValues> = {};
  const input: Record<string, number | string> = {};
  for (const { field } of FIELDS) {
    const r = parseField(field, values[field]);
    if ('error' in r) errors[field] = r.error;
    else input[field] = r.value;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { config: runConfigSchema.parse(input) };
}

/** WebAssembly threads: empty for as many as the page allows, else a whole number from 1 to 64. */
export function parseThreads(raw: string): { threads?: number } | { error: string } {
  if (raw.trim() === '') return {};
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 64)
    return { error: `${JSON.stringify(raw)}: must be a whole number from 1 to 64, or empty` };
  return { threads: n };
}

export interface PlaygroundState {
  a: FieldValues;
  /** The second configuration, when comparing. */
  b?: FieldValues;
  engine: EngineChoice;
  /** The message for an `engine` value that names no engine (nothing starts). */
  engineError?: string;
  /** WebAssembly threads as written ('' for as many as the page allows). */
  threads: string;
  autostart: boolean;
  /** Query keys that name no field, reported on the page. */
  unknown: string[];
}

/** The state a query describes: missing fields take DEFAULTS, `b.` fields start from A's. */
export function stateFromQuery(query: URLSearchParams): PlaygroundState {
  const a = { ...DEFAULTS };
  const bFields: Partial<FieldValues> = {};
  const unknown: string[] = [];
  let engine: EngineChoice = 'auto';
  let engineError: string | undefined;
  let compare = false;
  let threads = '';
  const known = (key: string): key is PlaygroundField => FIELDS.some((f) => f.field === key);
  for (const [key, value] of query) {
    if (key === 'engine') {
      if ((ENGINES as readonly string[]).includes(value)) engine = value as EngineChoice;
      else engineError = `${JSON.stringify(value)} is not an engine: one of ${ENGINES.join(', ')}`;
    } else if (key === 'compare') compare = value !== '0';
    else if (key === 'threads') threads = value;
    else if (key === 'autostart') continue;
    else if (known(key)) a[key] = value;
    else if (key.startsWith('b.') && known(key.slice(2))) bFields[key.slice(2) as PlaygroundField] = value;
    else unknown.push(key);
  }
  const b = compare || Object.keys(bFields).length > 0 ? { ...a, ...bFields } : undefined;
  const autostart = query.has('autostart') && query.get('autostart') !== '0';
  return { a, ...(b ? { b } : {}), engine, ...(engineError ? { engineError } : {}), threads, autostart, unknown };
}

/** The query of a state: fields that differ from DEFAULTS, and B's fields that differ from A's. */
export function queryOf(state: Pick<PlaygroundState, 'a' | 'b' | 'engine' | 'threads'>): URLSearchParams {
  const q = new URLSearchParams();
  for (const { field } of FIELDS) if (state.a[field] !== DEFAULTS[field]) q.set(field, state.a[field]);
  if (state.b) {
    q.set('compare', '1');
    for (const { field } of FIELDS) if (state.b[field] !== state.a[field]) q.set(`b.${field}`, state.b[field]);
  }
  if (state.engine !== 'auto') q.set('engine', state.engine);
  if (state.threads !== '') q.set('threads', state.threads);
  return q;
}
