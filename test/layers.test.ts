import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The import graph of src/, read from the source: arrows point down the layers
 * the README's "How it is built" lists, and no module imports itself through
 * others. Type-only imports count too: they are arrows a reader follows.
 */

/** Low to high. A module may import its own folder and the layers below; folders sharing a layer stay independent. */
const layers: string[][] = [
  ['apimachinery', 'client', 'trace'],
  ['schema', 'storage', 'runtime'],
  ['ports.ts', 'types'],
  ['clock.ts', 'queue', 'registry'],
  ['server', 'controlplane'],
  ['tenancy', 'teach'],
  ['pipeline'],
  ['app.ts'],
  ['entry', 'cli'],
];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

type Graph = Map<string, string[]>;

function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** Specifiers of static imports, `export … from`, side-effect imports and `import('…')` (also in type positions). */
export function importSpecifiers(source: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((re) => [...source.matchAll(re)].map((m) => m[1]));
}

/** Relative imports of every file under `dirs`, as repository paths. */
function importGraph(dirs: string[]): Graph {
  const graph: Graph = new Map();
  for (const file of dirs.flatMap(filesUnder)) {
    const targets = importSpecifiers(readFileSync(join(root, file), 'utf8'))
      .filter((s) => s.startsWith('.'))
      .map((s) => normalize(join(dirname(file), s)));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The folder (or top-level file) of a path under src/. */
const unitOf = (path: string) => relative('src', path).split('/')[0];
const layerOf = (unit: string) => layers.findIndex((layer) => layer.includes(unit));

/** Every import from a module to one that is not below it (or in its own folder). */
export function upwardImports(graph: Graph): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const [a, b] = [unitOf(from), unitOf(to)];
      if (a === b) continue;
      if (layerOf(b) < 0) out.push(`${from} → ${to}: ${b} is outside src/ or in no layer`);
      else if (layerOf(b) >= layerOf(a)) out.push(`${from} → ${to}: ${a} (layer ${layerOf(a)}) may not import ${b} (layer ${layerOf(b)})`);
    }
  }
  return out;
}

/** The strongly connected components with more than one module (Tarjan), each as a path. */
export function importCycles(graph: Graph): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>(), cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size); low.set(v, index.get(v)!);
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); component.push(w); } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.reverse());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

describe('the import graph of src/', () => {
  const graph = importGraph(['src']);

  it('places every folder and top-level file of src/ in a layer', () => {
    const units = new Set([...graph.keys()].map(unitOf));
    assert.deepEqual([...units].filter((u) => layerOf(u) < 0), [], 'add the new folder to `layers` here and to the README');
    assert.deepEqual(layers.flat().filter((u) => !units.has(u)), [], 'a layer names a folder that is gone');
  });

  it('has no import from a lower layer to a higher one', () => {
    assert.ok(graph.size > 100, 'the graph was read');
    assert.deepEqual(upwardImports(graph), []);
  });

  it('has no import cycles', () => {
    assert.deepEqual(importCycles(graph), []);
  });

  it('imports nothing from test/, harness/, bench/ or scripts/; bench/, scripts/ and harness/ never import test/', () => {
    const outside = importGraph(['src', 'harness', 'bench', 'scripts']);
    const wrong = [...outside].flatMap(([from, targets]) => targets
      .filter((to) => to.startsWith('test/') || (from.startsWith('src/') && !to.startsWith('src/')))
      .map((to) => `${from} → ${to}`));
    assert.deepEqual(wrong, []);
  });
});

describe('the import graph checks themselves', () => {
  it('read every form of import', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type {\n  B,\n} from '../b.ts';",
      "export { c } from './c.ts';",
      "export * from './d.ts';",
      "import './e.ts';",
      "let f: import('./f.ts').F;",
      "const text = 'not an import from \"./g.ts\"';",
    ].join('\n');
    assert.deepEqual(importSpecifiers(source).sort(), ['../b.ts', './a.ts', './c.ts', './d.ts', './e.ts', './f.ts']);
  });

  it('find an upward import, a sideways one, and a cycle', () => {
    const graph: Graph = new Map([
      ['src/apimachinery/errors.ts', ['src/server/codec.ts']],
      ['src/server/codec.ts', ['src/apimachinery/errors.ts', 'src/controlplane/kubelet.ts']],
      ['src/controlplane/kubelet.ts', []],
    ]);
    assert.equal(upwardImports(graph).length, 2);
    assert.deepEqual(importCycles(graph), [['src/apimachinery/errors.ts', 'src/server/codec.ts']]);
  });
});
