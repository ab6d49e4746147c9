import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';

/**
 * Runs the TypeScript block that follows `<!-- snippet: <name> -->` in a docs page and returns its exports,
 * so a test proves the documented code, not a copy of it.
 */
export function loadDocSnippet<T>(doc: string, name: string): T {
  const text = readFileSync(path.resolve(__dirname, '..', '..', doc), 'utf8');
  const match = new RegExp(`<!-- snippet: ${name} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(text);
  if (!match) throw new Error(`No snippet ${name} in ${doc}`);
  const js = ts.transpileModule(match[1]!, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const module = { exports: {} as Record<string, unknown> };
  vm.runInNewContext(js, { module, exports: module.exports, require, Buffer, Date, Number, Math });
  return module.exports as T;
}
