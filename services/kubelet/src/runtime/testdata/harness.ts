import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, waitFor } from '@kubelab/component-base';
import type { Clock } from '@kubelab/client';
import { stopAllContainers } from '../cleanup';
import { ProcessRuntime } from '../process-runtime';
import type { ContainerConfig, ContainerRuntime, ContainerStatus, PodSandboxConfig } from '../types';
import { testResolveImage } from './images';

/** Runtimes made by a test, each on its own temporary root dir; `cleanup` kills their containers and removes the dirs. */
export class RuntimeHarness {
  private readonly rootDirs: string[] = [];
  private readonly runtimes: ProcessRuntime[] = [];

  newRootDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-runtime-'));
    this.rootDirs.push(dir);
    return dir;
  }

  /** A runtime on `rootDir` (a new one by default), with the test catalogue, or @kubelab/images' with `catalogue`. */
  runtime(options: { rootDir?: string; housekeepingIntervalMs?: number; clock?: Clock; catalogue?: boolean } = {}): ProcessRuntime {
    const runtime = new ProcessRuntime({
      rootDir: options.rootDir ?? this.newRootDir(),
      log: createLogger('runtime-test', process.env.KUBELAB_TEST_LOG ?? 'silent'),
      housekeepingIntervalMs: options.housekeepingIntervalMs ?? 100,
      clock: options.clock,
      resolveImage: options.catalogue ? undefined : testResolveImage,
    });
    this.runtimes.push(runtime);
    return runtime;
  }

  async cleanup(): Promise<void> {
    for (const runtime of this.runtimes.splice(0)) await runtime.close();
    for (const dir of this.rootDirs.splice(0)) {
      await stopAllContainers(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** A pod on a random 127.X.Y.Z address (X in 100..250), so tests running side by side do not collide. */
export function testPod(name: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  const octet = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));
  return {
    uid: randomUUID(),
    name,
    namespace: 'default',
    ip: `127.${octet(100, 250)}.${octet(0, 255)}.${octet(2, 254)}`,
    hostname: name,
    ...extra,
  };
}

export function testContainer(name: string, image: string, extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return { name, image, env: {}, attempt: 0, ...extra };
}

/** Waits until the container has exited; its final status. */
export function exited(runtime: ContainerRuntime, id: string, timeoutMs = 10_000): Promise<ContainerStatus> {
  return waitFor(
    () => {
      const status = runtime.getContainer(id);
      return status?.state === 'exited' ? status : undefined;
    },
    { timeoutMs, intervalMs: 20, what: `container ${id} to exit` },
  );
}

/** Everything an async iterable of buffers yields, as a string. */
export async function readAll(source: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}

/** Collects a readable stream's text as it comes (read `.text` at any time). */
export function collect(stream: NodeJS.ReadableStream | undefined): { text: string; ended: Promise<void> } {
  const out = { text: '', ended: Promise.resolve() };
  if (!stream) return out;
  out.ended = new Promise((resolve) => stream.on('end', resolve));
  stream.on('data', (chunk: Buffer) => (out.text += chunk.toString('utf8')));
  return out;
}
