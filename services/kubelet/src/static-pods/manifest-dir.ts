import * as fs from 'node:fs';
import * as path from 'node:path';
import { metaTime, realClock, type Clock } from '@kubelab/client';
import { staticPodFromManifest, type StaticPod } from './static-pod';

/** What one read of the manifest folder found: the static pods, and the files that are not one. */
export interface ManifestRead {
  pods: StaticPod[];
  errors: Array<{ file: string; message: string }>;
}

interface Cached {
  mtimeMs: number;
  size: number;
  result: StaticPod | { error: string };
}

/**
 * The kubelet's "file" pod source (pkg/kubelet/config/file.go) over --pod-manifest-path: every
 * regular file of the folder (not its subfolders, not hidden files) holds one Pod, in YAML or
 * JSON. It is read again on every call, but a file is parsed only when its size or mtime changed.
 * A file that is not a Pod is reported (and skipped), as the kubelet logs it. Two files naming
 * the same pod: the first (by file name) wins.
 */
export class ManifestDir {
  private readonly cache = new Map<string, Cached>();
  /** config.seen: when this kubelet first saw each manifest (by its hash), so a re-read keeps it. */
  private readonly seen = new Map<string, string>();

  constructor(
    readonly dir: string,
    private readonly nodeName: string,
    private readonly clock: Clock = realClock,
  ) {}

  read(): ManifestRead {
    const out: ManifestRead = { pods: [], errors: [] };
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).sort();
    } catch (error) {
      // A folder that does not exist (yet) holds no pods, as for the kubelet.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') out.errors.push({ file: this.dir, message: (error as Error).message });
      this.cache.clear();
      return out;
    }
    const present = new Set<string>();
    const podNames = new Set<string>();
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const file = path.join(this.dir, name);
      let stat: fs.Stats;
      try {
        stat = fs.statSync(file);
      } catch {
        continue;
      }
      if (!stat.isFile()) continue;
      present.add(file);
      let cached = this.cache.get(file);
      if (!cached || cached.mtimeMs !== stat.mtimeMs || cached.size !== stat.size) {
        cached = { mtimeMs: stat.mtimeMs, size: stat.size, result: this.parse(file) };
        this.cache.set(file, cached);
      }
      const { result } = cached;
      if ('error' in result) {
        out.errors.push({ file, message: result.error });
      } else if (podNames.has(result.fullName)) {
        out.errors.push({ file, message: `pod ${result.fullName} is already defined by another manifest` });
      } else {
        podNames.add(result.fullName);
        out.pods.push(result);
      }
    }
    for (const file of this.cache.keys()) if (!present.has(file)) this.cache.delete(file);
    return out;
  }

  private parse(file: string): StaticPod | { error: string } {
    try {
      const text = fs.readFileSync(file, 'utf8');
      // JSON (what kubelab writes) without loading a YAML parser; YAML (what people write) with one.
      const manifest: unknown = file.endsWith('.json') ? JSON.parse(text) : (require('js-yaml') as typeof import('js-yaml')).load(text);
      // The hash does not depend on when it was seen: compute it first, then put the time it was first seen.
      const probe = staticPodFromManifest(manifest, file, this.nodeName, '');
      let seen = this.seen.get(probe.hash);
      if (!seen) {
        seen = metaTimeNano(this.clock.now());
        this.seen.set(probe.hash, seen);
      }
      return staticPodFromManifest(manifest, file, this.nodeName, seen);
    } catch (error) {
      return { error: (error as Error).message };
    }
  }
}

/** A time as Go's RFC3339Nano writes it (trailing zeros of the fraction dropped). */
function metaTimeNano(ms: number): string {
  const iso = new Date(ms).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return fraction ? `${iso.slice(0, 19)}.${fraction}Z` : metaTime(ms);
}
