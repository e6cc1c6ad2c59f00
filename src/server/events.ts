// Live updates: while anyone listens, the index is polled (a stat of its files, and a read only
// when they changed, or every FULL_CHECK_TICKS polls) and each change - runs that are new or whose
// status, progress or final metrics changed, sweeps that are new, gained a run or have a changed
// run - goes to every listener as one ChangeEvent.
import type { ChangeEvent, RunChange } from './api-types.js';
import type { StoreReader } from './store-reader.js';

const FULL_CHECK_TICKS = 10;

interface State {
  runs: Map<string, { key: string; change: RunChange }>;
  /** Sweep name -> its links, as one string. */
  sweeps: Map<string, string>;
  /** Run id -> the sweeps it belongs to. */
  runSweeps: Map<string, string[]>;
}

export class ChangeFeed {
  private readonly listeners = new Set<(event: ChangeEvent) => void>();
  private timer: NodeJS.Timeout | null = null;
  private previous: State | null = null;
  private token = '';
  private ticks = 0;

  constructor(
    private readonly reader: StoreReader,
    readonly pollMs: number,
  ) {}

  /** Calls `listener` with every change from now on; returns the unsubscribe function. */
  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.token = this.reader.changeToken();
      this.previous = this.capture();
      this.timer = setInterval(() => this.tick(), this.pollMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  get listening(): number {
    return this.listeners.size;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.previous = null;
    this.listeners.clear();
  }

  private capture(): State | null {
    try {
      const runs = new Map<string, { key: string; change: RunChange }>();
      for (const r of this.reader.listRuns()) {
        const change: RunChange = { id: r.id, status: r.status, progress: r.progress, final: r.final };
        runs.set(r.id, { key: JSON.stringify([r.status, r.finished_at, r.progress, r.final]), change });
      }
      const links = new Map<string, string[]>();
      const runSweeps = new Map<string, string[]>();
      for (const s of this.reader.listSweeps()) links.set(s.name, []);
      for (const l of this.reader.sweepLinks()) {
        links.get(l.sweep)?.push(`${l.point}:${l.run_id}`);
        const sweeps = runSweeps.get(l.run_id) ?? [];
        sweeps.push(l.sweep);
        runSweeps.set(l.run_id, sweeps);
      }
      return { runs, sweeps: new Map([...links].map(([name, l]) => [name, l.join(',')])), runSweeps };
    } catch {
      // An unreadable index this time (e.g. mid-rewrite): try again at the next poll.
      return null;
    }
  }

  private tick(): void {
    const token = this.reader.changeToken();
    this.ticks++;
    if (token === this.token && this.ticks % FULL_CHECK_TICKS !== 0 && this.previous) return;
    const current = this.capture();
    if (!current) return;
    this.token = token;
    const previous = this.previous;
    this.previous = current;
    if (!previous) return;
    const event = diff(previous, current);
    if (event.runs.length === 0 && event.sweeps.length === 0) return;
    for (const listener of this.listeners) listener(event);
  }
}

function diff(previous: State, current: State): ChangeEvent {
  const runs: RunChange[] = [];
  const sweeps = new Set<string>();
  for (const [id, now] of current.runs) {
    if (previous.runs.get(id)?.key === now.key) continue;
    runs.push(now.change);
    for (const s of current.runSweeps.get(id) ?? []) sweeps.add(s);
  }
  for (const [name, links] of current.sweeps) if (previous.sweeps.get(name) !== links) sweeps.add(name);
  return { runs, sweeps: [...sweeps] };
}
