/**
 * redis (any tag): an in-memory RESP2 server on 6379 with the string commands small apps use
 * (enough for p4app's counter, redis-cli and client libraries' handshakes), errors worded as
 * redis words them, and redis's own start-up and shutdown log lines. No persistence: the data
 * lives as long as the container, as with the image's default config and no volume.
 */
import * as net from 'node:net';
import type { ImageDefinition } from '../types';
import { LineWriter, MONTHS, exitOnTermination, imageTag, listen, listenHost, nodeEntrypoint, pad2 } from './image-support';

const DEFAULT_VERSION = '7.4.1';
/** The patch release each floating tag points at. */
const RELEASES: Record<string, string> = {
  '6': '6.2.16', '6.0': '6.0.20', '6.2': '6.2.16', '7': '7.4.1', '7.0': '7.0.15', '7.2': '7.2.6', '7.4': '7.4.1',
};

export const redis: ImageDefinition = {
  repositories: ['docker.io/library/redis'],
  runtime: 'node',
  entrypoint: nodeEntrypoint(__filename),
  cmd: ['redis-server'],
  env: { REDIS_VERSION: DEFAULT_VERSION },
  envForTag: (tag): Record<string, string> => {
    const version = /^\d+(?:\.\d+){0,2}/.exec(tag ?? '')?.[0];
    if (!version) return {};
    return { REDIS_VERSION: RELEASES[version] ?? (version.split('.').length === 3 ? version : DEFAULT_VERSION) };
  },
  sizeBytes: 45_941_162,
};

interface Entry {
  value: Buffer;
  /** Epoch ms; undefined: no expiry. */
  expiresAt?: number;
}

type Reply = string | Buffer;

const CRLF = '\r\n';
const ok = `+OK${CRLF}`;
const nil = `$-1${CRLF}`;
const error = (text: string): Reply => `-${text}${CRLF}`;
const integer = (n: number | bigint): Reply => `:${n}${CRLF}`;
const bulk = (value: Buffer | string | undefined): Reply => {
  if (value === undefined) return nil;
  const data = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([Buffer.from(`$${data.length}${CRLF}`), data, Buffer.from(CRLF)]);
};
const array = (items: Reply[]): Reply => Buffer.concat([Buffer.from(`*${items.length}${CRLF}`), ...items.map((item) => (typeof item === 'string' ? Buffer.from(item) : item))]);

const NOT_INTEGER = 'ERR value is not an integer or out of range';
const SYNTAX = 'ERR syntax error';
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** Redis's string2ll: an exact decimal int64, no sign '+', no spaces, no leading zeros. */
function parseInteger(value: Buffer | string): bigint | undefined {
  const text = value.toString();
  if (!/^-?(0|[1-9]\d*)$/.test(text) || text === '-0') return undefined;
  const n = BigInt(text);
  return n > INT64_MAX || n < INT64_MIN ? undefined : n;
}

/** A glob (KEYS): *, ?, [abc], [^a], [a-z], \x. */
function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '[\\s\\S]*';
    else if (c === '?') source += '[\\s\\S]';
    else if (c === '\\' && i + 1 < pattern.length) source += `\\${pattern[++i]}`;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) source += '\\[';
      else {
        let set = pattern.slice(i + 1, end);
        if (set.startsWith('^')) set = `^${set.slice(1).replace(/[\\\]]/g, '\\$&')}`;
        else set = set.replace(/[\\\]^]/g, '\\$&');
        source += `[${set}]`;
        i = end;
      }
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** '23 Nov 2023 01:52:00.123'. */
function logTime(date = new Date()): string {
  return (
    `${pad2(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}.${String(date.getUTCMilliseconds()).padStart(3, '0')}`
  );
}

/** Version ordering, for the few places where redis's wording changed. */
function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

class Connection {
  db = 0;
  name = '';
  closed = false;
  constructor(readonly id: number, readonly socket: net.Socket) {}
}

