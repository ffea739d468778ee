#!/usr/bin/env node
// Writes docs/kernels.md, the table of every GPU kernel, from the kernel list itself: each `defineKernel` exported
// by src/kernels/*.ts (its WGSL file, preludes, shape and other overrides, its doc comment) and the modules of src/
// that reach it through their imports. Nothing in the table is typed by hand, so it cannot drift from the code;
// test/tools/kernels-doc.test.ts fails when docs/kernels.md differs from what this prints.
//
//   node tools/gen-kernels-doc.mjs            rewrite docs/kernels.md
//   node tools/gen-kernels-doc.mjs --stdout   print it instead
//
// No build needed: the kernel modules and what they import are transpiled (types dropped, nothing checked) into a
// scratch folder under node_modules/.cache and imported from there, so the spec objects are read as the code
// builds them (spreads, shared constants) rather than parsed.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const KERNELS = join(SRC, 'kernels');
const OUT = join(ROOT, 'docs/kernels.md');
// src/ folders whose imports do not count as "used by": the CPU twins, and the page's kernel-test harness.
const NOT_USERS = ['kernels/', 'reference/', 'web/check/', 'web/vite/'];

const rel = (path) => relative(ROOT, path).split('\\').join('/');
const tsFiles = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []));
const parse = (path) => ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
const isExported = (node) => (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** The .ts file a relative import of `from` names ('./kernel.js' -> kernel.ts), or null for a package. */
function resolveImport(from, specifier) {
  if (!specifier.startsWith('.')) return null;
  return resolve(dirname(from), specifier.replace(/\.js$/, '.ts'));
}

/** Each import declaration of a file: the module it names and, for each local name, the name it has there. */
function importsOf(source) {
  const out = [];
  for (const s of source.statements) {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier)) continue;
    const module = resolveImport(source.fileName, s.moduleSpecifier.text);
    const names = new Map();
    const bindings = s.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) names.set(e.name.text, (e.propertyName ?? e.name).text);
    out.push({ module, names, typeOnly: Boolean(s.importClause?.isTypeOnly) });
  }
  return out;
}

/** Transpiles `entries` and every module they import from src/ into `dir`, keeping the folder layout. */
function transpileClosure(entries, dir) {
  const seen = new Set();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 }, fileName: file }).outputText;
    const target = join(dir, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
    for (const i of importsOf(parse(file))) if (i.module && !i.typeOnly) queue.push(i.module);
  }
}

/** A declaration's doc comment on one line, or null. */
function docOf(statement) {
  const doc = ts.getJSDocCommentsAndTags(statement).find(ts.isJSDoc);
  const text = doc ? ts.getTextOfJSDocComment(doc.comment) : undefined;
  return text ? text.replace(/\s+/g, ' ').trim() : null;
}

/**
 * The WGSL file's opening comment on one line (after any `enable`), less the Step prelude's stock line: what a
 * kernel computes where its wrapper has no doc comment.
 */
function wgslHeader(shader) {
  const lines = readFileSync(join(ROOT, 'shaders', `${shader}.wgsl`), 'utf8').split('\n');
  const comment = [];
  for (const line of lines) {
    if (/^\s*enable\s/.test(line) && comment.length === 0) continue;
    const m = /^\s*\/\/\s?(.*)$/.exec(line);
    if (!m) break;
    if (!m[1].startsWith('`step`')) comment.push(m[1]);
  }
  const text = comment.join(' ').replace(/\s+/g, ' ').trim();
  return text ? `${text} (the WGSL's header)` : null;
}

/** Top-level declarations of a module by name: the statement, and the identifiers used inside it. */
function declarationsOf(source) {
  const out = new Map();
  const identifiers = (node) => {
    const names = new Set();
    const visit = (n) => {
      if (ts.isIdentifier(n)) names.add(n.text);
      ts.forEachChild(n, visit);
    };
    visit(node);
    return names;
  };
  for (const s of source.statements) {
    if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) out.set(d.name.text, { statement: s, exported: isExported(s), uses: identifiers(d) });
    } else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) {
      out.set(s.name.text, { statement: s, exported: isExported(s), uses: identifiers(s) });
    }
  }
  return out;
}

