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

/** client-go retries an event write 12 times, 10 s apart (the first after a random part of that): for an apiserver that restarts. */
const MAX_TRIES = 12;
const RETRY_MS = 10_000;

/** A write waiting in the backlog; later events under its key ride on it (`event` is the latest). */
interface PendingWrite {
  action: 'create' | 'fold';
  key: string;
  event: CoreEvent;
}

/**
 * Records Events about objects (client-go's record.EventRecorder and its broadcaster): `event(pod,
 * 'Normal', 'Scheduled', 'Successfully assigned default/web-1 to worker')` returns at once; the
 * event is correlated there and then (folded with repeats, combined with similar ones, or skipped
 * as spam: see EventCorrelator) and written in the background in the order recorded, one at a
 * time as client-go's broadcaster sends them. A fold is a patch:
 * nothing is read first. An event whose key already has a write waiting is carried by that write
 * (its count, lastTimestamp and message), so a burst of repeats costs one write, not one each.
 * Events are best effort, as in Kubernetes: one that cannot be written after retries is dropped.
 */
export class EventRecorder {
  private readonly clock: Clock;
  private readonly log: ClientLogger;
  private readonly correlator: EventCorrelator;
  private readonly backlog: PendingWrite[] = [];
  /** Event key → its write still in the backlog (not yet sent). */
  private readonly waiting = new Map<string, PendingWrite>();
  private readonly maxBacklog: number;
  private sending = false;
  /** flush() callers, told when the backlog is empty and no write is under way. */
  private idleWaiters: Array<() => void> = [];
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
    const correlation = this.correlator.correlate(this.build(referenceTo(object, fieldPath), type, reason, message));
    if (correlation.action === 'skip') return;
    const waiting = this.waiting.get(correlation.key);
    if (waiting) {
      // Not sent yet: it goes out with this one's count (a create stays a create, with the count).
      waiting.event = correlation.event;
      return;
    }
    const write: PendingWrite = { action: correlation.action, key: correlation.key, event: correlation.event };
    this.backlog.push(write);
    this.waiting.set(write.key, write);
    this.send();
  }

  /** Resolves when every event recorded so far has been written or dropped. */
  async flush(): Promise<void> {
    if (!this.backlog.length && !this.sending) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops writing; what is still waiting is dropped. */
  async close(): Promise<void> {
    this.stopping.abort();
    this.backlog.length = 0;
    this.waiting.clear();
    await this.flush();
  }

  private build(ref: ObjectReference, type: EventType, reason: string, message: string): CoreEvent {
    const now = this.clock.now();
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

  /** Sends the oldest waiting write, unless one is under way: one at a time, in the order recorded. */
  private send(): void {
    if (this.sending || this.stopping.signal.aborted) return;
    const write = this.backlog.shift();
    if (!write) return;
    // From here on, a new event under the key needs a write of its own.
    if (this.waiting.get(write.key) === write) this.waiting.delete(write.key);
    this.sending = true;
    void this.write(write).finally(() => {
      this.sending = false;
      this.send();
      if (!this.sending && (!this.backlog.length || this.stopping.signal.aborted)) for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
  }

  /** recordToSink: patch a fold (create it if it is gone), create the rest; retry only while the apiserver is away. */
  private async write(write: PendingWrite): Promise<void> {
    const e = write.event;
    for (let attempt = 1; attempt <= MAX_TRIES && !this.stopping.signal.aborted; attempt++) {
      try {
        if (write.action === 'fold') {
          try {
            await this.options.client.patch(Resources.events, e.metadata.namespace, e.metadata.name!, 'application/strategic-merge-patch+json', { count: e.count, lastTimestamp: e.lastTimestamp, message: e.message });
            return;
          } catch (error) {
            if (!isNotFound(error)) throw error;
            // The event it folds into is gone (expired or deleted): it is created again, count and all.
          }
        }
        await this.options.client.create<CoreEvent>(Resources.events, e);
        return;
      } catch (error) {
        if (!isApiserverUnavailable(error)) {
          this.log.warn({ reason: e.reason, object: describe(e.involvedObject), err: (error as Error).message }, 'event rejected');
          return;
        }
        // The first wait is a random part of the period, so that recorders do not all come back at once.
        if (attempt < MAX_TRIES) await sleep(this.clock, attempt === 1 ? RETRY_MS * Math.random() : RETRY_MS, this.stopping.signal);
      }
    }
    this.log.warn({ reason: e.reason, object: describe(e.involvedObject) }, 'event dropped: the apiserver did not answer');
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
