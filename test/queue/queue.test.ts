// The job queue end to end, as users run it: a real redis-server, `toymodels worker` processes,
// and the submitting `sweep --queue` or `collect` command gathering into a local store.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RunStore } from '../../src/store/run-store.js';
import { expectUsageError, tempDir, toymodels } from '../cli/cli.js';
import { REDIS_SERVER, RedisServer } from '../../bench/redis-server.js';

const HAS_REDIS = existsSync(REDIS_SERVER);
if (!HAS_REDIS)
  console.warn(
    `queue tests skipped: ${REDIS_SERVER} is missing (install Debian's redis-server: apt-get install -y redis-server; .ci/run does)`,
  );

const BIN = path.resolve(import.meta.dirname, '../../bin/toymodels.js');
const TINY = ['--N', '32', '--m', '8', '--k', '64', '--scale', 'smoke'];

/** A `toymodels worker` in its own process group (so kill -9 takes its training process too). */
class Worker {
  log = '';
  private readonly proc: ChildProcess;

  constructor(url: string) {
    this.proc = spawn(
      process.execPath,
      [BIN, 'worker', '--queue', url, '--jobs', '1', '--threads', '1', '--stall-timeout', '2'],
      {
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    this.proc.stderr!.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
  }

  async waitFor(pattern: RegExp, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.log)) {
      if (Date.now() > deadline || this.proc.exitCode !== null)
        throw new Error(`worker log never matched ${pattern}:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill9(): void {
    process.kill(-this.proc.pid!, 'SIGKILL');
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    process.kill(-this.proc.pid!, 'SIGKILL');
    await once(this.proc, 'exit');
  }
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of cleanup.splice(0).reverse()) await stop();
});

async function redisServer(args: string[] = []): Promise<RedisServer> {
  const redis = await RedisServer.start(args);
  cleanup.push(() => redis.close());
  return redis;
}

function worker(url: string): Worker {
  const w = new Worker(url);
  cleanup.push(() => w.stop());
  return w;
}

/** Every run of the store, and its run folders: each run must be there once. */
function stored(store: string) {
  const s = new RunStore(store);
  const runs = s.listRuns();
  const points = (name: string) =>
    s
      .sweepRuns(name)
      .map((r) => r.point)
      .sort();
  const result = {
    runs,
    points,
    folders: readdirSync(store)
      .filter((f) => /^\d{8}-/.test(f))
      .sort(),
  };
  return { ...result, close: () => s.close() };
}

const finalLosses = (json: string) =>
  JSON.parse(json).runs.map((r: { status: string; final: { data_loss: number } }) => [r.status, r.final.data_loss]);

describe.skipIf(!HAS_REDIS)('toymodels worker and sweep --queue', () => {
  it('trains a smoke sweep on two workers: every run stored once, as a local sweep would, nothing left in Redis', async () => {
    const redis = await redisServer(['--requirepass', 'pw']);
    const url = redis.url(':pw@');
    worker(url);
    worker(url);
    const store = tempDir();
    const args = [
      'sweep',
      ...TINY,
      '--sweep_var',
      'seed',
      '--sweep_values',
      '1',
      '2',
      '3',
      '4',
      '--name',
      'q',
      '--json',
    ];
    const r = toymodels([...args, '--queue', url, '--store', store]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain(':pw@');
    expect(r.stderr).toContain(`redis://:***@127.0.0.1:${redis.port}`);

    const s = stored(store);
    expect(s.runs.map((x) => x.status)).toEqual(['finished', 'finished', 'finished', 'finished']);
    expect(s.points('q')).toEqual([0, 1, 2, 3]);
    expect(s.folders).toEqual(s.runs.map((x) => x.id).sort());
    s.close();
    // Same seeds and threads per run: the same results as training here.
    const local = toymodels([...args, '--threads', '1', '--store', tempDir()]);
    expect(finalLosses(r.stdout)).toEqual(finalLosses(local.stdout));

    const again = toymodels([...args, '--queue', url, '--store', store]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('0 runs to train, 4 kept from earlier');
    expect(stored(store).runs).toHaveLength(4);

    const client = new Redis(url);
    expect(await client.keys('toymodels:result:*')).toEqual([]);
    expect(await client.keys('bull:toymodels:q#*')).toEqual([]);
    client.disconnect();
  });

  it('gives the run of a worker killed mid-run (kill -9) to the other worker, and stores it once', async () => {
    const redis = await redisServer();
    const url = redis.url();
    const store = tempDir();
    // Runs of about a second, so that the kill lands mid-run.
    const args = [
      'sweep',
      '--N',
      '64',
      '--m',
      '16',
      '--k',
      '256',
      '--log2_batch_size',
      '7',
      '--log2_training_steps',
      '11',
      '--sweep_var',
      'seed',
      '--sweep_values',
      '1',
      '2',
      '--name',
      'k9',
    ];
    const queued = toymodels([...args, '--queue', url, '--no-wait', '--store', store]);
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stdout).toMatch(/^sweep k9: 2 runs queued; gather them with: toymodels collect --queue/);

    const killed = worker(url);
    await killed.waitFor(/k9#\w+#0: training/);
    killed.kill9();
    const other = worker(url);
    const r = toymodels(['collect', '--queue', url, 'k9', '--store', store, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).runs.map((x: { status: string }) => x.status)).toEqual(['finished', 'finished']);
    // The logs arrive through pipes, read while this test waits.
    await other.waitFor(/k9#\w+#0: finished[^]*k9#\w+#1: finished|k9#\w+#1: finished[^]*k9#\w+#0: finished/, 5000);
    expect(killed.log).not.toMatch(/#0: finished/);
    const s = stored(store);
    expect(s.runs).toHaveLength(2);
    expect(s.points('k9')).toEqual([0, 1]);
    expect(s.folders).toHaveLength(2);
    s.close();
  });

  it('keeps queued runs through a Redis restart (appendonly); a waiting worker reconnects with back-off and completes them', async () => {
    const redis = await redisServer(['--appendonly', 'yes']);
    const url = redis.url();
    const store = tempDir();
    const sweep = (values: string[], name: string) => [
      'sweep',
      ...TINY,
      '--sweep_var',
      'seed',
      '--sweep_values',
      ...values,
      '--name',
      name,
      '--queue',
      url,
      '--store',
      store,
    ];
    expect(toymodels([...sweep(['1', '2', '3'], 'rs'), '--no-wait']).code).toBe(0);
    await redis.stop();

    const w = worker(url);
    await w.waitFor(
      new RegExp(`cannot reach redis://127\\.0\\.0\\.1:${redis.port} \\(ECONNREFUSED\\); retrying in 1 s\\n`),
    );
    await redis.restart();
    const r = toymodels(['collect', '--queue', url, 'rs', '--store', store, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).runs.map((x: { status: string }) => x.status)).toEqual([
      'finished',
      'finished',
      'finished',
    ]);
    await w.waitFor(new RegExp(`connected to redis://127\\.0\\.0\\.1:${redis.port}`), 5000);

    // Restarted again while the worker waits for work: it reconnects and takes the next sweep.
    await redis.stop();
    await redis.restart();
    const next = toymodels(sweep(['4'], 'rs2'));
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toMatch(/^4\s+finished/m);
    await w.waitFor(/rs2#\w+#0: finished/, 5000);
    // Every line the worker wrote is a log line: no stack traces.
    for (const line of w.log.trim().split('\n')) expect(line).toMatch(/^\d\d:\d\d:\d\d \S+: /);
  });

  it('exits 2 with one line when Redis refuses the credentials', async () => {
    const redis = await redisServer(['--requirepass', 'pw']);
    const r = toymodels(['worker', '--queue', redis.url(':wrong@'), '--jobs', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      `toymodels: redis://:***@127.0.0.1:${redis.port} refused the credentials (WRONGPASS invalid username-password pair or user is disabled.)`,
    );
    expect(r.stderr).not.toContain('wrong');
  });
});

describe('queue bad input: one line, exit 2, nothing written', () => {
  const sweep = ['sweep', '--sweep_var', 'seed', '--sweep_values', '1'];
  it.each([
    [
      [...sweep, '--queue', 'localhost:6379'],
      /--queue: "localhost:6379" is not allowed: localhost: is not a Redis scheme; expected redis:\/\//,
    ],
    [
      [...sweep, '--queue', 'redis://127.0.0.1:1', '--jobs', '2'],
      /--jobs, --threads and --together do not apply with --queue/,
    ],
    [
      [...sweep, '--queue', 'redis://127.0.0.1:1', '--together', '3'],
      /--jobs, --threads and --together do not apply with --queue/,
    ],
    [[...sweep, '--no-wait'], /--no-wait is for --queue/],
    [[...sweep, '--plan', '--queue', 'redis://127.0.0.1:1'], /--plan and --queue/],
    [
      ['worker', '--queue', 'http://user:secret@host'],
      /^toymodels: --queue: "http:\/\/user:\*\*\*@host" is not allowed/,
    ],
    [['worker', '--queue', 'redis://127.0.0.1:1', '--stall-timeout', '0'], /--stall-timeout: "0" .*positive integer/],
    [
      ['worker', '--queue', 'redis://127.0.0.1:1', '--device', 'tpu'],
      /--device: "tpu" is not allowed: must be cpu or webgpu/,
    ],
    [['collect', '--queue', 'redis://127.0.0.1:1', 'a/b'], /"a\/b" is not a sweep name/],
  ])('%j', (args, message) => {
    expectUsageError(args as string[], message);
  });
});
