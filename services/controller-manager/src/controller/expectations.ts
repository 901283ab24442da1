import type { Clock } from '@kubelab/client';

/** client-go's ExpectationsTimeout: expectations older than this are assumed lost. */
const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Expectation {
  adds: number;
  dels: number;
  setAt: number;
}

/**
 * ControllerExpectations: a controller that just asked for 3 pods must not ask again before its
 * informer has seen them, or it creates 6. It records what it expects (`expectCreations(key, 3)`),
 * the pod informer's handlers count them off (`creationObserved(key)`), and reconcile only acts
 * when `satisfied(key)`: everything seen, or the record expired (5 minutes).
 */
export class ControllerExpectations {
  private readonly records = new Map<string, Expectation>();

  constructor(private readonly clock: Clock) {}

  satisfied(key: string): boolean {
    const e = this.records.get(key);
    if (!e) return true;
    if (e.adds <= 0 && e.dels <= 0) return true;
    return this.clock.now() - e.setAt > EXPECTATIONS_TTL_MS;
  }

  /** Creations and deletions at once (SetExpectations): a DaemonSet sync creates on some nodes and deletes on others. */
  setExpectations(key: string, adds: number, dels: number): void {
    this.records.set(key, { adds, dels, setAt: this.clock.now() });
  }

  expectCreations(key: string, adds: number): void {
    this.records.set(key, { adds, dels: 0, setAt: this.clock.now() });
  }

  expectDeletions(key: string, dels: number): void {
    this.records.set(key, { adds: 0, dels, setAt: this.clock.now() });
  }

  creationObserved(key: string): void {
    const e = this.records.get(key);
    if (e) e.adds--;
  }

  deletionObserved(key: string): void {
    const e = this.records.get(key);
    if (e) e.dels--;
  }

  /** A create that failed will never be observed. */
  lowerExpectations(key: string, adds: number, dels: number): void {
    const e = this.records.get(key);
    if (!e) return;
    e.adds -= adds;
    e.dels -= dels;
  }

  delete(key: string): void {
    this.records.delete(key);
  }
}