/** Parses as many complete commands as `buffer` holds from `offset`; a protocol error ends the connection. */
function parseCommands(buffer: Buffer, commands: Buffer[][]): { consumed: number; protocolError?: string } {
  let offset = 0;
  for (;;) {
    if (offset >= buffer.length) return { consumed: offset };
    if (buffer[offset] === 0x2a /* '*' */) {
      const lineEnd = buffer.indexOf(CRLF, offset);
      if (lineEnd === -1) return { consumed: offset };
      const count = Number(buffer.toString('latin1', offset + 1, lineEnd));
      if (!Number.isInteger(count) || count > 1024 * 1024) return { consumed: offset, protocolError: 'ERR Protocol error: invalid multibulk length' };
      let position = lineEnd + 2;
      const args: Buffer[] = [];
      let complete = true;
      for (let i = 0; i < count; i++) {
        if (position >= buffer.length) {
          complete = false;
          break;
        }
        if (buffer[position] !== 0x24 /* '$' */) {
          return { consumed: offset, protocolError: `ERR Protocol error: expected '$', got '${String.fromCharCode(buffer[position]!)}'` };
        }
        const end = buffer.indexOf(CRLF, position);
        if (end === -1) {
          complete = false;
          break;
        }
        const length = Number(buffer.toString('latin1', position + 1, end));
        if (!Number.isInteger(length) || length < 0 || length > 512 * 1024 * 1024) return { consumed: offset, protocolError: 'ERR Protocol error: invalid bulk length' };
        if (end + 2 + length + 2 > buffer.length) {
          complete = false;
          break;
        }
        args.push(buffer.subarray(end + 2, end + 2 + length));
        position = end + 2 + length + 2;
      }
      if (!complete) return { consumed: offset };
      if (args.length > 0) commands.push(args);
      offset = position;
    } else {
      // An inline command (telnet, `printf 'PING\r\n' | nc`).
      const lineEnd = buffer.indexOf('\n', offset);
      if (lineEnd === -1) return { consumed: offset };
      const line = buffer.toString('latin1', offset, lineEnd).replace(/\r$/, '');
      const words = line.split(/[ \t]+/).filter(Boolean);
      if (words.length > 0) commands.push(words.map((word) => Buffer.from(word, 'latin1')));
      offset = lineEnd + 1;
    }
  }
}

/** The server: databases, connections, commands. */
class RedisServer {
  readonly dbs: Array<Map<string, Entry>> = Array.from({ length: 16 }, () => new Map());
  private readonly connections = new Set<Connection>();
  private nextId = 1;
  private connectionsReceived = 0;
  private commandsProcessed = 0;
  private readonly started = Date.now();

  constructor(
    readonly version: string,
    readonly port: number,
  ) {}

