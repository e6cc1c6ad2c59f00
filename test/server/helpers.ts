// Shared fixtures of the dashboard server tests.
import { mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../cli/cli.js';

export const TINY = ['--N', '32', '--m', '8', '--k', '64', '--scale', 'smoke', '--threads', '1'];

export const INDEX_HTML = '<!doctype html><title>toymodels test</title>';
export const SECRET = 'TOP SECRET, outside the web root';

/**
 * A web root with index.html and assets/app.js, next to a secret file, with symlinks inside it
 * that point out of it (a file and a folder).
 */
export function makeWebRoot(): { webRoot: string; outside: string } {
  const base = tempDir();
  const webRoot = path.join(base, 'web');
  mkdirSync(path.join(webRoot, 'assets'), { recursive: true });
  writeFileSync(path.join(webRoot, 'index.html'), INDEX_HTML);
  writeFileSync(path.join(webRoot, 'assets', 'app.js'), 'console.log("app");');
  const outside = path.join(base, 'secret.txt');
  writeFileSync(outside, SECRET);
  symlinkSync(outside, path.join(webRoot, 'assets', 'evil.txt'));
  symlinkSync(base, path.join(webRoot, 'assets', 'up'));
  return { webRoot, outside };
}

/** Every file and folder under `dir` with its size and mtime: to show nothing was written. */
export function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = statSync(p);
      out[path.relative(dir, p)] = `${st.isDirectory() ? 'dir' : st.size}:${st.mtimeMs}`;
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  out['.'] = `dir:${statSync(dir).mtimeMs}`;
  return out;
}

export async function json(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`not JSON (status ${res.status}): ${text.slice(0, 200)}`);
  }
}
