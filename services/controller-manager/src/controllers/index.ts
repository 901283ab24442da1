import type { Controller, ControllerContext } from '../controller/context';
import { DaemonSetsController } from './daemonset';
import { DeploymentController } from './deployment';
import { EndpointsController } from './endpoints';
import { EndpointSliceController } from './endpointslice';
import { GarbageCollector } from './garbagecollector';
import { NamespaceController } from './namespace';
import { NodeLifecycleController } from './nodelifecycle';
import { PodGCController } from './podgc';
import { ReplicaSetController } from './replicaset';
import { ServiceAccountsController } from './serviceaccount';
import { ServiceLBController } from './servicelb';
import { StatefulSetController } from './statefulset';
import { TaintEvictionController } from './tainteviction';

/**
 * Every controller the controller-manager can run, by the name `--controllers` uses (Kubernetes'
 * 1.32 names). Adding one is a folder in controllers/ and a line here.
 */
export const CONTROLLERS: Record<string, (ctx: ControllerContext) => Controller> = {
  'deployment-controller': (ctx) => new DeploymentController(ctx),
  'replicaset-controller': (ctx) => new ReplicaSetController(ctx),
  'garbage-collector-controller': (ctx) => new GarbageCollector(ctx),
  'node-lifecycle-controller': (ctx) => new NodeLifecycleController(ctx),
  'taint-eviction-controller': (ctx) => new TaintEvictionController(ctx),
  'pod-garbage-collector-controller': (ctx) => new PodGCController(ctx),
  'endpoints-controller': (ctx) => new EndpointsController(ctx),
  'endpointslice-controller': (ctx) => new EndpointSliceController(ctx),
  'serviceaccount-controller': (ctx) => new ServiceAccountsController(ctx),
  'namespace-controller': (ctx) => new NamespaceController(ctx),
  'service-lb-controller': (ctx) => new ServiceLBController(ctx),
  'daemonset-controller': (ctx) => new DaemonSetsController(ctx),
  'statefulset-controller': (ctx) => new StatefulSetController(ctx),
};
