import type { ControllerExpectations } from '../../controller/expectations';

/**
 * UIDTrackingControllerExpectations: expectations that remember which pods a ReplicaSet deleted.
 * A pod deleted gracefully is seen twice (its deletionTimestamp, then its removal); counting both
 * would let the ReplicaSet think a second pod went away and delete one too many. Only the first
 * sighting of a pod on the list counts.
 */
export class UIDTrackingExpectations {
  private readonly expectedDeletions = new Map<string, Set<string>>();

  constructor(private readonly expectations: ControllerExpectations) {}

  satisfied(controllerKey: string): boolean {
    return this.expectations.satisfied(controllerKey);
  }

  expectCreations(controllerKey: string, adds: number): void {
    this.expectations.expectCreations(controllerKey, adds);
  }

  creationObserved(controllerKey: string): void {
    this.expectations.creationObserved(controllerKey);
  }

  /** Expects the pods with these keys (namespace/name) to go. */
  expectDeletions(controllerKey: string, podKeys: string[]): void {
    this.expectedDeletions.set(controllerKey, new Set(podKeys));
    this.expectations.expectDeletions(controllerKey, podKeys.length);
  }

  deletionObserved(controllerKey: string, podKey: string): void {
    const keys = this.expectedDeletions.get(controllerKey);
    if (!keys?.delete(podKey)) return;
    this.expectations.deletionObserved(controllerKey);
  }

  delete(controllerKey: string): void {
    this.expectedDeletions.delete(controllerKey);
    this.expectations.delete(controllerKey);
  }
}
