import { metaTime } from '@kubelab/client';
import { ApiError, failureStatus } from '@kubelab/apimachinery';
import type { DeleteOptions, GroupVersionResource, KubeObject } from '@kubelab/client';
import type { TestEnv } from './testing';

/** A delete a controller asked for, as the apiserver received it. */
export interface DeleteCall {
  resource: string;
  namespace: string | undefined;
  name: string;
  options: DeleteOptions;
}

/**
 * Gives a test env's client the apiserver's deletion semantics, which the in-memory fake does not
 * have (see services/apiserver/src/registry/generic-registry.ts): a uid precondition that fails
 * is a 409 Conflict; propagationPolicy Foreground / Orphan adds the `foregroundDeletion` /
 * `orphan` finalizer; an object with finalizers, or a pod bound to a node (unless
 * gracePeriodSeconds is 0, or it has finished), only gets a deletionTimestamp; and an update or
 * patch that removes the last finalizer of an object being deleted deletes it. Returns the
 * deletes asked for, in order.
 */
export function emulateDeletion(env: TestEnv): DeleteCall[] {
  const calls: DeleteCall[] = [];
  const { client, server, clock } = env;
  const remove = client.delete.bind(client);
  const patch = client.patch.bind(client);
  const update = client.update.bind(client);
  const keyOf = (gvr: GroupVersionResource, namespace: string | undefined, name: string) => `${gvr.group}/${gvr.resource}/${namespace ?? ''}/${name}`;
  const finishIfDone = (gvr: GroupVersionResource, object: KubeObject): void => {
    const meta = object.metadata;
    if (meta.deletionTimestamp && !meta.finalizers?.length && !meta.deletionGracePeriodSeconds) server.write(gvr, 'DELETED', object);
  };

  client.delete = (async (gvr: GroupVersionResource, namespace: string | undefined, name: string, options: DeleteOptions = {}) => {
    calls.push({ resource: gvr.resource, namespace, name, options });
    const current = server.objects.get(keyOf(gvr, namespace, name));
    if (!current) return remove(gvr, namespace, name, options);
    if (options.preconditions?.uid && options.preconditions.uid !== current.metadata.uid) {
      throw new ApiError(failureStatus(409, 'Conflict', `Precondition failed: UID in precondition: ${options.preconditions.uid}, UID in object meta: ${current.metadata.uid}`));
    }
    const finalizers = [...(current.metadata.finalizers ?? [])];
    if (options.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (options.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    const phase = current.status?.phase;
    const graceful = gvr.resource === 'pods' && Boolean(current.spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed';
    const grace = graceful ? (options.gracePeriodSeconds ?? (current.spec?.terminationGracePeriodSeconds as number | undefined) ?? 30) : 0;
    if (!finalizers.length && grace === 0) return remove(gvr, namespace, name, options);
    const metadata = { ...current.metadata, deletionTimestamp: current.metadata.deletionTimestamp ?? metaTime(clock.now() + grace * 1000), deletionGracePeriodSeconds: grace };
    if (finalizers.length) metadata.finalizers = finalizers;
    return { object: server.write(gvr, 'MODIFIED', { ...current, metadata }), finished: false };
  }) as typeof client.delete;

  client.patch = (async (gvr: GroupVersionResource, ...rest: Parameters<typeof client.patch> extends [unknown, ...infer R] ? R : never) => {
    const result = await patch(gvr, ...rest);
    finishIfDone(gvr, result);
    return result;
  }) as typeof client.patch;

  client.update = (async (gvr: GroupVersionResource, object: KubeObject, options?: Parameters<typeof client.update>[2]) => {
    const result = await update(gvr, object, options);
    finishIfDone(gvr, result);
    return result;
  }) as typeof client.update;

  return calls;
}
