// The dashboard's view of the JSON API (`toymodels serve`): the response shapes and one fetch
// helper per endpoint. Errors carry the server's message ({ error }) so pages can show it.

// The response types are the server's own (type-only import: src/server/api-types.ts has no imports).
import type {
  CatalogueResponse,
  RunDetailResponse,
  RunsResponse,
  SnapshotResponse,
  SweepDetailResponse,
  SweepsResponse,
} from '../../src/server/api-types.js';

export type {
  CatalogueBatch,
  ChangeEvent,
  LossTrace,
  RunConfig,
  RunListRow,
  RunRow,
  RunStatus,
  SeriesPoint,
  SnapshotResponse,
  StoreInfo,
  SweepListRow as SweepSummary,
  SweepPointRow as SweepPoint,
  SweepRunData,
  SweepValue,
  SweepVariable,
} from '../../src/server/api-types.js';
export type RunDetail = RunDetailResponse;
export type SweepDetail = SweepDetailResponse;

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The API's base URL: the page's folder, so the app works wherever the server mounts it. */
const BASE = new URL('./api/', window.location.href.split('#')[0]);

async function get<T>(path: string): Promise<T> {
  const url = new URL(path, BASE);
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (e) {
    throw new ApiError(`cannot reach the server (${(e as Error).message})`, 0);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(`${res.status} ${res.statusText}: the server did not answer JSON`, res.status);
  }
  if (!res.ok) {
    const msg =
      body && typeof body === 'object' && 'error' in body ? String((body as { error: unknown }).error) : res.statusText;
    throw new ApiError(`${res.status}: ${msg}`, res.status);
  }
  return body as T;
}

const seg = encodeURIComponent;

export const api = {
  runs: () => get<RunsResponse>('runs'),
  run: (id: string) => get<RunDetailResponse>(`runs/${seg(id)}`),
  snapshot: (id: string, step: number) => get<SnapshotResponse>(`runs/${seg(id)}/snapshots/${step}`),
  sweeps: () => get<SweepsResponse>('sweeps').then((r) => r.sweeps),
  sweep: (name: string) => get<SweepDetailResponse>(`sweeps/${seg(name)}`),
  catalogue: () => get<CatalogueResponse>('catalogue').then((r) => r.batches),
  eventsUrl: () => new URL('events', BASE).toString(),
};

/** The snapshot's SFA as a Float32Array (the API sends little-endian float32, base64). */
export function decodeSfa(sfa: SnapshotResponse['sfa']): { rows: number; cols: number; data: Float32Array } {
  const bin = atob(sfa.data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const n = sfa.rows * sfa.cols;
  if (bytes.length < n * 4) throw new Error(`heat map data has ${bytes.length} bytes, expected ${n * 4}`);
  const view = new DataView(bytes.buffer);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = view.getFloat32(i * 4, true);
  return { rows: sfa.rows, cols: sfa.cols, data };
}

/** Snapshot responses are immutable for a finished run: keep the recent ones. */
const snapshotCache = new Map<string, Promise<SnapshotResponse>>();
export function cachedSnapshot(id: string, step: number, finished: boolean): Promise<SnapshotResponse> {
  const key = `${id}/${step}`;
  const hit = snapshotCache.get(key);
  if (hit) return hit;
  const p = api.snapshot(id, step);
  if (finished) {
    snapshotCache.set(key, p);
    p.catch(() => snapshotCache.delete(key));
    if (snapshotCache.size > 48) snapshotCache.delete(snapshotCache.keys().next().value!);
  }
  return p;
}
