import { randomBytes } from 'node:crypto';
import { cpuToMilli, quantityToValue } from '@kubelab/apimachinery';
import type { Clock, EventRecorder } from '@kubelab/client';
import { ContainerStartError, type ContainerConfig, type ContainerRuntime, type ContainerStatus, type PodSandboxConfig } from '../runtime/types';
import type { Container } from '../status/api-types';
import { containerEnvironment, type EnvSources } from './env';
import { ImagePuller } from './image-puller';
import type { ContainerKind, PodRecord } from './pod-record';
import { containerFieldPath, podRef } from './pod-refs';

/** What a start attempt came to: a started container, or a wait (and when to try again). */
export interface StartOutcome {
  started?: ContainerStatus;
  /** Try again in this many ms (an image back-off, a missing ConfigMap); 0: at once. */
  retryInMs?: number;
}

/**
 * Starts one container of a pod the way the kubelet's runtime manager does (startContainer):
 * the image first (ImagePuller), then its environment (a missing ConfigMap or Secret:
 * 'Error: configmap "x" not found', CreateContainerConfigError), then the process, with the
 * events Created ('Created container: web') and Started ('Started container web'). A process that
 * cannot start gives 'Error: <why>' and RunContainerError, and leaves a terminated instance
 * (StartError, exit code 128) that the crash-loop back-off counts like any other exit.
 */
export class ContainerStarter {
  private readonly puller: ImagePuller;

  constructor(
    private readonly options: {
      runtime: ContainerRuntime;
      recorder: EventRecorder;
      clock: Clock;
      nodeIP: string;
      envSources: EnvSources;
      /** How soon to try again after a configuration error (Kubernetes resyncs a failed pod after 10 s). */
      configRetryMs: number;
    },
  ) {
    this.puller = new ImagePuller(options);
  }

  async start(record: PodRecord, container: Container, kind: ContainerKind, attempt: number, sandbox: PodSandboxConfig): Promise<StartOutcome> {
    const { runtime, recorder, clock } = this.options;
    const fieldPath = containerFieldPath(kind, container.name);
    const event = (type: 'Normal' | 'Warning', reason: string, message: string) => recorder.event(podRef(record.pod), type, reason, message, fieldPath);

    const image = await this.puller.ensureImage(record, container, fieldPath);
    if (!image.ok) {
      record.waiting.set(container.name, { reason: image.reason, message: image.message });
      return { retryInMs: Math.max(0, image.retryInMs) };
    }

    let config: ContainerConfig;
    try {
      const { env, command, args } = await containerEnvironment(record.pod, container, { podIP: sandbox.ip, hostIP: this.options.nodeIP, hostname: sandbox.hostname, dns: sandbox.dns }, this.options.envSources);
      config = { name: container.name, image: container.image, env, attempt };
      if (command) config.command = command;
      if (args) config.args = args;
      if (container.workingDir) config.workingDir = container.workingDir;
      if (container.stdin) config.stdin = true;
      if (container.stdinOnce) config.stdinOnce = true;
      if (container.tty) config.tty = true;
      const limits = container.resources?.limits ?? {};
      if (limits.memory !== undefined) config.memoryLimitBytes = quantityToValue(String(limits.memory));
      if (limits.cpu !== undefined) config.cpuLimitMillis = cpuToMilli(String(limits.cpu));
    } catch (error) {
      const message = (error as Error).message;
      event('Warning', 'Failed', `Error: ${message}`);
      record.waiting.set(container.name, { reason: 'CreateContainerConfigError', message });
      return { retryInMs: this.options.configRetryMs };
    }

    try {
      const started = await runtime.startContainer(sandbox, config);
      event('Normal', 'Created', `Created container: ${container.name}`);
      event('Normal', 'Started', `Started container ${container.name}`);
      record.waiting.delete(container.name);
      return { started };
    } catch (error) {
      const message = (error as Error).message;
      if (!(error instanceof ContainerStartError)) {
        event('Warning', 'Failed', `Error: ${message}`);
        record.waiting.set(container.name, { reason: 'CreateContainerError', message });
        return { retryInMs: this.options.configRetryMs };
      }
      event('Normal', 'Created', `Created container: ${container.name}`);
      event('Warning', 'Failed', `Error: ${message}`);
      record.waiting.set(container.name, { reason: 'RunContainerError', message });
      const listed = runtime.listContainers(record.uid).some((c) => c.name === container.name && c.attempt === attempt);
      if (!listed) {
        const now = new Date(clock.now());
        record.failedStarts.push({
          id: `kubelab://${randomBytes(32).toString('hex')}`,
          podUid: record.uid,
          podNamespace: record.namespace,
          podName: record.name,
          name: container.name,
          attempt,
          state: 'exited',
          image: container.image,
          imageRef: '',
          createdAt: now,
          finishedAt: now,
          exitCode: error.exitCode,
          reason: error.reason,
          message,
          logPath: '',
        });
      }
      return { retryInMs: 0 };
    }
  }
}
