// A finished run's folder, DIR/<id>/: config.json, losses.json, summary.json and
// tensors.safetensors. It appears in one rename, complete and fsynced, or not at all.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { outputSize, type RunConfig } from '../config/schema.js';
import { firstIssue, lossTraceSchema, runSummarySchema, storedRunConfigSchema } from '../config/stored.js';
import { LOSS_EVERY } from '../train/loop.js';
import { fsyncDir, writeFileDurable } from './atomic.js';
import { StoreError, reason } from './errors.js';
import { decodeSafetensors, encodeSafetensors, type Safetensors, type Tensor } from './safetensors.js';
import type { LoadedRun, LossTrace, RunRecord, Snapshot, StoredRunConfig } from './types.js';

/** The default interval, in steps, between recorded losses. */
/** `__metadata__.format` of tensors.safetensors; bump it when the tensor layout changes. */
export const RUN_FORMAT = 'toymodels-run-1';
export const RUN_FILES = {
  config: 'config.json',
  losses: 'losses.json',
  summary: 'summary.json',
  tensors: 'tensors.safetensors',
} as const;

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

/** The folder's files, validated against the config before anything touches the disk. */
function encodeRunFiles(id: string, record: RunRecord): Record<string, string | Uint8Array> {
  const { steps: lossSteps, loss } = record.losses;
  if (lossSteps.length !== loss.length) {
    throw new StoreError(`run ${id}: the loss trace has ${lossSteps.length} steps but ${loss.length} losses`);
  }
  const { tensors, steps } = runTensors(id, record);
  const losses: LossTrace = { every: record.losses.every ?? LOSS_EVERY, steps: lossSteps, loss };
  return {
    [RUN_FILES.config]: `${JSON.stringify(record.config, null, 2)}\n`,
    [RUN_FILES.losses]: `${JSON.stringify(losses)}\n`,
    [RUN_FILES.summary]: `${JSON.stringify(record.summary, null, 2)}\n`,
    [RUN_FILES.tensors]: encodeSafetensors(tensors, { snapshots: steps.join(','), format: RUN_FORMAT }),
  };
}

/**
 * Writes DIR/<id>/ atomically: builds DIR/.tmp-<id>-<random>/, fsyncs every file and the folder,
 * then renames it into place. On failure the temporary folder is removed and nothing appears.
 */
export function writeRunFolder(storeDir: string, id: string, record: RunRecord): string {
  const folder = path.join(storeDir, id);
  const files = encodeRunFiles(id, record);
  if (fs.existsSync(folder)) throw new StoreError(`run ${id}: ${folder} already exists`);
  const temp = path.join(storeDir, `.tmp-${id}-${randomBytes(4).toString('hex')}`);
  try {
    fs.mkdirSync(temp);
    for (const [name, data] of Object.entries(files)) writeFileDurable(path.join(temp, name), data);
    fsyncDir(temp);
    fs.renameSync(temp, folder);
    fsyncDir(storeDir);
  } catch (e) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw new StoreError(`run ${id}: cannot write ${folder}: ${reason(e)}`);
  }
  return folder;
}

/** The raw bytes of a finished run's files, as they lie in its folder (for sending a run elsewhere). */
export function readRunFiles(folder: string, id: string): Record<string, Buffer> {
  if (!fs.existsSync(folder))
    throw new StoreError(`run ${id}: no folder ${folder} (not finished, or not in this store)`);
  return Object.fromEntries(
    Object.values(RUN_FILES).map((name) => {
      try {
        return [name, fs.readFileSync(path.join(folder, name))];
      } catch (e) {
        throw new StoreError(`run ${id}: cannot read ${path.join(folder, name)}: ${reason(e)}`);
      }
    }),
  );
}

/** Reads and checks a run folder; any missing, corrupt or inconsistent file throws a StoreError. */
export function readRunFolder(folder: string, id: string): LoadedRun {
  return decodeRunFiles(readRunFiles(folder, id), id, (name) => path.join(folder, name));
}

/**
 * Checks and decodes a run's files, wherever they come from (its folder, or a queue worker's
 * result); `locate` names a file in errors. Anything missing, corrupt or inconsistent throws.
 */
export function decodeRunFiles(
  files: Record<string, Uint8Array | undefined>,
  id: string,
  locate: (name: string) => string,
): LoadedRun {
  const corrupt = (name: string, why: string) => new StoreError(`run ${id}: ${locate(name)} is corrupt: ${why}`);
  const read = (name: string): Buffer => {
    const data = files[name];
    if (!data) throw new StoreError(`run ${id}: ${locate(name)} is missing`);
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  };
  /** A JSON file read through its schema (config/stored.ts): the one check every reader shares. */
  const readJson = <S extends z.ZodType>(name: string, schema: S): z.output<S> => {
    let json: unknown;
    try {
      json = JSON.parse(read(name).toString('utf8'));
    } catch (e) {
      if (e instanceof StoreError) throw e;
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
  bytes: Buffer,
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
