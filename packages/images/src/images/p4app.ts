/**
 * kurokobo/p4app:0.0.1: the small Flask app of the "Piper for Partner" container labs. Port 8080,
 * one page with a visit counter kept in redis (host `redis`, port 6379, found through cluster DNS:
 * the Service's name) and the name of the pod that served it, so scaling and load balancing can be
 * seen from a browser. Settings from the environment as the real image reads them: APP_PORT,
 * DB_HOST, DB_PORT, MESSAGE (REDIS_HOST / REDIS_PORT also work).
 */
import * as http from 'node:http';
import * as os from 'node:os';
import type { ImageDefinition } from '../types';
import { LineWriter, MONTHS, connectTcp, exitOnTermination, listen, listenHost, nodeEntrypoint, pad2 } from './image-support';

export const p4app: ImageDefinition = {
  repositories: ['docker.io/kurokobo/p4app'],
  tags: ['0.0.1'],
  runtime: 'node',
  entrypoint: nodeEntrypoint(__filename),
  cmd: [],
  env: { PYTHON_VERSION: '3.8.6', LANG: 'C.UTF-8' },
  sizeBytes: 331_218_504,
};

/** The key the counter lives under. */
export const COUNTER_KEY = 'p4app:counter';
const DEFAULT_MESSAGE = "Here I'm having fun with Containers.";

/** A port number from the environment; a Service link's 'tcp://10.96.0.5:6379' is not one. */
function portFrom(...values: Array<string | undefined>): number | undefined {
  for (const value of values) if (value && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** INCR over RESP on a fresh connection (from the pod's IP): the counter's new value. */
async function increment(host: string, port: number): Promise<number> {
  const socket = await connectTcp(host, port, 2000);
  return new Promise((resolve, reject) => {
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('Timeout reading from socket'));
    }, 2000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      reply += chunk;
      const end = reply.indexOf('\r\n');
      if (end === -1) return;
      clearTimeout(timer);
      socket.end(`*1\r\n$4\r\nQUIT\r\n`);
      const line = reply.slice(0, end);
      if (line.startsWith(':')) resolve(Number(line.slice(1)));
      else reject(new Error(line.startsWith('-') ? line.slice(1) : `unexpected reply ${line}`));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.write(`*2\r\n$4\r\nINCR\r\n$${Buffer.byteLength(COUNTER_KEY)}\r\n${COUNTER_KEY}\r\n`);
  });
}

/** redis-py's words for a connection that failed. */
function describeRedisError(error: NodeJS.ErrnoException, host: string, port: number): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return `Error 111 connecting to ${host}:${port}. Connection refused.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Error -2 connecting to ${host}:${port}. Name or service not known.`;
    case 'ETIMEDOUT':
      return 'Timeout connecting to server';
    default:
      return `Error connecting to ${host}:${port}. ${error.message}`;
  }
}

/** Text content needs only &, < and > escaped (the page stays greppable: "Served by: <pod>"). */
function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(counter: string, message: string, servedBy: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>p4app</title>
<style>
body { font-family: sans-serif; text-align: center; margin-top: 4em; }
.counter { font-size: 4em; }
</style>
</head>
<body>
<h1>p4app</h1>
<p class="counter">Counter: ${escapeHtml(counter)}</p>
<p class="message">${escapeHtml(message)}</p>
<p class="host">Served by: ${escapeHtml(servedBy)}</p>
</body>
</html>
`;
}

const NOT_FOUND = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<title>404 Not Found</title>
<h1>Not Found</h1>
<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>
`;

/** Werkzeug's request log time: '23/Nov/2023 01:52:00'. */
function werkzeugTime(date = new Date()): string {
  return `${pad2(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`;
}

function main(): void {
  const port = portFrom(process.env.APP_PORT) ?? 8080;
  const dbHost = process.env.DB_HOST || process.env.REDIS_HOST || 'redis';
  const dbPort = portFrom(process.env.DB_PORT, process.env.REDIS_PORT) ?? 6379;
  const message = process.env.MESSAGE ?? DEFAULT_MESSAGE;
  const servedBy = process.env.HOSTNAME || process.env.KUBELAB_POD_NAME || os.hostname();
  const out = new LineWriter('stdout');
  const err = new LineWriter('stderr');

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const respond = (status: number, body: string): void => {
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', Server: 'Werkzeug/1.0.1 Python/3.8.6' });
      res.end(req.method === 'HEAD' ? undefined : body);
      err.line(`${req.socket.remoteAddress} - - [${werkzeugTime()}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} -`);
    };
    if (path !== '/') {
      respond(404, NOT_FOUND);
      return;
    }
    increment(dbHost, dbPort).then(
      (count) => respond(200, page(String(count), message, servedBy)),
      (error: NodeJS.ErrnoException) => {
        const reason = describeRedisError(error, dbHost, dbPort);
        err.line(`redis: ${reason}`);
        respond(200, page(`unavailable (${reason})`, message, servedBy));
      },
    );
  });

  out.line(' * Serving Flask app "app" (lazy loading)');
  out.line(' * Environment: production');
  out.line('   WARNING: This is a development server. Do not use it in a production deployment.');
  out.line('   Use a production WSGI server instead.');
  out.line(' * Debug mode: off');
  listen(
    server,
    port,
    () => err.line(` * Running on http://${listenHost()}:${port}/ (Press CTRL+C to quit)`),
    (error) => `OSError: [Errno ${error.code === 'EADDRINUSE' ? '98] Address already in use' : `${error.errno}] ${error.message}`}`,
  );
  exitOnTermination({ servers: [server] });
}

if (require.main === module) main();
