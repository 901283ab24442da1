import * as fs from 'node:fs';
import { startKubelabStore, tempDir, type ServerProcess } from '@kubelab/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { EtcdClient } from './etcd-client';
import { Code, GrpcChannel } from '@kubelab/proto';

/** The apiserver's etcd connection against a real kubelab store process. */
describe('GrpcChannel and EtcdClient on a real store', () => {
  const started: Array<{ stop(signal?: NodeJS.Signals): Promise<void> }> = [];
  const clients: EtcdClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const s of started.splice(0)) await s.stop('SIGKILL').catch(() => {});
  });

  const store = async (options: { dataDir?: string; port?: number } = {}): Promise<ServerProcess> => {
    const s = await startKubelabStore(options);
    started.push(s);
    return s;
  };
  const client = (endpoint: string) => {
    const c = new EtcdClient([`http://${endpoint}`]);
    clients.push(c);
    return c;
  };

  it("creates, reads, updates and deletes, with the store's revisions", async () => {
    const s = await store();
    const etcd = client(s.endpoint);
    const created = await etcd.create('/registry/t/a', Buffer.from('one'));
    expect(created.succeeded).toBe(true);
    expect((await etcd.create('/registry/t/a', Buffer.from('again'))).succeeded).toBe(false);
    const { kv } = await etcd.get('/registry/t/a');
    expect(kv?.value.toString()).toBe('one');
    expect(Number(kv?.mod_revision)).toBe(created.revision);
    const stale = await etcd.update('/registry/t/a', Buffer.from('two'), created.revision - 1);
    expect(stale.succeeded).toBe(false);
    expect(stale.current?.value.toString()).toBe('one');
    const updated = await etcd.update('/registry/t/a', Buffer.from('two'), created.revision);
    expect(updated.succeeded).toBe(true);
    const list = await etcd.list('/registry/t/');
    expect(list.kvs.map((k) => k.value.toString())).toEqual(['two']);
    expect((await etcd.delete('/registry/t/a', updated.revision)).succeeded).toBe(true);
    expect((await etcd.get('/registry/t/a')).kv).toBeUndefined();
  });

  it("reports the store's refusal as kube-apiserver's etcd client words it, with its gRPC code", async () => {
    const s = await store();
    const etcd = client(s.endpoint);
    await expect(etcd.list('/registry/t/', { revision: 1_000_000 })).rejects.toMatchObject({ name: 'StoreError', code: Code.OUT_OF_RANGE, message: 'etcdserver: mvcc: required revision is a future revision' });
  });

  it('watches a prefix from a revision: events in order, with the previous value', async () => {
    const s = await store();
    const etcd = client(s.endpoint);
    const first = await etcd.create('/registry/w/a', Buffer.from('1'));
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      const watch = etcd.watch('/registry/w/', first.revision, (message) => {
        if (!('events' in message)) return;
        for (const e of message.events) seen.push(`${e.type} ${e.kv.key.toString()} ${e.kv.value.toString()} prev=${e.prev_kv?.value.toString() ?? ''}`);
        if (seen.length === 3) {
          watch.cancel();
          resolve();
        }
      });
    });
    const second = await etcd.update('/registry/w/a', Buffer.from('2'), first.revision);
    await etcd.delete('/registry/w/a', second.revision);
    await done;
    expect(seen).toEqual(['PUT /registry/w/a 1 prev=', 'PUT /registry/w/a 2 prev=1', 'DELETE /registry/w/a  prev=2']);
  });

  it('fails calls while the store is down, and uses it again as soon as it is back', async () => {
    // A data folder of the test's own: the testkit removes the folders it made when their store stops.
    const dataDir = tempDir('store-restart');
    // A port below Linux's ephemeral range (32768+): while the store is down, no other test's
    // outgoing connection can take it, so the restart gets it back.
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const s = await store({ dataDir, port });
    const etcd = client(s.endpoint);
    await etcd.create('/registry/r/a', Buffer.from('kept'));
    const lost = new Promise<Error>((resolve) => etcd.watch('/registry/r/', 0, (m) => 'error' in m && resolve(m.error)));
    await s.stop('SIGKILL');
    await expect(lost).resolves.toMatchObject({ message: expect.stringMatching(/^14 UNAVAILABLE: /) });
    await expect(etcd.get('/registry/r/a')).rejects.toThrow(/^rpc error: code = Unavailable desc = /);
    await store({ dataDir, port });
    expect((await etcd.get('/registry/r/a')).kv?.value.toString()).toBe('kept');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives up on a call after its deadline when the store does not answer', async () => {
    const s = await store();
    const channel = new GrpcChannel(s.endpoint);
    s.child.kill('SIGSTOP');
    try {
      await expect(channel.unary('/etcdserverpb.KV/Range', Buffer.alloc(0), 300)).rejects.toThrow(/^4 DEADLINE_EXCEEDED: /);
    } finally {
      s.child.kill('SIGCONT');
      channel.close();
    }
  });
});
