import { describe, expect, it } from 'vitest';
import type { Container } from './api-types';
import { podQOSClass } from './qos';

const c = (resources?: Container['resources']): Container => ({ name: 'c', image: 'nginx', resources });

describe('podQOSClass', () => {
  it.each([
    ['no requests or limits', [c()], [], 'BestEffort'],
    ['zero requests only', [c({ requests: { cpu: '0', memory: '0' } })], [], 'BestEffort'],
    ['requests = limits for cpu and memory', [c({ requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '10m', memory: '64Mi' } })], [], 'Guaranteed'],
    ['limits only (requests default to them)', [c({ limits: { cpu: '1', memory: '1Gi' } })], [], 'Guaranteed'],
    ['equal amounts written differently', [c({ requests: { cpu: '0.5', memory: '1Gi' }, limits: { cpu: '500m', memory: '1024Mi' } })], [], 'Guaranteed'],
    ['a request only', [c({ requests: { memory: '64Mi' } })], [], 'Burstable'],
    ['limits above requests', [c({ requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '20m', memory: '64Mi' } })], [], 'Burstable'],
    ['only a memory limit', [c({ limits: { memory: '64Mi' } })], [], 'Burstable'],
    ['one container guaranteed, one best effort', [c({ limits: { cpu: '1', memory: '1Gi' } }), c()], [], 'Burstable'],
    ['an init container with resources counts', [c()], [c({ requests: { cpu: '1' } })], 'Burstable'],
    ['ignores other resources', [c({ limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' }, requests: { cpu: '1', memory: '1Gi' } })], [], 'Guaranteed'],
  ])('%s -> %s', (_what, containers, initContainers, expected) => {
    expect(podQOSClass({ containers, initContainers })).toBe(expected);
  });
});
