import type { KubeObject } from '@kubelab/client';
import type { ProbeManager, ProbeUpdate } from '../../prober/types';

/**
 * A ProbeManager in memory for the pod workers' unit tests: every watched container is ready and
 * started unless a test says otherwise (`setReady`, `setStarted`), and `fire` delivers a probe
 * result as the real prober would.
 */
export class FakeProbes implements ProbeManager {
  /** "uid/name" -> the container id watched. */
  readonly watched = new Map<string, string>();
  readonly added: Array<{ podUid: string; name: string; id: string; podIP: string }> = [];
  private readonly ready = new Map<string, boolean>();
  private readonly started = new Map<string, boolean>();
  private readonly listeners: Array<(update: ProbeUpdate) => void> = [];

  addContainer(pod: KubeObject, containerName: string, containerId: string, podIP: string): void {
    this.watched.set(`${pod.metadata.uid}/${containerName}`, containerId);
    this.added.push({ podUid: pod.metadata.uid!, name: containerName, id: containerId, podIP });
  }

  removeContainer(podUid: string, containerName: string): void {
    this.watched.delete(`${podUid}/${containerName}`);
  }

  removePod(podUid: string): void {
    for (const key of [...this.watched.keys()]) if (key.startsWith(`${podUid}/`)) this.watched.delete(key);
  }

  isReady(podUid: string, containerName: string): boolean | undefined {
    const key = `${podUid}/${containerName}`;
    if (!this.watched.has(key)) return undefined;
    return this.ready.get(key) ?? true;
  }

  isStarted(podUid: string, containerName: string): boolean {
    const key = `${podUid}/${containerName}`;
    return this.watched.has(key) && (this.started.get(key) ?? true);
  }

  onUpdate(listener: (update: ProbeUpdate) => void): void {
    this.listeners.push(listener);
  }

  stop(): void {}

  setReady(podUid: string, containerName: string, ready: boolean): void {
    this.ready.set(`${podUid}/${containerName}`, ready);
  }

  setStarted(podUid: string, containerName: string, started: boolean): void {
    this.started.set(`${podUid}/${containerName}`, started);
  }

  /** A probe's result changed (as the prober reports it). */
  fire(update: ProbeUpdate): void {
    for (const listener of this.listeners) listener(update);
  }
}
