/**
 * The repository's TypeScript as the architecture tests see it: every file under libs/, services/,
 * bench/ and test/, its relative imports (type-only ones too, re-exports and `import()` with a
 * literal path) resolved to repository paths, and its string literals (comments are not code).
 * Parsed with the TypeScript compiler itself, so the tests read the code the way tsc does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), '../..'));
const TOP_DIRS = ['libs', 'services', 'bench', 'test'];

export interface Import {
  /** repository path of the imported file (`libs/core/index.ts`) */
  target: string;
  /** `import type` / `export type`: erased from the emitted JavaScript */
  typeOnly: boolean;
  line: number;
}

export interface StringLiteral {
  text: string;
  line: number;
}

export interface SourceFile {
  path: string;
  lines: number;
  imports: Import[];
  strings: StringLiteral[];
}

function listTs(dir: string, out: string[]): void {
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'dist') listTs(rel, out);
    } else if (e.name.endsWith('.ts')) out.push(rel.split('\\').join('/'));
  }
}

function resolveSpecifier(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined; // packages and node: builtins
  return normalize(join(dirname(from), spec)).split('\\').join('/').replace(/\.js$/, '.ts');
}

function scan(path: string): SourceFile {
  const text = readFileSync(join(ROOT, path), 'utf8');
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const imports: Import[] = [];
  const strings: StringLiteral[] = [];
  const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const addImport = (spec: ts.Node | undefined, typeOnly: boolean, at: ts.Node) => {
    if (!spec || !ts.isStringLiteralLike(spec)) return;
    const target = resolveSpecifier(path, spec.text);
    if (target) imports.push({ target, typeOnly, line: lineOf(at) });
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n)) {
      addImport(n.moduleSpecifier, n.importClause?.isTypeOnly ?? false, n);
      return;
    }
    if (ts.isExportDeclaration(n)) {
      addImport(n.moduleSpecifier, n.isTypeOnly, n);
      return;
    }
    if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) addImport(n.argument.literal, true, n);
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) addImport(n.arguments[0], false, n);
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) strings.push({ text: n.text, line: lineOf(n) });
    if (ts.isTemplateExpression(n)) {
      strings.push({ text: n.head.text, line: lineOf(n) });
      for (const s of n.templateSpans) strings.push({ text: s.literal.text, line: lineOf(s) });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return { path, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), imports, strings };
}

let cached: Map<string, SourceFile> | undefined;

/** Every .ts file of the tree, by repository path (parsed once per test process). */
export function sourceTree(): Map<string, SourceFile> {
  if (cached) return cached;
  const paths: string[] = [];
  for (const d of TOP_DIRS) listTs(d, paths);
  cached = new Map(paths.sort().map((p) => [p, scan(p)]));
  return cached;
}

/** `libs/<name>/…` → name; anything else → undefined. */
export function libOf(path: string): string | undefined {
  return /^libs\/([^/]+)\//.exec(path)?.[1];
}

/** `services/<name>/…` → name. */
export function serviceOf(path: string): string | undefined {
  return /^services\/([^/]+)\//.exec(path)?.[1];
}

/** Strongly connected components of more than one file (or a file importing itself): the cycles. */
export function importCycles(tree: Map<string, SourceFile>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const strong = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const { target: w } of tree.get(v)!.imports) {
      if (!tree.has(w)) continue;
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const selfLoop = tree.get(v)!.imports.some((i) => i.target === v);
    if (component.length > 1 || selfLoop) cycles.push(component.sort());
  };
  for (const f of tree.keys()) if (!index.has(f)) strong(f);
  return cycles;
}
