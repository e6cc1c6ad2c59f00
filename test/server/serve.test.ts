// `toymodels serve` as a user runs it: it prints its URL, answers over HTTP, and stops when killed.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, toymodels } from '../cli/cli.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/toymodels.js');

/** A raw GET, so that the path reaches the server exactly as written (fetch would normalise it). */
function rawGet(url: string, rawPath: string, host?: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: rawPath, method: 'GET', headers: host ? { host } : {} },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('toymodels serve', () => {
  it('prints the URL, serves the API over HTTP, refuses traversal and foreign hosts, and stops on SIGTERM', async () => {
    const store = tempDir();
    const train = toymodels([
      'train',
      '--N',
      '32',
      '--m',
      '8',
      '--k',
      '64',
      '--log2_batch_size',
      '5',
      '--log2_training_steps',
      '4',
      '--threads',
      '1',
      '--store',
      store,
      '--json',
    ]);
    expect(train.code, train.stderr).toBe(0);
    const id = JSON.parse(train.stdout).id;

    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--store', store], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /^toymodels dashboard: (http:\/\/127\.0\.0\.1:\d+\/)\n/m.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`serve exited (${code}) before printing its URL: ${stderr}`)));
        setTimeout(() => reject(new Error(`no URL within 30 s: ${out} ${stderr}`)), 30_000);
      });
      const res = await fetch(`${url}api/runs`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.runs.map((r: { id: string }) => r.id)).toEqual([id]);

      for (const raw of [
        '/..%2f..%2fpackage.json',
        '/assets/..%5c..%5cpackage.json',
        '//etc/passwd',
        '/api/runs/..%2f..%2fpackage.json',
      ]) {
        const r = await rawGet(url, raw);
        expect(r.status, raw).toBe(400);
        expect(r.body, raw).not.toContain('"name": "toymodels"');
      }
      for (const raw of ['/../package.json', '/%2e%2e/%2e%2e/package.json', '/assets/..\\..\\package.json']) {
        const r = await rawGet(url, raw);
        expect(r.status, raw).toBeGreaterThanOrEqual(400);
        expect(r.status, raw).toBeLessThan(500);
        expect(r.body, raw).not.toContain('"name": "toymodels"');
      }
      // A page on another origin that rebinds its name to 127.0.0.1 is not answered.
      const foreign = await rawGet(url, '/api/runs', 'evil.example:8137');
      expect(foreign.status).toBe(403);
      expect(foreign.body).not.toContain(id);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('refuses a bad port with exit code 2 and one line', () => {
    const r = toymodels(['serve', '--port', '99999', '--store', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'toymodels: --port: "99999" is not allowed: must be an integer from 0 (any free port) to 65535\n',
    );
  });
});