  accept(socket: net.Socket): void {
    const connection = new Connection(this.nextId++, socket);
    this.connections.add(connection);
    this.connectionsReceived += 1;
    let pending: Buffer = Buffer.alloc(0);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const commands: Buffer[][] = [];
      const { consumed, protocolError } = parseCommands(pending, commands);
      pending = pending.subarray(consumed);
      const replies: Reply[] = [];
      for (const args of commands) {
        if (connection.closed) break;
        replies.push(this.execute(connection, args));
      }
      if (protocolError) {
        replies.push(error(protocolError));
        connection.closed = true;
      }
      if (replies.length > 0) socket.write(replies.length === 1 ? replies[0]! : Buffer.concat(replies.map((r) => (typeof r === 'string' ? Buffer.from(r) : r))));
      if (connection.closed) socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.connections.delete(connection));
  }

  /** Ends every client connection (shutdown). */
  disconnectAll(): void {
    for (const connection of this.connections) connection.socket.destroy();
  }

  entry(connection: Connection, key: string): Entry | undefined {
    const db = this.dbs[connection.db]!;
    const entry = db.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      db.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Drops expired keys now and then, as redis's active expiry does. */
  sweep(): void {
    const now = Date.now();
    for (const db of this.dbs) {
      for (const [key, entry] of db) if (entry.expiresAt !== undefined && entry.expiresAt <= now) db.delete(key);
    }
  }

  private execute(connection: Connection, argv: Buffer[]): Reply {
    this.commandsProcessed += 1;
    const name = argv[0]!.toString('latin1').toLowerCase();
    const args = argv.slice(1);
    const command = COMMANDS[name];
    if (!command) return error(this.unknownCommand(argv[0]!.toString('latin1'), args));
    const argc = argv.length;
    if ((command.arity > 0 && argc !== command.arity) || (command.arity < 0 && argc < -command.arity)) {
      return error(`ERR wrong number of arguments for '${name}' command`);
    }
    return command.run.call(this, connection, args);
  }

  private unknownCommand(name: string, args: Buffer[]): string {
    let list = '';
    const modern = atLeast(this.version, 6, 2);
    for (const arg of args) {
      if (list.length >= 128) break;
      const text = arg.toString('latin1').slice(0, 128 - list.length);
      list += modern ? `'${text}' ` : `\`${text}\`, `;
    }
    const shown = name.slice(0, 128);
    return modern
      ? `ERR unknown command '${shown}', with args beginning with: ${list}`
      : `ERR unknown command \`${shown}\`, with args beginning with: ${list}`;
  }

  // --- commands --------------------------------------------------------------------------------

  ping(_c: Connection, args: Buffer[]): Reply {
    if (args.length > 1) return error("ERR wrong number of arguments for 'ping' command");
    return args.length === 1 ? bulk(args[0]) : `+PONG${CRLF}`;
  }

  set(c: Connection, args: Buffer[]): Reply {
    const [keyArg, value, ...options] = args as [Buffer, Buffer, ...Buffer[]];
    const key = keyArg.toString('latin1');
    let expiresAt: number | undefined;
    let condition: 'NX' | 'XX' | undefined;
    let keepTtl = false;
    let get = false;
    let expirySet = false;
    for (let i = 0; i < options.length; i++) {
      const option = options[i]!.toString('latin1').toUpperCase();
      if ((option === 'NX' || option === 'XX') && !condition) condition = option;
      else if (option === 'KEEPTTL' && !expirySet) keepTtl = true;
      else if (option === 'GET') get = true;
      else if (['EX', 'PX', 'EXAT', 'PXAT'].includes(option) && !expirySet && !keepTtl && i + 1 < options.length) {
        const amount = parseInteger(options[++i]!);
        if (amount === undefined) return error(NOT_INTEGER);
        if (amount <= 0n) return error("ERR invalid expire time in 'set' command");
        const n = Number(amount);
        expiresAt = option === 'EX' ? Date.now() + n * 1000 : option === 'PX' ? Date.now() + n : option === 'EXAT' ? n * 1000 : n;
        expirySet = true;
      } else return error(SYNTAX);
    }
    const current = this.entry(c, key);
    const old = get ? bulk(current?.value) : undefined;
    if ((condition === 'NX' && current) || (condition === 'XX' && !current)) return old ?? nil;
    this.dbs[c.db]!.set(key, { value: Buffer.from(value), expiresAt: keepTtl ? current?.expiresAt : expiresAt });
    return old ?? ok;
  }

  get(c: Connection, args: Buffer[]): Reply {
    return bulk(this.entry(c, args[0]!.toString('latin1'))?.value);
  }

  getset(c: Connection, args: Buffer[]): Reply {
    const key = args[0]!.toString('latin1');
    const old = this.entry(c, key)?.value;
    this.dbs[c.db]!.set(key, { value: Buffer.from(args[1]!) });
    return bulk(old);
  }

  mget(c: Connection, args: Buffer[]): Reply {
    return array(args.map((key) => bulk(this.entry(c, key.toString('latin1'))?.value)));
  }

  mset(c: Connection, args: Buffer[]): Reply {
    if (args.length % 2 !== 0) return error("ERR wrong number of arguments for 'mset' command");
    for (let i = 0; i < args.length; i += 2) this.dbs[c.db]!.set(args[i]!.toString('latin1'), { value: Buffer.from(args[i + 1]!) });
    return ok;
  }

  setnx(c: Connection, args: Buffer[]): Reply {
    const key = args[0]!.toString('latin1');
    if (this.entry(c, key)) return integer(0);
    this.dbs[c.db]!.set(key, { value: Buffer.from(args[1]!) });
    return integer(1);
  }

  setex(c: Connection, args: Buffer[], unit = 1000, name = 'setex'): Reply {
    const amount = parseInteger(args[1]!);
    if (amount === undefined) return error(NOT_INTEGER);
    if (amount <= 0n) return error(`ERR invalid expire time in '${name}' command`);
    this.dbs[c.db]!.set(args[0]!.toString('latin1'), { value: Buffer.from(args[2]!), expiresAt: Date.now() + Number(amount) * unit });
    return ok;
  }

  append(c: Connection, args: Buffer[]): Reply {
    const key = args[0]!.toString('latin1');
    const current = this.entry(c, key);
    const value = Buffer.concat([current?.value ?? Buffer.alloc(0), args[1]!]);
    this.dbs[c.db]!.set(key, { value, expiresAt: current?.expiresAt });
    return integer(value.length);
  }

  strlen(c: Connection, args: Buffer[]): Reply {
    return integer(this.entry(c, args[0]!.toString('latin1'))?.value.length ?? 0);
  }

  incrBy(c: Connection, key: string, by: bigint): Reply {
    const current = this.entry(c, key);
    const value = current ? parseInteger(current.value) : 0n;
    if (value === undefined) return error(NOT_INTEGER);
    const next = value + by;
    if (next > INT64_MAX || next < INT64_MIN) return error('ERR increment or decrement would overflow');
    this.dbs[c.db]!.set(key, { value: Buffer.from(next.toString()), expiresAt: current?.expiresAt });
    return integer(next);
  }

  del(c: Connection, args: Buffer[]): Reply {
    let removed = 0;
    for (const key of args) {
      const name = key.toString('latin1');
      if (this.entry(c, name) && this.dbs[c.db]!.delete(name)) removed += 1;
    }
    return integer(removed);
  }

  exists(c: Connection, args: Buffer[]): Reply {
    return integer(args.filter((key) => this.entry(c, key.toString('latin1'))).length);
  }

  keys(c: Connection, args: Buffer[]): Reply {
    const pattern = globToRegExp(args[0]!.toString('latin1'));
    const found: Reply[] = [];
    for (const key of [...this.dbs[c.db]!.keys()]) if (pattern.test(key) && this.entry(c, key)) found.push(bulk(Buffer.from(key, 'latin1')));
    return array(found);
  }

  expire(c: Connection, args: Buffer[], unit: number): Reply {
    const key = args[0]!.toString('latin1');
    const amount = parseInteger(args[1]!);
    if (amount === undefined) return error(NOT_INTEGER);
    const current = this.entry(c, key);
    const flags = args.slice(2).map((flag) => flag.toString('latin1').toUpperCase());
    const unsupported = flags.find((flag) => !['NX', 'XX', 'GT', 'LT'].includes(flag));
    if (unsupported !== undefined) return error(`ERR Unsupported option ${unsupported}`);
    if (!current) return integer(0);
    const at = Date.now() + Number(amount) * unit;
    const has = current.expiresAt !== undefined;
    if ((flags.includes('NX') && has) || (flags.includes('XX') && !has)) return integer(0);
    if (flags.includes('GT') && (!has || at <= current.expiresAt!)) return integer(0);
    if (flags.includes('LT') && has && at >= current.expiresAt!) return integer(0);
    if (amount <= 0n) this.dbs[c.db]!.delete(key);
    else current.expiresAt = at;
    return integer(1);
  }

  ttl(c: Connection, args: Buffer[], unit: number): Reply {
    const current = this.entry(c, args[0]!.toString('latin1'));
    if (!current) return integer(-2);
    if (current.expiresAt === undefined) return integer(-1);
    const left = current.expiresAt - Date.now();
    return integer(unit === 1000 ? Math.floor((left + 500) / 1000) : left);
  }

  persist(c: Connection, args: Buffer[]): Reply {
    const current = this.entry(c, args[0]!.toString('latin1'));
    if (!current || current.expiresAt === undefined) return integer(0);
    current.expiresAt = undefined;
    return integer(1);
  }

  info(_c: Connection, args: Buffer[]): Reply {
    const wanted = args.map((arg) => arg.toString('latin1').toLowerCase());
    const memory = process.memoryUsage();
    const uptime = Math.floor((Date.now() - this.started) / 1000);
    this.sweep();
    const sections: Record<string, string[]> = {
      server: [
        `redis_version:${this.version}`,
        'redis_mode:standalone',
        `os:Linux ${process.arch === 'x64' ? 'x86_64' : process.arch}`,
        'arch_bits:64',
        `process_id:${process.pid}`,
        `tcp_port:${this.port}`,
        `uptime_in_seconds:${uptime}`,
        `uptime_in_days:${Math.floor(uptime / 86400)}`,
      ],
      clients: [`connected_clients:${this.connections.size}`],
      memory: [`used_memory:${memory.heapUsed}`, `used_memory_human:${(memory.heapUsed / 1048576).toFixed(2)}M`, `used_memory_rss:${memory.rss}`],
      stats: [`total_connections_received:${this.connectionsReceived}`, `total_commands_processed:${this.commandsProcessed}`],
      keyspace: this.dbs.flatMap((db, index) => {
        if (db.size === 0) return [];
        const expires = [...db.values()].filter((entry) => entry.expiresAt !== undefined).length;
        return [`db${index}:keys=${db.size},expires=${expires},avg_ttl=0`];
      }),
    };
    const names = wanted.length === 0 || wanted.some((w) => w === 'all' || w === 'everything' || w === 'default') ? Object.keys(sections) : wanted;
    const text = names
      .filter((section) => sections[section])
      .map((section) => `# ${section[0]!.toUpperCase()}${section.slice(1)}${CRLF}${sections[section]!.map((line) => `${line}${CRLF}`).join('')}`)
      .join(CRLF);
    return bulk(text);
  }

  client(c: Connection, args: Buffer[]): Reply {
    const sub = args[0]!.toString('latin1');
    switch (sub.toLowerCase()) {
      case 'setname': {
        if (args.length !== 2) return error("ERR wrong number of arguments for 'client|setname' command");
        const name = args[1]!.toString('latin1');
        if (/[^!-~]/.test(name)) return error('ERR Client names cannot contain spaces, newlines or special characters.');
        c.name = name;
        return ok;
      }
      case 'getname':
        return c.name ? bulk(c.name) : nil;
      case 'id':
        return integer(c.id);
      case 'setinfo':
        return ok;
      case 'list':
      case 'info': {
        const lines = [...this.connections]
          .filter((other) => sub.toLowerCase() === 'list' || other === c)
          .map((other) => `id=${other.id} addr=${other.socket.remoteAddress}:${other.socket.remotePort} name=${other.name} db=${other.db}\n`);
        return bulk(lines.join(''));
      }
      default:
        return error(`ERR unknown subcommand '${sub}'. Try CLIENT HELP.`);
    }
  }

  select(c: Connection, args: Buffer[]): Reply {
    const index = parseInteger(args[0]!);
    if (index === undefined) return error(NOT_INTEGER);
    if (index < 0n || index >= BigInt(this.dbs.length)) return error('ERR DB index is out of range');
    c.db = Number(index);
    return ok;
  }

  hello(c: Connection, args: Buffer[]): Reply {
    if (args.length > 0) {
      const protocol = parseInteger(args[0]!);
      if (protocol === undefined) return error('ERR Protocol version is not an integer or out of range');
      if (protocol !== 2n) return error('NOPROTO sorry, this protocol version is not supported.');
    }
    return array([
      bulk('server'), bulk('redis'), bulk('version'), bulk(this.version), bulk('proto'), integer(2),
      bulk('id'), integer(c.id), bulk('mode'), bulk('standalone'), bulk('role'), bulk('master'), bulk('modules'), array([]),
    ]);
  }
}

