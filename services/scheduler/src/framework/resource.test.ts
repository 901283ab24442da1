import { describe, expect, it } from 'vitest';
import type { Pod } from './types';
import { DEFAULT_MEMORY_REQUEST, podRequests } from './resource';

const podWith = (resources: Record<string, Record<string, string>>): Pod => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x', resources }] } }) as unknown as Pod;

describe('podRequests', () => {
  it('takes a missing request from the limit of the same resource only (SetDefaults_Pod), for the fit and the scores alike', () => {
    const pod = podWith({ requests: { cpu: '250m' }, limits: { memory: '512Mi' } });
    expect(podRequests(pod)).toMatchObject({ milliCPU: 250, memory: 512 * 1024 * 1024 });
    expect(podRequests(pod, true)).toMatchObject({ milliCPU: 250, memory: 512 * 1024 * 1024 });
    // Limits only: they are the requests; nothing at all: the scores' defaults.
    expect(podRequests(podWith({ limits: { cpu: '1', memory: '1Gi' } }), true)).toMatchObject({ milliCPU: 1000, memory: 1024 * 1024 * 1024 });
    expect(podRequests(podWith({}), true)).toMatchObject({ milliCPU: 100, memory: DEFAULT_MEMORY_REQUEST });
  });
});
