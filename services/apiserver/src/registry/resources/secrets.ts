import { age, ageColumn, column, nameColumn } from '../printing';
import type { KubeObject, ResourceType } from '../types';

/**
 * What Kubernetes does to every Secret it decodes, on create and update: the type defaults to
 * Opaque, and stringData (write-only) is merged into data, base64-encoded.
 */
function decodeSecret(secret: KubeObject): void {
  secret.type ??= 'Opaque';
  const stringData = secret.stringData as Record<string, string> | undefined;
  if (stringData) {
    const data = (secret.data ??= {}) as Record<string, string>;
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(v).toString('base64');
  }
  delete secret.stringData;
}

export const secrets: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  resource: 'secrets',
  singular: 'secret',
  namespaced: true,
  strategy: {
    prepareForCreate: decodeSecret,
    prepareForUpdate: decodeSecret,
    selectableFields: (secret) => ({ type: String(secret.type ?? '') }),
  },
  printer: {
    columns: [nameColumn, column('Type', 'string', 'Used to facilitate programmatic handling of secret data.'), column('Data', 'string', 'Data contains the secret data.'), ageColumn],
    row: (secret, now) => [secret.metadata.name, secret.type, Object.keys((secret.data as object) ?? {}).length, age(secret.metadata.creationTimestamp, now)],
  },
};