const COMMANDS: Record<string, { arity: number; run: (this: RedisServer, c: Connection, args: Buffer[]) => Reply }> = {
  ping: { arity: -1, run: RedisServer.prototype.ping },
  echo: { arity: 2, run: (_c, args) => bulk(args[0]) },
  set: { arity: -3, run: RedisServer.prototype.set },
  get: { arity: 2, run: RedisServer.prototype.get },
  getset: { arity: 3, run: RedisServer.prototype.getset },
  mget: { arity: -2, run: RedisServer.prototype.mget },
  mset: { arity: -3, run: RedisServer.prototype.mset },
  setnx: { arity: 3, run: RedisServer.prototype.setnx },
  setex: { arity: 4, run(c, args) { return this.setex(c, args, 1000, 'setex'); } },
  psetex: { arity: 4, run(c, args) { return this.setex(c, args, 1, 'psetex'); } },
  append: { arity: 3, run: RedisServer.prototype.append },
  strlen: { arity: 2, run: RedisServer.prototype.strlen },
  incr: { arity: 2, run(c, args) { return this.incrBy(c, args[0]!.toString('latin1'), 1n); } },
  decr: { arity: 2, run(c, args) { return this.incrBy(c, args[0]!.toString('latin1'), -1n); } },
  incrby: {
    arity: 3,
    run(c, args) {
      const by = parseInteger(args[1]!);
      return by === undefined ? error(NOT_INTEGER) : this.incrBy(c, args[0]!.toString('latin1'), by);
    },
  },
  decrby: {
    arity: 3,
    run(c, args) {
      const by = parseInteger(args[1]!);
      return by === undefined ? error(NOT_INTEGER) : this.incrBy(c, args[0]!.toString('latin1'), -by);
    },
  },
  del: { arity: -2, run: RedisServer.prototype.del },
  unlink: { arity: -2, run: RedisServer.prototype.del },
  exists: { arity: -2, run: RedisServer.prototype.exists },
  keys: { arity: 2, run: RedisServer.prototype.keys },
  expire: { arity: -3, run(c, args) { return this.expire(c, args, 1000); } },
  pexpire: { arity: -3, run(c, args) { return this.expire(c, args, 1); } },
  ttl: { arity: 2, run(c, args) { return this.ttl(c, args, 1000); } },
  pttl: { arity: 2, run(c, args) { return this.ttl(c, args, 1); } },
  persist: { arity: 2, run: RedisServer.prototype.persist },
  type: {
    arity: 2,
    run(c, args) {
      return this.entry(c, args[0]!.toString('latin1')) ? `+string${CRLF}` : `+none${CRLF}`;
    },
  },
  dbsize: {
    arity: 1,
    run(c) {
      this.sweep();
      return integer(this.dbs[c.db]!.size);
    },
  },
  flushall: {
    arity: -1,
    run() {
      for (const db of this.dbs) db.clear();
      return ok;
    },
  },
  flushdb: {
    arity: -1,
    run(c) {
      this.dbs[c.db]!.clear();
      return ok;
    },
  },
  info: { arity: -1, run: RedisServer.prototype.info },
  command: { arity: -1, run: () => array([]) },
  quit: {
    arity: -1,
    run(c) {
      c.closed = true;
      return ok;
    },
  },
  client: { arity: -2, run: RedisServer.prototype.client },
  select: { arity: 2, run: RedisServer.prototype.select },
  hello: { arity: -1, run: RedisServer.prototype.hello },
  auth: {
    arity: -2,
    run: () =>
      error('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?'),
  },
  time: {
    arity: 1,
    run() {
      const now = Date.now();
      return array([bulk(String(Math.floor(now / 1000))), bulk(String((now % 1000) * 1000))]);
    },
  },
};

