// A local redis-server (Debian's redis-server package) for the queue's tests and benchmark: on a
// free loopback port only, with its files in a temporary folder; whoever starts it stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REDIS_SERVER = '/usr/bin/redis-server';

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

export class RedisServer {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'toymodels-redis-'));
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly args: string[],
  ) {}

  /** `args` are extra redis-server settings, e.g. ['--appendonly', 'yes'] or ['--requirepass', 'pw']. */
  static async start(args: string[] = []): Promise<RedisServer> {
    const redis = new RedisServer(await freePort(), args);
    await redis.restart();
    return redis;
  }

  url(auth = ''): string {
    return `redis://${auth}127.0.0.1:${this.port}`;
  }

  /** Starts the server (again, on the same port and folder) and waits until it accepts connections. */
  async restart(): Promise<void> {
    const child = spawn(
      REDIS_SERVER,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'no',
        ...this.args,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    this.process = child;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${log}`)));
    });
    child.stdout!.resume();
  }

  /** A clean shutdown (SIGTERM): with appendonly the server syncs its log before it exits. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  }

  /** Stops the server and removes its folder. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
