import path from 'node:path';

/**
 * Where the runtime keeps things under the kubelet's --root-dir. One place for every path, so
 * the runtime, adoption after a restart and `kubelab down` (cleanup.ts) agree:
 *
 *   bin/                                        busybox applet symlinks (first on a container's PATH)
 *   images.json                                 the images this node has "pulled"
 *   containers/<hex>.json                       the record of one container (see records.ts)
 *   containers/<hex>/                           its private files: stdout, stderr (raw output, until
 *                                               turned into the CRI log), exit (its exit code),
 *                                               log-offsets, resolv.conf, hosts, rootfs/ (its cwd)
 *   pods/<namespace>_<name>_<uid>/<container>/<attempt>.log    the CRI log, as the kubelet lays it out
 */
export class RuntimeLayout {
  constructor(readonly rootDir: string) {}

  get binDir(): string {
    return path.join(this.rootDir, 'bin');
  }

  get imagesFile(): string {
    return path.join(this.rootDir, 'images.json');
  }

  get containersDir(): string {
    return path.join(this.rootDir, 'containers');
  }

  recordFile(id: string): string {
    return path.join(this.containersDir, `${hexOf(id)}.json`);
  }

  containerDir(id: string): string {
    return path.join(this.containersDir, hexOf(id));
  }

  stdoutFile(id: string): string {
    return path.join(this.containerDir(id), 'stdout');
  }

  stderrFile(id: string): string {
    return path.join(this.containerDir(id), 'stderr');
  }

  exitFile(id: string): string {
    return path.join(this.containerDir(id), 'exit');
  }

  logOffsetsFile(id: string): string {
    return path.join(this.containerDir(id), 'log-offsets');
  }

  rootfsDir(id: string): string {
    return path.join(this.containerDir(id), 'rootfs');
  }

  podLogDir(pod: { namespace: string; name: string; uid: string }): string {
    return path.join(this.rootDir, 'pods', `${pod.namespace}_${pod.name}_${pod.uid}`);
  }

  /** <rootDir>/pods/<namespace>_<name>_<uid>/<container>/<attempt>.log (kuberuntime's BuildContainerLogsDirectory + attempt). */
  logFile(pod: { namespace: string; name: string; uid: string }, container: string, attempt: number): string {
    return path.join(this.podLogDir(pod), container, `${attempt}.log`);
  }
}

/** 'kubelab://<hex>' -> '<hex>' (file names cannot hold the scheme). */
export function hexOf(id: string): string {
  return id.startsWith(CONTAINER_ID_SCHEME) ? id.slice(CONTAINER_ID_SCHEME.length) : id;
}

/** The scheme of a container ID, as containerd's 'containerd://'. */
export const CONTAINER_ID_SCHEME = 'kubelab://';
