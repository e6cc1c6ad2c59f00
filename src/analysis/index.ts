// The analysis API in one import, for Node: a snapshot's measures (snapshot.ts) on
// onnxruntime-node's CPU (cpu.ts), the heat-map order (heatmap.ts), row-major matrices (matrix.ts),
// a run's series (run.ts), its loss windows and zero-output loss (loss.ts), and the features
// amplitude responses are summarised over (amplitude.ts). A browser imports snapshot.ts itself.
export * from './amplitude.js';
export * from './cpu.js';
export * from './heatmap.js';
export * from './loss.js';
export * from './matrix.js';
export * from './run.js';
export * from './snapshot.js';