function main(): void {
  const version = imageTag('REDIS_VERSION', DEFAULT_VERSION);
  const args = process.argv.slice(2);
  const portFlag = args.indexOf('--port');
  const port = portFlag >= 0 ? Number(args[portFlag + 1]) : 6379;
  const log = new LineWriter('stdout');
  const pid = process.pid;
  const modern = atLeast(version, 7, 0);
  const line = (role: 'C' | 'M', level: '*' | '#', text: string): void => log.line(`${pid}:${role} ${logTime()} ${level} ${text}`);

  line('C', modern ? '*' : '#', 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
  line('C', modern ? '*' : '#', `Redis version=${version}, bits=64, commit=00000000, modified=0, pid=${pid}, just started`);
  if (args.filter((arg) => arg !== 'redis-server').length === 0) {
    line('C', '#', 'Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf');
  } else {
    line('C', '*', 'Configuration loaded');
  }
  if (atLeast(version, 6, 2)) line('M', '*', 'monotonic clock: POSIX clock_gettime');
  line('M', '*', `Running mode=standalone, port=${port}.`);

  const state = new RedisServer(version, port);
  const server = net.createServer((socket) => state.accept(socket));
  setInterval(() => state.sweep(), 1000).unref();
  listen(
    server,
    port,
    () => {
      line('M', atLeast(version, 7, 2) ? '*' : '#', 'Server initialized');
      line('M', '*', atLeast(version, 7, 2) ? 'Ready to accept connections tcp' : 'Ready to accept connections');
    },
    (error) => `${pid}:M ${logTime()} # Warning: Could not create server TCP listening socket ${listenHost()}:${port}: bind: ${error.code === 'EADDRINUSE' ? 'Address already in use' : error.message}\n${pid}:M ${logTime()} # Failed listening on port ${port} (tcp), aborting.`,
  );
  exitOnTermination({
    servers: [server],
    onSignal: (signal) => {
      log.line(`${pid}:signal-handler (${Math.floor(Date.now() / 1000)}) Received ${signal} scheduling shutdown...`);
      line('M', '*', 'User requested shutdown...');
      line('M', '#', 'Redis is now ready to exit, bye bye...');
      state.disconnectAll();
    },
  });
}

if (require.main === module) main();
