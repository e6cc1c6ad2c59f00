// The built web app is served from its folder and nothing else: traversal in every spelling, and
// symlinks out of the folder, are refused.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { tempDir } from '../cli/cli.js';
import { INDEX_HTML, SECRET, json, makeWebRoot } from './helpers.js';

const { webRoot } = makeWebRoot();
const app = createApp({ storeDir: path.join(tempDir(), 'no-store'), webRoot });

describe('the web app', () => {
  it('serves index.html at / and files by exact path', async () => {
    const root = await app.request('/');
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toMatch(/^text\/html/);
    expect(root.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await root.text()).toBe(INDEX_HTML);
    const js = await app.request('/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(await js.text()).toContain('console.log');
    expect((await app.request('/index.html')).status).toBe(200);
  });

  it('answers 404 for unknown paths and folders', async () => {
    for (const url of ['/nope.js', '/assets/nope.js', '/assets', '/assets/']) {
      const res = await app.request(url);
      expect(res.status, url).toBeGreaterThanOrEqual(400);
      expect(res.status, url).toBeLessThan(500);
      expect((await json(res)).error, url).toBeTruthy();
    }
  });

  it('refuses traversal in every spelling', async () => {
    const attempts = [
      '/../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E/%2E%2E/package.json',
      '/%2e%2e%2fpackage.json',
      '/..%2fpackage.json',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/assets/..%5c..%5cpackage.json',
      '/assets/..\\..\\package.json',
      '/%2fetc%2fpasswd',
      '/assets/%00',
      '/assets/app.js%00.html',
      '/C:%5cWindows%5cwin.ini',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/.hidden',
      '/assets/%zz',
    ];
    for (const url of attempts) {
      const res = await app.request(url);
      const body = await res.text();
      expect(res.status, url).toBeGreaterThanOrEqual(400);
      expect(res.status, url).toBeLessThan(500);
      expect(body, url).not.toContain('"name": "toymodels"');
      expect(body, url).not.toContain(SECRET);
      expect(JSON.parse(body).error, url).toBeTruthy();
    }
    // Paths that still hold an encoded separator or dot segment once the URL is parsed: 400 with why.
    for (const url of ['/%2e%2e%2fpackage.json', '/..%2fpackage.json', '/assets/..%5c..%5cpackage.json']) {
      const res = await app.request(url);
      expect(res.status, url).toBe(400);
      expect((await json(res)).error).toMatch(/^path refused/);
    }
    // An absolute path (//etc/passwd), sent as is.
    const abs = await app.request(new Request('http://localhost//etc/passwd'));
    expect(abs.status).toBe(400);
    expect(await abs.text()).not.toContain('root:');
  });

  it('refuses symlinks that point out of the web root', async () => {
    for (const url of ['/assets/evil.txt', '/assets/up/secret.txt']) {
      const res = await app.request(url);
      expect(res.status, url).toBe(403);
      const body = await res.text();
      expect(body).not.toContain(SECRET);
      expect(JSON.parse(body).error).toMatch(/outside the web app/);
    }
  });

  it('answers / with 503 and how to build when the web app is not built, and keeps serving the API', async () => {
    const empty = path.join(tempDir(), 'web');
    mkdirSync(empty);
    for (const root of [empty, path.join(tempDir(), 'missing')]) {
      const bare = createApp({ storeDir: path.join(tempDir(), 'no-store'), webRoot: root });
      const res = await bare.request('/');
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/npm run build/);
      expect((await bare.request('/assets/app.js')).status).toBe(404);
      expect((await bare.request('/api/runs')).status).toBe(200);
    }
  });

  it('refuses methods other than GET', async () => {
    for (const [method, url] of [
      ['POST', '/'],
      ['PUT', '/assets/app.js'],
      ['DELETE', '/api/runs'],
      ['POST', '/api/runs'],
    ]) {
      const res = await app.request(url!, { method });
      expect(res.status, `${method} ${url}`).toBe(405);
      expect((await json(res)).error).toMatch(/not allowed/);
    }
  });
});
