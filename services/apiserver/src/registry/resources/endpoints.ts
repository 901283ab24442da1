import { age, ageColumn, column, nameColumn } from '../printing';
import type { KubeObject, ResourceType } from '../types';

interface Subset {
  addresses?: Array<{ ip: string }>;
  ports?: Array<{ port: number }>;
}

/** kubectl's "10.244.1.5:8080,10.244.2.3:8080 + 2 more...": at most three endpoints. */
function formatEndpoints(endpoints: KubeObject): string {
  const list: string[] = [];
  let count = 0;
  for (const subset of (endpoints.subsets as Subset[]) ?? []) {
    const ports = subset.ports?.length ? subset.ports : [undefined];
    for (const port of ports) {
      for (const address of subset.addresses ?? []) {
        count++;
        if (list.length < 3) list.push(port ? `${address.ip}:${port.port}` : address.ip);
      }
    }
  }
  if (count === 0) return '<none>';
  return count > 3 ? `${list.join(',')} + ${count - 3} more...` : list.join(',');
}

export const endpoints: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  resource: 'endpoints',
  singular: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  storagePath: 'services/endpoints',
  strategy: {},
  printer: {
    columns: [nameColumn, column('Endpoints', 'string', 'Endpoints is the list of endpoints.'), ageColumn],
    row: (ep, now) => [ep.metadata.name, formatEndpoints(ep), age(ep.metadata.creationTimestamp, now)],
  },
};
