import fs from 'node:fs';
import path from 'node:path';
import type { ImageDefinition } from '@kubelab/images';
import { ContainerStartError, type ContainerConfig } from './types';
import { SYSTEM_PATH } from './host-tools';

/** Flags every Node.js container runs with: a small young generation keeps an idle program small. */
export const NODE_FLAGS = ['--max-semi-space-size=1'];

/** What a container process runs: argv, and whether it is the image's Node.js program (its baseline memory is not charged). */
export interface ContainerCommand {
  argv: string[];
  runtime: 'node' | 'native';
}

/**
 * Kubernetes' rules for a container's command: `command` replaces the image's ENTRYPOINT (and
 * then the image's CMD is dropped), `args` replaces its CMD. A 'node' image's ENTRYPOINT is either
 * a full argv (`node --max-semi-space-size=1 /path/program.js`) or just the script, which then runs
 * under this Node.js with NODE_FLAGS. Only the image's own program counts as 'node' (its baseline
 * memory is not charged); a pod's `command` runs natively.
 */
export function containerCommand(image: ImageDefinition, config: Pick<ContainerConfig, 'command' | 'args'>, nodePath = process.execPath): ContainerCommand {
  if (config.command && config.command.length > 0) return { argv: [...config.command, ...(config.args ?? [])], runtime: 'native' };
  const args = config.args ?? image.cmd;
  if (image.runtime === 'node' && image.entrypoint.length > 0) {
    const entrypoint = /\.[cm]?js$/.test(image.entrypoint[0]!) ? [nodePath, ...NODE_FLAGS, ...image.entrypoint] : image.entrypoint;
    return { argv: [...entrypoint, ...args], runtime: 'node' };
  }
  return { argv: [...image.entrypoint, ...args], runtime: 'native' };
}

/** The container's environment: exactly the pod's, over the image's ENV, over a default PATH (busybox applets first). */
export function containerEnv(image: ImageDefinition, config: Pick<ContainerConfig, 'env'>, binDir: string): Record<string, string> {
  return { PATH: `${binDir}:${SYSTEM_PATH}`, ...(image.env ?? {}), ...config.env };
}

const OCI_CREATE = 'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process';

/**
 * Finds argv[0] as runc's exec does (on the container's PATH, or as a path relative to the
 * working directory) and returns its absolute path; throws ContainerStartError with containerd's
 * message (reason StartError, exit code 128) if it cannot run.
 */
export function lookPath(
  name: string,
  env: Record<string, string>,
  cwd: string,
  error: (message: string) => Error = (message) => new ContainerStartError(`${OCI_CREATE}: ${message}`),
): string {
  const fail = (detail: string): never => {
    throw error(`exec: "${name}": ${detail}: unknown`);
  };
  if (name === '') fail('executable file not found in $PATH');
  const check = (file: string): string | undefined => {
    try {
      const stat = fs.statSync(file);
      if (stat.isDirectory()) return 'is a directory';
      fs.accessSync(file, fs.constants.X_OK);
      return undefined;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : 'missing';
    }
  };
  if (name.includes('/')) {
    const file = path.resolve(cwd, name);
    const problem = check(file);
    if (problem === 'missing') fail(`stat ${name}: no such file or directory`);
    if (problem) fail(problem);
    return file;
  }
  for (const dir of (env.PATH ?? '').split(':')) {
    const file = path.resolve(cwd, dir || '.', name);
    if (check(file) === undefined) return file;
  }
  return fail('executable file not found in $PATH');
}

/** runc's message when the working directory cannot be entered. */
export function workingDirError(dir: string): ContainerStartError {
  return new ContainerStartError(`${OCI_CREATE}: error during container init: chdir to cwd ("${dir}") set in config.json failed: no such file or directory: unknown`);
}

/** containerd's message for a container whose image has no command and whose pod gives none. */
export function noCommandError(container: string): ContainerStartError {
  return new ContainerStartError(`failed to generate container "${container}" spec: failed to generate spec: no command specified`, 'CreateContainerError');
}

/** The prefix containerd puts before an exec that cannot start (kubectl exec shows it); execId names the exec process. */
export function ociExecPrefix(execId: string): string {
  return `failed to exec in container: failed to start exec "${execId}": OCI runtime exec failed: exec failed: unable to start container process`;
}
