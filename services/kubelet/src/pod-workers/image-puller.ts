import type { Clock, EventRecorder } from '@kubelab/client';
import type { ContainerRuntime } from '../runtime/types';
import type { Container } from '../status/api-types';
import { goDuration } from './go-duration';
import type { PodRecord } from './pod-record';
import { podRef } from './pod-refs';

export type EnsureImageResult = { ok: true } | { ok: false; reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull'; message: string; retryInMs: number };

/** How long ErrImagePull shows before the next sync turns it into ImagePullBackOff (at most). */
const SHOW_ERR_IMAGE_PULL_MS = 1_000;

/**
 * Makes sure a container's image is there before it starts (the kubelet's image manager), by its
 * imagePullPolicy (Always pulls; IfNotPresent and Never use the image on the node), with
 * Kubernetes' events: Pulling, Pulled ('Successfully pulled image "x" in 512ms (512ms including
 * waiting). Image size: N bytes.' or 'Container image "x" already present on machine'); a failed
 * pull gives 'Failed to pull image "x": <why>' and 'Error: ErrImagePull', and starts a back-off
 * per pod and image during which the kubelet says 'Back-off pulling image "x"' and
 * 'Error: ImagePullBackOff' instead of pulling.
 */
export class ImagePuller {
  constructor(
    private readonly options: {
      runtime: ContainerRuntime;
      recorder: EventRecorder;
      clock: Clock;
      /** How soon to look again for an image that pull policy Never forbids pulling. */
      configRetryMs: number;
    },
  ) {}

  async ensureImage(record: PodRecord, container: Container, fieldPath: string): Promise<EnsureImageResult> {
    const { runtime, clock } = this.options;
    const image = container.image;
    const event = (type: 'Normal' | 'Warning', reason: string, message: string) => this.options.recorder.event(podRef(record.pod), type, reason, message, fieldPath);
    const policy = container.imagePullPolicy ?? defaultPullPolicy(image);
    if (policy === 'Never') {
      try {
        await runtime.pullImage(image);
      } catch {
        const message = `Container image "${image}" is not present with pull policy of Never`;
        event('Warning', 'ErrImageNeverPull', message);
        return { ok: false, reason: 'ErrImageNeverPull', message, retryInMs: this.options.configRetryMs };
      }
      event('Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return { ok: true };
    }
    if (record.pullBackoff.isInBackOffSinceUpdate(image)) {
      const message = `Back-off pulling image "${image}"`;
      event('Normal', 'BackOff', message);
      event('Warning', 'Failed', 'Error: ImagePullBackOff');
      const previous = record.pullErrors.get(image);
      return { ok: false, reason: 'ImagePullBackOff', message: previous ? `${message}: ${previous}` : message, retryInMs: record.pullBackoff.expiresAt(image)! - clock.now() };
    }
    const startedAt = clock.now();
    try {
      const pulled = await runtime.pullImage(image);
      if (pulled.alreadyPresent && policy === 'IfNotPresent') {
        event('Normal', 'Pulled', `Container image "${image}" already present on machine`);
      } else {
        const waited = Math.max(pulled.durationMs, clock.now() - startedAt);
        event('Normal', 'Pulling', `Pulling image "${image}"`);
        event('Normal', 'Pulled', `Successfully pulled image "${image}" in ${goDuration(pulled.durationMs)} (${goDuration(waited)} including waiting). Image size: ${pulled.sizeBytes} bytes.`);
      }
      record.pullErrors.delete(image);
      return { ok: true };
    } catch (error) {
      const why = (error as Error).message;
      event('Normal', 'Pulling', `Pulling image "${image}"`);
      event('Warning', 'Failed', `Failed to pull image "${image}": ${why}`);
      record.pullBackoff.next(image);
      record.pullErrors.set(image, `ErrImagePull: ${why}`);
      event('Warning', 'Failed', 'Error: ErrImagePull');
      return { ok: false, reason: 'ErrImagePull', message: why, retryInMs: Math.min(SHOW_ERR_IMAGE_PULL_MS, record.pullBackoff.get(image) / 2) };
    }
  }
}

/** Kubernetes' default: Always for ':latest' or no tag, IfNotPresent otherwise. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon < 0 || image.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}
