import { describe, expect, it } from 'vitest';
import type { ContainerRuntime } from '../runtime/types';
import { expandContainerCommandOnlyStatic } from './command-expansion';
import { doExecProbe } from './exec-probe';

type ExecResult = Awaited<ReturnType<ContainerRuntime['execSync']>>;

/** A runtime whose ExecSync answers as told and remembers what it was asked. */
function fakeRuntime(answer: (command: string[], timeoutMs: number) => ExecResult | Promise<ExecResult>) {
  const calls: Array<{ id: string; command: string[]; timeoutMs: number }> = [];
  return {
    calls,
    execSync: async (id: string, command: string[], timeoutMs: number) => {
      calls.push({ id, command, timeoutMs });
      return answer(command, timeoutMs);
    },
  };
}

describe('exec probe', () => {
  it('exit code 0 is a success; the command runs in the container with the timeout', async () => {
    const runtime = fakeRuntime(() => ({ exitCode: 0, output: 'ok\n', stderr: '', timedOut: false }));
    expect(await doExecProbe(runtime, 'kubelab://abc', ['cat', '/tmp/healthy'], 1000)).toEqual({ result: 'success', output: 'ok\n' });
    expect(runtime.calls).toEqual([{ id: 'kubelab://abc', command: ['cat', '/tmp/healthy'], timeoutMs: 1000 }]);
  });

  it('another exit code fails with the command\'s output as the message', async () => {
    const runtime = fakeRuntime(() => ({ exitCode: 1, output: "cat: can't open '/tmp/healthy': No such file or directory\n", stderr: '', timedOut: false }));
    expect(await doExecProbe(runtime, 'c', ['cat', '/tmp/healthy'], 1000)).toEqual({ result: 'failure', output: "cat: can't open '/tmp/healthy': No such file or directory\n" });
  });

  it('a command that outlives the timeout fails as Kubernetes says it', async () => {
    const runtime = fakeRuntime(() => ({ exitCode: -1, output: '', stderr: '', timedOut: true }));
    expect(await doExecProbe(runtime, 'c', ['cat', '/tmp/healthy'], 1000)).toEqual({ result: 'failure', output: 'command "cat /tmp/healthy" timed out' });
  });

  it('keeps at most 10 KiB of output', async () => {
    const runtime = fakeRuntime(() => ({ exitCode: 2, output: 'y'.repeat(20_000), stderr: '', timedOut: false }));
    expect((await doExecProbe(runtime, 'c', ['noisy'], 1000)).output).toHaveLength(10 * 1024);
  });

  it('a runtime that cannot exec makes the probe error (unknown), not fail', async () => {
    const runtime = fakeRuntime(() => Promise.reject(new Error('container not running')));
    const outcome = await doExecProbe(runtime, 'c', ['true'], 1000);
    expect(outcome.result).toBe('unknown');
    expect(outcome.error?.message).toBe('container not running');
  });
});

describe('exec probe command expansion', () => {
  it('expands $(VAR) from the env values written in the spec, keeps unknown names, unescapes $$', () => {
    const env = [{ name: 'FILE', value: '/tmp/healthy' }, { name: 'FROM', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }];
    expect(expandContainerCommandOnlyStatic(['cat', '$(FILE)', '$(FROM)x', '$(NOPE)', '$$(FILE)', 'a$b', '$(open', 'end$'], env)).toEqual(['cat', '/tmp/healthy', 'x', '$(NOPE)', '$(FILE)', 'a$b', '$(open', 'end$']);
  });
});
