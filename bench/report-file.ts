// Benchmarks rewrite only their own section of a docs file, between markers, atomically.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../src/store/atomic.js';

export function replaceSection(file: string, section: string, body: string): void {
  const start = `<!-- ${section}:start -->`;
  const end = `<!-- ${section}:end -->`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const block = `${start}\n${body.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  writeFileAtomic(
    file,
    i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`,
  );
}
