// Whether a run is its sweep point's result, as the store, the sweeps and the dashboard read it.
// No imports: the browser code uses it too.

/** A run that finished or diverged is settled; any other status (running, interrupted) is not. */
export const isSettled = (run?: { status: string } | null): boolean =>
  run?.status === 'finished' || run?.status === 'diverged';
