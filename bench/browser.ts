// What the browser tests and benchmarks share: Debian's Chromium (never a downloaded browser), and
// `toymodels serve` on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = fs.existsSync(CHROMIUM);
/** The checkout: the folder above this file (bench/ or dist/bench/) that holds bin/toymodels.js. */
export const ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'bin/toymodels.js')) && dir !== path.dirname(dir)) dir = path.dirname(dir);
  return dir;
})();
export const CLI = path.join(ROOT, 'bin/toymodels.js');
/** SwiftShader, the Vulkan on the CPU that Debian's chromium ships: WebGPU without a GPU. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Headless Chromium; `webgpu` gives it a WebGPU adapter on SwiftShader. */
export async function launchChromium(opts: { webgpu?: boolean } = {}): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      ...(opts.webgpu ? ['--enable-unsafe-webgpu', '--enable-features=Vulkan'] : ['--disable-gpu']),
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    ...(opts.webgpu ? { env: { ...process.env, VK_ICD_FILENAMES: SWIFTSHADER_ICD } } : {}),
  });
}

/** Starts `toymodels serve` on a free port and resolves with its URL (printed on stdout). */
export function startServer(store: string): Promise<{ proc: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--store', store], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`toymodels serve printed no URL in 30 s; stdout: ${out} stderr: ${err}`)),
      30_000,
    );
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(/toymodels dashboard: (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]!.endsWith('/') ? m[1]! : `${m[1]}/` });
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`toymodels serve exited with ${code}: ${err}`));
    });
  });
}
