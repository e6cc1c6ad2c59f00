import { builtinModules } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  decodeRunFiles,
  downloadName,
  encodeRunFiles,
  newRunId,
  parseDownloadName,
  RUN_FILES,
  runIdTime,
} from '../../src/store/run-files.js';
import { StoreError } from '../../src/store/errors.js';
import type { RunRecord } from '../../src/store/types.js';
import { config, record as runRecord } from './records.js';

const ID = '20261126-150102-a1b2c3';
/** A run with its snapshots out of order: the files keep them by step. */
const record = (overrides: Record<string, unknown> = {}): RunRecord =>
  runRecord(config(overrides), { data_loss_se: 0.01, features_covered: 2, dead_neurons: 0 }, [3, 0, 7, 1]);

const locate = (name: string) => `<${name}>`;
const text = (s: string) => new TextEncoder().encode(s);

describe('encodeRunFiles and decodeRunFiles', () => {
  it.each([{}, { task: 're-projector' }])('round-trip a run (%o) to the same record', (overrides) => {
    const rec = record(overrides);
    const files = encodeRunFiles(ID, rec);
    expect(Object.keys(files).sort()).toEqual(Object.values(RUN_FILES).sort());
    // Plain bytes, as a browser has them: no Buffer.
    for (const bytes of Object.values(files)) expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(decodeRunFiles(files, ID, locate)).toEqual({
      ...rec,
      id: ID,
      losses: { every: 16, ...rec.losses },
      snapshots: [...rec.snapshots].sort((a, b) => a.step - b.step),
    });
  });

  it('refuses a record whose tensors do not fit its config, before any bytes exist', () => {
    const rec = record();
    rec.snapshots[0]!.W1 = new Float32Array(5);
    expect(() => encodeRunFiles(ID, rec)).toThrow(
      /run 20261126-150102-a1b2c3: step_3.W1 has 5 values, expected 3×2 = 6/,
    );
  });

  it.each([
    ['a missing file', { [RUN_FILES.losses]: undefined }, /<losses.json> is missing/],
    ['JSON that is not JSON', { [RUN_FILES.config]: text('{"N": 4') }, /<config.json> is corrupt: invalid JSON/],
    [
      'bytes that are not UTF-8',
      { [RUN_FILES.summary]: new Uint8Array([0x7b, 0xff, 0x7d]) },
      /<summary.json> is corrupt: invalid JSON/,
    ],
    [
      'a summary its schema refuses',
      { [RUN_FILES.summary]: text('{"status": "done"}') },
      /<summary.json> is corrupt: status/,
    ],
    [
      'tensors that are not safetensors',
      { [RUN_FILES.tensors]: new Uint8Array(4) },
      /<tensors.safetensors> is corrupt: safetensors/,
    ],
  ])('refuses %s with one line naming the file', (_, replace, message) => {
    const files = { ...encodeRunFiles(ID, record()), ...replace };
    let error: unknown;
    try {
      decodeRunFiles(files, ID, locate);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('refuses tensors whose shapes another config implies', () => {
    const files = {
      ...encodeRunFiles(ID, record()),
      [RUN_FILES.tensors]: encodeRunFiles(ID, record({ k: 5 }))[RUN_FILES.tensors],
    };
    expect(() => decodeRunFiles(files, ID, locate)).toThrow(
      /tensor step_0.W1 has shape \[5, 2\], the config implies \[3, 2\]/,
    );
  });
});

describe('download names', () => {
  it('name each of a run file as <id>.<file> and parse back', () => {
    for (const file of Object.values(RUN_FILES)) {
      const name = downloadName(ID, file);
      expect(name).toBe(`${ID}.${file}`);
      expect(parseDownloadName(name)).toEqual({ id: ID, file });
    }
    expect(downloadName(ID, RUN_FILES.config)).toBe('20261126-150102-a1b2c3.config.json');
  });

  it.each([
    'config.json',
    '.config.json',
    'pg-1a2b.config.json', // not an id the store accepts
    '20261126-150102-A1B2C3.config.json',
    '20261126-150102-a1b2c.config.json',
    '../20261126-150102-a1b2c3.config.json',
    '20261126-150102-a1b2c3.config.txt',
    '20261126-150102-a1b2c3config.json',
    '20261126-150102-a1b2c3.config (1).json',
    '20261126-150102-a1b2c3.index.sqlite',
    '20261126-150102-a1b2c3',
  ])('refuse %s', (name) => {
    expect(parseDownloadName(name)).toBeUndefined();
  });
});

describe('run ids', () => {
  it('carry their creation time to the second', () => {
    const at = new Date('2026-11-26T15:01:02.345Z');
    const id = newRunId(at);
    expect(id).toMatch(/^20261126-150102-[0-9a-f]{6}$/);
    expect(runIdTime(id)).toEqual(new Date('2026-11-26T15:01:02Z'));
    expect(parseDownloadName(downloadName(id, RUN_FILES.summary))).toEqual({ id, file: RUN_FILES.summary });
  });

  it.each(['20260231-000000-a1b2c3', '20261301-000000-a1b2c3', '20261126-246000-a1b2c3', 'pg-1a2b'])(
    'have no time when %s names none',
    (id) => expect(runIdTime(id)).toBeUndefined(),
  );
});

/**
 * The files a module loads when it runs, itself included: its value imports and re-exports,
 * followed through relative paths (type-only ones vanish when compiled), and the packages it names.
 */
function runtimeImports(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    const specifiers: string[] = [];
    const walk = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly)
        specifiers.push((node.moduleSpecifier as ts.StringLiteral).text);
      else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly)
        specifiers.push((node.moduleSpecifier as ts.StringLiteral).text);
      else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [arg] = node.arguments;
        specifiers.push(arg && ts.isStringLiteral(arg) ? arg.text : '<computed>');
      }
      ts.forEachChild(node, walk);
    };
    walk(source);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(path.resolve(import.meta.dirname, '../..', entry));
  return { files, packages };
}

/** Identifiers in a file that only Node provides as globals. */
function nodeGlobals(file: string): string[] {
  const found: string[] = [];
  const walk = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && ['Buffer', 'process', 'require', '__dirname'].includes(node.text))
      found.push(node.text);
    ts.forEachChild(node, walk);
  };
  walk(ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest));
  return found;
}

describe('browser safety', () => {
  it.each(['src/store/run-files.ts', 'src/store/safetensors.ts', 'src/analysis/summary.ts'])(
    '%s loads no Node module and uses no Node global, however deep',
    (entry) => {
      const { files, packages } = runtimeImports(entry);
      expect(files.size).toBeGreaterThan(0);
      const builtins = new Set(builtinModules);
      expect([...packages].filter((p) => p.startsWith('node:') || builtins.has(p.split('/')[0]!))).toEqual([]);
      expect([...packages]).not.toContain('<computed>');
      for (const file of files) expect(nodeGlobals(file), file).toEqual([]);
    },
  );
});