async function kernelsDoc() {
  const kernelFiles = tsFiles(KERNELS).sort();
  const scratch = join(ROOT, 'node_modules/.cache', `gen-kernels-doc-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  const kernels = []; // { file, name, spec, doc }
  try {
    transpileClosure(kernelFiles, scratch);
    for (const file of kernelFiles) {
      const module = await import(pathToFileURL(join(scratch, relative(ROOT, file)).replace(/\.ts$/, '.js')).href);
      const declarations = declarationsOf(parse(file));
      for (const [name, value] of Object.entries(module)) {
        if (!value || typeof value !== 'object' || typeof value.spec?.shader !== 'string' || typeof value.create !== 'function') continue;
        kernels.push({ file, name, spec: value.spec, doc: docOf(declarations.get(name).statement) ?? wgslHeader(value.spec.shader) });
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  // Which kernels a module's top-level name reaches: itself, or the kernels its declaration uses (in its own
  // module, or imported from another kernels module), transitively: e.g. createLinearForward in kernels/linear.ts
  // reaches linearForward and linearForwardSubgroup.
  const modules = new Map(kernelFiles.map((f) => { const source = parse(f); return [f, { declarations: declarationsOf(source), imports: importsOf(source) }]; }));
  const kernelAt = new Map(kernels.map((k) => [`${k.file}#${k.name}`, k]));
  const reached = (file, name, seen = new Set()) => {
    const key = `${file}#${name}`;
    if (seen.has(key) || !modules.has(file)) return [];
    seen.add(key);
    if (kernelAt.has(key)) return [kernelAt.get(key)];
    const { declarations, imports } = modules.get(file);
    const declaration = declarations.get(name);
    if (!declaration) return [];
    const out = [];
    for (const used of declaration.uses) {
      if (used !== name && declarations.has(used)) out.push(...reached(file, used, seen));
      for (const i of imports) if (i.module && i.names.has(used)) out.push(...reached(i.module, i.names.get(used), seen));
    }
    return out;
  };
  const usedBy = new Map(kernels.map((k) => [k, new Set()]));
  for (const file of tsFiles(SRC)) {
    const where = relative(SRC, file).split('\\').join('/');
    if (NOT_USERS.some((prefix) => where.startsWith(prefix))) continue;
    for (const i of importsOf(parse(file))) {
      if (!i.module || !modules.has(i.module)) continue;
      for (const imported of i.names.values()) for (const k of reached(i.module, imported)) usedBy.get(k).add(where);
    }
  }

  const cell = (text) => text.replace(/\|/g, '\\|');
  const code = (names) => names.map((n) => `\`${n}\``).join(', ');
  const overrides = (spec) => {
    const shape = spec.shape.length > 0 ? code(spec.shape) : '';
    const constants = Object.entries(spec.constants ?? {}).map(([k, v]) => `\`${k}\` ${v}`).join(', ');
    return [shape, spec.tunable && !('WG' in (spec.constants ?? {})) ? '`WG`' : '', constants].filter(Boolean).join('; ');
  };
  const byShader = [...kernels].sort((a, b) => a.spec.shader.localeCompare(b.spec.shader) || a.name.localeCompare(b.name));
  const rows = byShader.map((k) => {
    const preludes = [...(k.spec.step ? ['prelude/step'] : []), ...(k.spec.preludes ?? [])];
    const wgsl = `[\`${k.spec.shader}\`](../shaders/${k.spec.shader}.wgsl)${preludes.length ? ` after ${code(preludes)}` : ''}`;
    const wrapper = `\`${k.name}\` ([${rel(k.file).replace(/^src\//, '')}](../${rel(k.file)}))`;
    const users = [...usedBy.get(k)].sort();
    return `| ${wgsl} | ${wrapper} | ${cell(k.doc ?? '(no doc comment, no WGSL header)')} | ${overrides(k.spec)} | ${users.length ? users.map((u) => `\`${u}\``).join(', ') : 'no module of src/ (tests and benchmarks only)'} |`;
  });

  const shaderFiles = readdirSync(join(ROOT, 'shaders')).filter((f) => f.endsWith('.wgsl')).map((f) => f.slice(0, -5)).sort();
  const named = new Set(kernels.map((k) => k.spec.shader));
  const orphans = shaderFiles.filter((s) => !named.has(s));
  const preludeFiles = readdirSync(join(ROOT, 'shaders/prelude')).filter((f) => f.endsWith('.wgsl')).map((f) => `prelude/${f.slice(0, -5)}`).sort();
  const preludeRows = preludeFiles.map((p) => {
    const users = byShader.filter((k) => (p === 'prelude/step' ? k.spec.step : (k.spec.preludes ?? []).includes(p))).map((k) => k.name);
    return `| [\`${p}\`](../shaders/${p}.wgsl) | ${users.length ? code([...new Set(users)]) : 'none'} |`;
  });
  const perFile = kernelFiles.map((f) => [f, kernels.filter((k) => k.file === f).length]).filter(([, n]) => n > 1);

  return [
    '# Kernels',
    '',
    '<!-- Generated by tools/gen-kernels-doc.mjs from src/kernels/*.ts; do not edit by hand. After changing a kernel,',
    '     run `node tools/gen-kernels-doc.mjs` (test/tools/kernels-doc.test.ts fails while this file is stale). -->',
    '',
    `${kernels.length} kernels over ${named.size} WGSL files. A kernel is a \`defineKernel\` object in \`src/kernels/\`: its WGSL`,
    'file (with the preludes the loader prepends), the shape overrides every `create()` must give (K, N, ...: fixed',
    'for the kernel\'s life), its other overrides with their defaults (`WG`: the workgroup size, where it is tunable),',
    'and its dispatch grid. Several kernels may share a WGSL file with different preludes, and one wrapper file may',
    `define several kernels (${perFile.map(([f, n]) => `${rel(f).replace(/^src\/kernels\//, '')}: ${n}`).join(', ')}).`,
    '"Computes" is the wrapper\'s doc comment (where it has none, the WGSL file\'s header comment); "used by" lists the',
    'modules of `src/` whose imports reach the kernel, directly or through a kernels helper such as `kernels/linear.ts`',
    '(the CPU twins in `src/reference/` and the tests in `test/kernels/` are not listed).',
    '',
    '| WGSL | wrapper | computes | overrides (default) | used by |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    '## Preludes',
    '',
    'Shared WGSL the loader prepends to a kernel\'s own file, in the order listed above (`prelude/step`, the per-step',
    'uniform `Step { row0, rows, index, epoch }`, for every kernel created with `step: true`).',
    '',
    '| prelude | kernels |',
    '|---|---|',
    ...preludeRows,
    '',
    ...(orphans.length ? ['## WGSL files no kernel names', '', ...orphans.map((s) => `- \`shaders/${s}.wgsl\``), ''] : []),
  ].join('\n');
}

const text = await kernelsDoc();
if (process.argv.includes('--stdout')) process.stdout.write(text);
else {
  writeFileSync(OUT, text);
  console.log(`wrote ${rel(OUT)}`);
}
