import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, isAlreadyExists, isConflict, isNotFound } from '@kubelab/apimachinery';
import { waitFor } from '@kubelab/component-base';
import { startKubelabApiserver, startKubelabComponent, startKubelabStore, type ApiserverProcess, type ServerProcess } from '@kubelab/testkit';
import { ApiserverUnavailableError, isApiserverUnavailable } from './errors';
import { Informer } from './informer';
import { ObjectsClient } from './objects-client';
import { Resources, type KubeObject } from './types';

/** ObjectsClient on its own wire (GrpcChannel) against the real apiserver and store processes. */
describe('ObjectsClient against the real apiserver', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const configMap = (name: string, data: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error as Error,
    );

  const lab = async (apiserverOptions: { port?: number; grpcPort?: number } = {}) => {
    const store = await startKubelabStore();
    cleanups.push(() => store.stop('SIGKILL'));
    let apiserver = await startKubelabApiserver(store.endpoint, apiserverOptions);
    cleanups.push(() => apiserver.stop('SIGKILL'));
    return {
      store,
      apiserver: () => apiserver,
      /** The apiserver again on the same ports. */
      restart: async () => {
        apiserver = await startKubelabApiserver(store.endpoint, { port: Number(new URL(apiserver.url).port), grpcPort: apiserver.grpcPort });
        return apiserver;
      },
    };
  };
  const clientOf = (apiserver: Pick<ApiserverProcess, 'grpcEndpoint'>, options: ConstructorParameters<typeof ObjectsClient>[1] = {}) => {
    const client = new ObjectsClient(apiserver.grpcEndpoint, options);
    cleanups.push(() => client.close());
    return client;
  };
  /** Ports below Linux's ephemeral range (32768+), so no outgoing connection takes them while the apiserver is down. */
  const fixedPorts = () => {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    return { port, grpcPort: port + 1 };
  };

  it("answers errors as the REST API's ApiError: NotFound, AlreadyExists, Conflict", async () => {
    const { apiserver } = await lab();
    const client = clientOf(apiserver());
    const missing = await failure(client.get(Resources.configmaps, 'default', 'nope'));
    expect(missing).toBeInstanceOf(ApiError);
    expect(isNotFound(missing)).toBe(true);
    expect((missing as ApiError).status).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound', message: 'configmaps "nope" not found', details: { name: 'nope', kind: 'configmaps' } });
    const rest = (await (await fetch(`${apiserver().url}/api/v1/namespaces/default/configmaps/nope`)).json()) as unknown;
    expect((missing as ApiError).status).toEqual(rest);

    const created = await client.create(Resources.configmaps, configMap('c', { a: '1' }));
    const again = await failure(client.create(Resources.configmaps, configMap('c')));
    expect(isAlreadyExists(again)).toBe(true);
    expect(again.message).toBe('configmaps "c" already exists');

    await client.update(Resources.configmaps, { ...created, data: { a: '2' } });
    const stale = await failure(client.update(Resources.configmaps, { ...created, data: { a: '3' } }));
    expect(isConflict(stale)).toBe(true);
    expect((stale as ApiError).code).toBe(409);
    expect(stale.message).toMatch(/^Operation cannot be fulfilled on configmaps "c": the object has been modified/);
  });

  it('fails at once while the apiserver is down (killed or stopped), and uses it again as soon as it is back', async () => {
    const { apiserver, restart } = await lab(fixedPorts());
    const client = clientOf(apiserver());
    await client.create(Resources.configmaps, configMap('kept'));

    for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
      await apiserver().stop(signal);
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        const down = await failure(client.get(Resources.configmaps, 'default', 'kept'));
        expect(down).toBeInstanceOf(ApiserverUnavailableError);
        expect(isApiserverUnavailable(down)).toBe(true);
        expect(down.message).toMatch(new RegExp(`^the object API at ${apiserver().grpcEndpoint} is unavailable: `));
        expect((down as ApiserverUnavailableError).grpcCode).toBe(14);
        expect(Date.now() - started).toBeLessThan(1_000);
      }
      await restart();
      // No back-off to wait out: the first call after the restart gets through.
      expect((await client.get(Resources.configmaps, 'default', 'kept')).metadata.name).toBe('kept');
    }
  });

  it('ends a watch with ApiserverUnavailableError when the apiserver dies, after every event it sent', async () => {
    const { apiserver } = await lab();
    const client = clientOf(apiserver());
    const start = await client.list(Resources.configmaps, { namespace: 'default' });
    const watch = client.watch(Resources.configmaps, { namespace: 'default', resourceVersion: start.resourceVersion });
    const seen: string[] = [];
    const ended = (async () => {
      for await (const event of watch) seen.push(`${event.type} ${String(event.object.metadata?.name)}`);
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    await client.create(Resources.configmaps, configMap('a'));
    await waitFor(() => seen.length === 1, { what: 'the ADDED event' });
    const killed = Date.now();
    await apiserver().stop('SIGKILL');
    const error = await ended;
    expect(error).toBeInstanceOf(ApiserverUnavailableError);
    expect(Date.now() - killed).toBeLessThan(2_000);
    expect(seen).toEqual(['ADDED a']);
  });

  it('ends a watch on a frozen apiserver once a keepalive ping goes unanswered', async () => {
    const { apiserver } = await lab();
    const client = clientOf(apiserver(), { keepalive: { timeMs: 300, timeoutMs: 500 } });
    const watch = client.watch(Resources.configmaps, { namespace: 'default' });
    const ended = (async () => {
      for await (const _ of watch) {
        /* nothing comes */
      }
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    // A call after the watch on the same connection: once it is answered, the apiserver has the watch too.
    await client.list(Resources.configmaps, { namespace: 'default' });
    apiserver().child.kill('SIGSTOP');
    cleanups.push(() => apiserver().child.kill('SIGCONT'));
    const frozen = Date.now();
    const error = await ended;
    expect(error).toBeInstanceOf(ApiserverUnavailableError);
    expect((error as Error).message).toMatch(/keepalive ping not answered/);
    expect(Date.now() - frozen).toBeLessThan(5_000);
  });

  it('an informer relists or resumes after its watch broke with the apiserver', async () => {
    const { apiserver, restart } = await lab(fixedPorts());
    const client = clientOf(apiserver());
    const informer = new Informer({ client, resource: Resources.configmaps, namespace: 'default', backoff: { initialMs: 50, maxMs: 200 } });
    cleanups.push(() => informer.stop());
    informer.start();
    await informer.waitForSync(10_000);
    await apiserver().stop('SIGKILL');
    const writer = await restart();
    expect(writer.grpcEndpoint).toBe(apiserver().grpcEndpoint);
    await client.create(Resources.configmaps, configMap('after'));
    await waitFor(() => informer.indexer.get('default', 'after'), { timeoutMs: 10_000, what: 'the informer to see a write made after the restart' });
    expect(informer.stats().watches).toBeGreaterThanOrEqual(2);
  });

  it('a call that gets no answer in time fails as ApiserverUnavailableError (DEADLINE_EXCEEDED), an aborted one as CANCELLED', async () => {
    const { apiserver } = await lab();
    const client = clientOf(apiserver());
    await client.create(Resources.configmaps, configMap('c'));
    apiserver().child.kill('SIGSTOP');
    cleanups.push(() => apiserver().child.kill('SIGCONT'));

    let started = Date.now();
    const late = await failure(client.get(Resources.configmaps, 'default', 'c', { timeoutMs: 300 }));
    expect(late).toBeInstanceOf(ApiserverUnavailableError);
    expect((late as ApiserverUnavailableError).grpcCode).toBe(4);
    expect(late.message).toMatch(/did not answer in time: Deadline exceeded$/);
    expect(Date.now() - started).toBeLessThan(2_000);

    const controller = new AbortController();
    const call = failure(client.get(Resources.configmaps, 'default', 'c', { signal: controller.signal }));
    started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const aborted = await call;
    expect(aborted).toBeInstanceOf(ApiserverUnavailableError);
    expect((aborted as ApiserverUnavailableError).grpcCode).toBe(1);
    expect(aborted.message).toMatch(/was cancelled/);
    expect(Date.now() - started).toBeLessThan(2_000);

    const before = await failure(client.get(Resources.configmaps, 'default', 'c', { signal: AbortSignal.abort() }));
    expect((before as ApiserverUnavailableError).grpcCode).toBe(1);

    // Thawed, the same connection answers again.
    apiserver().child.kill('SIGCONT');
    expect((await client.get(Resources.configmaps, 'default', 'c')).metadata.name).toBe('c');
  });

  it('keeps a process alive while a call is under way, and not once the connection is idle', async () => {
    const { apiserver } = await lab();
    const script = `
      const { ObjectsClient, Resources } = require(${JSON.stringify(path.resolve(__dirname, '../dist/index.js'))});
      const client = new ObjectsClient(process.argv[1]);
      client.list(Resources.namespaces).then((list) => console.log('listed', list.items.length > 0), (e) => console.log('failed', e.message));
    `;
    const child = spawn(process.execPath, ['-e', script, apiserver().grpcEndpoint], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', (exitCode) => {
        clearTimeout(kill);
        resolve(exitCode);
      });
    });
    expect(output.trim()).toBe('listed true');
    expect(code).toBe(0);
  });

  it('a component exits cleanly on SIGTERM', async () => {
    const { apiserver } = await lab();
    const scheduler: ServerProcess = await startKubelabComponent('scheduler', apiserver());
    // Once it leads and its informers' watches are open (a stop while the Lease is being taken is another matter).
    await waitFor(() => scheduler.log().includes('caches synced'), { what: 'the scheduler to lead' });
    const started = Date.now();
    await scheduler.stop('SIGTERM');
    expect(scheduler.child.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
