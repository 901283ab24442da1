import { goQuote } from '@kubelab/apimachinery';
import type { ContainerRuntime } from '../runtime/types';
import { truncateOutput, type ProbeOutcome } from './probe-outcome';

/**
 * The exec probe (pkg/probe/exec): runs the command in the container through the runtime
 * (CRI ExecSync) with the probe's timeout. Exit code 0 is a success; any other is a failure whose
 * message is the command's output (stdout and stderr, at most 10 KiB); a command that outlives
 * the timeout fails with `command "cat /tmp/healthy" timed out`. A runtime that cannot run it at
 * all (the container is gone) makes the probe error, not fail.
 */
export async function doExecProbe(runtime: Pick<ContainerRuntime, 'execSync'>, containerId: string, command: string[], timeoutMs: number): Promise<ProbeOutcome> {
  let run: Awaited<ReturnType<ContainerRuntime['execSync']>>;
  try {
    run = await runtime.execSync(containerId, command, timeoutMs);
  } catch (error) {
    return { result: 'unknown', output: '', error: error instanceof Error ? error : new Error(String(error)) };
  }
  if (run.timedOut) return { result: 'failure', output: `command ${goQuote(command.join(' '))} timed out` };
  const output = truncateOutput(run.output);
  return { result: run.exitCode === 0 ? 'success' : 'failure', output };
}
