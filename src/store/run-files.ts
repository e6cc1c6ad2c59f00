// A finished run as four files: config.json, losses.json, summary.json and tensors.safetensors,
// their bytes built and checked, and the names they carry outside a store (`<id>.<file>`). No
// Node modules: a browser builds, downloads and reads the same files a store's folder holds.
import type { z } from 'zod';
import { outputSize, type RunConfig } from '../config/schema.js';
import { firstIssue, lossTraceSchema, runSummarySchema, storedRunConfigSchema } from '../config/stored.js';
import { LOSS_EVERY } from '../train/loop.js';
import { StoreError, reason } from './errors.js';
import { decodeSafetensors, encodeSafetensors, type Safetensors, type Tensor } from './safetensors.js';
import type { LoadedRun, LossTrace, RunRecord, Snapshot, StoredRunConfig } from './types.js';

/** `__metadata__.format` of tensors.safetensors; bump it when the tensor layout changes. */
export const RUN_FORMAT = 'toymodels-run-1';
export const RUN_FILES = {
  config: 'config.json',
  losses: 'losses.json',
  summary: 'summary.json',
  tensors: 'tensors.safetensors',
} as const;
export type RunFileName = (typeof RUN_FILES)[keyof typeof RUN_FILES];
const FILE_NAMES: readonly RunFileName[] = Object.values(RUN_FILES);

/** What a run id looks like; also what keeps ids from the outside inside the store's folder. */
export const RUN_ID = /^\d{8}-\d{6}-[0-9a-f]{6}$/;

/** UTC time to the second, then random hex: ids sort by creation and do not collide across processes. */
export function newRunId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-26T15:01:02.345Z
  const date = iso.slice(0, 10).replaceAll('-', '');
  const time = iso.slice(11, 19).replaceAll(':', '');
  // Web Crypto, which Node and browsers both have.
  const random = Array.from(crypto.getRandomValues(new Uint8Array(3)), (b) => b.toString(16).padStart(2, '0'));
  return `${date}-${time}-${random.join('')}`;
}

