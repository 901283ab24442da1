import * as http from 'node:http';

/** One HTTP GET from the host, as `curl` would do it: the body, or the error's message. */
export function httpGet(url: string, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** The body of a GET, or undefined if it failed (for waiting until a Service answers). */
export async function tryGet(url: string): Promise<string | undefined> {
  try {
    const r = await httpGet(url, 2_000);
    return r.status === 200 ? r.body : undefined;
  } catch {
    return undefined;
  }
}
