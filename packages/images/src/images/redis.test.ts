import { waitFor } from '@kubelab/component-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RespClient, ensureBuilt, killAll, startImage, waitForLine, type RunningImage } from '../testing/harness';

let redis: RunningImage;
let client: RespClient;

beforeAll(async () => {
  ensureBuilt();
  redis = await startImage('redis:7', { port: 6379 });
  client = await RespClient.connect(redis.ip, 6379);
}, 120_000);
afterAll(async () => {
  client?.close();
  await killAll();
});

describe('redis', () => {
  it('logs its start as redis 7 does', async () => {
    await waitForLine(redis, /Ready to accept connections/);
    const lines = redis.stdout().trim().split('\n');
    expect(lines[0]).toMatch(/^\d+:C \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} \* oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo$/);
    expect(lines[1]).toMatch(/\* Redis version=7\.4\.1, bits=64, commit=00000000, modified=0, pid=\d+, just started$/);
    expect(lines).toContainEqual(expect.stringMatching(/^\d+:M .* \* Running mode=standalone, port=6379\.$/));
    expect(lines.at(-1)).toMatch(/^\d+:M .* \* Ready to accept connections tcp$/);
  });

  it('PING, ECHO, SET / GET, INCR / INCRBY / DECR, DEL, EXISTS, KEYS, DBSIZE', async () => {
    expect(await client.command('PING')).toBe('PONG');
    expect(await client.command('ping', 'hi')).toBe('hi');
    expect(await client.command('ECHO', 'hello world')).toBe('hello world');
    expect(await client.command('SET', 'greeting', 'hello')).toBe('OK');
    expect(await client.command('GET', 'greeting')).toBe('hello');
    expect(await client.command('GET', 'missing')).toBeNull();
    expect(await client.command('INCR', 'hits')).toBe(1);
    expect(await client.command('INCR', 'hits')).toBe(2);
    expect(await client.command('INCRBY', 'hits', '10')).toBe(12);
    expect(await client.command('DECR', 'hits')).toBe(11);
    expect(await client.command('GET', 'hits')).toBe('11');
    expect(await client.command('EXISTS', 'hits', 'greeting', 'missing')).toBe(2);
    expect(((await client.command('KEYS', '*')) as string[]).sort()).toEqual(['greeting', 'hits']);
    expect(await client.command('KEYS', 'h?t*')).toEqual(['hits']);
    expect(await client.command('DBSIZE')).toBe(2);
    expect(await client.command('DEL', 'greeting', 'missing')).toBe(1);
    expect(await client.command('DBSIZE')).toBe(1);
  });

  it('SET with EX / PX / NX / XX, EXPIRE and TTL', async () => {
    expect(await client.command('SET', 'lock', 'a', 'NX')).toBe('OK');
    expect(await client.command('SET', 'lock', 'b', 'NX')).toBeNull();
    expect(await client.command('SET', 'absent', 'b', 'XX')).toBeNull();
    expect(await client.command('SET', 'lock', 'c', 'XX', 'EX', '100')).toBe('OK');
    expect(await client.command('TTL', 'lock')).toBe(100);
    expect(await client.command('TTL', 'hits')).toBe(-1);
    expect(await client.command('TTL', 'absent')).toBe(-2);
    expect(await client.command('EXPIRE', 'hits', '50')).toBe(1);
    expect(await client.command('TTL', 'hits')).toBe(50);
    expect(await client.command('EXPIRE', 'absent', '50')).toBe(0);
    expect(await client.command('SET', 'short', 'x', 'PX', '50')).toBe('OK');
    await waitFor(async () => (await client.command('GET', 'short')) === null, { timeoutMs: 3000, intervalMs: 20, what: 'the key to expire' });
    expect(await client.command('EXISTS', 'short')).toBe(0);
  });

  it('words its errors as redis does', async () => {
    expect(await client.command('FOO')).toEqual({ error: "ERR unknown command 'FOO', with args beginning with: " });
    expect(await client.command('foo', 'a', 'b')).toEqual({ error: "ERR unknown command 'foo', with args beginning with: 'a' 'b' " });
    expect(await client.command('GET')).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    expect(await client.command('SET', 'text', 'abc')).toBe('OK');
    expect(await client.command('INCR', 'text')).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(await client.command('INCRBY', 'n', 'x')).toEqual({ error: 'ERR value is not an integer or out of range' });
    expect(await client.command('SET', 'k', 'v', 'EX', '0')).toEqual({ error: "ERR invalid expire time in 'set' command" });
    expect(await client.command('SET', 'k', 'v', 'BOGUS')).toEqual({ error: 'ERR syntax error' });
    expect(await client.command('SELECT', '99')).toEqual({ error: 'ERR DB index is out of range' });
    expect(await client.command('SET', 'max', '9223372036854775807')).toBe('OK');
    expect(await client.command('INCR', 'max')).toEqual({ error: 'ERR increment or decrement would overflow' });
  });

  it('COMMAND, INFO, CLIENT SETNAME, SELECT 0, inline commands and pipelines, QUIT', async () => {
    expect(await client.command('COMMAND', 'DOCS')).toEqual([]);
    const info = (await client.command('INFO')) as string;
    expect(info).toMatch(/^# Server\r\nredis_version:7\.4\.1\r\n/);
    expect(info).toContain('redis_mode:standalone\r\n');
    expect(info).toMatch(/connected_clients:\d+/);
    expect(info).toMatch(/# Keyspace\r\ndb0:keys=\d+,expires=\d+,avg_ttl=0\r\n/);
    expect(await client.command('CLIENT', 'SETNAME', 'p4app')).toBe('OK');
    expect(await client.command('CLIENT', 'GETNAME')).toBe('p4app');
    expect(await client.command('SELECT', '0')).toBe('OK');
    client.write('PING\r\nECHO inline\r\n');
    expect(await client.reply()).toBe('PONG');
    expect(await client.reply()).toBe('inline');

    const other = await RespClient.connect(redis.ip, 6379);
    other.write('*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$4\r\nhits\r\n*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n');
    expect(await other.reply()).toBe('PONG');
    expect(await other.reply()).toBe('11');
    expect(await other.reply()).toBe('OK');
    await other.ended; // QUIT: the server closes the connection, the last PING is not answered
    expect(other.unread()).toBe(0);
  });

  it('exits 0 promptly on SIGTERM, with redis\'s shutdown lines, even with clients connected', async () => {
    const stopped = await redis.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(1000);
    expect(redis.stdout()).toMatch(/^\d+:signal-handler \(\d+\) Received SIGTERM scheduling shutdown\.\.\.$/m);
    expect(redis.stdout()).toMatch(/# Redis is now ready to exit, bye bye\.\.\.\n$/);
  });
});

describe('redis 6.0', () => {
  it('speaks as 6.0 did', async () => {
    const old = await startImage('redis:6.0', { port: 6379 });
    const client6 = await RespClient.connect(old.ip, 6379);
    expect(await client6.command('foo', 'a')).toEqual({ error: 'ERR unknown command `foo`, with args beginning with: `a`, ' });
    client6.close();
    await old.stop();
    expect(old.stdout()).toMatch(/# Redis version=6\.0\.20, /);
    expect(old.stdout()).toMatch(/\* Ready to accept connections\n/);
  });
});
