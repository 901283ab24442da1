import { isAlreadyExists, Resources, type Informer, type KubeObject } from '@kubelab/client';
import type { ControllerContext } from '../../controller/context';
import { hasNamespaceTerminatingCause } from '../../controller/namespace-terminating';
import { QueueController } from '../../controller/queue-controller';

/** The ServiceAccounts every namespace gets (DefaultServiceAccountsControllerOptions). */
export const SERVICE_ACCOUNTS_TO_ENSURE = ['default'];

/**
 * The serviceaccount controller (pkg/controller/serviceaccount): every active namespace has a
 * `default` ServiceAccount, the one pods run as when they name none. It is made when the
 * namespace appears and made again if someone deletes it. Keys are namespace names.
 */
export class ServiceAccountsController extends QueueController {
  private readonly namespaceInformer: Informer<KubeObject>;
  private readonly serviceAccountInformer: Informer<KubeObject>;

  constructor(ctx: ControllerContext) {
    // Kubernetes runs this controller with one worker.
    super('serviceaccount-controller', ctx);
    this.namespaceInformer = ctx.informers.informer(Resources.namespaces);
    this.serviceAccountInformer = ctx.informers.informer(Resources.serviceaccounts);
    this.namespaceInformer.addEventHandler({
      onAdd: (ns) => this.enqueue(ns.metadata.name!),
      onUpdate: (_, ns) => this.enqueue(ns.metadata.name!),
    });
    this.serviceAccountInformer.addEventHandler({ onDelete: (sa) => this.enqueue(sa.metadata.namespace!) });
  }

  protected informers(): Informer<KubeObject>[] {
    return [this.namespaceInformer, this.serviceAccountInformer];
  }

  /** syncNamespace: creates what is missing in an Active namespace; a namespace going away gets nothing new. */
  async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaceInformer.indexer.getByKey(namespace);
    if (!ns || ns.status?.phase !== 'Active') return;
    const failures: string[] = [];
    for (const name of SERVICE_ACCOUNTS_TO_ENSURE) {
      if (this.serviceAccountInformer.indexer.get(namespace, name)) continue;
      try {
        await this.ctx.client.create(Resources.serviceaccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
        this.log.debug({ namespace, serviceAccount: name }, 'created');
      } catch (error) {
        if (isAlreadyExists(error) || hasNamespaceTerminatingCause(error)) continue;
        failures.push((error as Error).message);
      }
    }
    if (failures.length) throw new Error(failures.join(', '));
  }
}
