// How a run gets from a worker to the collecting store without a shared disk: the worker puts its
// run folder's files (config, losses, summary, tensors: the same bytes a local run has on disk)
// into one Redis hash, in one HSET; the collector reads it, checks it, stores the run under its
// id and deletes the hash. One hash per job, so a retried job overwrites, never adds. Sizes and
// limits: README, "Sweeps on many machines".
import path from 'node:path';
import type { Redis } from 'ioredis';
import { decodeRunFiles } from '../store/run-files.js';
import { readRunFiles } from '../store/run-folder.js';
import type { LoadedRun, RunRow } from '../store/types.js';

const resultKey = (jobId: string): string => `toymodels:result:${jobId}`;
const META = 'run.json';

export interface RunTimes {
  created_at: string;
  finished_at: string;
}

/** Sends a finished run of `storeDir` as the result of `jobId`; returns the bytes sent. */
export async function deliverRun(redis: Redis, jobId: string, storeDir: string, row: RunRow): Promise<number> {
  const files = readRunFiles(path.join(storeDir, row.id), row.id);
  const meta = { id: row.id, created_at: row.created_at, finished_at: row.finished_at ?? new Date().toISOString() };
  const fields: (string | Buffer)[] = [META, JSON.stringify(meta)];
  for (const [name, data] of Object.entries(files)) fields.push(name, data);
  await redis.hset(resultKey(jobId), ...fields);
  return Object.values(files).reduce((n, data) => n + data.length, 0);
}

/** The run delivered for `jobId`, checked against its config; undefined if there is none. */
export async function fetchRun(redis: Redis, jobId: string): Promise<{ run: LoadedRun; times: RunTimes } | undefined> {
  const fields = await redis.hgetallBuffer(resultKey(jobId));
  if (!fields[META]) return undefined;
  const meta = JSON.parse(fields[META].toString('utf8')) as { id: string } & RunTimes;
  const run = decodeRunFiles(fields, meta.id, (name) => `${name} of job ${jobId}'s result`);
  return { run, times: { created_at: meta.created_at, finished_at: meta.finished_at } };
}

export async function dropRun(redis: Redis, jobId: string): Promise<void> {
  await redis.del(resultKey(jobId));
}
