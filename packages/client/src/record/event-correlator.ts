import type { KubeObject } from '../types';

/** The core/v1 Event as the recorder writes it. */
export interface CoreEvent extends KubeObject {
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  type: 'Normal' | 'Warning';
  eventTime: null;
  reportingComponent: string;
  reportingInstance: string;
}

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** What the correlator decided for a new event: write it anew, or fold it into one already written. */
export type Correlation = { action: 'create'; event: CoreEvent; key: string } | { action: 'fold'; event: CoreEvent; key: string; into: string };

/** client-go's defaults: 10 similar events within 10 minutes are combined into one. */
const MAX_SIMILAR_EVENTS = 10;
const SIMILAR_INTERVAL_MS = 600_000;
const MESSAGE_COMBINED = '(combined from similar events): ';
const CACHE_SIZE = 4096;

/**
 * Folds repeated events the way client-go's EventCorrelator does, so `kubectl get events` shows
 * one line with a count instead of a hundred lines:
 * - the same event again (same source, object, type, reason and message) bumps the count of the
 *   one written before (its name, firstTimestamp and count carry over);
 * - more than 10 events within 10 minutes that differ only in their message are combined into
 *   one whose message starts "(combined from similar events): ".
 */
export class EventCorrelator {
  /** Event key → the last event written under it (name, count, firstTimestamp). */
  private readonly written = new LruMap<string, CoreEvent>(CACHE_SIZE);
  /** Key without message → the distinct messages seen lately. */
  private readonly similar = new LruMap<string, { messages: Set<string>; lastMs: number }>(CACHE_SIZE);

  constructor(private readonly now: () => number) {}

  correlate(event: CoreEvent): Correlation {
    const combined = this.aggregate(event);
    const key = combined.key;
    const previous = this.written.get(key);
    if (!previous) return { action: 'create', event: combined.event, key };
    const folded: CoreEvent = {
      ...combined.event,
      metadata: { ...combined.event.metadata, name: previous.metadata.name },
      count: previous.count + 1,
      firstTimestamp: previous.firstTimestamp,
    };
    return { action: 'fold', event: folded, key, into: previous.metadata.name! };
  }

  /** Remembers what was written under a key (after the write succeeded). */
  remember(key: string, event: CoreEvent): void {
    this.written.set(key, event);
  }

  /** Forgets a key whose event is gone (expired from the API), so the next one is created anew. */
  forget(key: string): void {
    this.written.delete(key);
  }

  private aggregate(event: CoreEvent): { event: CoreEvent; key: string } {
    const similarKey = keyOf(event, false);
    const now = this.now();
    let entry = this.similar.get(similarKey);
    if (!entry || now - entry.lastMs > SIMILAR_INTERVAL_MS) entry = { messages: new Set(), lastMs: now };
    entry.messages.add(event.message);
    entry.lastMs = now;
    this.similar.set(similarKey, entry);
    if (entry.messages.size < MAX_SIMILAR_EVENTS) return { event, key: keyOf(event, true) };
    return { event: { ...event, message: MESSAGE_COMBINED + event.message }, key: similarKey };
  }
}

function keyOf(event: CoreEvent, withMessage: boolean): string {
  const o = event.involvedObject;
  const parts = [event.source.component, event.source.host ?? '', o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, event.type, event.reason];
  if (withMessage) parts.push(event.message);
  return parts.map((p) => p ?? '').join('\u0000');
}

/** A Map that forgets its least recently used entries beyond a size. */
class LruMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly size: number) {}
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value as K);
  }
  delete(key: K): void {
    this.map.delete(key);
  }
}
