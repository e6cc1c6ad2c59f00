// The analysis API in one import: a snapshot's measures (snapshot.ts), the heat-map order
// (heatmap.ts), row-major matrices (matrix.ts), a run's series (run.ts), its loss windows and
// zero-output loss (loss.ts), and the features amplitude responses are summarised over
// (amplitude.ts).
export * from './amplitude.js';
export * from './heatmap.js';
export * from './loss.js';
export * from './matrix.js';
export * from './run.js';
export * from './snapshot.js';
