import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The scenario manifests live in ../shared beside the repository (as in CI); a clone on its own
 * uses the copies in test/fixtures.
 */
const SHARED = path.resolve(__dirname, '../../../shared/scenarios/manifests');

export function scenarioManifest(name: string): string {
  const shared = path.join(SHARED, name);
  return fs.existsSync(shared) ? shared : path.resolve(__dirname, '../fixtures', name);
}

/** The rows of a kubectl table as arrays of cells (columns split on runs of 2+ spaces). */
export function table(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));
}
