import type { Controller, ControllerContext } from '../controller/context';
import { DaemonSetsController } from './daemonset';
import { DeploymentController } from './deployment';
import { GarbageCollector } from './garbagecollector';
import { NodeLifecycleController } from './nodelifecycle';
import { PodGCController } from './podgc';
import { ReplicaSetController } from './replicaset';
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
  'daemonset-controller': (ctx) => new DaemonSetsController(ctx),
  'statefulset-controller': (ctx) => new StatefulSetController(ctx),
};
