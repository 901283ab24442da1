import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { KubeObject, ResourceType } from '../types';
import { daemonsets } from './daemonsets';
import { deployments } from './deployments';
import { pods } from './pods';
import { replicasets } from './replicasets';
import { statefulsets } from './statefulsets';

/**
 * Every Pod and workload of the scenario manifests (../shared beside the repository, as in CI, and
 * the copies in test/fixtures) passes the apiserver's defaults and validation: the labs' own
 * manifests must never be refused.
 */
const DIRS = [path.resolve(__dirname, '../../../../../../shared/scenarios/manifests'), path.resolve(__dirname, '../../../../../test/fixtures')];
const TYPES: Record<string, ResourceType> = { Pod: pods, Deployment: deployments, ReplicaSet: replicasets, DaemonSet: daemonsets, StatefulSet: statefulsets };

function manifests(): Array<[string, KubeObject]> {
  const out: Array<[string, KubeObject]> = [];
  for (const dir of DIRS.filter((d) => fs.existsSync(d))) {
    for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      for (const doc of yaml.loadAll(fs.readFileSync(path.join(dir, file), 'utf8'))) {
        const object = doc as KubeObject | null;
        if (object && TYPES[object.kind ?? '']) out.push([`${path.basename(path.dirname(dir))}/${file}: ${object.kind} ${object.metadata?.name}`, object]);
      }
    }
  }
  return out;
}

describe('the scenario manifests validate', () => {
  const all = manifests();

  it('finds the manifests', () => {
    expect(all.length).toBeGreaterThan(0);
  });

  it.each(all)('%s', (_name, object) => {
    const type = TYPES[object.kind!]!;
    const copy = structuredClone(object);
    type.strategy.prepareForCreate!(copy);
    expect(type.strategy.validate!(copy).map(String)).toEqual([]);
  });
});
