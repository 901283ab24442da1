import { realClock, sleep, type Clock } from '../clock';
import { isApiserverUnavailable } from '../errors';
import { metaTime } from '../meta-time';
import { isNotFound } from '@kubelab/apimachinery';
import type { ObjectsClient } from '../objects-client';
import { Resources, silentLogger, type ClientLogger, type KubeObject } from '../types';
import { EventCorrelator, type CoreEvent, type ObjectReference } from './event-correlator';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  client: ObjectsClient;
  /** source.component: "default-scheduler", "deployment-controller", "kubelet". */
  component: string;
  /** source.host: the node, for a kubelet. */
  host?: string;
  clock?: Clock;
  log?: ClientLogger;
  /** Events waiting to be written beyond this are dropped (and logged): a recorder never blocks its caller. */
  maxBacklog?: number;
}

/** client-go retries an event write 12 times, 10 s apart: for an apiserver that restarts. */
const MAX_TRIES = 12;
const RETRY_MS = 10_000;

/**
 * Records Events about objects (client-go's record.EventRecorder): `event(pod, 'Normal',
 * 'Scheduled', 'Successfully assigned default/web-1 to worker')` returns at once; the event is
 * written in the background, in order, folded with repeats (see EventCorrelator). Events are
 * best effort, as in Kubernetes: one that cannot be written after retries is dropped.
 */
export class EventRecorder {
  private readonly clock: Clock;
  private readonly log: ClientLogger;
  private readonly correlator: EventCorrelator;
  private readonly backlog: CoreEvent[] = [];
  private readonly maxBacklog: number;
  private writing: Promise<void> | undefined;
  private readonly stopping = new AbortController();

  constructor(private readonly options: EventRecorderOptions) {
    this.clock = options.clock ?? realClock;
    this.log = options.log ?? silentLogger;
    this.correlator = new EventCorrelator(() => this.clock.now());
    this.maxBacklog = options.maxBacklog ?? 1000;
  }

  event(object: KubeObject | ObjectReference, type: EventType, reason: string, message: string, fieldPath?: string): void {
    if (this.stopping.signal.aborted) return;
    if (this.backlog.length >= this.maxBacklog) {
      this.log.warn({ reason, object: describe(object) }, 'event dropped: too many events waiting to be written');
      return;
    }
    this.backlog.push(this.build(referenceTo(object, fieldPath), type, reason, message));
    this.writing ??= this.drain().finally(() => (this.writing = undefined));
  }

  /** Resolves when every event recorded so far has been written or dropped. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Stops writing; what is still waiting is dropped. */
  async close(): Promise<void> {
    this.stopping.abort();
    this.backlog.length = 0;
    await this.writing;
  }

  private build(ref: ObjectReference, type: EventType, reason: string, message: string): CoreEvent {
    const now = new Date(this.clock.now()).getTime();
    const timestamp = metaTime(now);
    const nanos = BigInt(now) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${ref.name}.${nanos.toString(16)}`, namespace: ref.namespace || 'default' },
      involvedObject: ref,
      reason,
      message,
      source: this.options.host ? { component: this.options.component, host: this.options.host } : { component: this.options.component },
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: this.options.component,
      reportingInstance: this.options.host ?? '',
    };
  }

  private async drain(): Promise<void> {
    while (this.backlog.length && !this.stopping.signal.aborted) {
      const event = this.backlog.shift()!;
      await this.write(event);
    }
  }

  private async write(event: CoreEvent): Promise<void> {
    const correlation = this.correlator.correlate(event);
    for (let attempt = 1; attempt <= MAX_TRIES && !this.stopping.signal.aborted; attempt++) {
      try {
        const e = correlation.event;
        if (correlation.action === 'fold') {
          try {
            await this.options.client.patch(Resources.events, e.metadata.namespace, correlation.into, 'application/strategic-merge-patch+json', { count: e.count, lastTimestamp: e.lastTimestamp, message: e.message });
            this.correlator.remember(correlation.key, e);
            return;
          } catch (error) {
            if (!isNotFound(error)) throw error;
            // The event it folds into is gone (expired or deleted): start a new one.
            this.correlator.forget(correlation.key);
            return await this.write(event);
          }
        }
        const created = await this.options.client.create<CoreEvent>(Resources.events, e);
        this.correlator.remember(correlation.key, { ...e, metadata: { ...e.metadata, name: created.metadata.name } });
        return;
      } catch (error) {
        if (!isApiserverUnavailable(error)) {
          this.log.warn({ reason: event.reason, object: describe(event.involvedObject), err: (error as Error).message }, 'event rejected');
          return;
        }
        if (attempt < MAX_TRIES) await sleep(this.clock, RETRY_MS, this.stopping.signal);
      }
    }
    this.log.warn({ reason: event.reason, object: describe(event.involvedObject) }, 'event dropped: the apiserver did not answer');
  }
}

/** The ObjectReference of an object (reference.GetReference). */
export function referenceTo(object: KubeObject | ObjectReference, fieldPath?: string): ObjectReference {
  if (!('metadata' in object) || !object.metadata) return fieldPath ? { ...(object as ObjectReference), fieldPath } : (object as ObjectReference);
  const o = object as KubeObject;
  const ref: ObjectReference = { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, uid: o.metadata.uid, apiVersion: o.apiVersion, resourceVersion: o.metadata.resourceVersion };
  if (fieldPath) ref.fieldPath = fieldPath;
  for (const key of Object.keys(ref) as Array<keyof ObjectReference>) if (ref[key] === undefined) delete ref[key];
  return ref;
}

function describe(object: KubeObject | ObjectReference): string {
  const ref = referenceTo(object);
  return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
