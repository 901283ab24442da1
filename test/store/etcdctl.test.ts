import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { etcdctl, type CommandResult, startEtcd, startKubelabStore, type ServerProcess } from '@kubelab/testkit';

/**
 * Conformance with the real etcdctl, as a differential test: every step runs against the real
 * etcd 3.4 and against the kubelab store, and what etcdctl prints must be the same once the
 * values that differ between any two etcd clusters (IDs, sizes, timings, ports) are masked.
 * Each step also checks what the output says, so a fault common to both cannot pass unseen.
 */

let etcd: ServerProcess;
let store: ServerProcess;

beforeAll(async () => {
  [etcd, store] = await Promise.all([startEtcd(), startKubelabStore()]);
});

afterAll(async () => {
  await Promise.all([etcd?.stop(), store?.stop()]);
});

/** Masks what legitimately differs between two clusters. */
function normalize(text: string, server: ServerProcess): string {
  return text
    .split(server.endpoint)
    .join('<ENDPOINT>')
    .replace(/^\{"level":"warn".*$/gm, '<CLIENT RETRY LOG>')
    .replace(/"(ClusterID|MemberID)" : \d+/g, '"$1" : <ID>')
    .replace(/"(cluster_id|member_id|ID|leader|memberID)":\s*\d+/g, '"$1":<ID>')
    .replace(/"(dbSize|dbSizeInUse|raftIndex|raftAppliedIndex|raft_term|raftTerm)":\s*\d+/g, '"$1":<N>')
    .replace(/\b3\.4\.\d+\b/g, '3.4.x')
    // endpoint status as a table: db size, is leader, is learner, raft term, raft index, applied index
    .replace(/, [\d.]+ [kMG]?B, (true|false), (true|false), \d+, \d+, \d+, /g, ', <SIZE>, $1, $2, <N>, <N>, <N>, ')
    .replace(/"(peerURLs)":\[[^\]]*\]/g, '"$1":[<URLS>]')
    .replace(/\b[0-9a-f]{16}\b/g, '<HEX ID>')
    // member IDs print as %x, without leading zeros
    .replace(/^(<ENDPOINT>, )[0-9a-f]+,/gm, '$1<HEX ID>,')
    .replace(/^[0-9a-f]+(, started,)/gm, '<HEX ID>$1')
    .replace(/took = [\d.]+[µnm]?s/g, 'took = <T>')
    .replace(/remaining\(\d+s\)/g, 'remaining(<N>s)');
}

/** Runs one etcdctl command on both servers; returns kubelab's result after checking it matches etcd's. */
function both(args: string[], input?: string): CommandResult {
  const reference = etcdctl(etcd.endpoint, args, input);
  const ours = etcdctl(store.endpoint, args, input);
  const view = (r: CommandResult, s: ServerProcess) => ({ status: r.status, stdout: normalize(r.stdout, s), stderr: normalize(r.stderr, s) });
  expect(view(ours, store), `etcdctl ${args.join(' ')}`).toEqual(view(reference, etcd));
  return ours;
}

