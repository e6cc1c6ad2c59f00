// The built web app, served from its folder and from nothing else. A request path is taken apart
// before anything touches the disk: every segment is percent-decoded on its own and refused (400)
// if it is empty, `.` or `..`, hidden (starts with a dot), or holds a slash, backslash, colon or
// NUL once decoded, so `..%2f`, `%2e%2e`, `..%5c`, `//etc/passwd` and drive letters never reach the
// file system. The file found is then resolved with realpath and must lie inside the realpath of
// the web root (403 otherwise), so a symlink that points out of the folder is refused too.
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from 'hono';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export const NOT_BUILT =
  'the dashboard web app is not built: run `npm run build` (it builds the web app into dist/web), then start `toymodels serve` again';

export class PathRefused extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404,
  ) {
    super(message);
  }
}

/**
 * The decoded segments of a URL path, or a PathRefused (400) naming the problem. `/` gives [].
 */
export function safeSegments(rawPath: string): string[] {
  if (!rawPath.startsWith('/')) throw new PathRefused('path refused: it must start with /', 400);
  if (rawPath === '/') return [];
  return rawPath
    .slice(1)
    .split('/')
    .map((raw) => {
      let segment: string;
      try {
        segment = decodeURIComponent(raw);
      } catch {
        throw new PathRefused('path refused: bad percent-encoding', 400);
      }
      if (segment === '') throw new PathRefused('path refused: empty segment (//)', 400);
      if (segment === '.' || segment === '..')
        throw new PathRefused('path refused: . and .. segments are not allowed', 400);
      if (/[/\\:\0]/.test(segment)) throw new PathRefused('path refused: encoded slash, backslash, colon or NUL', 400);
      if (segment.startsWith('.')) throw new PathRefused('path refused: hidden files are not served', 400);
      return segment;
    });
}

/** The real path of the file at `segments` under `webRoot`, checked to be a file inside it. */
export function resolveInside(webRoot: string, segments: string[]): string {
  let root: string;
  try {
    root = fs.realpathSync(webRoot);
  } catch {
    throw new PathRefused('not found', 404);
  }
  let real: string;
  try {
    real = fs.realpathSync(path.join(root, ...segments));
  } catch {
    throw new PathRefused('not found', 404);
  }
  if (!real.startsWith(root + path.sep)) throw new PathRefused('path refused: it resolves outside the web app', 403);
  if (!fs.statSync(real).isFile()) throw new PathRefused('not found', 404);
  return real;
}

/** GET handler for every path outside /api/. */
export function serveWebApp(webRoot: string) {
  return async (c: Context): Promise<Response> => {
    const rawPath = new URL(c.req.url).pathname;
    let file: string;
    try {
      const segments = safeSegments(rawPath);
      if (segments.length === 0 || (segments.length === 1 && segments[0] === 'index.html')) {
        try {
          file = resolveInside(webRoot, ['index.html']);
        } catch {
          return c.text(`${NOT_BUILT}\n`, 503);
        }
      } else file = resolveInside(webRoot, segments);
    } catch (e) {
      if (e instanceof PathRefused) return c.json({ error: e.message }, e.status);
      throw e;
    }
    const body = await fs.promises.readFile(file);
    const ext = path.extname(file).toLowerCase();
    const headers: Record<string, string> = { 'content-type': MIME[ext] ?? 'application/octet-stream' };
    // Vite names built assets by content hash: they never change. index.html always revalidates.
    headers['cache-control'] = rawPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    // Cross-origin isolation gives the playground SharedArrayBuffer, hence WebAssembly threads; the
    // app loads nothing from other origins, so it costs nothing.
    headers['cross-origin-opener-policy'] = 'same-origin';
    headers['cross-origin-embedder-policy'] = 'require-corp';
    return c.body(body, 200, headers);
  };
}
