// Run as a child process by `probeAdapter` (node-gpu.ts): asks Dawn for an adapter and prints one
// JSON line. Whatever Dawn says on stderr on the way stays in this process.
import { nodeGpu } from './node-gpu.js';

const adapter = await nodeGpu().requestAdapter({ powerPreference: 'high-performance' });
process.stdout.write(`${JSON.stringify({ ok: Boolean(adapter) })}\n`);