/** The UTC time newRunId made `id` at; undefined if the id's digits are no such time. */
export function runIdTime(id: string): Date | undefined {
  if (!RUN_ID.test(id)) return undefined;
  const [date, time] = [id.slice(0, 8), id.slice(9, 15)];
  const iso = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4)}.000Z`;
  const at = new Date(iso);
  // Date rolls some impossible fields over (February 31st into March); those do not print back.
  return !Number.isNaN(at.getTime()) && at.toISOString() === iso ? at : undefined;
}

/** A run's file as downloaded, out of its folder: `<id>.<file>`, e.g. 20261126-150102-a1b2c3.config.json. */
export const downloadName = (id: string, file: RunFileName): string => `${id}.${file}`;

/** The run and file a downloaded file's name stands for; undefined unless it is `<run id>.<one of RUN_FILES>`. */
export function parseDownloadName(name: string): { id: string; file: RunFileName } | undefined {
  const file = FILE_NAMES.find((f) => name.endsWith(`.${f}`));
  if (!file) return undefined;
  const id = name.slice(0, -file.length - 1);
  return RUN_ID.test(id) ? { id, file } : undefined;
}

export interface TensorShapes {
  W1: number[];
  b1: number[];
  W2: number[];
  E: number[];
  F?: number[];
}

/** Shapes of a run's tensors, all determined by its config. */
export function tensorShapes(config: RunConfig): TensorShapes {
  const { N, m, k } = config;
  const shapes: TensorShapes = { W1: [k, m], b1: [k], W2: [outputSize(config), k], E: [m, N] };
  if (config.task === 're-projector') shapes.F = [m, N];
  return shapes;
}

const snapshotNames = (step: number) => ({ W1: `step_${step}.W1`, b1: `step_${step}.b1`, W2: `step_${step}.W2` });
const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((n, i) => n === b[i]);

function runTensors(id: string, record: RunRecord): { tensors: Record<string, Tensor>; steps: number[] } {
  const shapes = tensorShapes(record.config);
  const tensors: Record<string, Tensor> = {};
  const add = (name: string, shape: number[], data: Float32Array | undefined) => {
    const expected = shape.reduce((a, b) => a * b, 1);
    if (!(data instanceof Float32Array)) throw new StoreError(`run ${id}: ${name} is missing or not a Float32Array`);
    if (data.length !== expected) {
      throw new StoreError(`run ${id}: ${name} has ${data.length} values, expected ${shape.join('×')} = ${expected}`);
    }
    tensors[name] = { shape, data };
  };
  add('embedding.E', shapes.E, record.embeddings.E);
  if (shapes.F) add('embedding.F', shapes.F, record.embeddings.F);
  else if (record.embeddings.F) throw new StoreError(`run ${id}: embedding.F is only stored for the re-projector task`);

  const snapshots = [...record.snapshots].sort((a, b) => a.step - b.step);
  const steps = snapshots.map((s) => s.step);
  if (!steps.every((s, i) => Number.isSafeInteger(s) && s >= 0 && s !== steps[i - 1])) {
    throw new StoreError(`run ${id}: snapshot steps must be distinct non-negative integers, got ${steps.join(',')}`);
  }
  for (const snapshot of snapshots) {
    const names = snapshotNames(snapshot.step);
    add(names.W1, shapes.W1, snapshot.W1);
    add(names.b1, shapes.b1, snapshot.b1);
    add(names.W2, shapes.W2, snapshot.W2);
  }
  return { tensors, steps };
}

/** A run's four files, validated against its config before anything is written. */
export function encodeRunFiles(id: string, record: RunRecord): Record<RunFileName, Uint8Array> {
  const { steps: lossSteps, loss } = record.losses;
  if (lossSteps.length !== loss.length) {
    throw new StoreError(`run ${id}: the loss trace has ${lossSteps.length} steps but ${loss.length} losses`);
  }
  const { tensors, steps } = runTensors(id, record);
  const losses: LossTrace = { every: record.losses.every ?? LOSS_EVERY, steps: lossSteps, loss };
  const text = (s: string) => new TextEncoder().encode(s);
  return {
    [RUN_FILES.config]: text(`${JSON.stringify(record.config, null, 2)}\n`),
    [RUN_FILES.losses]: text(`${JSON.stringify(losses)}\n`),
    [RUN_FILES.summary]: text(`${JSON.stringify(record.summary, null, 2)}\n`),
    [RUN_FILES.tensors]: encodeSafetensors(tensors, { snapshots: steps.join(','), format: RUN_FORMAT }),
  };
}

/**
 * Checks and decodes a run's files, wherever they come from (its folder, a queue worker's result,
 * a download); `locate` names a file in errors. Anything missing, corrupt or inconsistent throws.
 */
export function decodeRunFiles(
  files: Record<string, Uint8Array | undefined>,
  id: string,
  locate: (name: string) => string,
): LoadedRun {
  const corrupt = (name: string, why: string) => new StoreError(`run ${id}: ${locate(name)} is corrupt: ${why}`);
  const read = (name: string): Uint8Array => {
    const data = files[name];
    if (!data) throw new StoreError(`run ${id}: ${locate(name)} is missing`);
    return data;
  };
  /** A JSON file read through its schema (config/stored.ts): the one check every reader shares. */
  const readJson = <S extends z.ZodType>(name: string, schema: S): z.output<S> => {
    const bytes = read(name);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (e) {
      throw corrupt(name, `invalid JSON (${reason(e)})`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw corrupt(name, firstIssue(parsed.error));
    return parsed.data;
  };

  const config = readJson(RUN_FILES.config, storedRunConfigSchema);
  const losses = readJson(RUN_FILES.losses, lossTraceSchema);
  const summary = readJson(RUN_FILES.summary, runSummarySchema);
  const { snapshots, embeddings } = readTensors(read(RUN_FILES.tensors), config, (why) =>
    corrupt(RUN_FILES.tensors, why),
  );
  return { id, config, losses, summary, snapshots, embeddings };
}

function readTensors(
  bytes: Uint8Array,
  config: StoredRunConfig,
  corrupt: (why: string) => StoreError,
): { snapshots: Snapshot[]; embeddings: LoadedRun['embeddings'] } {
  let decoded: Safetensors;
  try {
    decoded = decodeSafetensors(bytes);
  } catch (e) {
    throw corrupt(reason(e));
  }
  const { tensors, metadata } = decoded;
  if (metadata.format !== RUN_FORMAT)
    throw corrupt(`format ${JSON.stringify(metadata.format)}, expected ${RUN_FORMAT}`);
  const steps = metadata.snapshots ? metadata.snapshots.split(',').map(Number) : [];
  if (!steps.every((s) => Number.isSafeInteger(s) && s >= 0))
    throw corrupt(`bad snapshot list ${JSON.stringify(metadata.snapshots)}`);

  const shapes = tensorShapes(config);
  const take = (name: string, shape: number[]): Float32Array => {
    const tensor = tensors[name];
    if (!tensor) throw corrupt(`tensor ${name} is missing`);
    if (!sameShape(tensor.shape, shape)) {
      throw corrupt(`tensor ${name} has shape [${tensor.shape.join(', ')}], the config implies [${shape.join(', ')}]`);
    }
    return tensor.data;
  };
  const embeddings: LoadedRun['embeddings'] = { E: take('embedding.E', shapes.E) };
  if (shapes.F) embeddings.F = take('embedding.F', shapes.F);
  const snapshots = steps.map((step) => {
    const names = snapshotNames(step);
    return { step, W1: take(names.W1, shapes.W1), b1: take(names.b1, shapes.b1), W2: take(names.W2, shapes.W2) };
  });
  return { snapshots, embeddings };
}
