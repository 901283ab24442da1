// The object API client.
export { componentUserAgent, ObjectsClient } from './objects-client';
export type { CallOptions, DeleteOptions, ListOptions, ObjectList, ObjectsClientOptions, Stored, WatchOptions, WriteOptions } from './objects-client';
export { ObjectWatch } from './object-watch';
export type { WatchEvent } from './object-watch';
export { ApiserverUnavailableError, isApiserverUnavailable } from './errors';
export { ApiError, isAlreadyExists, isConflict, isInvalid, isNotFound, isResourceExpired } from '@kubelab/apimachinery';
export type { Status } from '@kubelab/apimachinery';
export type { PatchType } from '@kubelab/proto';
export { Resources, metaNamespaceKey, splitMetaNamespaceKey, silentLogger } from './types';
export type { ClientLogger, GroupVersionResource, KubeObject, ObjectMeta } from './types';

// Informers: list + watch + resume into an indexed cache.
export { Informer } from './informer';
export type { InformerOptions, ResourceEventHandler } from './informer';
export { Reflector } from './reflector';
export type { ReflectorOptions, ReflectorSink, ReflectorStats } from './reflector';
export { Indexer, NAMESPACE_INDEX, metaNamespaceIndexFunc } from './indexer';
export type { IndexFunc } from './indexer';

// The work queue, layer by layer.
export { WorkQueue } from './workqueue/queue';
export type { QueueGet } from './workqueue/queue';
export { DelayingQueue } from './workqueue/delaying-queue';
export { RateLimitingQueue } from './workqueue/rate-limiting-queue';
export { BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter } from './workqueue/rate-limiter';
export type { RateLimiter } from './workqueue/rate-limiter';

// Leader election on Leases.
export { LeaderElector } from './leader-election';
export type { LeaderCallbacks, LeaderElectionConfig } from './leader-election';
export { LeaseLock, fromLeaseSpec, toLeaseSpec } from './lease-lock';
export type { LeaderElectionRecord, ResourceLock } from './lease-lock';

// Time, injected.
export { FakeClock, realClock, sleep } from './clock';
export type { Clock, ClockTimer } from './clock';
export { metaTime, microTime } from './meta-time';

// Shared informers for a process with many controllers.
export { InformerFactory } from './informer-factory';
export type { InformerFactoryOptions } from './informer-factory';

// Events about objects, folded with counts as Kubernetes folds them.
export { EventRecorder, referenceTo } from './record/event-recorder';
export type { EventRecorderOptions, EventType } from './record/event-recorder';
export type { CoreEvent, ObjectReference } from './record/event-correlator';

// An in-memory object API for unit tests of controllers.
export { FakeObjectsServer } from './testing/fake-objects-server';
export { campaign, runAsLeader } from './leader-election-run';
export type { RunAsLeaderOptions } from './leader-election-run';