describe('etcdctl against the kubelab store and real etcd 3.4', () => {
  it('compaction 0 on a fresh store compacts nothing and succeeds once', () => {
    expect(both(['compaction', '0']).stdout).toBe('compacted revision 0\n');
    expect(both(['compaction', '0']).stderr).toContain('etcdserver: mvcc: required revision has been compacted');
  });

  it('put and get: values, revisions, versions', () => {
    expect(both(['put', 'foo', 'bar']).stdout).toBe('OK\n');
    expect(both(['put', 'foo', 'baz', '--prev-kv']).stdout).toBe('OK\nfoo\nbar\n');
    expect(both(['get', 'foo']).stdout).toBe('foo\nbaz\n');
    const json = JSON.parse(both(['get', 'foo', '-w', 'json']).stdout) as { kvs: Array<Record<string, number>> };
    expect(json.kvs[0]).toMatchObject({ create_revision: 2, mod_revision: 3, version: 2 });
    expect(both(['get', 'foo', '--rev=2']).stdout).toBe('foo\nbar\n');
    // Read at revision 2, answered with the current revision in the header.
    const past = JSON.parse(both(['get', 'foo', '--rev=2', '-w', 'json']).stdout) as { header: { revision: number }; kvs: Array<Record<string, number>> };
    expect(past.header.revision).toBe(3);
    expect(past.kvs[0]).toMatchObject({ mod_revision: 2 });
    expect(both(['get', 'nothing']).stdout).toBe('');
  });

  it('get with --prefix, ranges, --from-key, --keys-only, --limit, --count-only and sorting', () => {
    for (const [k, v] of [['foo1', 'a'], ['foo2', 'b'], ['fop', 'c'], ['zoo', 'd']]) both(['put', k!, v!]);
    expect(both(['get', 'foo', '--prefix']).stdout).toBe('foo\nbaz\nfoo1\na\nfoo2\nb\n');
    expect(both(['get', 'foo', '--prefix', '--keys-only']).stdout).toBe('foo\n\nfoo1\n\nfoo2\n\n');
    expect(both(['get', 'foo1', 'fop']).stdout).toBe('foo1\na\nfoo2\nb\n');
    expect(both(['get', '--from-key', 'fop']).stdout).toBe('fop\nc\nzoo\nd\n');
    const limited = JSON.parse(both(['get', 'foo', '--prefix', '--limit', '1', '-w', 'json']).stdout) as { more: boolean; count: number };
    expect(limited).toMatchObject({ more: true, count: 3 });
    expect(both(['get', 'f', '--prefix', '--sort-by=MODIFY', '--order=DESCEND', '--keys-only']).stdout).toBe('fop\n\nfoo2\n\nfoo1\n\nfoo\n\n');
    both(['get', 'f', '--prefix', '--sort-by=VALUE', '--order=ASCEND']);
    both(['get', 'f', '--prefix', '--sort-by=CREATE', '--order=DESCEND', '--limit', '2']);
    both(['get', 'foo', '--prefix', '-w', 'fields']);
    // A sort target with no order and a limit: etcd takes the first limit + 1 keys in key order, then sorts and cuts.
    for (const key of ['sm/d', 'sm/c', 'sm/b', 'sm/a']) both(['put', key, 'v']);
    expect(both(['get', 'sm/', '--prefix', '--sort-by=MODIFY', '--limit=2', '--keys-only']).stdout).toBe('sm/c\n\nsm/b\n\n');
    const more = JSON.parse(both(['get', 'sm/', '--prefix', '--sort-by=VERSION', '--limit=3', '-w', 'json']).stdout) as { more: boolean; count: number };
    expect(more).toMatchObject({ more: true, count: 4 });
    both(['get', '', '--prefix', '--sort-by=MODIFY', '--limit=2']);
    expect(both(['del', 'sm/', '--prefix']).stdout).toBe('4\n');
  });

  it('del: single key, prefix, --prev-kv, missing key', () => {
    expect(both(['del', 'foo1']).stdout).toBe('1\n');
    expect(both(['del', 'foo', '--prefix', '--prev-kv']).stdout).toBe('2\nfoo\nbaz\nfoo2\nb\n');
    expect(both(['del', 'nothing']).stdout).toBe('0\n');
    expect(both(['get', 'foo', '--prefix']).stdout).toBe('');
  });

  it('txn -i: compares on value, version, create and mod revision, both branches, reads in a branch', () => {
    const success = both(['txn', '-w', 'json'], 'value("zoo") = "d"\nversion("zoo") = "1"\n\nput zoo e\nget zoo\n\nput failed yes\n\n');
    expect(JSON.parse(success.stdout)).toMatchObject({ succeeded: true });
    expect(both(['txn'], 'mod("zoo") < "3"\n\nput never x\n\nget zoo\n\n').stdout).toBe('FAILURE\n\nzoo\ne\n');
    expect(both(['txn'], 'create("fop") > "0"\n\ndel fop\n\n\n').stdout).toBe('SUCCESS\n\n1\n');
    expect(both(['txn'], 'value("absent") = ""\n\nput x 1\n\nput y 2\n\n').stdout).toBe('FAILURE\n\nOK\n');
    expect(both(['get', 'failed']).stdout).toBe('');
  });

  it('txn -i: a --from-key delete and a put after its key in one txn (etcd 3.4 sees no overlap)', () => {
    expect(both(['txn'], '\ndel zz --from-key\nput zzz 1\n\n\n').stdout).toBe('SUCCESS\n\n0\n\nOK\n');
    expect(both(['get', 'zzz']).stdout).toBe('zzz\n1\n');
    expect(both(['del', 'zzz']).stdout).toBe('1\n');
  });

  it('watch with --rev replays history, with --prev-kv shows the previous value', async () => {
    const watch = (server: ServerProcess) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn('etcdctl', [`--endpoints=${server.endpoint}`, 'watch', 'zoo', '--rev=1', '--prev-kv'], { env: { ...process.env, ETCDCTL_API: '3' } });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        waitFor(() => out.split('\n').filter((line) => line === 'PUT').length >= 2, { timeoutMs: 10_000, what: 'two PUT events' }).then(
          () => {
            child.kill();
            resolve(out);
          },
          (error: Error) => {
            child.kill();
            reject(error);
          },
        );
      });
    const [reference, ours] = await Promise.all([watch(etcd), watch(store)]);
    expect(ours).toBe(reference);
    expect(ours).toBe('PUT\nzoo\nd\nPUT\nzoo\nd\nzoo\ne\n');
  });

  it('watch sees live puts and deletes on a prefix', async () => {
    const follow = async (server: ServerProcess) => {
      // Start at the next revision: the watch then sees the writes below whenever it is established.
      const { header } = JSON.parse(etcdctl(server.endpoint, ['get', 'live/', '-w', 'json']).stdout) as { header: { revision: number } };
      const child = spawn('etcdctl', [`--endpoints=${server.endpoint}`, 'watch', 'live/', '--prefix', `--rev=${header.revision + 1}`], {
        env: { ...process.env, ETCDCTL_API: '3' },
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      etcdctl(server.endpoint, ['put', 'live/a', '1']);
      etcdctl(server.endpoint, ['del', 'live/a']);
      await waitFor(() => out.includes('DELETE\nlive/a\n'), { timeoutMs: 10_000, what: 'the delete event' });
      child.kill();
      return out;
    };
    const reference = await follow(etcd);
    const ours = await follow(store);
    expect(ours).toBe(reference);
    expect(ours).toBe('PUT\nlive/a\n1\nDELETE\nlive/a\n\n');
  });

  it('leases: grant, attach, timetolive with keys, keep-alive, list, revoke deletes the keys', () => {
    const granted = (server: ServerProcess) => {
      const out = etcdctl(server.endpoint, ['lease', 'grant', '60']).stdout;
      expect(out).toMatch(/^lease [0-9a-f]{16} granted with TTL\(60s\)\n$/);
      return out.split(' ')[1]!;
    };
    const ids = { etcd: granted(etcd), kubelab: granted(store) };
    const each = (args: (id: string) => string[]) => {
      const reference = etcdctl(etcd.endpoint, args(ids.etcd));
      const ours = etcdctl(store.endpoint, args(ids.kubelab));
      expect(normalize(ours.stdout, store)).toBe(normalize(reference.stdout, etcd));
      expect(ours.status).toBe(reference.status);
      return ours.stdout;
    };
    expect(each((id) => ['put', 'leased', 'v', `--lease=${id}`])).toBe('OK\n');
    expect(each((id) => ['lease', 'timetolive', id, '--keys'])).toMatch(/granted with TTL\(60s\), remaining\(\d+s\), attached keys\(\[leased\]\)/);
    expect(each((id) => ['lease', 'keep-alive', '--once', id])).toMatch(/keepalived with TTL\(60\)/);
    expect(each(() => ['lease', 'list'])).toMatch(/^found 1 leases\n[0-9a-f]{16}\n$/);
    expect(each((id) => ['lease', 'revoke', id])).toMatch(/revoked/);
    expect(both(['get', 'leased']).stdout).toBe('');
    expect(each((id) => ['lease', 'timetolive', id])).toMatch(/already expired/);
    expect(both(['lease', 'grant', '1']).stdout).toMatch(/granted with TTL\(2s\)/);
  });

  it('compaction: reads below it fail, compacting twice or into the future fails', () => {
    const rev = (JSON.parse(both(['get', 'zoo', '-w', 'json']).stdout) as { header: { revision: number } }).header.revision;
    expect(both(['compaction', String(rev - 2)]).stdout).toBe(`compacted revision ${rev - 2}\n`);
    expect(both(['get', 'zoo', `--rev=${rev - 3}`]).stderr).toContain('etcdserver: mvcc: required revision has been compacted');
    expect(both(['get', 'zoo', `--rev=${rev - 2}`]).status).toBe(0);
    expect(both(['compaction', String(rev - 3)]).stderr).toContain('required revision has been compacted');
    expect(both(['compaction', String(rev + 100)]).stderr).toContain('required revision is a future revision');
    expect(both(['watch', 'zoo', `--rev=${rev - 3}`]).stderr).toContain('watch was canceled (etcdserver: mvcc: required revision has been compacted)');
    expect(both(['compaction', '--physical', String(rev)]).stdout).toBe(`compacted revision ${rev}\n`);
  });

  it('endpoint status, endpoint health and member list', () => {
    expect(both(['endpoint', 'status', '-w', 'json']).stdout).toContain('"version":"3.4.');
    both(['endpoint', 'status']);
    expect(both(['endpoint', 'health']).stderr).toMatch(/is healthy: successfully committed proposal/);
    both(['member', 'list', '-w', 'json']);
    expect(etcdctl(store.endpoint, ['member', 'list']).stdout).toMatch(/^[0-9a-f]{1,16}, started, default, http:\/\/localhost:2380, http:\/\/127\.0\.0\.1:\d+, false\n$/);
    expect(both(['alarm', 'list']).stdout).toBe('');
    expect(both(['defrag']).stdout).toMatch(/Finished defragmenting etcd member/);
  });

  it('/metrics counts the backend\'s commits on both, as etcd_disk_backend_commit_duration_seconds', async () => {
    both(['put', 'metrics-probe', 'x']);
    for (const server of [etcd, store]) {
      const text = await (await fetch(server.metricsUrl!)).text();
      const count = Number(/^etcd_disk_backend_commit_duration_seconds_count (\d+)$/m.exec(text)?.[1] ?? 0);
      expect(count, `${server.kind} commits`).toBeGreaterThan(0);
    }
  });

  it('bad requests get etcd\'s status and message, and change nothing', () => {
    const before = both(['get', '', '--from-key', '-w', 'json']).stdout;
    expect(both(['get', '']).stderr).toContain('etcdserver: key is not provided');
    expect(both(['put', 'k', 'v', '--lease=1234']).stderr).toContain('etcdserver: requested lease not found');
    expect(both(['lease', 'revoke', '1234']).stderr).toContain('requested lease not found');
    expect(both(['get', 'zoo', '--rev=100000']).stderr).toContain('etcdserver: mvcc: required revision is a future revision');
    expect(both(['put', 'k', '--ignore-value']).stderr).toContain('etcdserver: key not found');
    // The value comes on stdin: one command-line argument may not exceed 128 KiB on Linux.
    expect(both(['put', 'big'], 'x'.repeat(1.6 * 1024 * 1024)).stderr).toContain('etcdserver: request is too large');
    const tooMany = Array.from({ length: 129 }, (_, i) => `put many${i} v`).join('\n');
    expect(both(['txn'], `\n${tooMany}\n\n\n`).stderr).toContain('etcdserver: too many operations in txn request');
    expect(both(['txn'], '\nput dup 1\nput dup 2\n\n\n').stderr).toContain('etcdserver: duplicate key given in txn request');
    expect(both(['get', '', '--from-key', '-w', 'json']).stdout).toBe(before);
  });
});
