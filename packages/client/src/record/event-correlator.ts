import type { KubeObject } from '../types';
import { LruMap } from './lru-map';
import { EventSourceObjectSpamFilter } from './spam-filter';

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

/**
 * What the correlator decided for a new event: write it anew, fold it into the one written before
 * under the same key (a patch of count, lastTimestamp and message), or skip it (spam).
 */
export type Correlation = { action: 'create' | 'fold'; event: CoreEvent; key: string } | { action: 'skip' };

/** client-go's defaults: 10 similar events within 10 minutes are combined into one. */
const MAX_SIMILAR_EVENTS = 10;
const SIMILAR_INTERVAL_MS = 600_000;
const MESSAGE_COMBINED = '(combined from similar events): ';
const CACHE_SIZE = 4096;

/**
 * client-go's EventCorrelator, in its order: aggregate, observe, filter.
 * - Aggregate: more than 10 events within 10 minutes that differ only in their message are
 *   combined into one whose message starts "(combined from similar events): ".
 * - Observe: the same event again (same source, object, type, reason and message) bumps the count
 *   of the one before (its name and firstTimestamp carry over), so `kubectl get events` shows one
 *   line with a count instead of a hundred lines. The count is kept as soon as it is observed,
 *   written or not.
 * - Filter: the spam filter (see EventSourceObjectSpamFilter) may skip it.
 */
export class EventCorrelator {
  /** Event key → the last event observed under it (name, count, firstTimestamp). */
  private readonly observed = new LruMap<string, CoreEvent>(CACHE_SIZE);
  /** Key without message → the distinct messages seen lately. */
  private readonly similar = new LruMap<string, { messages: Set<string>; lastMs: number }>(CACHE_SIZE);
  private readonly spamFilter: EventSourceObjectSpamFilter;

  constructor(private readonly now: () => number) {
    this.spamFilter = new EventSourceObjectSpamFilter(now, CACHE_SIZE);
  }

  correlate(event: CoreEvent): Correlation {
    const combined = this.aggregate(event);
    const key = combined.key;
    const previous = this.observed.get(key);
    let correlation: Correlation;
    if (!previous) correlation = { action: 'create', event: combined.event, key };
    else {
      const folded: CoreEvent = {
        ...combined.event,
        metadata: { ...combined.event.metadata, name: previous.metadata.name },
        count: previous.count + 1,
        firstTimestamp: previous.firstTimestamp,
      };
      correlation = { action: 'fold', event: folded, key };
    }
    this.observed.set(key, correlation.event);
    if (this.spamFilter.filter(spamKeyOf(event))) return { action: 'skip' };
    return correlation;
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
    // One message makes room for the next (PopAny), so the set stays small however long it goes on.
    entry.messages.delete(entry.messages.values().next().value as string);
    return { event: { ...event, message: MESSAGE_COMBINED + event.message }, key: similarKey };
  }
}

function keyOf(event: CoreEvent, withMessage: boolean): string {
  const o = event.involvedObject;
  const parts = [event.source.component, event.source.host ?? '', o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, event.type, event.reason];
  if (withMessage) parts.push(event.message);
  return parts.map((p) => p ?? '').join('\u0000');
}

/** getSpamKey: the source and the object, whatever the reason or message. */
function spamKeyOf(event: CoreEvent): string {
  const o = event.involvedObject;
  return [event.source.component, event.source.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion].map((p) => p ?? '').join('\u0000');
}
