import { describe, expect, it } from 'vitest';
import { deployments } from '../registry/resources/deployments';
import { configmaps } from '../registry/resources/configmaps';
import { unknownFields } from './field-validation';

describe('unknownFields', () => {
  it('names undeclared fields by their path, through nested objects and lists', () => {
    const body = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web', constructor: 'x' }, colour: 'red' },
      spec: {
        replicaz: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', imagez: 'nginx', ports: [{ containerPort: 80, hostPortz: 1 }] }] },
        },
      },
    };
    expect(unknownFields(deployments, body)).toEqual([
      'metadata.colour',
      'spec.replicaz',
      'spec.template.spec.containers[1].imagez',
      'spec.template.spec.containers[1].ports[0].hostPortz',
    ]);
  });

  it('takes map keys (labels, data) as data, skips patch directives, and finds nothing in a declared body', () => {
    expect(unknownFields(configmaps, { metadata: { name: 'c' }, data: { constructor: 'a', toString: 'b' } })).toEqual([]);
    expect(unknownFields(deployments, { spec: { $setElementOrder: [], template: { spec: { containers: [{ $patch: 'delete', name: 'a' }] } } } })).toEqual([]);
    expect(unknownFields(deployments, { constructor: 1, spec: { toString: 1 } })).toEqual(['constructor', 'spec.toString']);
  });
});
