// The toymodels version, which every stored run records.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The package's version, from the nearest package.json up from this file (src/ or dist/src/). */
export const PACKAGE_VERSION: string = (() => {
  for (let dir = import.meta.dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  throw new Error('toymodels: package.json not found');
})();
