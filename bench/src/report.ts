import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '@kubelab/testkit';

export const BENCHMARKS_MD = path.join(ROOT, 'docs/benchmarks.md');

const PREAMBLE = `# Benchmarks

Measured, not asserted: each suite runs kubelab beside its reference in the same run, on the same
machine, with the same client, and rewrites its own section below. Re-run with
\`npm run bench -- <suite>\`. Timed tests are not used to judge performance; these figures are.
`;

/** Replaces (or appends) one suite's section of a benchmarks file (docs/benchmarks.md unless told). */
export function writeSection(file: string, suite: string, markdown: string): void {
  const begin = `<!-- bench:${suite} -->`;
  const end = `<!-- /bench:${suite} -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : PREAMBLE;
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? current.slice(0, from) + block + current.slice(to + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(file, next);
}

/** A markdown table. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}
