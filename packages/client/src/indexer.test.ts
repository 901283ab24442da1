import { describe, expect, it } from 'vitest';
import { Indexer, NAMESPACE_INDEX } from './indexer';
import type { KubeObject } from './types';

const pod = (namespace: string, name: string, nodeName?: string, rv = '1'): KubeObject => ({ metadata: { namespace, name, resourceVersion: rv }, spec: nodeName ? { nodeName } : {} });
const byNode = (p: KubeObject) => (p.spec?.nodeName ? [String(p.spec.nodeName)] : []);

describe('Indexer', () => {
  it('stores objects by namespace/name and by namespace', () => {
    const indexer = new Indexer();
    indexer.update(pod('default', 'a'));
    indexer.update(pod('default', 'b'));
    indexer.update(pod('kube-system', 'a'));
    expect(indexer.get('default', 'a')?.metadata.namespace).toBe('default');
    expect(indexer.getByKey('kube-system/a')).toBeDefined();
    expect(indexer.listKeys().sort()).toEqual(['default/a', 'default/b', 'kube-system/a']);
    expect(indexer.byIndex(NAMESPACE_INDEX, 'default').map((p) => p.metadata.name).sort()).toEqual(['a', 'b']);
    expect(indexer.listIndexFuncValues(NAMESPACE_INDEX).sort()).toEqual(['default', 'kube-system']);
  });

  it('keys cluster-scoped objects by name alone', () => {
    const indexer = new Indexer();
    indexer.update({ metadata: { name: 'node-1' } });
    expect(indexer.get(undefined, 'node-1')).toBeDefined();
    expect(indexer.listKeys()).toEqual(['node-1']);
  });

  it('keeps a custom index in step with updates and deletes', () => {
    const indexer = new Indexer({ byNode });
    indexer.update(pod('default', 'a'));
    expect(indexer.byIndex('byNode', 'node-1')).toEqual([]);
    indexer.update(pod('default', 'a', 'node-1', '2'));
    indexer.update(pod('default', 'b', 'node-1'));
    expect(indexer.indexKeys('byNode', 'node-1').sort()).toEqual(['default/a', 'default/b']);
    indexer.update(pod('default', 'a', 'node-2', '3'));
    expect(indexer.indexKeys('byNode', 'node-1')).toEqual(['default/b']);
    expect(indexer.indexKeys('byNode', 'node-2')).toEqual(['default/a']);
    indexer.delete(pod('default', 'b'));
    expect(indexer.listIndexFuncValues('byNode')).toEqual(['node-2']);
    expect(indexer.byIndexOf('byNode', pod('x', 'y', 'node-2')).map((p) => p.metadata.name)).toEqual(['a']);
  });

  it('update returns the replaced object; delete the removed one', () => {
    const indexer = new Indexer();
    expect(indexer.update(pod('default', 'a', undefined, '1'))).toBeUndefined();
    expect(indexer.update(pod('default', 'a', undefined, '2'))?.metadata.resourceVersion).toBe('1');
    expect(indexer.delete(pod('default', 'a'))?.metadata.resourceVersion).toBe('2');
    expect(indexer.delete(pod('default', 'a'))).toBeUndefined();
  });

  it('replace swaps the whole content and rebuilds the indices', () => {
    const indexer = new Indexer({ byNode });
    indexer.update(pod('default', 'old', 'node-1'));
    indexer.replace([pod('default', 'new', 'node-2')]);
    expect(indexer.listKeys()).toEqual(['default/new']);
    expect(indexer.byIndex('byNode', 'node-1')).toEqual([]);
    expect(indexer.indexKeys('byNode', 'node-2')).toEqual(['default/new']);
  });

  it('an indexer added later files the objects already stored; an unknown index is an error', () => {
    const indexer = new Indexer();
    indexer.update(pod('default', 'a', 'node-1'));
    indexer.addIndexers({ byNode });
    expect(indexer.indexKeys('byNode', 'node-1')).toEqual(['default/a']);
    expect(() => indexer.addIndexers({ byNode })).toThrow(/conflict/);
    expect(() => indexer.byIndex('nope', 'x')).toThrow(/does not exist/);
  });
});
