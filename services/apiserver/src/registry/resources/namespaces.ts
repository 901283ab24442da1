import { age, ageColumn, column, nameColumn } from '../printing';
import type { ResourceType } from '../types';

export const namespaces: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  resource: 'namespaces',
  singular: 'namespace',
  shortNames: ['ns'],
  namespaced: false,
  subresources: ['status', 'finalize'],
  strategy: {
    prepareForCreate(ns) {
      ns.spec = { finalizers: ['kubernetes'], ...ns.spec };
      ns.status = { phase: 'Active' };
      ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name! };
    },
    prepareForUpdate(ns, old) {
      ns.status = old.status;
      // spec.finalizers change only through the finalize subresource.
      ns.spec = { ...ns.spec, finalizers: old.spec?.finalizers };
      if (ns.spec.finalizers === undefined) delete ns.spec.finalizers;
      ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name! };
    },
    selectableFields: (ns) => ({ 'status.phase': String(ns.status?.phase ?? '') }),
  },
  printer: {
    columns: [nameColumn, column('Status', 'string', 'The status of the namespace'), ageColumn],
    row: (ns, now) => [ns.metadata.name, ns.status?.phase ?? '', age(ns.metadata.creationTimestamp, now)],
  },
};
