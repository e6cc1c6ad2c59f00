// The analysis API in one import: a snapshot's measures (snapshot.ts), the heat-map order
// (heatmap.ts), row-major matrices (matrix.ts) and a run's series (run.ts).
export * from './heatmap.js';
export * from './matrix.js';
export * from './run.js';
export * from './snapshot.js';
