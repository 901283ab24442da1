import { describe, expect, it } from 'vitest';
import { requireNode, validateContainer } from './pod-location';
import { splitSchemeNamePort } from './proxy';

const pod = (spec: Record<string, unknown>) => ({ metadata: { name: 'web', namespace: 'default' }, spec });

describe('which container, which node', () => {
  it('defaults to the only container, else wants one that exists, worded as Kubernetes words it', () => {
    expect(validateContainer(pod({ containers: [{ name: 'a' }] }), '')).toBe('a');
    const two = pod({ initContainers: [{ name: 'init' }], containers: [{ name: 'a' }, { name: 'b' }] });
    expect(() => validateContainer(two, '')).toThrow('a container name must be specified for pod web, choose one of: [init a b]');
    expect(validateContainer(two, 'init')).toBe('init');
    expect(() => validateContainer(two, 'c')).toThrow('container c is not valid for pod web');
    expect(() => validateContainer(pod({ containers: [] }), '')).toThrow('a container name must be specified for pod web');
  });

  it('needs a node for exec, attach and port-forward', () => {
    expect(requireNode({ name: 'web', nodeName: 'n1' })).toBe('n1');
    expect(() => requireNode({ name: 'web', nodeName: undefined })).toThrow('pod web does not have a host assigned');
  });

  it('reads proxy targets as name, name:port or scheme:name:port', () => {
    expect(splitSchemeNamePort('web')).toEqual({ scheme: '', name: 'web', port: '' });
    expect(splitSchemeNamePort('web:8080')).toEqual({ scheme: '', name: 'web', port: '8080' });
    expect(splitSchemeNamePort('https:web:443')).toEqual({ scheme: 'https', name: 'web', port: '443' });
    expect(splitSchemeNamePort('ftp:web:21')).toBeUndefined();
    expect(splitSchemeNamePort(':80')).toBeUndefined();
    expect(splitSchemeNamePort('a:b:c:d')).toBeUndefined();
  });
});
