import { identityKey, type ObjectIdentity } from './graph';

/**
 * Owners the GC has confirmed gone (Kubernetes' absentOwnerCache, 500 entries, least recently
 * used out first): a ReplicaSet with 100 pods is looked up once, not 100 times. Uids are never
 * reused, so an entry never turns false.
 */
export class AbsentOwnerCache {
  private readonly keys = new Set<string>();

  constructor(private readonly capacity = 500) {}

  add(identity: ObjectIdentity): void {
    const key = identityKey(identity);
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value!);
  }

  has(identity: ObjectIdentity): boolean {
    const key = identityKey(identity);
    if (!this.keys.has(key)) return false;
    this.keys.delete(key);
    this.keys.add(key);
    return true;
  }
}
