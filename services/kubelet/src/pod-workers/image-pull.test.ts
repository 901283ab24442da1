import { podStatusColumns } from '../../../apiserver/src/registry/resources/pods';
import { afterEach, describe, expect, it } from 'vitest';
import { podWorkersEnv, type PodWorkersEnv } from './testing/harness';

let env: PodWorkersEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const NOT_FOUND = 'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginxx:latest": not found';
const waiting = (e: PodWorkersEnv, name: string) => e.status(name).containerStatuses?.[0]?.state.waiting;

async function status(e: PodWorkersEnv, name: string): Promise<string> {
  return podStatusColumns(e.pod(name)!, new Date(e.clock.now())).reason;
}

describe('image pulls', () => {
  it('an unknown image: ErrImagePull with the events, then ImagePullBackOff, pulled again when the back-off ends (doubling)', async () => {
    env = await podWorkersEnv({ crashLoopBackOff: { initialMs: 10_000, maxMs: 300_000 } });
    const e = env;
    await e.createPod('typo', { containers: [{ name: 'web', image: 'nginxx' }] });
    await e.until('ErrImagePull', () => waiting(e, 'typo')?.reason === 'ErrImagePull');
    expect(waiting(e, 'typo')!.message).toBe(NOT_FOUND);
    expect(await status(e, 'typo')).toBe('ErrImagePull');
    expect(await e.events()).toEqual(['Normal Pulling Pulling image "nginxx"', `Warning Failed Failed to pull image "nginxx": ${NOT_FOUND}`, 'Warning Failed Error: ErrImagePull']);
    await e.workers.idle();

    await e.clock.advance(1_000);
    await e.until('ImagePullBackOff', () => waiting(e, 'typo')?.reason === 'ImagePullBackOff');
    expect(waiting(e, 'typo')!.message).toBe(`Back-off pulling image "nginxx": ErrImagePull: ${NOT_FOUND}`);
    expect(await status(e, 'typo')).toBe('ImagePullBackOff');
    expect((await e.events()).slice(3)).toEqual(['Normal BackOff Back-off pulling image "nginxx"', 'Warning Failed Error: ImagePullBackOff']);
    expect(e.runtime.pulls).toEqual(['nginxx']);
    await e.workers.idle();

    await e.clock.advance(8_999);
    expect(e.runtime.pulls).toHaveLength(1);
    await e.clock.advance(1);
    await e.until('pulled again', () => e.runtime.pulls.length === 2);
    await e.until('ErrImagePull again', () => waiting(e, 'typo')?.reason === 'ErrImagePull');
    await e.workers.idle();
    // The next back-off is 20 s.
    await e.clock.advance(19_999);
    expect(e.runtime.pulls).toHaveLength(2);
    expect(waiting(e, 'typo')!.reason).toBe('ImagePullBackOff');

    // The image appears: the next pull starts the container.
    e.runtime.images.set('nginxx', 10);
    await e.clock.advance(1);
    await e.until('Running', () => e.status('typo').phase === 'Running');
    expect(e.status('typo').containerStatuses![0]!.restartCount).toBe(0);
  });

  it('IfNotPresent uses the image on the node; Always pulls it every time', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('a', { containers: [{ name: 'box', image: 'busybox:1.36.1' }] });
    await e.until('a running', () => e.status('a').phase === 'Running');
    await e.createPod('b', { containers: [{ name: 'box', image: 'busybox:1.36.1' }, { name: 'web', image: 'nginx', imagePullPolicy: 'Always' }] });
    await e.until('b running', () => e.status('b').phase === 'Running');
    await e.createPod('c', { containers: [{ name: 'web', image: 'nginx' }] });
    await e.until('c running', () => e.status('c').phase === 'Running');
    const pulled = (await e.events()).filter((x) => x.includes('Pulled'));
    expect(pulled).toEqual([
      'Normal Pulled Successfully pulled image "busybox:1.36.1" in 512ms (512ms including waiting). Image size: 2000 bytes.',
      'Normal Pulled Container image "busybox:1.36.1" already present on machine',
      'Normal Pulled Successfully pulled image "nginx" in 512ms (512ms including waiting). Image size: 1000 bytes.',
      'Normal Pulled Successfully pulled image "nginx" in 0s (0s including waiting). Image size: 1000 bytes.',
    ]);
  });

  it('imagePullPolicy Never with an image the node does not have: ErrImageNeverPull', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('never', { containers: [{ name: 'web', image: 'nginxx', imagePullPolicy: 'Never' }] });
    await e.until('ErrImageNeverPull', () => waiting(e, 'never')?.reason === 'ErrImageNeverPull');
    expect(waiting(e, 'never')!.message).toBe('Container image "nginxx" is not present with pull policy of Never');
    expect(await e.events()).toEqual(['Warning ErrImageNeverPull Container image "nginxx" is not present with pull policy of Never']);
  });
});
