import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { collect, exited, RuntimeHarness, testContainer, testPod } from './testdata/harness';

const harness = new RuntimeHarness();
afterEach(() => harness.cleanup());

async function sleeper(name = 'sleeper', extra = {}) {
  const runtime = harness.runtime();
  const c = await runtime.startContainer(testPod(name), testContainer('main', 'busybox', { command: ['sleep', '60'], env: { WHO: 'container' }, ...extra }));
  return { runtime, id: c.id };
}

describe('exec', () => {
  it("runs a command with the container's env and working directory; stdout, stderr and exit code apart", async () => {
    const { runtime, id } = await sleeper();
    const session = runtime.exec(id, ['sh', '-c', 'echo "$WHO in $(pwd)"; echo oops >&2; exit 4'], { stdin: false, tty: false });
    const out = collect(session.stdout);
    const err = collect(session.stderr);
    expect(await session.exit).toBe(4);
    await Promise.all([out.ended, err.ended]);
    expect(out.text).toMatch(/^container in \/.*\/rootfs\n$/);
    expect(err.text).toBe('oops\n');
  });

  it('passes stdin through', async () => {
    const { runtime, id } = await sleeper();
    const session = runtime.exec(id, ['tr', 'a-z', 'A-Z'], { stdin: true, tty: false });
    const out = collect(session.stdout);
    session.stdin!.end('shout\n');
    expect(await session.exit).toBe(0);
    await out.ended;
    expect(out.text).toBe('SHOUT\n');
  });

  it('with a tty: a terminal, stderr merged into stdout, resizable', async () => {
    const { runtime, id } = await sleeper();
    const session = runtime.exec(id, ['sh', '-c', 'sleep 0.3; tty; stty size; echo to-stderr >&2'], { stdin: true, tty: true });
    expect(session.stderr).toBeUndefined();
    const out = collect(session.stdout);
    session.resize!({ width: 100, height: 42 });
    expect(await session.exit).toBe(0);
    await out.ended;
    expect(out.text).toMatch(/\/dev\/pts\/\d+\r\n42 100\r\nto-stderr\r\n/);
  });

  it("a command that does not exist fails with containerd's message", async () => {
    const { runtime, id } = await sleeper();
    expect(() => runtime.exec(id, ['nope'], { stdin: false, tty: false })).toThrow(
      /^failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "nope": executable file not found in \$PATH: unknown$/,
    );
  });

  it('close kills the exec', async () => {
    const { runtime, id } = await sleeper();
    const session = runtime.exec(id, ['sleep', '60'], { stdin: false, tty: false });
    session.close();
    expect(await session.exit).toBe(137);
  });
});

describe('execSync (exec probes and hooks)', () => {
  it('returns the exit code, the output, and stderr alone', async () => {
    const { runtime, id } = await sleeper();
    expect(await runtime.execSync(id, ['sh', '-c', 'echo ok; echo also >&2; exit 1'], 5_000)).toEqual({ exitCode: 1, output: 'ok\nalso\n', stderr: 'also\n', timedOut: false });
  });

  it('puts stdout before stderr in the output, whatever order they came in (as the kubelet appends them)', async () => {
    const { runtime, id } = await sleeper();
    expect((await runtime.execSync(id, ['sh', '-c', 'echo err >&2; sleep 0.1; echo out'], 5_000)).output).toBe('out\nerr\n');
  });

  it('has no deadline with a timeout of 0 (a postStart hook has none)', async () => {
    const { runtime, id } = await sleeper();
    expect(await runtime.execSync(id, ['sh', '-c', 'sleep 0.3; echo done'], 0)).toEqual({ exitCode: 0, output: 'done\n', stderr: '', timedOut: false });
  });

  it('kills the command at the deadline', async () => {
    const { runtime, id } = await sleeper();
    const started = Date.now();
    const result = await runtime.execSync(id, ['sleep', '30'], 200);
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('rejects an exec in an exited container', async () => {
    const runtime = harness.runtime();
    const c = await runtime.startContainer(testPod('done'), testContainer('main', 'busybox', { command: ['true'] }));
    await exited(runtime, c.id);
    await expect(runtime.execSync(c.id, ['true'], 1_000)).rejects.toThrow(/CONTAINER_EXITED/);
  });
});

describe('attach', () => {
  it("streams the container's output and feeds its stdin (a container started with stdin)", async () => {
    const runtime = harness.runtime();
    const c = await runtime.startContainer(
      testPod('cat'),
      testContainer('main', 'busybox', { command: ['sh', '-c', 'echo started; while read line; do echo "got $line"; done; echo eof'], stdin: true, stdinOnce: true }),
    );
    const session = runtime.attach(c.id, { stdin: true, tty: false });
    const out = collect(session.stdout);
    session.stdin!.write('hello\n');
    await waitFor(() => out.text.includes('got hello\n'), { what: 'the echo' });
    // stdinOnce: the container's stdin closes when the attached client closes it.
    session.stdin!.end();
    expect(await session.exit).toBe(0);
    await out.ended;
    expect(out.text).toContain('eof\n');
    expect(runtime.getContainer(c.id)).toMatchObject({ state: 'exited', exitCode: 0 });
  });

  it('with a tty, the container runs on a terminal', async () => {
    const runtime = harness.runtime();
    const c = await runtime.startContainer(testPod('shell'), testContainer('main', 'busybox', { command: ['sh'], stdin: true, tty: true }));
    const session = runtime.attach(c.id, { stdin: true, tty: true });
    expect(session.stderr).toBeUndefined();
    const out = collect(session.stdout);
    session.stdin!.write('tty; exit 5\n');
    expect(await session.exit).toBe(5);
    expect(out.text).toMatch(/\/dev\/pts\/\d+/);
  });
});
